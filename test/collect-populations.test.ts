/**
 * Completeness of the collected lists, end to end through the local IAM endpoint: a failed page or
 * a count that disagrees leaves the list incomplete, is a collection error, and `report` then
 * never passes a control over that list (issue 9 §1).
 */
import { USER_POPULATION_CONTROLS } from './support/population-controls.js';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { PopulationStatus, Snapshot } from '../src/snapshot/types.js';
import { temporaryFolder } from './support/cli.js';
import { reportInProcess } from './support/report-in-process.js';
import { ACCOUNT, accountOf, baseScenario, collectFrom, FOURTEEN, USERS } from './support/collect-scenario.js';
import { credentialReportCsv, startIamEndpoint, type Scenario, type ScenarioUser } from './support/iam-endpoint.js';

interface Collected {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly snapshot: Snapshot;
  readonly controls: ReadonlyMap<string, string>;
  readonly reportCode: number | null;
}

/** Collects the scenario and reports the snapshot as JSON: control statuses by "framework control". */
async function collectAndReport(scenario: Scenario, args: readonly string[]): Promise<Collected> {
  const endpoint = await startIamEndpoint(scenario);
  const folder = await temporaryFolder();
  try {
    const { run, snapshot } = await collectFrom(endpoint.url, folder.path, ['--quiet', '--max-attempts', '2', ...args]);
    assert.ok(snapshot, `a snapshot was written; stderr: ${run.stderr}`);
    const out = join(folder.path, 'out');
    await mkdir(out);
    const report = await reportInProcess(join(folder.path, 'snapshot.json'), out);
    const file = (await readdir(out)).find((name) => name.endsWith('.json'));
    assert.ok(file, report.stderr);
    const json = JSON.parse(await readFile(join(out, file), 'utf8')) as { frameworks: { id: string; controls: { control_id: string; status: string }[] }[] };
    const controls = new Map(json.frameworks.flatMap((framework) => framework.controls.map((control) => [`${framework.id} ${control.control_id}`, control.status] as const)));
    return { code: run.code, stdout: run.stdout, stderr: run.stderr, snapshot, controls, reportCode: report.code };
  } finally {
    await endpoint.close();
    await folder.cleanup();
  }
}

const stateOf = (population: PopulationStatus): unknown => ({ state: population.state, expected: population.expected, collected: population.collected });

