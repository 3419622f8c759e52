/**
 * Issue 26 §trend: a snapshot's trend point is kept in the user's cache once analysed, keyed by the
 * snapshot's SHA-256 and everything else that decides it; a later trend reads it instead of
 * analysing the snapshot again, with the same outputs. A damaged entry is ignored, never trusted.
 */
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { newSnapshot, oldSnapshot, EXCEPTIONS_YAML } from './support/demo-series.js';
import { runCli, temporaryFolder } from './support/cli.js';

let work: { path: string; cleanup: () => Promise<void> };
let archive = '';
before(async () => {
  work = await temporaryFolder('iam-audit-trend-cache-');
  archive = join(work.path, 'archive');
  await mkdir(archive);
  await writeFile(join(archive, 'november.json'), JSON.stringify(oldSnapshot()));
  await writeFile(join(archive, 'december.json'), JSON.stringify(newSnapshot()));
  await writeFile(join(work.path, 'exceptions.yaml'), EXCEPTIONS_YAML);
});
after(async () => {
  await work.cleanup();
});

async function trend(out: string, cache: string, extra: readonly string[] = []): Promise<string> {
  const result = await runCli(['trend', archive, '-f', 'csv,json', '-d', join(work.path, out), ...extra], { env: { SOURCE_DATE_EPOCH: '1767364200', IAM_AUDIT_CACHE_DIR: cache } });
  assert.equal(result.code, 0, result.stderr);
  const files = (await readdir(join(work.path, out))).sort();
  return (await Promise.all(files.map((file) => readFile(join(work.path, out, file), 'utf8')))).join('\n--\n');
}

async function entries(cache: string): Promise<string[]> {
  const keys = await readdir(join(cache, 'trend')).catch(() => []);
  const found: string[] = [];
  for (const key of keys) for (const name of await readdir(join(cache, 'trend', key))) found.push(join(cache, 'trend', key, name));
  return found.sort();
}

it('keeps one entry per snapshot and gives the same outputs from it as from the analysis', async () => {
  const cache = join(work.path, 'cache-a');
  const fresh = await trend('out-off', 'off');
  assert.deepEqual(await entries(cache), []);
  assert.equal(await trend('out-cold', cache), fresh);
  const kept = await entries(cache);
  assert.equal(kept.length, 2);
  assert.ok(kept.every((path) => /[0-9a-f]{64}\.json$/.test(path)));
  assert.equal(await trend('out-warm', cache), fresh);
});

it('reads the kept point instead of analysing: a changed entry shows (so the test can fail), a damaged one is ignored', async () => {
  const cache = join(work.path, 'cache-b');
  const fresh = await trend('out-b1', cache);
  const [first] = await entries(cache);
  assert.ok(first !== undefined);
  const point = JSON.parse(await readFile(first, 'utf8')) as { users: number };
  await writeFile(first, JSON.stringify({ ...point, users: 4242 }));
  assert.match(await trend('out-b2', cache), /4242/);
  await writeFile(first, JSON.stringify({ ...point, users: -1 }));
  assert.equal(await trend('out-b3', cache), fresh);
  await writeFile(first, '{ not json');
  assert.equal(await trend('out-b4', cache), fresh);
});

it('another exceptions file is another key: nothing analysed under other inputs is reused', async () => {
  const cache = join(work.path, 'cache-c');
  await trend('out-c1', cache);
  const withExceptions = await trend('out-c2', cache, ['--exceptions', join(work.path, 'exceptions.yaml')]);
  assert.equal((await readdir(join(cache, 'trend'))).length, 2);
  assert.equal(withExceptions, await trend('out-c3', 'off', ['--exceptions', join(work.path, 'exceptions.yaml')]));
});

it('a new key prunes the least recently written keys beyond sixteen', async () => {
  const cache = join(work.path, 'cache-d');
  for (let index = 0; index < 20; index += 1) {
    const folder = join(cache, 'trend', `old-${String(index).padStart(2, '0')}`);
    await mkdir(folder, { recursive: true });
    const when = new Date(Date.UTC(2026, 0, 1 + index));
    await utimes(folder, when, when);
  }
  await trend('out-d', cache);
  const keys = (await readdir(join(cache, 'trend'))).sort();
  assert.equal(keys.length, 16);
  // The fifteen most recent old keys and the new one.
  assert.deepEqual(keys.filter((name) => name.startsWith('old-')), Array.from({ length: 15 }, (_, index) => `old-${String(index + 5).padStart(2, '0')}`));
});
