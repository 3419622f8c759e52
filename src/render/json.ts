import type { AnalysisResult, RuleResult } from '../analyze/result.js';
import { formatRate } from '../analyze/mfa.js';
import { exceptionDetailsJson, ReasonTable, resourceEntries, resourceJson, ResourceLines, type TrackingDefaults } from './json-resources.js';
import { jsonString } from './json-text.js';
import { pythonIsoformat } from '../util/time.js';

// The streamed writer's state (report-stream.ts) names it.
export { ResourceLines };

/**
 * A long list (per-user findings, rule results) kept as its source items and a mapping, so the
 * file can be written item by item instead of as one string (which V8 caps near 512 MiB).
 */
class MappedList<Item> {
  constructor(
    readonly items: readonly Item[],
    readonly map: (item: Item) => unknown,
    /** One compact line per item instead of indented JSON: for the rule results, which are many. */
    readonly compact: boolean,
  ) {}
}

/** A type guard rather than `instanceof`, whose narrowing would type the items as `any`. */
function isMappedList(value: unknown): value is MappedList<unknown> {
  return value instanceof MappedList;
}

function mapped<Item>(items: readonly Item[], map: (item: Item) => unknown, compact = false): MappedList<Item> {
  return new MappedList(items, map, compact);
}

/** The report's `resources` (format 4): the results, written as resource lines that fill the report's reason table. */
class ResourceSection {
  constructor(
    readonly results: readonly RuleResult[],
    readonly defaults: TrackingDefaults | null,
    readonly reasons: ReasonTable,
  ) {}
}

/** A value known only once the keys before it are written: `reasons`, after `resources` has filled the table. */
class Later {
  constructor(readonly value: () => unknown) {}
}

/**
 * A top-level value as data: the lists mapped, the resources as resourceJson's objects (filling the
 * reason table, so in key order: `resources` before `reasons`), a later value taken now.
 */
function resolved(value: unknown): unknown {
  if (isMappedList(value)) return value.items.map((item) => value.map(item));
  if (value instanceof ResourceSection) return resourceEntries(value.results).map((entry) => resourceJson(entry, value.defaults, value.reasons));
  if (value instanceof Later) return value.value();
  return value;
}

/**
 * The JSON report. `metadata` and `findings` keep the original script's keys, order and value
 * styles (`metadata` with the 4-space indent json.dump(indent=4) wrote; since format 4 each
 * finding one compact line); everything new follows them.
 */
export function buildJsonReport(result: AnalysisResult): Record<string, unknown> {
  return Object.fromEntries(Object.entries(jsonShape(result, new ReasonTable())).map(([key, value]) => [key, resolved(value)]));
}

