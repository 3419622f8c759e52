/**
 * Issue 24 §1: shards record the account list they were cut from, `merge-index` refuses shards
 * that do not fit (or, with --allow-changed-org, records what is missing or extra), exits 3 over
 * failed accounts, and `verify org-index.json` checks the same. Against the local Organizations
 * and IAM endpoints (test/support/org-endpoint.ts).
 */
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { accountListOf, accountListSha256, parseOrgIndex, renderOrgIndex, type OrgIndex, type OrgIndexAccount } from '../src/snapshot/org-index.js';
import { indexCoverage } from '../src/snapshot/org-index-coverage.js';
import { mergeOrgIndexes } from '../src/snapshot/org-index-merge.js';
import { runCli, temporaryFolder, type CliRun } from './support/cli.js';
import { collectEnvironment } from './support/collect-scenario.js';
import { startOrgEndpoint, type OrgEndpoint } from './support/org-endpoint.js';
import type { OrgScenario } from './support/org-endpoint.js';
import { accountIam, accountUsers, DENIED, DEV, MANAGEMENT, ORG_ID, orgScenario, PARTIAL, PROD, ROOT, SANDBOX, THROTTLED } from './support/org-scenario.js';

const ADDED = '999999999999';
const ORIGINAL = [MANAGEMENT, PROD, DEV, DENIED, THROTTLED, PARTIAL, SANDBOX];

async function collectOrg(endpoint: OrgEndpoint, dir: string, args: readonly string[] = []): Promise<CliRun> {
  return runCli(['collect', '--org', '--endpoint-url', endpoint.url, '-d', dir, '--max-attempts', '3', ...args], { env: collectEnvironment(), cwd: tmpdir() });
}

async function readIndex(path: string): Promise<OrgIndex> {
  return parseOrgIndex(await readFile(path, 'utf8'), path);
}

/** The organisation a day later: SANDBOX gone, ADDED joined. */
function changedScenario(): OrgScenario {
  const base = orgScenario();
  return {
    ...base,
    accounts: [
      ...base.accounts.filter((account) => account.id !== SANDBOX),
      { id: ADDED, name: 'Added', state: 'ACTIVE', parent: ROOT, iam: accountIam(ADDED, accountUsers(ADDED, 2)) },
    ],
  };
}

async function collectShard(scenario: OrgScenario, dir: string, shard: string): Promise<void> {
  const endpoint = await startOrgEndpoint(scenario);
  try {
    const run = await collectOrg(endpoint, dir, ['--shard', shard]);
    assert.ok(run.code === 0 || run.code === 3, run.stderr);
  } finally {
    await endpoint.close();
  }
}

