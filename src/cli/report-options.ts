import type { Argv } from 'yargs';
import { allFrameworks } from '../frameworks/index.js';
import { DEFAULT_FORMATS, DEFAULT_REPORT_FRAMEWORK, OUTPUT_FORMATS, PAGE_SIZES, type OutputFormat, type PageSize, type PresentationOptions, type ReportOptions } from '../app/report/report.js';
import type { RuleResultStatus } from '../analyze/result.js';
import { ASFF_STATUSES, DEFAULT_ASFF_REGION, DEFAULT_ASFF_STATUSES } from '../render/asff-options.js';
import { SEVERITIES, type Severity } from '../rules/rule.js';
import { UserError } from '../util/errors.js';
import { withSigningOptions, type SigningArguments } from './signing-options.js';
import { CLOCK_SKEW_OPTION } from './common.js';

export interface ReportArguments extends SigningArguments {
  'out-dir': string;
  'output-name': string | undefined;
  format: string[];
  quiet: boolean;
  'fail-on-findings': boolean;
  overwrite: boolean;
  'as-of': string | undefined;
  config: string | undefined;
  exceptions: string | undefined;
  owners: string | undefined;
  responses: string | undefined;
  previous: string | undefined;
  'fail-on': string | undefined;
  'template-dir': string | undefined;
  'org-name': string | undefined;
  logo: string | undefined;
  'prepared-for': string | undefined;
  'prepared-by': string | undefined;
  'prepared-by-role': string | undefined;
  'reviewed-by': string | undefined;
  'reviewed-by-role': string | undefined;
  'approved-by': string | undefined;
  'approved-by-role': string | undefined;
  'sign-off-date': string | undefined;
  'page-size': PageSize;
  browser: string | undefined;
  'browser-timeout': number | undefined;
  framework: string[] | undefined;
  json: boolean;
  'clock-skew': number;
  'asff-region': string;
  'asff-status': string[];
  status?: string[];
  gzip: boolean;
}

/** The rule catalogue's report options, from the parsed flags. */
export function catalogueOptions(argv: ReportArguments): Pick<ReportOptions, 'configPath' | 'exceptionsPath' | 'ownersPath' | 'responsesPath' | 'failOn' | 'previousPath'> {
  return {
    ...(argv.previous === undefined ? {} : { previousPath: argv.previous }),
    ...(argv.config === undefined ? {} : { configPath: argv.config }),
    ...(argv.exceptions === undefined ? {} : { exceptionsPath: argv.exceptions }),
    ...(argv.owners === undefined ? {} : { ownersPath: argv.owners }),
    ...(argv.responses === undefined ? {} : { responsesPath: argv.responses }),
    ...(argv['fail-on'] === undefined ? {} : { failOn: parseSeverity(argv['fail-on']) }),
  };
}

/** A string option given once or repeated (`-f json -f pdf`), as a list; the parsers split the commas. */
function asList(value: string | string[]): string[] {
  return Array.isArray(value) ? value : [value];
}

/** A file name stem: letters, digits, '.', '_' and '-', not starting with '.' or '-' (no folder, no hidden file, no flag). */
const OUTPUT_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,199}$/;

/** --output-name, checked: it names files inside --out-dir, never a path. */
export function outputNameOption(argv: Pick<ReportArguments, 'output-name'>): { outputName?: string } {
  const value = argv['output-name'];
  if (value === undefined) return {};
  if (!OUTPUT_NAME.test(value)) {
    throw new UserError(`--output-name "${value}" is not a file name stem: use letters, digits, ".", "_" and "-" (not first), up to 200 characters; the folder is -d`);
  }
  return { outputName: value };
}

