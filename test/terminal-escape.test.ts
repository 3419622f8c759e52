/**
 * Text from input reaches the terminal with its control characters escaped: console lines,
 * warnings, error lines and `verify` output. A user name that carries an escape sequence, a
 * carriage return, a bell or a bidi override is shown as visible `\x1B`, `\x0D`, `\x07`, `\u202E`.
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { escapeForTerminal } from '../src/util/terminal-text.js';
import { FIXTURES, runCli, temporaryFolder } from './support/cli.js';
import { openssl, PKI_PASSWORD } from './support/evidence-pki.js';
import { HEADER_22, ROOT_ROW_OLD, userRow } from './support/reports.js';

/** Any character a terminal would act on rather than show: controls other than the line feed, and bidi controls. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

let work: { path: string; cleanup: () => Promise<void> };
before(async () => {
  work = await temporaryFolder();
});
after(async () => {
  await work.cleanup();
});

describe('escapeForTerminal', () => {
  it('escapes C0 and C1 controls, DEL and bidi controls, and nothing else', () => {
    assert.equal(escapeForTerminal('\u001b[31mred\u001b[0m'), '\\x1B[31mred\\x1B[0m');
    assert.equal(escapeForTerminal('ok\rFAKE'), 'ok\\x0DFAKE');
    assert.equal(escapeForTerminal('bell\u0007'), 'bell\\x07');
    assert.equal(escapeForTerminal('a\nb\tc\u0000d\u007f'), 'a\\x0Ab\\x09c\\x00d\\x7F');
    assert.equal(escapeForTerminal('\u009b2J\u0085'), '\\x9B2J\\x85', 'C1: CSI and NEL');
    assert.equal(escapeForTerminal('\u202Enimda\u202C'), '\\u202Enimda\\u202C');
    for (const bidi of ['\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069', '\u200E', '\u200F', '\u061C']) {
      assert.doesNotMatch(escapeForTerminal(`x${bidi}y`), RAW_CONTROL, `U+${bidi.charCodeAt(0).toString(16)}`);
    }
    assert.equal(escapeForTerminal('Zoë 名前 +=,.@_- C:\\Users'), 'Zoë 名前 +=,.@_- C:\\Users', 'printable text is unchanged');
  });
});

describe('text from input on the terminal', () => {
  it('console lines and warnings show user names and header cells escaped', async () => {
    const folder = join(work.path, 'console');
    await mkdir(folder);
    const csv = join(folder, 'report.csv');
    const names = ['\u001b[2J\u001b[31mred', 'ok\rFAKE', 'bell\u0007', '\u202Enimda', 'iso\u2066late\u2069'];
    const header = `${HEADER_22},\u001b]0;pwned\u0007`;
    // The ARN cannot hold controls (it is checked); the user name column is copied as it is.
    const rows = [ROOT_ROW_OLD, ...names.map((name, index) => userRow(name, { arn: `arn:aws:iam::123456789012:user/user-${index}` }))].map((row) => `${row},x`);
    await writeFile(csv, `${[header, ...rows].join('\n')}\n`);
    const snapshot = join(folder, 'snapshot.json');
    const imported = await runCli(['import', csv, '--generated-at', '2026-02-01T00:00:00Z', '-o', snapshot]);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stderr, /ignoring columns this version does not know: \\x1B\]0;pwned\\x07\n/);
    assert.doesNotMatch(imported.stderr, RAW_CONTROL);
    const reported = await runCli(['report', snapshot, '-d', join(folder, 'out'), '--format', 'csv']);
    assert.equal(reported.code, 0, reported.stderr);
    assert.doesNotMatch(reported.stdout, RAW_CONTROL);
    assert.doesNotMatch(reported.stderr, RAW_CONTROL);
    for (const shown of ['\\x1B[2J\\x1B[31mred', 'ok\\x0DFAKE', 'bell\\x07', '\\u202Enimda', 'iso\\u2066late\\u2069']) {
      assert.ok(reported.stdout.includes(`Checking: ${shown}\n`), `Checking: ${shown}`);
    }
  });

  it('an error line quoting a cell stays one escaped line', async () => {
    const csv = join(work.path, 'bad-cell.csv');
    await writeFile(csv, `${[HEADER_22, ROOT_ROW_OLD, userRow('alice', { mfa_active: '\u001b]0;owned\u0007\rtrue\n' })].join('\n')}\n`);
    const run = await runCli(['import', csv, '-o', join(work.path, 'bad-cell.json')]);
    assert.equal(run.code, 2);
    assert.doesNotMatch(run.stderr, RAW_CONTROL);
    assert.equal(run.stderr.split('\n').length, 2, `one line: ${run.stderr}`);
    assert.match(run.stderr, /line \d+, column mfa_active: "\\x1B\]0;owned\\x07\\x0Dtrue" is not a boolean/);
  });

  it('verify shows names from the evidence escaped', async () => {
    const folder = join(work.path, 'verify');
    await mkdir(folder);
    const manifest = join(folder, 'run.manifest.json');
    await writeFile(
      manifest,
      JSON.stringify({
        manifestVersion: 1,
        tool: { name: 'iam-audit', version: '0.1.0' },
        createdAt: '2026-02-01T00:00:00Z',
        snapshot: { fileName: 'snapshot.json', sha256: '0'.repeat(64), capturedAt: '2026-02-01T00:00:00Z' },
        artifacts: [{ name: '\u001b[1A\u001b[2KPASS  all good\u202E.csv', size: 1, sha256: '0'.repeat(64) }],
      }),
    );
    const run = await runCli(['verify', manifest]);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.doesNotMatch(run.stdout, RAW_CONTROL);
    assert.match(run.stdout, /^FAIL {2}\\x1B\[1A\\x1B\[2KPASS {2}all good\\u202E\.csv: /m);
  });

  it('verify shows a certificate subject escaped', async () => {
    const folder = join(work.path, 'certificate');
    await mkdir(folder);
    const subject = '/CN=Audit\u202ESigner\u001b[31m';
    await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '30', '-utf8', '-subj', subject, '-addext', 'keyUsage=critical,digitalSignature,nonRepudiation'], folder);
    await openssl(['pkcs12', '-export', '-inkey', 'key.pem', '-in', 'cert.pem', '-out', 'signer.p12', '-passout', `pass:${PKI_PASSWORD}`], folder);
    const out = join(folder, 'out');
    const audit = await runCli(
      ['audit', join(FIXTURES, 'demo', 'credential-report.csv'), '--generated-at', '2026-11-02T08:15:42Z', '-d', out, '--format', 'csv', '--quiet', '--sign-p12', join(folder, 'signer.p12'), '--sign-pass-env', 'IAM_AUDIT_TEST_P12_PASSWORD'],
      { env: { IAM_AUDIT_TEST_P12_PASSWORD: PKI_PASSWORD } },
    );
    assert.equal(audit.code, 0, audit.stderr);
    const { readdir } = await import('node:fs/promises');
    const manifest = (await readdir(out)).find((name) => name.endsWith('.manifest.json'));
    assert.ok(manifest !== undefined);
    const run = await runCli(['verify', join(out, manifest), '--trust', join(folder, 'cert.pem')]);
    assert.doesNotMatch(run.stdout, RAW_CONTROL);
    assert.doesNotMatch(run.stderr, RAW_CONTROL);
    // The evidence code already writes the ESC of a subject as \1B (RFC 4514); the bidi override is ours to escape.
    assert.ok(run.stdout.includes('made by "Audit\\u202ESigner'), run.stdout);
  });
});
