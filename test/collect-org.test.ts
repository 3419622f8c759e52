import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { parseOrgIndex, type OrgIndex } from '../src/snapshot/org-index.js';
import { parseShard, shardSlice } from '../src/collect/org/selection.js';
import { orgProgressLine } from '../src/collect/org/run.js';
import type { Snapshot } from '../src/snapshot/types.js';
import { runCli, temporaryFolder, type CliRun } from './support/cli.js';
import { collectEnvironment, leakedSecrets } from './support/collect-scenario.js';
import { assumedKeyFor, startOrgEndpoint, type OrgEndpoint } from './support/org-endpoint.js';
import { DENIED, DEV, MANAGEMENT, ORG_ID, OU_DEV, orgScenario, PARTIAL, PROD, SANDBOX, SUSPENDED, THROTTLED } from './support/org-scenario.js';

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

async function collectOrg(endpoint: OrgEndpoint, dir: string, args: readonly string[] = []): Promise<CliRun> {
  return runCli(['collect', '--org', '--endpoint-url', endpoint.url, '-d', dir, '--max-attempts', '3', ...args], { env: collectEnvironment(), cwd: tmpdir() });
}

async function readIndex(path: string): Promise<OrgIndex> {
  return parseOrgIndex(await readFile(path, 'utf8'), path);
}

/** The index without its times: what shards merged must share with one run. */
function timeless(index: OrgIndex): unknown {
  return { ...index, startedAt: null, endedAt: null, accounts: index.accounts.map((account) => ({ ...account, startedAt: null, endedAt: null })) };
}

