import type { Argv, CommandModule } from 'yargs';
import { runImport } from '../app/import.js';
import { escapeForTerminal } from '../util/terminal-text.js';
import { parseInstant } from './common.js';

interface ImportArguments {
  report: string;
  output: string | undefined;
  'generated-at': string | undefined;
  overwrite: boolean;
}

export const importCommand: CommandModule<object, ImportArguments> = {
  command: 'import <report>',
  describe: 'Read an IAM credential report (CSV) into a snapshot',
  builder: (yargs: Argv) =>
    yargs
      .positional('report', { type: 'string', demandOption: true, describe: 'credential report CSV, as downloaded from IAM' })
      .option('output', { alias: 'o', type: 'string', describe: 'snapshot file to write [default: snapshot-<account>-<capture time>.json]' })
      .option('generated-at', {
        type: 'string',
        describe: "the report's generation time (ISO 8601); default: the newest timestamp in the report, with a warning",
      })
      .option('overwrite', { type: 'boolean', default: false, describe: 'replace an existing snapshot file' })
      .example('$0 import status_reports_2026-01-02.csv', 'writes snapshot-123456789012-2026-01-02T14-30-00Z.json')
      .example('$0 import report.csv --generated-at 2026-01-02T14:30:00Z -o q1.json', 'sets the capture time exactly') as unknown as Argv<ImportArguments>,
  handler: async (argv) => {
    const generatedAt = parseInstant('generated-at', argv['generated-at']);
    const { snapshot, snapshotPath } = await runImport({
      reportPath: argv.report,
      ...(argv.output === undefined ? {} : { outputPath: argv.output }),
      defaultDir: '.',
      ...(generatedAt === undefined ? {} : { generatedAt }),
      overwrite: argv.overwrite,
      stderr: process.stderr,
    });
    process.stdout.write(
      `Snapshot written: ${escapeForTerminal(snapshotPath)}\n  account ${escapeForTerminal(snapshot.account.id)}, captured ${snapshot.capturedAt}, ${snapshot.users.length} users${snapshot.root === null ? ', no root row' : ' and root'}\n`,
    );
  },
};
