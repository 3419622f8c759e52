import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { analyseLoaded } from '../src/app/shared/analyse.js';
import { finalisePdfEvidence } from '../src/evidence/pdf-evidence.js';
import { signPdf } from '../src/evidence/pdf-sign.js';
import { loadP12Signer, type EvidenceSigner } from '../src/evidence/signer.js';
import { renderJson } from '../src/render/json.js';
import { readSnapshot, serializeSnapshot } from '../src/snapshot/io.js';
import { sha256Hex } from '../src/util/files.js';
import { FIXTURES, runCli, temporaryFolder } from './support/cli.js';
import { makeTestPki, nssTrusting, pdfsig, PKI_PASSWORD, runTool, type TestPki } from './support/evidence-pki.js';

const SNAPSHOT = join(FIXTURES, 'demo', 'snapshot.json');
/** Taken after the certificates are made: they are valid from the second they were issued. */
let RUN_TIME = new Date(0);

/** A stand-in for the rendered report (the real renderer lands separately): one page of text. */
async function renderedPdf(): Promise<Uint8Array> {
  const document = await PDFDocument.create();
  document.setCreationDate(new Date('2026-11-02T09:00:00Z'));
  document.setModificationDate(new Date('2026-11-02T09:00:00Z'));
  const page = document.addPage();
  page.drawText('IAM audit report for account 111122223333', { x: 50, y: 760, size: 16, font: await document.embedFont(StandardFonts.Helvetica) });
  return document.save();
}

async function evidencePdf(signer: EvidenceSigner, snapshotBytes: Buffer, findingsJson: string): Promise<Buffer> {
  const withEvidence = await finalisePdfEvidence(await renderedPdf(), {
    snapshotBytes,
    snapshotFileName: 'snapshot.json',
    snapshotSha256: sha256Hex(snapshotBytes),
    configBytes: Buffer.from('rules:\n  mfa: required\n'),
    configFileName: 'iam-audit.yaml',
    findingsJsonBytes: Buffer.from(findingsJson),
    findingsFileName: 'iam_audit_findings.json',
    metadata: { createdAt: RUN_TIME, toolName: 'iam-audit', toolVersion: 'test' },
  });
  return signPdf(withEvidence, signer, { signingTime: RUN_TIME, reason: 'Quarterly IAM audit', location: 'Berlin', signerName: 'Example Org Audit Team' });
}

