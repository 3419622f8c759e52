/**
 * What `notify` reads: a report JSON (as `report --format json` writes it) or a snapshot, which is
 * analysed first so both paths go through the same report JSON shape.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { allFrameworks } from '../../frameworks/index.js';
import { buildJsonReport } from '../../render/json.js';
import { allRules } from '../../rules/index.js';
import { decompressIfGzip, readSnapshot, describeFsError, type LoadedSnapshot } from '../../snapshot/io.js';
import { InputError, UserError } from '../../util/errors.js';
import { runClock } from '../../util/time.js';
import { loadConfiguration, loadExceptions } from '../shared/catalogue-files.js';
import { analyseLoaded } from '../shared/analyse.js';
import { hasReportResults, ReportReader, reportFormat, reportResults } from '../shared/report-results.js';
import { tagsFromSnapshot, type TagsByUser } from '../shared/owners.js';

export interface NotifyRule {
  readonly id: string;
  readonly title: string;
  readonly severity: string;
  readonly remediation: { readonly console: readonly string[]; readonly cli: string };
  /** "cis-5.0 1.10" */
  readonly criteria: readonly string[];
}

export interface FailedResult {
  readonly ruleId: string;
  readonly severity: string;
  readonly resourceType: string;
  readonly resourceArn: string;
  readonly resourceName: string;
  readonly evidence: string;
  /** The report's remediation tracking: the day it is due (YYYY-MM-DD) and whether it is past. */
  readonly dueDate: string | null;
  readonly overdue: boolean;
  /** The owner the report recorded (its tags and owners file at report time) and where from. */
  readonly recordedOwner: string | null;
  readonly recordedOwnerSource: string | null;
}

export interface FailingControl {
  readonly framework: string;
  readonly controlId: string;
  readonly title: string;
}

/** The parts of a report that the mails need. */
export interface NotifyReport {
  readonly accountId: string;
  readonly accountAlias: string | null;
  readonly capturedAt: string;
  readonly evaluatedAsOf: string;
  readonly toolVersion: string;
  readonly rules: ReadonlyMap<string, NotifyRule>;
  /** Failed and not excepted: excepted results have status "excepted", never "fail". */
  readonly failures: readonly FailedResult[];
  readonly counts: { readonly pass: number; readonly fail: number; readonly notEvaluated: number; readonly excepted: number; readonly notApplicable: number };
  readonly failingControls: readonly FailingControl[];
  readonly mfa: { readonly totalUsers: number; readonly nonCompliant: number; readonly complianceRate: string };
  /** The snapshot file the report names (its base name) and its SHA-256. */
  readonly snapshotFile: string;
  readonly snapshotSha256: string;
}

export interface NotifyInput {
  readonly report: NotifyReport;
  /** User tags when the input carried them (a snapshot from live collection); null otherwise. */
  readonly tags: TagsByUser;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown, fallback = ''): string {
  return typeof value === 'string' ? value : fallback;
}

const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low', 'informational'];

/** Reads a report JSON's content; refuses one written in another result format. */
export function notifyReportFromJson(data: unknown, path: string): NotifyReport {
  if (!isObject(data) || !isObject(data['metadata'])) throw new InputError(path, null, 'not an iam-audit report JSON (no "metadata")');
  const metadata = data['metadata'];
  const tool = isObject(metadata['tool']) ? metadata['tool'] : {};
  const read = new ReportReader(path);
  reportFormat(data, read);
  if (!hasReportResults(data) || !Array.isArray(data['rules'])) {
    throw new InputError(path, 'resources', 'the report has no rule results (written without the rule catalogue); run report again');
  }
  const snapshot = isObject(data['snapshot']) ? data['snapshot'] : {};
  const account = isObject(snapshot['account']) ? snapshot['account'] : {};
  const rules = new Map<string, NotifyRule>();
  const frameworks = Array.isArray(data['frameworks']) ? data['frameworks'].filter(isObject) : [];
  for (const rule of data['rules'].filter(isObject)) {
    const remediation = isObject(rule['remediation']) ? rule['remediation'] : {};
    const controls = Array.isArray(rule['controls']) ? rule['controls'].filter(isObject) : [];
    rules.set(text(rule['id']), {
      id: text(rule['id']),
      title: titleAsConfigured(text(rule['id']), text(rule['title']), rule['options']),
      severity: text(rule['severity']),
      remediation: {
        console: Array.isArray(remediation['console']) ? remediation['console'].map((step) => text(step)) : [],
        cli: text(remediation['cli']),
      },
      criteria: controls.map((control) => `${text(control['framework'])} ${text(control['control_id'])}`),
    });
  }
  // Every format's results, flat (shared/report-results.ts); a result that does not fit is refused.
  const results = [...reportResults(data, read)];
  const count = (status: string): number => results.filter((item) => item.status === status).length;
  const failures: FailedResult[] = results
    .filter((item) => item.status === 'fail')
    .map((item) => ({
      ruleId: item.ruleId,
      // Severity belongs to the rule: the `rules` section holds it (results since format 2 carry none).
      severity: rules.get(item.ruleId)?.severity ?? item.severity ?? '',
      resourceType: item.resourceType,
      resourceArn: item.resourceArn,
      resourceName: item.resourceName,
      evidence: item.evidence,
      ...trackingOf(item.tracking),
    }))
    .sort((left, right) => SEVERITY_ORDER.indexOf(left.severity) - SEVERITY_ORDER.indexOf(right.severity) || left.ruleId.localeCompare(right.ruleId) || left.resourceName.localeCompare(right.resourceName));
  const failingControls: FailingControl[] = frameworks.flatMap((framework) =>
    (Array.isArray(framework['controls']) ? framework['controls'].filter(isObject) : [])
      .filter((control) => control['status'] === 'fail')
      .map((control) => ({ framework: text(framework['id']), controlId: text(control['control_id']), title: text(control['title']) })),
  );
  return {
    accountId: text(account['id'], 'unknown'),
    accountAlias: typeof account['alias'] === 'string' ? account['alias'] : null,
    capturedAt: text(snapshot['captured_at']),
    evaluatedAsOf: text(metadata['evaluated_as_of']),
    toolVersion: text(tool['version']),
    rules,
    failures,
    counts: { pass: count('pass'), fail: count('fail'), notEvaluated: count('not_evaluated'), excepted: count('excepted'), notApplicable: count('not_applicable') },
    failingControls,
    mfa: {
      totalUsers: typeof metadata['total_users'] === 'number' ? metadata['total_users'] : 0,
      nonCompliant: typeof metadata['non_compliant'] === 'number' ? metadata['non_compliant'] : 0,
      complianceRate: text(metadata['compliance_rate']),
    },
    snapshotFile: text(snapshot['file']),
    snapshotSha256: text(snapshot['sha256']),
  };
}

