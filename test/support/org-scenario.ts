/** The organisation the `collect --org` tests run against (test/support/org-endpoint.ts). */
import { credentialReportCsv, type Scenario, type ScenarioUser } from './iam-endpoint.js';
import type { OrgAccount, OrgScenario } from './org-endpoint.js';

export const ORG_ID = 'o-exampleorg1';
export const MANAGEMENT = '111111111111';
export const PROD = '222222222222';
export const DEV = '333333333333';
export const DENIED = '444444444444';
export const THROTTLED = '555555555555';
export const SUSPENDED = '666666666666';
export const PARTIAL = '777777777777';
export const SANDBOX = '888888888888';
export const ROOT = 'r-root';
export const OU_PROD = 'ou-root-prod0001';
export const OU_DEV = 'ou-root-dev00001';
export const OU_DEV_TEAM = 'ou-root-devteam1';

const profile = { createdAt: '2025-02-01T00:00:00Z', passwordResetRequired: false };

/** `count` users of an account: every third with console and MFA, every third console without MFA, the rest keys only. */
export function accountUsers(account: string, count: number): ScenarioUser[] {
  return Array.from({ length: count }, (_, position): ScenarioUser => {
    const name = `user-${account.slice(0, 3)}-${String(position).padStart(4, '0')}`;
    if (position % 3 === 0) return { name, loginProfile: profile, passwordLastUsed: '2026-11-10T09:00:00Z', mfaDevices: [{ serial: `arn:aws:iam::${account}:mfa/${name}`, enabledAt: '2025-02-02T00:00:00Z' }] };
    if (position % 3 === 1) return { name, loginProfile: profile };
    return { name, accessKeys: [{ id: `AKIA${account}${String(position).padStart(4, '0')}`, status: 'Active', createdAt: '2025-05-01T00:00:00Z', lastUsed: { date: '2026-11-15T12:00:00Z', region: 'eu-west-1', service: 's3' } }] };
  });
}

export function accountIam(account: string, users: readonly ScenarioUser[], overrides: Partial<Scenario> = {}): Scenario {
  return {
    accountId: account,
    alias: `acct-${account.slice(0, 3)}`,
    users,
    pageSize: 50,
    passwordPolicy: { MinimumPasswordLength: 14, RequireSymbols: true, RequireNumbers: true, RequireUppercaseCharacters: true, RequireLowercaseCharacters: true, PasswordReusePrevention: 24, MaxPasswordAge: 90 },
    summary: { Users: users.length, AccountMFAEnabled: 1, AccountAccessKeysPresent: 0, AccountPasswordPresent: 1, MFADevicesInUse: users.filter((user) => (user.mfaDevices ?? []).length > 0).length },
    virtualMfaDevices: [
      ...users.flatMap((user) => (user.mfaDevices ?? []).map((device) => ({ serial: device.serial, userArn: `arn:aws:iam::${account}:user/${user.name}` }))),
      { serial: `arn:aws:iam::${account}:mfa/root-account-mfa-device`, userArn: `arn:aws:iam::${account}:root` },
    ],
    roles: [{ name: 'support', attachedPolicies: [{ name: 'AWSSupportAccess', arn: 'arn:aws:iam::aws:policy/AWSSupportAccess' }] }],
    credentialReport: { csv: credentialReportCsv({ accountId: account, users }), generatedAt: '2026-11-20T10:00:00Z', pollsUntilReady: 1 },
    ...overrides,
  };
}

/** Eight accounts: five collectable (one partial, one throttled once), one denying AssumeRole, one throttling it for good, one suspended. */
export function orgScenario(overrides: Partial<OrgScenario> = {}): OrgScenario {
  const accounts: OrgAccount[] = [
    { id: MANAGEMENT, name: 'Management', state: 'ACTIVE', parent: ROOT, iam: accountIam(MANAGEMENT, accountUsers(MANAGEMENT, 2)) },
    { id: PROD, name: 'Prod', state: 'ACTIVE', parent: OU_PROD, iam: accountIam(PROD, accountUsers(PROD, 7)) },
    { id: DEV, name: 'Dev', state: 'ACTIVE', parent: OU_DEV_TEAM, iam: accountIam(DEV, accountUsers(DEV, 4)) },
    { id: DENIED, name: 'Denied', state: 'ACTIVE', parent: OU_PROD, iam: accountIam(DENIED, accountUsers(DENIED, 1)), assumeRole: 'deny' },
    { id: THROTTLED, name: 'Throttled', state: 'ACTIVE', parent: OU_DEV, iam: accountIam(THROTTLED, accountUsers(THROTTLED, 1)), assumeRole: 'throttle' },
    { id: SUSPENDED, name: 'Suspended', state: 'SUSPENDED', parent: OU_DEV },
    {
      id: PARTIAL,
      name: 'Partial',
      state: 'ACTIVE',
      parent: ROOT,
      iam: accountIam(PARTIAL, accountUsers(PARTIAL, 3), { faults: [{ action: 'ListMFADevices', userName: `user-777-0001`, kind: 'access-denied' }] }),
    },
    { id: SANDBOX, name: 'Sandbox', state: 'ACTIVE', parent: ROOT, iam: accountIam(SANDBOX, accountUsers(SANDBOX, 5)), assumeRole: 1 },
  ];
  return {
    organizationId: ORG_ID,
    managementAccountId: MANAGEMENT,
    rootId: ROOT,
    ous: [
      { id: OU_PROD, name: 'Prod', parent: ROOT },
      { id: OU_DEV, name: 'Dev', parent: ROOT },
      { id: OU_DEV_TEAM, name: 'Dev team', parent: OU_DEV },
    ],
    accounts,
    pageSize: 3,
    ...overrides,
  };
}
