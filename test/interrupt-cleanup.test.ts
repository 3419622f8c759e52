/**
 * Ctrl-C (SIGINT) or SIGTERM while a snapshot or the reports are being written removes the hidden
 * `.partial` files. A real child process gets a real signal at the moment a `.partial` file exists:
 * the test watches the output folder, freezes the child (SIGSTOP) as soon as one appears, checks it
 * is still there, queues the signal and lets the child go on (SIGCONT).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, watch } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BENCH_GENERATED_AT, generateCredentialReport } from '../bench/generate.js';
import { CLI_PATH, runCli, temporaryFolder } from './support/cli.js';

let work: { path: string; cleanup: () => Promise<void> };
before(async () => {
  work = await temporaryFolder();
});
after(async () => {
  await work.cleanup();
});

interface InterruptedRun {
  readonly code: number | null;
  readonly stderr: string;
  /** The `.partial` file seen while the child was frozen, or null when the write finished first. */
  readonly caught: string | null;
}

/** Runs the CLI, and sends `signal` while a `.partial` file (whose name `wanted` accepts) exists in `watched`. */
function interruptWhileWriting(args: readonly string[], watched: string, signal: NodeJS.Signals, wanted: (name: string) => boolean = () => true): Promise<InterruptedRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], { cwd: work.path, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let caught: string | null = null;
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const watcher = watch(watched, (_event, name) => {
      if (caught !== null || name === null || !name.endsWith('.partial') || !wanted(name)) return;
      child.kill('SIGSTOP');
      // Frozen now: the file is there or the child already renamed it.
      if (!existsSync(join(watched, name))) {
        child.kill('SIGCONT');
        return;
      }
      caught = name;
      child.kill(signal);
      child.kill('SIGCONT');
    });
    child.on('error', reject);
    child.on('close', (code) => {
      watcher.close();
      resolve({ code, stderr, caught });
    });
  });
}

async function leftIn(folder: string): Promise<string[]> {
  return (await readdir(folder)).sort();
}

describe('an interrupted run leaves no .partial file', () => {
  it('SIGTERM while import writes the snapshot', async () => {
    const report = join(work.path, 'large.csv');
    await writeFile(report, generateCredentialReport(60_000));
    let run: InterruptedRun | null = null;
    let output = '';
    // The write takes long enough to be caught nearly always; a run that finished first is retried.
    for (let attempt = 0; attempt < 3 && (run === null || run.caught === null); attempt += 1) {
      output = join(work.path, `import-${attempt}`);
      await mkdir(output);
      run = await interruptWhileWriting(['import', report, '--generated-at', BENCH_GENERATED_AT, '-o', join(output, 'snapshot.json')], output, 'SIGTERM');
    }
    assert.ok(run !== null && run.caught !== null, 'a .partial file was caught while it existed');
    assert.equal(run.code, 143, run.stderr);
    assert.match(run.stderr, /^iam-audit: interrupted \(SIGTERM\); nothing written\n$/);
    assert.deepEqual(await leftIn(output), [], 'neither the snapshot nor its .partial file');
  });

  it('Ctrl-C (SIGINT) while report writes its files', async () => {
    const report = join(work.path, 'medium.csv');
    await writeFile(report, generateCredentialReport(15_000));
    const snapshot = join(work.path, 'medium.json');
    const imported = await runCli(['import', report, '--generated-at', BENCH_GENERATED_AT, '-o', snapshot]);
    assert.equal(imported.code, 0, imported.stderr);
    let run: InterruptedRun | null = null;
    let output = '';
    for (let attempt = 0; attempt < 3 && (run === null || run.caught === null); attempt += 1) {
      output = join(work.path, `report-${attempt}`);
      await mkdir(output);
      run = await interruptWhileWriting(['report', snapshot, '-d', output, '--format', 'csv,json,ocsf', '--quiet'], output, 'SIGINT');
    }
    assert.ok(run !== null && run.caught !== null, 'a .partial file was caught while it existed');
    assert.equal(run.code, 130, run.stderr);
    assert.match(run.stderr, /iam-audit: interrupted \(SIGINT\); nothing written\n$/);
    assert.deepEqual(await leftIn(output), [], 'no report and no .partial file');
  });

  it('SIGTERM while audit writes its reports, after its snapshot: the message names the snapshot, not "nothing written"', async () => {
    const report = join(work.path, 'audit.csv');
    await writeFile(report, generateCredentialReport(15_000));
    let run: InterruptedRun | null = null;
    let output = '';
    for (let attempt = 0; attempt < 3 && (run === null || run.caught === null); attempt += 1) {
      output = join(work.path, `audit-${attempt}`);
      await mkdir(output);
      run = await interruptWhileWriting(['audit', report, '--generated-at', BENCH_GENERATED_AT, '-d', output, '--format', 'csv,json,ocsf', '--quiet'], output, 'SIGTERM', (name) => name.startsWith('.iam_audit_'));
    }
    assert.ok(run !== null && run.caught !== null, 'a report .partial file was caught while it existed');
    assert.equal(run.code, 143, run.stderr);
    const left = await leftIn(output);
    assert.equal(left.length, 1, left.join(', '));
    assert.match(left[0] ?? '', /^snapshot-.*\.json$/);
    assert.ok(run.stderr.endsWith(`iam-audit: interrupted (SIGTERM); only ${join(output, left[0] ?? '')} written before the interruption; nothing else written\n`), run.stderr);
  });
});