/** The options `report` and `audit` share. */
export function withReportOptions<T>(yargs: Argv<T>): Argv<T & ReportArguments> {
  const options = yargs
    .option('out-dir', { alias: 'd', type: 'string', default: '.', describe: 'folder for the report files' })
    .option('output-name', {
      type: 'string',
      requiresArg: true,
      describe: 'stem of every file written: STEM.json, STEM.csv, STEM.findings.csv, STEM.pdf, ... (audit: also STEM.snapshot.json) instead of iam_audit_<time>',
    })
    // Comma-separated strings, not yargs arrays: an array option swallows the positional after it
    // (`report -f json snapshot.json`). A repeated flag still gives a list, hence the coerce.
    .option('format', {
      alias: 'f',
      type: 'string',
      requiresArg: true,
      default: DEFAULT_FORMATS.join(','),
      defaultDescription: DEFAULT_FORMATS.join(','),
      coerce: asList,
      describe: `formats to write, comma-separated: ${OUTPUT_FORMATS.join(', ')} (csv writes the MFA CSV and the findings CSV)`,
    })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'print only the summary' })
    .option('json', { type: 'boolean', default: false, describe: 'print one JSON summary on stdout (files written, counts, exit code and reason); the human text goes to stderr' })
    .option('fail-on-findings', { type: 'boolean', default: false, describe: 'exit 1 when a console user lacks MFA (FAIL)' })
    .option('overwrite', { type: 'boolean', default: false, describe: 'replace existing report files of the same name' })
    .option('clock-skew', CLOCK_SKEW_OPTION)
    .option('as-of', { type: 'string', describe: 'judge time-based checks at this ISO 8601 time instead of the capture time: not before it; later is a projection assuming no change, which never improves a verdict' })
    .option('config', { type: 'string', describe: 'rule configuration, YAML or JSON (see "iam-audit rules --defaults")' })
    .option('exceptions', { type: 'string', describe: 'accepted exceptions, YAML or JSON: rule, resource, justification, approvedBy, expires' })
    .option('owners', { type: 'string', describe: "owners mapping, YAML or JSON: user name or glob -> owner's address (as for notify); user tags (config remediation.ownerTags) come first" })
    .option('responses', { type: 'string', describe: 'management responses, YAML or JSON: rule, resource, response, owner, targetDate; shown next to each finding' })
    .option('previous', { type: 'string', requiresArg: true, describe: 'an earlier snapshot or report JSON of the account: adds "Changes since the previous report" to the HTML/PDF and JSON' })
    .option('fail-on', { type: 'string', describe: `exit 1 when a rule fails at or above this severity: ${SEVERITIES.join(', ')}` })
    .option('template-dir', { type: 'string', describe: 'folder whose layout.hbs / partials/*.hbs replace the bundled report templates' })
    .option('org-name', { type: 'string', describe: 'organisation named on the cover of the HTML/PDF report' })
    .option('logo', { type: 'string', describe: 'logo image (PNG, JPEG, GIF, WebP or SVG) for the cover, embedded in the report' })
    .option('prepared-for', { type: 'string', describe: 'who the report is for (cover)' })
    .option('prepared-by', { type: 'string', describe: 'who prepared the report (cover; also the PDF author)' })
    .option('prepared-by-role', { type: 'string', describe: 'role of the person who prepared the report (sign-off block)' })
    .option('reviewed-by', { type: 'string', describe: 'reviewer named in the sign-off block (else a blank line to sign)' })
    .option('reviewed-by-role', { type: 'string', describe: "reviewer's role (sign-off block)" })
    .option('approved-by', { type: 'string', describe: 'approver named in the sign-off block (else a blank line to sign)' })
    .option('approved-by-role', { type: 'string', describe: "approver's role (sign-off block)" })
    .option('sign-off-date', { type: 'string', describe: 'date printed on the sign-off lines (else left blank to fill in by hand)' })
    .option('page-size', { type: 'string', choices: PAGE_SIZES, default: 'a4', coerce: (value: string) => value.toLowerCase(), describe: 'PDF paper size' })
    // No yargs default: an explicit --framework also narrows JSON, CSV and OCSF; left out, the
    // printable report shows the default framework and machine outputs keep every framework.
    .option('framework', {
      type: 'string',
      requiresArg: true,
      defaultDescription: `${DEFAULT_REPORT_FRAMEWORK} in HTML/PDF, all in machine outputs`,
      coerce: asList,
      describe: `frameworks to report, comma-separated, or "all": ${allFrameworks.map((framework) => framework.id).join(', ')}; given explicitly, JSON, CSV and OCSF keep only these too`,
    })
    .option('asff-region', { type: 'string', requiresArg: true, default: DEFAULT_ASFF_REGION, describe: 'Security Hub region named in the ASFF findings (ProductArn, resources)' })
    .option('asff-status', {
      type: 'string',
      requiresArg: true,
      default: DEFAULT_ASFF_STATUSES.join(','),
      coerce: asList,
      describe: `which rule results become ASFF findings, comma-separated: ${ASFF_STATUSES.join(', ')}`,
    })
    .option('status', {
      type: 'string',
      requiresArg: true,
      defaultDescription: 'all',
      coerce: asList,
      describe: `which rule results OCSF, OCSF JSON Lines, JUnit and the findings CSV carry, comma-separated: ${ASFF_STATUSES.join(', ')}, or all (the JSON report always has all)`,
    })
    .option('gzip', { type: 'boolean', default: false, describe: 'write every machine output (CSV, JSON, OCSF, OCSF JSON Lines, JUnit, ASFF) gzip-compressed, as <name>.gz' })
    .option('browser', { type: 'string', describe: 'Chrome/Chromium executable for the PDF (else PUPPETEER_EXECUTABLE_PATH, a system browser, puppeteer\'s own)' })
    .option('browser-timeout', {
      type: 'number',
      requiresArg: true,
      defaultDescription: '120, or IAM_AUDIT_BROWSER_TIMEOUT',
      describe: 'seconds to wait for the browser to start, and for each page it loads or prints; a browser that does not answer is stopped and the PDF skipped (exit 4)',
    });
  return withSigningOptions(options) as unknown as Argv<T & ReportArguments>;
}