describe('signed report PDF', () => {
  let folder: { path: string; cleanup: () => Promise<void> };
  let pki: TestPki;
  let nss: string;
  let signedPath: string;
  let signedBytes: Buffer;
  let snapshotBytes: Buffer;
  let findingsJson: string;

  before(async () => {
    folder = await temporaryFolder('iam-audit-evidence-pdf-');
    pki = await makeTestPki(folder.path);
    RUN_TIME = new Date();
    await mkdir(join(folder.path, 'nss'));
    nss = await nssTrusting(pki.caPem, join(folder.path, 'nss'));
    const loaded = await readSnapshot(SNAPSHOT);
    snapshotBytes = loaded.bytes;
    findingsJson = renderJson(analyseLoaded({ ...loaded, path: 'snapshot.json' }, RUN_TIME, RUN_TIME));
    const signer = await loadP12Signer(pki.signerP12, PKI_PASSWORD, RUN_TIME);
    signedBytes = await evidencePdf(signer, snapshotBytes, findingsJson);
    signedPath = join(folder.path, 'report.pdf');
    await writeFile(signedPath, signedBytes);
  });
  after(() => folder.cleanup());

  it('is a valid, whole-document signature to pdfsig, trusted once the CA is', async () => {
    const untrusted = await pdfsig(signedPath);
    assert.match(untrusted, /Signature Validation: Signature is Valid\./);
    assert.match(untrusted, /Total document signed/);
    assert.match(untrusted, /Signing Hash Algorithm: SHA-256/);
    assert.match(untrusted, /Signature Type: ETSI\.CAdES\.detached/);
    assert.match(untrusted, /Signer Certificate Common Name: Example Org Audit Signer/);
    assert.doesNotMatch(untrusted, /Certificate is Trusted/);
    const trusted = await pdfsig(signedPath, nss);
    assert.match(trusted, /Signature Validation: Signature is Valid\./);
    assert.match(trusted, /Certificate Validation: Certificate is Trusted\./);
  });

  it('keeps the text, the reason, location and signer name', async () => {
    const text = await runTool('pdftotext', [signedPath, '-'], folder.path);
    assert.match(text.stdout, /IAM audit report for account 111122223333/);
    const info = await runTool('pdfinfo', [signedPath], folder.path);
    assert.match(info.stdout, new RegExp(`Keywords:\\s+snapshot-sha256:${sha256Hex(snapshotBytes)}`));
    const raw = signedBytes.toString('latin1');
    assert.match(raw, /\/Reason \(Quarterly IAM audit\)/);
    assert.match(raw, /\/Location \(Berlin\)/);
    assert.match(raw, /\/Name \(Example Org Audit Team\)/);
  });

  it('gives back the snapshot byte for byte through pdfdetach, marked as its Source', async () => {
    const out = join(folder.path, 'detached');
    await mkdir(out);
    const detach = await runTool('pdfdetach', ['-saveall', '-o', out, signedPath], folder.path);
    assert.equal(detach.code, 0, detach.stderr);
    assert.ok((await readFile(join(out, 'snapshot.json'))).equals(snapshotBytes));
    assert.equal(await readFile(join(out, 'iam_audit_findings.json'), 'utf8'), findingsJson);
    assert.equal(await readFile(join(out, 'iam-audit.yaml'), 'utf8'), 'rules:\n  mfa: required\n');
    assert.match(signedBytes.toString('latin1'), /\/AFRelationship \/Source/);
    assert.match(signedBytes.toString('latin1'), /\/AFRelationship \/Data/);
  });

  it('verifies: every check holds against the trusted CA, and the re-run reproduces the findings', async () => {
    const run = await runCli(['verify', signedPath, '--trust', pki.caPem, '--snapshot', SNAPSHOT, '--reproduce']);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /^PASS {2}document digest: SHA-256 over the signed byte ranges matches/m);
    assert.match(run.stdout, /^PASS {2}certificate chain: trusted: "Example Org Audit Signer" <- "Throwaway Evidence CA"/m);
    assert.match(run.stdout, /^PASS {2}embedded snapshot: snapshot\.json \(\d+ bytes\), SHA-256 [0-9a-f]{64}, matches/m);
    assert.match(run.stdout, /^PASS {2}--snapshot: .* is byte for byte the embedded snapshot/m);
    assert.match(run.stdout, /^PASS {2}reproduce: re-running the analysis on the embedded snapshot\.json gives the report's 26 findings/m);
    assert.doesNotMatch(run.stdout, /^FAIL/m);
  });

  it('says plainly when the chain is not trusted or a different snapshot is given', async () => {
    const noTrust = await runCli(['verify', signedPath]);
    assert.equal(noTrust.code, 1);
    assert.match(noTrust.stdout, /^FAIL {2}certificate chain: not checked: no --trust CA\.pem given/m);
    assert.match(noTrust.stdout, /^PASS {2}document digest/m);
    const otherSnapshot = join(folder.path, 'other.json');
    await writeFile(otherSnapshot, '{}\n');
    const wrongSnapshot = await runCli(['verify', signedPath, '--trust', pki.caPem, '--snapshot', otherSnapshot]);
    assert.equal(wrongSnapshot.code, 1);
    assert.match(wrongSnapshot.stdout, /^FAIL {2}--snapshot: .*other\.json .* is not the embedded snapshot/m);
  });

  it('reports a self-signed signer as untrusted', async () => {
    const selfSigned = await loadP12Signer(pki.selfSignedP12, PKI_PASSWORD, RUN_TIME);
    const path = join(folder.path, 'self-signed.pdf');
    await writeFile(path, await evidencePdf(selfSigned, snapshotBytes, findingsJson));
    const run = await runCli(['verify', path, '--trust', pki.caPem]);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /^PASS {2}document digest/m);
    assert.match(run.stdout, /^FAIL {2}certificate chain: not trusted: self-signed certificate "Self Signed Signer" is not among the --trust certificates/m);
  });

  it('is byte-identical when made again at the same run time (SOURCE_DATE_EPOCH gives reproducible evidence)', async () => {
    const signer = await loadP12Signer(pki.signerP12, PKI_PASSWORD, RUN_TIME);
    const again = await evidencePdf(signer, snapshotBytes, findingsJson);
    assert.equal(sha256Hex(again), sha256Hex(signedBytes));
  });

  it('catches one changed byte, in pdfsig and in verify', async () => {
    const tampered = Buffer.from(signedBytes);
    const at = tampered.indexOf('Quarterly IAM audit');
    assert.ok(at > 0);
    tampered[at] = 'q'.charCodeAt(0);
    const path = join(folder.path, 'tampered.pdf');
    await writeFile(path, tampered);
    const poppler = await pdfsig(path, nss);
    assert.doesNotMatch(poppler, /Signature is Valid/);
    assert.match(poppler, /Digest Mismatch/);
    const run = await runCli(['verify', path, '--trust', pki.caPem]);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /^FAIL {2}document digest: .* does not match the signature: the document was changed after signing/m);
    assert.match(run.stdout, /^NOT VERIFIED/m);
  });

  it('notices bytes appended after the signature', async () => {
    const path = join(folder.path, 'appended.pdf');
    await writeFile(path, Buffer.concat([signedBytes, Buffer.from('\n% appended\n')]));
    const run = await runCli(['verify', path, '--trust', pki.caPem]);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /^FAIL {2}document coverage: 12 bytes were added after the signed range/m);
  });

  it('refuses unsigned, truncated and non-PDF input with one line and exit 2', async () => {
    const unsigned = join(folder.path, 'unsigned.pdf');
    await writeFile(unsigned, await renderedPdf());
    const truncated = join(folder.path, 'truncated.pdf');
    await writeFile(truncated, signedBytes.subarray(0, Math.floor(signedBytes.length * 0.9)));
    const cutEarly = join(folder.path, 'cut-early.pdf');
    await writeFile(cutEarly, signedBytes.subarray(0, 2000));
    const notPdf = join(folder.path, 'not.pdf');
    await writeFile(notPdf, 'hello');
    for (const [path, message] of [
      [unsigned, /unsigned\.pdf: not signed: the PDF holds no signature/],
      [truncated, /truncated\.pdf: truncated: the signature covers bytes up to \d+ but the file has \d+/],
      [cutEarly, /cut-early\.pdf: truncated or damaged: no %%EOF at its end/],
      [notPdf, /not\.pdf: not a PDF/],
    ] as const) {
      const run = await runCli(['verify', path, '--trust', pki.caPem]);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, message);
      assert.equal(run.stderr.trim().split('\n').length, 1);
    }
  });

  it('--reproduce fails when the embedded snapshot was swapped and the file re-signed', async () => {
    const snapshot = (await readSnapshot(SNAPSHOT)).snapshot;
    const swapped = Buffer.from(serializeSnapshot({ ...snapshot, users: snapshot.users.slice(0, -1) }));
    const signer = await loadP12Signer(pki.signerP12, PKI_PASSWORD, RUN_TIME);
    const path = join(folder.path, 'swapped.pdf');
    await writeFile(path, await evidencePdf(signer, swapped, findingsJson));
    const plain = await runCli(['verify', path, '--trust', pki.caPem]);
    assert.equal(plain.code, 0, 'the re-signed file is internally consistent');
    const run = await runCli(['verify', path, '--trust', pki.caPem, '--reproduce']);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /^FAIL {2}reproduce: re-running the analysis on the embedded snapshot\.json differs from the report in .*findings \(\d+ of 26 entries differ\)/m);
    const withOriginal = await runCli(['verify', path, '--trust', pki.caPem, '--snapshot', SNAPSHOT]);
    assert.equal(withOriginal.code, 1);
    assert.match(withOriginal.stdout, /^FAIL {2}--snapshot/m);
  });
});
