/**
 * The whole chain as an auditor receives it: a real `report` run (Chromium PDF) with a
 * configuration, exceptions and a certificate; then pdfsig, pdfdetach and `verify --reproduce`.
 */
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FIXTURES, runCli, temporaryFolder } from './support/cli.js';
import { makeTestPki, nssTrusting, pdfsig, PKI_PASSWORD, runTool, type TestPki } from './support/evidence-pki.js';

const SNAPSHOT = join(FIXTURES, 'demo', 'snapshot.json');
const CONFIG = 'rules:\n  access-key-rotation:\n    maxAgeDays: 120\n';
const EXCEPTIONS = 'exceptions:\n  - { rule: console-users-mfa, resource: bob.admin, justification: "Break-glass admin, hardware token on order", approvedBy: ciso@example.com, expires: 2027-06-30 }\n';

describe('a signed report run, verified end to end', () => {
  let folder: { path: string; cleanup: () => Promise<void> };
  let pki: TestPki;
  let out: string;
  let pdfPath: string;

  before(async () => {
    folder = await temporaryFolder('iam-audit-evidence-run-');
    pki = await makeTestPki(folder.path);
    await writeFile(join(folder.path, 'iam-audit.yaml'), CONFIG);
    await writeFile(join(folder.path, 'exceptions.yaml'), EXCEPTIONS);
    out = join(folder.path, 'out');
    const run = await runCli(
      ['report', SNAPSHOT, '-d', out, '--format', 'json,pdf', '--quiet', '--config', join(folder.path, 'iam-audit.yaml'), '--exceptions', join(folder.path, 'exceptions.yaml'),
        '--sign-p12', pki.signerP12, '--sign-pass-env', 'P12_PASSWORD', '--sign-reason', 'Q4 IAM audit', '--sign-location', 'Berlin'],
      { env: { P12_PASSWORD: PKI_PASSWORD } },
    );
    assert.equal(run.code, 0, run.stderr);
    pdfPath = join(out, (await readdir(out)).find((name) => name.endsWith('.pdf')) ?? 'missing.pdf');
  });
  after(() => folder.cleanup());

  it('pdfsig calls the signature valid, covering the whole document, trusted once the CA is', async () => {
    const text = await pdfsig(pdfPath, await nssTrusting(pki.caPem, folder.path));
    assert.match(text, /Signature is Valid/);
    assert.match(text, /Total document signed/);
    assert.match(text, /Certificate is Trusted/);
  });

  it('carries the snapshot, configuration and exceptions byte for byte', async () => {
    const detached = join(folder.path, 'detached');
    await mkdir(detached);
    const run = await runTool('pdfdetach', ['-saveall', '-o', detached, pdfPath], folder.path);
    assert.equal(run.code, 0, run.stderr);
    assert.ok((await readFile(join(detached, 'snapshot.json'))).equals(await readFile(SNAPSHOT)));
    assert.equal(await readFile(join(detached, 'iam-audit.yaml'), 'utf8'), CONFIG);
    assert.equal(await readFile(join(detached, 'exceptions.yaml'), 'utf8'), EXCEPTIONS);
  });

  it('verify --reproduce re-runs the analysis with the embedded configuration and exceptions', async () => {
    const run = await runCli(['verify', pdfPath, '--trust', pki.caPem, '--snapshot', SNAPSHOT, '--reproduce']);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /^PASS {2}reproduce: re-running the analysis on the embedded snapshot\.json gives the report's 26 findings/m);
    // The exception really shaped the report: bob.admin's MFA failure is excepted in the JSON.
    const json = await readFile(join(out, (await readdir(out)).find((name) => /^iam_audit_[\dT-]+\.json$/.test(name)) ?? ''), 'utf8');
    assert.match(json, /"status":"excepted"/);
    assert.match(json, /Break-glass admin, hardware token on order/);
  });
});
