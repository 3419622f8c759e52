import type { Argv, CommandModule } from 'yargs';
import { EXIT_CODES_HELP } from '../app/exit-status.js';
import { parseFormats, runReport } from '../app/report.js';
import { COMMANDS } from './commands.js';
import { buildRunSummary } from '../app/run-summary.js';
import { commandOutcome, parseInstant } from './common.js';
import { catalogueOptions, presentationFrom, signingFromArguments, withReportOptions, type ReportArguments } from './report-options.js';

type Arguments = ReportArguments & { snapshot: string };

export const reportCommand: CommandModule<object, Arguments> = {
  command: COMMANDS.report.command,
  describe: COMMANDS.report.describe,
  builder: (yargs: Argv) =>
    withReportOptions(yargs.positional('snapshot', { type: 'string', demandOption: true, describe: 'snapshot JSON from import or collect' }))
      .example('$0 report snapshot.json', 'prints the MFA audit and writes iam_audit_<time>.csv, .json, .html and .pdf')
      .example('$0 report snapshot.json -d out --format json --quiet', 'JSON only, summary only')
      .example('$0 report snapshot.json -d out --fail-on high --json', 'one JSON summary on stdout: files written, counts, exit code and reason')
      .epilogue(EXIT_CODES_HELP) as unknown as Argv<Arguments>,
  handler: async (argv) => {
    const asOf = parseInstant('as-of', argv['as-of']);
    const signing = await signingFromArguments(argv);
    // With --json, stdout carries the JSON summary alone; the human text goes to stderr.
    const human = argv.json ? process.stderr : process.stdout;
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
      stdout: human,
      stderr: process.stderr,
    });
    commandOutcome.exitCode = outcome.exitCode;
    if (argv.json) process.stdout.write(`${JSON.stringify(buildRunSummary(outcome, { snapshotRead: argv.snapshot, snapshotWritten: null }), null, 2)}\n`);
  },
};
