import type { Argv, CommandModule } from 'yargs';
import { extendReport } from '../app/extend/extend.js';
import type { HashName } from '../evidence/pki-asn1.js';
import { ExitCode, UserError } from '../util/errors.js';
import { escapeForTerminal } from '../util/terminal-text.js';
import { runClock } from '../util/time.js';
import { COMMANDS } from './commands.js';
import { commandOutcome } from './common.js';

interface Arguments {
  file: string;
  'tsa-url': string;
  output: string | undefined;
  'in-place': boolean;
  'sign-hash': string;
  offline: boolean;
}

export const extendCommand: CommandModule<object, Arguments> = {
  command: COMMANDS.extend.command,
  describe: COMMANDS.extend.describe,
  builder: (yargs: Argv) =>
    yargs
      .positional('file', { type: 'string', demandOption: true, describe: 'a signed report PDF with a document timestamp (--pades-level b-lta)' })
      .option('tsa-url', { type: 'string', demandOption: true, describe: 'RFC 3161 timestamp authority for the new document timestamp' })
      .option('output', { alias: 'o', type: 'string', describe: 'write the extended PDF here (default: <file>-extended.pdf beside it)' })
      .option('in-place', { type: 'boolean', default: false, describe: 'replace the file itself (the update only appends: the earlier bytes stay the same)' })
      .option('sign-hash', { type: 'string', choices: ['sha256', 'sha384', 'sha512'], default: 'sha256', describe: 'digest algorithm of the new document timestamp' })
      .option('offline', { type: 'boolean', default: false, describe: "no online OCSP/CRL look-ups: the revocation data the file already holds for the last timestamp's chain" })
      .example('$0 extend report.pdf --tsa-url https://tsa.example/ -o report-2029.pdf', 'renew the archive timestamp before it expires') as unknown as Argv<Arguments>,
  handler: async (argv) => {
    if (!/^https?:\/\//i.test(argv['tsa-url'])) throw new UserError(`--tsa-url "${argv['tsa-url']}" is not an http(s) URL`);
    if (argv['in-place'] && argv.output !== undefined) throw new UserError('--in-place and --output exclude each other');
    const output = argv['in-place'] ? argv.file : (argv.output ?? argv.file.replace(/(\.pdf)?$/i, '-extended.pdf'));
    const outcome = await extendReport({
      input: argv.file,
      output,
      overwrite: argv['in-place'],
      timestampUrl: argv['tsa-url'],
      hash: argv['sign-hash'] as HashName,
      sources: { offline: argv.offline, ocspResponses: [], crls: [] },
      now: runClock(process.env)(),
    });
    process.stdout.write(`extended ${escapeForTerminal(outcome.written)}: a fresh DSS entry and a new document timestamp (${outcome.bytesAdded} bytes appended)\n`);
    commandOutcome.exitCode = ExitCode.ok;
  },
};
