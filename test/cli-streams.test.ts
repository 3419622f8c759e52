/**
 * Command-line conventions: standard streams for import (`-` in, `-o -` out, /dev/stdout without
 * hanging), comma-separated list options that leave the positionals alone, help defaults as typed,
 * an unknown flag named once.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { lstatSync } from 'node:fs';
import { open, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CURRENT_SCHEMA_VERSION } from '../src/snapshot/types.js';
import { CLI_PATH, FIXTURES, runCli, temporaryFolder } from './support/cli.js';

const DEMO_REPORT = join(FIXTURES, 'demo', 'credential-report.csv');
const DEMO_SNAPSHOT = join(FIXTURES, 'demo', 'snapshot.json');
const GENERATED_AT = ['--generated-at', '2026-11-02T08:15:42Z'];
/** A hung import is a failure, not a hung suite. */
const HANG_LIMIT = { timeout: 120_000 };

let work: { path: string; cleanup: () => Promise<void> };
before(async () => {
  work = await temporaryFolder('iam-audit-streams-');
});
after(async () => {
  await work.cleanup();
});

interface Snapshotish {
  readonly schemaVersion: number;
  readonly account: { readonly id: string };
  readonly users: readonly unknown[];
  readonly credentialReport: { readonly fileName: string | null };
}

describe('import with standard streams', () => {
  it('reads the CSV from stdin with "-" and writes the snapshot to stdout with "-o -"', HANG_LIMIT, async () => {
    const csv = await readFile(DEMO_REPORT, 'utf8');
    const run = await runCli(['import', '-', '-o', '-', ...GENERATED_AT], { cwd: work.path, input: csv });
    assert.equal(run.code, 0, run.stderr);
    const snapshot = JSON.parse(run.stdout) as Snapshotish;
    assert.equal(snapshot.schemaVersion, CURRENT_SCHEMA_VERSION);
    assert.equal(snapshot.account.id, '111122223333');
    assert.equal(snapshot.users.length, 26);
    assert.equal(snapshot.credentialReport.fileName, null);
    // The human summary goes to stderr so that stdout is exactly the snapshot.
    assert.match(run.stderr, /Snapshot written: standard output/);
    assert.deepEqual(await readdir(work.path), []);
  });

  it('writes the same snapshot to stdout as to a file', HANG_LIMIT, async () => {
    const toFile = join(work.path, 'file.json');
    assert.equal((await runCli(['import', DEMO_REPORT, '-o', toFile, ...GENERATED_AT])).code, 0);
    const run = await runCli(['import', DEMO_REPORT, '-o', '-', ...GENERATED_AT]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, await readFile(toFile, 'utf8'));
  });

  it('names stdin in the error for a bad CSV on standard input, exit 2, nothing on stdout', HANG_LIMIT, async () => {
    const run = await runCli(['import', '-', '-o', '-'], { cwd: work.path, input: 'not,a,credential,report\n1,2,3,4\n' });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^iam-audit: stdin: /);
    assert.equal(run.stdout, '');
  });

  it('writes to /dev/stdout when it is a pipe, without reading it first (it used to hang)', HANG_LIMIT, async () => {
    const run = await runCli(['import', DEMO_REPORT, '-o', '/dev/stdout', ...GENERATED_AT]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal((JSON.parse(run.stdout) as Snapshotish).account.id, '111122223333');
    assert.match(run.stderr, /Snapshot written: \/dev\/stdout/);
  });

  it('writes to /dev/stdout redirected to a file, leaving /dev/stdout itself in place', HANG_LIMIT, async () => {
    const target = join(work.path, 'redirected.json');
    const handle = await open(target, 'w');
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, [CLI_PATH, 'import', DEMO_REPORT, '-o', '/dev/stdout', ...GENERATED_AT], { stdio: ['ignore', handle.fd, 'ignore'] });
      child.on('error', reject);
      child.on('close', resolve);
    });
    await handle.close();
    assert.equal(code, 0);
    assert.equal((JSON.parse(await readFile(target, 'utf8')) as Snapshotish).users.length, 26);
    assert.ok(lstatSync('/dev/stdout').isSymbolicLink(), '/dev/stdout was not replaced by a file');
  });

  it('a reader that stops early (| head) gets exit 2 and one line, not a crash', HANG_LIMIT, async () => {
    const [header = '', root = '', user = ''] = (await readFile(DEMO_REPORT, 'utf8')).split('\n');
    const rows = Array.from({ length: 5000 }, (_, index) => user.replaceAll('alice.admin', `user${index}`));
    const big = join(work.path, 'big.csv');
    await writeFile(big, `${[header, root, ...rows].join('\n')}\n`);
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [CLI_PATH, 'import', big, '-o', '-', ...GENERATED_AT], { stdio: ['ignore', 'pipe', 'pipe'] });
      let errors = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
      child.stdout.once('data', () => child.stdout.destroy());
      child.on('error', reject);
      child.on('close', (exitCode) => resolve({ code: exitCode, stderr: errors }));
    });
    assert.equal(code, 2);
    assert.match(stderr, /^iam-audit: standard output closed before the whole snapshot was written \([^)]+\)\n$/);
  });

  it('audit reads the CSV from stdin with "-"', HANG_LIMIT, async () => {
    const out = join(work.path, 'audit-stdin');
    const run = await runCli(['audit', '-', ...GENERATED_AT, '-d', out, '-f', 'json', '-q'], { input: await readFile(DEMO_REPORT, 'utf8') });
    assert.equal(run.code, 0, run.stderr);
    const written = await readdir(out);
    assert.ok(written.includes('snapshot-111122223333-2026-11-02T08-15-42Z.json'), written.join(', '));
    assert.ok(written.some((name) => /^iam_audit_.*\.json$/.test(name) && !name.includes('manifest')));
  });
});

