/**
 * `iam-audit diff OLD NEW`: what changed between two archived audits (snapshots or report JSONs,
 * `.json` or `.json.gz`). Both are read and checked before anything is written: another account
 * (without --allow-different-accounts), OLD newer than NEW (without --reverse) or a bad file is one
 * line and exit 2, with nothing written.
 */
import { compareStates, type ChangeReport } from '../analyze/compare.js';
import type { ArchiveState } from '../analyze/archive-state.js';
import { allFrameworks } from '../frameworks/index.js';
import { allRules } from '../rules/index.js';
import { buildChangeReportModel, renderChangeSummary, renderChangesCsv, renderChangesJson } from '../render/change-report.js';
import { UserError } from '../util/errors.js';
import { writeOutputs, type OutputFile } from '../util/files.js';
import { packageInfo } from '../util/paths.js';
import { fileStamp, runClock } from '../util/time.js';
import { escapeForTerminal } from '../util/terminal-text.js';
import { loadArchive, type ArchiveAnalysis } from './archive-input.js';
import { loadConfiguration, loadExceptions } from './catalogue-files.js';

export const DIFF_FORMATS = ['csv', 'json', 'html', 'pdf'] as const;
export type DiffFormat = (typeof DIFF_FORMATS)[number];

export interface DiffOptions {
  readonly oldPath: string;
  readonly newPath: string;
  readonly configPath?: string;
  readonly exceptionsPath?: string;
  readonly formats: readonly DiffFormat[];
  readonly outDir: string;
  readonly overwrite: boolean;
  readonly allowDifferentAccounts: boolean;
  readonly reverse: boolean;
  readonly pageSize?: 'a4' | 'letter';
  readonly browserPath?: string | null;
  readonly environment?: NodeJS.ProcessEnv;
  readonly stdout: { write(text: string): unknown };
}

export interface DiffOutcome {
  readonly report: ChangeReport;
  readonly writtenFiles: readonly string[];
}

export function parseDiffFormats(list: readonly string[]): DiffFormat[] {
  const formats = list.flatMap((entry) => entry.split(',')).map((entry) => entry.trim().toLowerCase()).filter((entry) => entry !== '');
  for (const format of formats) {
    if (!(DIFF_FORMATS as readonly string[]).includes(format)) throw new UserError(`unknown format "${format}"; choose from ${DIFF_FORMATS.join(', ')}`);
  }
  return [...new Set(formats)] as DiffFormat[];
}

/** The analysis every snapshot of a run gets: the same rules, frameworks, configuration and exceptions. */
export async function archiveAnalysis(options: { configPath?: string; exceptionsPath?: string; environment?: NodeJS.ProcessEnv }): Promise<ArchiveAnalysis> {
  const { configuration } = await loadConfiguration(options.configPath, allRules, allFrameworks);
  const { exceptions } = await loadExceptions(options.exceptionsPath, allRules);
  return { rules: allRules, frameworks: allFrameworks, configuration, exceptions, clock: runClock(options.environment) };
}

/** Refuses a pair that cannot be compared as asked. */
export function checkPair(older: ArchiveState, newer: ArchiveState, oldPath: string, newPath: string, options: { allowDifferentAccounts: boolean; reverse: boolean }): void {
  if (!options.allowDifferentAccounts && (older.account.id !== newer.account.id || older.account.partition !== newer.account.partition)) {
    throw new UserError(`${oldPath} is account ${older.account.id} and ${newPath} is account ${newer.account.id}; refusing to compare different accounts (use --allow-different-accounts)`);
  }
  if (!options.reverse && Date.parse(older.capturedAt) > Date.parse(newer.capturedAt)) {
    throw new UserError(`OLD ${oldPath} (captured ${older.capturedAt}) is newer than NEW ${newPath} (captured ${newer.capturedAt}); swap them, or use --reverse`);
  }
}

export async function runDiff(options: DiffOptions): Promise<DiffOutcome> {
  const analysis = await archiveAnalysis(options);
  const older = await loadArchive(options.oldPath, analysis);
  const newer = await loadArchive(options.newPath, analysis);
  checkPair(older, newer, options.oldPath, options.newPath, options);
  const report = compareStates(older, newer);
  const tool = packageInfo();
  const generatedAt = analysis.clock().toISOString();
  const stem = `iam_audit_changes_${fileStamp(generatedAt)}`;
  const files: OutputFile[] = [];
  for (const format of options.formats) {
    if (format === 'csv') files.push({ fileName: `${stem}.csv`, content: renderChangesCsv(report) });
    if (format === 'json') files.push({ fileName: `${stem}.json`, content: renderChangesJson(report, { name: tool.name, version: tool.version }, generatedAt) });
    if (format === 'html' || format === 'pdf') {
      // Loaded only when asked: Handlebars, and for the PDF the browser and pdf-lib.
      const { ReportTemplates } = await import('../render/html.js');
      const templates = await ReportTemplates.load(null);
      const model = buildChangeReportModel(report, { name: tool.name, version: tool.version }, generatedAt, format);
      if (format === 'html') {
        files.push({ fileName: `${stem}.html`, content: templates.render({ document: model.document, parts: model.parts.map((part) => ({ ...part, continued: false })) }) });
      } else {
        const { printDocument } = await import('../render/pdf.js');
        const bytes = await printDocument(model, { templates, pageSize: options.pageSize ?? 'a4', browserPath: options.browserPath ?? null, ...(options.environment === undefined ? {} : { environment: options.environment }) });
        files.push({ fileName: `${stem}.pdf`, content: bytes });
      }
    }
  }
  const written = files.length === 0 ? [] : await writeOutputs(options.outDir, files, options.overwrite);
  options.stdout.write(renderChangeSummary(report).split('\n').map(escapeForTerminal).join('\n'));
  if (written.length > 0) options.stdout.write(`\nChange report written:\n${written.map((path) => `  - ${escapeForTerminal(path)}`).join('\n')}\n`);
  return { report, writtenFiles: written };
}
