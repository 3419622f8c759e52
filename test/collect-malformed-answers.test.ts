/**
 * An answer without its required parts is a failed call (issue 23 §2): for every call the collector
 * makes (every entry of REQUIRED_MEMBERS) and each kind of answer that is not data (an empty body,
 * an empty result element, an HTML page, all with HTTP 200), against the local endpoints: the call
 * is a `malformed_response` collection error, the facts it would have given are unknown, and the
 * controls that judge them do not pass. The table of drivers is keyed by the declared calls, so a
 * call added to the declaration without a case here does not compile.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { analyze } from '../src/analyze/analyze.js';
import type { AnalysisResult } from '../src/analyze/result.js';
import { ApiCaller } from '../src/collect/caller.js';
import { refuseForeignAnswers } from '../src/collect/clients.js';
import type { CollectSource } from '../src/collect/collect.js';
import { MALFORMED_RESPONSE_CODE } from '../src/collect/errors.js';
import { ConcurrencyLimiter } from '../src/collect/limiter.js';
import { listOrganization } from '../src/collect/org/organization.js';
import { COLLECTED_APIS, missingRequiredMember, REQUIRED_MEMBERS, type CollectedApi } from '../src/collect/required-members.js';
import type { Snapshot, UserFacts } from '../src/snapshot/types.js';
import { validateSnapshot } from '../src/snapshot/validate.js';
import { UserError } from '../src/util/errors.js';
import { temporaryFolder } from './support/cli.js';
import { ACCOUNT, baseScenario, collectFrom, collectInProcess, FAKE_SECRET_KEY } from './support/collect-scenario.js';
import { startIamEndpoint, type FaultKind, type Scenario } from './support/iam-endpoint.js';
import { startOrgEndpoint } from './support/org-endpoint.js';

const NOT_DATA: readonly ('empty-body' | 'empty-result' | 'html-page')[] = ['empty-body', 'empty-result', 'html-page'];
const RUN = { startedAt: '2026-11-20T12:00:01.000Z', endedAt: '2026-11-20T12:00:02.000Z', elapsedSeconds: 1 };

function analysed(snapshot: Snapshot): AnalysisResult {
  return analyze({ snapshot, snapshotFile: { fileName: 'snapshot.json', sha256: 'f'.repeat(64), migratedFrom: null }, tool: { name: 'iam-audit', version: 'test' }, run: RUN });
}

const user = (snapshot: Snapshot, name: string): UserFacts => {
  const found = snapshot.users.find((candidate) => candidate.name === name);
  assert.ok(found, `user ${name} in the snapshot`);
  return found;
};

/** The statuses of a rule's results about one resource (a user by name, `account`, `<root_account>`; a key is `user#...`). */
function statuses(result: AnalysisResult, ruleId: string, resourceName: string): string[] {
  const found = (result.catalogue?.results ?? []).filter((entry) => entry.ruleId === ruleId && (entry.resourceName === resourceName || entry.resourceName.startsWith(`${resourceName}#`)));
  return found.map((entry) => entry.status);
}

/** The rule has results about the resource and none of them is a pass. */
function neverPasses(result: AnalysisResult, ruleId: string, resourceName: string): void {
  const found = statuses(result, ruleId, resourceName);
  assert.ok(found.length > 0, `${ruleId} judged ${resourceName}`);
  assert.ok(!found.includes('pass'), `${ruleId} on ${resourceName}: ${found.join(', ')}`);
}

function controlStatus(result: AnalysisResult, framework: string, controlId: string): string {
  const found = result.catalogue?.frameworks.find((entry) => entry.id === framework)?.controls.find((entry) => entry.controlId === controlId);
  assert.ok(found, `${framework} ${controlId} exists`);
  return found.status;
}

const unknownFact = (fact: { known: boolean }, what: string): void => assert.equal(fact.known, false, `${what} is unknown`);

/** A clean base account in which the controls below would pass: a password policy that meets CIS, root with a virtual MFA device. */
const GOOD_POLICY = {
  MinimumPasswordLength: 14,
  RequireSymbols: true,
  RequireNumbers: true,
  RequireUppercaseCharacters: true,
  RequireLowercaseCharacters: true,
  AllowUsersToChangePassword: true,
  ExpirePasswords: true,
  MaxPasswordAge: 90,
  PasswordReusePrevention: 24,
};

