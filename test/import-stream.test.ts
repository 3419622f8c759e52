/**
 * Issue 26: the import streams the credential report through csv-parse's stream API. The snapshot
 * is byte for byte the one the former whole-buffer import wrote (SHA-256s taken from b99ab49, the
 * release before), the in-memory and streamed imports agree on every input and refusal, and a
 * chunk boundary anywhere (inside a quoted field, a CRLF, the BOM) changes nothing.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { generateCredentialReport } from '../bench/generate.js';
import { importCredentialReport, importCredentialReportStream, type ImportOptions, type ImportOutcome } from '../src/import/credential-report.js';
import { serializeSnapshot } from '../src/snapshot/io.js';
import { InputError } from '../src/util/errors.js';
import { packageRoot } from '../src/util/paths.js';
import { HEADER_22, ROOT_ROW_OLD, userRow } from './support/reports.js';

/** Snapshot SHA-256 and the first 16 hex digits of the warnings' SHA-256, as b99ab49 imported them. */
const BEFORE: ReadonlyArray<readonly [string, string, string]> = [
  ['fixtures/real-world/01_aws_testbench_2022.csv', 'd814bac1a0eefe4a8d7092ff61844e8dffc3672618664dde48d61b2588494bbd', 'b03f263ca827b432'],
  ['fixtures/real-world/02_cfech_saa_2025_zulu.csv', 'bd3344644452dbea4117837b1e60ae899aae02985821443a1dcaa547bc54486d', 'b82c0b890d680b65'],
  ['fixtures/real-world/03_coolfriends_oil_2017.csv', '66f75a0c1ee09c5f73ff75ce7eab55d15ed0464324addfbfb81770759b0cb365', 'd627f69fd5293d37'],
  ['fixtures/real-world/04_lstatro_cloud_search_2020.csv', '11abbf8cdd69093870a1cb39719b7e0a2f93a3c0878cfa4247e98fd8493691db', 'e6b44ccbd6679e5f'],
  ['fixtures/real-world/05_aws_docs_powershell_legacy16col_2015.csv', '75563d13545d477f4475989d8d743187d1ff2ac54c7dcdb7c222f222983c2c85', '153ef8d00cb65ed7'],
  ['fixtures/demo/credential-report.csv', '2eefef43322862cf803ca08098af0536b036fd9d73604b24b6e8e1d4615cbc00', '2880f96bc47303e0'],
  ['fixtures/reports/all-compliant.csv', '18cbc77c701dba466e756a6665435567b8dfb4aac12018138e056df7b5f671ce', '592deb7a380ebbef'],
  ['generated-2000', 'eea7a37c4cb0096671388599fcbbdabede949412fa7cd579d6fc6ffe03cdb458', 'ccdec4f7045f3df5'],
  ['generated-2000-crlf-bom', '384e17b5f09428a6bbde42f99f1dbf98740dd5479680ae342327341ec43fa612', '6ea9dee54ccf256d'],
];

function inputBytes(name: string): Buffer {
  const generated = generateCredentialReport(2000);
  if (name === 'generated-2000') return Buffer.from(generated, 'utf8');
  if (name === 'generated-2000-crlf-bom') return Buffer.from(`\uFEFF${generated.replace(/\n/g, '\r\n')}`, 'utf8');
  return readFileSync(join(packageRoot, name));
}

