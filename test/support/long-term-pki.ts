import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { openssl } from './evidence-pki.js';

/**
 * A PKI made per run for the long-term signature tests (issue 28), with every service local:
 * root (EC P-384) -> intermediate (EC P-256) -> signers (RSA 2048, EC P-256, EC P-384), a TSA and an
 * OCSP responder. One HTTP server on 127.0.0.1 answers OCSP (`openssl ocsp` per request, reading
 * the intermediate's index, which a test may rewrite to revoke), serves the root's CRL for the
 * intermediate, and stamps RFC 3161 requests (`openssl ts -reply`).
 */
export interface LongTermPki {
  readonly folder: string;
  readonly url: string;
  readonly tsaUrl: string;
  readonly rootPem: string;
  readonly intermediatePem: string;
  /** root + intermediate, for openssl -CAfile. */
  readonly chainPem: string;
  readonly p12: { readonly rsa: string; readonly p256: string; readonly p384: string };
  readonly password: string;
  /** Marks a signer revoked at `at` in the OCSP responder's index (or good again with null). */
  revoke(signer: keyof LongTermPki['p12'], at: Date | null): Promise<void>;
  requests(): { ocsp: number; tsa: number; crl: number };
  close(): void;
}

const PASSWORD = 'long-term test';
const SERIALS = { rsa: '20', p256: '21', p384: '22', tsa: '23', ocsp: '24' } as const;
type Leaf = keyof typeof SERIALS;

function indexTime(date: Date): string {
  return date.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
}

