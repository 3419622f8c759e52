/**
 * The archive state's types: what `diff`, `trend` and `report --previous` keep of one archived
 * audit (archive-state.ts builds it). Apart from the builder so that the comparison's types
 * (change-types.ts) and the analysis result, which carries "changes since the previous report",
 * can name them without importing the builder (which reads an AnalysisResult).
 */
export type ControlStatusName = 'pass' | 'pass_with_exceptions' | 'fail' | 'not_evaluated' | 'manual';

export interface ArchiveFinding {
  readonly findingId: string;
  readonly ruleId: string;
  readonly severity: string;
  readonly resourceType: string;
  readonly resourceArn: string;
  readonly resourceName: string;
  /** pass, fail, not_applicable, not_evaluated, error or excepted. */
  readonly status: string;
  /** The applied exception's expiry (status excepted), else null. */
  readonly exceptionExpires: string | null;
  /** A failure an expired exception would have covered: its expiry, else null. */
  readonly expiredExceptionExpires: string | null;
  /** What the rule saw (absent in states built before it was kept). */
  readonly evidence?: string | null;
  /** A failure's first detection as that archive's report knew it (report JSON `tracking.first_detected`); absent otherwise. */
  readonly firstDetected?: string | null;
}

export interface ArchiveControl {
  readonly framework: string;
  readonly controlId: string;
  readonly title: string;
  readonly status: ControlStatusName;
  readonly ruleIds: readonly string[];
}

export interface ArchiveFramework {
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly counts: Readonly<Record<ControlStatusName, number>>;
  readonly controls: readonly ArchiveControl[];
}

export interface ArchiveKey {
  /** The access key id when the source carries it (live collection), else null. */
  readonly id: string | null;
  /** The credential report's slot (1 or 2), else null. */
  readonly slot: 1 | 2 | null;
  readonly active: boolean;
  readonly createdAt: string | null;
}

export interface ArchiveIdentity {
  readonly name: string;
  readonly arn: string;
  readonly consoleAccess: boolean | null;
  readonly mfaActive: boolean | null;
  /** null when the keys are not known (not collected, or a report JSON without its snapshot). */
  readonly keys: readonly ArchiveKey[] | null;
}

/** The password policy: its settings, `absent` (none set), or `unknown` (not collected). */
export type ArchivePasswordPolicy =
  | { readonly state: 'unknown'; readonly reason: string }
  | { readonly state: 'absent' }
  | { readonly state: 'present'; readonly settings: Readonly<Record<string, number | boolean | null>> };

export interface ArchiveState {
  /** What the file was: a snapshot analysed now, or a report JSON analysed when it was written. */
  readonly kind: 'snapshot' | 'report-json';
  readonly fileName: string;
  readonly fileSha256: string;
  /** The snapshot behind it: the file itself, or the one the report JSON names. */
  readonly snapshotFile: string;
  readonly snapshotSha256: string;
  readonly account: { readonly id: string; readonly partition: string; readonly alias: string | null };
  readonly capturedAt: string;
  readonly evaluatedAsOf: string;
  /** SHA-256 of the configuration and exceptions files the results were judged with (null: none). */
  readonly configurationSha256: string | null;
  readonly exceptionsSha256: string | null;
  readonly rules: readonly { readonly id: string; readonly title: string; readonly severity: string; readonly options: Readonly<Record<string, number | boolean | string>>; readonly fix?: string | null }[];
  readonly findings: readonly ArchiveFinding[];
  readonly frameworks: readonly ArchiveFramework[];
  readonly mfa: {
    readonly totalUsers: number;
    readonly compliant: number;
    readonly nonCompliant: number;
    readonly consoleUsers: number;
    /** Compliant users / all users, 0..1; null without users. */
    readonly complianceRate: number | null;
    readonly consoleComplianceRate: number | null;
  };
  /** IAM users (root is `root`); null when not known. */
  readonly users: readonly ArchiveIdentity[] | null;
  readonly root: ArchiveIdentity | null;
  readonly passwordPolicy: ArchivePasswordPolicy;
  /** Why some identity facts are missing (a report JSON without its snapshot), else null. */
  readonly factsNote: string | null;
}