async function* chunksOf(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

function fingerprint(outcome: ImportOutcome): [string, string] {
  return [sha256(serializeSnapshot(outcome.snapshot)), sha256(JSON.stringify(outcome.warnings)).slice(0, 16)];
}

/** The outcome as text: the snapshot's fingerprint, or the refusal's class and message. */
async function outcomeOf(run: () => ImportOutcome | Promise<ImportOutcome>): Promise<string> {
  try {
    return `accepted ${fingerprint(await run()).join(' ')}`;
  } catch (error) {
    return `refused ${(error as Error).constructor.name}: ${(error as Error).message}`;
  }
}

describe('import: the credential report streamed (issue 26)', () => {
  for (const [name, snapshotSha, warningsSha] of BEFORE) {
    it(`${name}: the same snapshot bytes and warnings as before, in memory and streamed in chunks of 7 bytes and 64 KiB`, async () => {
      const bytes = inputBytes(name);
      const options: ImportOptions = { displayPath: name, fileName: name.split('/').pop() ?? name };
      assert.deepEqual(fingerprint(importCredentialReport(bytes, options)), [snapshotSha, warningsSha]);
      assert.deepEqual(fingerprint(await importCredentialReportStream(chunksOf(bytes, 7), options)), [snapshotSha, warningsSha]);
      assert.deepEqual(fingerprint(await importCredentialReportStream(chunksOf(bytes, 65536), options)), [snapshotSha, warningsSha]);
    });
  }

  it('refuses what the in-memory import refuses, with the same line, whatever the chunk size', async () => {
    const good = `${HEADER_22}\n${ROOT_ROW_OLD}\n${userRow('alice')}\n`;
    const cases: ReadonlyArray<readonly [string, string | Buffer, RegExp]> = [
      ['empty', '', /^report\.csv: the file is empty/],
      ['binary', Buffer.from([0x41, 0x00, 0x42]), /^report\.csv: this is a binary file/],
      ['blank lines only', '\n\n\n', /^report\.csv: the file has no lines/],
      ['header only', `${HEADER_22}\n`, /^report\.csv: the report has a header but no rows/],
      ['not a report', 'a,b,c\n1,2,3\n', /^report\.csv: line 1: not an IAM credential report: the header lacks/],
      ['a broken quote', `${good}"alice,x\n`, /^report\.csv: line 4: not a readable CSV file \(Quote Not Closed/],
      ['a duplicate user', `${good}${userRow('Alice')}\n`, /^report\.csv: line 4, column user: user "Alice" differs only in case from "alice" on line 3;/],
      ['a quoted field over two lines', `${good}${userRow('bob', { access_key_1_active: 'true', access_key_1_last_rotated: '2025-01-01T00:00:00Z', access_key_1_last_used_region: 'x\ny' })}\n${userRow('bob')}\n`, /^report\.csv: line 6, column user: user "bob" already appears on line 5$/],
      ['a bad timestamp', `${good}${userRow('bob', { password_last_used: '2026-02-30T00:00:00Z' })}\n`, /^report\.csv: line 4, column password_last_used: "2026-02-30T00:00:00Z" is not an ISO 8601/],
      ['a second account', `${good}${userRow('bob', {}, '999999999999')}\n`, /^report\.csv: line 4, column arn: account aws\/999999999999 differs from aws\/123456789012 on line 2;/],
      ['a field too long', `${good}${userRow('bob', { access_key_1_last_used_service: 'x'.repeat(70_000) })}\n`, /^report\.csv: line 4, field 13: a field of 70000 characters/],
      ['an event after the capture time', `${good}${userRow('bob', { password_last_used: '2026-09-01T00:00:00Z' })}\n`, /^report\.csv: line 4, column password_last_used: 2026-09-01T00:00:00Z is .* after the capture time/],
    ];
    const options: ImportOptions = { displayPath: 'report.csv', fileName: 'report.csv', generatedAt: new Date('2026-06-01T00:00:00Z') };
    for (const [label, text, expected] of cases) {
      const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
      const inMemory = await outcomeOf(() => importCredentialReport(bytes, options));
      assert.match(inMemory, new RegExp(`^refused InputError: ${expected.source.slice(1)}`), label);
      for (const size of [1, 5, 4096]) {
        assert.equal(await outcomeOf(() => importCredentialReportStream(chunksOf(bytes, size), options)), inMemory, `${label}, chunks of ${size}`);
      }
    }
  });

  it('reads the AWS CLI JSON whole and gives the snapshot the in-memory import gives', async () => {
    const csv = `${HEADER_22}\n${ROOT_ROW_OLD}\n${userRow('alice')}\n`;
    const json = Buffer.from(JSON.stringify({ Content: Buffer.from(csv).toString('base64'), ReportFormat: 'text/csv', GeneratedTime: '2026-06-01T00:00:00+00:00' }));
    const options: ImportOptions = { displayPath: 'report.json', fileName: 'report.json' };
    const expected = await outcomeOf(() => importCredentialReport(json, options));
    assert.match(expected, /^accepted /);
    assert.equal(await outcomeOf(() => importCredentialReportStream(chunksOf(json, 3), options)), expected);
  });

  it('a read failure of the source reaches the caller as it is', async () => {
    async function* failing(): AsyncGenerator<Buffer> {
      yield Buffer.from(`${HEADER_22}\n`);
      throw new InputError('report.csv', null, 'the disk went away');
    }
    await assert.rejects(importCredentialReportStream(failing(), { displayPath: 'report.csv', fileName: 'report.csv' }), { message: 'report.csv: the disk went away' });
  });
});
