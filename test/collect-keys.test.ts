/** Issue 23 §4: one credential-report slot per key, one finding id per result. */
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { assertUniqueFindingIds, runCatalogue } from '../src/analyze/engine.js';
import type { RuleResult } from '../src/analyze/result.js';
import { matchReportSlots } from '../src/collect/key-usage.js';
import { accessKeyRotation } from '../src/rules/access-key-rotation.js';
import { defineRule } from '../src/rules/rule.js';
import { daysAgo, key, snapshotWith, user } from '../src/rules/testing.js';
import { rootHardwareMfa } from '../src/rules/root-hardware-mfa.js';
import { absent, known, type AccessKeyFacts, type Snapshot } from '../src/snapshot/types.js';
import { InternalConsistencyError } from '../src/util/errors.js';
import { validateSnapshot } from '../src/snapshot/validate.js';
import { temporaryFolder } from './support/cli.js';
import { ACCOUNT, baseScenario, collectFrom, USERS } from './support/collect-scenario.js';
import { credentialReportCsv, startIamEndpoint, type ScenarioUser } from './support/iam-endpoint.js';
import { reportInProcess } from './support/report-in-process.js';
import { flatReportResults } from './support/report-json.js';

const slotKey = (slot: 1 | 2, createdAt: string, lastUsed: string | null): AccessKeyFacts => ({
  slot,
  id: absent('not_collected'),
  active: true,
  createdAt: known(createdAt),
  lastUsed: lastUsed === null ? absent('not_applicable') : known(lastUsed),
  lastUsedRegion: lastUsed === null ? absent('not_applicable') : known('eu-west-1'),
  lastUsedService: lastUsed === null ? absent('not_applicable') : known('s3'),
});

describe('matching live keys to credential-report slots', () => {
  test('keys created in different seconds take the slot of their own second, one each', () => {
    const slots = [slotKey(1, '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z'), slotKey(2, '2026-01-05T00:00:00Z', null)];
    // The API lists the newer key first: the match follows the dates, not the order.
    const matched = matchReportSlots([{ createdAt: '2026-01-05T00:00:00.000Z' }, { createdAt: '2026-01-01T00:00:00.000Z' }], slots);
    assert.deepEqual([...matched.entries()].map(([index, slot]) => [index, slot.slot]).sort(), [
      [0, 2],
      [1, 1],
    ]);
  });

  test('two keys created in the same second match no slot (both are read by key id instead)', () => {
    const slots = [slotKey(1, '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z'), slotKey(2, '2026-01-01T00:00:00Z', null)];
    const matched = matchReportSlots([{ createdAt: '2026-01-01T00:00:00.000Z' }, { createdAt: '2026-01-01T00:00:00.000Z' }], slots);
    assert.equal(matched.size, 0);
  });

  test('a slot is never given to two keys, and a key never takes one of two slots dated alike', () => {
    const oneSlot = matchReportSlots([{ createdAt: '2026-01-01T00:00:00.000Z' }, { createdAt: '2026-01-01T00:00:00.500Z' }], [slotKey(1, '2026-01-01T00:00:00Z', null)]);
    assert.equal(oneSlot.size, 0);
    const twoSlots = matchReportSlots([{ createdAt: '2026-01-01T00:00:00.000Z' }], [slotKey(1, '2026-01-01T00:00:00Z', null), slotKey(2, '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z')]);
    assert.equal(twoSlots.size, 0);
    const noDate = matchReportSlots([{ createdAt: null }], [slotKey(1, '2026-01-01T00:00:00Z', null)]);
    assert.equal(noDate.size, 0);
  });
});

