/**
 * The rule results of a report JSON, whatever result format wrote it, as one flat list: every
 * reader of report JSONs (diff, trend, report --previous, notify, verify --reproduce, the tests)
 * goes through here, so none of them knows the layouts.
 *
 *  - format 1: `results`, one object per result, with the rule's severity on each;
 *  - format 2: `results`, one object per result, the severity once per rule in `rules`;
 *  - format 3: `resources`, one object per resource (`arn`, `type`, `name`, `finding_key`) with
 *    its `results` (`rule`, `status`, the rule's `facts` (or an `evidence` sentence for a result
 *    without facts) and `reason` only when present, `exception`, `expired_exception`, `tracking`
 *    only where they apply, the tracking without its defaults); a finding id is `<rule>/<finding_key>`.
 *    The evidence sentence is rebuilt from the facts with the rule's `describe`, the options in
 *    effect (the report's `rules[].options`) and the evaluation instant (`metadata.evaluated_as_of`),
 *    as the run that wrote the report formatted it; the tracking's defaults are filled in.
 *  - format 4: as format 3, but a resource's `results` is an object keyed by rule id (`{"<rule>":
 *    {"status", ...}}`, in the order written), and `reason` is an index into the report's `reasons`
 *    (each distinct reason text once; a text in its place is read as it is).
 *
 * A report that does not fit is refused with one line naming the file and the field
 * (`resources[12].results[3].status`), never read as fewer results.
 */
import { stableFindingId } from '../../analyze/finding-id.js';
import { RESULT_FORMAT_VERSION, type RuleResultStatus } from '../../analyze/result.js';
import { packageInfo } from '../../util/paths.js';
import { isPastDay, utcDayAfter } from '../../util/time.js';
import { allRules } from '../../rules/index.js';
import type { Rule } from '../../rules/rule.js';
import { EvidenceFromFacts } from './report-evidence.js';
import { isJsonObject, ReportReader, type Json } from './report-reader.js';

export { isJsonObject, ReportReader };

/** The result formats this version reads: every one it ever wrote. */
export const READABLE_RESULT_FORMATS: readonly number[] = [1, 2, 3, RESULT_FORMAT_VERSION];

const STATUSES: readonly RuleResultStatus[] = ['pass', 'fail', 'not_applicable', 'not_evaluated', 'error', 'excepted'];

/** One rule result as every format carries it. */
export interface ReportResult {
  readonly findingId: string;
  readonly ruleId: string;
  /** The severity format 1 wrote on each result; null in later formats (it is the rule's, in `rules`). */
  readonly severity: string | null;
  readonly resourceType: string;
  readonly resourceArn: string;
  readonly resourceName: string;
  readonly status: RuleResultStatus;
  /** '' when the result has none; rebuilt from `facts` in format 3. */
  readonly evidence: string;
  /** The rule's facts as format 3 carries them; null in formats 1 and 2 and for a result without facts. */
  readonly facts: Json | null;
  readonly reason: string | null;
  readonly exception: Json | null;
  readonly expiredException: Json | null;
  readonly tracking: Json | null;
  /** Where the result is in the file (`results[4]`, `resources[12].results[3]`), for messages. */
  readonly where: string;
}

/** A result's own fields as format 2 wrote them, flat and in snake case (what `verify --reproduce` compares; tests read them). */
export function flatResultFields(item: ReportResult): {
  finding_id: string;
  rule_id: string;
  resource_type: string;
  resource_arn: string;
  resource_name: string;
  status: RuleResultStatus;
  evidence: string;
  reason: string | null;
} {
  return {
    finding_id: item.findingId,
    rule_id: item.ruleId,
    resource_type: item.resourceType,
    resource_arn: item.resourceArn,
    resource_name: item.resourceName,
    status: item.status,
    evidence: item.evidence,
    reason: item.reason,
  };
}

