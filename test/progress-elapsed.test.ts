/** PDF progress line (terminal only, quiet otherwise) and a console elapsed time covering the whole run (issue #12). No browser. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { pdfProgressLine, TerminalProgress } from '../src/util/terminal-progress.js';
import { temporaryFolder } from './support/cli.js';
import { runExampleReport, TextSink, writeExampleSnapshot } from './support/report-run.js';

let work: { path: string; cleanup: () => Promise<void> };
before(async () => {
  work = await temporaryFolder('iam-audit-progress-');
});
after(async () => {
  await work.cleanup();
});

it('the PDF progress line: chunks done, pages, elapsed and an ETA from the mean chunk time', () => {
  assert.equal(pdfProgressLine(3, 40, 57, 12_000), 'printing PDF: chunk 3/40, 57 pages, 12s elapsed, ETA 2m28s');
  assert.equal(pdfProgressLine(0, 5, 0, 400), 'printing PDF: chunk 0/5, 0 pages, 0s elapsed, ETA ?');
  assert.equal(pdfProgressLine(5, 5, 9, 61_000), 'printing PDF: chunk 5/5, 9 pages, 1m01s elapsed, ETA 0s');
});

it('draws on a terminal only, and not with --quiet', () => {
  const terminal = Object.assign(new TextSink(), { isTTY: true, columns: 80 });
  const shown = TerminalProgress.on(terminal, false);
  shown.update('printing PDF: chunk 1/2');
  shown.stop();
  assert.equal(terminal.text, '\r\x1b[Kprinting PDF: chunk 1/2\r\x1b[K', 'drawn, then cleared');

  const quiet = Object.assign(new TextSink(), { isTTY: true, columns: 80 });
  const silenced = TerminalProgress.on(quiet, true);
  silenced.update('x');
  silenced.stop();
  assert.equal(quiet.text, '');

  const pipe = new TextSink();
  const piped = TerminalProgress.on(pipe, false);
  piped.update('x');
  piped.stop();
  assert.equal(pipe.text, '', 'nothing in a log or pipe');
});

it("the console's elapsed time and completion cover the whole run, rendering and writing included", async () => {
  const snapshotPath = await writeExampleSnapshot(work.path);
  let tick = 0;
  // A clock that moves one second per reading: start, end of analysis, evidence, end of run.
  const clock = () => new Date(Date.UTC(2027, 0, 1, 0, 0, tick++));
  const run = await runExampleReport({ snapshotPath, outDir: join(work.path, 'out'), formats: ['json'], clock });
  assert.equal(run.outcome.result.run.elapsedSeconds, 1, 'the analysis alone');
  assert.match(run.stdout, /^Elapsed time: 3\.00 seconds$/m);
  assert.match(run.stdout, /^Audit completed: 2027-01-01T00:00:03\.000000$/m);
});
