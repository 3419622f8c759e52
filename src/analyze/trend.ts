/**
 * One point of `iam-audit trend`: the few figures kept of one archived audit, so that any number
 * of archives can be read one at a time (the snapshot is dropped once its point is made).
 */
import type { ArchiveState, ControlStatusName } from './archive-state.js';
import type { Snapshot } from '../snapshot/types.js';
import { runCataloguePass, type CatalogueInput } from './engine.js';
import { mfaStatus, summariseMfaStatuses } from './mfa.js';

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
  /** Users with a console password: the weight of consoleMfaComplianceRate when points are rolled up. */
  readonly consoleUsers: number;
  /** Failing (not excepted) results by severity. */
  readonly failing: Readonly<Record<(typeof TREND_SEVERITIES)[number], number>>;
  readonly users: number;
  /** Active access keys older than the rotation limit: access-key-rotation's failed and excepted results. */
  readonly keysOverRotationLimit: number;
  /** The rotation limit in days (access-key-rotation's maxAgeDays), or null when the rule did not run. */
  readonly rotationLimitDays: number | null;
}

/** What a point counts of the results: failures by severity, and the old active keys. */
class PointTally {
  readonly failing = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  keys = 0;
  add(result: { readonly ruleId: string; readonly severity: string; readonly resourceType: string; readonly status: string }): void {
    if (result.status === 'fail' && result.severity in this.failing) this.failing[result.severity as keyof PointTally['failing']] += 1;
    if (result.ruleId === 'access-key-rotation' && result.resourceType === 'access-key' && (result.status === 'fail' || result.status === 'excepted')) this.keys += 1;
  }
}

function rotationLimit(rules: readonly { readonly id: string; readonly options: Readonly<Record<string, unknown>> }[]): number | null {
  const limit = rules.find((rule) => rule.id === 'access-key-rotation')?.options['maxAgeDays'];
  return typeof limit === 'number' ? limit : null;
}

export function trendPoint(state: ArchiveState): TrendPoint {
  const tally = new PointTally();
  for (const finding of state.findings) tally.add(finding);
  return {
    fileName: state.fileName,
    kind: state.kind,
    snapshotSha256: state.snapshotSha256,
    capturedAt: state.capturedAt,
    account: state.account,
    frameworks: state.frameworks.map((framework) => ({ id: framework.id, name: `${framework.name} ${framework.version}`, counts: framework.counts })),
    mfaComplianceRate: state.mfa.complianceRate,
    consoleMfaComplianceRate: state.mfa.consoleComplianceRate,
    consoleUsers: state.mfa.consoleUsers,
    failing: tally.failing,
    users: state.users?.length ?? state.mfa.totalUsers,
    keysOverRotationLimit: tally.keys,
    rotationLimitDays: rotationLimit(state.rules),
  };
}

/**
 * A snapshot's point straight from the one-pass engine (issue 26): the results are counted as the
 * engine hands them over and dropped, no analysis result or archive state is built. The same point
 * as trendPoint(stateFromAnalysis(analyze(...))) at the capture time (test/trend-point.test.ts).
 */
