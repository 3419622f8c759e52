import assert from 'node:assert/strict';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Snapshot, UserFacts } from '../src/snapshot/types.js';
import { runCli, temporaryFolder } from './support/cli.js';
import { ACCOUNT, baseScenario, collectEnvironment, collectFrom, EXPECTED_MFA, leakedSecrets, mfaFindings, USERS } from './support/collect-scenario.js';
import { startIamEndpoint, type Scenario } from './support/iam-endpoint.js';

const user = (snapshot: Snapshot, name: string): UserFacts => {
  const found = snapshot.users.find((candidate) => candidate.name === name);
  assert.ok(found, `user ${name} in the snapshot`);
  return found;
};

/** Starts an endpoint for the scenario, collects with `args`, and cleans up. */
async function withCollection(
  scenario: Scenario,
  args: readonly string[],
  check: (collected: Awaited<ReturnType<typeof collectFrom>>, context: { folder: string; count: (action: string) => number }) => Promise<void> | void,
): Promise<void> {
  const endpoint = await startIamEndpoint(scenario);
  const folder = await temporaryFolder();
  try {
    const collected = await collectFrom(endpoint.url, folder.path, args);
    await check(collected, { folder: folder.path, count: (action) => endpoint.count(action) });
  } finally {
    await endpoint.close();
    await folder.cleanup();
  }
}

