/**
 * Every way writing can fail ends in one line naming the path and the cause, exit 2, no stack
 * trace and no file left behind (not even a hidden `.partial`). The failures are real: a file where
 * a folder should be, a name longer than the file system takes, an immutable folder (chattr +i), a
 * folder the user may not write (the CLI runs as `nobody` when the tests run as root), a full and
 * a read-only file system (a small tmpfs in a private mount namespace, made with unshare).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { chmod, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { explainWriteError } from '../src/util/files.js';
import { FileSystemError } from '../src/util/errors.js';
import { CLI_PATH, FIXTURES, runCli, temporaryFolder, type CliRun } from './support/cli.js';

const DEMO_REPORT = join(FIXTURES, 'demo', 'credential-report.csv');
const DEMO_SNAPSHOT = join(FIXTURES, 'demo', 'snapshot.json');
const GENERATED_AT = ['--generated-at', '2026-11-02T08:15:42Z'];

let work: { path: string; cleanup: () => Promise<void> };
before(async () => {
  work = await temporaryFolder();
  // Readable by `nobody`, who runs the permission test.
  await chmod(work.path, 0o755);
});
after(async () => {
  spawnSync('chattr', ['-i', join(work.path, 'immutable')]);
  await work.cleanup();
});

async function folder(name: string): Promise<string> {
  const path = join(work.path, name);
  await mkdir(path, { recursive: true });
  return path;
}

/** One line on stderr, naming `path` and matching `cause`; no stack trace. */
function assertOneLine(run: CliRun, path: string, cause: RegExp): void {
  assert.equal(run.code, 2, run.stderr);
  const lines = run.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line, got:\n${run.stderr}`);
  assert.ok(lines[0]?.startsWith('iam-audit: '), run.stderr);
  assert.ok(lines[0]?.includes(path), `names ${path}: ${run.stderr}`);
  assert.match(lines[0] ?? '', cause);
  assert.doesNotMatch(run.stderr, /internal error|\n\s+at |ENO[A-Z]+|\.partial/);
}

/** Whether `unshare` can give the test a private mount namespace (root, or unprivileged user namespaces). */
function unshareArguments(): string[] | null {
  const asRoot = process.getuid?.() === 0;
  const flags = asRoot ? ['-m'] : ['--user', '--map-root-user', '-m'];
  const probe = spawnSync('unshare', [...flags, 'true']);
  return probe.status === 0 ? flags : null;
}

/**
 * Runs the CLI in a private mount namespace where `target` is a tmpfs mounted with `mountOptions`;
 * prints the CLI's exit code and what the tmpfs holds afterwards, as the tmpfs ends with the namespace.
 */
function runOnTmpfs(flags: readonly string[], target: string, mountOptions: string, args: readonly string[]): Promise<CliRun & { left: string[] }> {
  const quoted = [process.execPath, CLI_PATH, ...args].map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(' ');
  const script = `mount -t tmpfs -o ${mountOptions} tmpfs '${target}' || exit 99; ${quoted}; echo "exit=$?" >&3; ls -A '${target}' >&3`;
  return new Promise((resolve, reject) => {
    const child = spawn('unshare', [...flags, 'sh', '-c', script], { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let report = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const extra = child.stdio[3] as NodeJS.ReadableStream;
    extra.setEncoding('utf8');
    extra.on('data', (chunk: string) => (report += chunk));
    child.on('error', reject);
    child.on('close', (shellCode) => {
      const [exitLine = '', ...left] = report.split('\n').filter((line) => line !== '');
      const match = /^exit=(\d+)$/.exec(exitLine);
      if (match === null) {
        reject(new Error(`the namespace run failed (shell exit ${shellCode}): ${stderr}`));
        return;
      }
      resolve({ code: Number(match[1]), stdout, stderr, left });
    });
  });
}

describe('write failures: one line, exit 2, nothing left behind', () => {
  it('an output folder that is a file (import -o and report -d)', async () => {
    const base = await folder('file-as-folder');
    const blocker = join(base, 'reports');
    await writeFile(blocker, 'I am a file\n');
    const imported = await runCli(['import', DEMO_REPORT, ...GENERATED_AT, '-o', join(blocker, 'snapshot.json')]);
    assertOneLine(imported, join(blocker, 'snapshot.json'), /reports is a file, not a folder$/);
    const reported = await runCli(['report', DEMO_SNAPSHOT, '-d', join(blocker, 'q1'), '--format', 'csv,json']);
    assertOneLine(reported, join(blocker, 'q1'), /reports is a file, not a folder$/);
    assert.deepEqual(await readdir(base), ['reports']);
  });

  it('a file name longer than file systems take', async () => {
    const base = await folder('long-name');
    const longName = join(base, `${'a'.repeat(300)}.json`);
    const imported = await runCli(['import', DEMO_REPORT, ...GENERATED_AT, '-o', longName]);
    assertOneLine(imported, longName, /too long/);
    const longFolder = join(base, 'b'.repeat(300));
    const reported = await runCli(['report', DEMO_SNAPSHOT, '-d', longFolder, '--format', 'csv']);
    assertOneLine(reported, longFolder, /too long/);
    assert.deepEqual(await readdir(base), []);
  });

  it('an immutable folder (chattr +i), where even root may not write', async (t) => {
    const immutable = await folder('immutable');
    if (spawnSync('chattr', ['+i', immutable]).status !== 0) {
      t.skip('chattr +i is not available here (not root, or the file system has no immutable flag)');
      return;
    }
    try {
      const imported = await runCli(['import', DEMO_REPORT, ...GENERATED_AT, '-o', join(immutable, 'snapshot.json')]);
      assertOneLine(imported, join(immutable, 'snapshot.json'), /operation not permitted/);
      const reported = await runCli(['report', DEMO_SNAPSHOT, '-d', immutable, '--format', 'csv,json']);
      assertOneLine(reported, immutable, /operation not permitted/);
      assert.deepEqual(await readdir(immutable), []);
    } finally {
      spawnSync('chattr', ['-i', immutable]);
    }
  });

  it('a read-only folder: permission denied (run as nobody when the tests run as root)', async () => {
    const readOnly = await folder('read-only');
    await chmod(readOnly, 0o555);
    const asNobody = process.getuid?.() === 0 ? { user: { uid: 65534, gid: 65534 } } : {};
    const run = (args: string[]): Promise<CliRun> => runCli(args, { cwd: work.path, ...asNobody });
    const imported = await run(['import', DEMO_REPORT, ...GENERATED_AT, '-o', join(readOnly, 'snapshot.json')]);
    assertOneLine(imported, join(readOnly, 'snapshot.json'), /permission denied$/);
    const reported = await run(['report', DEMO_SNAPSHOT, '-d', readOnly, '--format', 'csv,json']);
    assertOneLine(reported, readOnly, /permission denied$/);
    assert.deepEqual(await readdir(readOnly), []);
  });

  it('a full disk: no partial file stays on it', async (t) => {
    const flags = unshareArguments();
    if (flags === null) {
      t.skip('unshare cannot create a mount namespace here; the ENOSPC mapping is tested directly below');
      return;
    }
    const full = await folder('full-disk');
    const imported = await runOnTmpfs(flags, full, 'size=4k', ['import', DEMO_REPORT, ...GENERATED_AT, '-o', join(full, 'snapshot.json')]);
    assertOneLine(imported, join(full, 'snapshot.json'), /no space left on the disk$/);
    assert.deepEqual(imported.left, [], 'nothing left on the full disk');
    const reported = await runOnTmpfs(flags, full, 'size=4k', ['report', DEMO_SNAPSHOT, '-d', full, '--format', 'csv,json,html']);
    assertOneLine(reported, full, /no space left on the disk$/);
    assert.deepEqual(reported.left, [], 'nothing left on the full disk');
  });

  it('a read-only file system', async (t) => {
    const flags = unshareArguments();
    if (flags === null) {
      t.skip('unshare cannot create a mount namespace here');
      return;
    }
    const readOnly = await folder('read-only-fs');
    const imported = await runOnTmpfs(flags, readOnly, 'size=64k,ro', ['import', DEMO_REPORT, ...GENERATED_AT, '-o', join(readOnly, 'snapshot.json')]);
    assertOneLine(imported, join(readOnly, 'snapshot.json'), /read-only file system$/);
    const reported = await runOnTmpfs(flags, readOnly, 'size=64k,ro', ['report', DEMO_SNAPSHOT, '-d', readOnly, '--format', 'csv']);
    assertOneLine(reported, readOnly, /read-only file system$/);
  });

  it('maps real system errors to words and the path asked for (ENOSPC from /dev/full, ENOENT, EISDIR)', () => {
    const realError = (write: () => void): unknown => {
      try {
        write();
      } catch (error) {
        return error;
      }
      assert.fail('expected the write to fail');
    };
    const full = explainWriteError(
      realError(() => writeFileSync('/dev/full', 'x')),
      '/reports/q1.csv',
    );
    assert.ok(full instanceof FileSystemError);
    assert.equal(full.message, 'cannot write /reports/q1.csv: no space left on the disk');
    const missing = explainWriteError(realError(() => writeFileSync(join(work.path, 'no', 'such', 'file'), 'x')), '/x/y.csv');
    assert.equal((missing as Error).message, 'cannot write /x/y.csv: no such file or folder');
    const folderError = explainWriteError(realError(() => writeFileSync(work.path, 'x')), work.path);
    assert.equal((folderError as Error).message, `cannot write ${work.path}: is a folder, not a file`);
    const bug = new TypeError('not a file system error');
    assert.equal(explainWriteError(bug, '/x'), bug, 'a bug is passed on with its stack');
  });
});
