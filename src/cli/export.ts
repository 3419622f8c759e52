import type { Argv, CommandModule } from 'yargs';
import { DEFAULT_STATE_FILE } from '../app/export/export-files.js';
import { runSecurityHubExport } from '../app/export/securityhub.js';
import { UserError } from '../util/errors.js';
import { COMMANDS } from './commands.js';
import { commandOutcome } from './common.js';

interface ExportArguments {
  target: string;
  findings: string;
  region: string | undefined;
  'endpoint-url': string | undefined;
  profile: string | undefined;
  state: string;
  'max-attempts': number;
}

export const EXPORT_TARGETS = ['securityhub'] as const;

export const exportCommand: CommandModule<object, ExportArguments> = {
  command: COMMANDS.export.command,
  describe: COMMANDS.export.describe,
  builder: (yargs: Argv) =>
    yargs
      .positional('target', { type: 'string', choices: EXPORT_TARGETS, demandOption: true, describe: 'where to send the findings' })
      .positional('findings', { type: 'string', demandOption: true, describe: 'the ASFF file written by "report --format asff" (*.asff.json)' })
      .option('region', { type: 'string', requiresArg: true, describe: "Security Hub region [default: the region of the findings' ProductArn, else us-east-1]" })
      .option('endpoint-url', { type: 'string', requiresArg: true, describe: 'send the calls to this endpoint instead of AWS' })
      .option('profile', { type: 'string', requiresArg: true, describe: 'AWS profile for the credentials (else the default chain: environment, profile, SSO, instance role)' })
      .option('state', {
        type: 'string',
        requiresArg: true,
        default: DEFAULT_STATE_FILE,
        describe: 'state file of the findings the last export sent, one per account: those gone from this file are archived in Security Hub',
      })
      .option('max-attempts', { type: 'number', requiresArg: true, default: 5, describe: 'attempts per call, throttling and server errors retried with backoff' })
      .example('$0 export securityhub reports/iam_audit_2026-01-02T14-30-00.asff.json --region eu-west-1', 'imports the findings, archives the resolved ones') as unknown as Argv<ExportArguments>,
  handler: async (argv) => {
    const maxAttempts = argv['max-attempts'];
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 20) throw new UserError(`--max-attempts must be a whole number from 1 to 20, got ${String(maxAttempts)}`);
    const outcome = await runSecurityHubExport({
      findingsPath: argv.findings,
      statePath: argv.state,
      ...(argv.region === undefined ? {} : { region: argv.region }),
      ...(argv['endpoint-url'] === undefined ? {} : { endpointUrl: argv['endpoint-url'] }),
      ...(argv.profile === undefined ? {} : { profile: argv.profile }),
      maxAttempts,
      stdout: process.stdout,
      stderr: process.stderr,
    });
    commandOutcome.exitCode = outcome.exitCode;
  },
};
