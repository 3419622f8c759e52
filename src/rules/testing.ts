/**
 * Snapshot builders for the rules' test tables: a case reads as the situation it tests,
 *
 *   snapshotWith({ users: [user('alice', { console: true, mfa: false, keys: [key({ created: daysAgo(91) })] })] })
 *
 * and still produces a valid Snapshot (test/rules-table.test.ts runs every table's snapshots
 * through validateSnapshot). Times are given relative to CAPTURED_AT, the default capture time.
 *
 * Defaults follow a credential-report import: passwords, MFA status and keys are known; MFA
 * devices, policies and every account-wide fact are not collected unless a case gives them.
 */
import { populationOfFact } from '../snapshot/populations.js';
import {
  absent,
  completePopulation,
  CURRENT_SCHEMA_VERSION,
  emptyAccountFacts,
  known,
  NOT_COLLECTED,
  notCollectedPopulation,
  type AccessKeyFacts,
  type AccountFacts,
  type Fact,
  type GroupFacts,
  type InlinePolicy,
  type ManagedPolicy,
  type MfaDevice,
  type MfaDeviceType,
  type PasswordPolicy,
  type PasswordPolicyState,
  type PolicyAttachment,
  type Populations,
  type RoleFacts,
  type RootFacts,
  type ServerCertificateFacts,
  type Snapshot,
  type SnapshotSource,
  type UserFacts,
} from '../snapshot/types.js';
import { MS_PER_DAY, toIsoUtc } from '../util/time.js';

export const ACCOUNT_ID = '123456789012';
export const CAPTURED_AT = '2026-06-01T00:00:00Z';
export const ROOT_ARN = `arn:aws:iam::${ACCOUNT_ID}:root`;

/** The instant `days` days (plus `seconds`) before `from` (default CAPTURED_AT), as the snapshot writes it. */
export function daysAgo(days: number, seconds = 0, from: string = CAPTURED_AT): string {
  return toIsoUtc(new Date(Date.parse(from) - days * MS_PER_DAY - seconds * 1000));
}

/**
 * A timestamp cell as the credential report has it: an ISO time, or one of its placeholders
 * (`N/A`, `no_information`, `not_supported`), or `not_collected` / `collection_failed`.
 */
export type TimeSpec = string | 'N/A' | 'no_information' | 'not_supported' | 'not_collected' | 'collection_failed';

function timeFact(spec: TimeSpec): Fact<string> {
  switch (spec) {
    case 'N/A':
      return absent('not_applicable');
    case 'no_information':
      return absent('no_information');
    case 'not_supported':
      return absent('not_supported');
    case 'not_collected':
      return NOT_COLLECTED;
    case 'collection_failed':
      return absent('collection_failed');
    default:
      return known(spec);
  }
}

/** `'unknown'` builds a not-collected fact; anything else is known. */
type Maybe<T> = T | 'unknown';
function maybe<T>(value: Maybe<T>): Fact<T> {
  return value === 'unknown' ? NOT_COLLECTED : known(value);
}

export interface KeySpec {
  readonly active?: boolean;
  readonly created: TimeSpec;
  /** Default `N/A`: never used. */
  readonly lastUsed?: TimeSpec;
  /** Report slot; default by position (1, 2). Give null for API-listed keys. */
  readonly slot?: 1 | 2 | null;
  readonly id?: string;
}

/** An access key, active unless said otherwise, never used unless said otherwise. */
export function key(spec: KeySpec): KeySpec {
  return spec;
}

function keyFacts(spec: KeySpec, position: number): AccessKeyFacts {
  const lastUsed = timeFact(spec.lastUsed ?? 'N/A');
  return {
    slot: spec.slot === undefined ? (position === 0 ? 1 : 2) : spec.slot,
    id: spec.id === undefined ? NOT_COLLECTED : known(spec.id),
    active: spec.active ?? true,
    createdAt: timeFact(spec.created),
    lastUsed,
    lastUsedRegion: lastUsed.known ? known('us-east-1') : lastUsed,
    lastUsedService: lastUsed.known ? known('iam') : lastUsed,
  };
}