describe('collect: populations', () => {
  test('a complete listing whose counts agree: users and MFA devices complete, and the user controls can pass', async () => {
    const clean = FOURTEEN.filter((user) => user.name !== 'mallory').slice(0, 3);
    const collected = await collectAndReport(accountOf(clean), ['--source', 'api']);
    assert.equal(collected.code, 0, collected.stderr);
    assert.deepEqual(stateOf(collected.snapshot.populations.users), { state: 'complete', expected: 3, collected: 3 });
    assert.deepEqual(stateOf(collected.snapshot.populations.mfaDevices), { state: 'complete', expected: 3, collected: 3 });
    assert.match(collected.stdout, /^ {2}IAM users: expected 3 \(iam:GetAccountSummary Users\), collected 3: complete$/m);
    // The same three users seen through a complete list pass: what the next test sees is the population.
    for (const [framework, control] of USER_POPULATION_CONTROLS) assert.equal(collected.controls.get(`${framework} ${control}`), 'pass', `${framework} ${control}`);
  });

  test('one ListUsers page fails (3 of 14 listed, an unlisted user holds two active keys): exit 3, and no user control passes', async () => {
    const scenario = accountOf(FOURTEEN, { faults: [{ action: 'ListUsers', page: 2, kind: 'internal-error' }] });
    const collected = await collectAndReport(scenario, ['--source', 'api']);
    assert.equal(collected.code, 3, collected.stderr);
    assert.deepEqual(collected.snapshot.users.map((user) => user.name), ['user00', 'user01', 'user02']);
    assert.deepEqual(stateOf(collected.snapshot.populations.users), { state: 'incomplete', expected: 14, collected: 3 });
    assert.match(collected.snapshot.populations.users.reason ?? '', /iam:ListUsers failed on a page \(ServiceFailure/);
    assert.equal(collected.snapshot.populations.mfaDevices.state, 'incomplete');
    assert.match(collected.stdout, /^ {2}IAM users: expected 14 \(iam:GetAccountSummary Users\), collected 3: INCOMPLETE \(iam:ListUsers failed on a page/m);
    for (const [framework, control] of USER_POPULATION_CONTROLS) assert.notEqual(collected.controls.get(`${framework} ${control}`), 'pass', `${framework} ${control}`);
  });

  test('GetAccountSummary counts more users than ListUsers gave: a PopulationMismatch error, users incomplete', async () => {
    const scenario = baseScenario({ summary: { Users: USERS.length + 2, AccountMFAEnabled: 1, AccountAccessKeysPresent: 0, AccountPasswordPresent: 1, MFADevicesInUse: 3 } });
    const collected = await collectAndReport(scenario, ['--source', 'api']);
    assert.equal(collected.code, 3, collected.stderr);
    assert.deepEqual(
      collected.snapshot.collectionErrors.map((error) => [error.api, error.code, error.message]),
      [['iam:GetAccountSummary', 'PopulationMismatch', `iam:GetAccountSummary Users says ${USERS.length + 2} users, ${USERS.length} were collected`]],
    );
    assert.deepEqual(stateOf(collected.snapshot.populations.users), { state: 'incomplete', expected: USERS.length + 2, collected: USERS.length });
    assert.equal(collected.snapshot.populations.mfaDevices.state, 'incomplete');
    assert.match(collected.stdout, /IAM users: expected 9 \(iam:GetAccountSummary Users\), collected 7: INCOMPLETE/);
  });

  test('MFADevicesInUse that disagrees with the devices listed: MFA devices incomplete, users complete', async () => {
    const scenario = baseScenario({ summary: { Users: USERS.length, AccountMFAEnabled: 1, AccountAccessKeysPresent: 0, AccountPasswordPresent: 1, MFADevicesInUse: 6 } });
    const collected = await collectAndReport(scenario, ['--source', 'api']);
    assert.equal(collected.code, 3, collected.stderr);
    assert.deepEqual(collected.snapshot.collectionErrors.map((error) => error.code), ['PopulationMismatch']);
    assert.deepEqual(stateOf(collected.snapshot.populations.users), { state: 'complete', expected: USERS.length, collected: USERS.length });
    assert.deepEqual(stateOf(collected.snapshot.populations.mfaDevices), { state: 'incomplete', expected: 6, collected: 4 });
    assert.notEqual(collected.controls.get('cis-5.0 1.9'), 'pass');
  });

  test('--source both: a user in the credential report that ListUsers did not give makes the list incomplete', async () => {
    const ghost: ScenarioUser = { name: 'ghost', loginProfile: { createdAt: '2025-02-01T00:00:00Z', passwordResetRequired: false } };
    const csv = credentialReportCsv({ accountId: ACCOUNT, users: [...USERS, ghost] });
    const scenario = baseScenario({ credentialReport: { csv, generatedAt: '2026-11-20T10:00:00Z', pollsUntilReady: 0 } });
    const collected = await collectAndReport(scenario, []);
    assert.equal(collected.code, 3, collected.stderr);
    assert.deepEqual(
      collected.snapshot.collectionErrors.map((error) => [error.api, error.code, error.message]),
      [['iam:GetCredentialReport', 'PopulationMismatch', `the credential report lists 1 user(s) that ListUsers did not: arn:aws:iam::${ACCOUNT}:user/ghost`]],
    );
    assert.deepEqual(stateOf(collected.snapshot.populations.users), { state: 'incomplete', expected: USERS.length + 1, collected: USERS.length });
  });

  test('the base account: every list complete, the counts stated', async () => {
    const collected = await collectAndReport(baseScenario(), []);
    assert.equal(collected.code, 0, collected.stderr);
    const states = Object.fromEntries(Object.entries(collected.snapshot.populations).map(([name, population]) => [name, population.state]));
    assert.deepEqual(states, { users: 'complete', mfaDevices: 'complete', managedPolicies: 'complete', groups: 'complete', roles: 'complete', virtualMfaDevices: 'complete', serverCertificates: 'complete' });
    assert.match(collected.stdout, /^ {2}MFA devices in use: expected 3 \(iam:GetAccountSummary MFADevicesInUse\), collected 3: complete$/m);
  });
});

describe('collect against a deliberately broken endpoint never yields a PASS over users it did not see', () => {
  const broken: readonly (readonly [string, Partial<Scenario>, readonly string[]])[] = [
    ['ListUsers page 2 denied', { faults: [{ action: 'ListUsers', page: 2, kind: 'access-denied' }] }, []],
    ['ListUsers page 3 hangs', { faults: [{ action: 'ListUsers', page: 3, kind: 'hang' }] }, ['--call-timeout', '1']],
    ['ListUsers page 2 throttled for good', { faults: [{ action: 'ListUsers', page: 2, kind: 'throttle' }] }, []],
    ['the endpoint stops answering during the listing', { stopAnsweringAfter: 4 }, []],
    ['GetAccountSummary fails and ListUsers page 4 fails', { faults: [{ action: 'GetAccountSummary', kind: 'internal-error' }, { action: 'ListUsers', page: 4, kind: 'internal-error' }] }, []],
  ];
  for (const [name, overrides, args] of broken) {
    test(name, async () => {
      const collected = await collectAndReport(accountOf(FOURTEEN, overrides), ['--source', 'api', ...args]);
      assert.equal(collected.code, 3, collected.stderr);
      assert.ok(!collected.snapshot.users.some((user) => user.name === 'mallory'), 'mallory was not seen');
      assert.equal(collected.snapshot.populations.users.state, 'incomplete');
      for (const [framework, control] of USER_POPULATION_CONTROLS) assert.notEqual(collected.controls.get(`${framework} ${control}`), 'pass', `${name}: ${framework} ${control}`);
    });
  }
});
