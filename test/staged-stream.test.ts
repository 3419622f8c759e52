/**
 * Issue 26 (CPU and memory): a streamed file's text is encoded at once into one reused buffer.
 * Whatever the sizes of the pieces written (tiny, a buffer's worth, many buffers long, astral
 * characters across a buffer boundary), the file holds exactly the text, and its size and SHA-256
 * are those of its bytes.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { StagedOutput } from '../src/util/files.js';
import { temporaryFolder } from './support/cli.js';

let work: { path: string; cleanup: () => Promise<void> };
before(async () => {
  work = await temporaryFolder();
});
after(async () => work.cleanup());

it('writes every piece as UTF-8, long ones across buffers without cutting a surrogate pair', async () => {
  const staged = new StagedOutput();
  const path = join(work.path, 'out.txt');
  const stream = staged.openStream(path);
  // 349,525 UTF-16 units fit in one buffer: an emoji (two units) placed across that boundary, and again further on.
  const long = `${'a'.repeat(349_524)}😀${'é'.repeat(400_000)}${'b'.repeat(349_523)}😀${'z'.repeat(3)}`;
  const pieces = ['head,', 'x'.repeat(1 << 20), long, '', 'ü', 'tail\n'];
  for (const piece of pieces) stream.write(piece);
  const digest = stream.finish();
  await staged.commit();
  const bytes = await readFile(path);
  assert.equal(bytes.toString('utf8'), pieces.join(''));
  assert.ok(bytes.equals(Buffer.from(pieces.join(''), 'utf8')));
  assert.equal(digest.size, bytes.length);
  assert.equal(digest.sha256, createHash('sha256').update(bytes).digest('hex'));
});
