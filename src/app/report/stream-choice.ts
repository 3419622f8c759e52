/**
 * Whether a report run streams its machine outputs (report-stream.ts), and the names those files
 * take. Kept apart from report-stream.ts so that a run that does not stream never loads the CSV
 * and JSON writers it brings.
 */
import type { RuleResultStatus } from '../../analyze/result.js';
import type { Severity } from '../../rules/rule.js';
import type { OutputFile } from '../../util/files.js';
import type { ReportStream } from './report-stream.js';

/** iam_audit_findings_<time>.csv by default, <stem>.findings.csv for --output-name (as the manifest names it). */
export function findingsCsvName(stem: string, stamp: string): string {
  return stem === `iam_audit_${stamp}` ? `iam_audit_findings_${stamp}.csv` : `${stem}.findings.csv`;
}

/** The formats written as the engine judges; a run asking for any other (HTML, PDF, ASFF) runs on the collected result. */
const STREAMED_FORMATS: ReadonlySet<string> = new Set(['csv', 'json', 'ocsf', 'ocsf-jsonl', 'junit']);

/** The run's stream when it asks for one (the CLI does), writes only streamed formats, and compares with no earlier archive; else null. */
export async function openReportStream(
  options: {
    readonly streamResults?: boolean;
    readonly previousPath?: string;
    readonly formats: readonly string[];
    readonly outDir: string;
    readonly overwrite: boolean;
    readonly failOn?: Severity;
    readonly gzip?: boolean;
    readonly presentation?: { readonly statuses?: readonly RuleResultStatus[] | null };
  },
  stem: string,
  stamp: string,
): Promise<ReportStream | null> {
  const streamable = options.streamResults === true && options.previousPath === undefined && options.formats.every((format) => STREAMED_FORMATS.has(format));
  if (!streamable) return null;
  const gz = options.gzip === true ? '.gz' : '';
  const asked = (format: string, name: string): string | null => (options.formats.includes(format) ? `${name}${gz}` : null);
  const files = {
    findingsCsv: asked('csv', findingsCsvName(stem, stamp)),
    json: asked('json', `${stem}.json`),
    ocsf: asked('ocsf', `${stem}.ocsf.json`),
    ocsfJsonl: asked('ocsf-jsonl', `${stem}.ocsf.jsonl`),
    junit: asked('junit', `${stem}.junit.xml`),
  };
  return (await import('./report-stream.js')).ReportStream.open({ ...options, gzip: options.gzip === true, statuses: options.presentation?.statuses ?? null }, files);
}

/** --gzip: a format's files written compressed as <name>.gz, when it is a machine output (not HTML or PDF). */
export function compressedWhenAsked(format: string, files: readonly OutputFile[], gzip: boolean): OutputFile[] {
  if (!gzip || format === 'html' || format === 'pdf') return [...files];
  return files.map((file) => ({ ...file, fileName: `${file.fileName}.gz`, gzip: true }));
}