export async function makeLongTermPki(folder: string): Promise<LongTermPki> {
  const counts = { ocsp: 0, tsa: 0, crl: 0 };
  const revoked = new Map<Leaf, Date>();
  const body = (request: import('node:http').IncomingMessage): Promise<Buffer> =>
    new Promise((resolve) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => resolve(Buffer.concat(chunks)));
    });
  const writeIndex = async (): Promise<void> => {
    const far = indexTime(new Date(Date.now() + 3650 * 86_400_000));
    const lines = (Object.keys(SERIALS) as Leaf[]).map((leaf) => {
      const at = revoked.get(leaf);
      return `${at === undefined ? 'V' : 'R'}\t${far}\t${at === undefined ? '' : indexTime(at)}\t${SERIALS[leaf]}\tunknown\t/CN=${leaf}`;
    });
    await writeFile(join(folder, 'index.txt'), `${lines.join('\n')}\n`);
  };
  const server: Server = createServer((request, response) => {
    const name = randomBytes(6).toString('hex');
    const fail = (error: Error): void => void response.writeHead(500).end(error.message);
    if (request.url === '/crl/root.crl') {
      counts.crl += 1;
      readFile(join(folder, 'root.crl')).then((crl) => response.writeHead(200, { 'content-type': 'application/pkix-crl' }).end(crl), fail);
      return;
    }
    const isOcsp = request.url === '/ocsp';
    body(request)
      .then(async (query) => {
        const input = join(folder, `${name}.req`);
        const output = join(folder, `${name}.resp`);
        await writeFile(input, query);
        if (isOcsp) {
          counts.ocsp += 1;
          await openssl(['ocsp', '-index', 'index.txt', '-rsigner', 'ocsp.pem', '-rkey', 'ocsp.key', '-CA', 'intermediate.pem', '-reqin', input, '-respout', output, '-ndays', '7'], folder);
        } else {
          counts.tsa += 1;
          await openssl(['ts', '-reply', '-config', 'tsa.cnf', '-queryfile', input, '-out', output], folder);
        }
        return readFile(output);
      })
      .then((reply) => response.writeHead(200, { 'content-type': isOcsp ? 'application/ocsp-response' : 'application/timestamp-reply' }).end(reply), fail);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const aia = `authorityInfoAccess=OCSP;URI:${url}/ocsp\n`;

  await openssl(['ecparam', '-name', 'secp384r1', '-genkey', '-noout', '-out', 'root.key'], folder);
  await openssl(['req', '-x509', '-new', '-key', 'root.key', '-out', 'root.pem', '-days', '3650', '-subj', '/O=iam-audit tests/CN=Long-Term Root', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], folder);
  await openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'intermediate.key'], folder);
  await openssl(['req', '-new', '-key', 'intermediate.key', '-out', 'intermediate.csr', '-subj', '/O=iam-audit tests/CN=Long-Term Intermediate'], folder);
  await writeFile(join(folder, 'intermediate.ext'), `basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\ncrlDistributionPoints=URI:${url}/crl/root.crl\n`);
  await openssl(['x509', '-req', '-in', 'intermediate.csr', '-CA', 'root.pem', '-CAkey', 'root.key', '-set_serial', '16', '-days', '3650', '-sha384', '-extfile', 'intermediate.ext', '-out', 'intermediate.pem'], folder);
  const leaf = async (name: Leaf, keyArgs: string[], extensions: string, days: number): Promise<void> => {
    await openssl([...keyArgs, '-out', `${name}.key`], folder);
    await openssl(['req', '-new', '-key', `${name}.key`, '-out', `${name}.csr`, '-subj', `/O=Example Org/CN=Long-Term ${name}`], folder);
    await writeFile(join(folder, `${name}.ext`), extensions);
    await openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'intermediate.pem', '-CAkey', 'intermediate.key', '-set_serial', `0x${SERIALS[name]}`, '-days', String(days), '-sha256', '-extfile', `${name}.ext`, '-out', `${name}.pem`], folder);
  };
  const signing = `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n${aia}`;
  await Promise.all([
    leaf('rsa', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'], signing, 30),
    leaf('p256', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout'], signing, 30),
    leaf('p384', ['ecparam', '-name', 'secp384r1', '-genkey', '-noout'], signing, 30),
    leaf('tsa', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout'], `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping\n${aia}`, 3650),
    leaf('ocsp', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout'], 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,OCSPSigning\nnoCheck=ignored\n', 3650),
  ]);
  const chain = `${await readFile(join(folder, 'intermediate.pem'), 'utf8')}${await readFile(join(folder, 'root.pem'), 'utf8')}`;
  await writeFile(join(folder, 'chain.pem'), chain);
  await writeFile(join(folder, 'tsa-chain.pem'), await readFile(join(folder, 'intermediate.pem'), 'utf8'));
  for (const name of ['rsa', 'p256', 'p384'] as const) {
    await openssl(['pkcs12', '-export', '-inkey', `${name}.key`, '-in', `${name}.pem`, '-certfile', 'chain.pem', '-out', `${name}.p12`, '-passout', `pass:${PASSWORD}`], folder);
  }
  // The root's CRL (it lists nothing: the intermediate is good), with `openssl ca -gencrl`.
  await writeFile(join(folder, 'root-index.txt'), '');
  await writeFile(
    join(folder, 'ca.cnf'),
    ['[ ca ]', 'default_ca = root', '[ root ]', `database = ${join(folder, 'root-index.txt')}`, `crlnumber = ${join(folder, 'crlnumber')}`, 'default_md = sha384', 'default_crl_days = 3650', ''].join('\n'),
  );
  await writeFile(join(folder, 'crlnumber'), '01\n');
  await openssl(['ca', '-gencrl', '-config', 'ca.cnf', '-keyfile', 'root.key', '-cert', 'root.pem', '-out', 'root.crl.pem'], folder);
  await openssl(['crl', '-in', 'root.crl.pem', '-outform', 'DER', '-out', 'root.crl'], folder);
  await writeFile(join(folder, 'tsaserial'), '01\n');
  await writeFile(
    join(folder, 'tsa.cnf'),
    [
      '[ tsa ]', 'default_tsa = tsa_config1', '[ tsa_config1 ]', `dir = ${folder}`, 'serial = $dir/tsaserial', 'crypto_device = builtin',
      'signer_cert = $dir/tsa.pem', 'certs = $dir/tsa-chain.pem', 'signer_key = $dir/tsa.key', 'signer_digest = sha256', 'default_policy = 1.2.3.4.1',
      'digests = sha256, sha384, sha512', 'accuracy = secs:1', 'ordering = yes', 'tsa_name = no', 'ess_cert_id_chain = no', 'ess_cert_id_alg = sha256', '',
    ].join('\n'),
  );
  await writeIndex();
  return {
    folder,
    url,
    tsaUrl: `${url}/tsa`,
    rootPem: join(folder, 'root.pem'),
    intermediatePem: join(folder, 'intermediate.pem'),
    chainPem: join(folder, 'chain.pem'),
    p12: { rsa: join(folder, 'rsa.p12'), p256: join(folder, 'p256.p12'), p384: join(folder, 'p384.p12') },
    password: PASSWORD,
    revoke: async (signer, at) => {
      if (at === null) revoked.delete(signer);
      else revoked.set(signer, at);
      await writeIndex();
    },
    requests: () => ({ ...counts }),
    close: () => server.close(),
  };
}
