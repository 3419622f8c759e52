import { join } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { runImport } from '../app/import/import.js';
import type { ExitReason } from '../app/shared/exit-status.js';
import { buildRunSummary } from '../app/report/run-summary.js';
import { checkAsOf } from '../app/report/as-of.js';
import { checkCatalogueFiles, runReport } from '../app/report/report.js';
import { ExitCode, UserError } from '../util/errors.js';
import { runClock, toIsoUtc } from '../util/time.js';
import { collectRunOptions, withCollectOptions, type CollectOptionArguments } from './collect-options.js';
import { escapeForTerminal } from '../util/terminal-text.js';
import type { LoadedSnapshot } from '../snapshot/io.js';
import { COMMANDS } from './commands.js';
import { commandOutcome, parseClockSkew, parseInstant } from './common.js';
import { catalogueOptions, outputNameOption, parseFormats, presentationFrom, signingFromArguments, withReportOptions, type ReportArguments } from './report-options.js';

type Arguments = ReportArguments & CollectOptionArguments & { report: string | undefined; 'generated-at': string | undefined };

export const auditCommand: CommandModule<object, Arguments> = {
  command: COMMANDS.audit.command,
  describe: COMMANDS.audit.describe,
  builder: (yargs: Argv) =>
    withCollectOptions(
      withReportOptions(
        yargs
          .positional('report', { type: 'string', describe: 'credential report CSV ("-": standard input); without it, collect live with the AWS API' })
          // Without nargs, yargs re-parses the positional as `--report -` and reads the dash as a flag ("").
          .nargs('report', 1)
          .option('generated-at', { type: 'string', describe: "the report's generation time (ISO 8601)" }),
      ),
    )
      // Redeclared over collect's: in audit, --verbose also lists every user on the console.
      .option('verbose', { type: 'boolean', default: false, describe: 'log each AWS call to stderr (never credentials), and list every user on the console (above 50 users, only the failing ones are listed)' })
      .example('$0 audit fixtures/demo/credential-report.csv -d out', 'snapshot, CSV, JSON, HTML and PDF in out/')
      .example('$0 audit --profile audit -d out', 'collect the live account, then report, as the original script did') as unknown as Argv<Arguments>,
  handler: async (argv) => {
    const generatedAt = parseInstant('generated-at', argv['generated-at']);
    const asOf = parseInstant('as-of', argv['as-of']);
    const clockSkewMs = parseClockSkew(argv['clock-skew']);
    const formats = parseFormats(argv.format);
    // --output-name: the kept snapshot is STEM.snapshot.json beside the reports.
    const outputName = outputNameOption(argv);
    const snapshotName = outputName.outputName === undefined ? {} : { outputPath: join(argv['out-dir'], `${outputName.outputName}.snapshot.json`) };
    const catalogue = catalogueOptions(argv);
    const presentation = presentationFrom(argv);
    // Bad configuration, exceptions or certificate stop the run before a snapshot is taken or written.
    await checkCatalogueFiles(catalogue);
    const signing = await signingFromArguments(argv);
    let snapshotPath: string;
    let written: LoadedSnapshot | undefined;
    let collectionExit: number = ExitCode.ok;
    if (argv.report === undefined) {
      if (generatedAt !== undefined) throw new UserError('--generated-at applies to a credential report CSV; a live collection records its own times');
      // A live capture happens now: an --as-of in the past would be refused after collecting.
      checkAsOf(asOf, toIsoUtc(runClock()()), 'the live collection about to start');
      const { runCollect } = await import('../collect/run.js');
      const collected = await runCollect({ ...collectRunOptions(argv, { defaultDir: argv['out-dir'], overwrite: argv.overwrite, ...snapshotName }), clockSkewMs });
      snapshotPath = collected.snapshotPath;
      written = collected.loaded;
      collectionExit = collected.exitCode;
    } else {
      ({ snapshotPath, loaded: written } = await runImport({
        reportPath: argv.report,
        defaultDir: argv['out-dir'],
        ...snapshotName,
        ...(generatedAt === undefined ? {} : { generatedAt }),
        clockSkewMs,
        overwrite: argv.overwrite,
        stderr: process.stderr,
        // Refused before the snapshot is written: audit leaves nothing its own report refuses.
        check: (snapshot, where) => checkAsOf(asOf, snapshot.capturedAt, where),
      }));
    }
    // With --json, stdout carries the JSON summary alone; the human text goes to stderr.
    const human = argv.json ? process.stderr : process.stdout;
    human.write(`Snapshot written: ${escapeForTerminal(snapshotPath)}\n`);
    const outcome = await runReport({
      snapshotPath,
      clockSkewMs,
      // What was just written, analysed without reading, parsing and validating the file again.
      ...(written === undefined ? {} : { written }),
      outDir: argv['out-dir'],
      ...outputName,
      formats,
      quiet: argv.quiet,
      // --verbose (collect's: log each AWS call) also lists every user on the console.
      verbose: argv.verbose,
      failOnFindings: argv['fail-on-findings'],
      overwrite: argv.overwrite,
      presentation,
      ...(asOf === undefined ? {} : { asOf }),
      ...catalogue,
      ...(signing === undefined ? {} : { signing }),
      stdout: human,
      stderr: process.stderr,
      // CSV and JSON are written as the engine judges, without holding every result (issue 26).
      streamResults: true,
      gzip: argv.gzip,
    });
    // A partial collection is partial data (exit 3), ranked by EXIT_PRECEDENCE with the report's own reasons.
    const collectionReasons: ExitReason[] =
      collectionExit === ExitCode.partial && outcome.result.snapshot.collectionErrors.length === 0
        ? [{ code: ExitCode.partial, reason: 'partial data: the collection was partial' }]
        : [];
    const summary = buildRunSummary(outcome, { snapshotRead: snapshotPath, snapshotWritten: snapshotPath, extraReasons: collectionReasons });
    commandOutcome.exitCode = summary.exit_code;
    if (collectionExit === ExitCode.partial) process.stderr.write(`iam-audit: the collection was partial (partial data, exit 3 unless outranked; this run exits ${summary.exit_code}); see the collection errors above and in the report.\n`);
    if (argv.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  },
};