interface AccountDriver {
  readonly kind: 'account';
  /** The --source that makes the call. */
  readonly source: CollectSource;
  /** The facts the call gives are unknown and what judges them does not pass. */
  readonly check: (snapshot: Snapshot, result: AnalysisResult) => void;
}
/** Without the caller's identity nothing can be collected: the run is refused (exit 2, nothing written). */
interface IdentityDriver {
  readonly kind: 'identity';
}
/** Without the organisation's accounts `collect --org` cannot start: refused the same way. */
interface OrganizationDriver {
  readonly kind: 'organization';
  /** ListAccountsForParent and ListChildren are made for --ou only. */
  readonly ou?: boolean;
}
type Driver = AccountDriver | IdentityDriver | OrganizationDriver;

const DRIVERS: Readonly<Record<CollectedApi, Driver>> = {
  'sts:GetCallerIdentity': { kind: 'identity' },
  'iam:ListUsers': {
    kind: 'account',
    source: 'api',
    check: (snapshot, result) => {
      assert.deepEqual(snapshot.users, []);
      assert.equal(snapshot.populations.users.state, 'incomplete');
      for (const control of ['1.9', '1.10', '1.11', '1.12', '1.13', '1.14']) assert.notEqual(controlStatus(result, 'cis-5.0', control), 'pass', control);
    },
  },
  'iam:GetLoginProfile': {
    kind: 'account',
    source: 'api',
    check: (snapshot, result) => {
      for (const entry of snapshot.users) unknownFact(entry.password.enabled, `${entry.name}'s console password`);
      // alice has a password and MFA (a PASS when known), frank no password: neither is judged now.
      neverPasses(result, 'console-users-mfa', 'alice');
      neverPasses(result, 'console-users-mfa', 'erin');
      assert.notEqual(controlStatus(result, 'cis-5.0', '1.9'), 'pass');
      assert.notEqual(controlStatus(result, 'fsbp', 'IAM.5'), 'pass');
    },
  },
  'iam:ListMFADevices': {
    kind: 'account',
    source: 'api',
    check: (snapshot, result) => {
      unknownFact(user(snapshot, 'alice').mfa.active, "alice's MFA");
      unknownFact(user(snapshot, 'erin').mfa.devices, "erin's MFA devices");
      neverPasses(result, 'console-users-mfa', 'alice');
      assert.notEqual(controlStatus(result, 'cis-5.0', '1.9'), 'pass');
    },
  },
  'iam:ListAccessKeys': {
    kind: 'account',
    source: 'api',
    check: (snapshot, result) => {
      unknownFact(user(snapshot, 'carol').accessKeys, "carol's keys");
      unknownFact(user(snapshot, 'frank').accessKeys, "frank's keys");
      neverPasses(result, 'multiple-active-access-keys', 'carol');
      neverPasses(result, 'multiple-active-access-keys', 'frank');
      assert.notEqual(controlStatus(result, 'cis-5.0', '1.12'), 'pass');
    },
  },
  'iam:GetAccessKeyLastUsed': {
    kind: 'account',
    source: 'api',
    check: (snapshot, result) => {
      const keys = user(snapshot, 'carol').accessKeys;
      assert.ok(keys.known);
      for (const key of keys.value) unknownFact(key.lastUsed, `carol's key ${key.id.known ? key.id.value : '?'} last use`);
      neverPasses(result, 'unused-credentials', 'carol');
    },
  },
  'iam:ListAccountAliases': {
    kind: 'account',
    source: 'api',
    check: (snapshot) => {
      assert.deepEqual(snapshot.accountFacts.alias, { known: false, reason: 'collection_failed', detail: `iam:ListAccountAliases: ${MALFORMED_RESPONSE_CODE}` });
    },
  },
  'iam:GetAccountSummary': {
    kind: 'account',
    source: 'api',
    check: (snapshot, result) => {
      unknownFact(snapshot.accountFacts.summary, 'the account summary');
      assert.ok(snapshot.root);
      unknownFact(snapshot.root.mfa.active, "root's MFA");
      neverPasses(result, 'root-mfa', '<root_account>');
      assert.equal(snapshot.populations.users.expected, null, 'no independent count of the users');
    },
  },
  'iam:GetAccountPasswordPolicy': {
    kind: 'account',
    source: 'api',
    check: (snapshot, result) => {
      unknownFact(snapshot.accountFacts.passwordPolicy, 'the password policy');
      for (const rule of ['password-policy-min-length', 'password-policy-reuse-prevention', 'password-policy-require-symbols']) neverPasses(result, rule, 'account');
    },
  },
  'iam:ListVirtualMFADevices': {
    kind: 'account',
    source: 'api',
    check: (snapshot, result) => {
      unknownFact(snapshot.accountFacts.virtualMfaDevices, 'the virtual MFA devices');
      assert.ok(snapshot.root);
      unknownFact(snapshot.root.mfa.devices, "root's MFA devices");
      neverPasses(result, 'root-hardware-mfa', 'account');
    },
  },
  'iam:ListServerCertificates': {
    kind: 'account',
    source: 'api',
    check: (snapshot, result) => {
      unknownFact(snapshot.accountFacts.serverCertificates, 'the server certificates');
      assert.equal(snapshot.populations.serverCertificates.state, 'incomplete');
      assert.ok(!statuses(result, 'expired-server-certificates', 'account').includes('pass'));
    },
  },
  'iam:GetAccountAuthorizationDetails': {
    kind: 'account',
    source: 'api',
    check: (snapshot, result) => {
      unknownFact(user(snapshot, 'alice').groups, "alice's groups");
      unknownFact(user(snapshot, 'frank').attachedPolicies, "frank's policies");
      unknownFact(snapshot.accountFacts.roles, 'the roles');
      neverPasses(result, 'user-direct-policies', 'frank');
      assert.notEqual(controlStatus(result, 'cis-5.0', '1.14'), 'pass');
    },
  },
  'iam:GenerateCredentialReport': {
    kind: 'account',
    source: 'both',
    check: (snapshot) => {
      assert.equal(snapshot.credentialReport, null);
      unknownFact(user(snapshot, 'alice').password.lastChanged, "alice's password change");
      assert.equal(user(snapshot, 'alice').signingCertificates.known ? 'known' : (user(snapshot, 'alice').signingCertificates as { reason: string }).reason, 'collection_failed');
    },
  },
  'iam:GetCredentialReport': {
    kind: 'account',
    source: 'both',
    check: (snapshot) => {
      assert.equal(snapshot.credentialReport, null);
      unknownFact(user(snapshot, 'alice').password.lastChanged, "alice's password change");
      assert.equal(user(snapshot, 'alice').signingCertificates.known ? 'known' : (user(snapshot, 'alice').signingCertificates as { reason: string }).reason, 'collection_failed');
    },
  },
  'organizations:DescribeOrganization': { kind: 'organization' },
  'organizations:ListAccounts': { kind: 'organization' },
  'organizations:ListAccountsForParent': { kind: 'organization', ou: true },
  'organizations:ListChildren': { kind: 'organization', ou: true },
};

