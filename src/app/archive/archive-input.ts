/**
 * Reads an archived audit for `diff`, `trend` and `report --previous`: a snapshot (analysed here,
 * as of its own capture time, with the run's configuration and exceptions) or a report JSON (as
 * `report --format json` wrote it), either `.json` or `.json.gz`, told apart by content.
 *
 * This folder holds the use cases over archived audits: `diff` (diff.ts), `trend` (trend.ts) and
 * `report --previous` (previous.ts), all reading archives here. Lower layers: snapshot/ (reading),
 * analyze/ (archive-state, compare, trend: pure), render/ (change and trend reports), evidence/
 * (diff's manifest and signature); shared/ for analysing a snapshot and reading catalogue files.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fixText, identitiesOf, stateFromAnalysis, type ArchiveFinding, type ArchiveFramework, type ArchiveIdentity, type ArchiveState, type ControlStatusName } from '../../analyze/archive-state.js';
import type { CatalogueConfiguration, CatalogueFramework, ExceptionList } from '../../analyze/engine.js';
import { snapshotTrendPoint, trendPoint, type TrendPoint } from '../../analyze/trend.js';
import type { Rule } from '../../rules/rule.js';
import { parseSnapshotJson } from '../../snapshot/json-text.js';
import { ORG_INDEX_KIND } from '../../snapshot/org-index.js';
import { decompressIfGzip, describeFsError, MAX_SNAPSHOT_BYTES, snapshotFromDocument, type LoadedSnapshot } from '../../snapshot/io.js';
import { InputError } from '../../util/errors.js';
import { sha256Hex } from '../../util/files.js';
import { analyseLoaded } from '../shared/analyse.js';
import { ReportReader as Reader, reportFormat, reportResults } from '../shared/report-results.js';

/** How snapshots are analysed: the same rules, frameworks, configuration and exceptions for every one. */
export interface ArchiveAnalysis {
  readonly rules: readonly Rule[];
  readonly frameworks: readonly CatalogueFramework[];
  readonly configuration: CatalogueConfiguration;
  readonly exceptions: ExceptionList;
  readonly clock: () => Date;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

export async function readBytes(path: string): Promise<Buffer> {
  try {
    const { size } = await stat(path);
    if (size > MAX_SNAPSHOT_BYTES) throw new InputError(path, null, `too large to read (${size} bytes)`);
    return await readFile(path);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(path, null, describeFsError(error));
  }
}

function parseJson(bytes: Buffer, path: string): unknown {
  if (bytes.length === 0) throw new InputError(path, null, 'the file is empty; expected an iam-audit snapshot or report JSON');
  const text = decompressIfGzip(bytes, path);
  try {
    // A large snapshot's users are parsed a piece at a time (snapshot/json-text.ts).
    return parseSnapshotJson(text);
  } catch (error) {
    throw new InputError(path, null, `not valid JSON (${(error as Error).message.replace(/\s+/g, ' ')}); expected an iam-audit snapshot or report JSON`);
  }
}

/** A snapshot has `schemaVersion` at the top; a report JSON has `metadata` (and `resources`, or `results` before format 3). */
function isReportJson(document: unknown): document is Json {
  return isObject(document) && 'metadata' in document && !('schemaVersion' in document);
}

/**
 * What the tool writes beside its archives that is not one (a manifest, OCSF events, a change or
 * trend report, an organisation index), told by content; null for anything else.
 */
export function toolOutputOf(document: unknown): string | null {
  if (Array.isArray(document)) return document.every((event) => isObject(event) && 'class_uid' in event) ? 'OCSF events' : null;
  if (!isObject(document)) return null;
  if ('manifestVersion' in document) return 'a manifest';
  if (document['format'] === 'iam-audit-changes' || document['format'] === 'iam-audit-org-changes') return 'a change report';
  if (document['format'] === 'iam-audit-trend') return 'a trend report';
  if (document['kind'] === ORG_INDEX_KIND) return 'an organisation index';
  return null;
}

/**
 * One archive's trend point, or null for the tool's other outputs: a snapshot is counted by the
 * one-pass engine without building its results (analyze/trend.ts), a report JSON read as for diff.
 */
export async function loadTrendPoint(path: string, analysis: ArchiveAnalysis, bytes: Buffer, fileSha256: string, toolOutputs: 'skip' | 'refuse' = 'skip'): Promise<TrendPoint | null> {
  const document = parseJson(bytes, path);
  const toolOutput = toolOutputOf(document);
  if (toolOutput !== null && toolOutputs === 'skip') return null;
  if (toolOutput !== null) throw new InputError(path, null, `this is ${toolOutput}, not an iam-audit snapshot or report JSON`);
  if (isReportJson(document)) return trendPoint(await stateFromReportJson(document, path, fileSha256));
  const { snapshot } = snapshotFromDocument(document, path);
  return snapshotTrendPoint({ fileName: basename(path), sha256: fileSha256 }, { snapshot, rules: analysis.rules, frameworks: analysis.frameworks, configuration: analysis.configuration, exceptions: analysis.exceptions });
}

/** Reads one archive into its comparable state. A bad file is one InputError naming it. */
export async function loadArchive(path: string, analysis: ArchiveAnalysis): Promise<ArchiveState> {
  const bytes = await readBytes(path);
  return stateOfDocument(parseJson(bytes, path), bytes, path, analysis);
}

async function stateOfDocument(document: unknown, bytes: Buffer, path: string, analysis: ArchiveAnalysis): Promise<ArchiveState> {
  if (isReportJson(document)) return stateFromReportJson(document, path, sha256Hex(bytes));
  const parsed = snapshotFromDocument(document, path);
  const loaded: LoadedSnapshot = { ...parsed, bytes, path, sha256: sha256Hex(bytes) };
  const startedAt = analysis.clock();
  const result = analyseLoaded(loaded, startedAt, analysis.clock(), undefined, {
    rules: analysis.rules,
    frameworks: analysis.frameworks,
    configuration: analysis.configuration,
    exceptions: analysis.exceptions,
  });
  return stateFromAnalysis(result, parsed.snapshot);
}

function rateOf(percent: unknown): number | null {
  return typeof percent === 'number' && Number.isFinite(percent) ? percent / 100 : null;
}

/**
 * A rate from the counts it was computed from (as src/analyze/mfa.ts does), not from the printed
 * percentage, which is rounded to one decimal: a snapshot compared with its own report JSON then
 * differs by nothing, not by -0.04 points. Null when the counts are absent (the percentage is used).
 */
function rateFromCounts(part: unknown, whole: unknown): number | null {
  if (typeof part !== 'number' || typeof whole !== 'number' || !Number.isFinite(part) || !Number.isFinite(whole) || whole <= 0) return null;
  return part / whole;
}

const CONTROL_STATUSES: readonly ControlStatusName[] = ['pass', 'pass_with_exceptions', 'fail', 'not_evaluated', 'manual'];

/** A report JSON's rule results as archive findings (formats 2 and 3 keep each rule's severity once, in `rules`). */
function findingsOf(read: Reader, data: Json): ArchiveFinding[] {
  const severityOfRule = new Map<string, string>();
  for (const [index, value] of read.array(data['rules'], 'rules').entries()) {
    const rule = read.object(value, `rules[${index}]`);
    severityOfRule.set(read.text(rule['id'], `rules[${index}].id`), read.text(rule['severity'], `rules[${index}].severity`));
  }
  return [...reportResults(data, read)].map((item): ArchiveFinding => ({
    findingId: item.findingId,
    ruleId: item.ruleId,
    severity: read.text(item.severity ?? severityOfRule.get(item.ruleId), `${item.where}.severity (or the severity of rule ${item.ruleId} in rules)`),
    resourceType: item.resourceType,
    resourceArn: item.resourceArn,
    resourceName: item.resourceName,
    status: item.status,
    exceptionExpires: item.exception === null ? null : read.optionalText(item.exception['expires']),
    expiredExceptionExpires: item.expiredException === null ? null : (read.optionalText(item.expiredException['expires']) ?? ''),
    // Formats 1 and 2 wrote "" for no evidence, format 3 leaves it out: both read as "".
    evidence: item.evidence,
    firstDetected: item.tracking === null ? null : read.optionalText(item.tracking['first_detected']),
  }));
}

/** A report JSON's frameworks with their control statuses. */
function frameworksOf(read: Reader, data: Json): ArchiveFramework[] {
  return read.array(data['frameworks'] ?? [], 'frameworks').map((value, index): ArchiveFramework => {
    const framework = read.object(value, `frameworks[${index}]`);
    const id = read.text(framework['id'], `frameworks[${index}].id`);
    const counts = read.object(framework['counts'], `frameworks[${index}].counts`);
    return {
      id,
      name: read.text(framework['name'], `frameworks[${index}].name`),
      version: read.text(framework['version'], `frameworks[${index}].version`),
      counts: Object.fromEntries(CONTROL_STATUSES.map((status) => [status, read.number(counts[status] ?? 0, `frameworks[${index}].counts.${status}`)])) as Record<ControlStatusName, number>,
      controls: read.array(framework['controls'], `frameworks[${index}].controls`).map((entry, position) => {
        const control = read.object(entry, `frameworks[${index}].controls[${position}]`);
        const status = read.text(control['status'], `frameworks[${index}].controls[${position}].status`);
        if (!(CONTROL_STATUSES as readonly string[]).includes(status)) read.fail(`frameworks[${index}].controls[${position}].status`, `unknown status ${JSON.stringify(status)}`);
        return {
          framework: id,
          controlId: read.text(control['control_id'], `frameworks[${index}].controls[${position}].control_id`),
          title: read.text(control['title'], `frameworks[${index}].controls[${position}].title`),
          status: status as ControlStatusName,
          ruleIds: read.array(control['rule_ids'] ?? [], `frameworks[${index}].controls[${position}].rule_ids`).map((ruleId) => String(ruleId)),
        };
      }),
    };
  });
}

/** A report JSON's state: its results as they were judged when it was written. */
export async function stateFromReportJson(data: Json, path: string, fileSha256: string): Promise<ArchiveState> {
  const read = new Reader(path);
  const metadata = read.object(data['metadata'], 'metadata');
  // Formats 1, 2 and 3 carry the same facts in other layouts (shared/report-results.ts).
  reportFormat(data, read);
  const snapshot = read.object(data['snapshot'], 'snapshot');
  const account = read.object(snapshot['account'], 'snapshot.account');
  const results = findingsOf(read, data);
  const frameworks = frameworksOf(read, data);
  const rules = read.array(data['rules'] ?? [], 'rules').map((value, index) => {
    const rule = read.object(value, `rules[${index}]`);
    const options = isObject(rule['options']) ? (rule['options'] as Record<string, number | boolean | string>) : {};
    const remediation = isObject(rule['remediation']) ? rule['remediation'] : null;
    const fix = remediation === null ? null : fixText({ console: Array.isArray(remediation['console']) ? remediation['console'].filter((step): step is string => typeof step === 'string') : [], cli: read.optionalText(remediation['cli']) ?? '' });
    return { id: read.text(rule['id'], `rules[${index}].id`), title: read.text(rule['title'], `rules[${index}].title`), severity: read.text(rule['severity'], `rules[${index}].severity`), options, fix };
  });
  const users = read.array(data['findings'] ?? [], 'findings').map((value, index): ArchiveIdentity => {
    const finding = read.object(value, `findings[${index}]`);
    return {
      name: read.text(finding['username'], `findings[${index}].username`),
      arn: read.text(finding['arn'], `findings[${index}].arn`),
      consoleAccess: typeof finding['has_console_access'] === 'boolean' ? finding['has_console_access'] : null,
      mfaActive: typeof finding['mfa_enabled'] === 'boolean' ? finding['mfa_enabled'] : null,
      keys: null,
    };
  });
  const configuration = isObject(data['configuration']) && isObject(data['configuration']['file']) ? read.optionalText(data['configuration']['file']['sha256']) : null;
  const exceptions = isObject(data['exceptions']) && isObject(data['exceptions']['file']) ? read.optionalText(data['exceptions']['file']['sha256']) : null;
  const snapshotFile = read.optionalText(snapshot['file']) ?? '';
  const snapshotSha256 = read.optionalText(snapshot['sha256']) ?? '';
  const mfaTotal = typeof metadata['total_users'] === 'number' ? metadata['total_users'] : users.length;
  const base = {
    kind: 'report-json' as const,
    fileName: basename(path),
    fileSha256,
    snapshotFile,
    snapshotSha256,
    account: {
      id: read.text(account['id'], 'snapshot.account.id'),
      partition: read.optionalText(account['partition']) ?? 'aws',
      alias: read.optionalText(account['alias']),
    },
    capturedAt: read.time(snapshot['captured_at'], 'snapshot.captured_at'),
    evaluatedAsOf: read.time(metadata['evaluated_as_of'] ?? snapshot['captured_at'], 'metadata.evaluated_as_of'),
    configurationSha256: configuration,
    exceptionsSha256: exceptions,
    rules,
    findings: results,
    frameworks,
    mfa: {
      totalUsers: mfaTotal,
      compliant: typeof metadata['compliant'] === 'number' ? metadata['compliant'] : 0,
      nonCompliant: typeof metadata['non_compliant'] === 'number' ? metadata['non_compliant'] : 0,
      consoleUsers: typeof metadata['console_users'] === 'number' ? metadata['console_users'] : 0,
      complianceRate: rateFromCounts(metadata['compliant'], metadata['total_users']) ?? rateOf(metadata['compliance_rate_percent']),
      consoleComplianceRate: rateFromCounts(metadata['compliant'], metadata['console_users']) ?? rateOf(metadata['console_compliance_rate_percent']),
    },
  };
  // The snapshot the report names, when it sits beside it unchanged, gives the identity facts.
  const beside = snapshotFile === '' ? null : await snapshotBeside(join(dirname(path), basename(snapshotFile)), snapshotSha256);
  if (beside !== null) return { ...base, ...identitiesOf(beside), factsNote: null };
  return {
    ...base,
    users,
    root: null,
    passwordPolicy: { state: 'unknown', reason: 'a report JSON does not carry it' },
    factsNote: `${basename(path)} is a report JSON without its snapshot beside it: access keys and the password policy are not known`,
  };
}

async function snapshotBeside(path: string, sha256: string): Promise<import('../../snapshot/types.js').Snapshot | null> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    return null; // optional: without it, keys and the password policy are simply not compared
  }
  if (sha256Hex(bytes) !== sha256) return null;
  try {
    return snapshotFromDocument(JSON.parse(decompressIfGzip(bytes, path).toString('utf8')), path).snapshot;
  } catch {
    return null;
  }
}
