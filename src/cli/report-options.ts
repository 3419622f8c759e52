import type { Argv } from 'yargs';
import { OUTPUT_FORMATS } from '../app/report.js';
import { readSigningPassword } from '../evidence/password.js';
import type { SigningSettings } from '../evidence/report-evidence.js';
import { loadP12Signer } from '../evidence/signer.js';
import { UserError } from '../util/errors.js';
import { runClock } from '../util/time.js';

export interface ReportArguments {
  'out-dir': string;
  format: string[];
  quiet: boolean;
  'fail-on-findings': boolean;
  overwrite: boolean;
  'as-of': string | undefined;
  'sign-p12': string | undefined;
  'sign-pass-env': string | undefined;
  'sign-reason': string;
  'sign-location': string;
  'signer-name': string | undefined;
  'tsa-url': string | undefined;
}

/** The options `report` and `audit` share. */
export function withReportOptions<T>(yargs: Argv<T>): Argv<T & ReportArguments> {
  return yargs
    .option('out-dir', { alias: 'd', type: 'string', default: '.', describe: 'folder for the report files' })
    .option('format', {
      alias: 'f',
      type: 'string',
      array: true,
      default: [OUTPUT_FORMATS.join(',')],
      describe: `formats to write, comma-separated: ${OUTPUT_FORMATS.join(', ')}`,
    })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'print only the summary' })
    .option('fail-on-findings', { type: 'boolean', default: false, describe: 'exit 1 when a console user lacks MFA (FAIL)' })
    .option('overwrite', { type: 'boolean', default: false, describe: 'replace existing report files of the same name' })
    .option('as-of', { type: 'string', describe: 'judge time-based checks at this ISO 8601 time instead of the capture time' })
    .option('sign-p12', { type: 'string', describe: 'sign the PDF and manifest.json with this PKCS#12 (.p12/.pfx) certificate and key' })
    .option('sign-pass-env', { type: 'string', describe: 'name of the environment variable holding the P12 password (else you are asked)' })
    .option('sign-reason', { type: 'string', default: 'IAM audit evidence', describe: 'reason recorded in the PDF signature' })
    .option('sign-location', { type: 'string', default: '', describe: 'location recorded in the PDF signature' })
    .option('signer-name', { type: 'string', describe: "signer name in the PDF signature (default: the certificate's common name)" })
    .option('tsa-url', { type: 'string', describe: 'RFC 3161 timestamp authority URL: adds a trusted timestamp to the signatures' }) as unknown as Argv<
    T & ReportArguments
  >;
}

/**
 * Loads and checks the signing certificate before any work is done, so a wrong password or an
 * expired certificate fails the run up front. Undefined when not signing.
 */
export async function signingFromArguments(argv: ReportArguments, environment: NodeJS.ProcessEnv = process.env): Promise<SigningSettings | undefined> {
  const p12Path = argv['sign-p12'];
  if (p12Path === undefined) {
    for (const flag of ['sign-pass-env', 'tsa-url', 'signer-name'] as const) {
      if (argv[flag] !== undefined) throw new UserError(`--${flag} needs --sign-p12`);
    }
    return undefined;
  }
  const password = await readSigningPassword(argv['sign-pass-env'], environment, p12Path);
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
