/**
 * The analysis result: the only thing renderers read (CSV, JSON, HTML, PDF, OCSF, console), so
 * every format tells the same story. Plain serialisable data; no functions, no Dates.
 */
import type { CollectionError, CredentialReportProvenance, IsoTimestamp, SnapshotSource, SourceDiscrepancy } from '../snapshot/types.js';

export const RESULT_FORMAT_VERSION = 1 as const;

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
  readonly credentialReport: CredentialReportProvenance | null;
  readonly collectionErrors: readonly CollectionError[];
  readonly discrepancies: readonly SourceDiscrepancy[];
}

export interface RunInfo {
  /** Wall-clock start and end of this analysis run (fixed by SOURCE_DATE_EPOCH). */
  readonly startedAt: string;
  readonly endedAt: string;
  readonly elapsedSeconds: number;
  /** The instant time-based checks measure against: the capture time, or --as-of. */
  readonly asOf: IsoTimestamp;
}

export interface AnalysisResult {
  readonly formatVersion: typeof RESULT_FORMAT_VERSION;
  readonly tool: { readonly name: string; readonly version: string };
  readonly run: RunInfo;
  readonly snapshot: SnapshotIdentity;
  readonly mfa: { readonly findings: readonly MfaFinding[]; readonly summary: MfaSummary };
  readonly inventory: readonly InventoryRow[];
}
