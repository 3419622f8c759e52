/**
 * `iam-audit trend FILES...`: figures over any number of archived audits of one account (files,
 * folders, globs; snapshots or report JSONs, `.json` or `.json.gz`), ordered by capture time.
 * Reads one archive at a time and keeps only its point, so memory does not grow with the archive.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import picomatch from 'picomatch';
import { orderPoints, type TrendPoint } from '../../analyze/trend.js';
import { buildTrendModel, renderTrendCsv, renderTrendJson } from '../../render/trend-report.js';
import { InputError, UserError } from '../../util/errors.js';
import { writeOutputs, type OutputFile } from '../../util/files.js';
import { packageInfo } from '../../util/paths.js';
import { escapeForTerminal } from '../../util/terminal-text.js';
import { fileStamp } from '../../util/time.js';
import { sha256Hex } from '../../util/files.js';
import { loadTrendPoint, readBytes, type ArchiveAnalysis } from './archive-input.js';
import { TrendCache } from './trend-cache.js';
import { archiveAnalysis } from './diff.js';

export const TREND_FORMATS = ['csv', 'json', 'html', 'pdf'] as const;
export type TrendFormat = (typeof TREND_FORMATS)[number];

export interface TrendOptions {
  readonly inputs: readonly string[];
  readonly configPath?: string;
  readonly exceptionsPath?: string;
  readonly formats: readonly TrendFormat[];
  readonly outDir: string;
  readonly overwrite: boolean;
  readonly pageSize?: 'a4' | 'letter';
  readonly browserPath?: string | null;
  readonly environment?: NodeJS.ProcessEnv;
  readonly stdout: { write(text: string): unknown };
  readonly stderr?: { write(text: string): unknown };
  /** Stop at the first unreadable archive (exit 2) instead of skipping it (exit 3). */
  readonly strict?: boolean;
}

export function parseTrendFormats(list: readonly string[]): TrendFormat[] {
  const formats = list.flatMap((entry) => entry.split(',')).map((entry) => entry.trim().toLowerCase()).filter((entry) => entry !== '');
  for (const format of formats) if (!(TREND_FORMATS as readonly string[]).includes(format)) throw new UserError(`unknown format "${format}"; choose from ${TREND_FORMATS.join(', ')}`);
  if (formats.length === 0) throw new UserError(`--format needs at least one of ${TREND_FORMATS.join(', ')}`);
  return [...new Set(formats)] as TrendFormat[];
}

const ARCHIVE_NAME = /\.json(\.gz)?$/i;

/** The files named: a file as it is, a folder's *.json and *.json.gz files, a glob's matches. */
export async function expandInputs(inputs: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const input of inputs) {
    const scan = picomatch.scan(input);
    if (scan.isGlob) {
      const base = scan.base === '' ? '.' : scan.base;
      const matcher = picomatch(input, { dot: false });
      const found = await listRecursively(base, scan.glob.includes('**') || scan.glob.includes('/'));
      const matched = found.filter((path) => matcher(path) || matcher(`./${path}`));
      if (matched.length === 0) throw new UserError(`${input}: no file matches`);
      files.push(...matched);
      continue;
    }
    let isFolder: boolean;
    try {
      isFolder = (await stat(input)).isDirectory();
    } catch {
      throw new InputError(input, null, 'no such file or folder');
    }
    if (!isFolder) {
      files.push(input);
      continue;
    }
    const names = (await readdir(input)).filter((name) => ARCHIVE_NAME.test(name)).sort();
    if (names.length === 0) throw new UserError(`${input}: the folder holds no .json or .json.gz file`);
    files.push(...names.map((name) => join(input, name)));
  }
  // The same file named twice (a folder and a glob) counts once.
  const seen = new Set<string>();
  return files.filter((path) => {
    const key = resolve(path);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

async function listRecursively(base: string, deep: boolean): Promise<string[]> {
  const entries = await readdir(base, { withFileTypes: true, recursive: deep }).catch(() => {
    throw new UserError(`${base}: no such folder`);
  });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath ?? dirname(base), entry.name)).sort();
}

/**
 * The tool's other outputs, told by name so that a large one (OCSF events) is not even read: a
 * folder written by `audit -d` holds them beside the snapshots and report JSONs.
 */
const TOOL_OUTPUT_NAME = /(\.manifest\.json|\.ocsf\.json|\.asff\.json|^org-index(-shard-\d+-of-\d+)?\.json|^iam_audit_(trend|changes|org|org_changes|org_trend|notify_state|securityhub_state)(_[^/]*)?\.json)(\.gz)?$/i;

/** What reading the archives gave: one point per capture, and the files skipped with why. */
export interface TrendCaptures {
  readonly points: TrendPoint[];
  /** Unreadable files, one line each ("FILE: problem"); the trend still covers the others. */
  readonly skipped: string[];
}

/**
 * A snapshot and the report JSONs made of it are one capture (keyed by the snapshot's SHA-256):
 * the snapshot is kept, analysed like every other snapshot of the trend; a report JSON stands in
 * only when its snapshot is absent.
 */
function keepOnePerCapture(byCapture: Map<string, TrendPoint>, point: TrendPoint, fileSha256: string): void {
  const key = point.snapshotSha256 === '' ? `file:${fileSha256}` : point.snapshotSha256;
  const kept = byCapture.get(key);
  if (kept === undefined || (kept.kind === 'report-json' && point.kind === 'snapshot')) byCapture.set(key, point);
}

