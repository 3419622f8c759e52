/**
 * Issue 26 §2: a large snapshot's users are parsed a piece at a time (never the whole file as one
 * string) and absent facts are shared between users; the document is the one JSON.parse gives, for
 * iam-audit's layout and any other, and a bad file gets the message it got before.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateCredentialReport } from '../bench/generate.js';
import { importCredentialReport } from '../src/import/credential-report.js';
import { parseSnapshot, serializeSnapshot, serializeSnapshotBytes } from '../src/snapshot/io.js';
import { LINE_PARSE_THRESHOLD_BYTES, parseByLines, parseSnapshotJson } from '../src/snapshot/json-text.js';
import type { Snapshot } from '../src/snapshot/types.js';
import { InputError } from '../src/util/errors.js';

const { snapshot } = importCredentialReport(Buffer.from(generateCredentialReport(6000)), { generatedAt: new Date('2026-06-01T12:00:00Z'), fileName: 'b.csv', displayPath: 'b.csv' });
const written = serializeSnapshotBytes(snapshot);
const wholeParse = (bytes: Buffer): unknown => JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, ''));

describe('snapshot JSON read in pieces (issue 26)', () => {
  it('reads iam-audit\'s layout in pieces, to the document JSON.parse gives', () => {
    assert.ok(written.length > LINE_PARSE_THRESHOLD_BYTES, `${written.length} bytes`);
    const inPieces = parseByLines(written);
    assert.notEqual(inPieces, null);
    assert.deepEqual(inPieces, wholeParse(written));
    assert.equal((inPieces as Snapshot).users.length, 6000);
    const withBom = Buffer.concat([Buffer.from('\uFEFF'), written]);
    assert.deepEqual(parseSnapshotJson(withBom), wholeParse(written));
  });

  it('shares one object per absence reason between users', () => {
    const users = (parseSnapshotJson(written) as Snapshot).users;
    const [first, second] = users;
    assert.ok(first !== undefined && second !== undefined);
    assert.equal(first.userId.known, false);
    assert.equal(first.userId, second.userId);
    assert.equal(first.groups, second.tags);
  });

  it('any other layout gives the same document: compact, fully indented, nested or repeated "users" keys', () => {
    const document = wholeParse(written) as Record<string, unknown>;
    const padding = ' '.repeat(LINE_PARSE_THRESHOLD_BYTES);
    const variants = [
      Buffer.from(JSON.stringify(document)),
      Buffer.from(JSON.stringify(document, null, 2)),
      Buffer.from(`{\n  "nested": {\n  "users": [\n    {"a": 1}\n  ]\n  },\n  "users": [\n    {"b": 2}\n  ],\n  "pad": "${padding}"\n}\n`),
      Buffer.from(`{\n  "users": [\n    {"a": 1}\n  ],\n  "users": "later",\n  "pad": "${padding}"\n}\n`),
    ];
    for (const [index, bytes] of variants.entries()) assert.deepEqual(parseSnapshotJson(bytes), wholeParse(bytes), `variant ${index}`);
  });

  it('a damaged user line is refused with the message JSON.parse gives for the whole file', () => {
    const text = written.toString('utf8');
    const at = text.indexOf('"name":"user-003000"');
    assert.ok(at > 0);
    const damaged = Buffer.from(`${text.slice(0, at)}"name" "user-003000"${text.slice(at + '"name":"user-003000"'.length)}`);
    let expected = '';
    try {
      wholeParse(damaged);
    } catch (error) {
      expected = (error as Error).message.replace(/\s+/g, ' ');
    }
    assert.notEqual(expected, '');
    assert.throws(() => parseSnapshot(damaged, 'snap.json'), (error: unknown) => {
      assert.ok(error instanceof InputError);
      assert.equal(error.message, `snap.json: not valid JSON (${expected}); expected an iam-audit snapshot`);
      return true;
    });
  });

  it('a large snapshot read back validates and equals the one written', () => {
    assert.deepEqual(parseSnapshot(written, 'snap.json').snapshot, JSON.parse(JSON.stringify(snapshot)));
  });

  it('the file bytes, written into one buffer sized as it goes, are the serialised text for any number of users', () => {
    for (const count of [0, 1, 1999, 2000, 2001, 6000]) {
      const part = { ...snapshot, users: snapshot.users.slice(0, count) };
      const bytes = serializeSnapshotBytes(part);
      assert.ok(bytes.equals(Buffer.from(serializeSnapshot(part), 'utf8')), `${count} users`);
      assert.ok(bytes.buffer.byteLength <= Math.max(bytes.length * 1.05 + 128 * 1024, 2 * 1024 * 1024), `${count} users: ${bytes.buffer.byteLength} bytes held for ${bytes.length}`);
    }
    const named = { ...snapshot, users: snapshot.users.slice(0, 3).map((user, index) => ({ ...user, name: `ünïcode-${index}-名前` })) };
    assert.ok(serializeSnapshotBytes(named).equals(Buffer.from(serializeSnapshot(named), 'utf8')));
  });
});
