import type { Argv } from 'yargs';
import { OUTPUT_FORMATS } from '../app/report.js';

export interface ReportArguments {
  'out-dir': string;
  format: string[];
  quiet: boolean;
  'fail-on-findings': boolean;
  overwrite: boolean;
  'as-of': string | undefined;
}

/** The options `report` and `audit` share. */
export function withReportOptions<T>(yargs: Argv<T>): Argv<T & ReportArguments> {
  return yargs
    .option('out-dir', { alias: 'd', type: 'string', default: '.', describe: 'folder for the report files' })
    .option('format', {
      alias: 'f',
      type: 'string',
      array: true,
      default: [OUTPUT_FORMATS.join(',')],
      describe: `formats to write, comma-separated: ${OUTPUT_FORMATS.join(', ')}`,
    })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'print only the summary' })
    .option('fail-on-findings', { type: 'boolean', default: false, describe: 'exit 1 when a console user lacks MFA (FAIL)' })
    .option('overwrite', { type: 'boolean', default: false, describe: 'replace existing report files of the same name' })
    .option('as-of', { type: 'string', describe: 'judge time-based checks at this ISO 8601 time instead of the capture time' }) as unknown as Argv<
    T & ReportArguments
  >;
}
