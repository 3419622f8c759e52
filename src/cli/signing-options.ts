import type { Argv } from 'yargs';
import type { SigningSettings } from '../evidence/report-evidence.js';
import { readFile } from 'node:fs/promises';
import type { PadesLevel } from '../evidence/pades.js';
import type { HashName } from '../evidence/pki-asn1.js';
import type { RevocationSources } from '../evidence/revocation.js';
import { describeFsError } from '../snapshot/io.js';
import { InputError, UserError } from '../util/errors.js';
import { runClock } from '../util/time.js';

/** The signing flags `report`, `audit` and `diff` share. */
export interface SigningArguments {
  'sign-p12': string | undefined;
  'sign-pass-env': string | undefined;
  'sign-reason': string;
  'sign-location': string;
  'signer-name': string | undefined;
  'tsa-url': string | undefined;
  'pades-level': string | undefined;
  'sign-hash': string;
  'ocsp-response': string[] | undefined;
  crl: string[] | undefined;
}

/** Adds the signing flags; `what` names what gets signed in the help text. */
export function withSigningOptions<T>(yargs: Argv<T>, what = 'the PDF and manifest.json'): Argv<T & SigningArguments> {
  return yargs
    .option('sign-p12', { type: 'string', describe: `sign ${what} with this PKCS#12 (.p12/.pfx) certificate and key` })
    .option('sign-pass-env', { type: 'string', describe: 'name of the environment variable holding the P12 password (else you are asked)' })
    .option('sign-reason', { type: 'string', default: 'IAM audit evidence', describe: 'reason recorded in the PDF signature' })
    .option('sign-location', { type: 'string', default: '', describe: 'location recorded in the PDF signature' })
    .option('signer-name', { type: 'string', describe: "signer name in the PDF signature (default: the certificate's common name)" })
    .option('tsa-url', { type: 'string', describe: 'RFC 3161 timestamp authority URL: adds a trusted timestamp to the signatures' })
    .option('pades-level', { type: 'string', choices: ['b-b', 'b-t', 'b-lt', 'b-lta'], describe: 'PAdES level of the PDF signature: b-lta for archives (default b-t with --tsa-url, else b-b; b-lt and b-lta need --tsa-url)' })
    .option('sign-hash', { type: 'string', choices: ['sha256', 'sha384', 'sha512'], default: 'sha256', describe: 'digest algorithm of the signatures' })
    .option('ocsp-response', { type: 'string', array: true, describe: 'B-LT/B-LTA: a DER OCSP response to embed (for hosts with no network; else fetched from the certificates)' })
    .option('crl', { type: 'string', array: true, describe: 'B-LT/B-LTA: a CRL (DER or PEM) to embed (for hosts with no network; else fetched)' }) as unknown as Argv<T & SigningArguments>;
}

/**
 * Loads and checks the signing certificate before any work is done, so a wrong password or an
 * expired certificate fails the run up front. Undefined when not signing.
 */
export async function signingFromArguments(argv: SigningArguments, environment: NodeJS.ProcessEnv = process.env): Promise<SigningSettings | undefined> {
  const p12Path = argv['sign-p12'];
  if (p12Path === undefined) {
    for (const flag of ['sign-pass-env', 'tsa-url', 'signer-name', 'pades-level', 'ocsp-response', 'crl'] as const) {
      if (argv[flag] !== undefined) throw new UserError(`--${flag} needs --sign-p12`);
    }
    return undefined;
  }
  // Loaded by signed runs only (start-up: test/start-up-modules.test.ts).
  const { readSigningPassword } = await import('../evidence/password.js');
  const password = await readSigningPassword(argv['sign-pass-env'], environment, p12Path);
  // Loaded only with --sign-p12: node-forge is no part of an unsigned run.
  const { loadP12Signer } = await import('../evidence/signer.js');
  const signer = await loadP12Signer(p12Path, password, runClock(environment)());
  const tsaUrl = argv['tsa-url'];
  if (tsaUrl !== undefined && !/^https?:\/\//i.test(tsaUrl)) throw new UserError(`--tsa-url "${tsaUrl}" is not an http(s) URL`);
  const level = argv['pades-level'] as PadesLevel | undefined;
  if ((level === 'b-lt' || level === 'b-lta' || level === 'b-t') && tsaUrl === undefined) throw new UserError(`--pades-level ${level} needs --tsa-url (a timestamp authority)`);
  const revocation = await revocationFiles(argv['ocsp-response'] ?? [], argv.crl ?? []);
  return {
    signer,
    ...(argv['sign-hash'] === undefined ? {} : { hash: argv['sign-hash'] as HashName }),
    ...(level === undefined ? {} : { level }),
    ...(revocation === undefined ? {} : { revocation }),
    reason: argv['sign-reason'],
    location: argv['sign-location'],
    ...(argv['signer-name'] === undefined ? {} : { signerName: argv['signer-name'] }),
    ...(tsaUrl === undefined ? {} : { timestampUrl: tsaUrl }),
  };
}

/** The OCSP responses and CRLs given as files (PEM CRLs turned into DER). */
async function revocationFiles(ocspPaths: readonly string[], crlPaths: readonly string[]): Promise<RevocationSources | undefined> {
  if (ocspPaths.length + crlPaths.length === 0) return undefined;
  const read = async (path: string): Promise<Buffer> => {
    try {
      return await readFile(path);
    } catch (error) {
      throw new InputError(path, null, describeFsError(error));
    }
  };
  const ocspResponses = await Promise.all(ocspPaths.map(read));
  const crls = (await Promise.all(crlPaths.map(read))).map((bytes) => {
    const pem = /-----BEGIN X509 CRL-----([\s\S]+?)-----END X509 CRL-----/.exec(bytes.toString('latin1'));
    return pem === null ? bytes : Buffer.from((pem[1] ?? '').replace(/\s/g, ''), 'base64');
  });
  return { offline: false, ocspResponses, crls };
}
