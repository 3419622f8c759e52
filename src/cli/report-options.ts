import type { Argv } from 'yargs';
import { OUTPUT_FORMATS, PAGE_SIZES, type PageSize, type PresentationOptions } from '../app/report.js';
import { UserError } from '../util/errors.js';

export interface ReportArguments {
  'out-dir': string;
  format: string[];
  quiet: boolean;
  'fail-on-findings': boolean;
  overwrite: boolean;
  'as-of': string | undefined;
  'template-dir': string | undefined;
  'org-name': string | undefined;
  logo: string | undefined;
  'prepared-for': string | undefined;
  'prepared-by': string | undefined;
  'page-size': PageSize;
  browser: string | undefined;
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
    .option('as-of', { type: 'string', describe: 'judge time-based checks at this ISO 8601 time instead of the capture time' })
    .option('template-dir', { type: 'string', describe: 'folder whose layout.hbs / partials/*.hbs replace the bundled report templates' })
    .option('org-name', { type: 'string', describe: 'organisation named on the cover of the HTML/PDF report' })
    .option('logo', { type: 'string', describe: 'logo image (PNG, JPEG, GIF, WebP or SVG) for the cover, embedded in the report' })
    .option('prepared-for', { type: 'string', describe: 'who the report is for (cover)' })
    .option('prepared-by', { type: 'string', describe: 'who prepared the report (cover; also the PDF author)' })
    .option('page-size', { type: 'string', choices: PAGE_SIZES, default: 'a4', coerce: (value: string) => value.toLowerCase(), describe: 'PDF paper size' })
    .option('browser', { type: 'string', describe: 'Chrome/Chromium executable for the PDF (else PUPPETEER_EXECUTABLE_PATH, a system browser, puppeteer\'s own)' }) as unknown as Argv<
    T & ReportArguments
  >;
}

/** The printable report's options from the parsed arguments. */
export function presentationFrom(argv: ReportArguments): PresentationOptions {
  // Checked here too: the handler must never print on a paper size it does not know.
  if (!(PAGE_SIZES as readonly string[]).includes(argv['page-size'])) {
    throw new UserError(`--page-size "${argv['page-size']}" is not one of ${PAGE_SIZES.join(', ')}`);
  }
  return {
    templateDir: argv['template-dir'] ?? null,
    orgName: argv['org-name'] ?? null,
    logoPath: argv.logo ?? null,
    preparedFor: argv['prepared-for'] ?? null,
    preparedBy: argv['prepared-by'] ?? null,
    pageSize: argv['page-size'],
    browserPath: argv.browser ?? null,
  };
}