/** Reads the archives one at a time; an unreadable one is skipped and listed (or, with `strict`, stops the run). */
export async function readCaptures(files: readonly string[], analysis: ArchiveAnalysis, strict: boolean, cache?: TrendCache): Promise<TrendCaptures> {
  const byCapture = new Map<string, TrendPoint>();
  const skipped: string[] = [];
  for (const file of files) {
    if (TOOL_OUTPUT_NAME.test(basename(file))) continue;
    let found: { readonly point: TrendPoint; readonly fileSha256: string } | null;
    try {
      found = await pointOf(file, analysis, cache);
    } catch (error) {
      // Only this file's own faults are skipped; anything else (the configuration, a bug) stops the run.
      if (strict || !(error instanceof InputError) || resolve(error.file) !== resolve(file)) throw error;
      skipped.push(error.message);
      continue;
    }
    if (found === null) continue;
    const { point, fileSha256 } = found;
    const first = byCapture.values().next().value;
    if (first !== undefined && (first.account.id !== point.account.id || first.account.partition !== point.account.partition)) {
      throw new UserError(`${file} is account ${point.account.id}, but ${first.fileName} is account ${first.account.id}; a trend covers one account`);
    }
    keepOnePerCapture(byCapture, point, fileSha256);
  }
  return { points: [...byCapture.values()], skipped };
}

/** One archive's point: from the cache when this snapshot was analysed before, else read and analysed; null for the tool's other outputs. */
async function pointOf(file: string, analysis: ArchiveAnalysis, cache: TrendCache | undefined): Promise<{ readonly point: TrendPoint; readonly fileSha256: string } | null> {
  const bytes = await readBytes(file);
  const fileSha256 = sha256Hex(bytes);
  const cached = await cache?.lookup(fileSha256, basename(file));
  if (cached !== undefined && cached !== null) return { point: cached, fileSha256 };
  // One archive in memory at a time: its results are counted into a point and dropped.
  const point = await loadTrendPoint(file, analysis, bytes, fileSha256);
  if (point === null) return null;
  await cache?.keep(point);
  return { point, fileSha256 };
}

/** The trend in the formats asked for (HTML and PDF load Handlebars, and the browser, only when asked). */
export async function trendFiles(ordered: readonly TrendPoint[], options: Pick<TrendOptions, 'formats' | 'pageSize' | 'browserPath' | 'environment'>, stem: string, generatedAt: string): Promise<OutputFile[]> {
  const tool = packageInfo();
  const outputs: OutputFile[] = [];
  for (const format of options.formats) {
    if (format === 'csv') outputs.push({ fileName: `${stem}.csv`, content: renderTrendCsv(ordered) });
    if (format === 'json') outputs.push({ fileName: `${stem}.json`, content: renderTrendJson(ordered, { name: tool.name, version: tool.version }, generatedAt) });
    if (format === 'html' || format === 'pdf') {
      const { ReportTemplates } = await import('../../render/html.js');
      const templates = await ReportTemplates.load(null);
      const model = buildTrendModel(ordered, { name: tool.name, version: tool.version }, generatedAt, format);
      if (format === 'html') outputs.push({ fileName: `${stem}.html`, content: templates.render({ document: model.document, parts: model.parts.map((part) => ({ ...part, continued: false })) }) });
      else {
        const { printDocument } = await import('../../render/pdf.js');
        outputs.push({ fileName: `${stem}.pdf`, content: await printDocument(model, { templates, pageSize: options.pageSize ?? 'a4', browserPath: options.browserPath ?? null, ...(options.environment === undefined ? {} : { environment: options.environment }) }) });
      }
    }
  }
  return outputs;
}

export async function runTrend(options: TrendOptions): Promise<{ points: TrendPoint[]; writtenFiles: string[]; skipped: string[] }> {
  const analysis = await archiveAnalysis(options);
  const files = await expandInputs(options.inputs);
  if (files.length === 0) throw new UserError('trend needs at least one snapshot or report JSON');
  const cache = TrendCache.open(analysis, options.environment ?? process.env);
  const { points, skipped } = await readCaptures(files, analysis, options.strict ?? false, cache);
  for (const line of skipped) options.stderr?.write(`iam-audit: warning: skipped ${escapeForTerminal(line)}\n`);
  if (points.length === 0) throw new UserError(`no snapshot or report JSON could be read among ${files.length} file(s); trend needs at least one`);
  const ordered = orderPoints(points);
  const generatedAt = analysis.clock().toISOString();
  const stem = `iam_audit_trend_${fileStamp(generatedAt)}`;
  const outputs = await trendFiles(ordered, options, stem, generatedAt);
  const written = await writeOutputs(options.outDir, outputs, options.overwrite);
  const firstPoint = ordered[0];
  const lastPoint = ordered[ordered.length - 1];
  options.stdout.write(
    `Trend of account ${firstPoint?.account.id ?? ''}: ${ordered.length} capture(s) from ${firstPoint?.capturedAt ?? ''} to ${lastPoint?.capturedAt ?? ''}\n` +
      (skipped.length === 0 ? '' : `Skipped ${skipped.length} unreadable file(s) (listed above)\n`) +
      `Written:\n${written.map((path) => `  - ${path}`).join('\n')}\n`,
  );
  return { points: ordered, writtenFiles: written, skipped };
}
