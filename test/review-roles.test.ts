/**
 * Roles in the access review (issue 29): the collector stores each role's trust policy and last use
 * from GetAccountAuthorizationDetails (served by the local IAM endpoint); `review start` shows who
 * can assume the role and when it was last used; `review verify` sees a trust policy narrowed (a
 * reduce carried out), one left as it was (not carried out) and one that trusts nobody any more (a
 * revoke carried out).
 */
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { trustedPrincipals } from '../src/app/review/role-trust.js';
import { pastEventInstants } from '../src/snapshot/capture-times.js';
import type { Fact, RoleFacts, Snapshot } from '../src/snapshot/types.js';
import { runCli, temporaryFolder } from './support/cli.js';
import { ACCOUNT, baseScenario, collectInProcess } from './support/collect-scenario.js';
import { startIamEndpoint, type ScenarioRole } from './support/iam-endpoint.js';
import { fillCsv } from './support/review-workbooks.js';

const PARTNER_ROLE = 'arn:aws:iam::444455556666:role/ci-runner';
const GITHUB_OIDC = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;

const DEPLOY_TRUST = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { AWS: [`arn:aws:iam::${ACCOUNT}:root`, PARTNER_ROLE] }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': 'x-2026' } } },
    // Grants no assuming: not "who can assume it".
    { Effect: 'Allow', Principal: { AWS: '999999999999' }, Action: 'sts:TagSession' },
  ],
};
const CI_TRUST = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { Federated: GITHUB_OIDC }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:example/app:*' } } },
    { Effect: 'Allow', Principal: { Service: 'codebuild.amazonaws.com' }, Action: 'sts:AssumeRole' },
  ],
};
const LEGACY_TRUST = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '777788889999' }, Action: 'sts:AssumeRole' }] };

const ROLES: readonly ScenarioRole[] = [
  { name: 'deploy', trustPolicy: DEPLOY_TRUST, lastUsed: { at: '2026-11-18T09:30:00Z', region: 'eu-west-1' } },
  { name: 'ci', trustPolicy: CI_TRUST, attachedPolicies: [{ name: 'PowerUserAccess', arn: 'arn:aws:iam::aws:policy/PowerUserAccess' }] },
  { name: 'legacy', trustPolicy: LEGACY_TRUST, lastUsed: { at: '2025-02-01T00:00:00Z' } },
];

const roleOf = (snapshot: Snapshot, name: string): RoleFacts => {
  assert.equal(snapshot.accountFacts.roles.known, true, JSON.stringify(snapshot.accountFacts.roles));
  const found = (snapshot.accountFacts.roles as { value: readonly RoleFacts[] }).value.find((role) => role.name === name);
  assert.ok(found, `role ${name} in the snapshot`);
  return found;
};

async function collected(roles: readonly ScenarioRole[]): Promise<Snapshot> {
  const endpoint = await startIamEndpoint(baseScenario({ roles }));
  try {
    return await collectInProcess(endpoint.url, 'api');
  } finally {
    await endpoint.close();
  }
}