/** The report's result format (metadata.result_format_version), refused unless this version reads it. */
export function reportFormat(data: Json, read: ReportReader): number {
  const metadata = read.object(data['metadata'], 'metadata');
  const version = metadata['result_format_version'];
  if (typeof version !== 'number' || !READABLE_RESULT_FORMATS.includes(version)) {
    const tool = isJsonObject(metadata['tool']) ? metadata['tool'] : {};
    const writer = typeof tool['name'] === 'string' ? ` (written by ${tool['name']} ${typeof tool['version'] === 'string' ? tool['version'] : '?'})` : '';
    read.fail('metadata.result_format_version', `report format ${JSON.stringify(version ?? null)}${writer} is not one of the formats ${READABLE_RESULT_FORMATS.join(', ')} this iam-audit ${packageInfo().version} reads; run report again with this version`);
  }
  return version;
}

/** True when the report carries rule results (a report written without the rule catalogue has none). */
export function hasReportResults(data: Json): boolean {
  return Array.isArray(data['resources']) || Array.isArray(data['results']);
}

/**
 * The report's rule results in the order written, flat, whichever format (checked first) wrote
 * them; `rules`: the rules whose `describe` reads format 3's facts (this version's catalogue; tests
 * that run rules of their own add theirs).
 */
export function* reportResults(data: Json, read: ReportReader, rules: readonly Rule[] = allRules): Generator<ReportResult> {
  const format = reportFormat(data, read);
  if (format >= 3) yield* resourceResults(data, read, rules, format);
  else yield* flatResults(data, read);
}

function statusOf(value: unknown, where: string, read: ReportReader): RuleResultStatus {
  const status = read.text(value, where);
  return (STATUSES as readonly string[]).includes(status) ? (status as RuleResultStatus) : read.fail(where, `unknown status ${JSON.stringify(status)} (expected one of ${STATUSES.join(', ')})`);
}

function optionalObject(value: unknown, where: string, read: ReportReader): Json | null {
  return value === undefined || value === null ? null : read.object(value, where);
}

function reasonOf(value: unknown, where: string, read: ReportReader): string | null {
  return value === undefined || value === null ? null : read.text(value, where);
}

/** Formats 1 and 2: `results`, one object per result. */
function* flatResults(data: Json, read: ReportReader): Generator<ReportResult> {
  for (const [index, value] of read.array(data['results'], 'results').entries()) {
    const where = `results[${index}]`;
    const item = read.object(value, where);
    const ruleId = read.text(item['rule_id'], `${where}.rule_id`);
    const resourceArn = read.text(item['resource_arn'], `${where}.resource_arn`);
    yield {
      // Report JSONs written before finding ids existed get the same ids, computed the same way.
      findingId: read.optionalText(item['finding_id']) ?? stableFindingId(ruleId, resourceArn),
      ruleId,
      severity: read.optionalText(item['severity']),
      resourceType: read.text(item['resource_type'], `${where}.resource_type`),
      resourceArn,
      resourceName: read.text(item['resource_name'], `${where}.resource_name`),
      status: statusOf(item['status'], `${where}.status`, read),
      evidence: read.optionalText(item['evidence']) ?? '',
      facts: null,
      reason: reasonOf(item['reason'], `${where}.reason`, read),
      exception: optionalObject(item['exception'], `${where}.exception`, read),
      expiredException: optionalObject(item['expired_exception'], `${where}.expired_exception`, read),
      tracking: optionalObject(item['tracking'], `${where}.tracking`, read),
      where,
    };
  }
}

