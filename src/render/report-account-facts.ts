/**
 * The "Appendix: account-level facts" part of the printable report (issue 25 §3): each fact an
 * account-level control was judged on (password policy values, root's MFA device and certificates,
 * support roles, CloudShell attachments, "*:*" policies and where attached, server certificates),
 * beside each rule's verdict and the controls it decides, so every PASS can be re-performed from
 * paper. Built from the analysis result only (analyze/account-facts.ts gathered the facts).
 */
import type { AnalysisResult } from '../analyze/result.js';
import { RULE_STATUS_LABEL } from './report-controls.js';
import type { ReportPart } from './report-part.js';

const LABELS: Readonly<Record<string, string>> = RULE_STATUS_LABEL;

export function accountFactsPart(result: AnalysisResult): ReportPart[] {
  const report = result.accountFacts;
  if (report === undefined || report.sections.length === 0) return [];
  return [
    {
      partial: 'account-facts',
      anchor: 'account-facts',
      title: 'Appendix: account-level facts',
      level: 1,
      rows: null,
      context: {
        asOf: result.run.asOf,
        sections: report.sections.map((section) => ({
          ...section,
          // Without the facts, each rule's reason only repeats the section's "Not available" line.
          verdicts: section.verdicts.map((verdict) => ({
            ...verdict,
            evidence: section.notCollected === null ? verdict.evidence : null,
            label: LABELS[verdict.status] ?? verdict.status.toUpperCase(),
            statusClass: `status-${verdict.status.replace(/_/g, '-')}`,
          })),
        })),
      },
    },
  ];
}
