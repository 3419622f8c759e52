import type { AnalysisResult } from '../analyze/result.js';
import { formatRate } from '../analyze/mfa.js';
import { pythonIsoformat } from '../util/time.js';

const RULE = '='.repeat(40);

/** The per-user lines, as the original printed them while it worked. */
export function renderCheckingLines(result: AnalysisResult): string {
  const lines: string[] = [];
  for (const finding of result.mfa.findings) {
    lines.push(`Checking: ${finding.username}`);
    lines.push(`    [${finding.status === 'NOT_EVALUATED' ? 'NOT EVALUATED' : finding.status}] ${finding.message}`);
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** The closing summary, as the original printed it, plus the lines we added (each labelled). */
export function renderSummary(result: AnalysisResult, exportedFiles: readonly string[]): string {
  const summary = result.mfa.summary;
  const lines = [
    '',
    RULE,
    `Total users: ${summary.totalUsers}`,
    `Compliant (MFA enabled): ${summary.compliant}`,
    `No console access: ${summary.noConsoleAccess}`,
    `Non-compliant: ${summary.nonCompliant}`,
  ];
  if (summary.notEvaluated > 0) lines.push(`Not evaluated (data not collected): ${summary.notEvaluated}`);
  lines.push(
    '',
    `Audit started: ${pythonIsoformat(result.run.startedAt)}`,
    `Audit completed: ${pythonIsoformat(result.run.endedAt)}`,
    `Elapsed time: ${result.run.elapsedSeconds.toFixed(2)} seconds`,
    `Compliance rate: ${formatRate(summary.complianceRate)}`,
    `Compliance rate among console users: ${formatRate(summary.consoleComplianceRate)} (${summary.compliant} of ${summary.consoleUsers} console users)`,
  );
  if (exportedFiles.length > 0) {
    lines.push('', 'Results exported to:', ...exportedFiles.map((file) => `  - ${file}`));
  }
  return `${lines.join('\n')}\n`;
}
