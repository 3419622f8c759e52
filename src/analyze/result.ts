/**
 * The analysis result: the only thing renderers read (CSV, JSON, HTML, PDF, OCSF, console), so
 * every format tells the same story. Plain serialisable data; no functions, no Dates.
 */
import type { PopulationReport } from './populations.js';
import type { Provenance } from './provenance.js';
import type { AccountFactsReport } from './account-facts-types.js';
import type { ParameterRow } from './parameter-types.js';
import type { ChangesSincePrevious } from './previous.js';
import type { AccessKeyFacts, CollectionError, CollectionFacts, CredentialReportProvenance, Fact, IsoTimestamp, MfaFacts, PasswordFacts, SnapshotSource, SourceDiscrepancy } from '../snapshot/types.js';

/**
 * 2: results carry no per-rule fields (severity is in `rules`); an exception key only where one applies.
 * 3: the JSON report's `results` became `resources`: one entry per resource (ARN, type, name and
 * finding key once) with its results (rule, status, evidence and reason only when present).
 * 4: a resource's results keyed by rule id; each distinct reason text once in `reasons`, a result
 * giving its index; the original `findings` one compact object per line (render/json.ts).
 */
export const RESULT_FORMAT_VERSION = 4 as const;

/** The original script's three outcomes, plus the one it never needed: data we do not have. */
export type MfaStatus = 'PASS' | 'FAIL' | 'INFO' | 'NOT_EVALUATED';

export interface MfaFinding {
  readonly username: string;
  readonly arn: string;
  /** null when the data was not collected (then status is NOT_EVALUATED). */
  readonly hasConsoleAccess: boolean | null;
  readonly mfaEnabled: boolean | null;
  readonly status: MfaStatus;
  /** The line the original printed under "Checking: <user>", or why it was not evaluated. */
  readonly message: string;
}

export interface MfaSummary {
  readonly totalUsers: number;
  readonly compliant: number;
  readonly noConsoleAccess: number;
  readonly nonCompliant: number;
  readonly notEvaluated: number;
  readonly consoleUsers: number;
  /** compliant / total users, as the original defined it; null for an account with no users. */
  readonly complianceRate: number | null;
  /** compliant / console users; null when no user has console access. */
  readonly consoleComplianceRate: number | null;
}

/** One row of the user inventory (report appendix). */
export interface InventoryRow {
  readonly username: string;
  readonly arn: string;
  readonly createdAt: IsoTimestamp | null;
  readonly consoleAccess: boolean | null;
  readonly mfaActive: boolean | null;
  readonly mfaDeviceTypes: readonly string[] | null;
  readonly passwordLastUsed: string;
  readonly activeAccessKeys: number | null;
  readonly accessKeysLastUsed: string;
}

/**
 * An identity the rules judge one by one: the root user and every IAM user, with the facts the
 * rules read, exactly as the snapshot holds them (a missing value keeps its reason: the credential
 * report's N/A, no_information, not_supported). The report's per-identity appendix prints these.
 * The facts are the snapshot's own objects, shared, not copies.
 */
export interface IdentityFacts {
  readonly kind: 'root' | 'user';
  /** The user name, or `<root_account>`. */
  readonly name: string;
  readonly arn: string;
  readonly password: PasswordFacts;
  readonly mfa: MfaFacts;
  readonly accessKeys: Fact<readonly AccessKeyFacts[]>;
}

export interface SnapshotIdentity {
  readonly fileName: string;
  readonly sha256: string;
  readonly schemaVersion: number;
  readonly migratedFrom: number | null;
  readonly source: SnapshotSource;
  readonly capturedAt: IsoTimestamp;
  readonly account: { readonly id: string; readonly partition: string; readonly alias: string | null };
  readonly collectedByToolVersion: string;
  /** How the data was obtained: the collection window, the caller, the API calls (zero for an import). */
  readonly collection: CollectionFacts;
  readonly credentialReport: CredentialReportProvenance | null;
  /** How the capture time was obtained, and whether it is only inferred (issue #9). */
  readonly captureTime: CaptureTime;
  readonly collectionErrors: readonly CollectionError[];
  readonly discrepancies: readonly SourceDiscrepancy[];
  /** Each account-wide list's completeness and reconciliation (expected vs collected). */
  readonly populations: readonly PopulationReport[];
  /** Who obtained the data and how, per source, and the limitations of any conclusion from it (issue 25 §5). */
  readonly provenance?: Provenance;
}

