import type { AnalysisResult, RuleResult, RuleSummary } from '../analyze/result.js';
import { describeControls, describeExpiredException, describeRemediation } from './catalogue-text.js';
import { csvRow, csvRows, toCsv, toCsvChunks } from './csv-safety.js';

export const FINDINGS_CSV_HEADER = [
  'rule_id',
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
  'finding_id',
  'owner',
  'owner_source',
  'due_date',
  'overdue',
  'management_response',
  'response_owner',
  'response_target_date',
] as const;

const NO_TRACKING = ['', '', '', '', '', '', ''] as const;

function trackingCells(item: RuleResult): readonly string[] {
  const tracking = item.tracking;
  if (tracking === undefined) return NO_TRACKING;
  return [
    tracking.owner ?? '',
    tracking.ownerSource ?? '',
    tracking.dueDate ?? '',
    tracking.dueDate === null ? '' : tracking.overdue ? 'yes' : 'no',
    tracking.response?.response ?? '',
    tracking.response?.owner ?? '',
    tracking.response?.targetDate ?? '',
  ];
}

/** The companion rules CSV: what belongs to a rule, once per rule (the findings CSV joins on rule_id). */
export const RULES_CSV_HEADER = ['rule_id', 'title', 'severity', 'enabled', 'framework_controls', 'remediation', 'rationale'] as const;

function* findingRows(result: AnalysisResult): Generator<string[]> {
  const catalogue = result.catalogue;
  if (catalogue === null) return;
  for (const item of catalogue.results) yield findingCells(item);
}

/** One rule result's cells, in FINDINGS_CSV_HEADER's order (not yet neutralised). */
export function findingCells(item: RuleResult): string[] {
  return [
    item.ruleId,
    item.severity,
    item.resourceType,
    item.resourceName,
    item.resourceArn,
    item.status,
    item.evidence,
    item.expiredException === null ? (item.reason ?? '') : [item.reason ?? '', describeExpiredException(item)].filter((text) => text !== '').join(' '),
    item.exception?.justification ?? '',
    item.exception?.approvedBy ?? '',
    item.exception?.expires ?? '',
    item.findingId,
    // Tracking (owner, due date, management response) is set on failed and excepted rows only.
    ...trackingCells(item),
  ];
}

/**
 * The findings CSV written as results come (a streamed report): the header, then each result's
 * line as it is judged (nothing gathered: text held across many identities outlives the young
 * generation and costs a full collection to reclaim).
 */
export const findingsCsvStream = {
  header: (): string => csvRows([FINDINGS_CSV_HEADER]),
  line: (item: RuleResult): string => csvRow(findingCells(item)),
};

/**
 * The findings CSV (iam_audit_findings_<time>.csv): one row per rule result with its evidence, in
 * the engine's order, in chunks (a large account's file exceeds what one string can hold). What
 * belongs to the rule (title, framework controls, remediation, rationale) is in the rules CSV,
 * once per rule; severity stays, short and what a spreadsheet filters on. An excepted failure
 * carries its justification, approver and expiry in its own columns; a failure whose exception
 * expired says so in `reason`.
 */
export function findingsCsvChunks(result: AnalysisResult): Iterable<string> {
  return toCsvChunks(FINDINGS_CSV_HEADER, findingRows(result));
}

export function renderFindingsCsv(result: AnalysisResult): string {
  return [...findingsCsvChunks(result)].join('');
}

/** The rules CSV (iam_audit_rules_<time>.csv): one row per rule of the catalogue, in catalogue order. */
export function renderRulesCsv(result: AnalysisResult): string {
  const rules: readonly RuleSummary[] = result.catalogue?.rules ?? [];
  return toCsv(
    RULES_CSV_HEADER,
    rules.map((rule) => [rule.id, rule.title, rule.severity, rule.enabled ? 'true' : 'false', describeControls(rule), describeRemediation(rule), rule.rationale]),
  );
}
