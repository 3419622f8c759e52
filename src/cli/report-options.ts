import type { Argv } from 'yargs';
import { DEFAULT_FORMATS, OUTPUT_FORMATS, parseSeverity, type ReportOptions } from '../app/report.js';
import { SEVERITIES } from '../rules/rule.js';

export interface ReportArguments {
  'out-dir': string;
  format: string[];
  quiet: boolean;
  'fail-on-findings': boolean;
  overwrite: boolean;
  'as-of': string | undefined;
  config: string | undefined;
  exceptions: string | undefined;
  'fail-on': string | undefined;
}

/** The rule catalogue's report options, from the parsed flags. */
export function catalogueOptions(argv: ReportArguments): Pick<ReportOptions, 'configPath' | 'exceptionsPath' | 'failOn'> {
  return {
    ...(argv.config === undefined ? {} : { configPath: argv.config }),
    ...(argv.exceptions === undefined ? {} : { exceptionsPath: argv.exceptions }),
    ...(argv['fail-on'] === undefined ? {} : { failOn: parseSeverity(argv['fail-on']) }),
  };
}

/** The options `report` and `audit` share. */
export function withReportOptions<T>(yargs: Argv<T>): Argv<T & ReportArguments> {
  return yargs
    .option('out-dir', { alias: 'd', type: 'string', default: '.', describe: 'folder for the report files' })
    .option('format', {
      alias: 'f',
      type: 'string',
      array: true,
      default: [DEFAULT_FORMATS.join(',')],
      describe: `formats to write, comma-separated: ${OUTPUT_FORMATS.join(', ')} (csv writes the MFA CSV and the findings CSV)`,
    })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'print only the summary' })
    .option('fail-on-findings', { type: 'boolean', default: false, describe: 'exit 1 when a console user lacks MFA (FAIL)' })
    .option('overwrite', { type: 'boolean', default: false, describe: 'replace existing report files of the same name' })
    .option('as-of', { type: 'string', describe: 'judge time-based checks at this ISO 8601 time instead of the capture time' })
    .option('config', { type: 'string', describe: 'rule configuration, YAML or JSON (see "iam-audit rules --defaults")' })
    .option('exceptions', { type: 'string', describe: 'accepted exceptions, YAML or JSON: rule, resource, justification, approvedBy, expires' })
    .option('fail-on', { type: 'string', describe: `exit 1 when a rule fails at or above this severity: ${SEVERITIES.join(', ')}` }) as unknown as Argv<
    T & ReportArguments
  >;
}
