/**
 * `iam-audit diff OLD NEW`: what changed between two archived audits (snapshots or report JSONs,
 * `.json` or `.json.gz`). Both are read and checked before anything is written: another account
 * (without --allow-different-accounts), OLD newer than NEW (without --reverse) or a bad file is one
 * line and exit 2, with nothing written.
 */
import { compareStates, type ChangeReport } from '../../analyze/compare.js';
import type { ArchiveState } from '../../analyze/archive-state.js';
import { allFrameworks } from '../../frameworks/index.js';
import { allRules } from '../../rules/index.js';
import { buildChangeReportModel, renderChangeSummary, renderChangesCsv, renderChangesJson } from '../../render/change-report.js';
import type { SigningSettings } from '../../evidence/report-evidence.js';
import type { ChangeEvidenceContext, ChangeSide } from '../../evidence/change-evidence.js';
import { readFile } from 'node:fs/promises';
import { InputError, UserError } from '../../util/errors.js';
import { sha256Hex, writeOutputs, type OutputFile } from '../../util/files.js';
import { packageInfo } from '../../util/paths.js';
import { fileStamp, runClock } from '../../util/time.js';
import { escapeForTerminal } from '../../util/terminal-text.js';
import { loadArchive, type ArchiveAnalysis } from './archive-input.js';
import { loadConfiguration, loadExceptions } from '../shared/catalogue-files.js';

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
  /** Sign the change-report PDF and write a signed manifest (diff --sign-p12). */
  readonly signing?: SigningSettings;
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

/**
 * Refuses a pair that cannot be compared as asked. The remedy named is one the asking command has:
 * `diff` has --allow-different-accounts and --reverse, `report --previous` neither.
 */
export function checkPair(older: ArchiveState, newer: ArchiveState, oldPath: string, newPath: string, options: { allowDifferentAccounts: boolean; reverse: boolean; command?: 'diff' | 'report' }): void {
  const byReport = options.command === 'report';
  if (!options.allowDifferentAccounts && (older.account.id !== newer.account.id || older.account.partition !== newer.account.partition)) {
    throw new UserError(
      byReport
        ? `--previous ${oldPath} is account ${older.account.id} and ${newPath} is account ${newer.account.id}; refusing to compare different accounts (give --previous an earlier audit of account ${newer.account.id})`
        : `${oldPath} is account ${older.account.id} and ${newPath} is account ${newer.account.id}; refusing to compare different accounts (use --allow-different-accounts)`,
    );
  }
  if (!options.reverse && Date.parse(older.capturedAt) > Date.parse(newer.capturedAt)) {
    throw new UserError(
      byReport
        ? `--previous ${oldPath} (captured ${older.capturedAt}) is newer than ${newPath} (captured ${newer.capturedAt}); give --previous an audit captured before this one`
        : `OLD ${oldPath} (captured ${older.capturedAt}) is newer than NEW ${newPath} (captured ${newer.capturedAt}); swap them, or use --reverse`,
    );
  }
}

/** The file as `diff` read it, for the evidence; refused if it changed since it was read. */
async function sideOf(state: ArchiveState, path: string): Promise<ChangeSide> {
  const bytes = await readFile(path);
  if (sha256Hex(bytes) !== state.fileSha256) throw new InputError(path, null, 'the file changed while it was being compared');
  return {
    path,
    bytes,
    kind: state.kind,
    capturedAt: state.capturedAt,
    account: { id: state.account.id, partition: state.account.partition },
    snapshot: { fileName: state.snapshotFile, sha256: state.snapshotSha256 },
  };
}

/** The change report in the formats asked for (HTML and PDF load Handlebars, and the browser, only when asked). */
export async function changeReportFiles(
  report: ChangeReport,
  options: Pick<DiffOptions, 'formats' | 'pageSize' | 'browserPath' | 'environment'>,
  stem: string,
  generatedAt: string,
): Promise<OutputFile[]> {
  const tool = packageInfo();
  const files: OutputFile[] = [];
  for (const format of options.formats) {
    if (format === 'csv') files.push({ fileName: `${stem}.csv`, content: renderChangesCsv(report) });
    if (format === 'json') files.push({ fileName: `${stem}.json`, content: renderChangesJson(report, { name: tool.name, version: tool.version }, generatedAt) });
    if (format === 'html' || format === 'pdf') {
      const { ReportTemplates } = await import('../../render/html.js');
      const templates = await ReportTemplates.load(null);
      const model = buildChangeReportModel(report, { name: tool.name, version: tool.version }, generatedAt, format);
      if (format === 'html') {
        files.push({ fileName: `${stem}.html`, content: templates.render({ document: model.document, parts: model.parts.map((part) => ({ ...part, continued: false })) }) });
      } else {
        const { printDocument } = await import('../../render/pdf.js');
        const bytes = await printDocument(model, { templates, pageSize: options.pageSize ?? 'a4', browserPath: options.browserPath ?? null, ...(options.environment === undefined ? {} : { environment: options.environment }) });
        files.push({ fileName: `${stem}.pdf`, content: bytes });
      }
    }
  }
  return files;
}

export async function runDiff(options: DiffOptions): Promise<DiffOutcome> {
  const analysis = await archiveAnalysis(options);
  const older = await loadArchive(options.oldPath, analysis);
  const newer = await loadArchive(options.newPath, analysis);
  checkPair(older, newer, options.oldPath, options.newPath, options);
  const report = compareStates(older, newer);
  const tool = packageInfo();
  if (options.signing !== undefined && options.formats.length === 0) throw new UserError('--sign-p12 needs --format: there is no change report to sign');
  // Signing: whole seconds, as the PDF signature's time carries them; the report's time is the same.
  const now = options.signing === undefined ? analysis.clock() : new Date(Math.floor(analysis.clock().getTime() / 1000) * 1000);
  const generatedAt = now.toISOString();
  const stem = `iam_audit_changes_${fileStamp(generatedAt)}`;
  const files = await changeReportFiles(report, options, stem, generatedAt);
  let written: string[];
  if (options.signing === undefined) {
    written = files.length === 0 ? [] : await writeOutputs(options.outDir, files, options.overwrite);
  } else {
    // Signed: the PDF carries OLD, NEW and the change data and is signed; a manifest lists every file.
    const { changeManifestOutputs, embedChangePdfEvidence } = await import('../../evidence/change-evidence.js');
    const context: ChangeEvidenceContext = {
      old: await sideOf(older, options.oldPath),
      new: await sideOf(newer, options.newPath),
      outDir: options.outDir,
      now,
      stem,
      tool: { name: tool.name, version: tool.version },
      signing: options.signing,
      changesJson: Buffer.from(renderChangesJson(report, { name: tool.name, version: tool.version }, generatedAt), 'utf8'),
      changesCsv: Buffer.from(renderChangesCsv(report), 'utf8'),
    };
    const outputs = await embedChangePdfEvidence(files, context);
    written = await writeOutputs(options.outDir, outputs, options.overwrite, (staged) => changeManifestOutputs(staged, context));
  }
  options.stdout.write(renderChangeSummary(report).split('\n').map(escapeForTerminal).join('\n'));
  if (written.length > 0) options.stdout.write(`\nChange report written:\n${written.map((path) => `  - ${escapeForTerminal(path)}`).join('\n')}\n`);
  return { report, writtenFiles: written };
}