function trackingOf(value: unknown): Pick<FailedResult, 'dueDate' | 'overdue' | 'recordedOwner' | 'recordedOwnerSource'> {
  const tracking = isObject(value) ? value : {};
  const orNull = (field: unknown): string | null => (typeof field === 'string' && field.trim() !== '' ? field : null);
  return { dueDate: orNull(tracking['due_date']), overdue: tracking['overdue'] === true, recordedOwner: orNull(tracking['owner']), recordedOwnerSource: orNull(tracking['owner_source']) };
}

/**
 * The rule's title with its thresholds as configured: a title names the default ("rotated within
 * 90 days"); when the report ran with another value (maxAgeDays: 60) the heading says 60.
 */
export function titleAsConfigured(ruleId: string, title: string, options: unknown): string {
  const rule = allRules.find((candidate) => candidate.id === ruleId);
  if (rule === undefined || !isObject(options)) return title;
  let configured = title;
  for (const [key, defaultValue] of Object.entries(rule.defaultOptions)) {
    const value = options[key];
    if (typeof defaultValue !== 'number' || typeof value !== 'number' || value === defaultValue) continue;
    configured = configured.replace(new RegExp(`\\b${defaultValue}\\b`), String(value));
  }
  return configured;
}

// Moved to owners.ts (the report uses it too); re-exported for the notify code and tests.
export { tagsFromSnapshot } from '../shared/owners.js';

export interface LoadNotifyInputOptions {
  readonly inputPath: string;
  /** --snapshot: where the tags are, for a report JSON. */
  readonly snapshotPath?: string;
  readonly configPath?: string;
  readonly exceptionsPath?: string;
  readonly environment?: NodeJS.ProcessEnv;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    // stat() rejects exactly when nothing usable is there: the optional snapshot is absent.
    return false;
  }
}

async function readJson(path: string): Promise<unknown> {
  let content: string;
  try {
    content = decompressIfGzip(await readFile(path), path).toString('utf8');
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new UserError(`cannot read ${path}: ${describeFsError(error)}`);
  }
  try {
    return JSON.parse(content) as unknown;
  } catch (error) {
    throw new InputError(path, null, `not valid JSON (${(error as Error).message})`);
  }
}

/**
 * A report JSON as it is, or a snapshot analysed with --config/--exceptions. For a report JSON the
 * tags come from --snapshot, else from the snapshot it names when that file sits beside it.
 */
export async function loadNotifyInput(options: LoadNotifyInputOptions): Promise<NotifyInput> {
  const data = await readJson(options.inputPath);
  if (isObject(data) && 'schemaVersion' in data && !('metadata' in data)) {
    const { configuration } = await loadConfiguration(options.configPath, allRules, allFrameworks);
    const { exceptions } = await loadExceptions(options.exceptionsPath, allRules);
    const loaded = await readSnapshot(options.inputPath);
    const clock = runClock(options.environment);
    const startedAt = clock();
    const result = analyseLoaded(loaded, startedAt, clock(), undefined, { rules: allRules, frameworks: allFrameworks, configuration, exceptions });
    return { report: notifyReportFromJson(JSON.parse(JSON.stringify(buildJsonReport(result))), options.inputPath), tags: tagsFromSnapshot(loaded) };
  }
  if (options.configPath !== undefined || options.exceptionsPath !== undefined) {
    throw new UserError(`--config and --exceptions apply when notify analyses a snapshot; ${options.inputPath} is a report JSON, already analysed (run report with them)`);
  }
  const report = notifyReportFromJson(data, options.inputPath);
  const snapshotPath = options.snapshotPath ?? (report.snapshotFile === '' ? null : join(dirname(options.inputPath), basename(report.snapshotFile)));
  if (snapshotPath === null) return { report, tags: null };
  // The snapshot the report names is optional: without it, tags are simply not known.
  if (options.snapshotPath === undefined && !(await isFile(snapshotPath))) return { report, tags: null };
  const loaded = await readSnapshot(snapshotPath);
  if (report.snapshotSha256 !== '' && loaded.sha256 !== report.snapshotSha256) {
    // Tags from another capture could send a finding to someone who no longer owns the user.
    throw new UserError(`${snapshotPath} is not the snapshot ${options.inputPath} was made from (SHA-256 differs); give the right one with --snapshot`);
  }
  return { report, tags: tagsFromSnapshot(loaded) };
}
