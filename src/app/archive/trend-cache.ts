/**
 * The trend's summary cache: the point of an archived snapshot, kept once it has been analysed, so
 * that `trend` over archives it has seen reads each file's bytes and their SHA-256 instead of
 * parsing, validating and analysing the snapshot again (issue 26: a trend needs only aggregates).
 *
 * A point is a pure function of the snapshot's bytes (its SHA-256; evaluated as of its own capture
 * time), the tool version (rules, frameworks, defaults), the configuration and the exceptions (their
 * files' SHA-256): all of them are in the key, so a cached point is the point the analysis would
 * give. The cache lives in the user's cache folder (IAM_AUDIT_CACHE_DIR, else $XDG_CACHE_HOME/iam-audit,
 * else ~/.cache/iam-audit; IAM_AUDIT_CACHE_DIR=off turns it off), never beside the archives, which
 * may be signed evidence folders. It is an optimisation only: an entry that cannot be read or is not
 * a well-formed point is ignored and the snapshot analysed; a failure to write one is ignored.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TREND_SEVERITIES, type TrendPoint } from '../../analyze/trend.js';
import { packageInfo } from '../../util/paths.js';
import type { ArchiveAnalysis } from './archive-input.js';

/** Raised when the cached point's layout changes. */
const CACHE_FORMAT = 1;

export class TrendCache {
  private constructor(private readonly folder: string | null) {}

  /** The cache for this run's analysis, or one that keeps nothing when it is turned off. */
  static open(analysis: ArchiveAnalysis, environment: NodeJS.ProcessEnv): TrendCache {
    const root = cacheRoot(environment);
    return new TrendCache(root === null ? null : join(root, 'trend', analysisKey(analysis)));
  }

  /** The point kept for the snapshot whose file has this SHA-256, named as the file read now; null when none. */
  async lookup(fileSha256: string, fileName: string): Promise<TrendPoint | null> {
    if (this.folder === null) return null;
    let text: string;
    try {
      text = await readFile(join(this.folder, `${fileSha256}.json`), 'utf8');
    } catch {
      return null; // not analysed before (or unreadable): analysed now
    }
    const point = wellFormedPoint(text, fileSha256);
    return point === null ? null : { ...point, fileName };
  }

  async keep(point: TrendPoint): Promise<void> {
    if (this.folder === null || point.kind !== 'snapshot' || !/^[0-9a-f]{64}$/.test(point.snapshotSha256)) return;
    const path = join(this.folder, `${point.snapshotSha256}.json`);
    const temporary = `${path}.${process.pid}.tmp`;
    try {
      // The first entry of a new key (a new build, configuration or exceptions file): old keys go.
      if ((await mkdir(this.folder, { recursive: true })) !== undefined) await pruneOldKeys(dirname(this.folder), this.folder);
      await writeFile(temporary, JSON.stringify(point));
      await rename(temporary, path);
    } catch {
      // A cache that cannot be written (read-only home, full disk) only costs the next run time.
    }
  }
}

/** How many keys (builds, configurations, exceptions files) keep their points; the least recently used go first. */
const KEPT_KEYS = 16;

async function pruneOldKeys(trendFolder: string, current: string): Promise<void> {
  const keys: { readonly path: string; readonly used: number }[] = [];
  for (const name of await readdir(trendFolder)) {
    const path = join(trendFolder, name);
    if (path === current) continue;
    const status = await stat(path).catch(() => null);
    if (status?.isDirectory() === true) keys.push({ path, used: status.mtimeMs });
  }
  keys.sort((left, right) => right.used - left.used);
  for (const key of keys.slice(KEPT_KEYS - 1)) await rm(key.path, { recursive: true, force: true });
}

function cacheRoot(environment: NodeJS.ProcessEnv): string | null {
  const configured = environment['IAM_AUDIT_CACHE_DIR'];
  if (configured !== undefined && configured !== '') return configured.toLowerCase() === 'off' ? null : configured;
  const xdg = environment['XDG_CACHE_HOME'];
  if (xdg !== undefined && xdg !== '') return join(xdg, 'iam-audit');
  const home = environment['HOME'] ?? homedir();
  return home === '' ? null : join(home, '.cache', 'iam-audit');
}

/**
 * The tool's own code as installed: each module's path, size and modification time (about 300
 * stat calls, a few milliseconds). Any rebuild or reinstall changes it, so no cached point outlives
 * the code that computed it.
 */
function buildFingerprint(): string {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const hash = createHash('sha256');
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.js')) continue;
    const path = join(entry.parentPath, entry.name);
    const { size, mtimeMs } = statSync(path);
    hash.update(`${relative(root, path)}\0${size}\0${mtimeMs}\n`);
  }
  return hash.digest('hex');
}

/** Everything besides the snapshot that decides a point. */
function analysisKey(analysis: ArchiveAnalysis): string {
  const tool = packageInfo();
  const inputs = {
    format: CACHE_FORMAT,
    tool: `${tool.name}@${tool.version}`,
    // The build too: a development build keeps its version number while its code changes.
    build: buildFingerprint(),
    rules: analysis.rules.map((rule) => rule.id),
    frameworks: analysis.frameworks.map((framework) => `${framework.id}@${framework.version}`),
    configuration: analysis.configuration.file?.sha256 ?? 'defaults',
    exceptions: analysis.exceptions.file?.sha256 ?? 'none',
  };
  return createHash('sha256').update(JSON.stringify(inputs)).digest('hex').slice(0, 32);
}

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0;
const isRate = (value: unknown): boolean => value === null || (typeof value === 'number' && value >= 0 && value <= 1);

/** The cached text as a point, when it has every part of one and is this snapshot's; null otherwise. */
function wellFormedPoint(text: string, fileSha256: string): TrendPoint | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const point = value as Partial<Record<keyof TrendPoint, unknown>> | null;
  if (typeof point !== 'object' || point === null || point.kind !== 'snapshot' || point.snapshotSha256 !== fileSha256) return null;
  const account = point.account as Record<string, unknown> | null | undefined;
  const failing = point.failing as Record<string, unknown> | null | undefined;
  const frameworks = point.frameworks;
  const wellFormed =
    typeof point.capturedAt === 'string' &&
    typeof account === 'object' &&
    account !== null &&
    typeof account['id'] === 'string' &&
    typeof account['partition'] === 'string' &&
    Array.isArray(frameworks) &&
    frameworks.every((framework: unknown) => typeof framework === 'object' && framework !== null && Object.values((framework as { counts?: object }).counts ?? { bad: -1 }).every(isCount)) &&
    isRate(point.mfaComplianceRate) &&
    isRate(point.consoleMfaComplianceRate) &&
    isCount(point.consoleUsers) &&
    typeof failing === 'object' &&
    failing !== null &&
    TREND_SEVERITIES.every((severity) => isCount(failing[severity])) &&
    isCount(point.users) &&
    isCount(point.keysOverRotationLimit) &&
    (point.rotationLimitDays === null || typeof point.rotationLimitDays === 'number');
  return wellFormed ? (point as unknown as TrendPoint) : null;
}
