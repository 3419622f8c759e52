/** CSV writing through csv-stringify keeps Python's csv.writer output (QUOTE_MINIMAL, CRLF) and the formula neutralisation. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { stringify } from 'csv-stringify/sync';
import { neutraliseFormula, toCsv, toCsvChunks } from '../src/render/csv-safety.js';

/** The oracle: every row through csv-stringify with Python's csv.writer settings; a row of one empty field is `""`. */
function csvByLibraryAlone(rows: readonly (readonly string[])[]): string {
  return rows.map((row) => (row.length === 1 && row[0] === '' ? '""\r\n' : stringify([[...row]], { record_delimiter: 'windows', quoted_match: /[\r\n]/ }))).join('');
}

it('quotes commas, quotes and any line break (a lone CR or LF too), neutralises formulas, ends rows CRLF', () => {
  const rows = [
    ['a,b', 'say "hi"', 'x\ry', 'x\ny', '', ' lead', '=1+1', '\n=cmd', 'nul\u0000'],
    [''],
    ['plain'],
  ];
  assert.equal(
    toCsv(['h1', 'h,2'], rows),
    'h1,"h,2"\r\n' + '"a,b","say ""hi""","x\ry","x\ny",, lead,\'=1+1,"\'\n=cmd",nul\uFFFD\r\n' + '""\r\n' + 'plain\r\n',
  );
});

it('chunks join to the whole text', () => {
  const rows = Array.from({ length: 25 }, (_, index) => [`-${index}`, `a\r\nb${index}`]);
  assert.equal([...toCsvChunks(['x', 'y'], rows, 7)].join(''), toCsv(['x', 'y'], rows));
  assert.equal(toCsv(['only'], []), 'only\r\n');
});

it('writes exactly what csv-stringify alone writes, for random rows (plain rows skip the library, quoted ones do not)', () => {
  // A small deterministic generator: the same rows on every run.
  let seed = 20261202;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const alphabet = ['a', 'Z', '0', ' ', ',', '"', '\r', '\n', '\r\n', '=', '-', '@', '+', '\t', 'é', '\u202e', '#', ';', "'"];
  const cell = (): string => Array.from({ length: Math.floor(random() * 6) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
  const rows = Array.from({ length: 2000 }, () => (random() < 0.05 ? [''] : Array.from({ length: 1 + Math.floor(random() * 5) }, cell)));
  const neutralised = rows.map((row) => row.map(neutraliseFormula));
  assert.equal(toCsv(['h1', 'h,2'], rows), csvByLibraryAlone([['h1', 'h,2'], ...neutralised]));
  assert.ok(neutralised.filter((row) => !row.some((field) => /[",\r\n]/.test(field))).length > 300, 'enough rows take the plain path');
  assert.ok(neutralised.filter((row) => row.some((field) => /[",\r\n]/.test(field))).length > 300, 'enough rows need quoting');
});