// One piece: the report JSON's whole layout, key by key in the order it is written; split, that order would be spread over functions.
function jsonShape(result: AnalysisResult, reasons: ReasonTable): Record<string, unknown> {
  const summary = result.mfa.summary;
  return {
    metadata: {
      audit_start: pythonIsoformat(result.run.startedAt),
      audit_end: pythonIsoformat(result.run.endedAt),
      elapsed_seconds: Math.round(result.run.elapsedSeconds * 100) / 100,
      total_users: summary.totalUsers,
      compliance_rate: formatRate(summary.complianceRate),
      compliant: summary.compliant,
      no_console_access: summary.noConsoleAccess,
      non_compliant: summary.nonCompliant,
      not_evaluated: summary.notEvaluated,
      console_users: summary.consoleUsers,
      console_compliance_rate: formatRate(summary.consoleComplianceRate),
      // Zoned twins: audit_start/audit_end keep the original's zone-less isoformat (they are UTC).
      audit_start_utc: result.run.startedAt,
      audit_end_utc: result.run.endedAt,
      // Numeric twins of the rate strings ("42.3%" -> 42.3), null for no users.
      compliance_rate_percent: ratePercent(summary.complianceRate),
      console_compliance_rate_percent: ratePercent(summary.consoleComplianceRate),
      evaluated_as_of: result.run.asOf,
      projection:
        result.run.projection === null
          ? null
          : { captured_at: result.run.projection.capturedAt, as_of: result.run.projection.asOf, statement: result.run.projection.statement },
      tool: result.tool,
      result_format_version: result.formatVersion,
    },
    // Format 4: one compact object per line (the original's keys, values and order; only the whitespace differs).
    findings: mapped(
      result.mfa.findings,
      (finding) => ({
        username: finding.username,
        has_console_access: finding.hasConsoleAccess,
        mfa_enabled: finding.mfaEnabled,
        compliance_status: finding.status,
        arn: finding.arn,
        detail: finding.message,
      }),
      true,
    ),
    snapshot: {
      file: result.snapshot.fileName,
      sha256: result.snapshot.sha256,
      schema_version: result.snapshot.schemaVersion,
      migrated_from: result.snapshot.migratedFrom,
      source: result.snapshot.source,
      captured_at: result.snapshot.capturedAt,
      capture_time: result.snapshot.captureTime,
      account: result.snapshot.account,
      collected_by_tool_version: result.snapshot.collectedByToolVersion,
      ...(result.snapshot.provenance === undefined ? {} : { provenance: snakeKeys(result.snapshot.provenance) }),
      collection: {
        started_at: result.snapshot.collection.startedAt,
        ended_at: result.snapshot.collection.endedAt,
        caller_arn: result.snapshot.collection.callerArn,
        region: result.snapshot.collection.region,
        api_calls: result.snapshot.collection.apiCalls,
        retries: result.snapshot.collection.retries,
        ...(result.snapshot.collection.recordedBy === undefined ? {} : { recorded_by: result.snapshot.collection.recordedBy }),
        // Per API operation; absent from snapshots made before it was recorded (and from imports).
        ...(result.snapshot.collection.apiCallsByOperation === undefined
          ? {}
          : {
              api_calls_by_operation: result.snapshot.collection.apiCallsByOperation.map((entry) => ({
                api: entry.api,
                calls: entry.calls,
                retries: entry.retries,
                errors: entry.errors,
                first_call_at: entry.firstCallAt,
                last_call_at: entry.lastCallAt,
              })),
            }),
      },
      credential_report: result.snapshot.credentialReport,
      collection_errors: result.snapshot.collectionErrors,
      discrepancies: result.snapshot.discrepancies,
      populations: result.snapshot.populations.map((population) => ({
        name: population.name,
        state: population.state,
        collected: population.collected,
        expected: population.expected,
        expected_source: population.expectedSource,
        reason: population.reason,
        statement: population.statement,
      })),
    },
    ...buildCatalogueJson(result, reasons),
    ...(result.accountFacts === undefined ? {} : { account_facts: snakeKeys(result.accountFacts) }),
    ...(result.changesSincePrevious === undefined ? {} : { changes_since_previous: snakeKeys(result.changesSincePrevious) }),
  };
}

