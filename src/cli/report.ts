import type { Argv, CommandModule } from 'yargs';
import { runReport } from '../app/report/report.js';
import { COMMANDS } from './commands.js';
import { isOrgInput } from '../app/org/org-input.js';
import { UserError } from '../util/errors.js';
import { buildRunSummary } from '../app/report/run-summary.js';
import { commandOutcome, parseClockSkew, parseInstant } from './common.js';
import { catalogueOptions, outputNameOption, parseFormats, presentationFrom, signingFromArguments, withReportOptions, type ReportArguments } from './report-options.js';

type Arguments = ReportArguments & { snapshot: string; 'per-account': boolean; verbose: boolean };

export const reportCommand: CommandModule<object, Arguments> = {
  command: COMMANDS.report.command,
  describe: COMMANDS.report.describe,
  builder: (yargs: Argv) =>
    withReportOptions(yargs.positional('snapshot', { type: 'string', demandOption: true, describe: 'snapshot JSON from import or collect; or an org-index.json from collect --org, or a folder of snapshots (organisation report)' }))
      .option('verbose', { type: 'boolean', default: false, describe: 'list every user on the console (above 50 users, only the failing ones are listed, the first 50)' })
      .option('per-account', { type: 'boolean', default: false, describe: 'organisation report: also write each account\'s own report under <out-dir>/<account>/' })
      .example('$0 report snapshot.json', 'prints the MFA audit and writes iam_audit_<time>.csv, .json, .html and .pdf')
      .example('$0 report snapshot.json -d out --format json --quiet', 'JSON only, summary only')
      .example('$0 report snapshot.json -d out --fail-on high --json', 'one JSON summary on stdout: files written, counts, exit code and reason')
      .example('$0 report snapshots/org-index.json -d out', 'the organisation report: per account, per control, worst accounts and identities') as unknown as Argv<Arguments>,
  handler: async (argv) => {
    const asOf = parseInstant('as-of', argv['as-of']);
    const clockSkewMs = parseClockSkew(argv['clock-skew']);
    const signing = await signingFromArguments(argv);
    if (await isOrgInput(argv.snapshot)) {
      if (argv['output-name'] !== undefined) throw new UserError("--output-name is for one account's report; the organisation report names its files by account");
      if (argv.gzip) throw new UserError("--gzip is for one account's report; the organisation report does not compress its files");
      const { runOrgReport } = await import('../app/org/org-report.js');
      const outcome = await runOrgReport({
        inputPath: argv.snapshot,
        outDir: argv['out-dir'],
        formats: parseFormats(argv.format),
        quiet: argv.quiet,
        overwrite: argv.overwrite,
        perAccount: argv['per-account'],
        failOnFindings: argv['fail-on-findings'],
        presentation: presentationFrom(argv),
        ...(asOf === undefined ? {} : { asOf }),
        ...catalogueOptions(argv),
        ...(signing === undefined ? {} : { signing }),
        stdout: argv.json ? process.stderr : process.stdout,
        stderr: process.stderr,
      });
      commandOutcome.exitCode = outcome.exitCode;
      if (argv.json) process.stdout.write(`${JSON.stringify({ files: outcome.writtenFiles, totals: outcome.rollup.totals, exitCode: outcome.exitCode, reasons: outcome.exitReasons.map((reason) => reason.reason) }, null, 2)}\n`);
      return;
    }
    if (argv['per-account']) throw new UserError('--per-account is for an organisation report (an org-index.json or a folder of snapshots)');
    // With --json, stdout carries the JSON summary alone; the human text goes to stderr.
    const human = argv.json ? process.stderr : process.stdout;
    const outcome = await runReport({
      snapshotPath: argv.snapshot,
      clockSkewMs,
      outDir: argv['out-dir'],
      ...outputNameOption(argv),
      formats: parseFormats(argv.format),
      quiet: argv.quiet,
      verbose: argv.verbose,
      failOnFindings: argv['fail-on-findings'],
      overwrite: argv.overwrite,
      presentation: presentationFrom(argv),
      ...(asOf === undefined ? {} : { asOf }),
      ...catalogueOptions(argv),
      ...(signing === undefined ? {} : { signing }),
      stdout: human,
      stderr: process.stderr,
      // CSV and JSON are written as the engine judges, without holding every result (issue 26).
      streamResults: true,
      gzip: argv.gzip,
    });
    commandOutcome.exitCode = outcome.exitCode;
    if (argv.json) process.stdout.write(`${JSON.stringify(buildRunSummary(outcome, { snapshotRead: argv.snapshot, snapshotWritten: null }), null, 2)}\n`);
  },
};