describe('list options and positionals', () => {
  it('report -f json SNAPSHOT: the format list does not swallow the snapshot', async () => {
    const out = join(work.path, 'format-first');
    const run = await runCli(['report', '-f', 'json', DEMO_SNAPSHOT, '-d', out, '-q']);
    assert.equal(run.code, 0, run.stderr);
    const reports = (await readdir(out)).filter((name) => !/manifest|SHA256SUMS/.test(name));
    assert.equal(reports.length, 1);
    assert.match(reports[0] ?? '', /\.json$/);
  });

  it('--framework before the snapshot, and a repeated --format, both work', async () => {
    const out = join(work.path, 'repeated');
    const run = await runCli(['report', '--framework', 'cis-5.0,fsbp', '-f', 'json', '-f', 'csv', DEMO_SNAPSHOT, '-d', out, '-q']);
    assert.equal(run.code, 0, run.stderr);
    const reports = (await readdir(out)).filter((name) => !/manifest|SHA256SUMS/.test(name));
    assert.ok(reports.some((name) => name.endsWith('.json')));
    assert.ok(reports.some((name) => name.endsWith('.csv')));
    assert.ok(!reports.some((name) => name.endsWith('.pdf') || name.endsWith('.html')));
  });

  it('a list flag without a value is a usage error', async () => {
    const run = await runCli(['report', DEMO_SNAPSHOT, '-d', join(work.path, 'none'), '--format']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /format/);
  });

  it('help shows list defaults as typed on the command line', async () => {
    for (const command of ['report', 'audit']) {
      const help = await runCli([command, '--help']);
      assert.equal(help.code, 0);
      assert.match(help.stdout, /\[default: csv,json,html,pdf\]/);
      assert.match(help.stdout, /\[default: cis-5\.0 in HTML\/PDF, all in machine outputs\]/);
      assert.doesNotMatch(help.stdout, /\[default: \["/);
    }
  });

  it('names an unknown flag once', async () => {
    for (const args of [['report', DEMO_SNAPSHOT, '--out-put', 'x'], ['import', DEMO_REPORT, '--bogus-flag']]) {
      const run = await runCli(args, { cwd: work.path });
      assert.equal(run.code, 2);
      const firstLine = run.stderr.split('\n')[0] ?? '';
      assert.match(firstLine, /^iam-audit: Unknown argument: (out-put|bogus-flag)$/);
    }
  });

  it('names an unknown flag in front of a positional, not the positional it took as its value (issue 12)', async () => {
    // yargs gives --bogus the next word: without the flags checked first, `report --bogus x.json`
    // said "Not enough non-option arguments".
    const commands: readonly (readonly string[])[] = [
      ['report', '--bogus', DEMO_SNAPSHOT],
      ['audit', '--bogus', DEMO_REPORT, ...GENERATED_AT],
      ['import', '--bogus', DEMO_REPORT, ...GENERATED_AT],
      ['diff', '--bogus', DEMO_SNAPSHOT, DEMO_SNAPSHOT],
      ['verify', '--bogus', DEMO_SNAPSHOT],
      ['trend', '--bogus', DEMO_SNAPSHOT],
      ['notify', '--bogus', DEMO_SNAPSHOT],
      ['merge-index', '--bogus', DEMO_SNAPSHOT],
      ['export', '--bogus', 'securityhub', DEMO_SNAPSHOT],
      ['rules', '--bogus', 'x'],
      ['--bogus', 'report', DEMO_SNAPSHOT],
    ];
    const cwd = join(work.path, 'unknown-in-front');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(cwd);
    for (const args of commands) {
      const run = await runCli(args, { cwd });
      assert.deepEqual(
        { code: run.code, stdout: run.stdout, stderr: run.stderr },
        { code: 2, stdout: '', stderr: 'iam-audit: Unknown argument: bogus\nRun "iam-audit --help" for usage.\n' },
        args.join(' '),
      );
    }
    assert.deepEqual(await readdir(cwd), [], 'nothing written');
    // Still the positional's own message when no flag is unknown.
    const missing = await runCli(['report', '--quiet'], { cwd });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^iam-audit: Not enough non-option arguments: got 0, need at least 1\n/);
  });
});