describe('collect: role trust policies and last use', () => {
  let snapshot: Snapshot;
  before(async () => {
    snapshot = await collected(ROLES);
  });

  it('stores each role trust policy URL-decoded and its last use; an empty RoleLastUsed is no_information', () => {
    assert.deepEqual(snapshot.collectionErrors, []);
    const deploy = roleOf(snapshot, 'deploy');
    assert.deepEqual(deploy.trustPolicy, { known: true, value: DEPLOY_TRUST });
    assert.deepEqual(deploy.lastUsed, { known: true, value: '2026-11-18T09:30:00Z' });
    assert.deepEqual(deploy.lastUsedRegion, { known: true, value: 'eu-west-1' });
    const ci = roleOf(snapshot, 'ci');
    assert.deepEqual(ci.trustPolicy, { known: true, value: CI_TRUST });
    assert.deepEqual(ci.lastUsed, { known: false, reason: 'no_information', detail: 'IAM records no use (never used, or not within its tracking period)' });
    assert.equal((ci.lastUsedRegion as Fact<string>).known, false);
    assert.equal(roleOf(snapshot, 'legacy').lastUsedRegion?.known, false);
  });

  it('counts a role last use among the instants that may not lie after the capture time', () => {
    const instants = pastEventInstants(snapshot).filter((instant) => instant.what === 'role last use');
    assert.deepEqual(
      instants.map((instant) => [instant.pointer, instant.value]),
      [
        ['/accountFacts/roles/value/0/lastUsed/value', '2026-11-18T09:30:00Z'],
        ['/accountFacts/roles/value/2/lastUsed/value', '2025-02-01T00:00:00Z'],
      ],
    );
  });

  it('an answer whose role lacks its trust document is malformed: the roles are not known, never "trusts nobody"', async () => {
    const broken = await collected([{ name: 'deploy', trustPolicy: null }]);
    assert.equal(broken.accountFacts.roles.known, false);
    const error = broken.collectionErrors.find((entry) => entry.api === 'iam:GetAccountAuthorizationDetails');
    assert.equal(error?.code, 'malformed_response');
    assert.match(error?.message ?? '', /RoleDetailList\[0\]\.AssumeRolePolicyDocument/);
  });

  it('a trust document that does not decode fails that fact only, with the error recorded', async () => {
    const broken = await collected([{ name: 'deploy', trustPolicy: '%7B%22Statement%22' }, { name: 'ci', trustPolicy: CI_TRUST }]);
    const deploy = roleOf(broken, 'deploy');
    assert.equal(deploy.trustPolicy?.known, false);
    assert.equal(deploy.trustPolicy?.known === false ? deploy.trustPolicy.reason : null, 'collection_failed');
    assert.deepEqual(roleOf(broken, 'ci').trustPolicy, { known: true, value: CI_TRUST });
    const error = broken.collectionErrors.find((entry) => entry.code === 'InvalidPolicyDocument');
    assert.equal(error?.resource, `arn:aws:iam::${ACCOUNT}:role/deploy`);
    assert.deepEqual(error?.affects, [`accountFacts.roles[arn:aws:iam::${ACCOUNT}:role/deploy].trustPolicy`]);
  });
});

describe('who can assume a role, from its trust policy', () => {
  it('reads Allow statements that grant sts:AssumeRole*, one key per principal, conditions noted', () => {
    assert.deepEqual(trustedPrincipals(DEPLOY_TRUST), [
      { key: `aws account ${ACCOUNT}`, text: `aws account ${ACCOUNT} if StringEquals sts:ExternalId=x-2026` },
      { key: `aws ${PARTNER_ROLE}`, text: `aws ${PARTNER_ROLE} if StringEquals sts:ExternalId=x-2026` },
    ]);
    assert.deepEqual(
      trustedPrincipals({
        Statement: [
          { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' },
          { Effect: 'Deny', Principal: { AWS: '111122223333' }, Action: 'sts:AssumeRole' },
          { Effect: 'Allow', Principal: { AWS: '111122223333' }, Action: ['sts:AssumeRole', 'sts:TagSession'], Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } },
          { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'sts:*' },
        ],
      }),
      [
        { key: 'anyone (*)', text: 'anyone (*)' },
        // The account id and its root ARN are one principal; allowed once without a condition, it is trusted without one.
        { key: 'aws account 111122223333', text: 'aws account 111122223333' },
      ],
    );
    assert.deepEqual(trustedPrincipals({ Statement: [] }), []);
    assert.deepEqual(trustedPrincipals(null), []);
  });
});

const epoch = (iso: string): Record<string, string> => ({ SOURCE_DATE_EPOCH: String(Date.parse(iso) / 1000) });
const REVIEWERS_YAML = `reviewers:
  - id: carol
    name: Carol Secops
    identities: [carol.secops]
  - id: judy
    name: Judy Audit
    identities: [judy.audit]
default: carol
fallback: judy
`;

