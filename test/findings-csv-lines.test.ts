/**
 * Issue 26, the findings CSV's writer: each result's line is built without its array of cells,
 * the vocabulary's cells checked once per value and the others by one scan. It must write the
 * bytes the cell-by-cell path writes (`findingCells`, neutralised, through `csvLine`), which
 * test/csv-writer.test.ts holds to csv-stringify's output: checked here on random results whose
 * every text cell may hold a comma, a quote, a line break, a NUL or a formula's first character.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stringify } from 'csv-stringify/sync';
import type { AppliedException, FindingTracking, RuleResult, RuleResultStatus } from '../src/analyze/result.js';
import { csvCell, csvLine, csvRows, neutraliseFormula, toCsv } from '../src/render/csv-safety.js';
import { findingCells, findingLine, findingsCsvChunks, findingsCsvStream, FINDINGS_CSV_HEADER } from '../src/render/findings-csv.js';
import type { Severity } from '../src/rules/rule.js';

/** A small deterministic generator: the same results on every run. */
function generator(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

const ALPHABET = ['a', 'Z', '0', '7', ' ', ',', '"', '\r', '\n', '\r\n', '=', '-', '@', '+', '\t', 'é', '\u202e', '\u0000', '#', "'", '<', '_', '/', ':'];

/** The cell-by-cell path: the cells neutralised, then joined and quoted by `csvLine`. */
function cellByCell(cells: readonly string[]): string {
  return csvLine(cells.map(neutraliseFormula));
}

function randomResults(count: number, seed: number): RuleResult[] {
  const random = generator(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
  const text = (): string => Array.from({ length: Math.floor(random() * 7) }, () => pick(ALPHABET)).join('');
  const maybe = (): string | null => (random() < 0.3 ? null : text());
  const exception = (): AppliedException => ({ justification: text(), approvedBy: text(), expires: text(), resourcePattern: text() });
  const tracking = (): FindingTracking => ({
    owner: maybe(),
    ownerSource: maybe(),
    dueDate: maybe(),
    overdue: random() < 0.5,
    response: random() < 0.4 ? null : { response: text(), owner: text(), targetDate: text() },
  } as FindingTracking);
  return Array.from({ length: count }, () => {
    const tracked = random() < 0.5;
    const result = {
      findingId: `${text()}/${text()}`,
      ruleId: pick(['access-key-rotation', '=rule', 'a,b', text()]),
      severity: pick<Severity>(['critical', 'high', 'medium', 'low', 'info']),
      resourceType: pick(['user', 'access-key', 'root', '-x']),
      resourceArn: text(),
      resourceName: pick(['<root_account>', '+user', '@user', '-user', text()]),
      status: pick<RuleResultStatus>(['pass', 'fail', 'not_applicable', 'not_evaluated', 'error', 'excepted']),
      evidence: text(),
      reason: maybe(),
      exception: random() < 0.3 ? exception() : null,
      expiredException: random() < 0.2 ? exception() : null,
    };
    return (tracked ? { ...result, tracking: tracking() } : result) as RuleResult;
  });
}

describe('the findings CSV line writer', () => {
  it('writes each result as its cells neutralised and written cell by cell (3,000 random results)', () => {
    const results = randomResults(3000, 2026_12_07);
    for (const result of results) assert.equal(findingLine(result), cellByCell(findingCells(result)), JSON.stringify(result));
    assert.ok(results.some((result) => /[",\r\n]/.test(findingLine(result).slice(0, -2))), 'some lines are quoted');
    assert.ok(results.some((result) => findingLine(result).includes("'")), 'some cells are neutralised');
  });

  it('writes what csv-stringify writes for the neutralised cells', () => {
    for (const result of randomResults(500, 26)) {
      const cells = findingCells(result).map(neutraliseFormula);
      assert.equal(findingLine(result), stringify([cells], { record_delimiter: 'windows', quoted_match: /[\r\n]/ }));
    }
  });

  it('a cell: plain text as it is, the rest neutralised and quoted as csvLine quotes it', () => {
    assert.equal(csvCell('alice'), 'alice');
    assert.equal(csvCell(''), '');
    assert.equal(csvCell('a,b'), '"a,b"');
    assert.equal(csvCell('say "hi"'), '"say ""hi"""');
    assert.equal(csvCell('=1+1'), "'=1+1");
    assert.equal(csvCell('\n=cmd'), '"\'\n=cmd"');
    assert.equal(csvCell('nul\u0000'), 'nul\uFFFD');
    assert.equal(csvCell('<root_account>'), '<root_account>');
  });

  it('a batch is its kept lines in order, and the whole file is the header and every line', () => {
    const results = randomResults(4500, 7);
    const kept = new Set(['fail', 'error']);
    assert.equal(findingsCsvStream.lines(results, kept), results.filter((result) => kept.has(result.status)).map(findingLine).join(''));
    assert.equal(findingsCsvStream.lines(results, null), results.map(findingLine).join(''));
    const result = { catalogue: { results } } as unknown as Parameters<typeof findingsCsvChunks>[0];
    const chunks = [...findingsCsvChunks(result)];
    assert.ok(chunks.length > 2, `${chunks.length} chunks`);
    assert.equal(chunks.join(''), cellByCell(FINDINGS_CSV_HEADER) + results.map((item) => cellByCell(findingCells(item))).join(''));
  });
});

describe('the other CSVs (summary, MFA, rules): rows written cell by cell', () => {
  it('toCsv and csvRows write what csv-stringify writes for the neutralised rows, NUL and one-cell rows included', () => {
    const random = generator(4242);
    const cell = (): string => Array.from({ length: Math.floor(random() * 6) }, () => ALPHABET[Math.floor(random() * ALPHABET.length)]).join('');
    const rows = Array.from({ length: 3000 }, () => (random() < 0.05 ? [''] : Array.from({ length: 1 + Math.floor(random() * 6) }, cell)));
    const oracle = (row: readonly string[]): string => (row.length === 1 && row[0] === '' ? '""\r\n' : stringify([row.map(neutraliseFormula)], { record_delimiter: 'windows', quoted_match: /[\r\n]/ }));
    const header = ['h,1', '=h2'];
    // The header is written as it is (not neutralised), the rows neutralised.
    assert.equal(toCsv(header, rows), stringify([header], { record_delimiter: 'windows' }) + rows.map(oracle).join(''));
    assert.equal(csvRows(rows), rows.map(oracle).join(''));
    assert.ok(rows.some((row) => row.some((text) => text.includes('\u0000'))), 'some rows hold a NUL');
  });
});
