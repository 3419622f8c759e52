/**
 * The RFC 3161 query's nonce is a DER INTEGER made from random bytes. Bytes that start with a
 * zero (then a byte under 0x80) would be a non-minimal INTEGER, which OpenSSL's TSA refuses (the
 * cause of a rare "refused the request (PKIStatus 2)"). Every edge case must give a query that
 * `openssl ts -query -in` reads, with a positive nonce.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { timestampQuery } from '../src/evidence/tsa.js';
import { temporaryFolder } from './support/cli.js';
import { runTool } from './support/evidence-pki.js';

const EDGE_CASES: readonly [string, string][] = [
  ['a zero first byte, then a small one', '0001020304050607'],
  ['all zeros', '0000000000000000'],
  ['the top bit set', 'ff00000000000000'],
  ['0x80 then zeros', '8000000000000000'],
  ['0x7f', '7fffffffffffffff'],
];

describe('RFC 3161 query nonce', () => {
  let folder: { path: string; cleanup: () => Promise<void> };
  before(async () => {
    folder = await temporaryFolder('iam-audit-tsa-query-');
  });
  after(() => folder.cleanup());

  for (const [name, hex] of EDGE_CASES) {
    it(`is a positive, minimal INTEGER that openssl reads: ${name}`, async () => {
      const query = timestampQuery(createHash('sha256').update('manifest').digest(), 'sha256', Buffer.from(hex, 'hex'));
      const path = join(folder.path, `${hex}.tsq`);
      await writeFile(path, query);
      const read = await runTool('openssl', ['ts', '-query', '-in', path, '-text'], folder.path);
      assert.equal(read.code, 0, read.stderr);
      const nonce = /Nonce: (0x[0-9A-F]+)/i.exec(read.stdout)?.[1] ?? '';
      assert.ok(BigInt(nonce) > 0n, read.stdout);
      // Eight bytes: the first in 0x40-0x7f, the other seven as drawn.
      assert.equal(nonce.length, 2 + 16, read.stdout);
      assert.equal(nonce.slice(4).toLowerCase(), hex.slice(2));
    });
  }
});
