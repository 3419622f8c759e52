/** Each collection stage run alone against the local IAM endpoint (the CLI tests run them together). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { collectAccountFacts } from '../src/collect/account-facts.js';
import { assembleAccountFacts, assembleSnapshot, assembleUser } from '../src/collect/assemble.js';
import { collectAuthorization } from '../src/collect/authorization.js';
import { collectCredentialReport } from '../src/collect/credential-report.js';
import { identifyCaller } from '../src/collect/identity.js';
import { collectKeyUsage } from '../src/collect/key-usage.js';
import { reconcile } from '../src/collect/reconcile.js';
import { rootFacts } from '../src/collect/root.js';
import { collectUserDetails } from '../src/collect/user-details.js';
import { listUsers } from '../src/collect/users-listing.js';
import { known, type Fact } from '../src/snapshot/types.js';
import { ACCOUNT, baseScenario, stageClients, USERS } from './support/collect-scenario.js';
import { startIamEndpoint, type Scenario } from './support/iam-endpoint.js';

const value = <T>(fact: Fact<T>): T => {
  assert.equal(fact.known, true, `expected a known fact, got ${JSON.stringify(fact)}`);
  return (fact as { value: T }).value;
};
const REPORT_OPTIONS = { timeoutMs: 5_000, pollBaseMs: 5, maxPollDelayMs: 20 };

async function withStage<T>(scenario: Scenario, run: (clients: ReturnType<typeof stageClients>, count: (action: string) => number) => Promise<T>): Promise<T> {
  const endpoint = await startIamEndpoint(scenario);
  const clients = stageClients(endpoint.url);
  try {
    return await run(clients, (action) => endpoint.count(action));
  } finally {
    clients.close();
    await endpoint.close();
  }
}

describe('collection stages, one at a time', () => {
  test('1 identity: account, partition and caller ARN from GetCallerIdentity', async () => {
    const identity = await withStage(baseScenario(), ({ sts, caller }) => identifyCaller(sts, caller));
    assert.deepEqual(identity, { accountId: ACCOUNT, partition: 'aws', callerArn: `arn:aws:iam::${ACCOUNT}:user/auditor` });
  });

  test('2 users listing: every page, in order; a failed page leaves the listing short and says so', async () => {
    const complete = await withStage(baseScenario(), ({ iam, caller }) => listUsers(iam, caller));
    assert.deepEqual(complete.users.map((user) => user.UserName), USERS.map((user) => user.name));
    assert.equal(complete.pagedToEnd, true);
    assert.deepEqual(complete.errors, []);
    const failed = await withStage(baseScenario({ faults: [{ action: 'ListUsers', kind: 'access-denied' }] }), ({ iam, caller }) => listUsers(iam, caller));
    assert.equal(failed.pagedToEnd, false);
    assert.deepEqual(failed.errors.map((error) => [error.api, error.code, error.affects]), [['iam:ListUsers', 'AccessDenied', ['users']]]);
  });

  test('3 user details: login profile, MFA devices and keys per user; a failed call is that fact only', async () => {
    const scenario = baseScenario({ faults: [{ action: 'ListMFADevices', userName: 'bob', kind: 'access-denied' }] });
    const details = await withStage(scenario, async ({ iam, caller }) => collectUserDetails(iam, caller, (await listUsers(iam, caller)).users, 2));
    const byName = new Map(details.users.map((user) => [user.name, user]));
    assert.equal(value(byName.get('alice')!.passwordEnabled), true);
    assert.equal(value(byName.get('carol')!.passwordEnabled), false);
    assert.deepEqual(value(byName.get('dave')!.mfaDevices).map((device) => device.type), ['hardware-totp']);
    assert.equal(value(byName.get('carol')!.accessKeys).length, 2);
    assert.deepEqual(byName.get('bob')!.mfaActive, { known: false, reason: 'collection_failed', detail: 'iam:ListMFADevices: AccessDenied' });
    assert.equal(value(byName.get('bob')!.passwordEnabled), true);
    assert.deepEqual(details.errors.map((error) => [error.api, error.resource, error.affects]), [
      ['iam:ListMFADevices', `arn:aws:iam::${ACCOUNT}:user/bob`, ['users[1].mfa.active', 'users[1].mfa.devices']],
    ]);
  });

  test('4 key usage: from the report when it knows the key, else GetAccessKeyLastUsed', async () => {
    await withStage(baseScenario(), async ({ iam, caller }, count) => {
      const details = await collectUserDetails(iam, caller, (await listUsers(iam, caller)).users, 2);
      const live = await collectKeyUsage(iam, caller, details.users, new Map());
      assert.equal(count('GetAccessKeyLastUsed'), 2);
      assert.equal(value(live.usage.get('AKIACAROL00000000001')!.lastUsed), '2026-11-15T12:00:00Z');
      assert.deepEqual(live.usage.get('AKIACAROL00000000002')!.lastUsed, { known: false, reason: 'not_applicable' });
    });
  });

  test('5a account facts: alias, summary, password policy, virtual MFA devices, server certificates', async () => {
    const facts = await withStage(baseScenario({ faults: [{ action: 'ListServerCertificates', kind: 'access-denied' }] }), ({ iam, caller }) => collectAccountFacts(iam, caller));
    assert.equal(value(facts.alias), 'example-corp');
    assert.equal(value(facts.summary)['Users'], USERS.length);
    assert.deepEqual(value(facts.passwordPolicy), { present: false });
    assert.equal(value(facts.virtualMfaDevices).length, 2);
    assert.equal(facts.serverCertificates.known, false);
    assert.deepEqual(facts.errors.map((error) => [error.api, error.affects]), [['iam:ListServerCertificates', ['accountFacts.serverCertificates']]]);
  });

  test('5b authorization details: every page; users by ARN, groups, roles, managed policies decoded', async () => {
    const stage = await withStage(baseScenario(), ({ iam, caller }) => collectAuthorization(iam, caller, 'aws'));
    assert.equal(stage.failure, null);
    assert.equal(stage.users.size, USERS.length);
    assert.deepEqual(value(stage.users.get(`arn:aws:iam::${ACCOUNT}:user/alice`)!.groups), ['admins']);
    assert.deepEqual(value(stage.groups).map((group) => group.name), ['admins']);
    assert.deepEqual(value(stage.managedPolicies).map((policy) => [policy.name, policy.isAwsManaged]), [['AdministratorAccess', true], ['ReadS3', false]]);
    const failed = await withStage(baseScenario({ faults: [{ action: 'GetAccountAuthorizationDetails', kind: 'access-denied' }] }), ({ iam, caller }) => collectAuthorization(iam, caller, 'aws'));
    assert.equal(failed.users.size, 0);
    assert.equal(failed.roles.known, false);
    assert.equal(failed.errors.length, 1);
  });

  test('6 credential report: polled until ready, parsed; another account is not used', async () => {
    const stage = await withStage(baseScenario(), ({ iam, caller }) => collectCredentialReport(iam, caller, REPORT_OPTIONS, new AbortController().signal, ACCOUNT, new Date('2026-11-20T12:00:00Z')));
    assert.equal(stage.report?.snapshot.users.length, USERS.length);
    assert.equal(stage.report?.snapshot.credentialReport?.generatedAt, '2026-11-20T10:00:00Z');
    const other = await withStage(baseScenario(), ({ iam, caller }) => collectCredentialReport(iam, caller, REPORT_OPTIONS, new AbortController().signal, '999999999999', new Date('2026-11-20T12:00:00Z')));
    assert.equal(other.report, null);
    assert.match(other.warnings.join('\n'), /names account 123456789012, not the caller's 999999999999/);
  });

  test('7 reconciliation and 8 assembly: a user missing from the authorization details is an error; the snapshot holds every stage', async () => {
    await withStage(baseScenario(), async ({ iam, sts, caller }) => {
      const identity = await identifyCaller(sts, caller);
      const listing = await listUsers(iam, caller);
      const details = await collectUserDetails(iam, caller, listing.users, 2);
      const account = await collectAccountFacts(iam, caller);
      const full = await collectAuthorization(iam, caller, 'aws');
      // As if alice had been created after GetAccountAuthorizationDetails was read.
      const aliceArn = `arn:aws:iam::${ACCOUNT}:user/alice`;
      const authorization = { ...full, users: new Map([...full.users].filter(([arn]) => arn !== aliceArn)) };
      const sources = { keyUsage: new Map(), authorization, reportUsers: new Map(), hasReport: false, reportFailure: null };
      const users = details.users.map((live) => assembleUser(live, sources));
      const root = rootFacts({ arn: `arn:aws:iam::${ACCOUNT}:root`, reportRoot: null, summary: account.summary, virtualMfaDevices: account.virtualMfaDevices, reportFailure: null });
      const reconciliation = reconcile({ listing, mfaListing: details.mfaListing, account, users, root, authorization, report: null });
      assert.deepEqual(reconciliation.errors.map((error) => [error.resource, error.code]), [[aliceArn, 'UserNotListed']]);
      assert.equal(users[0]!.groups.known, false);
      assert.deepEqual(reconciliation.populations.users, { state: 'complete', reason: null, collected: USERS.length, expected: USERS.length, expectedSource: 'iam:GetAccountSummary Users' });
      assert.equal(reconciliation.populations.mfaDevices.state, 'complete');
      assert.deepEqual(root.mfa.active, known(true));
      const snapshot = assembleSnapshot({
        identity,
        collection: { startedAt: '2026-11-30T00:00:00Z', endedAt: '2026-11-30T00:01:00Z', callerArn: identity.callerArn, region: null, apiCalls: caller.calls, retries: 0 },
        report: null,
        root,
        users,
        accountFacts: assembleAccountFacts(account, full),
        collectionErrors: reconciliation.errors,
        discrepancies: reconciliation.discrepancies,
        populations: reconciliation.populations,
      });
      assert.equal(snapshot.capturedAt, '2026-11-30T00:01:00Z');
      assert.equal(snapshot.users.length, USERS.length);
      assert.equal(snapshot.collectionErrors.length, 1);
    });
  });
});
