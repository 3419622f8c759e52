import { execFile } from 'node:child_process';
import { copyFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export async function openssl(args: readonly string[], cwd: string): Promise<string> {
  const { stdout } = await run('openssl', args, { cwd, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

export interface TestPki {
  readonly folder: string;
  readonly caPem: string;
  /** Signer P12 (OpenSSL 3 defaults: AES-256, PBKDF2), password PKI_PASSWORD, with the CA inside. */
  readonly signerP12: string;
  readonly signerPem: string;
  readonly signerKey: string;
  /** Key usage keyEncipherment only: not meant for signing. */
  readonly encipherOnlyP12: string;
  /** A signer certificate that is its own issuer. */
  readonly selfSignedP12: string;
  readonly tsaPem: string;
  readonly tsaKey: string;
  readonly tsaConfig: string;
}

export const PKI_PASSWORD = 'correct horse battery staple';

/** Distinct serial numbers, given rather than kept in a serial file, so the certificates can be issued side by side. */
const SERIALS = { signer: 2, encipher: 3, tsa: 4 } as const;

async function issue(folder: string, name: keyof typeof SERIALS, subject: string, extensions: string, days: number): Promise<void> {
  await writeFile(join(folder, `${name}.ext`), extensions);
  await openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject], folder);
  await openssl(
    ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', String(SERIALS[name]), '-days', String(days), '-sha256', '-extfile', `${name}.ext`, '-out', `${name}.pem`],
    folder,
  );
}

async function p12(folder: string, name: string, withCa: boolean): Promise<void> {
  const args = ['pkcs12', '-export', '-inkey', `${name}.key`, '-in', `${name}.pem`, '-out', `${name}.p12`, '-passout', `pass:${PKI_PASSWORD}`];
  if (withCa) args.push('-certfile', 'ca.pem');
  await openssl(args, folder);
}

/** `openssl ts -reply`'s configuration; it names the folder, so a copied PKI gets its own. */
async function writeTsaConfig(folder: string): Promise<string> {
  const tsaConfig = join(folder, 'tsa.cnf');
  await writeFile(
    tsaConfig,
    [
      '[ tsa ]', 'default_tsa = tsa_config1', '[ tsa_config1 ]', `dir = ${folder}`, 'serial = $dir/tsaserial', 'crypto_device = builtin',
      'signer_cert = $dir/tsa.pem', 'certs = $dir/ca.pem', 'signer_key = $dir/tsa.key', 'signer_digest = sha256', 'default_policy = 1.2.3.4.1',
      'digests = sha256', 'accuracy = secs:1', 'ordering = yes', 'tsa_name = no', 'ess_cert_id_chain = no', 'ess_cert_id_alg = sha256', '',
    ].join('\n'),
  );
  return tsaConfig;
}

function pkiIn(folder: string): TestPki {
  return {
    folder,
    caPem: join(folder, 'ca.pem'),
    signerP12: join(folder, 'signer.p12'),
    signerPem: join(folder, 'signer.pem'),
    signerKey: join(folder, 'signer.key'),
    encipherOnlyP12: join(folder, 'encipher.p12'),
    selfSignedP12: join(folder, 'self.p12'),
    tsaPem: join(folder, 'tsa.pem'),
    tsaKey: join(folder, 'tsa.key'),
    tsaConfig: join(folder, 'tsa.cnf'),
  };
}

/**
 * Set by scripts/run-tests.mjs to a PKI it made once for the whole run: each test file copies it
 * instead of making five RSA keys of its own (about 2.5 s of CPU each time). Unset (one file run
 * on its own), every file makes its own.
 */
export const SHARED_PKI_VARIABLE = 'IAM_AUDIT_TEST_SHARED_PKI';

/** A throwaway CA, a signer, a TSA and some bad certificates, made with the openssl CLI (or copied, see SHARED_PKI_VARIABLE). */
export async function makeTestPki(folder: string): Promise<TestPki> {
  const shared = process.env[SHARED_PKI_VARIABLE];
  if (shared !== undefined && shared !== '' && shared !== folder) {
    for (const name of await readdir(shared)) if (name !== 'tsa.cnf') await copyFile(join(shared, name), join(folder, name));
    await writeTsaConfig(folder);
    return pkiIn(folder);
  }
  await openssl(
    [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '3650', '-subj', '/O=iam-audit tests/CN=Throwaway Evidence CA',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    ],
    folder,
  );
  // The keys are independent once the CA exists: made side by side.
  await Promise.all([
    issue(folder, 'signer', '/O=Example Org/CN=Example Org Audit Signer', 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n', 30).then(() => p12(folder, 'signer', true)),
    issue(folder, 'encipher', '/O=Example Org/CN=Encipher Only', 'basicConstraints=CA:FALSE\nkeyUsage=critical,keyEncipherment\n', 30).then(() => p12(folder, 'encipher', true)),
    issue(folder, 'tsa', '/O=iam-audit tests/CN=Throwaway TSA', 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping\n', 30),
    openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'self.key', '-out', 'self.pem', '-days', '30', '-subj', '/CN=Self Signed Signer'], folder).then(() => p12(folder, 'self', false)),
  ]);
  await writeFile(join(folder, 'tsaserial'), '01\n');
  await writeTsaConfig(folder);
  return pkiIn(folder);
}

/** pdfsig's report; it exits 0 even for a broken signature, so callers read the text. */
export async function pdfsig(pdfPath: string, nssDirectory?: string): Promise<string> {
  const args = nssDirectory === undefined ? [pdfPath] : ['-nssdir', `sql:${nssDirectory}`, pdfPath];
  const { stdout, stderr } = await run('pdfsig', args, { maxBuffer: 16 * 1024 * 1024 }).catch((error: { stdout?: string; stderr?: string }) => ({
    stdout: error.stdout ?? '',
    stderr: error.stderr ?? '',
  }));
  return `${stdout}${stderr}`;
}

/** A fresh NSS database that trusts `caPem`: what an auditor does to make pdfsig trust the signer. */
export async function nssTrusting(caPem: string, folder: string): Promise<string> {
  await run('certutil', ['-N', '-d', `sql:${folder}`, '--empty-password']);
  await run('certutil', ['-A', '-d', `sql:${folder}`, '-n', 'evidence-ca', '-t', 'CT,C,C', '-i', caPem]);
  return folder;
}

export async function runTool(command: string, args: readonly string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(command, args, { cwd, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failure.code === 'number' ? failure.code : -1, stdout: failure.stdout ?? '', stderr: failure.stderr ?? '' };
  }
}
