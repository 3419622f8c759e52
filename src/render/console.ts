import type { AnalysisResult, RuleResultStatus } from '../analyze/result.js';
import { formatRate } from '../analyze/mfa.js';
import { pythonIsoformat } from '../util/time.js';
import { escapeForTerminal } from '../util/terminal-text.js';

const RULE = '='.repeat(40);

/** Up to this many identities, the console prints every user's lines, as the original did. */
export const CONSOLE_ALL_USERS_UP_TO = 50;
/** Above it, the console names at most this many users that are not compliant (FAIL, NOT EVALUATED). */
export const CONSOLE_USERS_SHOWN = 50;

/**
 * The per-user lines, as the original printed them while it worked: every user for a small
 * account (up to 50) or with `all` (--verbose). A larger account gets only its failing and not
 * evaluated users, the first 50, then a count: 50,000 users made 100,025 lines nobody reads.
 */
export function renderCheckingLines(result: AnalysisResult, all = false): string {
  const lines: string[] = [];
  const findings = result.mfa.findings;
  const everyUser = all || findings.length <= CONSOLE_ALL_USERS_UP_TO;
  const shown = everyUser ? findings : findings.filter((finding) => finding.status === 'FAIL' || finding.status === 'NOT_EVALUATED');
  for (const finding of everyUser ? shown : shown.slice(0, CONSOLE_USERS_SHOWN)) {
    // User names come from the input: escaped, so a name cannot rewrite the terminal or forge a line.
    lines.push(`Checking: ${escapeForTerminal(finding.username)}`);
    lines.push(`    [${finding.status === 'NOT_EVALUATED' ? 'NOT EVALUATED' : finding.status}] ${escapeForTerminal(finding.message)}`);
  }
  if (!everyUser) {
    const hidden = shown.length - Math.min(shown.length, CONSOLE_USERS_SHOWN);
    const passing = findings.length - shown.length;
    lines.push(
      `${hidden > 0 ? `... and ${hidden} more failing or not evaluated users; ` : ''}${passing} compliant or without console access not listed (${findings.length} users: --verbose lists every user; the CSV and JSON have them all)`,
    );
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** The closing summary, as the original printed it, plus the lines we added (each labelled). */
export function renderSummary(
  result: AnalysisResult,
  exportedFiles: readonly string[],
  /** The whole run's end and length, rendering included; the analysis's when left out. */
  wholeRun?: { readonly endedAt: string; readonly elapsedSeconds: number },
): string {
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
    `Audit completed: ${pythonIsoformat(wholeRun?.endedAt ?? result.run.endedAt)}`,
    `Elapsed time: ${(wholeRun?.elapsedSeconds ?? result.run.elapsedSeconds).toFixed(2)} seconds`,
    `Compliance rate: ${formatRate(summary.complianceRate)}`,
    `Compliance rate among console users: ${formatRate(summary.consoleComplianceRate)} (${summary.compliant} of ${summary.consoleUsers} console users)`,
  );
  lines.push(...populationLines(result));
  lines.push(...timeLines(result));
  lines.push(...rulesSummaryLines(result));
  if (exportedFiles.length > 0) {
    lines.push('', 'Results exported to:', ...exportedFiles.map((file) => `  - ${escapeForTerminal(file)}`));
  }
  return `${lines.join('\n')}\n`;
}

/** What the reader must weigh about time: an inferred capture time, a projection (issue #9). */
export function timeLines(result: AnalysisResult): string[] {
  const lines: string[] = [];
  const capture = result.snapshot.captureTime;
  if (capture.source === 'newest-timestamp-in-file') {
    lines.push(
      `Capture time inferred: ${result.snapshot.capturedAt} is the newest timestamp in the credential report, which does not say when it was generated. Import with --generated-at TIME (or import the AWS CLI's get-credential-report JSON) to set it exactly.`,
    );
  } else if (capture.inferred) lines.push(`Capture time not recorded: ${capture.statement}`);
  if (result.run.projection !== null) lines.push(`Projection: ${result.run.projection.statement}`);
  return lines.length === 0 ? [] : ['', ...lines];
}

/**
 * The reconciliation of the lists the verdicts rest on (expected vs collected), after the
 * original summary: one line for the users, and one for every other list that is incomplete.
 */
export function populationLines(result: AnalysisResult): string[] {
  const shown = result.snapshot.populations.filter((population) => population.name === 'users' || population.state === 'incomplete');
  return shown.map((population) => `Population: ${population.statement}`);
}

/**
 * The rule catalogue's short block, after the original summary: counts by status, the failed
 * rules, the exceptions. Absent when no rule is registered, so the original output is unchanged.
 */
export function rulesSummaryLines(result: AnalysisResult): string[] {
  const catalogue = result.catalogue;
  if (catalogue === null || catalogue.rules.length === 0) return [];
  // From the rules' counts: the same numbers, also when the results were streamed and are not held.
  const count = (status: RuleResultStatus): number => catalogue.rules.reduce((sum, rule) => sum + rule.counts[status], 0);
  const enabled = catalogue.rules.filter((rule) => rule.enabled).length;
  const disabled = catalogue.rules.length - enabled;
  const lines = [
    '',
    `Rules: ${enabled} run${disabled > 0 ? `, ${disabled} disabled` : ''}; results: ${count('fail')} fail, ${count('pass')} pass, ${count('excepted')} excepted, ${count('not_applicable')} not applicable, ${count('not_evaluated')} not evaluated, ${count('error')} error`,
  ];
  const failed = catalogue.rules.filter((rule) => rule.counts.fail > 0).map((rule) => `${rule.id} (${rule.severity}, ${rule.counts.fail})`);
  if (failed.length > 0) lines.push(`Failed rules: ${failed.join(', ')}`);
  const exceptions = catalogue.exceptions;
  if (exceptions.file !== null) {
    lines.push(`Exceptions: ${count('excepted')} applied, ${exceptions.expired.length} expired, ${exceptions.unused.length} unused`);
  }
  return lines;
}