describe('collect --org across the organisation', () => {
  let endpoint: OrgEndpoint;
  let folder: { path: string; cleanup: () => Promise<void> };
  let run: CliRun;
  let index: OrgIndex;

  before(async () => {
    endpoint = await startOrgEndpoint(orgScenario());
    folder = await temporaryFolder();
    run = await collectOrg(endpoint, folder.path);
    index = await readIndex(join(folder.path, 'org-index.json'));
  });
  after(async () => {
    await endpoint.close();
    await folder.cleanup();
  });

  test('exits 3 (some accounts failed or partial) and says which', () => {
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stdout, /Organisation o-exampleorg1: 7 accounts collected: 4 complete, 1 partial, 2 failed; 1 skipped/);
    assert.match(run.stdout, /FAILED 444444444444 Denied: could not assume arn:aws:iam::444444444444:role\/OrganizationAccountAccessRole: AccessDenied/);
    assert.match(run.stdout, /skipped 666666666666 Suspended \(SUSPENDED\)/);
    // Not a terminal: no progress line.
    assert.doesNotMatch(run.stderr, /collecting organisation/);
  });

  test('the index lists every active account with its status, snapshot and reason; suspended ones skipped', () => {
    assert.equal(index.organizationId, ORG_ID);
    assert.equal(index.managementAccountId, MANAGEMENT);
    assert.deepEqual(index.skipped, [{ id: SUSPENDED, name: 'Suspended', state: 'SUSPENDED' }]);
    assert.deepEqual(
      index.accounts.map((account) => [account.id, account.status]),
      [
        [MANAGEMENT, 'complete'],
        [PROD, 'complete'],
        [DEV, 'complete'],
        [DENIED, 'failed'],
        [THROTTLED, 'failed'],
        [PARTIAL, 'partial'],
        [SANDBOX, 'complete'],
      ],
    );
    const byId = new Map(index.accounts.map((account) => [account.id, account]));
    assert.match(byId.get(THROTTLED)?.errors[0] ?? '', /Throttling: Rate exceeded \(throttled out: gave up after --max-attempts 3\)/);
    assert.equal(byId.get(DENIED)?.snapshot, null);
    assert.match(byId.get(PARTIAL)?.errors.join('\n') ?? '', /iam:ListMFADevices AccessDenied/);
    assert.equal(byId.get(PROD)?.users, 7);
    assert.equal(index.selection.roleName, 'OrganizationAccountAccessRole');
  });

  test('each snapshot lies under <dir>/<account>/, is that account, and has the SHA-256 the index names', async () => {
    for (const account of index.accounts.filter((entry) => entry.snapshot !== null)) {
      assert.match(account.snapshot ?? '', new RegExp(`^${account.id}/snapshot-${account.id}-2026-11-20T12-00-00Z\\.json$`));
      const bytes = await readFile(join(folder.path, account.snapshot ?? ''));
      assert.equal(sha256(bytes), account.sha256);
      assert.equal(bytes.length, account.size);
      const snapshot = JSON.parse(bytes.toString('utf8')) as Snapshot;
      assert.equal(snapshot.account.id, account.id);
      assert.equal(snapshot.users.length, account.users);
    }
    assert.deepEqual((await readdir(folder.path)).sort(), [MANAGEMENT, PROD, DEV, PARTIAL, SANDBOX, 'org-index.json'].sort());
  });

  test('lists the accounts page by page, assumes the role in each account, and signs each account\'s calls with its own credentials', () => {
    const pages = endpoint.requests.filter((request) => request.action === 'ListAccounts');
    assert.deepEqual(
      pages.map((request) => request.params['NextToken'] ?? null),
      [null, 't3', 't6'],
    );
    assert.equal(endpoint.count('AssumeRole', MANAGEMENT), 7 + 1 + 2, 'one per account, the throttled-once account twice, the always-throttled one three times');
    for (const account of [PROD, DEV, PARTIAL, SANDBOX]) assert.ok(endpoint.count('ListUsers', account) >= 1, `ListUsers in ${account}`);
    assert.equal(endpoint.count('ListUsers', DENIED), 0);
    // Each account's calls were signed with that account's assumed credentials, never the caller's own
    // (which the endpoint would route to the management account).
    for (const account of [MANAGEMENT, PROD, DEV, PARTIAL, SANDBOX]) {
      const requests = endpoint.accountEndpoints.get(account)?.requests ?? [];
      assert.ok(requests.length > 0, account);
      assert.deepEqual([...new Set(requests.map((request) => request.signedWith))], [assumedKeyFor(account)], account);
    }
  });

  test('no secret reaches the output, the index or the snapshots', async () => {
    const texts = [run.stdout, run.stderr, await readFile(join(folder.path, 'org-index.json'), 'utf8')];
    for (const account of index.accounts) if (account.snapshot !== null) texts.push(await readFile(join(folder.path, account.snapshot), 'utf8'));
    assert.deepEqual(leakedSecrets(...texts), []);
  });

  test('an index already there is not overwritten: exit 2, nothing changed', async () => {
    const before = await readFile(join(folder.path, 'org-index.json'), 'utf8');
    const again = await collectOrg(endpoint, folder.path);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /org-index\.json already exists/);
    assert.equal(await readFile(join(folder.path, 'org-index.json'), 'utf8'), before);
  });
});