/** Where a snapshot's capture time comes from. */
export interface CaptureTime {
  /**
   * `collection`: the end of a live collection; `api`: the credential report's GeneratedTime
   * (live, or the AWS CLI's JSON); `flag`: --generated-at at import; `newest-timestamp-in-file`:
   * inferred from the newest timestamp in the CSV; `unknown`: the snapshot does not record it.
   */
  readonly source: 'collection' | 'api' | 'flag' | 'newest-timestamp-in-file' | 'unknown';
  /** True when nothing recorded the time and it was inferred (then the report may be newer). */
  readonly inferred: boolean;
  /** One sentence for readers, e.g. "Capture time 2026-11-02T08:15:42Z inferred from ...". */
  readonly statement: string;
}

/** An --as-of later than the capture time: the facts of the projection, for every renderer. */
export interface Projection {
  readonly capturedAt: IsoTimestamp;
  readonly asOf: IsoTimestamp;
  /** "Projection to <as-of> of data captured at <capture>, assuming no change since capture; ..." */
  readonly statement: string;
}

export interface RunInfo {
  /** Wall-clock start and end of this analysis run (fixed by SOURCE_DATE_EPOCH). */
  readonly startedAt: string;
  readonly endedAt: string;
  readonly elapsedSeconds: number;
  /** The instant time-based checks measure against: the capture time, or --as-of. */
  readonly asOf: IsoTimestamp;
  /** Set when --as-of is later than the capture time; null when checks are judged at capture. */
  readonly projection: Projection | null;
}

export interface AnalysisResult {
  readonly formatVersion: typeof RESULT_FORMAT_VERSION;
  readonly tool: { readonly name: string; readonly version: string };
  readonly run: RunInfo;
  readonly snapshot: SnapshotIdentity;
  readonly mfa: { readonly findings: readonly MfaFinding[]; readonly summary: MfaSummary };
  /** Empty in a streamed result (`catalogue.streamed`): only the HTML and PDF read it, and they never run on one. */
  readonly inventory: readonly InventoryRow[];
  /** Root (when the snapshot has it) first, then every IAM user in the snapshot's order; empty in a streamed result, as `inventory`. */
  readonly identities: readonly IdentityFacts[];
  /** The rule catalogue's results (issue #4); null until the engine runs. */
  readonly catalogue: CatalogueResult | null;
  /** Remediation tracking settings (issue 10), set by the report use case; absent when not computed. */
  readonly remediation?: RemediationReport;
  /** With `report --previous`: what changed since that earlier archive (issue 13). */
  readonly changesSincePrevious?: ChangesSincePrevious;
  /** The account-level facts judged (password policy, root, support role...), each with its verdicts (issue 25 §3). */
  readonly accountFacts?: AccountFactsReport;
}

// ---------------------------------------------------------------------------------------------
// The rule catalogue's part of the result (issue #4). Renderers show these when present.

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';

/** A rule result's status: the rule's verdict, or the engine's `error` / `excepted`. */
export type RuleResultStatus = 'pass' | 'fail' | 'not_applicable' | 'not_evaluated' | 'error' | 'excepted';

export interface RuleSummary {
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  readonly rationale: string;
  readonly remediation: { readonly console: readonly string[]; readonly cli: string };
  /** The data the rule needs, in words, and where to get it when missing. */
  readonly requires: readonly { readonly requirement: string; readonly description: string; readonly source: string }[];
  /** Every framework control that maps to this rule, e.g. { framework: 'cis-5.0', controlId: '1.9' }. */
  readonly controls: readonly { readonly framework: string; readonly controlId: string }[];
  /** Options in effect for this run (defaults merged with the configuration file). */
  readonly options: Readonly<Record<string, number | boolean | string>>;
  /** Counts of this rule's results by status. */
  readonly counts: Readonly<Record<RuleResultStatus, number>>;
  /** False when the configuration file disabled the rule: it ran on nothing and has no results. */
  readonly enabled: boolean;
}

