import assert from 'node:assert/strict';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Fact, Snapshot, UserFacts } from '../src/snapshot/types.js';
import { runCli, temporaryFolder } from './support/cli.js';
import { ACCOUNT, baseScenario, collectEnvironment, collectFrom, EXPECTED_MFA, leakedSecrets, mfaFindings, USERS } from './support/collect-scenario.js';
import { credentialReportCsv, startIamEndpoint, type IamEndpoint } from './support/iam-endpoint.js';

const user = (snapshot: Snapshot, name: string): UserFacts => {
  const found = snapshot.users.find((candidate) => candidate.name === name);
  assert.ok(found, `user ${name} in the snapshot`);
  return found;
};
const value = <T>(fact: Fact<T>): T => {
  assert.equal(fact.known, true, `expected a known fact, got ${JSON.stringify(fact)}`);
  return (fact as { value: T }).value;
};

describe('collect against the local IAM endpoint (default source: both)', () => {
  let endpoint: IamEndpoint;
  let folder: { path: string; cleanup: () => Promise<void> };
  let collected: Awaited<ReturnType<typeof collectFrom>>;
  let snapshot: Snapshot;

  before(async () => {
    endpoint = await startIamEndpoint(baseScenario());
    folder = await temporaryFolder();
    collected = await collectFrom(endpoint.url, folder.path, ['--verbose']);
    assert.ok(collected.snapshot, `snapshot written; stderr: ${collected.run.stderr}`);
    snapshot = collected.snapshot;
  });
  after(async () => {
    await endpoint.close();
    await folder.cleanup();
  });

  test('exits 0 and writes a complete aws-api snapshot', () => {
    assert.equal(collected.run.code, 0, collected.run.stderr);
    assert.equal(snapshot.source, 'aws-api');
    assert.deepEqual(snapshot.account, { id: ACCOUNT, partition: 'aws' });
    assert.deepEqual(snapshot.collectionErrors, []);
    assert.equal(snapshot.collection.callerArn, `arn:aws:iam::${ACCOUNT}:user/auditor`);
    assert.equal(snapshot.collection.region, 'eu-central-1');
    assert.equal(snapshot.capturedAt, snapshot.collection.endedAt);
    assert.equal(snapshot.collection.apiCalls, endpoint.requests.length);
    assert.equal(snapshot.collection.retries, 0);
    assert.match(collected.run.stdout, /Snapshot written: .*snapshot\.json/);
  });

  test('lists every user across the short ListUsers pages, in order', () => {
    assert.deepEqual(
      snapshot.users.map((entry) => entry.name),
      USERS.map((entry) => entry.name),
    );
    // 7 users, 2 per page: 4 pages, each continuing from the previous Marker.
    const pages = endpoint.requests.filter((request) => request.action === 'ListUsers');
    assert.deepEqual(
      pages.map((request) => request.params['Marker'] ?? null),
      [null, 'm2', 'm4', 'm6'],
    );
  });

  test('console password from GetLoginProfile (NoSuchEntity = none), reset flag kept', () => {
    assert.equal(value(user(snapshot, 'alice').password.enabled), true);
    assert.equal(value(user(snapshot, 'alice').password.resetRequired), false);
    assert.equal(value(user(snapshot, 'bob').password.resetRequired), true);
    assert.equal(value(user(snapshot, 'carol').password.enabled), false);
    assert.deepEqual(user(snapshot, 'carol').password.resetRequired, { known: false, reason: 'not_applicable' });
    assert.equal(value(user(snapshot, 'alice').password.lastUsed), '2026-11-10T09:00:00Z');
    assert.deepEqual(user(snapshot, 'erin').password.lastUsed, { known: false, reason: 'no_information' });
  });

  test('MFA device types from the serial numbers', () => {
    const types = (name: string) => value(user(snapshot, name).mfa.devices).map((device) => device.type);
    assert.deepEqual(types('alice'), ['virtual']);
    assert.deepEqual(types('bob'), ['fido']);
    assert.deepEqual(types('dave'), ['hardware-totp']);
    assert.deepEqual(types('erin'), []);
    assert.equal(value(user(snapshot, 'dave').mfa.active), true);
    assert.equal(value(user(snapshot, 'erin').mfa.active), false);
  });

  test('access keys: ids and status live, usage dates from the credential report', () => {
    const keys = value(user(snapshot, 'carol').accessKeys);
    assert.deepEqual(
      keys.map((key) => [value(key.id), key.active, value(key.createdAt), key.slot]),
      [
        ['AKIACAROL00000000001', true, '2025-05-01T00:00:00Z', 1],
        ['AKIACAROL00000000002', false, '2025-06-01T00:00:00Z', 2],
      ],
    );
    assert.equal(value(keys[0]!.lastUsed), '2026-11-15T12:00:00Z');
    assert.equal(value(keys[0]!.lastUsedService), 's3');
    assert.deepEqual(keys[1]!.lastUsed, { known: false, reason: 'not_applicable' });
    // The report knew both keys, so no GetAccessKeyLastUsed call was needed.
    assert.equal(endpoint.count('GetAccessKeyLastUsed'), 0);
  });

  test('groups, policies and tags from GetAccountAuthorizationDetails, documents URL-decoded', () => {
    const alice = user(snapshot, 'alice');
    assert.deepEqual(value(alice.groups), ['admins']);
    assert.deepEqual(value(alice.tags), { team: 'platform' });
    assert.deepEqual(value(alice.inlinePolicies), [{ policyName: 'all', document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }]);
    assert.deepEqual(value(user(snapshot, 'grace').attachedPolicies), [{ policyName: 'AdministratorAccess', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }]);
    const policies = value(snapshot.accountFacts.managedPolicies);
    assert.deepEqual(
      policies.map((policy) => [policy.name, policy.isAwsManaged, policy.attachmentCount]),
      [
        ['AdministratorAccess', true, 2],
        ['ReadS3', false, 0],
      ],
    );
    // The default version (v2), not v1; "a b+c" survives URL-decoding.
    assert.deepEqual(value(policies[1]!.document), { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:Get*', Resource: 'arn:aws:s3:::bucket/a b+c' }] });
    // 11 entries (7 users, a group, a role, 2 policies) in pages of 2: all 6 pages were read.
    assert.equal(endpoint.count('GetAccountAuthorizationDetails'), 6);
    assert.deepEqual(
      value(snapshot.accountFacts.groups).map((group) => group.name),
      ['admins'],
    );
    assert.deepEqual(value(snapshot.accountFacts.roles)[0]!.attachedPolicies, [{ policyName: 'AWSSupportAccess', policyArn: 'arn:aws:iam::aws:policy/AWSSupportAccess' }]);
  });

  test('account facts: alias, summary, no password policy (present:false), virtual MFA, certificates', () => {
    assert.equal(value(snapshot.accountFacts.alias), 'example-corp');
    assert.equal(value(snapshot.accountFacts.summary)['MFADevicesInUse'], 3);
    assert.deepEqual(snapshot.accountFacts.passwordPolicy, { known: true, value: { present: false } });
    assert.deepEqual(value(snapshot.accountFacts.virtualMfaDevices)[1], { serialNumber: `arn:aws:iam::${ACCOUNT}:mfa/root-account-mfa-device`, assignedTo: `arn:aws:iam::${ACCOUNT}:root` });
    assert.deepEqual(value(snapshot.accountFacts.serverCertificates), [
      { name: 'old-cert', arn: `arn:aws:iam::${ACCOUNT}:server-certificate/old-cert`, expiration: { known: true, value: '2024-01-01T00:00:00Z' }, uploadedAt: { known: true, value: '2023-01-01T00:00:00Z' } },
    ]);
  });

  test('root: MFA live from the summary, its virtual device found by the root ARN, dates from the report', () => {
    assert.ok(snapshot.root);
    assert.equal(value(snapshot.root.mfa.active), true);
    assert.deepEqual(
      value(snapshot.root.mfa.devices).map((device) => device.type),
      ['virtual'],
    );
    assert.deepEqual(value(snapshot.root.accessKeys), []);
    assert.equal(value(snapshot.root.password.lastUsed), '2026-10-01T00:00:00Z');
  });

  test('the credential report was polled until COMPLETE and its GeneratedTime kept', () => {
    assert.equal(endpoint.count('GenerateCredentialReport'), 4);
    assert.equal(endpoint.count('GetCredentialReport'), 1);
    assert.ok(snapshot.credentialReport);
    assert.equal(snapshot.credentialReport.generatedAt, '2026-11-20T10:00:00Z');
    assert.equal(snapshot.credentialReport.generatedAtSource, 'api');
    assert.equal(snapshot.credentialReport.fileName, null);
    assert.deepEqual(snapshot.discrepancies, []);
  });

  test('at most 4 calls per user', () => {
    const perUser = ['GetLoginProfile', 'ListMFADevices', 'ListAccessKeys', 'GetAccessKeyLastUsed'].reduce((sum, action) => sum + endpoint.count(action), 0);
    assert.ok(perUser / USERS.length <= 4, `${perUser} per-user calls for ${USERS.length} users`);
    assert.equal(endpoint.count('GetLoginProfile'), USERS.length);
  });

  test('the SDK signed every request with the configured key, and no secret reached any output', () => {
    assert.ok(endpoint.requests.every((request) => request.signedWith === 'AKIAFAKETESTKEY00001'));
    assert.match(collected.run.stderr, /\[call\] iam:ListMFADevices arn:aws:iam::123456789012:user\/alice: ok/);
    assert.deepEqual(leakedSecrets(collected.snapshotText, collected.run.stdout, collected.run.stderr), []);
    // Nothing but the call log on stderr: no SDK or Node warnings (e.g. MaxListenersExceeded).
    assert.deepEqual(
      collected.run.stderr.split('\n').filter((line) => line !== '' && !line.startsWith('[call] ')),
      [],
    );
  });

  test('reporting the collected snapshot gives exactly the expected MFA findings', async () => {
    const out = join(folder.path, 'report');
    await mkdir(out);
    const { run, statuses } = await mfaFindings(join(folder.path, 'snapshot.json'), out);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(statuses, EXPECTED_MFA);
  });

  test('refuses to overwrite the snapshot without --overwrite', async () => {
    const before = await readFile(join(folder.path, 'snapshot.json'), 'utf8');
    const again = await collectFrom(endpoint.url, folder.path, ['--source', 'api', '--quiet']);
    assert.equal(again.run.code, 2);
    assert.match(again.run.stderr, /already exists; refusing to overwrite/);
    assert.equal(await readFile(join(folder.path, 'snapshot.json'), 'utf8'), before);
  });
});

describe('collect --source api and --source credential-report', () => {
  test('api: no credential report, key usage from GetAccessKeyLastUsed, report-only facts not collected', async () => {
    const endpoint = await startIamEndpoint(baseScenario());
    const folder = await temporaryFolder();
    try {
      const { run, snapshot } = await collectFrom(endpoint.url, folder.path, ['--source', 'api', '--quiet']);
      assert.equal(run.code, 0, run.stderr);
      assert.ok(snapshot);
      assert.equal(snapshot.credentialReport, null);
      assert.equal(endpoint.count('GenerateCredentialReport'), 0);
      assert.equal(endpoint.count('GetAccessKeyLastUsed'), 2);
      const keys = value(user(snapshot, 'carol').accessKeys);
      assert.equal(value(keys[0]!.lastUsed), '2026-11-15T12:00:00Z');
      assert.equal(value(keys[0]!.lastUsedRegion), 'eu-west-1');
      assert.deepEqual(keys[1]!.lastUsed, { known: false, reason: 'not_applicable' });
      assert.deepEqual(keys[1]!.lastUsedService, { known: false, reason: 'not_applicable' });
      assert.equal(user(snapshot, 'alice').password.lastChanged.known, false);
      assert.equal((user(snapshot, 'alice').password.lastChanged as { reason: string }).reason, 'not_collected');
      assert.equal(value(snapshot.root!.mfa.active), true);
      assert.equal(snapshot.root!.password.lastUsed.known, false);
    } finally {
      await endpoint.close();
      await folder.cleanup();
    }
  });

  test('credential-report: the report alone, with the API generation time as provenance', async () => {
    const endpoint = await startIamEndpoint(baseScenario());
    const folder = await temporaryFolder();
    try {
      const { run, snapshot } = await collectFrom(endpoint.url, folder.path, ['--source', 'credential-report']);
      assert.equal(run.code, 0, run.stderr);
      assert.ok(snapshot);
      assert.equal(snapshot.source, 'credential-report');
      assert.equal(snapshot.capturedAt, '2026-11-20T10:00:00Z');
      assert.equal(snapshot.credentialReport?.generatedAtSource, 'api');
      assert.equal(snapshot.collection.callerArn, `arn:aws:iam::${ACCOUNT}:user/auditor`);
      assert.equal(endpoint.count('ListUsers'), 0);
      assert.deepEqual(
        snapshot.users.map((entry) => entry.name),
        USERS.map((entry) => entry.name),
      );
    } finally {
      await endpoint.close();
      await folder.cleanup();
    }
  });

  test('both: where the report and the live API disagree, the fact is unknown (neither side wins) and the difference is recorded', async () => {
    // The report was made before erin enabled MFA... in reverse: the report says MFA, live says none.
    const csv = credentialReportCsv({ accountId: ACCOUNT, users: USERS }, { overrides: { erin: { mfa_active: 'true' } } });
    const withoutFrank = csv
      .split('\n')
      .filter((line) => !line.startsWith('frank,'))
      .join('\n');
    const endpoint = await startIamEndpoint(baseScenario({ credentialReport: { csv: withoutFrank, generatedAt: '2026-11-20T10:00:00Z', pollsUntilReady: 0 } }));
    const folder = await temporaryFolder();
    try {
      const { run, snapshot } = await collectFrom(endpoint.url, folder.path, ['--quiet']);
      // Issue 23 §2: a contradicted fact is a SourceDiscrepancy collection error (exit 3), not the live side's value.
      assert.equal(run.code, 3, run.stderr);
      assert.ok(snapshot);
      assert.deepEqual(user(snapshot, 'erin').mfa.active, { known: false, reason: 'collection_failed', detail: 'iam:ListMFADevices says mfa.active false, the credential report says true' });
      assert.deepEqual(snapshot.collectionErrors.map((error) => [error.code, error.resource]), [['SourceDiscrepancy', `arn:aws:iam::${ACCOUNT}:user/erin`]]);
      assert.match(run.stderr, /^Live API against the credential report: 2 discrepancies; the 1 contradicted fact is unknown \(not evaluated\), neither side chosen/m);
      assert.deepEqual(snapshot.discrepancies, [
        { resource: `arn:aws:iam::${ACCOUNT}:user/erin`, field: 'mfa.active', liveValue: 'false', credentialReportValue: 'true' },
        { resource: `arn:aws:iam::${ACCOUNT}:user/service/frank`, field: 'user', liveValue: 'present', credentialReportValue: 'absent' },
      ]);
      // frank is not in the report: what only the report knows is not collected, with the reason.
      assert.equal(user(snapshot, 'frank').signingCertificates.known, false);
      const out = join(folder.path, 'out');
      await mkdir(out);
      const { statuses, report } = await mfaFindings(join(folder.path, 'snapshot.json'), out);
      assert.equal(statuses['erin'], 'NOT_EVALUATED');
      assert.equal(((report['snapshot'] as { discrepancies: unknown[] }).discrepancies).length, 2);
    } finally {
      await endpoint.close();
      await folder.cleanup();
    }
  });
});

describe('collect: usage errors', () => {
  test('an unknown --source is a usage error', async () => {
    const folder = await temporaryFolder();
    try {
      const { run } = await collectFrom('http://127.0.0.1:9', folder.path, ['--source', 'nope']);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /source/);
    } finally {
      await folder.cleanup();
    }
  });

  test('without -o the snapshot is named snapshot-<account>-<capture time>.json in the current folder', async () => {
    const endpoint = await startIamEndpoint(baseScenario({ credentialReport: null }));
    const folder = await temporaryFolder();
    try {
      const run = await runCli(['collect', '--endpoint-url', endpoint.url, '--source', 'api', '--quiet'], {
        cwd: folder.path,
        // After the scenario's newest fact (2026-11-15): a capture before its data is refused (issue #23).
        env: collectEnvironment({ SOURCE_DATE_EPOCH: '1795000000' }),
      });
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(await readdir(folder.path), ['snapshot-123456789012-2026-11-18T11-06-40Z.json']);
    } finally {
      await endpoint.close();
      await folder.cleanup();
    }
  });
});
