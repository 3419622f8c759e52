import type { Argv, CommandModule } from 'yargs';
import { parseFormats, runReport } from '../app/report.js';
import { COMMANDS } from './commands.js';
import { commandOutcome, parseInstant } from './common.js';
import { catalogueOptions, presentationFrom, signingFromArguments, withReportOptions, type ReportArguments } from './report-options.js';

type Arguments = ReportArguments & { snapshot: string };

export const reportCommand: CommandModule<object, Arguments> = {
  command: COMMANDS.report.command,
  describe: COMMANDS.report.describe,
  builder: (yargs: Argv) =>
    withReportOptions(yargs.positional('snapshot', { type: 'string', demandOption: true, describe: 'snapshot JSON from import or collect' }))
      .example('$0 report snapshot.json', 'prints the MFA audit and writes iam_audit_<time>.csv, .json, .html and .pdf')
      .example('$0 report snapshot.json -d out --format json --quiet', 'JSON only, summary only') as unknown as Argv<Arguments>,
  handler: async (argv) => {
    const asOf = parseInstant('as-of', argv['as-of']);
    const signing = await signingFromArguments(argv);
    const outcome = await runReport({
      snapshotPath: argv.snapshot,
      outDir: argv['out-dir'],
      formats: parseFormats(argv.format),
      quiet: argv.quiet,
      failOnFindings: argv['fail-on-findings'],
      overwrite: argv.overwrite,
      presentation: presentationFrom(argv),
      ...(asOf === undefined ? {} : { asOf }),
      ...catalogueOptions(argv),
      ...(signing === undefined ? {} : { signing }),
      stdout: process.stdout,
      stderr: process.stderr,
    });
    commandOutcome.exitCode = outcome.exitCode;
  },
};