/** The account the IAM cases run against: the base scenario with a password policy that passes CIS. */
const account = (action: string, kind: FaultKind): Scenario => baseScenario({ passwordPolicy: GOOD_POLICY, faults: [{ action, kind }] });

async function listOrganizationAgainst(kind: 'empty-body' | 'empty-result' | 'html-page', action: string, ou: boolean): Promise<unknown> {
  const endpoint = await startOrgEndpoint({
    organizationId: 'o-example',
    managementAccountId: ACCOUNT,
    rootId: 'r-root',
    ous: [{ id: 'ou-child', name: 'child', parent: 'r-root' }],
    accounts: [{ id: ACCOUNT, name: 'management', state: 'ACTIVE', parent: 'r-root' }],
    faults: [{ action, kind }],
  });
  const client = new OrganizationsClient({ region: 'us-east-1', endpoint: endpoint.url, credentials: { accessKeyId: 'AKIAFAKETESTKEY00001', secretAccessKey: FAKE_SECRET_KEY }, maxAttempts: 1 });
  refuseForeignAnswers(client, 'json');
  const caller = new ApiCaller({ limiter: new ConcurrencyLimiter(2), callTimeoutMs: 10_000, runSignal: new AbortController().signal, secrets: [FAKE_SECRET_KEY], log: null });
  try {
    return await listOrganization(client, caller, { ou: ou ? 'r-root' : null, accounts: null });
  } catch (error) {
    return error;
  } finally {
    client.destroy();
    await endpoint.close();
  }
}

