import type { Argv, CommandModule } from 'yargs';
import { DIFF_FORMATS, parseDiffFormats, runDiff, type DiffOptions } from '../app/archive/diff.js';
import { ExitCode, UserError } from '../util/errors.js';
import { COMMANDS } from './commands.js';
import { commandOutcome } from './common.js';
import { signingFromArguments, withSigningOptions, type SigningArguments } from './signing-options.js';

interface DiffArguments extends SigningArguments {
  old: string;
  new: string;
  config: string | undefined;
  exceptions: string | undefined;
  format: string | undefined;
  'out-dir': string;
  overwrite: boolean;
  'allow-different-accounts': boolean;
  reverse: boolean;
  'page-size': string;
  browser: string | undefined;
}

export const diffCommand: CommandModule<object, DiffArguments> = {
  command: COMMANDS.diff.command,
  describe: COMMANDS.diff.describe,
  builder: (yargs: Argv) =>
    withSigningOptions(yargs, 'the change-report PDF and its manifest')
      .positional('old', { type: 'string', demandOption: true, describe: 'the earlier snapshot or report JSON (.json or .json.gz), or organisation index' })
      .positional('new', { type: 'string', demandOption: true, describe: 'the later snapshot or report JSON (.json or .json.gz), or organisation index' })
      .option('config', { type: 'string', requiresArg: true, describe: 'rule configuration for the snapshots (both get the same)' })
      .option('exceptions', { type: 'string', requiresArg: true, describe: 'exceptions file for the snapshots (both get the same)' })
      .option('format', { alias: 'f', type: 'string', requiresArg: true, describe: `also write a change report, comma-separated: ${DIFF_FORMATS.join(', ')}` })
      .option('out-dir', { alias: 'd', type: 'string', default: '.', requiresArg: true, describe: 'folder for the change report' })
      .option('overwrite', { type: 'boolean', default: false, describe: 'replace existing change report files of the same name' })
      .option('allow-different-accounts', { type: 'boolean', default: false, describe: 'compare snapshots of two different accounts' })
      .option('reverse', { type: 'boolean', default: false, describe: 'allow OLD to be captured after NEW' })
      .option('page-size', { type: 'string', choices: ['a4', 'letter'], default: 'a4', describe: 'PDF paper size' })
      .option('browser', { type: 'string', requiresArg: true, describe: 'Chrome/Chromium executable for the PDF' })
      .example('$0 diff snapshot-2026-10.json.gz snapshot-2026-11.json', 'what changed: new and resolved failures, users, MFA, keys, controls')
      .example('$0 diff old.json new.json -f csv,json,pdf -d changes', 'also writes the change report')
      .example('$0 diff q1/org-index.json q2/org-index.json -f csv,json -d changes', "an organisation's change: each account's report in changes/<account id>/, and the roll-up")
      .example('$0 diff old.json new.json -f json,pdf --sign-p12 signer.p12 --sign-pass-env P12_PASS', 'signed PDF, manifest naming OLD and NEW, SHA256SUMS') as unknown as Argv<DiffArguments>,
  handler: async (argv) => {
    const signing = await signingFromArguments(argv);
    const options: DiffOptions = {
      oldPath: argv.old,
      newPath: argv.new,
      ...(argv.config === undefined ? {} : { configPath: argv.config }),
      ...(argv.exceptions === undefined ? {} : { exceptionsPath: argv.exceptions }),
      formats: argv.format === undefined ? [] : parseDiffFormats([argv.format]),
      outDir: argv['out-dir'],
      overwrite: argv.overwrite,
      allowDifferentAccounts: argv['allow-different-accounts'],
      reverse: argv.reverse,
      pageSize: argv['page-size'] === 'letter' ? 'letter' : 'a4',
      browserPath: argv.browser ?? null,
      ...(signing === undefined ? {} : { signing }),
      stdout: process.stdout,
    };
    // Two organisation indexes: every account's change and the roll-up (loaded only then).
    const orgDiff = await import('../app/archive/org-diff.js');
    const [oldIsIndex, newIsIndex] = [await orgDiff.isOrgIndexFile(argv.old), await orgDiff.isOrgIndexFile(argv.new)];
    if (oldIsIndex !== newIsIndex) {
      throw new UserError(`${oldIsIndex ? argv.old : argv.new} is an organisation index and ${oldIsIndex ? argv.new : argv.old} is not; compare two organisation indexes, or two snapshots or report JSONs`);
    }
    if (oldIsIndex && newIsIndex) {
      const { accounts } = await orgDiff.runOrgDiff(options);
      // Partial: some account in both runs could not be compared (no snapshot, or an unreadable one).
      commandOutcome.exitCode = accounts.some((account) => account.status === 'not_compared') ? ExitCode.partial : ExitCode.ok;
      return;
    }
    await runDiff(options);
    commandOutcome.exitCode = 0;
  },
};