describe('collect under faults', () => {
  test('Throttling and a 500 are retried by the SDK and counted; the snapshot is complete', async () => {
    const scenario = baseScenario({
      faults: [
        { action: 'ListMFADevices', userName: 'alice', kind: 'throttle', times: 2 },
        { action: 'ListUsers', kind: 'throttle', times: 1 },
        { action: 'GetLoginProfile', userName: 'bob', kind: 'internal-error', times: 1 },
      ],
    });
    await withCollection(scenario, ['--quiet'], async ({ run, snapshot }, { folder, count }) => {
      assert.equal(run.code, 0, run.stderr);
      assert.ok(snapshot);
      assert.deepEqual(snapshot.collectionErrors, []);
      assert.equal(snapshot.collection.retries, 4);
      assert.equal(count('ListMFADevices'), USERS.length + 2);
      assert.deepEqual(user(snapshot, 'alice').mfa.active, { known: true, value: true });
      assert.deepEqual(user(snapshot, 'bob').password.resetRequired, { known: true, value: true });
      const out = join(folder, 'out');
      await mkdir(out);
      assert.deepEqual((await mfaFindings(join(folder, 'snapshot.json'), out)).statuses, EXPECTED_MFA);
    });
  });

  test('AccessDenied on ListMFADevices: partial snapshot, exit 3, missing permission named, MFA findings not evaluated', async () => {
    const scenario = baseScenario({ faults: [{ action: 'ListMFADevices', kind: 'access-denied' }] });
    await withCollection(scenario, [], async ({ run, snapshot, snapshotText }, { folder }) => {
      assert.equal(run.code, 3, run.stderr);
      assert.match(run.stderr, /Collection incomplete: 7 failures/);
      assert.match(run.stderr, /Missing permissions: grant iam:ListMFADevices \(the AWS managed SecurityAudit policy covers them all/);
      assert.match(run.stdout, /PARTIAL \(7 collection errors\)/);
      assert.ok(snapshot);
      assert.equal(snapshot.collectionErrors.length, USERS.length);
      assert.deepEqual(snapshot.collectionErrors[0], {
        api: 'iam:ListMFADevices',
        resource: `arn:aws:iam::${ACCOUNT}:user/alice`,
        code: 'AccessDenied',
        message: `User: arn:aws:iam::${ACCOUNT}:user/auditor is not authorized to perform: iam:ListMFADevices on resource: arn:aws:iam::${ACCOUNT}:user/alice`,
        affects: ['users[0].mfa.active', 'users[0].mfa.devices'],
      });
      // The failed facts say so; the credential report's stale mfa_active does not stand in for them.
      assert.deepEqual(user(snapshot, 'alice').mfa.active, { known: false, reason: 'collection_failed', detail: 'iam:ListMFADevices: AccessDenied' });
      // Everything else was collected.
      assert.deepEqual(user(snapshot, 'alice').password.enabled, { known: true, value: true });
      assert.equal(snapshot.accountFacts.managedPolicies.known, true);
      assert.deepEqual(leakedSecrets(snapshotText, run.stdout, run.stderr), []);

      const out = join(folder, 'out');
      await mkdir(out);
      const { statuses } = await mfaFindings(join(folder, 'snapshot.json'), out);
      // Console users cannot be judged without MFA data; users without a console password still are.
      assert.deepEqual(statuses, { alice: 'NOT_EVALUATED', bob: 'NOT_EVALUATED', dave: 'NOT_EVALUATED', erin: 'NOT_EVALUATED', carol: 'INFO', frank: 'INFO', grace: 'NOT_EVALUATED' });
    });
  });

  test('AccessDenied on ListUsers: no users is a recorded failure, never an empty clean list', async () => {
    const scenario = baseScenario({ faults: [{ action: 'ListUsers', kind: 'access-denied' }] });
    await withCollection(scenario, ['--quiet'], ({ run, snapshot }) => {
      assert.equal(run.code, 3, run.stderr);
      assert.match(run.stderr, /Missing permissions: grant iam:ListUsers/);
      assert.ok(snapshot);
      assert.deepEqual(snapshot.users, []);
      assert.deepEqual(
        snapshot.collectionErrors.map((error) => [error.api, error.code, error.affects]),
        [['iam:ListUsers', 'AccessDenied', ['users']]],
      );
    });
  });

  test('a 500 on every attempt: the call fails for good after the retries, the rest goes on', async () => {
    const scenario = baseScenario({ faults: [{ action: 'GetAccountPasswordPolicy', kind: 'internal-error' }] });
    await withCollection(scenario, ['--max-attempts', '3'], ({ run, snapshot }, { count }) => {
      assert.equal(run.code, 3, run.stderr);
      assert.ok(snapshot);
      assert.equal(count('GetAccountPasswordPolicy'), 3);
      assert.deepEqual(
        snapshot.collectionErrors.map((error) => [error.api, error.resource, error.code, error.affects]),
        [['iam:GetAccountPasswordPolicy', null, 'ServiceFailure', ['accountFacts.passwordPolicy']]],
      );
      // "failed" is not "no policy": the two must never be confused.
      assert.deepEqual(snapshot.accountFacts.passwordPolicy, { known: false, reason: 'collection_failed', detail: 'iam:GetAccountPasswordPolicy: ServiceFailure' });
      assert.doesNotMatch(run.stderr, /Missing permissions/);
      assert.equal(snapshot.users.length, USERS.length);
    });
  });

  test('a hung call hits the per-call time limit and is recorded; the collection finishes', async () => {
    const scenario = baseScenario({ faults: [{ action: 'GetAccountSummary', kind: 'hang' }] });
    await withCollection(scenario, ['--call-timeout', '1', '--quiet'], ({ run, snapshot }) => {
      assert.equal(run.code, 3, run.stderr);
      assert.ok(snapshot);
      assert.deepEqual(
        snapshot.collectionErrors.map((error) => [error.api, error.code]),
        [['iam:GetAccountSummary', 'CallTimeLimitExceeded']],
      );
      assert.equal(snapshot.accountFacts.summary.known, false);
      // Root MFA came from the summary, so it is unknown too (not "no MFA").
      assert.deepEqual(snapshot.root?.mfa.active, { known: false, reason: 'collection_failed', detail: 'iam:GetAccountSummary: CallTimeLimitExceeded' });
      assert.equal(snapshot.users.length, USERS.length);
    });
  });

  test('the run time limit stops a collection stuck on a call and still writes what was collected', async () => {
    const scenario = baseScenario({ faults: [{ action: 'GetAccountAuthorizationDetails', kind: 'hang' }] });
    await withCollection(scenario, ['--time-limit', '1.5', '--quiet'], ({ run, snapshot }) => {
      assert.equal(run.code, 3, run.stderr);
      assert.ok(snapshot);
      const codes = snapshot.collectionErrors.map((error) => `${error.api} ${error.code}`);
      assert.ok(codes.includes('iam:GetAccountAuthorizationDetails RunTimeLimitExceeded'), codes.join('; '));
      assert.equal(user(snapshot, 'alice').groups.known, false);
      assert.deepEqual(user(snapshot, 'alice').mfa.active, { known: true, value: true });
    });
  });

  test('a user deleted during the collection: NoSuchEntity recorded, its facts failed, not "no console password"', async () => {
    const users = USERS.map((entry) => (entry.name === 'erin' ? { ...entry, deletedAfterListing: true } : entry));
    await withCollection(baseScenario({ users }), ['--source', 'api', '--quiet'], async ({ run, snapshot }, { folder }) => {
      assert.equal(run.code, 3, run.stderr);
      assert.ok(snapshot);
      const erin = user(snapshot, 'erin');
      assert.equal(erin.password.enabled.known, false);
      assert.equal(erin.mfa.active.known, false);
      assert.equal(erin.accessKeys.known, false);
      const codes = snapshot.collectionErrors.map((error) => [error.resource, error.code]);
      assert.deepEqual(codes[0], [`arn:aws:iam::${ACCOUNT}:user/erin`, 'NoSuchEntity']);
      assert.match(snapshot.collectionErrors[0]!.message, /deleted during the collection/);
      const out = join(folder, 'out');
      await mkdir(out);
      assert.equal((await mfaFindings(join(folder, 'snapshot.json'), out)).statuses['erin'], 'NOT_EVALUATED');
    });
  });

  test('LimitExceeded on GenerateCredentialReport and ReportInProgress on GetCredentialReport mean "poll again"', async () => {
    const scenario = baseScenario({
      faults: [
        { action: 'GenerateCredentialReport', kind: 'limit-exceeded', times: 1 },
        { action: 'GetCredentialReport', kind: 'report-in-progress', times: 1 },
      ],
    });
    await withCollection(scenario, ['--quiet'], ({ run, snapshot }, { count }) => {
      assert.equal(run.code, 0, run.stderr);
      assert.ok(snapshot);
      assert.deepEqual(snapshot.collectionErrors, []);
      assert.equal(snapshot.credentialReport?.generatedAt, '2026-11-20T10:00:00Z');
      assert.equal(count('GetCredentialReport'), 2);
    });
  });

  test('a credential report that never becomes ready: recorded, usage dates fall back to GetAccessKeyLastUsed', async () => {
    const scenario = baseScenario({ credentialReport: { csv: '', generatedAt: '2026-11-20T10:00:00Z', pollsUntilReady: 1_000 } });
    await withCollection(scenario, ['--report-timeout', '0.5', '--quiet'], ({ run, snapshot }, { count }) => {
      assert.equal(run.code, 3, run.stderr);
      assert.ok(snapshot);
      assert.deepEqual(
        snapshot.collectionErrors.map((error) => [error.api, error.code]),
        [['iam:GenerateCredentialReport', 'CredentialReportTimeout']],
      );
      assert.equal(snapshot.credentialReport, null);
      // It polled again rather than giving up at once; how often fits in 0.5 s depends on the machine's load.
      assert.ok(count('GenerateCredentialReport') >= 2);
      assert.equal(count('GetAccessKeyLastUsed'), 2);
      assert.deepEqual(user(snapshot, 'alice').password.lastChanged, { known: false, reason: 'collection_failed', detail: 'iam:GenerateCredentialReport: CredentialReportTimeout' });
    });
  });
});

describe('collect: credentials', () => {
  test('--role-arn assumes the role with STS and signs the IAM calls with its keys; no secret leaks', async () => {
    const endpoint = await startIamEndpoint(baseScenario());
    const folder = await temporaryFolder();
    try {
      const { run, snapshotText } = await collectFrom(endpoint.url, folder.path, [
        '--role-arn',
        `arn:aws:iam::${ACCOUNT}:role/Audit`,
        '--external-id',
        'ext-123',
        '--verbose',
      ]);
      assert.equal(run.code, 0, run.stderr);
      const assume = endpoint.requests.filter((request) => request.action === 'AssumeRole');
      assert.equal(assume.length, 1);
      assert.equal(assume[0]!.params['ExternalId'], 'ext-123');
      assert.equal(assume[0]!.params['RoleSessionName'], 'iam-audit');
      assert.equal(assume[0]!.signedWith, 'AKIAFAKETESTKEY00001');
      const iamRequests = endpoint.requests.filter((request) => request.action !== 'AssumeRole');
      assert.ok(iamRequests.every((request) => request.signedWith === 'ASIAASSUMEDROLEKEY01'));
      assert.deepEqual(leakedSecrets(snapshotText, run.stdout, run.stderr), []);
    } finally {
      await endpoint.close();
      await folder.cleanup();
    }
  });

  test('no credentials at all: one clear line, exit 2, no snapshot', async () => {
    const folder = await temporaryFolder();
    try {
      const run = await runCli(['collect', '--endpoint-url', 'http://127.0.0.1:9', '-o', join(folder.path, 's.json')], {
        cwd: folder.path,
        env: collectEnvironment({ AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_SESSION_TOKEN: '', AWS_CONTAINER_CREDENTIALS_FULL_URI: '', AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '', AWS_WEB_IDENTITY_TOKEN_FILE: '' }),
      });
      assert.equal(run.code, 2);
      assert.match(run.stderr, /^iam-audit: no AWS credentials: /);
      assert.deepEqual(await readdir(folder.path), []);
    } finally {
      await folder.cleanup();
    }
  });
});