describe('every declared call refuses an answer that is not data', () => {
  test('the declaration: every call the collector makes, each with at least one required member', () => {
    assert.deepEqual(Object.keys(DRIVERS).sort(), [...COLLECTED_APIS].sort());
    for (const api of COLLECTED_APIS) assert.ok(REQUIRED_MEMBERS[api].length > 0, api);
    // The paths are read as the SDK names members: a list's elements, a structure's or map's members.
    assert.equal(missingRequiredMember('iam:ListUsers', { Users: [] }), null);
    assert.equal(missingRequiredMember('iam:ListUsers', {}), 'Users');
    assert.equal(missingRequiredMember('iam:ListUsers', { Users: [{ UserName: 'a', Arn: 'arn:a', CreateDate: new Date() }, { UserName: 'b', CreateDate: new Date() }] }), 'Users[1].Arn');
    assert.equal(missingRequiredMember('iam:GetAccountSummary', { SummaryMap: { Groups: 1 } }), 'SummaryMap.Users');
    assert.equal(missingRequiredMember('iam:GetAccountSummary', { SummaryMap: { Users: 0 } }), null);
  });

  for (const api of COLLECTED_APIS) {
    const driver = DRIVERS[api];
    const action = api.slice(api.indexOf(':') + 1);
    for (const kind of NOT_DATA) {
      test(`${api}: ${kind}`, async () => {
        if (driver.kind === 'organization') {
          const outcome = await listOrganizationAgainst(kind, action, driver.ou === true);
          assert.ok(outcome instanceof UserError, `refused, not ${JSON.stringify(outcome)}`);
          assert.match(outcome.message, new RegExp(`${api}: ${MALFORMED_RESPONSE_CODE}`));
          return;
        }
        const endpoint = await startIamEndpoint(account(action, kind));
        try {
          if (driver.kind === 'identity') {
            await assert.rejects(collectInProcess(endpoint.url, 'api'), (error: unknown) => {
              assert.ok(error instanceof UserError);
              assert.match(error.message, /^could not identify the caller \(sts:GetCallerIdentity\): malformed_response: the answer \(HTTP 200\) /);
              return true;
            });
            return;
          }
          const snapshot = await collectInProcess(endpoint.url, driver.source);
          const malformed = snapshot.collectionErrors.filter((error) => error.code === MALFORMED_RESPONSE_CODE);
          assert.ok(malformed.length > 0, `a ${MALFORMED_RESPONSE_CODE} error; got ${JSON.stringify(snapshot.collectionErrors.map((error) => [error.api, error.code]))}`);
          for (const error of malformed) {
            assert.equal(error.api, api);
            assert.match(error.message, kind === 'html-page' ? /content type "text\/html; charset=utf-8", not XML/ : /the answer \(HTTP 200\) has no /);
            assert.ok(error.affects.length > 0);
          }
          assert.equal(validateSnapshot(snapshot).valid, true);
          driver.check(snapshot, analysed(snapshot));
        } finally {
          await endpoint.close();
        }
      });
    }
  }

  test('through the CLI: an empty GetLoginProfile answer is exit 3, named, and no console-users-mfa result passes', async () => {
    const endpoint = await startIamEndpoint(account('GetLoginProfile', 'empty-body'));
    const folder = await temporaryFolder();
    try {
      const { run, snapshot } = await collectFrom(endpoint.url, folder.path, ['--quiet', '--source', 'api']);
      assert.equal(run.code, 3, run.stderr);
      assert.match(run.stderr, new RegExp(`iam:GetLoginProfile ${MALFORMED_RESPONSE_CODE} \\(x7\\)`));
      assert.ok(snapshot);
      const result = analysed(snapshot);
      for (const entry of snapshot.users) assert.ok(!statuses(result, 'console-users-mfa', entry.name).includes('pass'), entry.name);
    } finally {
      await endpoint.close();
      await folder.cleanup();
    }
  });

  test('an emulator that labels its XML text/html: the answers are the actions\' own XML, so they are data', async () => {
    // moto and older LocalStack label every Query answer text/html; the label alone proves nothing.
    const endpoint = await startIamEndpoint(baseScenario({ passwordPolicy: GOOD_POLICY, contentType: 'text/html; charset=utf-8' }));
    try {
      const snapshot = await collectInProcess(endpoint.url, 'both');
      assert.deepEqual(snapshot.collectionErrors.map((error) => [error.api, error.code]), []);
      assert.equal(snapshot.users.length, baseScenario().users.length);
      assert.equal(validateSnapshot(snapshot).valid, true);
    } finally {
      await endpoint.close();
    }
  });
});
