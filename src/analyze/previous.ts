/**
 * `report --previous OLD`: the part of a comparison the audit report carries, "Changes since the
 * previous report": new and resolved failures and control movements, with the previous capture
 * time and snapshot SHA-256. Made from a ChangeReport (compare.ts); plain data, for every renderer.
 */
import type { ChangeReport, FindingChange } from './change-types.js';

export interface PreviousFindingChange {
  readonly findingId: string;
  readonly ruleId: string;
  readonly ruleTitle: string;
  readonly severity: string;
  readonly resourceName: string;
  readonly resourceArn: string;
  readonly before: string | null;
  readonly after: string | null;
}

export interface ChangesSincePrevious {
  readonly previous: {
    readonly fileName: string;
    readonly kind: 'snapshot' | 'report-json';
    readonly capturedAt: string;
    readonly snapshotFile: string;
    readonly snapshotSha256: string;
  };
  readonly counts: { readonly newlyFailing: number; readonly resolved: number; readonly stillFailing: number; readonly controlsChanged: number };
  readonly newlyFailing: readonly PreviousFindingChange[];
  readonly resolved: readonly PreviousFindingChange[];
  readonly controlMovements: readonly { readonly framework: string; readonly controlId: string; readonly title: string; readonly before: string | null; readonly after: string | null }[];
  /** Findings failing in both: failing since at least this instant (due dates count from it). */
  readonly firstDetected?: readonly { readonly findingId: string; readonly since: string }[];
}

function finding(change: FindingChange): PreviousFindingChange {
  return {
    findingId: change.findingId,
    ruleId: change.ruleId,
    ruleTitle: change.ruleTitle,
    severity: change.severity,
    resourceName: change.resourceName,
    resourceArn: change.resourceArn,
    before: change.before,
    after: change.after,
  };
}

export function changesSincePrevious(report: ChangeReport): ChangesSincePrevious {
  const moved = report.controls.filter((row) => row.before !== row.after);
  return {
    previous: {
      fileName: report.old.fileName,
      kind: report.old.kind,
      capturedAt: report.old.capturedAt,
      snapshotFile: report.old.snapshotFile,
      snapshotSha256: report.old.snapshotSha256,
    },
    counts: {
      newlyFailing: report.findings.newlyFailing.length,
      resolved: report.findings.resolved.length,
      stillFailing: report.findings.stillFailing.length,
      controlsChanged: moved.length,
    },
    newlyFailing: report.findings.newlyFailing.map(finding),
    resolved: report.findings.resolved.map(finding),
    controlMovements: moved.map((row) => ({ framework: row.framework, controlId: row.controlId, title: row.title, before: row.before, after: row.after })),
    firstDetected: report.findings.stillFailing.flatMap((change) => (change.firstSeen === null ? [] : [{ findingId: change.findingId, since: change.firstSeen }])),
  };
}
