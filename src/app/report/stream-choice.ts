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

/** The run's stream when it asks for one (the CLI does), writes only CSV and JSON, and compares with no earlier archive; else null. */
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
  const streamable = options.streamResults === true && options.previousPath === undefined && options.formats.every((format) => format === 'csv' || format === 'json');
  if (!streamable) return null;
  const gz = options.gzip === true ? '.gz' : '';
  const files = { findingsCsv: options.formats.includes('csv') ? `${findingsCsvName(stem, stamp)}${gz}` : null, json: options.formats.includes('json') ? `${stem}.json${gz}` : null };
  return (await import('./report-stream.js')).ReportStream.open({ ...options, gzip: options.gzip === true, statuses: options.presentation?.statuses ?? null }, files);
}

/** --gzip: a format's files written compressed as <name>.gz, when it is a machine output (not HTML or PDF). */
export function compressedWhenAsked(format: string, files: readonly OutputFile[], gzip: boolean): OutputFile[] {
  if (!gzip || format === 'html' || format === 'pdf') return [...files];
  return files.map((file) => ({ ...file, fileName: `${file.fileName}.gz`, gzip: true }));
}
