import type { Argv, CommandModule } from 'yargs';
import { runImport } from '../app/import.js';
import { checkCatalogueFiles, parseFormats, runReport } from '../app/report.js';
import { commandOutcome, parseInstant } from './common.js';
import { catalogueOptions, presentationFrom, signingFromArguments, withReportOptions, type ReportArguments } from './report-options.js';

type Arguments = ReportArguments & { report: string; 'generated-at': string | undefined };

export const auditCommand: CommandModule<object, Arguments> = {
  command: 'audit <report>',
  describe: 'Import a credential report and report on it in one go (the snapshot is kept beside the reports)',
  builder: (yargs: Argv) =>
    withReportOptions(
      yargs
        .positional('report', { type: 'string', demandOption: true, describe: 'credential report CSV' })
        .option('generated-at', { type: 'string', describe: "the report's generation time (ISO 8601)" }),
    )
      .example('$0 audit fixtures/demo/credential-report.csv -d out', 'snapshot, CSV, JSON, HTML and PDF in out/') as unknown as Argv<Arguments>,
  handler: async (argv) => {
    const generatedAt = parseInstant('generated-at', argv['generated-at']);
    const asOf = parseInstant('as-of', argv['as-of']);
    const formats = parseFormats(argv.format);
    const catalogue = catalogueOptions(argv);
    // Bad configuration or exceptions files stop the run before the snapshot is written.
    await checkCatalogueFiles(catalogue);
    const signing = await signingFromArguments(argv);
    const { snapshotPath } = await runImport({
      reportPath: argv.report,
      defaultDir: argv['out-dir'],
      ...(generatedAt === undefined ? {} : { generatedAt }),
      overwrite: argv.overwrite,
      stderr: process.stderr,
    });
    process.stdout.write(`Snapshot written: ${snapshotPath}\n`);
    const outcome = await runReport({
      snapshotPath,
      outDir: argv['out-dir'],
      formats,
      quiet: argv.quiet,
      failOnFindings: argv['fail-on-findings'],
      overwrite: argv.overwrite,
      presentation: presentationFrom(argv),
      ...(asOf === undefined ? {} : { asOf }),
      ...catalogue,
      ...(signing === undefined ? {} : { signing }),
      stdout: process.stdout,
      stderr: process.stderr,
    });
    commandOutcome.exitCode = outcome.exitCode;
  },
};
