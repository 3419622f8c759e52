import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { finalisePdfEvidence } from '../src/evidence/pdf-evidence.js';
import { signPdf } from '../src/evidence/pdf-sign.js';
import { loadP12Signer } from '../src/evidence/signer.js';
import { sha256Hex } from '../src/util/files.js';
import { FIXTURES, runCli, temporaryFolder } from './support/cli.js';
import { makeTestPki, openssl, pdfsig, PKI_PASSWORD, runTool, type TestPki } from './support/evidence-pki.js';

/** A real RFC 3161 responder on 127.0.0.1: `openssl ts -reply` behind a tiny HTTP server. */
async function startTimestampAuthority(pki: TestPki): Promise<{ url: string; server: Server; requests: () => number }> {
  let count = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      count += 1;
      const name = randomBytes(6).toString('hex');
      const query = join(pki.folder, `${name}.tsq`);
      const reply = join(pki.folder, `${name}.tsr`);
      writeFile(query, Buffer.concat(chunks))
        .then(() => openssl(['ts', '-reply', '-config', pki.tsaConfig, '-queryfile', query, '-out', reply], pki.folder))
        .then(() => readFile(reply))
        .then(
          (body) => response.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(body),
          (error: Error) => response.writeHead(500).end(error.message),
        );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/tsa`, server, requests: () => count };
}

describe('RFC 3161 timestamps (--tsa-url)', () => {
  let folder: { path: string; cleanup: () => Promise<void> };
  let pki: TestPki;
  let tsa: Awaited<ReturnType<typeof startTimestampAuthority>>;

  before(async () => {
    folder = await temporaryFolder('iam-audit-evidence-tsa-');
    pki = await makeTestPki(folder.path);
    tsa = await startTimestampAuthority(pki);
  });
  after(async () => {
    tsa.server.close();
    await folder.cleanup();
  });

  it('stamps the PDF signature; pdfsig still calls it valid and verify checks the token', async () => {
    const now = new Date();
    const document = await PDFDocument.create();
    document.addPage().drawText('Timestamped IAM audit report', { x: 50, y: 760, size: 16, font: await document.embedFont(StandardFonts.Helvetica) });
    const snapshot = await readFile(join(FIXTURES, 'demo', 'snapshot.json'));
    const withEvidence = await finalisePdfEvidence(await document.save(), {
      snapshotBytes: snapshot,
      snapshotFileName: 'snapshot.json',
      snapshotSha256: sha256Hex(snapshot),
      metadata: { createdAt: now, toolName: 'iam-audit', toolVersion: 'test' },
    });
    const signer = await loadP12Signer(pki.signerP12, PKI_PASSWORD, now);
    const before = tsa.requests();
    const signed = await signPdf(withEvidence, signer, { signingTime: now, reason: 'audit', location: 'Berlin', timestampUrl: tsa.url });
    assert.equal(tsa.requests(), before + 1);
    const path = join(folder.path, 'stamped.pdf');
    await writeFile(path, signed);
    const poppler = await pdfsig(path);
    assert.match(poppler, /Signature is Valid/);
    assert.match(poppler, /Total document signed/);
    const run = await runCli(['verify', path, '--trust', pki.caPem]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /^PASS {2}timestamp: RFC 3161 time \d{4}-\d\d-\d\dT[\d:.]+Z from "Throwaway TSA"/m);
    const untrustedTsa = await runCli(['verify', path, '--trust', pki.signerPem]);
    assert.equal(untrustedTsa.code, 1);
  });

  it('stamps manifest.json.p7s in a report run, which openssl cms still accepts', async () => {
    const out = join(folder.path, 'out');
    const run = await runCli(
      ['report', join(FIXTURES, 'demo', 'snapshot.json'), '-d', out, '--format', 'json', '--quiet', '--sign-p12', pki.signerP12, '--sign-pass-env', 'P12_PASSWORD', '--tsa-url', tsa.url],
      { env: { P12_PASSWORD: PKI_PASSWORD } },
    );
    assert.equal(run.code, 0, run.stderr);
    const manifest = (await readdir(out)).find((name) => name.endsWith('.manifest.json')) ?? 'no manifest';
    const cms = await runTool('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', `${manifest}.p7s`, '-content', manifest, '-CAfile', pki.caPem, '-out', '/dev/null'], out);
    assert.equal(cms.code, 0, cms.stderr);
    const verify = await runCli(['verify', join(out, manifest), '--trust', pki.caPem]);
    assert.equal(verify.code, 0, verify.stdout);
    assert.match(verify.stdout, /^PASS {2}timestamp: RFC 3161 time .* from "Throwaway TSA"/m);
  });
});