describe('one finding id per result', () => {
  const twice = defineRule({
    id: 'names-bob-twice',
    title: 'a rule with a bug: two findings on one resource',
    severity: 'low',
    rationale: 'test',
    remediation: { console: [], cli: '' },
    requires: ['users'],
    defaultOptions: {},
    judgeUser(facts) {
      const resource = { type: 'user', arn: facts.arn, name: facts.name } as const;
      return [
        { resource, verdict: 'pass', facts: { which: 'first' }, reason: null },
        { resource, verdict: 'fail', facts: { which: 'second' }, reason: null },
      ] as const;
    },
    describe: (facts: { readonly which: string }) => facts.which,
    tests: [],
  });

  test('a run that would give two results one finding id stops with an internal-consistency error', () => {
    const snapshot = snapshotWith({ users: [user('bob')] });
    assert.throws(
      () => runCatalogue({ snapshot, now: Date.parse(snapshot.capturedAt), rules: [twice], frameworks: [] }),
      (error: unknown) =>
        error instanceof InternalConsistencyError &&
        /^internal consistency: two results have the finding id names-bob-twice\/[0-9a-f]{16}: bob \(arn:aws:iam::123456789012:user\/bob, pass\) and bob \(arn:aws:iam::123456789012:user\/bob, fail\)$/.test(error.message),
    );
  });

  test('assertUniqueFindingIds passes distinct ids and names both results of a repeated one', () => {
    const result = (findingId: string, resourceName: string): RuleResult =>
      ({ findingId, ruleId: 'r', severity: 'low', resourceType: 'user', resourceArn: `arn:${resourceName}`, resourceName, status: 'pass', evidence: '', reason: null, exception: null, expiredException: null }) as RuleResult;
    assert.doesNotThrow(() => assertUniqueFindingIds([result('r/1', 'a'), result('r/2', 'b')]));
    assert.throws(() => assertUniqueFindingIds([result('r/1', 'a'), result('r/2', 'b'), result('r/1', 'c')]), /finding id r\/1: a \(arn:a, pass\) and c \(arn:c, pass\)/);
  });

  test('an incomplete population on the account ARN joins the root finding (root and account share an ARN): one result, never clean', () => {
    const base = snapshotWith({
      users: [user('bob')],
      accountFacts: { summary: known({ AccountMFAEnabled: 1 }), virtualMfaDevices: known([{ serialNumber: `arn:aws:iam::123456789012:mfa/bob`, assignedTo: 'arn:aws:iam::123456789012:user/bob' }]) },
    });
    const snapshot: Snapshot = {
      ...base,
      populations: { ...base.populations, virtualMfaDevices: { state: 'incomplete', expected: 3, expectedSource: 'iam:GetAccountSummary', collected: 1, reason: 'ListVirtualMFADevices stopped early' } },
    };
    const results = runCatalogue({ snapshot, now: Date.parse(snapshot.capturedAt), rules: [rootHardwareMfa], frameworks: [] }).results;
    assert.equal(results.length, 1, JSON.stringify(results));
    const [only] = results;
    // Without the incomplete list this root passes (an MFA device, none virtual): now it cannot.
    assert.equal(only?.status, 'not_evaluated');
    assert.equal(only?.resourceName, '<root_account>');
    assert.match(only?.reason ?? '', /the list of virtual MFA devices is incomplete/);
  });

  test('a key known by its id is named by its id even with a report slot; a rotated key gets a new id', () => {
    const older = snapshotWith({ source: 'aws-api', users: [user('bob', { keys: [key({ created: daysAgo(200), slot: 1, id: 'AKIAOLDKEY0000000001' })] })] });
    const newer = snapshotWith({ source: 'aws-api', users: [user('bob', { keys: [key({ created: daysAgo(1), slot: 1, id: 'AKIANEWKEY0000000002' })] })] });
    const rotation = (snapshot: Snapshot): RuleResult | undefined =>
      runCatalogue({ snapshot, now: Date.parse(snapshot.capturedAt), rules: [accessKeyRotation], frameworks: [] }).results.find((item) => item.resourceType === 'access-key');
    const before = rotation(older);
    const after = rotation(newer);
    assert.equal(before?.resourceName, 'bob#AKIAOLDKEY0000000001');
    assert.equal(after?.resourceName, 'bob#AKIANEWKEY0000000002');
    assert.notEqual(before?.findingId, after?.findingId);
  });
});

describe('a snapshot with two keys under one name is refused on reading', () => {
  test('the same key id twice in one user, or two id-less keys in one slot: the second is named', () => {
    const sameId = snapshotWith({ source: 'aws-api', users: [user('bob', { keys: [key({ created: daysAgo(3), id: 'AKIASAME000000000001' }), key({ created: daysAgo(2), id: 'AKIASAME000000000001' })] })] });
    assert.deepEqual(validateSnapshot(JSON.parse(JSON.stringify(sameId))), {
      valid: false,
      problem: 'at /users/0/accessKeys/value/1/id/value: key id "AKIASAME000000000001" is already at /users/0/accessKeys/value/0; each key of a principal needs its own id or slot',
    });
    const sameSlot = snapshotWith({ users: [user('bob', { keys: [key({ created: daysAgo(3), slot: 1 }), key({ created: daysAgo(2), slot: 1 })] })] });
    assert.equal(validateSnapshot(JSON.parse(JSON.stringify(sameSlot))).valid, false);
    // Known ids in one slot (what the collector wrote before issue 23) stay readable: the ids tell them apart.
    const slotsWithIds = snapshotWith({ source: 'aws-api', users: [user('bob', { keys: [key({ created: daysAgo(3), slot: 1, id: 'AKIAONE0000000000001' }), key({ created: daysAgo(2), slot: 1, id: 'AKIATWO0000000000002' })] })] });
    assert.equal(validateSnapshot(JSON.parse(JSON.stringify(slotsWithIds))).valid, true);
  });
});