describe('shards cut from different account lists', () => {
  let folder: { path: string; cleanup: () => Promise<void> };
  let shards: string;
  const shardFile = (index: number): string => join(shards, `org-index-shard-${index}-of-3.json`);

  before(async () => {
    folder = await temporaryFolder('iam-audit-org-shards-');
    shards = join(folder.path, 'shards');
    // Shards 1 and 2 one day, shard 3 re-run the next, after one account left and one joined.
    await collectShard(orgScenario(), shards, '1/3');
    await collectShard(orgScenario(), shards, '2/3');
    await collectShard(changedScenario(), shards, '3/3');
  });
  after(async () => folder.cleanup());

  test('each shard index records the organisation, the sorted list it was cut from (ids, count, SHA-256), the selection and the shard', async () => {
    const first = await readIndex(shardFile(1));
    assert.equal(first.indexVersion, 2);
    assert.equal(first.organizationId, ORG_ID);
    assert.deepEqual(first.selection, { ou: null, accounts: null, roleName: 'OrganizationAccountAccessRole', shard: { index: 1, count: 3 } });
    const sorted = [...ORIGINAL].sort();
    assert.deepEqual(first.accountList, { count: 7, sha256: accountListSha256(sorted), ids: sorted });
    assert.deepEqual(
      first.accounts.map((account) => account.id),
      [MANAGEMENT, DENIED, SANDBOX],
    );
    const third = await readIndex(shardFile(3));
    assert.deepEqual(third.accountList?.ids, [...ORIGINAL.filter((id) => id !== SANDBOX), ADDED].sort());
    assert.notEqual(third.accountList?.sha256, first.accountList?.sha256);
  });

  test('merge-index refuses them, naming the shard and the accounts added and removed: exit 2, nothing written', async () => {
    const output = join(shards, 'refused.json');
    const run = await runCli(['merge-index', shardFile(1), shardFile(2), shardFile(3), '-o', output]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /shard 3\/3 \([^)]*org-index-shard-3-of-3\.json\) was cut from another account list than shard 1\/3/);
    assert.match(run.stderr, /added 999999999999; removed 888888888888/);
    assert.match(run.stderr, /--allow-changed-org/);
    assert.equal((await readdir(shards)).includes('refused.json'), false);
  });

  test('--allow-changed-org merges anyway and records every account missing or extra; exit 3; verify passes with a note; the organisation report names them', async () => {
    const output = join(shards, 'org-index.json');
    const run = await runCli(['merge-index', shardFile(1), shardFile(2), shardFile(3), '--allow-changed-org']);
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stdout, /missing \(collected by no shard\) 999999999999; extra \(not listed by every shard\) 888888888888; collected twice \(the later kept\) none/);
    const merged = await readIndex(output);
    assert.equal(merged.selection.shard, null);
    // Shard 3 of the changed list is still DEV and PARTIAL; ADDED fell into slice 1, which ran before it joined.
    assert.deepEqual(
      merged.accounts.map((account) => account.id),
      ORIGINAL,
    );
    assert.deepEqual(merged.changedOrg?.missing, [ADDED]);
    assert.deepEqual(merged.changedOrg?.extra, [SANDBOX]);
    assert.deepEqual(merged.changedOrg?.duplicates, []);
    assert.deepEqual(merged.changedOrg?.lists.map((list) => [list.shard, list.count]), [
      [1, 7],
      [2, 7],
      [3, 7],
    ]);
    assert.deepEqual(merged.accountList?.ids, [...ORIGINAL, ADDED].sort());

    const verify = await runCli(['verify', output]);
    assert.equal(verify.code, 0, verify.stdout);
    assert.match(verify.stdout, /NOTE {2}accounts: merged with --allow-changed-org .*missing \(collected by no shard\) 999999999999; extra \(not listed by every shard\) 888888888888/);
    assert.match(verify.stdout, /VERIFIED/);

    const out = join(folder.path, 'report');
    const report = await runCli(['report', output, '-d', out, '--format', 'html']);
    assert.equal(report.code, 3, report.stderr);
    const html = await readFile(join(out, (await readdir(out)).find((name) => name.endsWith('.html')) ?? 'none'), 'utf8');
    assert.match(html, /<dt>Accounts missing\/extra<\/dt><dd>[^<]*missing \(collected by no shard, not in this report\) 999999999999; extra \(not listed by every shard\) 888888888888/);
  });

  test('verify refuses an index that lost an account or holds one twice, naming it', async () => {
    const merged = await readIndex(join(shards, 'org-index.json'));
    const twice = { ...merged, accounts: [...merged.accounts, merged.accounts[1] as OrgIndexAccount] };
    const twicePath = join(shards, 'twice.json');
    await writeFile(twicePath, renderOrgIndex(twice));
    const run = await runCli(['verify', twicePath]);
    assert.equal(run.code, 1, run.stdout);
    assert.match(run.stdout, /FAIL {2}accounts: account present twice: 222222222222/);
    assert.match(run.stdout, /NOT VERIFIED/);

    const shard = await readIndex(shardFile(2));
    const lost = { ...shard, accounts: shard.accounts.filter((account) => account.id !== PROD) };
    const lostPath = join(shards, 'lost.json');
    await writeFile(lostPath, renderOrgIndex(lost));
    const lostRun = await runCli(['verify', lostPath]);
    assert.equal(lostRun.code, 1, lostRun.stdout);
    assert.match(lostRun.stdout, /FAIL {2}accounts: missing from shard 2\/3 of the list of 7 accounts: 222222222222/);

    const intact = await runCli(['verify', shardFile(2)]);
    assert.equal(intact.code, 0, intact.stdout);
    assert.match(intact.stdout, /PASS {2}accounts: each account once, as the list of 7 accounts it was cut from/);
  });
});

describe('merge-index: shards of one list', () => {
  let folder: { path: string; cleanup: () => Promise<void> };
  let shards: string;
  const shardFile = (index: number): string => join(shards, `org-index-shard-${index}-of-2.json`);
  before(async () => {
    folder = await temporaryFolder('iam-audit-org-shards-');
    shards = join(folder.path, 'shards');
    await collectShard(orgScenario(), shards, '1/2');
    await collectShard(orgScenario(), shards, '2/2');
  });
  after(async () => folder.cleanup());

  test('a repeated shard and a missing shard are refused, each named: exit 2, nothing written', async () => {
    const repeated = await runCli(['merge-index', shardFile(1), shardFile(1), shardFile(2)]);
    assert.equal(repeated.code, 2, repeated.stderr);
    assert.match(repeated.stderr, /org-index-shard-1-of-2\.json: shard 1\/2 is also [^ ]*org-index-shard-1-of-2\.json \(a shard given twice\)/);
    const missing = await runCli(['merge-index', shardFile(2)]);
    assert.equal(missing.code, 2, missing.stderr);
    assert.match(missing.stderr, /shard 1 of 2 missing/);
    assert.equal((await readdir(shards)).includes('org-index.json'), false);
  });

  test('the merged index of failed and partial accounts exits 3, as collect --org does, and verifies', async () => {
    const run = await runCli(['merge-index', shardFile(1), shardFile(2)]);
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stdout, /7 accounts \(3 partial or failed\)/);
    const merged = await readIndex(join(shards, 'org-index.json'));
    assert.equal(merged.changedOrg, null);
    assert.deepEqual(merged.accountList, accountListOf(ORIGINAL));
    const verify = await runCli(['verify', join(shards, 'org-index.json')]);
    assert.equal(verify.code, 0, verify.stdout);
    assert.match(verify.stdout, /PASS {2}accounts: each account once, as the list of 7 accounts it was cut from/);
  });
});

