/**
 * A snapshot too large to read says so (checked before reading; the test file is sparse, not
 * 512 MiB of real data), and a UTF-8 byte-order mark is accepted on snapshots and credential reports.
 */
import assert from 'node:assert/strict';
import { readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MAX_SNAPSHOT_BYTES, readSnapshot } from '../src/snapshot/io.js';
import { FIXTURES, runCli, temporaryFolder } from './support/cli.js';

let work: { path: string; cleanup: () => Promise<void> };
before(async () => {
  work = await temporaryFolder();
});
after(async () => {
  await work.cleanup();
});

describe('snapshot size and byte-order mark', () => {
  it('a snapshot over the limit is refused as too large, not as invalid JSON', async () => {
    const path = join(work.path, 'huge.json');
    await writeFile(path, '{');
    await truncate(path, MAX_SNAPSHOT_BYTES + 1);
    assert.equal((await stat(path)).size, MAX_SNAPSHOT_BYTES + 1);
    const run = await runCli(['report', path, '-d', join(work.path, 'out'), '--format', 'json']);
    assert.equal(run.code, 2);
    assert.equal(run.stderr, `iam-audit: ${path}: the snapshot is too large to read: ${MAX_SNAPSHOT_BYTES + 1} bytes, over the limit of ${MAX_SNAPSHOT_BYTES} (about 512 MiB, the longest text JavaScript can hold)\n`);
    await assert.rejects(readSnapshot(path), /too large to read/);
  });

  it('a snapshot with a UTF-8 byte-order mark is read, and its hash is of the bytes as they are', async () => {
    const original = await readFile(join(FIXTURES, 'demo', 'snapshot.json'));
    const path = join(work.path, 'bom.json');
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), original]);
    await writeFile(path, withBom);
    const loaded = await readSnapshot(path);
    assert.equal(loaded.snapshot.users.length, 26);
    assert.equal(loaded.bytes.length, withBom.length);
    const run = await runCli(['report', path, '-d', join(work.path, 'bom-out'), '--format', 'json', '--quiet']);
    assert.equal(run.code, 0, run.stderr);
  });

  it('a credential report with a byte-order mark is imported', async () => {
    const csv = await readFile(join(FIXTURES, 'demo', 'credential-report.csv'));
    const path = join(work.path, 'bom.csv');
    await writeFile(path, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), csv]));
    const run = await runCli(['import', path, '--generated-at', '2026-11-02T08:15:42Z', '-o', join(work.path, 'from-bom.json')]);
    assert.equal(run.code, 0, run.stderr);
    const imported = JSON.parse(await readFile(join(work.path, 'from-bom.json'), 'utf8')) as { users: { name: string }[] };
    const expected = JSON.parse(await readFile(join(FIXTURES, 'demo', 'snapshot.json'), 'utf8')) as { users: { name: string }[] };
    // The header's first column is "user", not "\uFEFFuser": the same users as without the mark.
    assert.deepEqual(imported.users, expected.users);
  });
});