describe('collect --org narrowed', () => {
  let endpoint: OrgEndpoint;
  let folder: { path: string; cleanup: () => Promise<void> };
  before(async () => {
    endpoint = await startOrgEndpoint(orgScenario());
    folder = await temporaryFolder();
  });
  after(async () => {
    await endpoint.close();
    await folder.cleanup();
  });

  test('--ou takes the OU and every OU below it', async () => {
    const dir = join(folder.path, 'ou');
    const run = await collectOrg(endpoint, dir, ['--ou', OU_DEV]);
    assert.equal(run.code, 3, run.stderr);
    const index = await readIndex(join(dir, 'org-index.json'));
    assert.deepEqual(
      index.accounts.map((account) => account.id),
      [DEV, THROTTLED],
    );
    assert.deepEqual(
      index.skipped.map((account) => account.id),
      [SUSPENDED],
    );
    assert.equal(index.selection.ou, OU_DEV);
    assert.ok(endpoint.count('ListChildren') >= 2);
    assert.equal(endpoint.count('ListAccounts'), 0);
  });

  test('--accounts FILE (comments, commas) and --gzip: .json.gz snapshots whose SHA-256 the index names', async () => {
    const list = join(folder.path, 'accounts.txt');
    await writeFile(list, `# the two we care about\n${PROD}, ${SANDBOX}\n\n`);
    const dir = join(folder.path, 'list');
    const run = await collectOrg(endpoint, dir, ['--accounts', list, '--gzip']);
    assert.equal(run.code, 0, run.stderr);
    const index = await readIndex(join(dir, 'org-index.json'));
    assert.deepEqual(index.selection.accounts, [PROD, SANDBOX]);
    assert.deepEqual(
      index.accounts.map((account) => [account.id, account.status]),
      [
        [PROD, 'complete'],
        [SANDBOX, 'complete'],
      ],
    );
    for (const account of index.accounts) {
      assert.match(account.snapshot ?? '', /\.json\.gz$/);
      const bytes = await readFile(join(dir, account.snapshot ?? ''));
      assert.equal(sha256(bytes), account.sha256);
      assert.equal((JSON.parse(gunzipSync(bytes).toString('utf8')) as Snapshot).account.id, account.id);
    }
  });
});

