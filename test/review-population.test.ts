/**
 * The access review's pieces on a live-collection snapshot (groups, policies, roles): the facts a
 * reviewer sees with the administrator flag (direct, inline, through a group), what is missing from
 * an incomplete population, segregation of duties up a reporting line, and the follow-up's verdicts
 * for a detached policy, a group left but console kept, a deleted group and a role whose trust
 * policy the snapshot cannot show.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { conflictOf } from '../src/app/review/assign.js';
import { readReturnedFile } from '../src/app/review/workbook.js';
import { temporaryFolder } from './support/cli.js';
import { followUpOf } from '../src/app/review/follow-up.js';
import { accountPopulation, FACT_COLUMNS, type PopulationMember } from '../src/app/review/population.js';
import type { Campaign, RecordedDecision, Reviewer } from '../src/config/review-files.js';
import type { Snapshot } from '../src/snapshot/types.js';
import { DEMO_SNAPSHOT_PATH } from './support/demo-series.js';

const known = <T>(value: T) => ({ known: true as const, value });
const ACCOUNT = '111122223333';
const ADMIN_INLINE = { policyName: 'all', document: { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } };
const ADMINISTRATOR_ACCESS = { policyName: 'AdministratorAccess', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' };

/** The demo account as a live collection would have it: groups, policies and roles known. */
function liveSnapshot(change: (snapshot: { users: Record<string, unknown>[]; accountFacts: Record<string, unknown>; populations: Record<string, unknown> }) => void = () => undefined): Snapshot {
  const snapshot = JSON.parse(readFileSync(DEMO_SNAPSHOT_PATH, 'utf8')) as { source: string; users: Record<string, unknown>[]; accountFacts: Record<string, unknown>; populations: Record<string, unknown> };
  snapshot.source = 'aws-api';
  for (const user of snapshot.users) {
    user['groups'] = known(user['name'] === 'alice.admin' ? ['admins'] : []);
    user['attachedPolicies'] = known(user['name'] === 'bob.admin' ? [ADMINISTRATOR_ACCESS] : []);
    user['inlinePolicies'] = known([]);
  }
  snapshot.accountFacts['groups'] = known([{ name: 'admins', arn: `arn:aws:iam::${ACCOUNT}:group/admins`, attachedPolicies: [], inlinePolicies: [ADMIN_INLINE] }]);
  snapshot.accountFacts['roles'] = known([{ name: 'deploy', arn: `arn:aws:iam::${ACCOUNT}:role/deploy`, attachedPolicies: [{ policyName: 'PowerUserAccess', policyArn: 'arn:aws:iam::aws:policy/PowerUserAccess' }], inlinePolicies: [] }]);
  snapshot.populations['groups'] = { state: 'complete', reason: null, collected: 1, expected: null, expectedSource: null };
  snapshot.populations['roles'] = { state: 'complete', reason: null, collected: 1, expected: null, expectedSource: null };
  change(snapshot);
  return snapshot as unknown as Snapshot;
}

const fact = (member: PopulationMember | undefined, column: (typeof FACT_COLUMNS)[number]): string => member?.facts[FACT_COLUMNS.indexOf(column)] ?? 'missing';

