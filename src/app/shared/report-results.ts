/**
 * The rule results of a report JSON, whatever result format wrote it, as one flat list: every
 * reader of report JSONs (diff, trend, report --previous, notify, verify --reproduce, the tests)
 * goes through here, so none of them knows the layouts.
 *
 *  - format 1: `results`, one object per result, with the rule's severity on each;
 *  - format 2: `results`, one object per result, the severity once per rule in `rules`;
 *  - format 3: `resources`, one object per resource (`arn`, `type`, `name`, `finding_key`) with
 *    its `results` (`rule`, `status`, `evidence` and `reason` only when present, `exception`,
 *    `expired_exception`, `tracking` only where they apply); a finding id is `<rule>/<finding_key>`.
 *
 * A report that does not fit is refused with one line naming the file and the field
 * (`resources[12].results[3].status`), never read as fewer results.
 */
import { stableFindingId } from '../../analyze/finding-id.js';
import { RESULT_FORMAT_VERSION, type RuleResultStatus } from '../../analyze/result.js';
import { InputError } from '../../util/errors.js';
import { packageInfo } from '../../util/paths.js';

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
  /** '' when the result has none. */
  readonly evidence: string;
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

/** The report's rule results in the order written, flat, whichever format (checked first) wrote them. */
export function* reportResults(data: Json, read: ReportReader): Generator<ReportResult> {
  if (reportFormat(data, read) >= 3) yield* resourceResults(data, read);
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
      reason: reasonOf(item['reason'], `${where}.reason`, read),
      exception: optionalObject(item['exception'], `${where}.exception`, read),
      expiredException: optionalObject(item['expired_exception'], `${where}.expired_exception`, read),
      tracking: optionalObject(item['tracking'], `${where}.tracking`, read),
      where,
    };
  }
}

/** Format 3: `resources`, each resource once with its results. */
function* resourceResults(data: Json, read: ReportReader): Generator<ReportResult> {
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
      const evidence = item['evidence'] === undefined ? '' : read.text(item['evidence'], `${where}.evidence`);
      yield {
        findingId: `${ruleId}/${findingKey}`,
        ruleId,
        severity: null,
        resourceType,
        resourceArn,
        resourceName,
        status: statusOf(item['status'], `${where}.status`, read),
        evidence,
        reason: reasonOf(item['reason'], `${where}.reason`, read),
        exception: optionalObject(item['exception'], `${where}.exception`, read),
        expiredException: optionalObject(item['expired_exception'], `${where}.expired_exception`, read),
        tracking: optionalObject(item['tracking'], `${where}.tracking`, read),
        where,
      };
    }
  }
}
