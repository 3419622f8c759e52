/**
 * The JSON report's `resources` (result format 4, issue 26): each resource once (ARN, type, name,
 * finding key) with its rule results keyed by rule id, one compact line per resource, written the
 * same way from the whole result (render/json.ts renderJsonChunks) and from the batches a streamed
 * run hands over; each distinct reason text once, in the report's `reasons`, which results index.
 */
import type { AppliedException, FindingTracking, RuleResult, Severity } from '../analyze/result.js';
import { isPastDay, utcDayAfter } from '../util/time.js';
import { InternalConsistencyError } from '../util/errors.js';
import { factsJson, jsonName, jsonString, ReasonTable } from './json-text.js';

export { ReasonTable };

const INDENT = '    ';

/**
 * What a tracking is unless it says otherwise (the report's `remediation`: `due_from`, the capture
 * time, and `due_days` per severity): first detected at the capture, due that many days after the
 * first detection. Null when the report has no remediation section: the tracking is written whole.
 */
export interface TrackingDefaults {
  readonly dueFrom: string;
  readonly dueDays: Readonly<Record<Severity, number | null>>;
  /** The evaluation time (`metadata.evaluated_as_of`): overdue is past the due day then. */
  readonly asOf: string;
  /** The report's own date (`metadata.audit_start_utc`): past due at report is past the due day then. */
  readonly reportTime: string;
}
const HASH = '#'.charCodeAt(0);
const SLASH = '/'.charCodeAt(0);

/**
 * The identity a result belongs to (formats 3 and 4 group results by it): a user's ARN for the user and
 * what hangs off it (`#access_key_1`, `#<inline policy>`), '' for everything account-wide (the
 * account, root and its keys, groups, roles, policies, certificates).
 */
function identityOf(resourceArn: string): string {
  const hash = resourceArn.indexOf('#');
  const owner = hash < 0 ? resourceArn : resourceArn.slice(0, hash);
  return owner.includes(':user/') ? owner : '';
}

/**
 * Groups results into the report's resource entries (formats 3 and 4), the same way whether it is given
 * every result at once (renderJsonChunks) or one identity's batch at a time as the engine judges
 * (jsonReportStream): a function of the sequence alone, so both write the same bytes. Within each
 * maximal run of results of one identity, one entry per resource (ARN, type and name: the account
 * and root share an ARN), in the order of its first result, with its results in their order. An
 * identity's entries are complete when a result of another identity arrives or at `end`; only those
 * of the current identity are held. A resource can have two entries only if the results of its
 * identity were split by another's (no engine run does that; readers merge by ARN anyway).
 */
export class ResourceEntries {
  private identity: string | null = null;
  /** The open entries, in the order of their first result. */
  private entries: RuleResult[][] = [];
  /** The open entries of each ARN: one, but for the account and root, which share theirs. */
  private byArn = new Map<string, RuleResult[][]>();

  /** Adds results in order; returns the entries they completed. */
  add(items: readonly RuleResult[]): RuleResult[][] {
    const done: RuleResult[][] = [];
    for (const item of items) {
      const arn = item.resourceArn;
      if (!this.ofOpenUser(arn)) {
        const identity = identityOf(arn);
        if (identity !== this.identity) {
          this.flush(done);
          this.identity = identity;
        }
      }
      const sameArn = this.byArn.get(arn);
      const entry = sameArn === undefined ? undefined : sameResource(sameArn, item);
      if (entry !== undefined) {
        entry.push(item);
        continue;
      }
      const created = [item];
      this.entries.push(created);
      if (sameArn === undefined) this.byArn.set(arn, [created]);
      else sameArn.push(created);
    }
    return done;
  }

  /** The entries still open. */
  end(): RuleResult[][] {
    const done: RuleResult[][] = [];
    this.flush(done);
    this.identity = null;
    return done;
  }

  /**
   * True when the ARN is the open user's or hangs off it (`<user ARN>#...`): identityOf would give
   * the open identity (a user's ARN holds no `#`), found without slicing, as for most results.
   */
  private ofOpenUser(arn: string): boolean {
    const open = this.identity;
    return open !== null && open !== '' && arn.startsWith(open) && (arn.length === open.length || arn.charCodeAt(open.length) === HASH);
  }