describe('review population of a live collection', () => {
  const population = accountPopulation(liveSnapshot(), ['users', 'root', 'roles', 'groups'], false);
  const member = (key: string) => population.members.find((item) => item.key === `${ACCOUNT}:${key}`);

  it('holds users, root, roles and groups, complete', () => {
    assert.equal(population.members.length, 26 + 1 + 1 + 1);
    assert.deepEqual(population.missing, []);
    assert.equal(population.credentialFactsOnly, false);
  });

  it('flags administrators: a managed policy, an inline one through a group, the group itself; not a power user role', () => {
    assert.equal(fact(member('user:bob.admin'), 'Administrator'), 'yes (AdministratorAccess)');
    assert.equal(fact(member('user:alice.admin'), 'Administrator'), 'yes (inline all via group admins)');
    assert.equal(fact(member('user:alice.admin'), 'Groups'), 'admins');
    assert.equal(fact(member('group:admins'), 'Administrator'), 'yes (inline all)');
    assert.equal(fact(member('group:admins'), 'Groups'), 'members: alice.admin');
    assert.equal(fact(member('role:deploy'), 'Administrator'), 'no');
    assert.equal(fact(member('role:deploy'), 'Attached policies'), 'PowerUserAccess');
    assert.match(fact(member('role:deploy'), 'Who can assume it / last used'), /^not collected \(the snapshot holds no trust policies/);
    assert.equal(fact(member('user:dave.dev'), 'Administrator'), 'no');
  });

  it('names what is missing when a list could not be collected whole', () => {
    const partial = liveSnapshot((snapshot) => {
      snapshot.populations['roles'] = { state: 'incomplete', reason: 'iam:ListRoles failed on page 2 (Throttling)', collected: 1, expected: null, expectedSource: null };
    });
    assert.deepEqual(accountPopulation(partial, ['users', 'roles'], true).missing, [`account ${ACCOUNT}: roles: iam:ListRoles failed on page 2 (Throttling)`]);
  });
});

describe('review segregation of duties', () => {
  const reviewers: Reviewer[] = [
    { id: 'ann', name: 'Ann', email: null, identities: ['ann.cto'], reportsTo: [] },
    { id: 'ben', name: 'Ben', email: null, identities: [], reportsTo: ['ann'] },
    { id: 'cat', name: 'Cat', email: null, identities: [], reportsTo: ['ben'] },
  ];
  it('keeps an identity from its user and from anyone below that user, however far down', () => {
    const identity = { name: 'ann.cto', arn: `arn:aws:iam::${ACCOUNT}:user/ann.cto` };
    assert.equal(conflictOf(reviewers, 'ann', identity), 'ann would review their own identity ann.cto');
    assert.equal(conflictOf(reviewers, 'cat', identity), 'cat reports to ann, who uses ann.cto');
    assert.equal(conflictOf(reviewers, 'ben', { name: 'svc', arn: 'x' }), null);
  });
});

describe('review follow-up on a live collection', () => {
  const before = accountPopulation(liveSnapshot(), ['users', 'root', 'roles', 'groups'], false);
  const campaign = {
    id: 'AR-20261201-00000000',
    accounts: [{ id: ACCOUNT, name: null, snapshot: 'snapshots/s.json', sha256: '0'.repeat(64), capturedAt: '2026-11-02T08:15:42Z', source: 'aws-api', populations: ['users', 'root', 'roles', 'groups'].map((scope) => ({ scope, state: 'complete', inSnapshot: 0, inPopulation: 0 })) }],
    identities: before.members.map((member) => ({ ...member, rowKey: '0'.repeat(32), reviewer: 'carol', reassignment: null })),
  } as unknown as Campaign;
  const decide = (key: string, decision: RecordedDecision['decision']): RecordedDecision => ({ key: `${ACCOUNT}:${key}`, decision, justification: 'why', reviewer: 'carol', recordedAt: '2026-11-20T00:00:00Z', file: 'carol.xlsx', row: 2 });
  const later = liveSnapshot((snapshot) => {
    (snapshot as unknown as { capturedAt: string }).capturedAt = '2026-12-02T08:15:42Z';
    for (const user of snapshot.users) {
      if (user['name'] === 'bob.admin') user['attachedPolicies'] = known([]);
      if (user['name'] === 'alice.admin') user['groups'] = known([]);
    }
    snapshot.accountFacts['groups'] = known([]);
  });
  const followUp = followUpOf(
    campaign,
    [decide('user:bob.admin', 'reduce'), decide('user:alice.admin', 'revoke'), decide('group:admins', 'revoke'), decide('role:deploy', 'reduce'), decide('user:dave.dev', 'keep')],
    new Map([[ACCOUNT, { snapshot: later, sha256: '1'.repeat(64) }]]),
    new Date('2026-12-03T00:00:00Z'),
  );
  const item = (name: string) => followUp.items.find((entry) => entry.name === name);

  it('judges each revoke and reduce; keep decisions are not followed up', () => {
    assert.deepEqual(
      followUp.items.map((entry) => [entry.name, entry.status, entry.detail]),
      [
        ['bob.admin', 'carried-out', 'policy detached: AdministratorAccess'],
        ['alice.admin', 'not-carried-out', 'partly: removed from group: admins; console or an active key remains'],
        ['admins', 'carried-out', 'group deleted'],
        ['deploy', 'not-verifiable', 'no policy detached; a narrowed trust policy cannot be seen (the snapshot holds no trust policies)'],
      ],
    );
    assert.equal(item('bob.admin')?.seenAt, '2026-12-02T08:15:42Z');
    assert.equal(followUp.outstanding, 2);
  });
});

describe('review: returned CSV files', () => {
  it('reads a CSV saved with the semicolons of a European Excel, and with a byte-order mark', async () => {
    const folder = await temporaryFolder('iam-audit-review-csv-');
    try {
      const path = join(folder.path, 'bob.csv');
      const header = ['Row key', ...FACT_COLUMNS, 'Decision', 'Justification', 'Reviewed by'];
      const row = ['0123456789abcdef0123456789abcdef', ...FACT_COLUMNS.map((column) => (column === 'Identity' ? 'ops,oncall' : 'x; y')), 'Revoke', ' left ', 'bob'];
      const quote = (cell: string): string => (/[;"]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell);
      await writeFile(path, `\uFEFF${header.join(';')}\r\n${row.map(quote).join(';')}\r\n`);
      const { rows, campaignId } = await readReturnedFile(path, FACT_COLUMNS);
      assert.equal(campaignId, null);
      assert.equal(rows.length, 1);
      assert.deepEqual({ ...rows[0], facts: undefined }, { file: path, row: 2, rowKey: '0123456789abcdef0123456789abcdef', facts: undefined, decision: 'revoke', justification: 'left', reviewedBy: 'bob' });
      assert.equal(rows[0]?.facts.get('Identity'), 'ops,oncall');
      assert.equal(rows[0]?.facts.get('MFA'), 'x; y');
    } finally {
      await folder.cleanup();
    }
  });
});
