/** Live collection defects found against an IAM emulator (issue 9 §4-5), each against the local endpoint. */
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Snapshot } from '../src/snapshot/types.js';
import { temporaryFolder } from './support/cli.js';
import { reportInProcess } from './support/report-in-process.js';
import { ACCOUNT, baseScenario, collectEnvironment, collectFrom, FAKE_SECRET_KEY, USERS } from './support/collect-scenario.js';
import { startIamEndpoint, type IamEndpoint, type Scenario } from './support/iam-endpoint.js';
import { flatReportResults } from './support/report-json.js';

async function withEndpoint(scenario: Scenario, check: (endpoint: IamEndpoint, folder: string) => Promise<void>): Promise<void> {
  const endpoint = await startIamEndpoint(scenario);
  const folder = await temporaryFolder();
  try {
    await check(endpoint, folder.path);
  } finally {
    await endpoint.close();
    await folder.cleanup();
  }
}

const stderrLines = (stderr: string): string[] => stderr.split('\n').filter((line) => line !== '');

describe('collect: live collection defects', () => {
  test('an existing -o target is refused before the first API call: exit 2, one line, file untouched', async () => {
    await withEndpoint(baseScenario(), async (endpoint, folder) => {
      const target = join(folder, 'snapshot.json');
      await writeFile(target, '{"precious":true}');
      const { run } = await collectFrom(endpoint.url, folder, ['--quiet']);
      assert.equal(run.code, 2);
      assert.deepEqual(stderrLines(run.stderr), [`iam-audit: ${target} already exists; refusing to overwrite it (use --overwrite, or another output path)`]);
      assert.equal(endpoint.requests.length, 0);
      assert.equal(await readFile(target, 'utf8'), '{"precious":true}');
    });
  });

  test('root MFA evidence names GetAccountSummary, the source that gave the value in a live snapshot', async () => {
    await withEndpoint(baseScenario(), async (endpoint, folder) => {
      const { run } = await collectFrom(endpoint.url, folder, ['--quiet']);
      assert.equal(run.code, 0, run.stderr);
      const out = join(folder, 'out');
      await mkdir(out);
      const report = await reportInProcess(join(folder, 'snapshot.json'), out);
      const jsonFile = (await readdir(out)).find((name) => name.endsWith('.json'));
      assert.ok(jsonFile, report.stderr);
      const json = await readFile(join(out, jsonFile), 'utf8');
      const results = flatReportResults(JSON.parse(json));
      const rootMfa = results.find((result) => result.rule_id === 'root-mfa');
      assert.ok(rootMfa, report.stderr);
      assert.equal(rootMfa.status, 'pass');
      assert.match(rootMfa.evidence, /GetAccountSummary AccountMFAEnabled true/);
      assert.doesNotMatch(rootMfa.evidence, /mfa_active/);
    });
  });

  test('a refused connection is named ECONNREFUSED, in one line', async () => {
    const endpoint = await startIamEndpoint(baseScenario());
    const url = endpoint.url;
    await endpoint.close();
    const folder = await temporaryFolder();
    try {
      const { run } = await collectFrom(url, folder.path, ['--quiet', '--max-attempts', '2']);
      assert.equal(run.code, 2);
      const lines = stderrLines(run.stderr);
      assert.equal(lines.length, 1, run.stderr);
      assert.match(lines[0]!, /^iam-audit: could not identify the caller \(sts:GetCallerIdentity\): ECONNREFUSED: /);
    } finally {
      await folder.cleanup();
    }
  });

  test('an endpoint that stops answering: the collection stops early with one line, exit 3, what it has is marked failed', async () => {
    const users = Array.from({ length: 60 }, (_, index) => ({ name: `user${index}` }));
    await withEndpoint(baseScenario({ users, summary: { Users: 60 }, credentialReport: null, stopAnsweringAfter: 12 }), async (endpoint, folder) => {
      const { run, snapshot } = await collectFrom(endpoint.url, folder, ['--source', 'api', '--quiet', '--max-attempts', '2']);
      assert.equal(run.code, 3, run.stderr);
      assert.ok(snapshot);
      const stopLines = stderrLines(run.stderr).filter((line) => /stopped answering/.test(line));
      assert.equal(stopLines.length, 1, run.stderr);
      assert.match(stopLines[0]!, /^iam-audit: the endpoint stopped answering \((ECONNREFUSED|ECONNRESET|EPIPE)/);
      // Far fewer calls than the 180 per-user calls the users would need, and a short console.
      assert.ok(snapshot.collection.apiCalls < 40, `${snapshot.collection.apiCalls} calls`);
      assert.ok(stderrLines(run.stderr).length < 20, run.stderr);
      const codes = new Set(snapshot.collectionErrors.map((error) => error.code));
      assert.ok(codes.has('EndpointUnreachable') || [...codes].some((code) => /^E[A-Z]+$/.test(code)), [...codes].join(', '));
      assert.ok(!codes.has('Error') && !codes.has('UnknownError'), [...codes].join(', '));
      assert.equal(snapshot.populations.users.state, 'incomplete');
      assert.equal(snapshot.populations.users.collected < 60, true);
    });
  });

  test('throttling on one API does not hold the only concurrency slot: other calls go between its attempts', async () => {
    const scenario = baseScenario({ faults: [{ action: 'ListMFADevices', userName: 'alice', kind: 'throttle', times: 2 }] });
    await withEndpoint(scenario, async (endpoint, folder) => {
      const { run, snapshot } = await collectFrom(endpoint.url, folder, ['--source', 'api', '--quiet', '--concurrency', '1'], { IAM_AUDIT_RETRY_BASE_MS: '20' });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(snapshot?.collection.retries, 2);
      const positions = endpoint.requests.flatMap((request, index) => (request.action === 'ListMFADevices' && request.params['UserName'] === 'alice' ? [index] : []));
      assert.equal(positions.length, 3);
      assert.ok(positions[2]! - positions[0]! > 2, `alice's attempts at ${positions.join(', ')}: nothing ran between them`);
    });
  });

  test('the call time limit counts time on the wire, not the backoff between attempts', async () => {
    // Two throttles with a 150 ms base (750 ms for throttling): at least 1.1 s of backoff, against a 1 s limit.
    const scenario = baseScenario({ faults: [{ action: 'GetAccountSummary', kind: 'throttle', times: 2 }] });
    await withEndpoint(scenario, async (endpoint, folder) => {
      const { run, snapshot } = await collectFrom(endpoint.url, folder, ['--source', 'api', '--quiet', '--call-timeout', '1'], { IAM_AUDIT_RETRY_BASE_MS: '150' });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(endpoint.count('GetAccountSummary'), 3);
      assert.equal(snapshot?.accountFacts.summary.known, true);
    });
  });

  test('--endpoint-url also serves the role assumption of a profile with role_arn + source_profile', async () => {
    await withEndpoint(baseScenario(), async (endpoint, folder) => {
      const config = join(folder, 'aws-config');
      const credentials = join(folder, 'aws-credentials');
      await writeFile(config, `[profile audit]\nrole_arn = arn:aws:iam::${ACCOUNT}:role/Audit\nsource_profile = base\nrole_session_name = from-profile\n`);
      await writeFile(credentials, `[base]\naws_access_key_id = AKIABASEPROFILEKEY01\naws_secret_access_key = ${FAKE_SECRET_KEY}\n`);
      const env = { AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: credentials, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_SESSION_TOKEN: '' };
      const { run, snapshotText } = await collectFrom(endpoint.url, folder, ['--profile', 'audit', '--source', 'api', '--quiet'], env);
      assert.equal(run.code, 0, run.stderr);
      const assume = endpoint.requests.filter((request) => request.action === 'AssumeRole');
      assert.equal(assume.length, 1);
      assert.equal(assume[0]!.signedWith, 'AKIABASEPROFILEKEY01');
      assert.equal(assume[0]!.params['RoleSessionName'], 'from-profile');
      assert.ok(endpoint.requests.filter((request) => request.action !== 'AssumeRole').every((request) => request.signedWith === 'ASIAASSUMEDROLEKEY01'));
      assert.ok(!snapshotText.includes('ASIAASSUMEDROLEKEY01') && !snapshotText.includes('AKIABASEPROFILEKEY01'));
    });
  });

  test('--profile nope: the profile does not exist, one line, exit 2', async () => {
    const folder = await temporaryFolder();
    try {
      const { run } = await collectFrom('http://127.0.0.1:9', folder.path, ['--profile', 'nope']);
      assert.equal(run.code, 2);
      assert.deepEqual(stderrLines(run.stderr), ['iam-audit: the AWS profile "nope" does not exist (not in /nonexistent/aws-config nor /nonexistent/aws-credentials)']);
    } finally {
      await folder.cleanup();
    }
  });

  test("the caller's access key id never lands in the snapshot, even when IAM echoes it in an error", async () => {
    const scenario = baseScenario({ faults: [{ action: 'GetAccountPasswordPolicy', kind: 'signature-mismatch' }] });
    await withEndpoint(scenario, async (endpoint, folder) => {
      const { run, snapshot, snapshotText } = await collectFrom(endpoint.url, folder, ['--quiet']);
      assert.equal(run.code, 3, run.stderr);
      assert.deepEqual(snapshot?.collectionErrors.map((error) => error.code), ['SignatureDoesNotMatch']);
      assert.equal(endpoint.requests.every((request) => request.signedWith === 'AKIAFAKETESTKEY00001'), true);
      assert.equal(snapshotText.includes('AKIAFAKETESTKEY00001'), false);
      assert.equal(run.stderr.includes('AKIAFAKETESTKEY00001'), false);
    });
  });
});

describe('collect: a stale credential report', () => {
  test('--source both: a report generated days before the collection is a collection error and a warning, and is not used', async () => {
    const scenario = baseScenario({ credentialReport: { ...baseScenario().credentialReport!, generatedAt: '2026-11-17T00:00:00Z' } });
    await withEndpoint(scenario, async (endpoint, folder) => {
      const { run, snapshot } = await collectFrom(endpoint.url, folder, ['--quiet']);
      assert.equal(run.code, 3, run.stderr);
      assert.ok(snapshot);
      assert.deepEqual(snapshot.collectionErrors.map((error) => [error.api, error.code]), [['iam:GetCredentialReport', 'StaleCredentialReport']]);
      assert.match(run.stderr, /warning: IAM returned a credential report generated at 2026-11-17T00:00:00Z, \d+ days before this collection began .*not used/);
      assert.equal(snapshot.credentialReport, null);
      // Its dates are not trusted: what only it has is failed, key usage comes from the live API.
      const alice = snapshot.users.find((user) => user.name === 'alice')!;
      assert.deepEqual(alice.password.lastChanged, { known: false, reason: 'collection_failed', detail: 'iam:GetCredentialReport: StaleCredentialReport' });
      assert.equal(endpoint.count('GetAccessKeyLastUsed'), 2);
    });
  });

  test('--source credential-report: kept as of its own time, but recorded and warned about (exit 3)', async () => {
    const scenario = baseScenario({ credentialReport: { ...baseScenario().credentialReport!, generatedAt: '2026-11-17T00:00:00Z' } });
    await withEndpoint(scenario, async (endpoint, folder) => {
      const { run, snapshot } = await collectFrom(endpoint.url, folder, ['--source', 'credential-report', '--quiet']);
      assert.equal(run.code, 3, run.stderr);
      assert.equal((snapshot as Snapshot).capturedAt, '2026-11-17T00:00:00Z');
      assert.deepEqual((snapshot as Snapshot).collectionErrors.map((error) => error.code), ['StaleCredentialReport']);
      assert.equal((snapshot as Snapshot).users.length, USERS.length);
    });
  });
});
