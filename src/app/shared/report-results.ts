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
 *
 * A report that does not fit is refused with one line naming the file and the field
 * (`resources[12].results[3].status`), never read as fewer results.
 */
import { stableFindingId } from '../../analyze/finding-id.js';
import { RESULT_FORMAT_VERSION, type RuleResultStatus } from '../../analyze/result.js';
import { InputError } from '../../util/errors.js';
import { packageInfo } from '../../util/paths.js';
import { isPastDay, utcDayAfter } from '../../util/time.js';
import { allRules } from '../../rules/index.js';
import { describeFacts, type Rule, type RuleContext, type RuleFacts, type RuleOptions } from '../../rules/rule.js';

type Json = Record<string, unknown>;

export const isJsonObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The result formats this version reads: every one it ever wrote. */
export const READABLE_RESULT_FORMATS: readonly number[] = [1, 2, RESULT_FORMAT_VERSION];

const STATUSES: readonly RuleResultStatus[] = ['pass', 'fail', 'not_applicable', 'not_evaluated', 'error', 'excepted'];

/** Reads a report JSON's values, refusing what does not fit with the file and the field named. */
export class ReportReader {
  constructor(readonly path: string) {}
  fail(where: string, problem: string): never {
    throw new InputError(this.path, where, problem);
  }
  object(value: unknown, where: string): Json {
    return isJsonObject(value) ? value : this.fail(where, 'expected an object; is this a report JSON written by iam-audit report --format json?');
  }
  array(value: unknown, where: string): unknown[] {
    return Array.isArray(value) ? value : this.fail(where, 'expected a list; is this a report JSON written by iam-audit report --format json?');
  }
  text(value: unknown, where: string): string {
    return typeof value === 'string' ? value : this.fail(where, 'expected text');
  }
  optionalText(value: unknown): string | null {
    return typeof value === 'string' ? value : null;
  }
  number(value: unknown, where: string): number {
    return typeof value === 'number' && Number.isFinite(value) ? value : this.fail(where, 'expected a number');
  }
  time(value: unknown, where: string): string {
    const text = this.text(value, where);
    return Number.isNaN(Date.parse(text)) ? this.fail(where, `${JSON.stringify(text)} is not a time`) : text;
  }
}

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
  if (reportFormat(data, read) >= 3) yield* resourceResults(data, read, rules);
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

/** Format 3: `resources`, each resource once with its results. */
function* resourceResults(data: Json, read: ReportReader, rules: readonly Rule[]): Generator<ReportResult> {
  const describer = new EvidenceFromFacts(data, read, rules);
  const trackings = new TrackingReader(data, read);
  for (const [index, value] of read.array(data['resources'], 'resources').entries()) {
    const at = `resources[${index}]`;
    const resource = read.object(value, at);
    const resourceArn = read.text(resource['arn'], `${at}.arn`);
    const resourceType = read.text(resource['type'], `${at}.type`);
    const resourceName = read.text(resource['name'], `${at}.name`);
    const findingKey = read.text(resource['finding_key'], `${at}.finding_key`);
    if (findingKey === '') read.fail(`${at}.finding_key`, 'expected the resource\'s finding key, got ""');
    for (const [position, entry] of read.array(resource['results'], `${at}.results`).entries()) {
      const where = `${at}.results[${position}]`;
      const item = read.object(entry, where);
      const ruleId = read.text(item['rule'], `${where}.rule`);
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
        reason: reasonOf(item['reason'], `${where}.reason`, read),
        exception: optionalObject(item['exception'], `${where}.exception`, read),
        expiredException: optionalObject(item['expired_exception'], `${where}.expired_exception`, read),
        tracking: trackings.tracking(optionalObject(item['tracking'], `${where}.tracking`, read), ruleId, status, where),
        where,
      };
    }
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

/**
 * What a sentence made from facts that do not fit the rule shows: a key it read and did not find
 * ("undefined"), or an object in words. Counted against the facts' own text, which may hold either
 * (a policy named "undefined-access" is a valid IAM name).
 */
const UNREADABLE_WORDS: readonly string[] = ['undefined', '[object '];

function occurrences(text: string, word: string): number {
  let count = 0;
  for (let at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + word.length)) count += 1;
  return count;
}

/** True when the sentence holds "undefined" or "[object " more often than the facts' own text does. */
function unreadable(sentence: string, facts: Json): boolean {
  for (const word of UNREADABLE_WORDS) {
    const inSentence = occurrences(sentence, word);
    if (inSentence === 0) continue;
    let inFacts = 0;
    for (const key of Object.keys(facts)) {
      const fact = facts[key];
      if (typeof fact === 'string') inFacts += occurrences(fact, word);
      else if (Array.isArray(fact)) for (const part of fact) if (typeof part === 'string') inFacts += occurrences(part, word);
    }
    if (inSentence > inFacts) return true;
  }
  return false;
}

