import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFNumber, PDFString, StandardFonts } from 'pdf-lib';
import { readDss } from '../src/evidence/pades.js';
import { finalisePdfEvidence } from '../src/evidence/pdf-evidence.js';
import { signPdf } from '../src/evidence/pdf-sign.js';
import { locateSignatures, signedBytes } from '../src/evidence/pdf-signatures.js';
import { loadP12Signer } from '../src/evidence/signer.js';
import { SIGNATURE_BOX_DESTINATION } from '../src/render/signature-box.js';
import type { PadesLevel } from '../src/evidence/pades.js';
import { sha256Hex } from '../src/util/files.js';
import { FIXTURES, runCli, temporaryFolder } from './support/cli.js';
import { pdfsig, runTool } from './support/evidence-pki.js';
import { makeLongTermPki, type LongTermPki } from './support/long-term-pki.js';

/** A one-page stand-in for the report, with the cover's signature box marked as the template marks it. */
async function evidencePdf(now: Date): Promise<Uint8Array> {
  const document = await PDFDocument.create();
  const page = document.addPage();
  page.drawText('IAM audit report', { x: 50, y: 760, size: 16, font: await document.embedFont(StandardFonts.Helvetica) });
  // As render/pdf.ts records the printed box: a named destination [page /FitR l b r t].
  document.catalog.set(PDFName.of('Dests'), document.context.obj({ [SIGNATURE_BOX_DESTINATION]: [page.ref, PDFName.of('FitR'), 50, 500, 450, 620] }));
  const snapshot = await readFile(join(FIXTURES, 'demo', 'snapshot.json'));
  return finalisePdfEvidence(await document.save(), {
    snapshotBytes: snapshot,
    snapshotFileName: 'snapshot.json',
    snapshotSha256: sha256Hex(snapshot),
    metadata: { createdAt: now, toolName: 'iam-audit', toolVersion: 'test' },
  });
}