describe('collect: two keys of one user created in the same second (local IAM endpoint)', () => {
  const hank: ScenarioUser = {
    name: 'hank',
    loginProfile: { createdAt: '2025-02-01T00:00:00Z', passwordResetRequired: false },
    passwordLastUsed: '2026-11-10T09:00:00Z',
    accessKeys: [
      { id: 'AKIAHANK000000000001', status: 'Active', createdAt: '2026-03-01T10:00:00Z', lastUsed: { date: '2026-11-15T12:00:00Z', region: 'eu-west-1', service: 's3' } },
      { id: 'AKIAHANK000000000002', status: 'Active', createdAt: '2026-03-01T10:00:00Z' },
    ],
  };
  const users = [...USERS, hank];

  interface JsonResult {
    readonly rule_id: string;
    readonly status: string;
    readonly finding_id: string;
    readonly resource_name: string;
    readonly evidence: string;
  }

  async function collectAndReport(source: 'api' | 'both'): Promise<{ snapshot: Snapshot; results: JsonResult[] }> {
    const scenario = baseScenario({
      users,
      summary: { Users: users.length, AccountMFAEnabled: 1, AccountAccessKeysPresent: 0, AccountPasswordPresent: 1, MFADevicesInUse: 3 },
      credentialReport: { csv: credentialReportCsv({ accountId: ACCOUNT, users }), generatedAt: '2026-11-20T10:00:00Z', pollsUntilReady: 1 },
    });
    const endpoint = await startIamEndpoint(scenario);
    const folder = await temporaryFolder();
    try {
      const { run, snapshot } = await collectFrom(endpoint.url, folder.path, ['--quiet', '--source', source]);
      assert.equal(run.code, 0, run.stderr);
      assert.ok(snapshot);
      const out = join(folder.path, 'out');
      await mkdir(out);
      const report = await reportInProcess(join(folder.path, 'snapshot.json'), out);
      const jsonFile = (await readdir(out)).find((name) => name.endsWith('.json'));
      assert.ok(jsonFile, report.stderr);
      const results: JsonResult[] = flatReportResults(JSON.parse(await readFile(join(out, jsonFile), 'utf8')));
      return { snapshot, results };
    } finally {
      await endpoint.close();
      await folder.cleanup();
    }
  }

  for (const source of ['both', 'api'] as const) {
    test(`--source ${source}: "every active key has been used" fails for hank, and each key has its own finding id`, async () => {
      const { snapshot, results } = await collectAndReport(source);
      const keys = snapshot.users.find((facts) => facts.name === 'hank')?.accessKeys;
      assert.ok(keys?.known);
      const byId = new Map(keys.value.map((facts) => [facts.id.known ? facts.id.value : '', facts]));
      assert.deepEqual(byId.get('AKIAHANK000000000001')?.lastUsed, known('2026-11-15T12:00:00Z'));
      assert.deepEqual(byId.get('AKIAHANK000000000002')?.lastUsed, absent('not_applicable'));
      // Neither key can be told to be slot 1 or 2 from the report: no slot is claimed.
      assert.deepEqual(
        keys.value.map((facts) => facts.slot),
        [null, null],
      );

      const initialSetup = results.find((result) => result.rule_id === 'access-keys-at-initial-setup' && result.resource_name === 'hank');
      assert.equal(initialSetup?.status, 'fail', JSON.stringify(initialSetup));
      assert.match(initialSetup?.evidence ?? '', /never used .*AKIAHANK000000000002/);

      const rotation = results.filter((result) => result.rule_id === 'access-key-rotation' && result.resource_name.startsWith('hank#'));
      assert.deepEqual(rotation.map((result) => result.resource_name).sort(), ['hank#AKIAHANK000000000001', 'hank#AKIAHANK000000000002']);
      const unused = results.filter((result) => result.rule_id === 'unused-credentials' && result.resource_name.startsWith('hank#'));
      assert.equal(unused.length, 2);
      assert.notEqual(rotation[0]?.finding_id, rotation[1]?.finding_id);
      assert.notEqual(unused[0]?.finding_id, unused[1]?.finding_id);
      assert.equal(new Set(results.map((result) => result.finding_id)).size, results.length);
    });
  }
});
