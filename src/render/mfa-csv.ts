import type { AnalysisResult } from '../analyze/result.js';
import { toCsv } from './csv-safety.js';

/** The original header first, in its order; our additions follow it. */
export const MFA_CSV_HEADER = ['username', 'has_console_access', 'mfa_enabled', 'compliance_status', 'arn', 'detail'] as const;

/** Python's str(bool): True / False. Unknown (not collected) is an empty cell. */
function pythonBool(value: boolean | null): string {
  return value === null ? '' : value ? 'True' : 'False';
}

export function renderMfaCsv(result: AnalysisResult): string {
  return toCsv(
    MFA_CSV_HEADER,
    result.mfa.findings.map((finding) => [
      finding.username,
      pythonBool(finding.hasConsoleAccess),
      pythonBool(finding.mfaEnabled),
      finding.status,
      finding.arn,
      finding.message,
    ]),
  );
}
