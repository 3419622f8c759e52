import { basename } from 'node:path';
import { analyze } from '../analyze/analyze.js';
import type { AnalysisResult } from '../analyze/result.js';
import { renderJson } from '../render/json.js';
import { renderMfaCsv } from '../render/mfa-csv.js';
import { renderCheckingLines, renderSummary } from '../render/console.js';
import { readSnapshot, type LoadedSnapshot } from '../snapshot/io.js';
import { ExitCode, UserError, type ExitCodeValue } from '../util/errors.js';
import { packageInfo } from '../util/paths.js';
import { fileStamp, runClock, toIsoUtc } from '../util/time.js';
import { writeOutputs, type OutputFile } from '../util/files.js';
import { addEvidenceOutputs, type SigningSettings } from '../evidence/report-evidence.js';

export const OUTPUT_FORMATS = ['csv', 'json'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface ReportOptions {
  readonly snapshotPath: string;
  readonly outDir: string;
  readonly formats: readonly OutputFormat[];
  readonly quiet: boolean;
  readonly failOnFindings: boolean;
  readonly overwrite: boolean;
  readonly asOf?: Date;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly environment?: NodeJS.ProcessEnv;
  /** Sign the PDF and the manifest (report --sign-p12). */
  readonly signing?: SigningSettings;
}

export interface ReportOutcome {
  readonly exitCode: ExitCodeValue;
  readonly result: AnalysisResult;
  readonly writtenFiles: readonly string[];
}

/** Renders one format; `stem` is iam_audit_<audit start>. */
type Renderer = (result: AnalysisResult, stem: string) => Promise<OutputFile[]>;

const renderers: Readonly<Record<OutputFormat, Renderer>> = {
  csv: async (result, stem) => [{ fileName: `${stem}.csv`, content: renderMfaCsv(result) }],
  json: async (result, stem) => [{ fileName: `${stem}.json`, content: renderJson(result) }],
};

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
  const files: OutputFile[] = [];
  for (const format of options.formats) files.push(...(await renderers[format](result, stem)));
  // Evidence last: PDFs get the snapshot embedded (and are signed), then manifest.json + SHA256SUMS.
  const evidenceContext = { result, loaded, outDir: options.outDir, now: clock(), stem };
  const outputs = await addEvidenceOutputs(files, options.signing === undefined ? evidenceContext : { ...evidenceContext, signing: options.signing });
  const writtenFiles = await writeOutputs(options.outDir, outputs, options.overwrite);

  for (const error of result.snapshot.collectionErrors) {
    options.stderr.write(`warning: collection error in the snapshot: ${error.api} ${error.resource ?? ''} ${error.code}: ${error.message}\n`);
  }
  if (!options.quiet) options.stdout.write(renderCheckingLines(result));
  options.stdout.write(renderSummary(result, writtenFiles));

  const exitCode = options.failOnFindings && result.mfa.summary.nonCompliant > 0 ? ExitCode.findings : ExitCode.ok;
  return { exitCode, result, writtenFiles };
}
