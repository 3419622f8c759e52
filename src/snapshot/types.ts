/**
 * The snapshot: the contract between collection (live API or credential-report import) and
 * everything after it. Plain JSON, versioned, validated on read (see snapshot.schema.json).
 *
 * The snapshot knows nothing of analysis, rendering or AWS clients: this module imports nothing
 * from the rest of the project.
 *
 * Every fact that a source may not provide is a `Fact<T>`: either a value, or the reason there is
 * none. The credential report's `N/A`, `no_information` and `not_supported` are parsed once, at
 * import, into these reasons; nothing downstream ever compares raw CSV strings.
 */

export const CURRENT_SCHEMA_VERSION = 2 as const;

/** Why a fact has no value. */
export type AbsenceReason =
  /** `N/A`: does not apply (no password, no key, key never used). */
  | 'not_applicable'
  /** `no_information`: password never used, or not since IAM began tracking (2014-10-20). */
  | 'no_information'
  /** `not_supported`: the field does not exist for this principal (root's password rotation). */
  | 'not_supported'
  /** The source does not carry this fact (e.g. a credential report has no policies). */
  | 'not_collected'
  /** The source should have carried it but the collection failed (see collectionErrors). */
  | 'collection_failed';

export type Known<T> = { readonly known: true; readonly value: T };
export type Absent = { readonly known: false; readonly reason: AbsenceReason; readonly detail?: string };
export type Fact<T> = Known<T> | Absent;

/** ISO 8601 timestamp in UTC with a `Z` suffix, e.g. 2026-01-02T14:30:00Z. */
export type IsoTimestamp = string;

export type SnapshotSource = 'credential-report' | 'aws-api';

export interface PasswordFacts {
  /** Whether a console password exists. Root: `not_supported` on older reports. */
  readonly enabled: Fact<boolean>;
  readonly lastUsed: Fact<IsoTimestamp>;
  readonly lastChanged: Fact<IsoTimestamp>;
  readonly nextRotation: Fact<IsoTimestamp>;
  /** From GetLoginProfile (live collection only). */
  readonly resetRequired: Fact<boolean>;
}

export type MfaDeviceType = 'virtual' | 'fido' | 'hardware-totp' | 'unknown';

export interface MfaDevice {
  readonly serialNumber: string;
  readonly type: MfaDeviceType;
  readonly enabledAt: Fact<IsoTimestamp>;
}

export interface MfaFacts {
  /** Whether at least one MFA device is active for the principal. */
  readonly active: Fact<boolean>;
  /** The devices with their type; the credential report does not list them. */
  readonly devices: Fact<readonly MfaDevice[]>;
}

export interface AccessKeyFacts {
  /** The credential report's slot (1 or 2); null when listed by the API. */
  readonly slot: 1 | 2 | null;
  /** The access key id; the credential report does not carry it. */
  readonly id: Fact<string>;
  readonly active: boolean;
  /** Creation (or last rotation) time: the report's `access_key_N_last_rotated`. */
  readonly createdAt: Fact<IsoTimestamp>;
  readonly lastUsed: Fact<IsoTimestamp>;
  readonly lastUsedRegion: Fact<string>;
  readonly lastUsedService: Fact<string>;
}

export interface SigningCertificateFacts {
  readonly slot: 1 | 2 | null;
  readonly active: boolean;
  readonly lastRotated: Fact<IsoTimestamp>;
}

export interface PolicyAttachment {
  readonly policyName: string;
  readonly policyArn: string;
}

export interface InlinePolicy {
  readonly policyName: string;
  /** The policy document, parsed JSON (URL-decoded by the collector). */
  readonly document: unknown;
}

export interface PrincipalFacts {
  readonly arn: string;
  readonly createdAt: Fact<IsoTimestamp>;
  readonly password: PasswordFacts;
  readonly mfa: MfaFacts;
  /** All keys known for the principal, active or not. An empty list means "has no keys". */
  readonly accessKeys: Fact<readonly AccessKeyFacts[]>;
  readonly signingCertificates: Fact<readonly SigningCertificateFacts[]>;
}

export interface UserFacts extends PrincipalFacts {
  readonly name: string;
  readonly userId: Fact<string>;
  readonly path: Fact<string>;
  readonly groups: Fact<readonly string[]>;
  readonly attachedPolicies: Fact<readonly PolicyAttachment[]>;
  readonly inlinePolicies: Fact<readonly InlinePolicy[]>;
  readonly tags: Fact<Readonly<Record<string, string>>>;
}

export type RootFacts = PrincipalFacts;

export interface PasswordPolicy {
  readonly minimumPasswordLength: number | null;
  readonly requireSymbols: boolean;
  readonly requireNumbers: boolean;
  readonly requireUppercaseCharacters: boolean;
  readonly requireLowercaseCharacters: boolean;
  readonly allowUsersToChangePassword: boolean;
  readonly expirePasswords: boolean;
  readonly maxPasswordAge: number | null;
  readonly passwordReusePrevention: number | null;
  readonly hardExpiry: boolean;
}

