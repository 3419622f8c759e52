/**
 * The analysis result: the only thing renderers read (CSV, JSON, HTML, PDF, OCSF, console), so
 * every format tells the same story. Plain serialisable data; no functions, no Dates.
 */
import type { PopulationReport } from './populations.js';
import type { CollectionError, CollectionFacts, CredentialReportProvenance, IsoTimestamp, SnapshotSource, SourceDiscrepancy } from '../snapshot/types.js';

/** 2: results carry no per-rule fields (severity is in `rules`); an exception key only where one applies. */
export const RESULT_FORMAT_VERSION = 2 as const;

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
  readonly inventory: readonly InventoryRow[];
  /** The rule catalogue's results (issue #4); null until the engine runs. */
  readonly catalogue: CatalogueResult | null;
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
}

export interface RuleResult {
  readonly ruleId: string;
  readonly severity: Severity;
  readonly resourceType: string;
  readonly resourceArn: string;
  readonly resourceName: string;
  readonly status: RuleResultStatus;
  readonly evidence: string;
  /** Why not_applicable / not_evaluated / error; null otherwise. */
  readonly reason: string | null;
  /** Set when status is `excepted`. */
  readonly exception: AppliedException | null;
  /** A failure an exception would have covered, had it not expired before the as-of time; else null. */
  readonly expiredException: AppliedException | null;
}

export type ControlStatus = 'pass' | 'fail' | 'not_evaluated' | 'manual';

export interface ControlResult {
  readonly controlId: string;
  readonly title: string;
  readonly level: string | null;
  readonly status: ControlStatus;
  readonly ruleIds: readonly string[];
}

export interface FrameworkResult {
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly controls: readonly ControlResult[];
  readonly counts: Readonly<Record<ControlStatus, number>>;
}

export interface ExceptionsReport {
  /** The exceptions file's name and SHA-256, or null when none was given. */
  readonly file: { readonly name: string; readonly sha256: string } | null;
  readonly expired: readonly { readonly ruleId: string; readonly resourcePattern: string; readonly expires: string; readonly justification: string }[];
  readonly unused: readonly { readonly ruleId: string; readonly resourcePattern: string; readonly justification: string }[];
}

export interface CatalogueResult {
  readonly rules: readonly RuleSummary[];
  readonly results: readonly RuleResult[];
  readonly frameworks: readonly FrameworkResult[];
  readonly exceptions: ExceptionsReport;
  /** The configuration in effect: file name and SHA-256, or null for defaults. */
  readonly configuration: { readonly file: { readonly name: string; readonly sha256: string } | null };
}
