/**
 * One golden end-to-end sample: the demo account audited with the run clock fixed, every output
 * compared byte for byte with fixtures/golden/demo/. After an intended change, refresh it with
 * `UPDATE_GOLDEN=1 npm test` and review the diff like code.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { FIXTURES, runCli, temporaryFolder } from './support/cli.js';

const GOLDEN = join(FIXTURES, 'golden', 'demo');
const update = process.env['UPDATE_GOLDEN'] === '1';
/** Formats whose output is byte-stable (the PDF carries binary streams and is checked by text instead). */
const GOLDEN_FORMATS = 'csv,json,html';

let work: { path: string; cleanup: () => Promise<void> };
before(async () => {
  work = await temporaryFolder();
});
after(async () => {
  await work.cleanup();
});

it('the demo audit matches the golden sample byte for byte', async () => {
  const run = await runCli(
    ['audit', join(FIXTURES, 'demo', 'credential-report.csv'), '--generated-at', '2026-11-02T08:15:42Z', '-d', 'out', '--format', GOLDEN_FORMATS],
    { cwd: work.path, env: { SOURCE_DATE_EPOCH: '1767364200' } },
  );
  assert.equal(run.code, 0, run.stderr);
  const produced = new Map<string, string>([['stdout.txt', run.stdout]]);
  for (const name of await readdir(join(work.path, 'out'))) produced.set(name, await readFile(join(work.path, 'out', name), 'utf8'));

  if (update) {
    await mkdir(GOLDEN, { recursive: true });
    for (const [name, content] of produced) await writeFile(join(GOLDEN, name), content);
  }
  const expected = (await readdir(GOLDEN)).sort();
  assert.deepEqual([...produced.keys()].sort(), expected, 'the same set of files');
  for (const name of expected) {
    assert.equal(produced.get(name), await readFile(join(GOLDEN, name), 'utf8'), `${name} differs from the golden sample`);
  }
});
