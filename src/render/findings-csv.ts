import type { AnalysisResult, RuleResult, RuleSummary } from '../analyze/result.js';
import { describeControls, describeExpiredException, describeRemediation, rulesById } from './catalogue-text.js';
import { toCsvChunks } from './csv-safety.js';

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

function* findingRows(result: AnalysisResult): Generator<string[]> {
  const catalogue = result.catalogue;
  if (catalogue === null) return;
  const rules = rulesById(catalogue);
  // The per-rule cells, worded once per rule rather than once per row.
  const ruleCells = new Map<string, { controls: string; remediation: string }>();
  const cellsFor = (rule: RuleSummary | undefined): { controls: string; remediation: string } => {
    if (rule === undefined) return { controls: '', remediation: '' };
    let cells = ruleCells.get(rule.id);
    if (cells === undefined) {
      cells = { controls: describeControls(rule), remediation: describeRemediation(rule) };
      ruleCells.set(rule.id, cells);
    }
    return cells;
  };
  for (const item of catalogue.results) {
    const rule = rules.get(item.ruleId);
    const cells = cellsFor(rule);
    yield [
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
      cells.controls,
      // What to do applies to failures (and accepted ones); on a pass it would only repeat the
      // rule's text hundreds of thousands of times in a large account.
      item.status === 'fail' || item.status === 'excepted' ? cells.remediation : '',
      item.findingId,
      // Tracking (owner, due date, management response) is set on failed and excepted rows only.
      ...trackingCells(item),
    ];
  }
}

/**
 * The findings CSV (iam_audit_findings_<time>.csv): one row per rule result, in the engine's
 * order, remediation filled on failed and excepted rows, in chunks (a large account's file exceeds what one string can hold). An excepted failure
 * carries its justification, approver and expiry in its own columns; a failure whose exception
 * expired says so in `reason`.
 */
export function findingsCsvChunks(result: AnalysisResult): Iterable<string> {
  return toCsvChunks(FINDINGS_CSV_HEADER, findingRows(result));
}

export function renderFindingsCsv(result: AnalysisResult): string {
  return [...findingsCsvChunks(result)].join('');
}
