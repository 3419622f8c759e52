/**
 * The importer's fast CSV path against csv-parse itself: on any input the fast path accepts, it
 * gives csv-parse's records; whatever csv-parse refuses, the fast path leaves to csv-parse.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { parseSimpleCsv } from '../src/import/csv-reading.js';
import { generateCredentialReport } from '../bench/generate.js';

const OPTIONS = { bom: true, skip_empty_lines: true, relax_column_count: true } as const;

function csvParse(text: string): string[][] | 'error' {
  try {
    return parse(Buffer.from(text, 'utf8'), OPTIONS) as string[][];
  } catch {
    return 'error';
  }
}

describe('fast CSV path', () => {
  it('gives csv-parse records, or leaves the input to csv-parse, on generated text', () => {
    const piece = fc.constantFrom('a', 'user', ',', '"', '""', '\n', '\n\n', ' ', 'é', '\r\n', '\uFEFF', 'N/A', '2026-01-01T00:00:00+00:00');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (pieces) => {
        const text = pieces.join('');
        const fast = parseSimpleCsv(Buffer.from(text, 'utf8'));
        const reference = csvParse(text);
        if (fast === null) return; // left to csv-parse
        assert.notEqual(reference, 'error', `fast path accepted what csv-parse refuses: ${JSON.stringify(text)}`);
        assert.deepEqual(fast, reference, JSON.stringify(text));
      }),
      { numRuns: 1500, seed: 11 },
    );
  });

  it('parses a generated credential report, quoted names and a byte-order mark like csv-parse', () => {
    const report = generateCredentialReport(300).replace('user-000007,', '"user,000007",').replace('user-000009,', '"user ""9""",');
    for (const text of [report, `\uFEFF${report}`, report.trimEnd()]) {
      const fast = parseSimpleCsv(Buffer.from(text, 'utf8'));
      assert.notEqual(fast, null);
      assert.deepEqual(fast, csvParse(text));
    }
  });

  it('leaves carriage returns, stray quotes and unclosed quotes to csv-parse', () => {
    for (const text of ['a,b\r\nc,d\r\n', 'a,b"c\n', 'a,"b" c\n', 'a,"b\n']) assert.equal(parseSimpleCsv(Buffer.from(text, 'utf8')), null, JSON.stringify(text));
  });
});
