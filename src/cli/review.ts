import type { Argv, CommandModule } from 'yargs';
import { REVIEW_SCOPES, type ReviewScope } from '../config/review-files.js';
import { checkAddressFlag } from '../app/shared/owners.js';
import { ExitCode, UserError } from '../util/errors.js';
import { runClock } from '../util/time.js';
import { COMMANDS } from './commands.js';
import { commandOutcome } from './common.js';
import { signingFromArguments, withSigningOptions, type SigningArguments } from './signing-options.js';
import { smtpPassword, smtpSettings, withSmtpOptions, type SmtpArguments } from './smtp-options.js';

interface StartArguments extends SmtpArguments {
  input: string;
  reviewers: string;
  due: string | undefined;
  scope: string | undefined;
  'out-dir': string;
  'allow-incomplete': boolean;
  mail: boolean;
  from: string | undefined;
}

interface CollectArguments {
  campaign: string;
  files: string[];
}

interface CloseArguments extends SigningArguments {
  campaign: string;
  format: string;
  'out-dir': string | undefined;
  'allow-incomplete': boolean;
  overwrite: boolean;
  'page-size': string;
  browser: string | undefined;
}

interface VerifyArguments {
  campaign: string;
  later: string;
  'out-dir': string | undefined;
  overwrite: boolean;
}

/** The run clock to the second: the campaign's and the decisions' times read as the PDF signature's do. */
function wholeSeconds(): Date {
  return new Date(Math.floor(runClock()().getTime() / 1000) * 1000);
}

function parseScope(text: string | undefined): ReviewScope[] | null {
  if (text === undefined) return null;
  const items = text.split(',').map((item) => item.trim().toLowerCase()).filter((item) => item !== '');
  for (const item of items) if (!(REVIEW_SCOPES as readonly string[]).includes(item)) throw new UserError(`--scope: unknown "${item}"; choose from ${REVIEW_SCOPES.join(', ')}`);
  if (items.length === 0) throw new UserError(`--scope needs at least one of ${REVIEW_SCOPES.join(', ')}`);
  return [...new Set(items)] as ReviewScope[];
}

/** --mail's SMTP settings, read as `notify` reads them (smtp-options.ts). */
function mailSettings(argv: StartArguments) {
  const password = smtpPassword(argv);
  if (argv['smtp-host'] === undefined) throw new UserError('--mail needs --smtp-host');
  if (argv.from === undefined) throw new UserError('--mail needs --from (the sender address)');
  return { from: checkAddressFlag('from', argv.from), smtp: smtpSettings(argv, argv['smtp-host'], password) };
}

const startCommand: CommandModule<object, StartArguments> = {
  command: 'start <input>',
  describe: 'Freeze the population of a snapshot or org-index.json and write one workbook per reviewer',
  builder: (yargs: Argv) =>
    withSmtpOptions(
      yargs
      .positional('input', { type: 'string', demandOption: true, describe: 'snapshot (.json/.json.gz) or organisation index (org-index.json): one campaign over every account' })
      .option('reviewers', { type: 'string', demandOption: true, requiresArg: true, describe: 'reviewers file (YAML/JSON): reviewers, assignment rules, default and fallback reviewer' })
      .option('due', { type: 'string', requiresArg: true, describe: 'due date of the decisions (YYYY-MM-DD)' })
      .option('scope', { type: 'string', requiresArg: true, describe: `identities to review, comma-separated: ${REVIEW_SCOPES.join(', ')} [default: all the snapshot carries]` })
      .option('out-dir', { alias: 'd', type: 'string', demandOption: true, requiresArg: true, describe: 'the campaign folder (campaign.json, snapshots/, workbooks/)' })
      .option('allow-incomplete', { type: 'boolean', default: false, describe: 'start from an incomplete population (printed on every page of the evidence)' })
      .option('mail', { type: 'boolean', default: false, describe: 'mail each reviewer their workbook (the SMTP settings notify uses)' })
      .option('from', { type: 'string', requiresArg: true, describe: 'sender address (--mail)' }),
      '(--mail)',
    )
      .example('$0 review start snapshot.json --reviewers reviewers.yaml --due 2026-12-31 -d q4-review', 'workbooks in q4-review/workbooks/') as unknown as Argv<StartArguments>,
  handler: async (argv) => {
    const review = await import('../app/review/review.js');
    const mail = argv.mail ? mailSettings(argv) : null;
    const reviewers = await review.readReviewersFile(argv.reviewers);
    const outcome = await review.runStart({
      inputPath: argv.input,
      reviewers,
      dueDate: argv.due ?? null,
      scope: parseScope(argv.scope),
      outDir: argv['out-dir'],
      allowIncomplete: argv['allow-incomplete'],
      now: wholeSeconds(),
      stdout: process.stdout,
    });
    commandOutcome.exitCode = ExitCode.ok;
    if (mail !== null && !(await review.mailWorkbooks(outcome.campaign, outcome.workbooks, { ...mail, stdout: process.stdout, stderr: process.stderr }))) commandOutcome.exitCode = ExitCode.partial;
  },
};