  private flush(done: RuleResult[][]): void {
    for (const entry of this.entries) done.push(entry);
    this.entries = [];
    // A new map, not clear(): a cleared map's old table stays linked to its successor, and once promoted it keeps
    // every later identity's results alive across scavenges until the next full collection (docs/performance.md).
    this.byArn = new Map();
  }
}

/** The entry among those of one ARN whose resource (type and name) is the item's. */
function sameResource(entries: readonly RuleResult[][], item: RuleResult): RuleResult[] | undefined {
  for (const entry of entries) {
    const first = entry[0];
    if (first !== undefined && first.resourceType === item.resourceType && first.resourceName === item.resourceName) return entry;
  }
  return undefined;
}

/** Every result's resource entries, in order (the whole result at once). */
export function resourceEntries(results: readonly RuleResult[]): RuleResult[][] {
  const entries = new ResourceEntries();
  return [...entries.add(results), ...entries.end()];
}

/**
 * One resource and its results as the JSON report's object (format 4; the file's line is
 * resourceLine's text, which parses to this): the resource once, its finding key (every finding id
 * of the entry is `<rule>/<finding_key>`), and its results keyed by rule id, each with only what
 * is the result's own. A finding id that is not `<rule>/<finding_key>`, or a second result of one
 * rule on one resource (a key written twice: a reader would keep only one), is a bug: the writer
 * stops. `defaults`: what a tracking leaves out (trackingJson); `reasons`: the report's table.
 */
export function resourceJson(entry: readonly RuleResult[], defaults: TrackingDefaults | null = null, reasons: ReasonTable = new ReasonTable()): Record<string, unknown> {
  const findingKey = checkedFindingKey(entry);
  const results: Record<string, unknown> = {};
  for (const item of entry) results[item.ruleId] = resultJson(item, defaults, reasons);
  const first = entry[0] as RuleResult;
  return { arn: first.resourceArn, type: first.resourceType, name: first.resourceName, finding_key: findingKey, results };
}

/**
 * resourceJson's object as compact JSON text, written from the results' fields (no object per
 * line, no JSON.stringify but for the rare exception and tracking): 850,000 results for 100,000
 * users. `test/report-format-4.test.ts` checks that it parses to resourceJson's object.
 */
export function resourceLine(entry: readonly RuleResult[], defaults: TrackingDefaults | null, reasons: ReasonTable): string {
  const findingKey = checkedFindingKey(entry);
  const first = entry[0] as RuleResult;
  let text = `{"arn":${jsonString(first.resourceArn)},"type":${jsonString(first.resourceType)},"name":${jsonString(first.resourceName)},"finding_key":${jsonString(findingKey)},"results":{`;
  for (let index = 0; index < entry.length; index += 1) {
    const item = entry[index] as RuleResult;
    text += `${index === 0 ? '' : ','}${jsonName(item.ruleId)}:{"status":${jsonName(item.status)}`;
    const facts = item.facts === undefined || item.facts === null ? null : factsJson(item.facts);
    if (facts !== null) text += `,"facts":${facts}`;
    else if (item.evidence !== '') text += `,"evidence":${jsonString(item.evidence)}`;
    if (item.reason !== null) {
      const reason = reasons.reference(item.reason);
      text += `,"reason":${typeof reason === 'number' ? String(reason) : jsonString(reason)}`;
    }
    if (item.exception !== null) text += `,"exception":${JSON.stringify(exceptionJson(item.exception))}`;
    if (item.expiredException !== null) text += `,"expired_exception":${JSON.stringify(exceptionJson(item.expiredException))}`;
    const tracking = writtenTracking(item, defaults);
    if (tracking !== null) text += `,"tracking":${JSON.stringify(tracking)}`;
    text += '}';
  }
  return `${text}}}`;
}