/** Object keys in snake case, like the rest of the report (for the changes since the previous report). */
function snakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeKeys);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`), snakeKeys(entry)]));
  return value;
}

/** The percentage the rate string shows, as a number (same rounding), or null. */
export function ratePercent(rate: number | null): number | null {
  return rate === null ? null : Number(rate.toFixed(1));
}

/**
 * The rule catalogue's keys, after the original ones: `resources`, `rules`, `frameworks` (control
 * -> status with the rules behind it), `exceptions` and `configuration`. Snake case, like the rest.
 * One piece: like jsonShape, the layout of these keys in the order they are written.
 */
function buildCatalogueJson(result: AnalysisResult, reasons: ReasonTable): Record<string, unknown> {
  const catalogue = result.catalogue;
  if (catalogue === null) return {};
  const trackingDefaults = result.remediation === undefined ? null : { dueFrom: result.remediation.dueFrom, dueDays: result.remediation.dueDays, asOf: result.run.asOf, reportTime: result.run.startedAt };
  return {
    // The results first, then what is known once they are all judged (counts, control status): a
    // streamed report writes them in this order as the engine goes (issue 26).
    // Format 3: one entry per resource with its results; format 4: the results keyed by rule id (resourceJson).
    resources: new ResourceSection(catalogue.results, trackingDefaults, reasons),
    // Format 4: each distinct reason text once, which results give by index; complete only once every result is written.
    reasons: new Later(() => [...reasons.texts()]),
    rules: catalogue.rules.map((rule) => ({
      id: rule.id,
      title: rule.title,
      severity: rule.severity,
      enabled: rule.enabled,
      rationale: rule.rationale,
      remediation: rule.remediation,
      requires: rule.requires,
      controls: rule.controls.map((control) => ({ framework: control.framework, control_id: control.controlId })),
      options: rule.options,
      counts: rule.counts,
    })),
    // One object per result with its evidence; what belongs to the rule (title, severity,
    // rationale, remediation, controls) is in `rules`, once. An exception appears only on the
    // results it applies to (absent: none), as most results have none.
    frameworks: catalogue.frameworks.map((framework) => ({
      id: framework.id,
      name: framework.name,
      version: framework.version,
      counts: framework.counts,
      controls: framework.controls.map((control) => ({
        control_id: control.controlId,
        title: control.title,
        level: control.level,
        status: control.status,
        rule_ids: control.ruleIds,
        ...(control.parameterNotes === undefined ? {} : { parameter_notes: control.parameterNotes }),
      })),
    })),
    exceptions: {
      file: catalogue.exceptions.file,
      applied: catalogue.rules.reduce((sum, rule) => sum + rule.counts.excepted, 0),
      expired: catalogue.exceptions.expired.map((entry) => ({
        rule_id: entry.ruleId,
        resource_pattern: entry.resourcePattern,
        expires: entry.expires,
        justification: entry.justification,
      })),
      unused: catalogue.exceptions.unused.map((entry) => ({ rule_id: entry.ruleId, resource_pattern: entry.resourcePattern, justification: entry.justification })),
      // Every entry of the exceptions file, in file order, with the number of results it covers.
      register: (catalogue.exceptions.register ?? []).map((entry) => ({
        index: entry.index,
        rule_id: entry.ruleId,
        resource_pattern: entry.resourcePattern,
        justification: entry.justification,
        approved_by: entry.approvedBy,
        expires: entry.expires,
        ...exceptionDetailsJson(entry),
        state: entry.state,
        covered: entry.covered,
      })),
    },
    configuration: catalogue.configuration,
    // Every rule option in effect beside its default and each framework's own value (issue 25 §4).
    ...(catalogue.parameters === undefined ? {} : { parameters: snakeKeys(catalogue.parameters) }),
    ...(result.remediation === undefined
      ? {}
      : {
          remediation: {
            due_days: result.remediation.dueDays,
            due_from: result.remediation.dueFrom,
            owner_tag_keys: result.remediation.ownerTagKeys,
            tags_collected: result.remediation.tagsCollected,
            owners_file: result.remediation.ownersFile,
            responses_file: result.remediation.responsesFile,
            unmatched_responses: result.remediation.unmatchedResponses.map((entry) => ({ rule_id: entry.ruleId, resource: entry.resource, response: entry.response })),
          },
        }),
  };
}

const INDENT = '    ';

/**
 * JSON.stringify(value), or JSON.stringify(value, null, 4) nested `depth` levels deep when
 * `indent`, for the JSON data of a report (plain objects, arrays, strings, finite numbers,
 * booleans, null). Compact text is JSON.stringify's own (V8's serialiser is about twice as fast as
 * this one for it); indented text is written here, without JSON.stringify's general indenting
 * machinery, which was most of a large run's time. A test compares the two.
 */
export function reportJson(value: unknown, indent: boolean, depth = 0): string {
  if (!indent) return JSON.stringify(value) ?? 'null';
  return indentedJson(value, depth);
}

function indentedJson(value: unknown, depth: number): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return jsonString(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      return JSON.stringify(value) ?? 'null';
  }
  const inner = `\n${INDENT.repeat(depth + 1)}`;
  const close = `\n${INDENT.repeat(depth)}`;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    let text = '[';
    for (let index = 0; index < value.length; index += 1) {
      const item: unknown = value[index];
      const written = item === undefined || typeof item === 'function' || typeof item === 'symbol' ? 'null' : indentedJson(item, depth + 1);
      text += `${index === 0 ? '' : ','}${inner}${written}`;
    }
    return `${text}${close}]`;
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return JSON.stringify(value, null, 4).replace(/\n/g, `\n${INDENT.repeat(depth)}`);
  let text = '{';
  let first = true;
  for (const key of Object.keys(value)) {
    const item: unknown = (value as Record<string, unknown>)[key];
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
    text += `${first ? '' : ','}${inner}${jsonString(key)}: ${indentedJson(item, depth + 1)}`;
    first = false;
  }
  return first ? '{}' : `${text}${close}}`;
}

/** JSON.stringify(value, null, 4) as it appears nested `depth` levels deep in the whole document. */
function nestedJson(value: unknown, depth: number): string {
  return reportJson(value, true, depth);
}

/**
 * The JSON report in chunks: JSON.stringify(buildJsonReport(result), null, 4), except that each
 * resource entry (a resource with its rule results) and each of the original `findings` is one
 * compact line (a large account has hundreds of thousands of them; indented, they would double the
 * file), and the long lists are written a batch of items at a time.
 */
export function* renderJsonChunks(result: AnalysisResult, itemsPerChunk = 1000): Generator<string> {
  const entries = shapeEntries(result);
  yield '{';
  for (const [index, [key, value]] of entries.entries()) yield* entryChunks(key, value, index === 0, itemsPerChunk);
  yield entries.length === 0 ? '}\n' : '\n}\n';
}

/** The report's top-level keys and values; JSON.stringify leaves out keys whose value is undefined, and so do we. */
function shapeEntries(result: AnalysisResult, reasons: ReasonTable = new ReasonTable()): [string, unknown][] {
  return Object.entries(jsonShape(result, reasons)).filter(([, value]) => value !== undefined);
}

function* entryChunks(key: string, value: unknown, first: boolean, itemsPerChunk: number): Generator<string> {
  const separator = first ? '\n' : ',\n';
  if (value instanceof ResourceSection) {
    yield `${separator}${INDENT}"resources": [`;
    const lines = new ResourceLines(value.defaults, value.reasons);
    for (let start = 0; start < value.results.length; start += itemsPerChunk) yield lines.add(value.results.slice(start, start + itemsPerChunk));
    yield `${lines.end()}${lines.wroteAny ? `\n${INDENT}]` : ']'}`;
  } else if (value instanceof Later) {
    yield `${separator}${INDENT}${JSON.stringify(key)}: ${nestedJson(value.value(), 1)}`;
  } else if (isMappedList(value) && value.items.length > 0) {
    yield `${separator}${INDENT}${JSON.stringify(key)}: [`;
    let batch: string[] = [];
    for (const [position, item] of value.items.entries()) {
      const text = reportJson(value.map(item), !value.compact, 2);
      batch.push(`${position === 0 ? '\n' : ',\n'}${INDENT}${INDENT}${text}`);
      if (batch.length >= itemsPerChunk) {
        yield batch.join('');
        batch = [];
      }
    }
    yield `${batch.join('')}\n${INDENT}]`;
  } else {
    yield `${separator}${INDENT}${JSON.stringify(key)}: ${nestedJson(isMappedList(value) ? [] : value, 1)}`;
  }
}

/**
 * The JSON report written while the engine judges (a streamed report, issue 26), byte for byte
 * what renderJsonChunks writes for the same results: `head` before the first result (it needs no
 * catalogue), `lines` (one per report) takes each batch, `tail` writes the entries still open and
 * the catalogue's summary once every result is in.
 */
export const jsonReportStream = {
  // In pieces: a large account's per-user findings are tens of megabytes, which built as one text were promoted to the old generation.
  *head(result: AnalysisResult): Generator<string> {
    const entries = shapeEntries({ ...result, catalogue: null });
    yield '{';
    for (const [index, [key, value]] of entries.entries()) yield* entryChunks(key, value, index === 0, 100);
    yield `${entries.length === 0 ? '\n' : ',\n'}${INDENT}"resources": [`;
  },
  /** `defaults`: the run's remediation settings (its `remediation` key, written in the tail). */
  lines(defaults: TrackingDefaults | null): ResourceLines {
    return new ResourceLines(defaults);
  },
  tail(result: AnalysisResult, lines: ResourceLines): string {
    const last = lines.end();
    const entries = shapeEntries(result, lines.reasons);
    const after = entries.slice(entries.findIndex(([key]) => key === 'resources') + 1);
    return [last, lines.wroteAny ? `\n${INDENT}]` : ']', ...after.flatMap(([key, value]) => [...entryChunks(key, value, false, Number.POSITIVE_INFINITY)]), '\n}\n'].join('');
  },
};

export function renderJson(result: AnalysisResult): string {
  return [...renderJsonChunks(result)].join('');
}