/** --browser-timeout, checked: a positive number of seconds, at most a day; null when not given. */
function browserTimeoutSeconds(value: number | undefined): number | null {
  if (value === undefined) return null;
  if (!Number.isFinite(value) || value <= 0 || value > 86_400) throw new UserError(`--browser-timeout must be a number of seconds between 0 and 86400, got ${String(value)}`);
  return value;
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
    signOff: {
      preparedBy: { name: argv['prepared-by'] ?? null, role: argv['prepared-by-role'] ?? null, date: argv['sign-off-date'] ?? null },
      reviewedBy: { name: argv['reviewed-by'] ?? null, role: argv['reviewed-by-role'] ?? null, date: argv['sign-off-date'] ?? null },
      approvedBy: { name: argv['approved-by'] ?? null, role: argv['approved-by-role'] ?? null, date: argv['sign-off-date'] ?? null },
    },
    pageSize: argv['page-size'],
    browserPath: argv.browser ?? null,
    browserTimeoutSeconds: browserTimeoutSeconds(argv['browser-timeout']),
    frameworks: parseFrameworkSelection(argv.framework ?? []),
    machineFrameworks: argv.framework === undefined ? null : parseFrameworkSelection(argv.framework),
    asff: { region: parseAsffRegion(argv['asff-region'] ?? DEFAULT_ASFF_REGION), statuses: parseAsffStatuses(argv['asff-status'] ?? [...DEFAULT_ASFF_STATUSES]) },
    statuses: argv.status === undefined ? null : parseResultStatuses(argv.status, '--status'),
  };
}

/** Parses --framework: ids of registered frameworks, or "all" (null: show every one). */
export function parseFrameworkSelection(values: readonly string[]): readonly string[] | null {
  const ids = values.flatMap((value) => value.split(',')).map((value) => value.trim().toLowerCase()).filter((value) => value !== '');
  if (ids.includes('all')) return null;
  const known = allFrameworks.map((framework) => framework.id);
  const unknown = ids.find((id) => !known.includes(id));
  if (unknown !== undefined) throw new UserError(`--framework "${unknown}" is not a framework; choose from ${known.join(', ')} or all`);
  return ids.length === 0 ? [DEFAULT_REPORT_FRAMEWORK] : ids;
}

export { signingFromArguments } from './signing-options.js';

/** Parses --asff-region: an AWS region name (us-east-1, eu-central-1, us-gov-west-1, cn-north-1...). */
export function parseAsffRegion(value: string): string {
  const region = value.trim().toLowerCase();
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) throw new UserError(`--asff-region "${value}" is not an AWS region name (for example us-east-1)`);
  return region;
}

/** Parses --asff-status: rule result statuses, comma-separated or repeated, or "all". */
export function parseAsffStatuses(values: readonly string[]): RuleResultStatus[] {
  return parseResultStatuses(values, '--asff-status');
}

/** Parses a list of rule result statuses (--asff-status, --status), comma-separated or repeated, or "all". */
export function parseResultStatuses(values: readonly string[], flag: string): RuleResultStatus[] {
  const statuses = values.flatMap((value) => value.split(',')).map((value) => value.trim().toLowerCase()).filter((value) => value !== '');
  if (statuses.includes('all')) return [...ASFF_STATUSES];
  const unknown = statuses.find((status) => !(ASFF_STATUSES as readonly string[]).includes(status));
  if (unknown !== undefined) throw new UserError(`${flag} "${unknown}" is not a result status; choose from ${ASFF_STATUSES.join(', ')} or all`);
  if (statuses.length === 0) throw new UserError(`${flag} needs at least one of ${ASFF_STATUSES.join(', ')}`);
  return [...new Set(statuses)] as RuleResultStatus[];
}

/** Parses --fail-on. */
export function parseSeverity(value: string): Severity {
  const severity = value.trim().toLowerCase();
  if (!(SEVERITIES as readonly string[]).includes(severity)) throw new UserError(`--fail-on "${value}" is not a severity; choose from ${SEVERITIES.join(', ')}`);
  return severity as Severity;
}

/** Parses --format: comma-separated or repeated, each format once. */
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
