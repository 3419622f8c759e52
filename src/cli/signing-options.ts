import type { Argv } from 'yargs';
import { readSigningPassword } from '../evidence/password.js';
import type { SigningSettings } from '../evidence/report-evidence.js';
import { UserError } from '../util/errors.js';
import { runClock } from '../util/time.js';

/** The signing flags `report`, `audit` and `diff` share. */
export interface SigningArguments {
  'sign-p12': string | undefined;
  'sign-pass-env': string | undefined;
  'sign-reason': string;
  'sign-location': string;
  'signer-name': string | undefined;
  'tsa-url': string | undefined;
}

/** Adds the signing flags; `what` names what gets signed in the help text. */
export function withSigningOptions<T>(yargs: Argv<T>, what = 'the PDF and manifest.json'): Argv<T & SigningArguments> {
  return yargs
    .option('sign-p12', { type: 'string', describe: `sign ${what} with this PKCS#12 (.p12/.pfx) certificate and key` })
    .option('sign-pass-env', { type: 'string', describe: 'name of the environment variable holding the P12 password (else you are asked)' })
    .option('sign-reason', { type: 'string', default: 'IAM audit evidence', describe: 'reason recorded in the PDF signature' })
    .option('sign-location', { type: 'string', default: '', describe: 'location recorded in the PDF signature' })
    .option('signer-name', { type: 'string', describe: "signer name in the PDF signature (default: the certificate's common name)" })
    .option('tsa-url', { type: 'string', describe: 'RFC 3161 timestamp authority URL: adds a trusted timestamp to the signatures' }) as unknown as Argv<T & SigningArguments>;
}

/**
 * Loads and checks the signing certificate before any work is done, so a wrong password or an
 * expired certificate fails the run up front. Undefined when not signing.
 */
export async function signingFromArguments(argv: SigningArguments, environment: NodeJS.ProcessEnv = process.env): Promise<SigningSettings | undefined> {
  const p12Path = argv['sign-p12'];
  if (p12Path === undefined) {
    for (const flag of ['sign-pass-env', 'tsa-url', 'signer-name'] as const) {
      if (argv[flag] !== undefined) throw new UserError(`--${flag} needs --sign-p12`);
    }
    return undefined;
  }
  const password = await readSigningPassword(argv['sign-pass-env'], environment, p12Path);
  // Loaded only with --sign-p12: node-forge is no part of an unsigned run.
  const { loadP12Signer } = await import('../evidence/signer.js');
  const signer = await loadP12Signer(p12Path, password, runClock(environment)());
  const tsaUrl = argv['tsa-url'];
  if (tsaUrl !== undefined && !/^https?:\/\//i.test(tsaUrl)) throw new UserError(`--tsa-url "${tsaUrl}" is not an http(s) URL`);
  return {
    signer,
    reason: argv['sign-reason'],
    location: argv['sign-location'],
    ...(argv['signer-name'] === undefined ? {} : { signerName: argv['signer-name'] }),
    ...(tsaUrl === undefined ? {} : { timestampUrl: tsaUrl }),
  };
}
