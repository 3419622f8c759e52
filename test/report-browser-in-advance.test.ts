/**
 * A PDF run starts its browser before it reads and judges the snapshot (issue 26: the browser's
 * start-up overlaps the analysis). A run that fails after that start must still close the browser
 * and remove its profile, and say what it always said.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCliWatchingChromium } from './support/chromium-environment.js';
import { FIXTURES, temporaryFolder } from './support/cli.js';

const DEMO_SNAPSHOT = join(FIXTURES, 'demo', 'snapshot.json');

/** Whether a process still runs: there, and not a zombie waiting for a parent to reap it (some init processes never do). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

describe('the browser started ahead of a PDF run', () => {
  let folder: { path: string; cleanup: () => Promise<void> };
  before(async () => {
    folder = await temporaryFolder('iam-audit-browser-in-advance-');
  });
  after(() => folder.cleanup());

  it('is closed, its profile removed, when the run is refused after it started (--as-of before the capture): exit 2, one line, nothing written', async () => {
    const temporary = join(folder.path, 'tmp');
    await mkdir(temporary);
    const out = join(folder.path, 'out');
    const run = await runCliWatchingChromium(['report', DEMO_SNAPSHOT, '--format', 'pdf', '-d', out, '--quiet', '--as-of', '2020-01-01T00:00:00Z'], { TMPDIR: temporary });
    assert.equal(run.code, 2, run.stderr);
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    assert.match(run.stderr, /--as-of 2020-01-01T00:00:00Z is before the capture time/);
    if (process.platform === 'linux') {
      // The browser did start before the snapshot was judged (that is the point), and is gone now.
      assert.ok(run.chromium.size > 0, 'a Chromium process was started ahead of the analysis');
      const left = [...run.chromium.keys()].filter(running);
      assert.deepEqual(left, [], `Chromium processes left running: ${left.join(', ')}`);
    }
    assert.deepEqual(await readdir(temporary), [], 'the browser profile is removed');
    await assert.rejects(readdir(out), { code: 'ENOENT' });
  });

  it('prints with one Chromium process on Linux (issue 26: summed memory), closed and its profile removed when the run ends', async () => {
    // A short TMPDIR: Chromium's singleton socket lies under it, and a Unix socket's path is limited to 107 bytes.
    const temporary = await mkdtemp(join(tmpdir(), 'iaa-'));
    const out = join(folder.path, 'out-printed');
    const run = await runCliWatchingChromium(['report', DEMO_SNAPSHOT, '--format', 'pdf', '-d', out, '--quiet'], { TMPDIR: temporary });
    assert.equal(run.code, 0, run.stderr);
    assert.equal((await readdir(out)).filter((name) => name.endsWith('.pdf')).length, 1, 'the PDF is written');
    if (process.platform === 'linux') {
      // One browser process and none of Chromium's helpers (zygote, GPU, network, storage, renderers:
      // each a `--type=` process); the browser may fork a short-lived child of its own binary, seen with its command line.
      const commandLines = [...run.chromiumCommandLines.values()];
      assert.ok(commandLines.some((line) => line.includes('--single-process')), commandLines.join('\n'));
      assert.deepEqual(commandLines.filter((line) => line.includes('--type=')), [], 'no zygote, GPU, utility or renderer process');
      const left = [...run.chromium.keys()].filter(running);
      assert.deepEqual(left, [], `Chromium processes left running: ${left.join(', ')}`);
    }
    assert.deepEqual(await readdir(temporary), [], 'the browser profile is removed');
    await rm(temporary, { recursive: true, force: true });
  });

  it('prints under a temporary folder too long for Chromium\'s socket (macOS\'s, a CI runner\'s): the profile goes under /tmp, and is removed', async () => {
    const temporary = join(folder.path, 'a-temporary-folder-whose-path-is-longer-than-chromium-sockets-allow');
    await mkdir(temporary);
    const out = join(folder.path, 'out-long-tmp');
    const run = await runCliWatchingChromium(['report', DEMO_SNAPSHOT, '--format', 'pdf', '-d', out, '--quiet'], { TMPDIR: temporary });
    assert.equal(run.code, 0, run.stderr);
    assert.equal((await readdir(out)).filter((name) => name.endsWith('.pdf')).length, 1, 'the PDF is written');
    if (process.platform === 'linux') {
      // The profile Chromium was given (other runs may have theirs under /tmp at the same time).
      const profiles = [...new Set([...run.chromiumCommandLines.values()].map((line) => /--user-data-dir=(\S+)/.exec(line)?.[1]).filter((path) => path !== undefined))];
      assert.ok(profiles.length > 0 && profiles.every((path) => path.startsWith('/tmp/iam-audit-chromium-')), profiles.join('\n'));
      for (const profile of profiles) assert.equal(existsSync(profile), false, `${profile} is removed`);
    }
    assert.deepEqual(await readdir(temporary), [], 'nothing under the long temporary folder');
  });
});