/** The entry's finding key, after checking every result's finding id is `<rule>/<key>` and no rule has two results on it. */
function checkedFindingKey(entry: readonly RuleResult[]): string {
  const first = entry[0];
  if (first === undefined) throw new InternalConsistencyError('a resource entry without results');
  const findingKey = first.findingId.slice(first.ruleId.length + 1);
  for (let index = 0; index < entry.length; index += 1) {
    const item = entry[index] as RuleResult;
    if (!hasFindingKey(item, findingKey)) {
      throw new InternalConsistencyError(`the result of ${item.ruleId} on ${item.resourceArn} has the finding id ${JSON.stringify(item.findingId)}, not ${item.ruleId}/<the resource's key ${JSON.stringify(findingKey)}>`);
    }
    // Results are keyed by rule id: a second result of a rule would overwrite the first on reading. Entries hold a handful of results.
    for (let before = 0; before < index; before += 1) {
      if ((entry[before] as RuleResult).ruleId === item.ruleId) throw new InternalConsistencyError(`two results of ${item.ruleId} on ${item.resourceArn} (${item.resourceType} ${JSON.stringify(item.resourceName)}): finding ids must be unique`);
    }
  }
  return findingKey;
}

/** True when the result's finding id is `<rule>/<key>` (compared in place: no string made per result). */
function hasFindingKey(item: RuleResult, key: string): boolean {
  const id = item.findingId;
  const rule = item.ruleId;
  return key !== '' && id.length === rule.length + 1 + key.length && id.charCodeAt(rule.length) === SLASH && id.startsWith(rule) && id.endsWith(key);
}

/**
 * One rule result inside its resource entry (under its rule id): `status`, the rule's `facts`
 * where it gave some (readers rebuild the sentence with the rule's `describe`, the report's options
 * and evaluation instant: app/shared/report-results.ts), the `evidence` sentence only for a result
 * without facts that has one; `reason` (its index in `reasons`) only when there is one.
 */
function resultJson(item: RuleResult, defaults: TrackingDefaults | null, reasons: ReasonTable): Record<string, unknown> {
  const json: Record<string, unknown> = { status: item.status };
  const facts = item.facts;
  if (facts !== undefined && facts !== null && factsJson(facts) !== null) json['facts'] = facts;
  else if (item.evidence !== '') json['evidence'] = item.evidence;
  if (item.reason !== null) json['reason'] = reasons.reference(item.reason);
  if (item.exception !== null) json['exception'] = exceptionJson(item.exception);
  if (item.expiredException !== null) json['expired_exception'] = exceptionJson(item.expiredException);
  const tracking = writtenTracking(item, defaults);
  if (tracking !== null) json['tracking'] = tracking;
  return json;
}

/**
 * Failed and excepted results only: owner, due date, management response (issue 10). With the
 * report's remediation settings every such result has one: one with nothing to say is left out (null).
 */
function writtenTracking(item: RuleResult, defaults: TrackingDefaults | null): Record<string, unknown> | null {
  if (item.tracking === undefined) return null;
  const tracking = trackingJson(item, item.tracking, defaults);
  return defaults === null || !isEmpty(tracking) ? tracking : null;
}

/**
 * A result's tracking with only what is not the default: no owner, no management response are left
 * out; with the report's remediation settings and instants (`defaults`) also a first detection at
 * the capture, the due date the result's severity gives from its first detection (for an accepted
 * risk: none), and overdue / past due at the report's date when they are what the due date and the
 * evaluation time / the run's start give (without `defaults`: when false). The reader (app/shared/report-results.ts)
 * fills them in.
 */
function trackingJson(item: RuleResult, tracking: FindingTracking, defaults: TrackingDefaults | null): Record<string, unknown> {
  const json: Record<string, unknown> = {};
  if (tracking.owner !== null) json['owner'] = tracking.owner;
  if (tracking.ownerSource !== null) json['owner_source'] = tracking.ownerSource;
  const known = defaults === null ? null : derivedDates(defaults);
  if (known === null || tracking.dueDate !== known.dueDate(item, tracking)) json['due_date'] = tracking.dueDate;
  const [overdue, pastDueAtReport] = known === null || tracking.dueDate === null ? NOT_PAST : known.past(tracking.dueDate);
  if (tracking.overdue !== overdue) json['overdue'] = tracking.overdue;
  if (tracking.firstDetected !== undefined && (defaults === null || tracking.firstDetected !== defaults.dueFrom)) json['first_detected'] = tracking.firstDetected;
  if ((tracking.pastDueAtReport ?? false) !== pastDueAtReport) json['past_due_at_report'] = tracking.pastDueAtReport ?? false;
  if (tracking.response !== null) json['response'] = { response: tracking.response.response, owner: tracking.response.owner, target_date: tracking.response.targetDate };
  return json;
}