describe('collect --org --shard I/N and merge-index', () => {
  let folder: { path: string; cleanup: () => Promise<void> };
  before(async () => {
    folder = await temporaryFolder();
  });
  after(async () => folder.cleanup());

  test('slices are disjoint, cover the list, and depend only on it', () => {
    const accounts = ['5', '3', '1', '4', '2', '6', '7'].map((id) => ({ id }));
    const slices = [1, 2, 3].map((index) => shardSlice(accounts, { index, count: 3 }).map((account) => account.id));
    assert.deepEqual(slices, [
      ['1', '4', '7'],
      ['2', '5'],
      ['3', '6'],
    ]);
    assert.deepEqual(parseShard('2/3'), { index: 2, count: 3 });
    assert.throws(() => parseShard('4/3'), /I must be from 1 to 3/);
    assert.throws(() => parseShard('0/3'), /I must be from 1 to 3/);
    assert.throws(() => parseShard('a/b'), /must be I\/N/);
  });

  test('shards 1/3, 2/3 and 3/3 merged give the index of one run, less its times', async () => {
    const whole = join(folder.path, 'whole');
    const shards = join(folder.path, 'shards');
    const endpoint = await startOrgEndpoint(orgScenario());
    try {
      assert.equal((await collectOrg(endpoint, whole)).code, 3);
    } finally {
      await endpoint.close();
    }
    for (const shard of ['1/3', '2/3', '3/3']) {
      // A fresh endpoint per shard, as separate jobs would meet AWS.
      const shardEndpoint = await startOrgEndpoint(orgScenario());
      try {
        const run = await collectOrg(shardEndpoint, shards, ['--shard', shard]);
        assert.ok(run.code === 0 || run.code === 3, run.stderr);
        assert.match(run.stdout, new RegExp(`shard ${shard}`));
      } finally {
        await shardEndpoint.close();
      }
    }
    const names = (await readdir(shards)).filter((name) => name.startsWith('org-index'));
    assert.deepEqual(names.sort(), ['org-index-shard-1-of-3.json', 'org-index-shard-2-of-3.json', 'org-index-shard-3-of-3.json']);
    const merge = await runCli(['merge-index', ...names.map((name) => join(shards, name))]);
    // Exit 3, as collect --org: the merged index holds failed and partial accounts (issue 24).
    assert.equal(merge.code, 3, merge.stderr);
    assert.match(merge.stdout, /Merged 3 shard indexes of o-exampleorg1: 7 accounts/);
    const merged = await readIndex(join(shards, 'org-index.json'));
    const one = await readIndex(join(whole, 'org-index.json'));
    assert.deepEqual(timeless(merged), timeless(one));
  });

  test('merge-index refuses a missing shard and a shard given twice (exit 2, nothing written)', async () => {
    const shards = join(folder.path, 'shards');
    const missing = await runCli(['merge-index', join(shards, 'org-index-shard-1-of-3.json'), join(shards, 'org-index-shard-2-of-3.json'), '-o', join(shards, 'partial.json')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /shard 3 of 3 missing/);
    const twice = await runCli(['merge-index', join(shards, 'org-index-shard-1-of-3.json'), join(shards, 'org-index-shard-1-of-3.json'), '-o', join(shards, 'twice.json')]);
    assert.equal(twice.code, 2);
    assert.match(twice.stderr, /shard 1\/3 is also/);
    assert.deepEqual(
      (await readdir(shards)).filter((name) => name === 'partial.json' || name === 'twice.json'),
      [],
    );
  });
});

test('the progress line shows accounts done/total and the users of the account in flight', () => {
  const inFlight = new Map([
    [PROD, { usersDone: 5, usersTotal: 7, listingComplete: true, calls: 20 }],
    [DEV, { usersDone: 0, usersTotal: 2, listingComplete: false, calls: 3 }],
  ]);
  assert.equal(
    orgProgressLine({ done: 3, failed: 1, partial: 0, total: 7, inFlight }, 12_000),
    `collecting organisation: accounts 3/7 (1 failed, 0 partial), ${PROD} users 5/7, +1 more in flight, 12s elapsed`,
  );
});

describe('collect --org: bad input is one line, exit 2, nothing written', () => {
  let folder: { path: string; cleanup: () => Promise<void> };
  before(async () => {
    folder = await temporaryFolder();
  });
  after(async () => folder.cleanup());

  const cases: readonly { name: string; scenario?: Parameters<typeof orgScenario>[0]; args: readonly string[]; message: RegExp }[] = [
    { name: 'no Organizations access', scenario: { organizationsAccess: 'denied' }, args: [], message: /no access to AWS Organizations .*AccessDeniedException.*management account or a delegated administrator/ },
    { name: 'not in an organisation', scenario: { organizationsAccess: 'not-in-organization' }, args: [], message: /the account is not in an organisation/ },
    { name: 'an OU that does not exist', args: ['--ou', 'ou-root-missing1'], message: /--ou ou-root-missing1: no such root or organisational unit in organisation o-exampleorg1/ },
    { name: 'an empty account list', args: ['--accounts', ' , '], message: /--accounts: the account list is empty/ },
    { name: 'an account outside the organisation', args: ['--accounts', `${PROD},999999999999`], message: /--accounts: 999999999999 is not an account of organisation o-exampleorg1/ },
    { name: 'a shard past the count', args: ['--shard', '4/3'], message: /--shard 4\/3: I must be from 1 to 3/ },
    { name: 'a bad account id', args: ['--accounts', '12345'], message: /"12345" is not a 12-digit AWS account id/ },
  ];
  for (const entry of cases) {
    test(entry.name, async () => {
      const endpoint = await startOrgEndpoint(orgScenario(entry.scenario ?? {}));
      const dir = join(folder.path, entry.name.replace(/\W+/g, '-'));
      try {
        const run = await collectOrg(endpoint, dir, entry.args);
        assert.equal(run.code, 2, run.stderr);
        assert.match(run.stderr, entry.message);
        assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
        await assert.rejects(readdir(dir), { code: 'ENOENT' });
        assert.equal(endpoint.count('AssumeRole'), 0);
      } finally {
        await endpoint.close();
      }
    });
  }

  test('an empty account list file names the file', async () => {
    const list = join(folder.path, 'empty.txt');
    await writeFile(list, '# nobody\n');
    const endpoint = await startOrgEndpoint(orgScenario());
    try {
      const run = await collectOrg(endpoint, join(folder.path, 'x'), ['--accounts', list]);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /empty\.txt: the account list is empty/);
    } finally {
      await endpoint.close();
    }
  });

  test('org flags without --org are refused', async () => {
    const run = await runCli(['collect', '--shard', '1/2'], { env: collectEnvironment(), cwd: folder.path });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--shard needs --org/);
  });
});