export interface PrincipalSpec {
  /** Default 400 days before CAPTURED_AT. */
  readonly created?: TimeSpec;
  /** Whether a console password exists; 'not_supported' as on older reports' root row. */
  readonly console?: boolean | 'not_supported' | 'unknown';
  /** Default: `N/A` without a password, 1 day ago with one. */
  readonly passwordLastUsed?: TimeSpec;
  /** Default: `N/A` without a password, the creation time with one. */
  readonly passwordLastChanged?: TimeSpec;
  readonly mfa?: Maybe<boolean>;
  readonly keys?: Maybe<readonly KeySpec[]>;
}

export interface UserSpec extends PrincipalSpec {
  readonly mfaDevices?: Maybe<readonly MfaDevice[]>;
  readonly groups?: Maybe<readonly string[]>;
  readonly attachedPolicies?: Maybe<readonly PolicyAttachment[]>;
  readonly inlinePolicies?: Maybe<readonly InlinePolicy[]>;
}

function principal(arn: string, spec: PrincipalSpec, isRoot: boolean): RootFacts {
  const created = spec.created ?? daysAgo(400);
  const consoleSpec = spec.console ?? false;
  const enabled: Fact<boolean> =
    consoleSpec === 'not_supported' ? absent('not_supported') : consoleSpec === 'unknown' ? NOT_COLLECTED : known(consoleSpec);
  const hasPassword = consoleSpec !== false;
  return {
    arn,
    createdAt: timeFact(created),
    password: {
      enabled,
      lastUsed: timeFact(spec.passwordLastUsed ?? (hasPassword ? daysAgo(1) : 'N/A')),
      lastChanged: timeFact(spec.passwordLastChanged ?? (isRoot ? 'not_supported' : hasPassword ? created : 'N/A')),
      nextRotation: isRoot ? absent('not_supported') : absent('not_applicable'),
      resetRequired: NOT_COLLECTED,
    },
    mfa: { active: maybe(spec.mfa ?? false), devices: NOT_COLLECTED },
    accessKeys: spec.keys === 'unknown' ? NOT_COLLECTED : known((spec.keys ?? []).map(keyFacts)),
    signingCertificates: known([]),
  };
}

export function user(name: string, spec: UserSpec = {}): UserFacts {
  const base = principal(`arn:aws:iam::${ACCOUNT_ID}:user/${name}`, spec, false);
  return {
    name,
    userId: NOT_COLLECTED,
    path: known('/'),
    ...base,
    mfa: { active: base.mfa.active, devices: maybe(spec.mfaDevices ?? 'unknown') },
    groups: maybe(spec.groups ?? 'unknown'),
    attachedPolicies: maybe(spec.attachedPolicies ?? 'unknown'),
    inlinePolicies: maybe(spec.inlinePolicies ?? 'unknown'),
    tags: NOT_COLLECTED,
  };
}

/** The root user; by default with a password used a day ago, MFA on and no keys. */
export function rootUser(spec: PrincipalSpec = {}): RootFacts {
  return principal(ROOT_ARN, { console: true, mfa: true, ...spec }, true);
}

/** An MFA device of the given type, serial shaped as IAM shapes it. */
export function mfaDevice(type: MfaDeviceType, name = 'device'): MfaDevice {
  const serial =
    type === 'virtual'
      ? `arn:aws:iam::${ACCOUNT_ID}:mfa/${name}`
      : type === 'fido'
        ? `arn:aws:iam::${ACCOUNT_ID}:u2f/user/${name}/ABCDEFGHIJKLMNOP`
        : `GAHT${name.toUpperCase()}`;
  return { serialNumber: serial, type, enabledAt: known(daysAgo(100)) };
}

/** A password policy meeting every CIS threshold, with overrides. */
export function passwordPolicy(overrides: Partial<PasswordPolicy> = {}): Fact<PasswordPolicyState> {
  return known({
    present: true,
    minimumPasswordLength: 14,
    requireSymbols: true,
    requireNumbers: true,
    requireUppercaseCharacters: true,
    requireLowercaseCharacters: true,
    allowUsersToChangePassword: true,
    expirePasswords: true,
    maxPasswordAge: 90,
    passwordReusePrevention: 24,
    hardExpiry: false,
    ...overrides,
  });
}

/** IAM's NoSuchEntity: the account has no password policy. */
export const NO_PASSWORD_POLICY: Fact<PasswordPolicyState> = known({ present: false });

export function awsManagedPolicyArn(name: string): string {
  return `arn:aws:iam::aws:policy/${name}`;
}

export function attachment(name: string, arn = awsManagedPolicyArn(name)): PolicyAttachment {
  return { policyName: name, policyArn: arn };
}