/**
 * Rebuilds format 3's evidence sentences: the rule of this version named by the result, its
 * options in effect from the report's `rules` and the report's evaluation instant, the context the
 * engine gave `describe` (analyze/identity-walk.ts RuleRun). A rule this version does not know,
 * facts that are not flat JSON values, or facts the rule's `describe` cannot read are refused with
 * the field named, never read as an empty sentence.
 */
class EvidenceFromFacts {
  private readonly rules: ReadonlyMap<string, Rule>;
  private readonly contexts = new Map<string, RuleContext<RuleOptions>>();
  private now: number | null = null;
  private optionsAt: Map<string, { readonly value: unknown; readonly where: string }> | null = null;

  constructor(
    private readonly data: Json,
    private readonly read: ReportReader,
    rules: readonly Rule[],
  ) {
    this.rules = new Map(rules.map((rule): [string, Rule] => [rule.id, rule]));
  }

  /** The facts as a flat record of JSON values (text, numbers, booleans, null, lists of text). */
  facts(value: unknown, where: string): Json {
    const facts = this.read.object(value, where);
    for (const key of Object.keys(facts)) {
      const fact = facts[key];
      const flat = fact === null || typeof fact === 'string' || typeof fact === 'boolean' || (typeof fact === 'number' && Number.isFinite(fact)) || (Array.isArray(fact) && fact.every((part) => typeof part === 'string'));
      if (!flat) this.read.fail(`${where}.${key}`, 'expected text, a number, true/false, null or a list of text (a rule\'s facts are flat)');
    }
    return facts;
  }

  evidence(ruleId: string, facts: Json, where: string): string {
    const rule = this.rules.get(ruleId);
    if (rule === undefined) return this.read.fail(where, `the rule ${JSON.stringify(ruleId)} is not one this iam-audit ${packageInfo().version} knows, so its facts cannot be read as evidence; read the report with the version that wrote it`);
    const context = this.context(rule);
    let sentence: unknown;
    try {
      sentence = describeFacts(rule, facts as RuleFacts, context);
    } catch (error) {
      return this.read.fail(where, `the rule ${ruleId} cannot read these facts as evidence (${error instanceof Error ? error.message : String(error)}); is the report written by another iam-audit version?`);
    }
    if (typeof sentence !== 'string' || unreadable(sentence, facts)) {
      return this.read.fail(where, `the rule ${ruleId} cannot read these facts as evidence (it gave ${JSON.stringify(sentence ?? null)}); is the report written by another iam-audit version?`);
    }
    return sentence;
  }

  private context(rule: Rule): RuleContext<RuleOptions> {
    let context = this.contexts.get(rule.id);
    if (context === undefined) {
      context = { now: this.evaluationInstant(), options: this.options(rule.id) };
      this.contexts.set(rule.id, context);
    }
    return context;
  }

  /** The instant the run measured against: the capture time or --as-of. */
  private evaluationInstant(): number {
    if (this.now === null) {
      const metadata = this.read.object(this.data['metadata'], 'metadata');
      this.now = Date.parse(this.read.time(metadata['evaluated_as_of'], 'metadata.evaluated_as_of'));
    }
    return this.now;
  }

  /** The rule's options in effect, as the report's `rules` section lists them. */
  private options(ruleId: string): RuleOptions {
    if (this.optionsAt === null) {
      this.optionsAt = new Map();
      for (const [index, value] of this.read.array(this.data['rules'], 'rules').entries()) {
        const entry = this.read.object(value, `rules[${index}]`);
        this.optionsAt.set(this.read.text(entry['id'], `rules[${index}].id`), { value: entry['options'], where: `rules[${index}].options` });
      }
    }
    const found = this.optionsAt.get(ruleId);
    if (found === undefined) return this.read.fail('rules', `no entry for the rule ${JSON.stringify(ruleId)}, whose options its results' facts are read with`);
    const options = this.read.object(found.value, found.where);
    for (const key of Object.keys(options)) {
      const option = options[key];
      if (typeof option !== 'string' && typeof option !== 'boolean' && !(typeof option === 'number' && Number.isFinite(option))) this.read.fail(`${found.where}.${key}`, 'expected text, a number or true/false');
    }
    return options as RuleOptions;
  }
}
