/**
 * A signed `diff` run (issue 13): the change-report PDF is signed like a report PDF (pdfsig and
 * `verify` accept it), and the manifest has its own change-report section naming OLD and NEW with
 * their SHA-256; `verify` of the manifest checks every listed file.
 */
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { sha256Hex } from '../src/util/files.js';
import { runCli, temporaryFolder } from './support/cli.js';
import { EXCEPTIONS_YAML, NEW_CAPTURE, newSnapshot, OLD_CAPTURE, oldSnapshot } from './support/demo-series.js';
import { makeTestPki, nssTrusting, pdfsig, PKI_PASSWORD, type TestPki } from './support/evidence-pki.js';

const ENV = { IAM_AUDIT_TEST_SIGNING_PASSWORD: PKI_PASSWORD };

interface ChangeManifest {
  snapshot: { sha256: string };
  artifacts: { name: string; sha256: string; size: number }[];
  changeReport: {
    old: { file: string; sha256: string; capturedAt: string; kind: string };
    new: { file: string; sha256: string; capturedAt: string; kind: string; snapshot: { sha256: string } };
    files: string[];
  };
}

describe('diff --sign-p12: a signed change report', () => {
  let folder: { path: string; cleanup: () => Promise<void> };
  let pki: TestPki;
  let oldPath: string;
  let newPath: string;
  let out: string;
  let files: string[];
  let pdfPath: string;
  let manifestPath: string;

  before(async () => {
    folder = await temporaryFolder('iam-audit-diff-signed-');
    pki = await makeTestPki(folder.path);
    oldPath = join(folder.path, 'snapshot-old.json');
    newPath = join(folder.path, 'snapshot-new.json.gz');
    const exceptions = join(folder.path, 'exceptions.yaml');
    await writeFile(oldPath, JSON.stringify(oldSnapshot(), null, 2));
    await writeFile(newPath, gzipSync(JSON.stringify(newSnapshot(), null, 2)));
    await writeFile(exceptions, EXCEPTIONS_YAML);
    out = join(folder.path, 'out');
    const run = await runCli(
      ['diff', oldPath, newPath, '--exceptions', exceptions, '-f', 'csv,json,pdf', '-d', out,
        '--sign-p12', pki.signerP12, '--sign-pass-env', 'IAM_AUDIT_TEST_SIGNING_PASSWORD', '--sign-reason', 'Monthly IAM changes', '--sign-location', 'Berlin'],
      { env: ENV },
    );
    assert.equal(run.code, 0, run.stderr);
    files = (await readdir(out)).sort();
    pdfPath = join(out, files.find((name) => name.endsWith('.pdf')) ?? 'missing.pdf');
    manifestPath = join(out, files.find((name) => name.endsWith('.manifest.json')) ?? 'missing.manifest.json');
  });
  after(() => folder.cleanup());

  it('writes the change report, a manifest, its signature and SHA256SUMS', () => {
    const stem = files.find((name) => name.endsWith('.pdf'))?.replace(/\.pdf$/, '') ?? '';
    assert.match(stem, /^iam_audit_changes_/);
    assert.deepEqual(files, [`${stem}.SHA256SUMS`, `${stem}.csv`, `${stem}.json`, `${stem}.manifest.json`, `${stem}.manifest.json.p7s`, `${stem}.pdf`].sort());
  });

  it('pdfsig calls the change-report PDF signature valid and covering the whole document', async () => {
    const text = await pdfsig(pdfPath, await nssTrusting(pki.caPem, folder.path));
    assert.match(text, /Signature is Valid/);
    assert.match(text, /Total document signed/);
    assert.match(text, /Certificate is Trusted/);
  });

  it('verify accepts the PDF (signature, chain, embedded NEW) and checks --snapshot against NEW', async () => {
    const run = await runCli(['verify', pdfPath, '--trust', pki.caPem, '--snapshot', newPath]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /VERIFIED/);
    assert.match(run.stdout, /reason "Monthly IAM changes", location "Berlin"/);
    assert.match(run.stdout, /snapshot-new\.json\.gz/);
    const wrong = await runCli(['verify', pdfPath, '--trust', pki.caPem, '--snapshot', oldPath]);
    assert.equal(wrong.code, 1, wrong.stdout);
  });

  it('the manifest names OLD and NEW with their SHA-256 and lists the change report files', async () => {
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as ChangeManifest;
    const section = manifest.changeReport;
    assert.equal(section.old.file, 'snapshot-old.json');
    assert.equal(section.old.sha256, sha256Hex(await readFile(oldPath)));
    assert.equal(section.old.capturedAt, OLD_CAPTURE);
    assert.equal(section.old.kind, 'snapshot');
    assert.equal(section.new.file, 'snapshot-new.json.gz');
    assert.equal(section.new.sha256, sha256Hex(await readFile(newPath)));
    assert.equal(section.new.capturedAt, NEW_CAPTURE);
    assert.equal(manifest.snapshot.sha256, section.new.snapshot.sha256);
    const reportFiles = files.filter((name) => /\.(csv|json|pdf)$/.test(name) && !name.includes('manifest'));
    assert.deepEqual([...section.files].sort(), reportFiles);
    for (const name of reportFiles) {
      const artifact = manifest.artifacts.find((entry) => entry.name === name);
      assert.equal(artifact?.sha256, sha256Hex(await readFile(join(out, name))), name);
    }
    const sums = await readFile(manifestPath.replace(/\.manifest\.json$/, '.SHA256SUMS'), 'utf8');
    for (const name of [...reportFiles, files.find((file) => file.endsWith('.manifest.json')) ?? '']) assert.match(sums, new RegExp(`^[0-9a-f]{64}  ${name.replace(/\./g, '\\.')}$`, 'm'));
  });

  it('verify accepts the manifest, and fails it once a listed file is changed', async () => {
    const run = await runCli(['verify', manifestPath, '--trust', pki.caPem]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /VERIFIED/);
    const csv = join(out, files.find((name) => name.endsWith('.csv')) ?? 'missing.csv');
    await writeFile(csv, `${await readFile(csv, 'utf8')}tampered\n`);
    const tampered = await runCli(['verify', manifestPath, '--trust', pki.caPem]);
    assert.equal(tampered.code, 1, tampered.stdout);
    assert.match(tampered.stdout, /NOT VERIFIED/);
    assert.match(tampered.stdout, /changed:/);
  });

  it('refuses --sign-p12 without a change report to sign, writing nothing', async () => {
    const empty = join(folder.path, 'none');
    const run = await runCli(['diff', oldPath, newPath, '-d', empty, '--sign-p12', pki.signerP12, '--sign-pass-env', 'IAM_AUDIT_TEST_SIGNING_PASSWORD'], { env: ENV });
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /--sign-p12 needs --format/);
    await assert.rejects(readdir(empty));
  });
});