function isEmpty(record: Record<string, unknown>): boolean {
  for (const _key in record) return false;
  return true;
}

const NOT_PAST: readonly [boolean, boolean] = [false, false];

/**
 * The dates a tracking follows unless it says otherwise, worked out once per severity and first
 * detection, and once per due date (a handful each; asked for every failure: 160,000 of them for
 * 100,000 generated users, where computing each date was half the resource lines' time).
 */
class DerivedDates {
  private readonly due = new Map<string, string | null>();
  private readonly pastByDay = new Map<string, readonly [boolean, boolean]>();

  constructor(private readonly defaults: TrackingDefaults) {}

  /** The due date a result has unless it says otherwise: none for an accepted risk, else its severity's days after its first detection. */
  dueDate(item: RuleResult, tracking: FindingTracking): string | null {
    if (item.status !== 'fail') return null;
    const since = tracking.firstDetected ?? this.defaults.dueFrom;
    const key = `${item.severity} ${since}`;
    let day = this.due.get(key);
    if (day === undefined) {
      const days = this.defaults.dueDays[item.severity];
      day = days === null || days === undefined ? null : utcDayAfter(since, days);
      this.due.set(key, day);
    }
    return day;
  }

  /** Whether the due day is past at the evaluation time (overdue) and at the report's time (past due at report). */
  past(dueDate: string): readonly [boolean, boolean] {
    let known = this.pastByDay.get(dueDate);
    if (known === undefined) {
      known = [isPastDay(dueDate, this.defaults.asOf), isPastDay(dueDate, this.defaults.reportTime)];
      this.pastByDay.set(dueDate, known);
    }
    return known;
  }
}

/** One DerivedDates per run's settings (the streamed writer and the whole-result writer each hold theirs). */
const derivedByDefaults = new WeakMap<TrackingDefaults, DerivedDates>();

function derivedDates(defaults: TrackingDefaults): DerivedDates {
  let known = derivedByDefaults.get(defaults);
  if (known === undefined) derivedByDefaults.set(defaults, (known = new DerivedDates(defaults)));
  return known;
}

function exceptionJson(exception: AppliedException): Record<string, unknown> {
  return { justification: exception.justification, approved_by: exception.approvedBy, expires: exception.expires, resource_pattern: exception.resourcePattern, ...exceptionDetailsJson(exception) };
}

/** approved_at, ticket and risk: only those the exceptions file gives (issue 25 §6). */
export function exceptionDetailsJson(entry: { readonly approvedAt?: string; readonly ticket?: string; readonly risk?: string }): Record<string, string> {
  return {
    ...(entry.approvedAt === undefined ? {} : { approved_at: entry.approvedAt }),
    ...(entry.ticket === undefined ? {} : { ticket: entry.ticket }),
    ...(entry.risk === undefined ? {} : { risk: entry.risk }),
  };
}

/** The lines of the report's `resources` as results arrive (one JSON report's state in a streamed run), and its reason table. */
export class ResourceLines {
  private readonly entries = new ResourceEntries();
  /** True once a line is written. */
  wroteAny = false;
  /**
   * `defaults`: what a tracking leaves out, as resourceJson takes it; `reasons`: the report's
   * `reasons`, complete once `end` has run.
   */
  constructor(
    private readonly defaults: TrackingDefaults | null = null,
    readonly reasons: ReasonTable = new ReasonTable(),
  ) {}

  /** The lines of the entries these results complete (the identity before them); '' while an identity is open. */
  add(items: readonly RuleResult[]): string {
    return this.lines(this.entries.add(items));
  }

  /** The lines of the entries still open: after the last result. */
  end(): string {
    return this.lines(this.entries.end());
  }

  private lines(done: readonly RuleResult[][]): string {
    let text = '';
    for (const entry of done) {
      text += `${this.wroteAny ? ',\n' : '\n'}${INDENT}${INDENT}${resourceLine(entry, this.defaults, this.reasons)}`;
      this.wroteAny = true;
    }
    return text;
  }
}
