import { basename } from 'node:path';
import { analyze } from '../analyze/analyze.js';
import type { AnalysisResult } from '../analyze/result.js';
import { renderJson } from '../render/json.js';
import { renderMfaCsv } from '../render/mfa-csv.js';
import { renderCheckingLines, renderSummary } from '../render/console.js';
import { BrowserNotFoundError } from '../render/browser.js';
import { loadLogo, renderHtml, ReportTemplates } from '../render/html.js';
import type { ReportBranding } from '../render/report-model.js';
import { readSnapshot, type LoadedSnapshot } from '../snapshot/io.js';
import { ExitCode, UserError, type ExitCodeValue } from '../util/errors.js';
import { packageInfo } from '../util/paths.js';
import { fileStamp, runClock, toIsoUtc } from '../util/time.js';
import { writeOutputs, type OutputFile } from '../util/files.js';

export const OUTPUT_FORMATS = ['csv', 'json', 'html', 'pdf'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export const PAGE_SIZES = ['a4', 'letter'] as const;
export type PageSize = (typeof PAGE_SIZES)[number];

/** How the printable report (HTML, PDF) looks: branding, templates, paper and browser. */
export interface PresentationOptions {
  readonly templateDir: string | null;
  readonly orgName: string | null;
  readonly logoPath: string | null;
  readonly preparedFor: string | null;
  readonly preparedBy: string | null;
  readonly pageSize: PageSize;
  /** --browser; null to look for one (PUPPETEER_EXECUTABLE_PATH, system, puppeteer's download). */
  readonly browserPath: string | null;
}

export const DEFAULT_PRESENTATION: PresentationOptions = {
  templateDir: null,
  orgName: null,
  logoPath: null,
  preparedFor: null,
  preparedBy: null,
  pageSize: 'a4',
  browserPath: null,
};

export interface ReportOptions {
  readonly snapshotPath: string;
  readonly outDir: string;
  readonly formats: readonly OutputFormat[];
  readonly quiet: boolean;
  readonly failOnFindings: boolean;
  readonly overwrite: boolean;
  readonly asOf?: Date;
  readonly presentation?: PresentationOptions;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly environment?: NodeJS.ProcessEnv;
}

export interface ReportOutcome {
  readonly exitCode: ExitCodeValue;
  readonly result: AnalysisResult;
  readonly writtenFiles: readonly string[];
}

interface RenderContext {
  readonly result: AnalysisResult;
  /** iam_audit_<audit start> */
  readonly stem: string;
  readonly presentation: PresentationOptions;
  /** Loaded once, only when HTML or PDF is asked for. */
  readonly printable: () => Promise<{ templates: ReportTemplates; branding: ReportBranding }>;
  readonly environment: NodeJS.ProcessEnv;
}

/** Renders one format. */
type Renderer = (context: RenderContext) => Promise<OutputFile[]>;

const renderers: Readonly<Record<OutputFormat, Renderer>> = {
  csv: async ({ result, stem }) => [{ fileName: `${stem}.csv`, content: renderMfaCsv(result) }],
  json: async ({ result, stem }) => [{ fileName: `${stem}.json`, content: renderJson(result) }],
  html: async ({ result, stem, printable }) => [{ fileName: `${stem}.html`, content: renderHtml(result, await printable()) }],
  pdf: async ({ result, stem, printable, presentation, environment }) => [
    {
      fileName: `${stem}.pdf`,
      // Loaded on demand: puppeteer and pdf-lib slow the start of every run that prints no PDF.
      content: await (await import('../render/pdf.js')).renderPdf(result, { ...(await printable()), pageSize: presentation.pageSize, browserPath: presentation.browserPath, environment }),
    },
  ],
};

async function loadPrintable(presentation: PresentationOptions): Promise<{ templates: ReportTemplates; branding: ReportBranding }> {
  const templates = await ReportTemplates.load(presentation.templateDir);
  const branding: ReportBranding = {
    orgName: presentation.orgName,
    logoDataUri: presentation.logoPath === null ? null : await loadLogo(presentation.logoPath),
    preparedFor: presentation.preparedFor,
    preparedBy: presentation.preparedBy,
  };
  return { templates, branding };
}

export function parseFormats(list: readonly string[]): OutputFormat[] {
  const formats = list.flatMap((item) => item.split(',')).map((item) => item.trim().toLowerCase()).filter((item) => item !== '');
  for (const format of formats) {
    if (!(OUTPUT_FORMATS as readonly string[]).includes(format)) {
      throw new UserError(`unknown format "${format}"; choose from ${OUTPUT_FORMATS.join(', ')}`);
    }
  }
  if (formats.length === 0) throw new UserError(`--format needs at least one of ${OUTPUT_FORMATS.join(', ')}`);
  return [...new Set(formats)] as OutputFormat[];
}

export function analyseLoaded(loaded: LoadedSnapshot, startedAt: Date, endedAt: Date, asOf?: Date): AnalysisResult {
  const tool = packageInfo();
  return analyze({
    snapshot: loaded.snapshot,
    snapshotFile: { fileName: basename(loaded.path), sha256: loaded.sha256, migratedFrom: loaded.migratedFrom },
    tool: { name: tool.name, version: tool.version },
    run: {
      startedAt: startedAt.toISOString(),
      endedAt: endedAt.toISOString(),
      elapsedSeconds: (endedAt.getTime() - startedAt.getTime()) / 1000,
    },
    ...(asOf === undefined ? {} : { asOf: toIsoUtc(asOf) }),
  });
}

export async function runReport(options: ReportOptions): Promise<ReportOutcome> {
  const clock = runClock(options.environment);
  const startedAt = clock();
  const loaded = await readSnapshot(options.snapshotPath);
  const endedAt = clock();
  const result = analyseLoaded(loaded, startedAt, endedAt, options.asOf);

  const stem = `iam_audit_${fileStamp(result.run.startedAt)}`;
  const presentation = options.presentation ?? DEFAULT_PRESENTATION;
  let printable: Promise<{ templates: ReportTemplates; branding: ReportBranding }> | null = null;
  const context: RenderContext = {
    result,
    stem,
    presentation,
    printable: () => (printable ??= loadPrintable(presentation)),
    environment: options.environment ?? process.env,
  };
  const files: OutputFile[] = [];
  let pdfSkipped: BrowserNotFoundError | null = null;
  for (const format of options.formats) {
    try {
      files.push(...(await renderers[format](context)));
    } catch (error) {
      // No browser: skip the PDF, still write the other formats, and fail the run (exit 2) below.
      if (format === 'pdf' && error instanceof BrowserNotFoundError) pdfSkipped = error;
      else throw error;
    }
  }
  const writtenFiles = await writeOutputs(options.outDir, files, options.overwrite);

  for (const error of result.snapshot.collectionErrors) {
    options.stderr.write(`warning: collection error in the snapshot: ${error.api} ${error.resource ?? ''} ${error.code}: ${error.message}\n`);
  }
  if (!options.quiet) options.stdout.write(renderCheckingLines(result));
  options.stdout.write(renderSummary(result, writtenFiles));

  let exitCode: ExitCodeValue = options.failOnFindings && result.mfa.summary.nonCompliant > 0 ? ExitCode.findings : ExitCode.ok;
  if (pdfSkipped !== null) {
    options.stderr.write(`iam-audit: ${pdfSkipped.message}\n`);
    exitCode = pdfSkipped.exitCode;
  }
  return { exitCode, result, writtenFiles };
}