/** `present: false` is IAM's NoSuchEntity: no policy set, which differs from "not collected". */
export type PasswordPolicyState = { readonly present: false } | ({ readonly present: true } & PasswordPolicy);

export interface ManagedPolicy {
  readonly arn: string;
  readonly name: string;
  /** Number of principals (users, groups, roles) the policy is attached to. */
  readonly attachmentCount: number;
  readonly isAwsManaged: boolean;
  /** Default version's document, parsed JSON. */
  readonly document: Fact<unknown>;
}

export interface GroupFacts {
  readonly name: string;
  readonly arn: string;
  readonly attachedPolicies: readonly PolicyAttachment[];
  readonly inlinePolicies: readonly InlinePolicy[];
}

export interface RoleFacts {
  readonly name: string;
  readonly arn: string;
  readonly attachedPolicies: readonly PolicyAttachment[];
  readonly inlinePolicies: readonly InlinePolicy[];
  /**
   * The trust policy (AssumeRolePolicyDocument, parsed JSON): who can assume the role. Optional:
   * snapshots written before it was collected lack it, which reads as `not_collected`.
   */
  readonly trustPolicy?: Fact<unknown>;
  /**
   * RoleLastUsed's LastUsedDate. Optional as trustPolicy. `no_information`: IAM gave no date (never
   * used, or not within IAM's tracking period of about 400 days).
   */
  readonly lastUsed?: Fact<IsoTimestamp>;
  /** RoleLastUsed's Region; `no_information` when IAM gave none. */
  readonly lastUsedRegion?: Fact<string>;
}

export interface ServerCertificateFacts {
  readonly name: string;
  readonly arn: string;
  readonly expiration: Fact<IsoTimestamp>;
  readonly uploadedAt: Fact<IsoTimestamp>;
}

export interface VirtualMfaDevice {
  readonly serialNumber: string;
  /** ARN of the user (or the root ARN) the device is assigned to, if any. */
  readonly assignedTo: string | null;
}

/** Account-wide facts. The credential report provides none of them. */
export interface AccountFacts {
  readonly alias: Fact<string>;
  /** GetAccountSummary's SummaryMap. */
  readonly summary: Fact<Readonly<Record<string, number>>>;
  readonly passwordPolicy: Fact<PasswordPolicyState>;
  readonly virtualMfaDevices: Fact<readonly VirtualMfaDevice[]>;
  readonly managedPolicies: Fact<readonly ManagedPolicy[]>;
  readonly groups: Fact<readonly GroupFacts[]>;
  readonly roles: Fact<readonly RoleFacts[]>;
  readonly serverCertificates: Fact<readonly ServerCertificateFacts[]>;
}

export interface CollectionError {
  /** The API (e.g. `iam:ListMFADevices`) or input that failed. */
  readonly api: string;
  /** The resource concerned (user ARN, `account`), or null for account-wide calls. */
  readonly resource: string | null;
  /** AWS error code or our own code. */
  readonly code: string;
  readonly message: string;
  /** The snapshot fields left `collection_failed` because of this error. */
  readonly affects: readonly string[];
}

/** A difference between the live API and the credential report (source `both`). */
export interface SourceDiscrepancy {
  readonly resource: string;
  readonly field: string;
  readonly liveValue: string;
  readonly credentialReportValue: string;
}

export interface CredentialReportProvenance {
  readonly generatedAt: IsoTimestamp;
  /** How generatedAt was obtained. */
  readonly generatedAtSource: 'flag' | 'api' | 'newest-timestamp-in-file';
  readonly fileName: string | null;
  readonly sha256: string;
  /** Columns the report lacked (legacy layouts); their facts are `not_collected`. */
  readonly missingColumns: readonly string[];
  readonly columnCount: number;
}

export interface CollectionFacts {
  readonly startedAt: IsoTimestamp;
  readonly endedAt: IsoTimestamp;
  readonly callerArn: string | null;
  readonly region: string | null;
  readonly apiCalls: number;
  readonly retries: number;
  /** Per API operation (optional: older snapshots and imports leave it out); sums to apiCalls and retries. */
  readonly apiCallsByOperation?: readonly ApiOperationCalls[];
  /**
   * The operating-system user and host that imported or collected the data (issue 25 §5); absent
   * in snapshots made before it was recorded, null values with a note when it could not be.
   */
  readonly recordedBy?: { readonly user: string | null; readonly host: string | null; readonly note: string | null };
}