describe('merge of hand-made shard indexes', () => {
  const entry = (id: string): OrgIndexAccount => ({
    id,
    name: id,
    status: 'complete',
    snapshot: `${id}/s.json`,
    sha256: 'a'.repeat(64),
    size: 1,
    capturedAt: '2026-11-20T10:00:00Z',
    users: 1,
    errors: [],
    startedAt: '2026-11-20T10:00:00Z',
    endedAt: '2026-11-20T10:00:00Z',
  });
  const shardIndex = (index: number, ids: readonly string[], accounts: readonly string[]): OrgIndex => ({
    kind: 'iam-audit-org-index',
    indexVersion: 2,
    tool: { name: 'iam-audit', version: 'test' },
    organizationId: ORG_ID,
    managementAccountId: MANAGEMENT,
    startedAt: '2026-11-20T10:00:00Z',
    endedAt: '2026-11-20T10:00:00Z',
    selection: { ou: null, accounts: null, roleName: 'r', shard: { index, count: 2 } },
    accountList: accountListOf(ids),
    changedOrg: null,
    skipped: [],
    accounts: accounts.map(entry),
  });

  test('an account present twice (the list changed under the shards) is refused, named with both shards; --allow-changed-org keeps one and records it', () => {
    // Shard 1 cut from [A, B, C, D] holds A, C; shard 2 cut from [B, C, D] holds C (slice 2 of the shorter list).
    const [a, b, c, d] = ['100000000001', '100000000002', '100000000003', '100000000004'] as const;
    const inputs = [
      { path: 's1.json', index: shardIndex(1, [a, b, c, d], [a, c]) },
      { path: 's2.json', index: shardIndex(2, [b, c, d], [c]) },
    ];
    assert.throws(() => mergeOrgIndexes(inputs), /account 100000000003 present twice: in shard 1\/2 \(s1\.json\) and shard 2\/2 \(s2\.json\)/);
    const merged = mergeOrgIndexes(inputs, { allowChangedOrg: true });
    assert.deepEqual(
      merged.accounts.map((account) => account.id),
      [a, c],
    );
    assert.deepEqual(merged.changedOrg?.duplicates, [c]);
    assert.deepEqual(merged.changedOrg?.missing, [b, d]);
    assert.deepEqual(merged.changedOrg?.extra, [a]);
    assert.deepEqual(indexCoverage(merged).failures, []);
  });

  test('a shard index that does not hold its slice of its own list is refused even with --allow-changed-org', () => {
    const [a, b] = ['100000000001', '100000000002'] as const;
    const inputs = [
      { path: 's1.json', index: shardIndex(1, [a, b], [a, b]) },
      { path: 's2.json', index: shardIndex(2, [a, b], []) },
    ];
    assert.throws(() => mergeOrgIndexes(inputs, { allowChangedOrg: true }), /shard 1\/2 \(s1\.json\): not in shard 1\/2 of the list of 2 accounts: 100000000002/);
  });

  test('a version 1 index is still read: verify notes that it records no list; merge refuses its shards', () => {
    const v2 = shardIndex(1, ['100000000001'], ['100000000001']);
    const { accountList: _list, changedOrg: _changed, ...rest } = v2;
    const v1 = parseOrgIndex(JSON.stringify({ ...rest, indexVersion: 1, selection: { ...rest.selection, shard: { index: 1, count: 1 } } }), 'old.json');
    assert.equal(v1.accountList, null);
    assert.deepEqual(indexCoverage(v1), { failures: [], notes: ['a version 1 index records no account list: which accounts it should hold cannot be checked'] });
    assert.throws(() => mergeOrgIndexes([{ path: 'old.json', index: v1 }]), /old\.json: a version 1 shard index records no account list/);
    // An old merge that holds an account twice (the defect of issue 24) no longer verifies.
    const doubled = { ...v1, accounts: [...v1.accounts, ...v1.accounts] };
    assert.deepEqual(indexCoverage(doubled).failures, ['account present twice: 100000000001']);
    assert.throws(() => parseOrgIndex(JSON.stringify({ ...rest, indexVersion: 2 }), 'new.json'), /new\.json: accountList: missing or not an object/);
  });
});

test('--verbose under --org logs each call, named with its account (Organizations calls too), never a credential', async () => {
  const endpoint = await startOrgEndpoint(orgScenario());
  const folder = await temporaryFolder('iam-audit-org-verbose-');
  try {
    const run = await collectOrg(endpoint, folder.path, ['--accounts', PROD, '--verbose']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /^\[call\] organizations \S*ListAccounts\S*: ok/m);
    assert.match(run.stderr, new RegExp(`^\\[call\\] ${PROD} \\S*ListUsers\\S*: ok`, 'm'));
    assert.doesNotMatch(run.stderr, /assumedSecretKeyDoNotLeak|assumedSessionTokenDoNotLeak/);
  } finally {
    await endpoint.close();
    await folder.cleanup();
  }
});
