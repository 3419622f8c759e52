/**
 * A PDF run starts its browser before it reads and judges the snapshot (issue 26: the browser's
 * start-up overlaps the analysis). A run that fails after that start must still close the browser
 * and remove its profile, and say what it always said.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
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
});