/** One AWS API operation's share of a collection's calls. */
export interface ApiOperationCalls {
  /** The IAM/STS action, e.g. iam:ListUsers. */
  readonly api: string;
  /** Calls made (each counted once, however many attempts it took). */
  readonly calls: number;
  /** Further attempts after a throttled or failed one. */
  readonly retries: number;
  /** Calls answered with an error after their retries (GetLoginProfile's NoSuchEntity for a user without a password included). */
  readonly errors: number;
  /** The run clock when the first call started and when the last one finished; null when not recorded. */
  readonly firstCallAt: IsoTimestamp | null;
  readonly lastCallAt: IsoTimestamp | null;
}

/**
 * The lists a verdict over "every X" rests on. A rule can only pass for the whole account when the
 * list it judged is known to be complete; see Snapshot.populations.
 */
export const POPULATIONS = ['users', 'mfaDevices', 'managedPolicies', 'groups', 'roles', 'virtualMfaDevices', 'serverCertificates'] as const;
export type PopulationName = (typeof POPULATIONS)[number];

/**
 * complete: every member was listed and every cross-check agreed; incomplete: a page or call
 * failed, or an independent count disagreed; not_collected: the source does not carry this list.
 */
export type PopulationState = 'complete' | 'incomplete' | 'not_collected';

export interface PopulationStatus {
  readonly state: PopulationState;
  /** Why it is not complete, in words (the failed call, the mismatch); null when complete. */
  readonly reason: string | null;
  /** How many members the snapshot holds. */
  readonly collected: number;
  /** The count an independent source gives (GetAccountSummary, the credential report), or null when none was available. */
  readonly expected: number | null;
  /** Where `expected` came from, e.g. "iam:GetAccountSummary Users"; null when expected is null. */
  readonly expectedSource: string | null;
}

/**
 * Per-user lists (a user's MFA devices, keys, policies, groups) are Facts instead: a known list is
 * complete by contract, and a list that could not be read to its end is `collection_failed`.
 */
export type Populations = Readonly<Record<PopulationName, PopulationStatus>>;

export interface Snapshot {
  readonly schemaVersion: typeof CURRENT_SCHEMA_VERSION;
  readonly source: SnapshotSource;
  /** The moment the data describes: the report's generation time, or the live collection's end. */
  readonly capturedAt: IsoTimestamp;
  readonly collection: CollectionFacts;
  readonly credentialReport: CredentialReportProvenance | null;
  readonly account: { readonly id: string; readonly partition: string };
  readonly tool: { readonly name: string; readonly version: string };
  readonly root: RootFacts | null;
  readonly users: readonly UserFacts[];
  readonly accountFacts: AccountFacts;
  readonly collectionErrors: readonly CollectionError[];
  readonly discrepancies: readonly SourceDiscrepancy[];
  /** Whether each account-wide list is complete, and how that was checked (expected vs collected). */
  readonly populations: Populations;
}

export const known = <T>(value: T): Known<T> => ({ known: true, value });
// One shared, frozen object per reason: a 100,000-user import would otherwise allocate millions
// of identical absence facts.
const SHARED_ABSENCES: Readonly<Record<AbsenceReason, Absent>> = {
  not_applicable: Object.freeze({ known: false, reason: 'not_applicable' }),
  no_information: Object.freeze({ known: false, reason: 'no_information' }),
  not_supported: Object.freeze({ known: false, reason: 'not_supported' }),
  not_collected: Object.freeze({ known: false, reason: 'not_collected' }),
  collection_failed: Object.freeze({ known: false, reason: 'collection_failed' }),
};
export const absent = (reason: AbsenceReason, detail?: string): Absent =>
  detail === undefined ? SHARED_ABSENCES[reason] : { known: false, reason, detail };

/** Facts a source does not provide at all. */
export const NOT_COLLECTED: Absent = SHARED_ABSENCES.not_collected;

export const emptyAccountFacts = (): AccountFacts => ({
  alias: NOT_COLLECTED,
  summary: NOT_COLLECTED,
  passwordPolicy: NOT_COLLECTED,
  virtualMfaDevices: NOT_COLLECTED,
  managedPolicies: NOT_COLLECTED,
  groups: NOT_COLLECTED,
  roles: NOT_COLLECTED,
  serverCertificates: NOT_COLLECTED,
});

export const completePopulation = (collected: number, expected: number | null = null, expectedSource: string | null = null): PopulationStatus => ({
  state: 'complete',
  reason: null,
  collected,
  expected,
  expectedSource: expected === null ? null : expectedSource,
});

export const notCollectedPopulation = (reason: string): PopulationStatus => ({ state: 'not_collected', reason, collected: 0, expected: null, expectedSource: null });

export const incompletePopulation = (reason: string, collected: number, expected: number | null = null, expectedSource: string | null = null): PopulationStatus => ({
  state: 'incomplete',
  reason,
  collected,
  expected,
  expectedSource: expected === null ? null : expectedSource,
});