/** Formats 3 and 4: `resources`, each resource once with its results. */
function* resourceResults(data: Json, read: ReportReader, rules: readonly Rule[], format: number): Generator<ReportResult> {
  const describer = new EvidenceFromFacts(data, read, rules);
  const trackings = new TrackingReader(data, read);
  const reasons = format >= 4 ? new ReasonIndex(data, read) : null;
  for (const [index, value] of read.array(data['resources'], 'resources').entries()) {
    const at = `resources[${index}]`;
    const resource = read.object(value, at);
    const resourceArn = read.text(resource['arn'], `${at}.arn`);
    const resourceType = read.text(resource['type'], `${at}.type`);
    const resourceName = read.text(resource['name'], `${at}.name`);
    const findingKey = read.text(resource['finding_key'], `${at}.finding_key`);
    if (findingKey === '') read.fail(`${at}.finding_key`, 'expected the resource\'s finding key, got ""');
    for (const { ruleId, item, where } of format >= 4 ? keyedResults(resource, at, read) : listedResults(resource, at, read)) {
      const facts = item['facts'] === undefined ? null : describer.facts(item['facts'], `${where}.facts`);
      if (facts !== null && item['evidence'] !== undefined) read.fail(`${where}.evidence`, 'a result carries facts or an evidence sentence, not both');
      const evidence = facts !== null ? describer.evidence(ruleId, facts, `${where}.facts`) : item['evidence'] === undefined ? '' : read.text(item['evidence'], `${where}.evidence`);
      const status = statusOf(item['status'], `${where}.status`, read);
      yield {
        findingId: `${ruleId}/${findingKey}`,
        ruleId,
        severity: null,
        resourceType,
        resourceArn,
        resourceName,
        status,
        evidence,
        facts,
        reason: reasons === null ? reasonOf(item['reason'], `${where}.reason`, read) : reasons.reason(item['reason'], `${where}.reason`),
        exception: optionalObject(item['exception'], `${where}.exception`, read),
        expiredException: optionalObject(item['expired_exception'], `${where}.expired_exception`, read),
        tracking: trackings.tracking(optionalObject(item['tracking'], `${where}.tracking`, read), ruleId, status, where),
        where,
      };
    }
  }
}

interface ResourceResult {
  readonly ruleId: string;
  readonly item: Json;
  readonly where: string;
}

/** Format 3: a resource's `results` is a list, each result naming its `rule`. */
function* listedResults(resource: Json, at: string, read: ReportReader): Generator<ResourceResult> {
  for (const [position, entry] of read.array(resource['results'], `${at}.results`).entries()) {
    const where = `${at}.results[${position}]`;
    const item = read.object(entry, where);
    yield { ruleId: read.text(item['rule'], `${where}.rule`), item, where };
  }
}

/** Format 4: a resource's `results` is an object keyed by rule id, in the order written. */
function* keyedResults(resource: Json, at: string, read: ReportReader): Generator<ResourceResult> {
  const results = read.object(resource['results'], `${at}.results`);
  for (const ruleId of Object.keys(results)) {
    const where = `${at}.results.${ruleId}`;
    if (ruleId === '') read.fail(where, 'expected a rule id as the key, got ""');
    yield { ruleId, item: read.object(results[ruleId], where), where };
  }
}

/**
 * Format 4's reasons: a result's `reason` is an index into the report's `reasons` (each distinct
 * text once), or a text (the writer's table was full), or absent. An index the table does not have
 * is refused with the field named, never read as no reason.
 */
class ReasonIndex {
  private texts: readonly string[] | null = null;

  constructor(
    private readonly data: Json,
    private readonly read: ReportReader,
  ) {}

  reason(value: unknown, where: string): string | null {
    if (value === undefined || value === null) return null;
    if (typeof value === 'string') return value;
    const texts = this.table();
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= texts.length) {
      return this.read.fail(where, `expected an index into reasons (${texts.length === 0 ? 'which is empty' : `0 to ${texts.length - 1}`}) or a text, got ${JSON.stringify(value)}`);
    }
    return texts[value] as string;
  }

  private table(): readonly string[] {
    if (this.texts === null) this.texts = this.read.array(this.data['reasons'], 'reasons').map((text, index) => this.read.text(text, `reasons[${index}]`));
    return this.texts;
  }
}

/**
 * Format 3's trackings as the run had them: the writer leaves out no owner, no management
 * response, not overdue, not past due at the report's date, a first detection at the capture
 * (`remediation.due_from`) and the due date the result's severity gives from its first detection
 * (`remediation.due_days`, the rule's severity in `rules`; none for an accepted risk), overdue
 * and past due at the report's date as the due date and `metadata.evaluated_as_of` /
 * `metadata.audit_start_utc` give them, and the
 * whole tracking of a failed or excepted result when nothing is left (render/json-resources.ts
 * trackingJson); the keys come back in the order earlier formats wrote them.
 */
