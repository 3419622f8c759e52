import type { AnalysisResult } from '../analyze/result.js';
import { toCsvChunks } from './csv-safety.js';

/** The original header first, in its order; our additions follow it. */
export const MFA_CSV_HEADER = ['username', 'has_console_access', 'mfa_enabled', 'compliance_status', 'arn', 'detail'] as const;

/** Python's str(bool): True / False. Unknown (not collected) is an empty cell. */
function pythonBool(value: boolean | null): string {
  return value === null ? '' : value ? 'True' : 'False';
}

/** The MFA CSV (iam_audit_<time>.csv) as one text: for the evidence embedded in a PDF. */
export function renderMfaCsv(result: AnalysisResult): string {
  return [...mfaCsvChunks(result)].join('');
}

/**
 * The same text in chunks of a few hundred rows, each row made as its chunk is: what a run writes
 * to the file. Made at once, the rows and the text were two megabytes at 5,000 users alive
 * together, enough for a collection that caught them to double V8's young generation.
 */
export function mfaCsvChunks(result: AnalysisResult): Generator<string> {
  return toCsvChunks(MFA_CSV_HEADER, mfaRows(result), MFA_ROWS_PER_CHUNK);
}
const MFA_ROWS_PER_CHUNK = 500;

function* mfaRows(result: AnalysisResult): Generator<readonly string[]> {
  for (const finding of result.mfa.findings) {
    yield [finding.username, pythonBool(finding.hasConsoleAccess), pythonBool(finding.mfaEnabled), finding.status, finding.arn, finding.message];
  }
}
