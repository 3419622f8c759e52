/**
 * Issue #23 §1 against the local IAM endpoint: a credential report dated before its data, and a
 * live collection whose facts postdate its own capture time, end in a refusal or a collection
 * error, never in a snapshot (or a PASS) built on an instant after the capture.
 */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Snapshot } from '../src/snapshot/types.js';
import { runCli, temporaryFolder } from './support/cli.js';
import { ACCOUNT, baseScenario, collectEnvironment, collectFrom, USERS } from './support/collect-scenario.js';
import { credentialReportCsv, startIamEndpoint, type Scenario, type ScenarioUser } from './support/iam-endpoint.js';

/** alice signed in at 11:30, an hour and a half after IAM says it generated the report (10:00). */
const LATE_SIGN_IN = '2026-11-20T11:30:00Z';
const REPORT_TIME = '2026-11-20T10:00:00Z';

function reportDatedBeforeItsData(): Scenario {
  const users: ScenarioUser[] = USERS.map((user) => (user.name === 'alice' ? { ...user, passwordLastUsed: LATE_SIGN_IN } : user));
  return baseScenario({ users, credentialReport: { csv: credentialReportCsv({ accountId: ACCOUNT, users }), generatedAt: REPORT_TIME, pollsUntilReady: 0 } });
}

async function withEndpoint(scenario: Scenario, body: (url: string, folder: string) => Promise<void>): Promise<void> {
  const endpoint = await startIamEndpoint(scenario);
  const folder = await temporaryFolder();
  try {
    await body(endpoint.url, folder.path);
  } finally {
    await endpoint.close();
    await folder.cleanup();
  }
}

describe('collect: a credential report dated before its data (issue #23)', () => {
  test('--source credential-report: refused with the cell named, exit 2, no snapshot written', async () => {
    await withEndpoint(reportDatedBeforeItsData(), async (url, folder) => {
      const { run, snapshot } = await collectFrom(url, folder, ['--source', 'credential-report', '--quiet']);
      assert.equal(run.code, 2, run.stderr);
      assert.equal(snapshot, null);
      const lines = run.stderr.trim().split('\n');
      assert.equal(lines.length, 1, run.stderr);
      assert.match(
        lines[0] ?? '',
        /^iam-audit: could not get the credential report \(iam:GetCredentialReport\): InvalidCredentialReport: credential report \(GetCredentialReport\): line 3, column password_last_used: 2026-11-20T11:30:00Z is 1 h 30 min after the capture time 2026-11-20T10:00:00Z/,
      );
      assert.doesNotMatch(run.stderr, /\n\s+at /);
      assert.deepEqual(await readdir(folder), []);
    });
  });

  test('--source both: the report is a collection error (exit 3) and not used; the snapshot holds no report facts', async () => {
    await withEndpoint(reportDatedBeforeItsData(), async (url, folder) => {
      const { run, snapshot } = await collectFrom(url, folder, ['--quiet']);
      assert.equal(run.code, 3, run.stderr);
      assert.ok(snapshot);
      assert.deepEqual(
        snapshot.collectionErrors.map((error) => [error.api, error.code]),
        [['iam:GetCredentialReport', 'InvalidCredentialReport']],
      );
      assert.match(snapshot.collectionErrors[0]?.message ?? '', /2026-11-20T11:30:00Z is 1 h 30 min after the capture time 2026-11-20T10:00:00Z/);
      assert.equal(snapshot.credentialReport, null);
      const alice = snapshot.users.find((user) => user.name === 'alice');
      assert.equal(alice?.password.lastChanged.known, false);
    });
  });

  test('audit --source credential-report: refused before any report file, exit 2, and never a PASS', async () => {
    await withEndpoint(reportDatedBeforeItsData(), async (url, folder) => {
      const out = join(folder, 'out');
      const run = await runCli(['audit', '--endpoint-url', url, '--source', 'credential-report', '-d', out, '--format', 'json', '--quiet'], { env: collectEnvironment(), cwd: folder });
      assert.equal(run.code, 2, run.stderr);
      assert.doesNotMatch(run.stdout, /PASS/);
      assert.match(run.stderr, /2026-11-20T11:30:00Z is 1 h 30 min after the capture time/);
      assert.deepEqual(await readdir(folder), []);
    });
  });
});

describe('collect: live facts later than the collection (issue #23)', () => {
  test('the snapshot collect assembles is validated before writing: a last use after its capture time is refused, exit 2, nothing written', async () => {
    const users: ScenarioUser[] = USERS.map((user) => (user.name === 'alice' ? { ...user, passwordLastUsed: '2026-11-21T00:00:00Z' } : user));
    await withEndpoint(baseScenario({ users, credentialReport: null }), async (url, folder) => {
      const { run, snapshot } = await collectFrom(url, folder, ['--source', 'api', '--quiet']);
      assert.equal(run.code, 2, run.stderr);
      assert.equal(snapshot, null);
      assert.match(run.stderr.trim(), /^iam-audit: .*snapshot\.json: .*at \/users\/0\/password\/lastUsed\/value: 2026-11-21T00:00:00Z \(password last use\) is 12 h 0 min after the capture time 2026-11-20T12:00:00Z/);
      assert.deepEqual(await readdir(folder), []);
    });
  });

  test('--clock-skew widens the tolerance: the same collection within it is written', async () => {
    const users: ScenarioUser[] = USERS.map((user) => (user.name === 'alice' ? { ...user, passwordLastUsed: '2026-11-20T12:10:00Z' } : user));
    await withEndpoint(baseScenario({ users, credentialReport: null }), async (url, folder) => {
      const refused = await collectFrom(url, folder, ['--source', 'api', '--quiet']);
      assert.equal(refused.run.code, 2, refused.run.stderr);
      assert.match(refused.run.stderr, /clock-skew tolerance 5 min/);
      const { run, snapshot } = await collectFrom(url, folder, ['--source', 'api', '--quiet', '--clock-skew', '900']);
      assert.equal(run.code, 0, run.stderr);
      assert.equal((snapshot as Snapshot).capturedAt, '2026-11-20T12:00:00Z');
    });
  });
});