export function snapshotTrendPoint(file: { readonly fileName: string; readonly sha256: string }, catalogue: Omit<CatalogueInput, 'snapshot' | 'now'> & { readonly snapshot: Snapshot }): TrendPoint {
  const { snapshot } = catalogue;
  const tally = new PointTally();
  // As of the capture time, as every archive is judged.
  const summary = runCataloguePass({ ...catalogue, now: Date.parse(snapshot.capturedAt), findingIds: false }, (batch) => {
    for (const result of batch) tally.add(result);
  });
  const mfa = summariseMfaStatuses(snapshot.users.map(mfaStatus));
  return {
    fileName: file.fileName,
    kind: 'snapshot',
    snapshotSha256: file.sha256,
    capturedAt: snapshot.capturedAt,
    account: { id: snapshot.account.id, partition: snapshot.account.partition, alias: snapshot.accountFacts.alias.known ? snapshot.accountFacts.alias.value : null },
    frameworks: summary.frameworks.map((framework) => ({ id: framework.id, name: `${framework.name} ${framework.version}`, counts: framework.counts })),
    // Fractions (0..1), from the percentages as the archive state keeps them, so both paths give the same number.
    mfaComplianceRate: mfa.complianceRate === null ? null : mfa.complianceRate / 100,
    consoleMfaComplianceRate: mfa.consoleComplianceRate === null ? null : mfa.consoleComplianceRate / 100,
    consoleUsers: mfa.consoleUsers,
    failing: tally.failing,
    users: snapshot.users.length,
    keysOverRotationLimit: tally.keys,
    rotationLimitDays: rotationLimit(summary.rules),
  };
}

/** Capture-time order; the file name breaks ties, so the order never depends on the input order. */
export function orderPoints(points: readonly TrendPoint[]): TrendPoint[] {
  return [...points].sort((a, b) => Date.parse(a.capturedAt) - Date.parse(b.capturedAt) || (a.fileName < b.fileName ? -1 : a.fileName > b.fileName ? 1 : 0));
}

/** What a rolled-up point is about: the organisation, its run's index and start. */
export interface RollUpSubject {
  readonly organizationId: string;
  readonly partition: string;
  readonly indexFileName: string;
  readonly indexSha256: string;
  readonly startedAt: string;
}

/**
 * One organisation run as one trend point, so that the organisation's trend is drawn by the same
 * report as an account's: control counts per framework summed over the accounts read (so they count
 * account-controls), failing findings, users and old keys summed, the MFA rates weighted by each
 * account's users and console users. A framework is kept only when every account has it.
 */
export function rollUpPoints(subject: RollUpSubject, points: readonly TrendPoint[]): TrendPoint {
  const failing = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  const frameworks = new Map<string, { id: string; name: string; counts: Record<ControlStatusName, number>; accounts: number }>();
  let users = 0;
  let consoleUsers = 0;
  let compliant = 0;
  let consoleCompliant = 0;
  let keys = 0;
  const limits = new Set<number | null>();
  for (const point of points) {
    for (const severity of TREND_SEVERITIES) failing[severity] += point.failing[severity];
    users += point.users;
    consoleUsers += point.consoleUsers;
    compliant += (point.mfaComplianceRate ?? 0) * point.users;
    consoleCompliant += (point.consoleMfaComplianceRate ?? 0) * point.consoleUsers;
    keys += point.keysOverRotationLimit;
    limits.add(point.rotationLimitDays);
    for (const framework of point.frameworks) {
      const sum = frameworks.get(framework.id) ?? { id: framework.id, name: framework.name, counts: {} as Record<ControlStatusName, number>, accounts: 0 };
      for (const [status, count] of Object.entries(framework.counts) as [ControlStatusName, number][]) sum.counts[status] = (sum.counts[status] ?? 0) + count;
      sum.accounts += 1;
      frameworks.set(framework.id, sum);
    }
  }
  const [limit] = limits.size === 1 ? [...limits] : [null];
  return {
    fileName: subject.indexFileName,
    kind: 'snapshot',
    snapshotSha256: subject.indexSha256,
    capturedAt: subject.startedAt,
    account: { id: subject.organizationId, partition: subject.partition, alias: `${points.length} account${points.length === 1 ? '' : 's'}` },
    frameworks: [...frameworks.values()].filter((framework) => framework.accounts === points.length).map(({ id, name, counts }) => ({ id, name, counts })),
    mfaComplianceRate: users === 0 ? null : compliant / users,
    consoleMfaComplianceRate: consoleUsers === 0 ? null : consoleCompliant / consoleUsers,
    consoleUsers,
    failing,
    users,
    keysOverRotationLimit: keys,
    rotationLimitDays: limit ?? null,
  };
}
