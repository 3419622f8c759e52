import type { AnalysisResult, RuleResult, RuleSummary } from '../analyze/result.js';
import { describeControls, describeExpiredException, describeRemediation } from './catalogue-text.js';
import { csvCell, csvRows, toCsv, vocabularyCell } from './csv-safety.js';

export const FINDINGS_CSV_HEADER = [
  'rule_id',
  'severity',
  'resource_type',
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

/** The reason cell's text: the reason, and what an exception that expired said. */
function reasonText(item: RuleResult): string {
  return item.expiredException === null ? (item.reason ?? '') : [item.reason ?? '', describeExpiredException(item)].filter((text) => text !== '').join(' ');
}

/**
 * One rule result's cells, in FINDINGS_CSV_HEADER's order (not yet neutralised): what
 * `findingLine` writes, cell by cell (the reference its tests compare the line with).
 */
export function findingCells(item: RuleResult): string[] {
  return [
    item.ruleId,
    item.severity,
    item.resourceType,
    item.resourceArn,
    item.status,
    item.evidence,
    reasonText(item),
    item.exception?.justification ?? '',
    item.exception?.approvedBy ?? '',
    item.exception?.expires ?? '',
    item.findingId,
    // Tracking (owner, due date, management response) is set on failed and excepted rows only.
    ...trackingCells(item),
  ];
}

/** The three exception cells of a result without an exception, and the seven tracking cells without tracking. */
const NO_EXCEPTION_CELLS = ',,';
const NO_TRACKING_CELLS = ',,,,,,';

function exceptionCells(item: RuleResult): string {
  const exception = item.exception;
  if (exception === null) return NO_EXCEPTION_CELLS;
  return `${csvCell(exception.justification)},${csvCell(exception.approvedBy)},${csvCell(exception.expires)}`;
}

function trackingLine(item: RuleResult): string {
  const tracking = item.tracking;
  if (tracking === undefined) return NO_TRACKING_CELLS;
  const overdue = tracking.dueDate === null ? '' : tracking.overdue ? 'yes' : 'no';
  const response = tracking.response;
  return `${csvCell(tracking.owner ?? '')},${csvCell(tracking.ownerSource ?? '')},${csvCell(tracking.dueDate ?? '')},${overdue},${csvCell(response?.response ?? '')},${csvCell(response?.owner ?? '')},${csvCell(response?.targetDate ?? '')}`;
}

/**
 * One rule result as its findings CSV line (CRLF): the same bytes as its cells neutralised and
 * written by `csvLine`, built without the array of cells. The vocabulary's cells (rule id,
 * severity, resource type, status) are checked once per value; the others (ARNs, evidence,
 * reasons) by one scan each (csv-safety.ts `csvCell`); the empty columns of a result without
 * exception or tracking are constant text.
 */
export function findingLine(item: RuleResult): string {
  return `${vocabularyCell(item.ruleId)},${vocabularyCell(item.severity)},${vocabularyCell(item.resourceType)},${csvCell(item.resourceArn)},${vocabularyCell(item.status)},${csvCell(item.evidence)},${csvCell(reasonText(item))},${exceptionCells(item)},${csvCell(item.findingId)},${trackingLine(item)}\r\n`;
}

/**
 * The findings CSV written as results come (a streamed report): the header, then each identity's
 * lines as one text, as they are judged (nothing gathered: text held across many identities
 * outlives the young generation and costs a full collection to reclaim).
 */
export const findingsCsvStream = {
  header: (): string => csvRows([FINDINGS_CSV_HEADER]),
  line: findingLine,
  /** The lines of a batch's results that `shown` keeps, as one text (one write for an identity's results). */
  lines: (items: readonly RuleResult[], shown: ReadonlySet<string> | null): string => {
    let text = '';
    for (const item of items) if (shown === null || shown.has(item.status)) text += findingLine(item);
    return text;
  },
};

/**
 * The findings CSV (iam_audit_findings_<time>.csv): one row per rule result with its evidence, in
 * the engine's order, in chunks (a large account's file exceeds what one string can hold). What
 * belongs to the rule (title, framework controls, remediation, rationale) is in the rules CSV,
 * once per rule; severity stays, short and what a spreadsheet filters on. The resource is its type
 * and ARN, which holds its name ("…:user/team/alice", "…:user/team/alice#access_key_1"; the root
 * user and the account are both "…:root", told apart by the type): a name column on every row was
 * a sixteenth of the file (issue 26; the JSON report keeps `name`). An excepted failure
 * carries its justification, approver and expiry in its own columns; a failure whose exception
 * expired says so in `reason`.
 */
export function* findingsCsvChunks(result: AnalysisResult): Generator<string> {
  const results = result.catalogue?.results ?? [];
  let text = findingsCsvStream.header();
  for (let index = 0; index < results.length; index += 1) {
    text += findingLine(results[index] as RuleResult);
    if ((index + 1) % ROWS_PER_CHUNK === 0) {
      yield text;
      text = '';
    }
  }
  if (text !== '') yield text;
}
/** Rows per chunk of a whole result's findings CSV (as toCsvChunks gave them). */
const ROWS_PER_CHUNK = 2000;

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
