/**
 * One point of `iam-audit trend`: the few figures kept of one archived audit, so that any number
 * of archives can be read one at a time (the snapshot is dropped once its point is made).
 */
import type { ArchiveState, ControlStatusName } from './archive-state.js';

export const TREND_SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;

export interface TrendPoint {
  readonly fileName: string;
  readonly kind: ArchiveState['kind'];
  readonly snapshotSha256: string;
  readonly capturedAt: string;
  readonly account: ArchiveState['account'];
  readonly frameworks: readonly { readonly id: string; readonly name: string; readonly counts: Readonly<Record<ControlStatusName, number>> }[];
  readonly mfaComplianceRate: number | null;
  readonly consoleMfaComplianceRate: number | null;
  /** Failing (not excepted) results by severity. */
  readonly failing: Readonly<Record<(typeof TREND_SEVERITIES)[number], number>>;
  readonly users: number;
  /** Active access keys older than the rotation limit: access-key-rotation's failed and excepted results. */
  readonly keysOverRotationLimit: number;
  /** The rotation limit in days (access-key-rotation's maxAgeDays), or null when the rule did not run. */
  readonly rotationLimitDays: number | null;
}

export function trendPoint(state: ArchiveState): TrendPoint {
  const failing = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  let keys = 0;
  for (const finding of state.findings) {
    if (finding.status === 'fail' && finding.severity in failing) failing[finding.severity as keyof typeof failing] += 1;
    if (finding.ruleId === 'access-key-rotation' && finding.resourceType === 'access-key' && (finding.status === 'fail' || finding.status === 'excepted')) keys += 1;
  }
  const limit = state.rules.find((rule) => rule.id === 'access-key-rotation')?.options['maxAgeDays'];
  return {
    fileName: state.fileName,
    kind: state.kind,
    snapshotSha256: state.snapshotSha256,
    capturedAt: state.capturedAt,
    account: state.account,
    frameworks: state.frameworks.map((framework) => ({ id: framework.id, name: `${framework.name} ${framework.version}`, counts: framework.counts })),
    mfaComplianceRate: state.mfa.complianceRate,
    consoleMfaComplianceRate: state.mfa.consoleComplianceRate,
    failing,
    users: state.users?.length ?? state.mfa.totalUsers,
    keysOverRotationLimit: keys,
    rotationLimitDays: typeof limit === 'number' ? limit : null,
  };
}

/** Capture-time order; the file name breaks ties, so the order never depends on the input order. */
export function orderPoints(points: readonly TrendPoint[]): TrendPoint[] {
  return [...points].sort((a, b) => Date.parse(a.capturedAt) - Date.parse(b.capturedAt) || (a.fileName < b.fileName ? -1 : a.fileName > b.fileName ? 1 : 0));
}