describe('review of roles: start shows trust and last use; verify sees trust narrowed', () => {
  let folder: { path: string; cleanup: () => Promise<void> };
  let campaignDir: string;
  let snapshotPath: string;

  before(async () => {
    folder = await temporaryFolder('iam-audit-review-roles-');
    campaignDir = join(folder.path, 'campaign');
    snapshotPath = join(folder.path, 'snapshot.json');
    await writeFile(snapshotPath, JSON.stringify(await collected(ROLES), null, 2));
    await writeFile(join(folder.path, 'reviewers.yaml'), REVIEWERS_YAML);
  });
  after(async () => {
    await folder.cleanup();
  });

  it('review start: each role with who can assume it and its last use', async () => {
    const started = await runCli(['review', 'start', snapshotPath, '--reviewers', join(folder.path, 'reviewers.yaml'), '--scope', 'roles', '--due', '2026-11-30', '-d', campaignDir], { env: epoch('2026-11-21T09:00:00Z') });
    assert.equal(started.code, 0, started.stderr);
    const campaign = JSON.parse(await readFile(join(campaignDir, 'campaign.json'), 'utf8')) as { identities: { name: string; facts: string[]; access: { trustedPrincipals?: string[] | null } }[] };
    const row = (name: string) => campaign.identities.find((identity) => identity.name === name);
    const header = (await readFile(join(campaignDir, 'workbooks', 'carol.csv'), 'utf8')).split(/\r?\n/)[0] ?? '';
    const column = (title: string): number => header.split(',').indexOf(title) - 1;
    assert.equal(row('deploy')?.facts[column('Last activity')], '2026-11-18 in eu-west-1');
    assert.equal(
      row('deploy')?.facts[column('Who can assume it / last used')],
      `aws account ${ACCOUNT} if StringEquals sts:ExternalId=x-2026; aws ${PARTNER_ROLE} if StringEquals sts:ExternalId=x-2026; last used: 2026-11-18 in eu-west-1`,
    );
    assert.equal(
      row('ci')?.facts[column('Who can assume it / last used')],
      `federated ${GITHUB_OIDC} if StringLike token.actions.githubusercontent.com:sub=repo:example/app:*; service codebuild.amazonaws.com; last used: none recorded (never used, or not within IAM\u2019s tracking period)`,
    );
    assert.deepEqual(row('deploy')?.access.trustedPrincipals, [`aws account ${ACCOUNT}`, `aws ${PARTNER_ROLE}`]);
    assert.deepEqual(row('legacy')?.access.trustedPrincipals, ['aws account 777788889999']);
    // The reviewer's CSV carries the same words.
    assert.match(await readFile(join(campaignDir, 'workbooks', 'carol.csv'), 'utf8'), /service codebuild\.amazonaws\.com; last used: none recorded/);
  });

  it('review verify: trust narrowed is a reduce carried out; trust unchanged is not; trusting nobody is a revoke carried out (exit 1)', async () => {
    const filled = join(folder.path, 'carol-filled.csv');
    await fillCsv(join(campaignDir, 'workbooks', 'carol.csv'), { deploy: { decision: 'reduce', justification: 'the partner contract ended' }, ci: { decision: 'reduce', justification: 'web identity only' }, legacy: { decision: 'revoke', justification: 'unused since 2025' } }, filled);
    const recorded = await runCli(['review', 'collect', campaignDir, filled], { env: epoch('2026-11-25T09:00:00Z') });
    assert.equal(recorded.code, 0, recorded.stderr);

    const narrowed = await collected([
      { name: 'deploy', trustPolicy: { ...DEPLOY_TRUST, Statement: [{ ...DEPLOY_TRUST.Statement[0], Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } }] }, lastUsed: { at: '2026-11-19T10:00:00Z', region: 'eu-west-1' } },
      ROLES[1]!,
      { name: 'legacy', trustPolicy: { Version: '2012-10-17', Statement: [] } },
    ]);
    const laterPath = join(folder.path, 'snapshot-later.json');
    await writeFile(laterPath, JSON.stringify({ ...narrowed, capturedAt: '2026-12-20T12:00:00Z' }, null, 2));
    const verified = await runCli(['review', 'verify', campaignDir, laterPath], { env: epoch('2026-12-21T09:00:00Z') });
    assert.equal(verified.code, 1, verified.stderr);
    const [name] = (await readdir(join(campaignDir, 'follow-up'))).filter((file) => file.endsWith('.json'));
    const followUp = JSON.parse(await readFile(join(campaignDir, 'follow-up', name ?? ''), 'utf8')) as { items: { name: string; decision: string; status: string; detail: string; seenAt: string | null }[]; outstanding: number };
    assert.deepEqual(
      followUp.items.map((item) => [item.name, item.decision, item.status, item.detail, item.seenAt]),
      [
        ['deploy', 'reduce', 'carried-out', `trust narrowed: aws ${PARTNER_ROLE} can no longer assume it`, '2026-12-20T12:00:00Z'],
        ['ci', 'reduce', 'not-carried-out', 'no policy detached and trust not narrowed', null],
        ['legacy', 'revoke', 'carried-out', 'its trust policy lets nobody assume it (trust narrowed: aws account 777788889999 can no longer assume it)', '2026-12-20T12:00:00Z'],
      ],
    );
    assert.equal(followUp.outstanding, 1);
    assert.match(verified.stdout, /2 carried out, 1 outstanding\./);
  });
});
