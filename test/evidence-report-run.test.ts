/**
 * The whole chain as an auditor receives it: a real `report` run (Chromium PDF) with a
 * configuration, exceptions and a certificate; then pdfsig, pdfdetach and `verify --reproduce`.
 * The run has a signing password and AWS secrets in its environment, and the environments of its
 * real Chromium processes are read while it prints: none of them may reach the browser.
 */
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCliWatchingChromium, type WatchedRun } from './support/chromium-environment.js';
import { FIXTURES, runCli, temporaryFolder } from './support/cli.js';
import { makeTestPki, nssTrusting, pdfsig, PKI_PASSWORD, runTool, type TestPki } from './support/evidence-pki.js';

const SNAPSHOT = join(FIXTURES, 'demo', 'snapshot.json');
const CONFIG = 'rules:\n  access-key-rotation:\n    maxAgeDays: 120\n';
/** In the run's environment; the first is the one --sign-pass-env names. */
const SECRETS: Readonly<Record<string, string>> = {
  IAM_AUDIT_TEST_SIGNING_PASSWORD: PKI_PASSWORD,
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  AWS_SESSION_TOKEN: 'FwoGZXIvYXdzEXAMPLESESSIONTOKEN',
  AWS_PROFILE: 'audit-profile-example',
};
const EXCEPTIONS = 'exceptions:\n  - { rule: console-users-mfa, resource: bob.admin, justification: "Break-glass admin, hardware token on order", approvedBy: ciso@example.com, expires: 2027-06-30 }\n';

describe('a signed report run, verified end to end', () => {
  let folder: { path: string; cleanup: () => Promise<void> };
  let pki: TestPki;
  let out: string;
  let pdfPath: string;
  let run: WatchedRun;

  before(async () => {
    folder = await temporaryFolder('iam-audit-evidence-run-');
    pki = await makeTestPki(folder.path);
    await writeFile(join(folder.path, 'iam-audit.yaml'), CONFIG);
    await writeFile(join(folder.path, 'exceptions.yaml'), EXCEPTIONS);
    out = join(folder.path, 'out');
    run = await runCliWatchingChromium(
      ['report', SNAPSHOT, '-d', out, '--format', 'json,pdf', '--quiet', '--config', join(folder.path, 'iam-audit.yaml'), '--exceptions', join(folder.path, 'exceptions.yaml'),
        '--sign-p12', pki.signerP12, '--sign-pass-env', 'IAM_AUDIT_TEST_SIGNING_PASSWORD', '--sign-reason', 'Q4 IAM audit', '--sign-location', 'Berlin'],
      SECRETS,
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

  it('no signing password and no AWS secret reaches the Chromium processes of the signed PDF render', { skip: process.platform !== 'linux' && 'reads /proc' }, () => {
    const seen = run.chromium;
    assert.ok(seen.size >= 2, `the browser and at least one of its helpers were seen (${seen.size})`);
    for (const [pid, environment] of seen) {
      for (const [name, value] of Object.entries(SECRETS)) {
        assert.ok(!environment.some((line) => line.startsWith(`${name}=`)), `process ${pid} has ${name}`);
        assert.ok(!environment.some((line) => line.includes(value)), `process ${pid} holds the value of ${name}`);
      }
    }
    // Chromium rewrites some helpers' process titles over their environment's memory; the others
    // show the environment it was given, which proves these reads saw real environments.
    const withProfileTmp = [...seen.values()].filter((environment) => environment.some((line) => line.startsWith('TMPDIR=') && line.includes('iam-audit-chromium-')));
    assert.ok(withProfileTmp.length >= 1, 'at least one process shows the environment the browser was given');
    for (const environment of withProfileTmp) assert.ok(environment.every((line) => /^(PATH|HOME|USER|LOGNAME|LANG|LANGUAGE|LC_[A-Z]+|TZ|FONTCONFIG_\w+|XDG_\w+|TMPDIR|CHROME_[A-Z_]+|GOOGLE_[A-Z_]+)=/.test(line)), environment.join('\n'));
  });
});
