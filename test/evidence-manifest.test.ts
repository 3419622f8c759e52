import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PDFDocument } from 'pdf-lib';
import { analyseLoaded } from '../src/app/shared/analyse.js';
import { embedPdfEvidence, manifestOutputs, type EvidenceContext } from '../src/evidence/report-evidence.js';
import { loadP12Signer } from '../src/evidence/signer.js';
import { readSnapshot } from '../src/snapshot/io.js';
import { sha256Hex, writeOutputs } from '../src/util/files.js';
import { CLI_PATH, FIXTURES, runCli, temporaryFolder } from './support/cli.js';
import { makeTestPki, PKI_PASSWORD, runTool, type TestPki } from './support/evidence-pki.js';

const CREDENTIAL_REPORT = join(FIXTURES, 'demo', 'credential-report.csv');
const SIGNING_ENV = { IAM_AUDIT_TEST_P12_PASSWORD: PKI_PASSWORD };

interface ManifestShape {
  manifestVersion: number;
  tool: { name: string; version: string };
  createdAt: string;
  snapshot: { fileName: string; sha256: string; capturedAt: string };
  artifacts: { name: string; size: number; sha256: string }[];
}

describe('manifest.json, SHA256SUMS and manifest.json.p7s', () => {
  let folder: { path: string; cleanup: () => Promise<void> };
  let pki: TestPki;
  let signedOut: string;

  function audit(outDir: string, extra: readonly string[], env: NodeJS.ProcessEnv = SIGNING_ENV) {
    return runCli(['audit', CREDENTIAL_REPORT, '--generated-at', '2026-11-02T08:15:42Z', '-d', outDir, '--format', 'csv,json', '--quiet', ...extra], { env });
  }

  /** The run's evidence files carry its stem: iam_audit_<time>.manifest.json, .SHA256SUMS, .manifest.json.p7s. */
  async function evidenceNames(outDir: string): Promise<{ manifest: string; sums: string; signature: string }> {
    const manifest = (await readdir(outDir)).find((name) => name.endsWith('.manifest.json'));
    assert.ok(manifest !== undefined, `a manifest in ${outDir}`);
    const stem = manifest.slice(0, -'.manifest.json'.length);
    return { manifest, sums: `${stem}.SHA256SUMS`, signature: `${manifest}.p7s` };
  }

  before(async () => {
    folder = await temporaryFolder('iam-audit-evidence-manifest-');
    pki = await makeTestPki(folder.path);
    signedOut = join(folder.path, 'signed');
    const run = await audit(signedOut, ['--sign-p12', pki.signerP12, '--sign-pass-env', 'IAM_AUDIT_TEST_P12_PASSWORD']);
    assert.equal(run.code, 0, run.stderr);
  });
  after(() => folder.cleanup());

  it('lists every artifact with its size and SHA-256, and names the snapshot', async () => {
    const evidence = await evidenceNames(signedOut);
    const manifest = JSON.parse(await readFile(join(signedOut, evidence.manifest), 'utf8')) as ManifestShape;
    const files = (await readdir(signedOut)).sort();
    const names = manifest.artifacts.map((artifact) => artifact.name).sort();
    assert.deepEqual(names, files.filter((name) => ![evidence.manifest, evidence.sums, evidence.signature, `${evidence.sums}.p7s`].includes(name)));
    assert.equal(names.length, 5, 'snapshot, the MFA, findings and rules CSVs, and the JSON');
    for (const artifact of manifest.artifacts) {
      const bytes = await readFile(join(signedOut, artifact.name));
      assert.equal(artifact.size, bytes.length);
      assert.equal(artifact.sha256, sha256Hex(bytes));
    }
    assert.equal(manifest.manifestVersion, 1);
    assert.equal(manifest.tool.name, 'iam-audit');
    assert.equal(manifest.snapshot.capturedAt, '2026-11-02T08:15:42Z');
    const snapshotArtifact = manifest.artifacts.find((artifact) => artifact.name === manifest.snapshot.fileName);
    assert.equal(snapshotArtifact?.sha256, manifest.snapshot.sha256);
  });

  it('is accepted by sha256sum -c and openssl cms -verify, without our tool', async () => {
    const evidence = await evidenceNames(signedOut);
    const sums = await runTool('sha256sum', ['-c', evidence.sums], signedOut);
    assert.equal(sums.code, 0, sums.stderr);
    assert.equal(sums.stdout.trim().split('\n').filter((line) => line.endsWith(': OK')).length, 6);
    const cms = await runTool('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', evidence.signature, '-content', evidence.manifest, '-CAfile', pki.caPem, '-out', '/dev/null'], signedOut);
    assert.equal(cms.code, 0, cms.stderr);
    assert.match(cms.stderr, /CMS Verification successful/);
  });

  it('verify checks the signature and every listed file', async () => {
    const run = await runCli(['verify', join(signedOut, (await evidenceNames(signedOut)).manifest), '--trust', pki.caPem]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /^PASS {2}manifest digest: SHA-256 of iam_audit_[\dT-]+\.manifest\.json matches iam_audit_[\dT-]+\.manifest\.json\.p7s/m);
    assert.match(run.stdout, /^PASS {2}certificate chain: trusted: "Example Org Audit Signer" <- "Throwaway Evidence CA"/m);
    assert.equal(run.stdout.match(/^PASS {2}.*: \d+ bytes, SHA-256 matches$/gm)?.length, 5);
    assert.match(run.stdout, /^VERIFIED/m);
  });

  it('catches a changed artifact and a changed manifest', async () => {
    const out = join(folder.path, 'tamper');
    assert.equal((await audit(out, ['--sign-p12', pki.signerP12, '--sign-pass-env', 'IAM_AUDIT_TEST_P12_PASSWORD'])).code, 0);
    const evidence = await evidenceNames(out);
    const csv = (await readdir(out)).find((name) => name.endsWith('.csv')) ?? '';
    await writeFile(join(out, csv), `${await readFile(join(out, csv), 'utf8')}mallory,False,False,PASS\n`);
    const sums = await runTool('sha256sum', ['-c', evidence.sums], out);
    assert.notEqual(sums.code, 0);
    assert.match(sums.stdout, new RegExp(`${csv}: FAILED`));
    const afterCsv = await runCli(['verify', join(out, evidence.manifest), '--trust', pki.caPem]);
    assert.equal(afterCsv.code, 1);
    assert.match(afterCsv.stdout, new RegExp(`^FAIL {2}${csv}: changed: `, 'm'));
    assert.match(afterCsv.stdout, /^PASS {2}manifest digest/m);

    const manifestPath = join(out, evidence.manifest);
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as ManifestShape;
    const csvEntry = manifest.artifacts.find((artifact) => artifact.name === csv);
    assert.ok(csvEntry !== undefined);
    const csvBytes = await readFile(join(out, csv));
    csvEntry.size = csvBytes.length;
    csvEntry.sha256 = sha256Hex(csvBytes);
    await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
    const cms = await runTool('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', evidence.signature, '-content', evidence.manifest, '-CAfile', pki.caPem, '-out', '/dev/null'], out);
    assert.notEqual(cms.code, 0);
    const afterManifest = await runCli(['verify', manifestPath, '--trust', pki.caPem]);
    assert.equal(afterManifest.code, 1);
    assert.match(afterManifest.stdout, /^FAIL {2}manifest digest: iam_audit_[\dT-]+\.manifest\.json was changed after it was signed/m);
  });

  it('writes an unsigned manifest on every run, which verify calls unsigned', async () => {
    const out = join(folder.path, 'unsigned');
    const run = await audit(out, [], {});
    assert.equal(run.code, 0, run.stderr);
    const evidence = await evidenceNames(out);
    const files = (await readdir(out)).sort();
    assert.ok(files.includes(evidence.sums) && !files.includes(evidence.signature), files.join(' '));
    assert.equal((await runTool('sha256sum', ['-c', evidence.sums], out)).code, 0);
    const verify = await runCli(['verify', join(out, evidence.manifest)]);
    assert.equal(verify.code, 1);
    assert.match(verify.stdout, /^FAIL {2}manifest signature: .*manifest\.json\.p7s not found: the manifest is unsigned/m);
    assert.equal(verify.stdout.match(/^PASS {2}.*SHA-256 matches$/gm)?.length, 5);
  });

  it('refuses bad signing material with one line, exit 2 and nothing written', async () => {
    const corrupt = join(folder.path, 'corrupt.p12');
    await writeFile(corrupt, Buffer.from('this is not a PKCS#12 file at all'));
    const future = String(Math.floor(Date.now() / 1000) + 90 * 86_400);
    const cases: { name: string; args: string[]; env?: NodeJS.ProcessEnv; message: RegExp }[] = [
      { name: 'wrong-password', args: ['--sign-p12', pki.signerP12, '--sign-pass-env', 'WRONG'], env: { WRONG: 'not the password' }, message: /signer\.p12: wrong password for this PKCS#12 file/ },
      { name: 'corrupt', args: ['--sign-p12', corrupt, '--sign-pass-env', 'IAM_AUDIT_TEST_P12_PASSWORD'], message: /corrupt\.p12: not a readable PKCS#12/ },
      { name: 'expired', args: ['--sign-p12', pki.signerP12, '--sign-pass-env', 'IAM_AUDIT_TEST_P12_PASSWORD'], env: { ...SIGNING_ENV, SOURCE_DATE_EPOCH: future }, message: /certificate "Example Org Audit Signer" expired on / },
      { name: 'not-yet-valid', args: ['--sign-p12', pki.signerP12, '--sign-pass-env', 'IAM_AUDIT_TEST_P12_PASSWORD'], env: { ...SIGNING_ENV, SOURCE_DATE_EPOCH: '1577836800' }, message: /is not valid yet at the signing time 2020-01-01T00:00:00Z/ },
      { name: 'encipher-only', args: ['--sign-p12', pki.encipherOnlyP12, '--sign-pass-env', 'IAM_AUDIT_TEST_P12_PASSWORD'], message: /certificate "Encipher Only" is not meant for signing/ },
      { name: 'unset-variable', args: ['--sign-p12', pki.signerP12, '--sign-pass-env', 'NOT_SET_ANYWHERE'], message: /--sign-pass-env NOT_SET_ANYWHERE: that environment variable is not set/ },
      { name: 'no-terminal', args: ['--sign-p12', pki.signerP12], message: /no terminal to ask for its password; .*--sign-pass-env VAR/ },
      { name: 'tsa-down', args: ['--sign-p12', pki.signerP12, '--sign-pass-env', 'IAM_AUDIT_TEST_P12_PASSWORD', '--tsa-url', 'http://127.0.0.1:9/'], message: /--tsa-url http:\/\/127\.0\.0\.1:9\/: could not reach the timestamp authority/ },
    ];
    for (const testCase of cases) {
      const out = join(folder.path, testCase.name);
      const run = await audit(out, testCase.args, testCase.env ?? SIGNING_ENV);
      assert.equal(run.code, 2, `${testCase.name}: ${run.stderr}`);
      assert.match(run.stderr, testCase.message, testCase.name);
      assert.equal(run.stderr.trim().split('\n').length, 1, `${testCase.name}: ${run.stderr}`);
      const written = await readdir(out).catch(() => []);
      // The TSA fails after the import: the snapshot stays (it is the input), nothing signed-looking does.
      assert.deepEqual(written.filter((name) => !name.startsWith('snapshot-')), [], testCase.name);
    }
  });

  it('puts the evidence into a rendered PDF, signs it, and lists the signed bytes (the hook the PDF renderer feeds)', async () => {
    const now = new Date();
    const loaded = await readSnapshot(join(FIXTURES, 'demo', 'snapshot.json'));
    const result = analyseLoaded(loaded, now, now);
    const page = await PDFDocument.create();
    page.addPage();
    const signer = await loadP12Signer(pki.signerP12, PKI_PASSWORD, now);
    const outDir = join(folder.path, 'with-pdf');
    const context: EvidenceContext = {
      result,
      loaded,
      outDir,
      now,
      stem: 'report',
      signing: { signer, reason: 'audit', location: 'Berlin' },
      config: { fileName: 'iam-audit.yaml', bytes: Buffer.from('x: 1\n') },
    };
    const outputs = await embedPdfEvidence([{ fileName: 'report.pdf', content: await page.save() }, { fileName: 'report.csv', content: 'a,b\n' }], context);
    const written = await writeOutputs(outDir, outputs, false, (digests) => manifestOutputs(digests, context));
    assert.deepEqual(written.map((path) => basename(path)), ['report.pdf', 'report.csv', 'report.manifest.json', 'report.SHA256SUMS', 'report.manifest.json.p7s', 'report.SHA256SUMS.p7s']);
    const manifest = JSON.parse(await readFile(join(outDir, 'report.manifest.json'), 'utf8')) as ManifestShape;
    assert.equal(manifest.artifacts.find((artifact) => artifact.name === 'report.pdf')?.sha256, sha256Hex(await readFile(join(outDir, 'report.pdf'))));
    const pdf = await runCli(['verify', join(outDir, 'report.pdf'), '--trust', pki.caPem, '--reproduce']);
    assert.equal(pdf.code, 0, pdf.stdout);
    assert.equal((await runCli(['verify', join(outDir, 'report.manifest.json'), '--trust', pki.caPem])).code, 0);
  });

  it('asks for the password at a terminal without echoing it', async () => {
    const out = join(folder.path, 'prompted');
    // util-linux `script` gives the CLI a real pseudo-terminal; we type once the prompt shows.
    const command = [process.execPath, CLI_PATH, 'report', join(FIXTURES, 'demo', 'snapshot.json'), '-d', out, '-q', '--format', 'json', '--sign-p12', pki.signerP12].map((part) => `'${part}'`).join(' ');
    const child = spawn('script', ['-qec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let transcript = '';
    let typed = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      transcript += chunk;
      if (!typed && transcript.includes('Password for')) {
        typed = true;
        child.stdin.write(`${PKI_PASSWORD}\r`);
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 0, transcript);
    assert.ok(typed, transcript);
    assert.ok(!transcript.includes(PKI_PASSWORD), `the password must not be echoed: ${JSON.stringify(transcript.slice(0, 300))}`);
    assert.ok((await readdir(out)).some((name) => name.endsWith('.manifest.json.p7s')));
  });

  it('never takes a password as an argument', async () => {
    const out = join(folder.path, 'password-argument');
    const run = await runCli(['report', join(FIXTURES, 'demo', 'snapshot.json'), '-d', out, '--sign-p12', pki.signerP12, '--sign-pass', PKI_PASSWORD]);
    assert.equal(run.code, 2);
    assert.deepEqual(await readdir(out).catch(() => []), []);
  });
});
