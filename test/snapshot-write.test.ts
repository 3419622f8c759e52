/**
 * Issue 26 (CPU and memory): writeSnapshot streams the file a user line at a time and hashes it on
 * the way, without keeping its bytes; what it returns must still describe the file exactly (the
 * manifest lists its size and SHA-256, a PDF embeds its bytes), and the "same snapshot again"
 * shortcut and the refusal of a different existing file must hold without the bytes in memory.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateCredentialReport } from '../bench/generate.js';
import { importCredentialReport } from '../src/import/credential-report.js';
import { serializeSnapshotBytes, writeSnapshot } from '../src/snapshot/io.js';
import { UserError } from '../src/util/errors.js';
import { temporaryFolder } from './support/cli.js';

const { snapshot } = importCredentialReport(Buffer.from(generateCredentialReport(3000)), { generatedAt: new Date('2026-06-01T12:00:00Z'), fileName: 'w.csv', displayPath: 'w.csv' });

let work: { path: string; cleanup: () => Promise<void> };
before(async () => {
  work = await temporaryFolder();
});
after(async () => work.cleanup());

describe('writeSnapshot without holding the bytes (issue 26)', () => {
  it('writes the one layout, and returns the size, SHA-256 and bytes of the file as written', async () => {
    const path = join(work.path, 'a', 'snapshot.json');
    const loaded = await writeSnapshot(path, snapshot, false);
    const onDisk = await readFile(path);
    assert.ok(onDisk.equals(serializeSnapshotBytes(snapshot)), 'the file is the serialised snapshot');
    assert.ok(onDisk.length > 2 << 20, `${onDisk.length} bytes: more than one piece`);
    assert.equal(loaded.size, onDisk.length);
    assert.equal(loaded.sha256, createHash('sha256').update(onDisk).digest('hex'));
    assert.ok(loaded.bytes.equals(onDisk), 'the bytes made again on demand are the file\'s');
    assert.equal(loaded.path, path);
  });

  it('keeps an identical existing file without --overwrite, and refuses a different one', async () => {
    const path = join(work.path, 'b.json');
    await writeSnapshot(path, snapshot, false);
    const again = await writeSnapshot(path, snapshot, false);
    assert.equal(again.sha256, createHash('sha256').update(await readFile(path)).digest('hex'));
    await writeFile(path, '{}\n');
    await assert.rejects(writeSnapshot(path, snapshot, false), (error: unknown) => error instanceof UserError && /already exists; refusing to overwrite/.test(error.message));
    assert.equal(await readFile(path, 'utf8'), '{}\n', 'the different file is left as it was');
    const replaced = await writeSnapshot(path, snapshot, true);
    assert.ok((await readFile(path)).equals(replaced.bytes));
  });
});