describe('PAdES B-LT and B-LTA, revocation, time travel, extend (issue 28)', () => {
  let folder: { path: string; cleanup: () => Promise<void> };
  let pki: LongTermPki;
  const files = new Map<string, string>();
  let signedAt = new Date(0);

  async function signed(name: string, p12: string, level: PadesLevel, hash: 'sha256' | 'sha384' | 'sha512' = 'sha256'): Promise<string> {
    const signer = await loadP12Signer(p12, pki.password, signedAt);
    const bytes = await signPdf(await evidencePdf(signedAt), signer, { signingTime: signedAt, reason: 'audit', location: 'Berlin', timestampUrl: pki.tsaUrl, level, hash });
    const path = join(folder.path, `${name}.pdf`);
    await writeFile(path, bytes);
    files.set(name, path);
    return path;
  }

  before(async () => {
    folder = await temporaryFolder('iam-audit-long-term-');
    pki = await makeLongTermPki(folder.path);
    signedAt = new Date(Math.floor(Date.now() / 1000) * 1000);
    await signed('lta-rsa', pki.p12.rsa, 'b-lta');
    await signed('t-rsa', pki.p12.rsa, 'b-t', 'sha512');
    await signed('lt-p256', pki.p12.p256, 'b-lt');
    await signed('lta-p384', pki.p12.p384, 'b-lta', 'sha384');
  });
  after(async () => {
    pki.close();
    await folder.cleanup();
  });

  it('B-LTA: pdfsig calls both signatures valid; verify names the document timestamp as the validation time', async () => {
    const path = files.get('lta-rsa') as string;
    const poppler = await pdfsig(path);
    assert.match(poppler, /Signature #1:[\s\S]*Signature Validation: Signature is Valid\./);
    // poppler 22.12 lists the document timestamp and its coverage but cannot validate ETSI.RFC3161
    // ("Unable to validate this type of signature"): openssl ts -verify does that (test below).
    assert.match(poppler, /Signature #2:\n {2}- Signature Field Name: DocumentTimestamp1[\s\S]*Total document signed/);
    const run = await runCli(['verify', path, '--trust', pki.rootPem]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /^PASS {2}document timestamp 1: RFC 3161 time /m);
    assert.match(run.stdout, /^PASS {2}revocation of "Long-Term rsa": not revoked: good in OCSP/m);
    assert.match(run.stdout, /^PASS {2}revocation of "Long-Term Intermediate": not revoked: good in CRL/m);
    assert.match(run.stdout, /^NOTE {2}validation time: valid at \d{4}-\d\d-\d\dT[\d:.]+Z, the time of document timestamp 1$/m);
    const json = JSON.parse((await runCli(['verify', path, '--trust', pki.rootPem, '--json', '--offline'])).stdout) as { verified: boolean; validationTime: string; checks: { check: string }[] };
    assert.equal(json.verified, true);
    assert.match(json.validationTime, /^\d{4}-/);
    assert.ok(json.checks.some((check) => check.check === 'document timestamp 1'));
  });

  it('the signature widget sits over the marked box with its own appearance', async () => {
    const document = await PDFDocument.load(await readFile(files.get('lta-rsa') as string));
    const annots = document.getPages()[0]?.node.lookup(PDFName.of('Annots'), PDFArray) as PDFArray;
    const widgets = annots.asArray().map((ref) => document.context.lookup(ref, PDFDict)).filter((item) => item.get(PDFName.of('FT'))?.toString() === '/Sig');
    const rect = widgets[0]?.lookup(PDFName.of('Rect'), PDFArray).asArray().map((item) => (item as PDFNumber).asNumber());
    assert.deepEqual(rect, [50, 500, 450, 620]);
    assert.ok(widgets[0]?.lookup(PDFName.of('AP'), PDFDict).has(PDFName.of('N')));
    assert.equal(annots.asArray().filter((ref) => document.context.lookup(ref, PDFDict).get(PDFName.of('Subtype'))?.toString() === '/Link').length, 0, 'the marker link is gone');
  });

  it('every embedded OCSP response checks with openssl ocsp, the document timestamp with openssl ts, the CMS with openssl cms', async () => {
    const path = files.get('lta-rsa') as string;
    const pdf = await readFile(path);
    const dss = readDss(await PDFDocument.load(pdf));
    assert.ok(dss.ocspResponses.length >= 2, 'the signer and the TSA');
    assert.ok(dss.crls.length >= 1, "the root's CRL for the intermediate");
    for (const [index, response] of dss.ocspResponses.entries()) {
      const file = join(folder.path, `ocsp-${index}.der`);
      await writeFile(file, response);
      const check = await runTool('openssl', ['ocsp', '-respin', file, '-CAfile', pki.chainPem], folder.path);
      assert.match(check.stderr + check.stdout, /Response verify OK/);
    }
    const [signature, timestamp] = locateSignatures(pdf, path);
    assert.ok(signature !== undefined && timestamp !== undefined);
    await writeFile(join(folder.path, 'sig.der'), signature.contents);
    await writeFile(join(folder.path, 'sig.data'), signedBytes(pdf, signature.byteRange));
    const cms = await runTool('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', 'sig.der', '-content', 'sig.data', '-CAfile', pki.rootPem, '-purpose', 'any', '-out', '/dev/null'], folder.path);
    assert.equal(cms.code, 0, cms.stderr);
    await writeFile(join(folder.path, 'ts.der'), timestamp.contents);
    await writeFile(join(folder.path, 'ts.data'), signedBytes(pdf, timestamp.byteRange));
    const ts = await runTool('openssl', ['ts', '-verify', '-data', 'ts.data', '-in', 'ts.der', '-token_in', '-CAfile', pki.rootPem, '-untrusted', pki.intermediatePem], folder.path);
    assert.match(ts.stdout, /Verification: OK/, ts.stderr);
  });

  it('ECDSA P-256 B-LT and P-384 SHA-384 B-LTA verify, and pdfsig calls them valid', async () => {
    for (const name of ['lt-p256', 'lta-p384']) {
      const path = files.get(name) as string;
      assert.match(await pdfsig(path), /Signature #1:[\s\S]*Signature Validation: Signature is Valid\./);
      const run = await runCli(['verify', path, '--trust', pki.rootPem]);
      assert.equal(run.code, 0, `${name}\n${run.stdout}`);
    }
    const p384 = await runCli(['verify', files.get('lta-p384') as string, '--trust', pki.rootPem]);
    assert.match(p384.stdout, /SHA-384 over the signed byte ranges matches/);
    const lt = await runCli(['verify', files.get('lt-p256') as string, '--trust', pki.rootPem]);
    assert.match(lt.stdout, /after it only validation data \(a DSS, PAdES B-LT\) was added/);
  });

  it('after the signer expired: B-LTA still VERIFIED, B-T NOT VERIFIED saying why', async () => {
    const later = new Date(signedAt.getTime() + 90 * 86_400_000).toISOString();
    const lta = await runCli(['verify', files.get('lta-rsa') as string, '--trust', pki.rootPem, '--at', later]);
    assert.equal(lta.code, 0, lta.stdout);
    assert.match(lta.stdout, /valid at .*, the time of document timestamp 1/);
    assert.match(await pdfsig(files.get('t-rsa') as string), /Signing Hash Algorithm: SHA-512[\s\S]*Signature is Valid\./);
    const now = await runCli(['verify', files.get('t-rsa') as string, '--trust', pki.rootPem]);
    assert.equal(now.code, 0, now.stdout);
    assert.match(now.stdout, /^PASS {2}document digest: SHA-512 over the signed byte ranges matches/m);
    const bt = await runCli(['verify', files.get('t-rsa') as string, '--trust', pki.rootPem, '--at', later]);
    assert.equal(bt.code, 1, bt.stdout);
    assert.match(bt.stdout, /^FAIL {2}signer validity: "Long-Term rsa" expired on .*only a document timestamp \(PAdES B-LTA\)/m);
    assert.match(bt.stdout, /^NOT VERIFIED/m);
  });

  it('signer revoked after signing: B-LTA VERIFIED with the revocation date; revoked before signing: NOT VERIFIED', async () => {
    const path = files.get('lta-p384') as string;
    await pki.revoke('p384', new Date(signedAt.getTime() + 5 * 60_000));
    const afterwards = await runCli(['verify', path, '--trust', pki.rootPem, '--at', new Date(signedAt.getTime() + 86_400_000).toISOString()]);
    assert.equal(afterwards.code, 0, afterwards.stdout);
    assert.match(afterwards.stdout, /^PASS {2}revocation of "Long-Term p384": revoked on \S+, after the time of document timestamp 1/m);
    await pki.revoke('p384', new Date(signedAt.getTime() - 86_400_000));
    const before = await runCli(['verify', path, '--trust', pki.rootPem]);
    assert.equal(before.code, 1, before.stdout);
    assert.match(before.stdout, /^FAIL {2}revocation of "Long-Term p384": revoked on \S+, before it signed at/m);
    await pki.revoke('p384', null);
  });

  it('extend adds a fresh DSS and a new document timestamp; the earlier signature and timestamp still verify', async () => {
    const path = files.get('lta-rsa') as string;
    const original = await readFile(path);
    const output = join(folder.path, 'extended.pdf');
    const run = await runCli(['extend', path, '--tsa-url', pki.tsaUrl, '-o', output]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const extended = await readFile(output);
    assert.ok(extended.subarray(0, original.length).equals(original), 'an incremental update: every earlier byte kept');
    const locations = locateSignatures(extended, output);
    assert.deepEqual(locations.map((location) => location.subFilter), ['ETSI.CAdES.detached', 'ETSI.RFC3161', 'ETSI.RFC3161']);
    const verify = await runCli(['verify', output, '--trust', pki.rootPem]);
    assert.equal(verify.code, 0, verify.stdout);
    assert.match(verify.stdout, /^PASS {2}document timestamp 2: .* over bytes 0-/m);
    assert.match(verify.stdout, /^PASS {2}document coverage: the last document timestamp covers the whole file/m);
    assert.match(verify.stdout, /the time of document timestamp 1$/m);
    const poppler = await pdfsig(output);
    assert.match(poppler, /Signature #3:/);
    const offline = await runCli(['extend', output, '--tsa-url', pki.tsaUrl, '--offline', '-o', join(folder.path, 'extended-offline.pdf')]);
    assert.equal(offline.code, 0, `offline, from the revocation data the file holds: ${offline.stderr}`);
    assert.match(poppler, /Signature #1:[\s\S]*Signature Validation: Signature is Valid\./);
  });

  it("manifest and SHA256SUMS: CAdES-T with revocation values (EC P-256 P12, SHA-384); the auditor's openssl and sha256sum procedure, step by step", async () => {
    const out = join(folder.path, 'run');
    const run = await runCli(
      ['report', join(FIXTURES, 'demo', 'snapshot.json'), '-d', out, '--format', 'json,csv', '--quiet', '--sign-p12', pki.p12.p256, '--sign-pass-env', 'P12_PASSWORD',
        '--tsa-url', pki.tsaUrl, '--pades-level', 'b-lta', '--sign-hash', 'sha384'],
      { env: { P12_PASSWORD: pki.password } },
    );
    assert.equal(run.code, 0, run.stderr);
    const names = await readdir(out);
    const sums = names.find((name) => name.endsWith('.SHA256SUMS')) as string;
    const manifest = names.find((name) => name.endsWith('.manifest.json')) as string;
    assert.ok(names.includes(`${sums}.p7s`) && names.includes(`${manifest}.p7s`));
    // Step 1: the signature over SHA256SUMS holds, from a certificate the auditor trusts.
    const step1 = await runTool('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', `${sums}.p7s`, '-content', sums, '-CAfile', pki.rootPem, '-purpose', 'any', '-out', '/dev/null'], out);
    assert.equal(step1.code, 0, step1.stderr);
    assert.match(step1.stderr, /Verification successful/);
    // Step 2: every file (the manifest included) is the one SHA256SUMS lists.
    const step2 = await runTool('sha256sum', ['-c', sums], out);
    assert.equal(step2.code, 0, step2.stdout + step2.stderr);
    assert.match(step2.stdout, new RegExp(`${manifest.replace(/\./g, '\\.')}: OK`));
    // A changed CSV fails step 2; a SHA256SUMS changed to match it fails step 1.
    const csv = names.find((name) => name.endsWith('.csv') && !name.includes('findings') && !name.includes('rules')) as string;
    const tampered = join(folder.path, 'tampered');
    await runTool('cp', ['-r', out, tampered], folder.path);
    await writeFile(join(tampered, csv), `${await readFile(join(tampered, csv), 'utf8')}mallory,x\n`);
    assert.notEqual((await runTool('sha256sum', ['-c', sums], tampered)).code, 0);
    const newSum = (await runTool('sha256sum', [csv], tampered)).stdout.split(' ')[0] as string;
    const sumsText = await readFile(join(tampered, sums), 'utf8');
    await writeFile(join(tampered, sums), sumsText.replace(new RegExp(`^[0-9a-f]{64}(  ${csv.replace(/\./g, '\\.')})$`, 'm'), `${newSum}$1`));
    assert.equal((await runTool('sha256sum', ['-c', sums], tampered)).code, 0, 'the forged list matches the forged file');
    const forged = await runTool('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', `${sums}.p7s`, '-content', sums, '-CAfile', pki.rootPem, '-purpose', 'any', '-out', '/dev/null'], tampered);
    assert.notEqual(forged.code, 0, 'but its signature no longer holds');
    // iam-audit's own check reads the timestamp and the embedded revocation values, offline.
    const verify = await runCli(['verify', join(out, manifest), '--trust', pki.rootPem, '--offline']);
    assert.equal(verify.code, 0, verify.stdout);
    assert.match(verify.stdout, /^PASS {2}manifest digest: SHA-384 of /m);
    assert.match(verify.stdout, /^PASS {2}SHA256SUMS digest: /m);
    assert.match(verify.stdout, /^PASS {2}timestamp: RFC 3161 time .* from "Long-Term tsa"/m);
    assert.match(verify.stdout, /^PASS {2}revocation of "Long-Term p256": not revoked: good in OCSP of \S+ \(embedded\)$/m);
  });

  it('B-LTA from --ocsp-response and --crl files asks no OCSP responder and no CRL server; a revoked signer is refused', async () => {
    const ocspFiles: string[] = [];
    for (const name of ['p256', 'tsa']) {
      await runTool('openssl', ['ocsp', '-issuer', 'intermediate.pem', '-cert', `${name}.pem`, '-reqout', `${name}.ocsp-req`, '-no_nonce'], folder.path);
      const made = await runTool('openssl', ['ocsp', '-index', 'index.txt', '-rsigner', 'ocsp.pem', '-rkey', 'ocsp.key', '-CA', 'intermediate.pem', '-reqin', `${name}.ocsp-req`, '-respout', `${name}.ocsp`, '-ndays', '7'], folder.path);
      assert.equal(made.code, 0, made.stderr);
      ocspFiles.push(join(folder.path, `${name}.ocsp`));
    }
    const before = pki.requests();
    const out = join(folder.path, 'from-files');
    const run = await runCli(
      ['report', join(FIXTURES, 'demo', 'snapshot.json'), '-d', out, '--format', 'json', '--quiet', '--sign-p12', pki.p12.p256, '--sign-pass-env', 'P12_PASSWORD', '--tsa-url', pki.tsaUrl,
        '--pades-level', 'b-lt', '--ocsp-response', ...ocspFiles, '--crl', join(folder.path, 'root.crl.pem')],
      { env: { P12_PASSWORD: pki.password } },
    );
    assert.equal(run.code, 0, run.stderr);
    const afterwards = pki.requests();
    assert.equal(afterwards.ocsp, before.ocsp, 'no OCSP request');
    assert.equal(afterwards.crl, before.crl, 'no CRL download');
    assert.ok(afterwards.tsa > before.tsa, 'the timestamps still come from the TSA');
    await pki.revoke('p256', new Date(Date.now() - 86_400_000));
    try {
      const refused = await runCli(
        ['report', join(FIXTURES, 'demo', 'snapshot.json'), '-d', join(folder.path, 'refused'), '--format', 'json', '--quiet', '--sign-p12', pki.p12.p256, '--sign-pass-env', 'P12_PASSWORD', '--tsa-url', pki.tsaUrl, '--pades-level', 'b-lt'],
        { env: { P12_PASSWORD: pki.password } },
      );
      assert.equal(refused.code, 2, refused.stderr);
      assert.match(refused.stderr, /"Long-Term p256" was revoked on \S+ \(OCSP\): it cannot sign/);
    } finally {
      await pki.revoke('p256', null);
    }
  });
});
