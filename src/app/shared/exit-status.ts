import type { AnalysisResult, RuleResult } from '../../analyze/result.js';
import { SEVERITIES, type Severity } from '../../rules/rule.js';
import { ExitCode, type ExitCodeValue } from '../../util/errors.js';

/**
 * Which exit code wins when several apply, most important first: a usage or input error (2)
 * means nothing can be trusted; a missing output (4) means the evidence set is incomplete; partial
 * data (3) means the findings themselves are incomplete; findings (1) only then. Every reason that
 * applied is still printed and listed in the --json summary, so a lost browser never hides the
 * findings gate.
 */
export const EXIT_PRECEDENCE: readonly ExitCodeValue[] = [ExitCode.inputError, ExitCode.outputMissing, ExitCode.partial, ExitCode.findings, ExitCode.ok];

/** The --help epilogue and README line for the exit codes. */
export const EXIT_CODES_HELP =
  'Exit codes: 0 clean, 1 findings gate tripped (--fail-on-findings or --fail-on), 2 usage or input error (nothing written), ' +
  '3 partial data (collection errors in the snapshot), 4 an output could not be produced (e.g. no browser for the PDF; the other files were written). ' +
  'When several apply: 2 > 4 > 3 > 1 > 0; every reason is printed, and listed by --json.';

/**
 * The exit codes each command can end with, and what each means there: the one table that every
 * command's --help epilogue is written from (README "Exit codes" says the same; test/cli-habits
 * checks that each command's --help prints its lines). Codes a command cannot produce are left out.
 */
export const COMMAND_EXIT_CODES: Readonly<Record<string, Readonly<Partial<Record<ExitCodeValue, string>>>>> = {
  collect: { 0: 'snapshot written', 2: 'usage or input error (nothing written)', 3: 'partial data: the collection was partial or recorded collection errors' },
  import: { 0: 'snapshot written', 2: 'usage or input error (nothing written)' },
  report: {
    0: 'clean',
    1: 'findings gate tripped (--fail-on-findings or --fail-on)',
    2: 'usage or input error (nothing written)',
    3: 'partial data (collection errors in the snapshot)',
    4: 'an output could not be produced (e.g. no browser for the PDF); the other files were written',
  },
  audit: {
    0: 'clean',
    1: 'findings gate tripped (--fail-on-findings or --fail-on)',
    2: 'usage or input error (nothing written)',
    3: 'partial data (a partial collection, or collection errors in the snapshot)',
    4: 'an output could not be produced (e.g. no browser for the PDF); the other files were written',
  },
  rules: { 0: 'printed', 2: 'usage error (an unknown framework)' },
  extend: { 0: 'extended', 2: 'usage or input error, or the TSA or a revocation source failed (nothing written)' },
  verify: { 0: 'every check passed', 1: 'a check failed (signature, chain, snapshot, listed files or reproduction)', 2: 'usage or input error' },
  notify: { 0: 'every mail sent (or previewed)', 2: 'usage or input error (nothing sent)', 3: 'a mail could not be sent, or an owner address is not an address' },
  trend: { 0: 'written', 2: 'usage or input error (nothing written)', 3: 'an archive could not be read and was skipped (the others were counted)' },
  diff: { 0: 'written', 2: 'usage or input error (nothing written)', 3: 'an account in both runs could not be compared' },
  'merge-index': { 0: 'merged', 2: 'usage or input error (nothing written)', 3: 'the merged index holds failed or partial accounts' },
  review: {
    0: 'done (started, recorded, closed; verify: every removal carried out)',
    1: 'verify: a revoke or reduce not yet carried out, or access never reviewed',
    2: 'usage or input error; collect: a returned row refused (the others recorded)',
    3: 'start: population incomplete; close: undecided left; --mail: a mail not sent',
  },
  export: { 0: 'every finding imported or archived', 2: 'usage or input error, or a call failed after its retries (the state unchanged)', 3: 'Security Hub refused some findings (each named on stderr)' },
};

/** The --help epilogue of one command: its exit codes, one per line, and the precedence when several apply. */
export function commandExitCodesHelp(command: string): string {
  const codes = COMMAND_EXIT_CODES[command] ?? {};
  const lines = Object.entries(codes).map(([code, meaning]) => `  ${code}  ${meaning}`);
  const precedence = Object.keys(codes).length > 2 ? `\nWhen several apply: ${EXIT_PRECEDENCE.filter((code) => code in codes).join(' > ')}.` : '';
  return `Exit codes:\n${lines.join('\n')}${precedence}`;
}

export interface ExitReason {
  readonly code: ExitCodeValue;
  /** One line, for the console and the --json summary. */
  readonly reason: string;
}

/** The exit code of a run that met these reasons (none: 0). */
export function decideExitCode(reasons: readonly ExitReason[]): ExitCodeValue {
  for (const code of EXIT_PRECEDENCE) if (reasons.some((item) => item.code === code)) return code;
  return ExitCode.ok;
}

/** Failed, not excepted, rule results at or above `threshold`: what trips --fail-on. */
export function failuresAtOrAbove(result: AnalysisResult, threshold: Severity): RuleResult[] {
  const limit = SEVERITIES.indexOf(threshold);
  return (result.catalogue?.results ?? []).filter((item) => item.status === 'fail' && SEVERITIES.indexOf(item.severity) <= limit);
}

/** How many gate findings the console names before counting the rest. */
export const CONSOLE_GATE_FINDINGS = 10;

/** The console lines naming the findings that tripped the gate: rule and resource, the first ten, then a count. */
export function gateFindingLines(findings: readonly { readonly ruleId: string; readonly severity: string; readonly resource: string }[]): string[] {
  const lines = findings.slice(0, CONSOLE_GATE_FINDINGS).map((item) => `  ${item.ruleId} (${item.severity}): ${item.resource}`);
  if (findings.length > CONSOLE_GATE_FINDINGS) lines.push(`  ... and ${findings.length - CONSOLE_GATE_FINDINGS} more`);
  return lines;
}