/** A policy document allowing `action` on `resource`. */
export function allowDocument(action: string | readonly string[], resource: string | readonly string[] = '*'): unknown {
  return { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: resource }] };
}

export function managedPolicy(
  name: string,
  spec: { attachmentCount: number; document: unknown | 'unknown'; awsManaged?: boolean },
): ManagedPolicy {
  const awsManaged = spec.awsManaged ?? false;
  return {
    arn: awsManaged ? awsManagedPolicyArn(name) : `arn:aws:iam::${ACCOUNT_ID}:policy/${name}`,
    name,
    attachmentCount: spec.attachmentCount,
    isAwsManaged: awsManaged,
    document: spec.document === 'unknown' ? NOT_COLLECTED : known(spec.document),
  };
}

export function group(name: string, spec: { attached?: readonly PolicyAttachment[]; inline?: readonly InlinePolicy[] } = {}): GroupFacts {
  return { name, arn: `arn:aws:iam::${ACCOUNT_ID}:group/${name}`, attachedPolicies: spec.attached ?? [], inlinePolicies: spec.inline ?? [] };
}

export function role(name: string, spec: { attached?: readonly PolicyAttachment[]; inline?: readonly InlinePolicy[] } = {}): RoleFacts {
  return { name, arn: `arn:aws:iam::${ACCOUNT_ID}:role/${name}`, attachedPolicies: spec.attached ?? [], inlinePolicies: spec.inline ?? [] };
}

export function serverCertificate(name: string, expiration: TimeSpec): ServerCertificateFacts {
  return {
    name,
    arn: `arn:aws:iam::${ACCOUNT_ID}:server-certificate/${name}`,
    expiration: timeFact(expiration),
    uploadedAt: known(daysAgo(500)),
  };
}

export interface SnapshotSpec {
  readonly capturedAt?: string;
  readonly source?: SnapshotSource;
  /** Default: a root with password, MFA and no keys. null: the report had no root row. */
  readonly root?: RootFacts | null;
  readonly users?: readonly UserFacts[];
  /** Account-wide facts given; the rest are not collected. */
  readonly accountFacts?: Partial<AccountFacts>;
  /** Population states given; the rest follow from the facts (see defaultPopulations). */
  readonly populations?: Partial<Populations>;
}

/**
 * Users complete (as a credential report's are); the account-wide lists complete where their fact
 * is known, incomplete where it failed, not collected otherwise; MFA devices complete when any
 * user's device list is known.
 */
function defaultPopulations(users: readonly UserFacts[], accountFacts: AccountFacts): Populations {
  const devices = users.reduce((sum, user) => sum + (user.mfa.devices.known ? user.mfa.devices.value.length : 0), 0);
  return {
    users: completePopulation(users.length),
    mfaDevices: users.some((user) => user.mfa.devices.known) ? completePopulation(devices) : notCollectedPopulation('no device lists in this test snapshot'),
    managedPolicies: populationOfFact(accountFacts.managedPolicies, 'managed policies'),
    groups: populationOfFact(accountFacts.groups, 'groups'),
    roles: populationOfFact(accountFacts.roles, 'roles'),
    virtualMfaDevices: populationOfFact(accountFacts.virtualMfaDevices, 'virtual MFA devices'),
    serverCertificates: populationOfFact(accountFacts.serverCertificates, 'server certificates'),
  };
}

export function snapshotWith(spec: SnapshotSpec = {}): Snapshot {
  const capturedAt = spec.capturedAt ?? CAPTURED_AT;
  const users = spec.users ?? [];
  const accountFacts: AccountFacts = { ...emptyAccountFacts(), ...spec.accountFacts };
  return {
    schemaVersion: CURRENT_SCHEMA_VERSION,
    source: spec.source ?? 'credential-report',
    capturedAt,
    collection: { startedAt: capturedAt, endedAt: capturedAt, callerArn: null, region: null, apiCalls: 0, retries: 0 },
    credentialReport: null,
    account: { id: ACCOUNT_ID, partition: 'aws' },
    tool: { name: 'iam-audit', version: '0.0.0-test' },
    root: spec.root === undefined ? rootUser() : spec.root,
    users,
    accountFacts,
    collectionErrors: [],
    discrepancies: [],
    populations: { ...defaultPopulations(users, accountFacts), ...spec.populations },
  };
}