export interface AppliedException {
  readonly justification: string;
  readonly approvedBy: string;
  readonly expires: string;
  /** The resource pattern as written in the exceptions file. */
  readonly resourcePattern: string;
  /** The entry's position in the exceptions file (0-based): its row in the exceptions register. */
  readonly entryIndex?: number;
  /** When the risk was accepted (YYYY-MM-DD), the ticket recording it, the risk as rated: present only when the file gives them. */
  readonly approvedAt?: string;
  readonly ticket?: string;
  readonly risk?: string;
}

/** A management response to a finding (--responses): what will be done, by whom, by when. */
export interface ManagementResponse {
  readonly response: string;
  readonly owner: string | null;
  /** YYYY-MM-DD as written in the responses file. */
  readonly targetDate: string | null;
}

/**
 * How a failed or excepted result is tracked to closure (issue 10): its owner, its due date from
 * the configuration's per-severity deadlines (counted from the capture time) and the management
 * response. Set by the report use case (app/shared/remediation.ts), not by the engine.
 */
export interface FindingTracking {
  /** From the user's tags or the owners file; null when nothing names one. */
  readonly owner: string | null;
  /** "tag owner", "owners file (svc-*)": where the owner came from; null without an owner. */
  readonly ownerSource: string | null;
  /** YYYY-MM-DD (UTC): capture day plus the severity's deadline; null for an accepted risk or a severity without one. */
  readonly dueDate: string | null;
  /** True when the evaluation time (the capture, or --as-of) is after the due date. */
  readonly overdue: boolean;
  /**
   * The earliest time the finding is known to have failed: an earlier archive's capture (--previous)
   * where it failed too, else this capture. The due date counts from it (issue 25 §6).
   */
  readonly firstDetected?: IsoTimestamp;
  /** True when the report's own date (the run's start) is after the due date. */
  readonly pastDueAtReport?: boolean;
  readonly response: ManagementResponse | null;
}

/** The configuration file's `remediation` section, as written (defaults fill the rest). */
export interface RemediationConfig {
  readonly dueDays?: Readonly<Partial<Record<Severity, number | null>>>;
  readonly ownerTags?: readonly string[];
}

/** The remediation settings in effect and the files they came from (issue 10). */
export interface RemediationReport {
  /** Days from the capture time to the due date, per severity; null: no due date. */
  readonly dueDays: Readonly<Record<Severity, number | null>>;
  /** The instant due dates are counted from: the snapshot's capture time, never the clock (a finding seen failing earlier counts from its firstDetected). */
  readonly dueFrom: IsoTimestamp;
  /** Findings whose due date counts from an earlier detection (--previous), not the capture time. */
  readonly detectedEarlier?: number;
  /** The user tag keys read for an owner, in order. */
  readonly ownerTagKeys: readonly string[];
  /** False when the snapshot carries no user tags (a credential report import). */
  readonly tagsCollected: boolean;
  readonly ownersFile: { readonly name: string; readonly sha256: string } | null;
  readonly responsesFile: { readonly name: string; readonly sha256: string } | null;
  /** Responses that matched no failed or excepted result (a typo, or a finding since fixed). */
  readonly unmatchedResponses: readonly { readonly ruleId: string; readonly resource: string; readonly response: string }[];
}

/** A rule's facts as a result carries them: a flat record of JSON scalars and string arrays (rules/rule.ts FactRecord). */
export type ResultFacts = Readonly<Record<string, string | number | boolean | null | readonly string[]>>;