const collectCommand: CommandModule<object, CollectArguments> = {
  command: 'collect <campaign> <files..>',
  describe: 'Record the decisions of returned workbooks (XLSX or CSV), refusing rows that do not fit; print progress',
  builder: (yargs: Argv) =>
    yargs
      .positional('campaign', { type: 'string', demandOption: true, describe: 'the campaign folder' })
      .positional('files', { type: 'string', array: true, demandOption: true, describe: 'returned workbooks, in any order, as often as answers come in' })
      .example('$0 review collect q4-review returned/*.xlsx', 'records the decisions, prints decided / open / overdue per reviewer') as unknown as Argv<CollectArguments>,
  handler: async (argv) => {
    const { runCollect } = await import('../app/review/review.js');
    const outcome = await runCollect({ campaignDir: argv.campaign, files: argv.files, now: wholeSeconds(), stdout: process.stdout, stderr: process.stderr });
    commandOutcome.exitCode = outcome.refused.length > 0 ? ExitCode.inputError : ExitCode.ok;
  },
};

const closeCommand: CommandModule<object, CloseArguments> = {
  command: 'close <campaign>',
  describe: 'Write the access-review evidence (PDF, CSV, JSON), signed like the audit report',
  builder: (yargs: Argv) =>
    withSigningOptions(yargs, 'the evidence PDF and its manifest')
      .positional('campaign', { type: 'string', demandOption: true, describe: 'the campaign folder' })
      .option('format', { alias: 'f', type: 'string', default: 'pdf,csv,json', requiresArg: true, describe: 'comma-separated: pdf, csv, json' })
      .option('out-dir', { alias: 'd', type: 'string', requiresArg: true, describe: 'folder for the evidence [default: CAMPAIGN/evidence]' })
      .option('allow-incomplete', { type: 'boolean', default: false, describe: 'close with undecided identities (printed on every page)' })
      .option('overwrite', { type: 'boolean', default: false, describe: 'replace evidence files of the same name' })
      .option('page-size', { type: 'string', choices: ['a4', 'letter'], default: 'a4', describe: 'PDF paper size' })
      .option('browser', { type: 'string', requiresArg: true, describe: 'Chrome/Chromium executable for the PDF' })
      .example('$0 review close q4-review --sign-p12 signer.p12 --sign-pass-env P12_PASS', 'signed evidence in q4-review/evidence/') as unknown as Argv<CloseArguments>,
  handler: async (argv) => {
    const { parseCloseFormats, runClose } = await import('../app/review/review.js');
    const formats = parseCloseFormats(argv.format);
    const signing = await signingFromArguments(argv);
    if (signing !== undefined && !formats.includes('pdf')) throw new UserError('--sign-p12 needs the pdf format: the signature is the PDF\'s (and the manifest\'s)');
    // Whole seconds, as the PDF signature's time carries them.
    const now = wholeSeconds();
    await runClose({
      campaignDir: argv.campaign,
      outDir: argv['out-dir'] ?? null,
      formats,
      allowIncomplete: argv['allow-incomplete'],
      overwrite: argv.overwrite,
      ...(signing === undefined ? {} : { signing }),
      pageSize: argv['page-size'] === 'letter' ? 'letter' : 'a4',
      browserPath: argv.browser ?? null,
      now,
      stdout: process.stdout,
    });
    commandOutcome.exitCode = ExitCode.ok;
  },
};

const verifyCommand: CommandModule<object, VerifyArguments> = {
  command: 'verify <campaign> <later>',
  describe: 'Check each revoke / reduce decision against a later snapshot and write the follow-up',
  builder: (yargs: Argv) =>
    yargs
      .positional('campaign', { type: 'string', demandOption: true, describe: 'the campaign folder' })
      .positional('later', { type: 'string', demandOption: true, describe: 'a snapshot (or org-index.json) captured after the review' })
      .option('out-dir', { alias: 'd', type: 'string', requiresArg: true, describe: 'folder for the follow-up [default: CAMPAIGN/follow-up]' })
      .option('overwrite', { type: 'boolean', default: false, describe: 'replace follow-up files of the same name' })
      .example('$0 review verify q4-review snapshot-2027-01.json', 'carried out / not yet / appeared since; exit 1 when anything is outstanding') as unknown as Argv<VerifyArguments>,
  handler: async (argv) => {
    const { runVerifyFollowUp } = await import('../app/review/review.js');
    const followUp = await runVerifyFollowUp({ campaignDir: argv.campaign, laterPath: argv.later, outDir: argv['out-dir'] ?? null, overwrite: argv.overwrite, now: wholeSeconds(), stdout: process.stdout });
    commandOutcome.exitCode = followUp.outstanding > 0 ? ExitCode.findings : ExitCode.ok;
  },
};

export const reviewCommand: CommandModule<object, object> = {
  command: COMMANDS.review.command,
  describe: COMMANDS.review.describe,
  builder: (yargs: Argv) =>
    yargs
      .command(startCommand as unknown as CommandModule<object, object>)
      .command(collectCommand as unknown as CommandModule<object, object>)
      .command(closeCommand as unknown as CommandModule<object, object>)
      .command(verifyCommand as unknown as CommandModule<object, object>)
      .demandCommand(1, 'name a step: start, collect, close, verify'),
  handler: () => undefined,
};
