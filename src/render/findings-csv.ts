import type { AnalysisResult } from '../analyze/result.js';
import { describeControls, describeExpiredException, describeRemediation, rulesById } from './catalogue-text.js';
import { toCsv } from './csv-safety.js';

export const FINDINGS_CSV_HEADER = [
  'rule_id',
  'title',
  'severity',
  'resource_type',
  'resource_name',
  'resource_arn',
  'status',
  'evidence',
  'reason',
  'exception_justification',
  'exception_approved_by',
  'exception_expires',
  'framework_controls',
  'remediation',
] as const;

/**
 * The findings CSV (iam_audit_findings_<time>.csv): one row per rule result, in the engine's
 * order. An excepted failure carries its justification, approver and expiry in its own columns;
 * a failure whose exception expired says so in `reason`.
 */
export function renderFindingsCsv(result: AnalysisResult): string {
  const catalogue = result.catalogue;
  if (catalogue === null) return toCsv(FINDINGS_CSV_HEADER, []);
  const rules = rulesById(catalogue);
  return toCsv(
    FINDINGS_CSV_HEADER,
    catalogue.results.map((item) => {
      const rule = rules.get(item.ruleId);
      return [
        item.ruleId,
        rule?.title ?? '',
        item.severity,
        item.resourceType,
        item.resourceName,
        item.resourceArn,
        item.status,
        item.evidence,
        [item.reason ?? '', describeExpiredException(item)].filter((text) => text !== '').join(' '),
        item.exception?.justification ?? '',
        item.exception?.approvedBy ?? '',
        item.exception?.expires ?? '',
        rule === undefined ? '' : describeControls(rule),
        rule === undefined ? '' : describeRemediation(rule),
      ];
    }),
  );
}
