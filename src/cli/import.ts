import type { Argv, CommandModule } from 'yargs';
import { runImport } from '../app/import/import.js';
import { escapeForTerminal } from '../util/terminal-text.js';
import { COMMANDS } from './commands.js';
import { CLOCK_SKEW_OPTION, parseClockSkew, parseInstant } from './common.js';

interface ImportArguments {
  report: string;
  output: string | undefined;
  'generated-at': string | undefined;
  overwrite: boolean;
  'clock-skew': number;
}

export const importCommand: CommandModule<object, ImportArguments> = {
  command: COMMANDS.import.command,
  describe: COMMANDS.import.describe,
  builder: (yargs: Argv) =>
    yargs
      .positional('report', { type: 'string', demandOption: true, describe: 'credential report CSV, as downloaded from IAM; "-" reads standard input' })
      // Without nargs, yargs re-parses the positional as `--report -` and reads the dash as a flag ("").
      .nargs('report', 1)
      .option('output', {
        alias: 'o',
        type: 'string',
        requiresArg: true,
        describe: 'snapshot file to write, "-" for standard output [default: snapshot-<account>-<capture time>.json]',
      })
      .option('generated-at', {
        type: 'string',
        describe: "the report's generation time (ISO 8601); default: the newest timestamp in the report, with a warning",
      })
      .option('overwrite', { type: 'boolean', default: false, describe: 'replace an existing snapshot file' })
      .option('clock-skew', CLOCK_SKEW_OPTION)
      .example('$0 import status_reports_2026-01-02.csv', 'writes snapshot-123456789012-2026-01-02T14-30-00Z.json')
      .example('$0 import report.csv --generated-at 2026-01-02T14:30:00Z -o q1.json', 'sets the capture time exactly')
      .example('aws iam get-credential-report --query Content --output text | base64 -d | $0 import - -o - | jq .users', 'a pipe: CSV in, snapshot out') as unknown as Argv<ImportArguments>,
  handler: async (argv) => {
    const generatedAt = parseInstant('generated-at', argv['generated-at']);
    const clockSkewMs = parseClockSkew(argv['clock-skew']);
    const { snapshot, snapshotPath, streamed } = await runImport({
      clockSkewMs,
      reportPath: argv.report,
      ...(argv.output === undefined ? {} : { outputPath: argv.output }),
      defaultDir: '.',
      ...(generatedAt === undefined ? {} : { generatedAt }),
      overwrite: argv.overwrite,
      stderr: process.stderr,
      stdin: process.stdin,
      stdout: process.stdout,
    });
    // When the snapshot itself went to a stream, the summary must not end up inside the JSON.
    (streamed ? process.stderr : process.stdout).write(
      `Snapshot written: ${snapshotPath === '-' ? 'standard output' : escapeForTerminal(snapshotPath)}\n  account ${escapeForTerminal(snapshot.account.id)}, captured ${snapshot.capturedAt}, ${snapshot.users.length} users${snapshot.root === null ? ', no root row' : ' and root'}\n`,
    );
  },
};