class TrackingReader {
  private settings: { readonly dueFrom: string | null; readonly dueDays: Json | null } | null = null;
  private severities: Map<string, string> | null = null;

  constructor(
    private readonly data: Json,
    private readonly read: ReportReader,
  ) {}

  tracking(written: Json | null, ruleId: string, status: RuleResultStatus, where: string): Json | null {
    // With a remediation section every failed and excepted result is tracked: one without `tracking` had nothing to say.
    const tracked = status === 'fail' || status === 'excepted' ? isJsonObject(this.data['remediation']) : false;
    const tracking = written ?? (tracked ? {} : null);
    if (tracking === null) return null;
    const { dueFrom } = this.remediation();
    const firstDetected = tracking['first_detected'] ?? dueFrom;
    const dueDate = tracking['due_date'] !== undefined ? tracking['due_date'] : this.dueDate(ruleId, status, firstDetected, where);
    return {
      owner: tracking['owner'] ?? null,
      owner_source: tracking['owner_source'] ?? null,
      due_date: dueDate,
      overdue: tracking['overdue'] ?? this.pastDue(dueDate, 'metadata.evaluated_as_of', where),
      ...(firstDetected === null ? {} : { first_detected: firstDetected }),
      past_due_at_report: tracking['past_due_at_report'] ?? this.pastDue(dueDate, 'metadata.audit_start_utc', where),
      response: tracking['response'] ?? null,
    };
  }

  /** Overdue (at the evaluation time) or past due at the report's date (its start), left out when the due date says it. */
  private pastDue(dueDate: unknown, instantKey: 'metadata.evaluated_as_of' | 'metadata.audit_start_utc', where: string): boolean {
    if (dueDate === null) return false;
    const day = this.read.text(dueDate, `${where}.tracking.due_date`);
    const metadata = this.read.object(this.data['metadata'], 'metadata');
    const instant = this.read.time(metadata[instantKey === 'metadata.evaluated_as_of' ? 'evaluated_as_of' : 'audit_start_utc'], instantKey);
    return isPastDay(day, instant);
  }

  /** The due date left out: none for an accepted risk, else the rule's severity's days after the first detection. */
  private dueDate(ruleId: string, status: RuleResultStatus, firstDetected: unknown, where: string): string | null {
    if (status !== 'fail') return null;
    const { dueDays } = this.remediation();
    if (dueDays === null) return this.read.fail('remediation.due_days', `expected the days to a due date per severity: ${where}.tracking leaves its due date out`);
    const severity = this.severityOf(ruleId, where);
    const days = dueDays[severity];
    if (days === null) return null;
    return utcDayAfter(this.read.time(firstDetected, `${where}.tracking.first_detected (or remediation.due_from)`), this.read.number(days, `remediation.due_days.${severity}`));
  }

  private remediation(): { readonly dueFrom: string | null; readonly dueDays: Json | null } {
    if (this.settings === null) {
      const remediation = this.data['remediation'];
      const section = isJsonObject(remediation) ? remediation : null;
      const dueFrom = section !== null && typeof section['due_from'] === 'string' ? section['due_from'] : null;
      const dueDays = section === null || section['due_days'] === undefined ? null : this.read.object(section['due_days'], 'remediation.due_days');
      this.settings = { dueFrom, dueDays };
    }
    return this.settings;
  }

  private severityOf(ruleId: string, where: string): string {
    if (this.severities === null) {
      this.severities = new Map();
      for (const [index, value] of this.read.array(this.data['rules'], 'rules').entries()) {
        const entry = this.read.object(value, `rules[${index}]`);
        this.severities.set(this.read.text(entry['id'], `rules[${index}].id`), this.read.text(entry['severity'], `rules[${index}].severity`));
      }
    }
    return this.severities.get(ruleId) ?? this.read.fail('rules', `no entry for the rule ${JSON.stringify(ruleId)}, whose severity gives the due date ${where}.tracking leaves out`);
  }
}
