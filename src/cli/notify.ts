import type { Argv, CommandModule } from 'yargs';
import { DEFAULT_QUIET_DAYS, DEFAULT_STATE_FILE, runNotify } from '../app/notify/notify.js';
import { DEFAULT_SEND_LIMITS } from '../app/notify/notify-send.js';
import { checkAddressFlag, parseOwnerTagKeys } from '../app/shared/owners.js';
import { UserError } from '../util/errors.js';
import { COMMANDS } from './commands.js';
import { commandOutcome } from './common.js';
import { smtpPassword, smtpSettings, withSmtpOptions, type SmtpArguments } from './smtp-options.js';

interface NotifyArguments extends SmtpArguments {
  input: string;
  snapshot: string | undefined;
  config: string | undefined;
  exceptions: string | undefined;
  'owner-tag': string[] | undefined;
  owners: string | undefined;
  'default-owner': string | undefined;
  'summary-to': string | undefined;
  attach: string | undefined;
  from: string;
  'template-dir': string | undefined;
  'dry-run': boolean;
  'out-dir': string;
  'max-per-second': number;
  concurrency: number;
  retries: number;
  'quiet-days': number;
  state: string;
  json: boolean;
}

function positiveNumber(flag: string, value: number, allowZero = false): number {
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) throw new UserError(`--${flag} must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${String(value)}`);
  return value;
}

export const notifyCommand: CommandModule<object, NotifyArguments> = {
  command: COMMANDS.notify.command,
  describe: COMMANDS.notify.describe,
  builder: (yargs: Argv) =>
    withSmtpOptions(
      yargs
      .positional('input', { type: 'string', demandOption: true, describe: 'report JSON from report/audit, or a snapshot (analysed first)' })
      .option('snapshot', { type: 'string', requiresArg: true, describe: "the report's snapshot, for the users' tags [default: the one the report names, if beside it]" })
      .option('config', { type: 'string', requiresArg: true, describe: 'rule configuration (when the input is a snapshot)' })
      .option('exceptions', { type: 'string', requiresArg: true, describe: 'exceptions file (when the input is a snapshot)' })
      .option('owner-tag', { type: 'string', array: true, requiresArg: true, describe: 'user tag keys naming the owner, in order [default: email,owner]' })
      .option('owners', { type: 'string', requiresArg: true, describe: 'owners file (YAML/JSON): user name or glob -> address' })
      .option('default-owner', { type: 'string', requiresArg: true, describe: 'address for findings no tag or owners entry claims' })
      .option('summary-to', { type: 'string', requiresArg: true, describe: 'address for the summary (counts, failing controls, worst findings, no owner)' })
      .option('attach', { type: 'string', requiresArg: true, describe: 'file (the PDF report) to attach to the summary' })
      .option('from', { type: 'string', demandOption: true, requiresArg: true, describe: 'sender address' })
      .option('template-dir', { type: 'string', requiresArg: true, describe: 'folder overriding owner/summary .text.hbs/.html.hbs templates' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'write each mail as an .eml file into -d instead of sending' })
      .option('out-dir', { alias: 'd', type: 'string', default: '.', requiresArg: true, describe: 'folder for --dry-run .eml files' }),
    )
      .option('max-per-second', { type: 'number', default: DEFAULT_SEND_LIMITS.maxPerSecond, describe: 'mails started per second at most' })
      .option('concurrency', { type: 'number', default: DEFAULT_SEND_LIMITS.concurrency, describe: 'mails in flight at once at most' })
      .option('retries', { type: 'number', default: DEFAULT_SEND_LIMITS.attempts - 1, describe: 'further attempts for a mail that failed for a passing reason' })
      .option('quiet-days', { type: 'number', default: DEFAULT_QUIET_DAYS, describe: 'do not tell an owner about the same finding again within this many days' })
      .option('json', { type: 'boolean', default: false, describe: 'print one JSON summary on stdout (each owner and what happened to their mail, exit code); the human text goes to stderr' })
      .option('state', { type: 'string', default: DEFAULT_STATE_FILE, requiresArg: true, describe: 'state file: which finding was mailed to whom, when' })
      .example('$0 notify iam_audit_<time>.json --owners owners.yaml --summary-to security@example.com --from iam-audit@example.com --smtp-host smtp.example.com --smtp-user audit --smtp-pass-env SMTP_PASSWORD', 'mails every owner and the summary')
      .example('$0 notify report.json --owners owners.yaml --from iam-audit@example.com --dry-run -d outbox', 'writes the mails as .eml files') as unknown as Argv<NotifyArguments>,
  handler: async (argv) => {
    const from = checkAddressFlag('from', argv.from);
    const defaultOwner = argv['default-owner'] === undefined ? undefined : checkAddressFlag('default-owner', argv['default-owner']);
    const summaryTo = argv['summary-to'] === undefined ? undefined : checkAddressFlag('summary-to', argv['summary-to']);
    const password = smtpPassword(argv);
    const host = argv['smtp-host'];
    if (!argv['dry-run'] && host === undefined) throw new UserError('--smtp-host is needed to send (or use --dry-run)');
    const quietDays = positiveNumber('quiet-days', argv['quiet-days'], true);
    const outcome = await runNotify({
      inputPath: argv.input,
      ...(argv.snapshot === undefined ? {} : { snapshotPath: argv.snapshot }),
      ...(argv.config === undefined ? {} : { configPath: argv.config }),
      ...(argv.exceptions === undefined ? {} : { exceptionsPath: argv.exceptions }),
      ownerTagKeys: parseOwnerTagKeys(argv['owner-tag']),
      ...(argv.owners === undefined ? {} : { ownersPath: argv.owners }),
      ...(defaultOwner === undefined ? {} : { defaultOwner }),
      ...(summaryTo === undefined ? {} : { summaryTo }),
      ...(argv.attach === undefined ? {} : { attachPath: argv.attach }),
      from,
      ...(argv['template-dir'] === undefined ? {} : { templateDir: argv['template-dir'] }),
      dryRun: argv['dry-run'],
      outDir: argv['out-dir'],
      smtp: argv['dry-run'] || host === undefined ? null : smtpSettings(argv, host, password),
      limits: {
        maxPerSecond: positiveNumber('max-per-second', argv['max-per-second']),
        concurrency: Math.floor(positiveNumber('concurrency', argv.concurrency)),
        attempts: Math.floor(positiveNumber('retries', argv.retries, true)) + 1,
        retryDelayMs: DEFAULT_SEND_LIMITS.retryDelayMs,
      },
      quietDays,
      statePath: argv.state,
      json: argv.json,
      stdout: process.stdout,
      stderr: process.stderr,
    });
    commandOutcome.exitCode = outcome.exitCode;
  },
};