export interface RuleResult {
  /** Stable across runs and snapshots of the same account: see finding-id.ts. */
  readonly findingId: string;
  readonly ruleId: string;
  readonly severity: Severity;
  readonly resourceType: string;
  readonly resourceArn: string;
  readonly resourceName: string;
  readonly status: RuleResultStatus;
  /**
   * The values judged, as data (issue 26): what the rule's `describe` reads as `evidence`. Set by
   * the engine (null: no evidence); absent in a result read back from a report, which carries the sentence.
   */
  readonly facts?: ResultFacts | null;
  /** The facts in words, formatted once by the engine with the rule's `describe`. */
  readonly evidence: string;
  /** Why not_applicable / not_evaluated / error; null otherwise. */
  readonly reason: string | null;
  /** Set when status is `excepted`. */
  readonly exception: AppliedException | null;
  /** A failure an exception would have covered, had it not expired before the as-of time; else null. */
  readonly expiredException: AppliedException | null;
  /** Owner, due date and management response of a failed or excepted result (absent otherwise). */
  readonly tracking?: FindingTracking;
}

/**
 * `pass_with_exceptions`: every result is clean but at least one failure is covered by a valid
 * exception (an accepted risk): never a plain pass, and counted apart in the framework totals.
 */
export type ControlStatus = 'pass' | 'pass_with_exceptions' | 'fail' | 'not_evaluated' | 'manual';

export interface ControlResult {
  readonly controlId: string;
  readonly title: string;
  readonly level: string | null;
  /** The framework's own assessment status (CIS: Automated or Manual, per version); null when it has none. */
  readonly assessment: 'Automated' | 'Manual' | 'unknown' | null;
  readonly status: ControlStatus;
  readonly ruleIds: readonly string[];
  /** Thresholds judged other than the framework's own, or that the framework leaves open (analyze/parameters.ts); absent when none. */
  readonly parameterNotes?: readonly string[];
}

export interface FrameworkResult {
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly controls: readonly ControlResult[];
  readonly counts: Readonly<Record<ControlStatus, number>>;
  /** The framework's own words for a status, where it has them (SOC 2, ISO: "Exceptions noted" for a failure). */
  readonly statusLabels?: Readonly<Partial<Record<ControlStatus, string>>>;
}

export interface ExceptionsReport {
  /** The exceptions file's name and SHA-256, or null when none was given. */
  readonly file: { readonly name: string; readonly sha256: string } | null;
  readonly expired: readonly { readonly ruleId: string; readonly resourcePattern: string; readonly expires: string; readonly justification: string }[];
  readonly unused: readonly { readonly ruleId: string; readonly resourcePattern: string; readonly justification: string }[];
  /** Every entry of the exceptions file, in file order, with what it covers: the exceptions register. */
  readonly register?: readonly ExceptionRegisterEntry[];
}

export interface ExceptionRegisterEntry {
  /** Position in the exceptions file (0-based); AppliedException.entryIndex points here. */
  readonly index: number;
  readonly ruleId: string;
  readonly resourcePattern: string;
  readonly justification: string;
  readonly approvedBy: string;
  readonly expires: string;
  /** Present only when the exceptions file gives them (issue 25 §6). */
  readonly approvedAt?: string;
  readonly ticket?: string;
  readonly risk?: string;
  /** `expired`: past its expiry at the evaluation time; the failures it named fail again. */
  readonly state: 'active' | 'expired';
  /** Results it excepted (active) or would have excepted (expired: now failing). */
  readonly covered: number;
}

export interface CatalogueResult {
  readonly rules: readonly RuleSummary[];
  /** Every result, in rule order; empty when `streamed` (the results went to the writers as judged). */
  readonly results: readonly RuleResult[];
  /** True when the results were streamed to the writers and are not held here (issue 26). */
  readonly streamed?: true;
  readonly frameworks: readonly FrameworkResult[];
  readonly exceptions: ExceptionsReport;
  /** The configuration in effect: file name and SHA-256, or null for defaults. */
  readonly configuration: { readonly file: { readonly name: string; readonly sha256: string } | null };
  /** Every rule option in effect beside its default and each framework's own value (issue 25 §4). */
  readonly parameters?: readonly ParameterRow[];
}
