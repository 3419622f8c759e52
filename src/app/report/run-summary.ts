import type { RuleResultStatus } from '../../analyze/result.js';
import type { ExitCodeValue } from '../../util/errors.js';
import { decideExitCode, EXIT_PRECEDENCE, type ExitReason } from '../shared/exit-status.js';
import type { GateFinding, OutputFormat, ReportOutcome } from './report.js';

/** Bumped when a field of the --json summary changes meaning or goes away. */
export const RUN_SUMMARY_VERSION = 1;

/**
 * What `report --json` / `audit --json` print on stdout: one JSON object, so a script reads the
 * file names, counts and outcome without globbing time-stamped names or parsing the console.
 */
export interface RunSummary {
  readonly summary_version: typeof RUN_SUMMARY_VERSION;
  readonly exit_code: ExitCodeValue;
  /** The reason behind exit_code; null when 0. */
  readonly exit_reason: string | null;
  /** Every reason that applied, highest precedence first. */
  readonly exit_reasons: readonly { readonly code: ExitCodeValue; readonly reason: string }[];
  /** The snapshot `audit` wrote (null for `report`, which reads one). */
  readonly snapshot_written: string | null;
  readonly snapshot_read: string;
  readonly files: readonly string[];
  readonly missing_formats: readonly OutputFormat[];
  readonly counts: {
    readonly users: { readonly total: number; readonly compliant: number; readonly non_compliant: number; readonly no_console_access: number; readonly not_evaluated: number };
    /** Rule results by status, over every rule. */
    readonly rule_results: Readonly<Record<RuleResultStatus, number>>;
    readonly collection_errors: number;
  };
  readonly gate_findings: readonly { readonly rule: string; readonly severity: string; readonly resource: string }[];
}

const RULE_STATUSES: readonly RuleResultStatus[] = ['pass', 'fail', 'not_applicable', 'not_evaluated', 'error', 'excepted'];

/** The summary of a report run; `extraReasons` are the caller's own (audit's partial collection). */
export function buildRunSummary(
  outcome: ReportOutcome,
  context: { readonly snapshotRead: string; readonly snapshotWritten: string | null; readonly extraReasons?: readonly ExitReason[] },
): RunSummary {
  const reasons = [...outcome.exitReasons, ...(context.extraReasons ?? [])];
  const exitCode = decideExitCode(reasons);
  const ordered = [...reasons].sort((a, b) => precedenceIndex(a.code) - precedenceIndex(b.code));
  const ruleResults = Object.fromEntries(RULE_STATUSES.map((status) => [status, 0])) as Record<RuleResultStatus, number>;
  // The rules' counts: every result, also when they were streamed to the writers and not held.
  for (const rule of outcome.result.catalogue?.rules ?? []) for (const status of RULE_STATUSES) ruleResults[status] += rule.counts[status];
  const mfa = outcome.result.mfa.summary;
  return {
    summary_version: RUN_SUMMARY_VERSION,
    exit_code: exitCode,
    exit_reason: ordered[0]?.reason ?? null,
    exit_reasons: ordered.map((item) => ({ code: item.code, reason: item.reason })),
    snapshot_written: context.snapshotWritten,
    snapshot_read: context.snapshotRead,
    files: outcome.writtenFiles,
    missing_formats: outcome.missingFormats,
    counts: {
      users: { total: mfa.totalUsers, compliant: mfa.compliant, non_compliant: mfa.nonCompliant, no_console_access: mfa.noConsoleAccess, not_evaluated: mfa.notEvaluated },
      rule_results: ruleResults,
      collection_errors: outcome.result.snapshot.collectionErrors.length,
    },
    gate_findings: outcome.gateFindings.map((item: GateFinding) => ({ rule: item.ruleId, severity: item.severity, resource: item.resource })),
  };
}

function precedenceIndex(code: ExitCodeValue): number {
  return EXIT_PRECEDENCE.indexOf(code);
}
