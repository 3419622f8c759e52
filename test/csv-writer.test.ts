/** CSV writing through csv-stringify keeps Python's csv.writer output (QUOTE_MINIMAL, CRLF) and the formula neutralisation. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { toCsv, toCsvChunks } from '../src/render/csv-safety.js';

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
