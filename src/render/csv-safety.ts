/**
 * Spreadsheet formula injection: Excel, LibreOffice and Google Sheets evaluate a cell that begins
 * with `=`, `+`, `-` or `@` (and, in some versions, a tab or carriage return) as a formula, some of
 * them also after leading spaces, line breaks or invisible bidi controls. IAM user names may begin
 * with `+`, `=`, `-` or `@`, so such a cell is prefixed with a single quote, which every spreadsheet
 * shows as text and hides in the cell. The JSON output keeps the raw values.
 */
import { rememberedPerText } from '../util/remembered.js';

const FORMULA_TRIGGER = /^[\s\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]*[=+\-@]|^[\t\r]/;

/** NUL ends a string in C: some spreadsheet importers cut the cell (or the file) there. Shown as U+FFFD instead. */
const NUL = /\u0000/g;
export const NUL_REPLACEMENT = '\uFFFD';

export function neutraliseFormula(cell: string): string {
  // Empty cells are common (unused columns): nothing to neutralise.
  if (cell.length === 0) return cell;
  // Most cells start with a letter or digit, which can never begin a formula: no regex for them.
  const first = cell.charCodeAt(0);
  if (((first >= 48 && first <= 57) || (first >= 65 && first <= 90) || (first >= 97 && first <= 122)) && !cell.includes('\u0000')) return cell;
  const text = cell.includes('\u0000') ? cell.replace(NUL, NUL_REPLACEMENT) : cell;
  return FORMULA_TRIGGER.test(text) ? `'${text}` : text;
}

/**
 * Python's csv.writer defaults (QUOTE_MINIMAL, CRLF): a field is quoted when it holds a comma, a
 * quote or any line break (a lone CR or LF too, or a name with a line break would split the row),
 * and a quote inside is doubled. Written here rather than by csv-stringify, which cost about a
 * microsecond a field and, called once per batch, made the streamed findings CSV hold thousands
 * of rows (promoted to the old generation at 100,000 users). test/csv-writer.test.ts compares the
 * output with csv-stringify's own for random rows.
 */
const QUOTE_OR_LINE_BREAK = /["\r\n]/;
const NEEDS_QUOTES = /[",\r\n]/;
const QUOTE = /"/g;

function quoted(cell: string): string {
  return NEEDS_QUOTES.test(cell) ? `"${cell.replace(QUOTE, '""')}"` : cell;
}

/** What makes a cell more than its own text or its text in quotes: a quote, a line break, a NUL. */
const QUOTE_LINE_BREAK_OR_NUL = /["\r\n\u0000]/;

/**
 * One cell as a row of several cells writes it (`csvLine` of neutralised cells): neutralised and
 * quoted. A cell that begins with a letter or digit (never a formula) and holds no quote, line
 * break or NUL, most of them, is returned as it is, or in quotes when it holds a comma (an
 * evidence sentence often does); any other goes the long way. Not for a row of one cell (an empty
 * one is written `""` there).
 */
export function csvCell(cell: string): string {
  if (cell.length === 0) return cell;
  const first = cell.charCodeAt(0);
  if (((first >= 48 && first <= 57) || (first >= 65 && first <= 90) || (first >= 97 && first <= 122)) && !QUOTE_LINE_BREAK_OR_NUL.test(cell)) {
    return cell.includes(',') ? `"${cell}"` : cell;
  }
  return quoted(neutraliseFormula(cell));
}

/**
 * The cell of a value from a small vocabulary (a rule id, a severity, a status, a resource type),
 * neutralised and quoted once per distinct value rather than once per row. Only for values the
 * program names: the memo grows with the vocabulary, never with the account.
 */
export const vocabularyCell: (value: string) => string = rememberedPerText(csvCell);

/**
 * One neutralised row as a CSV line ending CRLF; a row of one empty field is `""`, as Python writes
 * it (an empty line would be no row). A row with nothing to quote (most) is its fields joined by
 * commas, found by one scan of the joined line: no quote or line break in it, and no comma but
 * the row.length - 1 that join put there.
 */
export function csvLine(row: readonly string[]): string {
  if (row.length === 1 && row[0] === '') return '""\r\n';
  const line = row.join(',');
  if (!QUOTE_OR_LINE_BREAK.test(line)) {
    let commas = 0;
    for (let at = line.indexOf(','); at !== -1; at = line.indexOf(',', at + 1)) commas += 1;
    if (commas === row.length - 1) return `${line}\r\n`;
  }
  return `${row.map(quoted).join(',')}\r\n`;
}

/** `csvLine` of the row's cells neutralised, cell by cell (`csvCell`), without the arrays between. */
function neutralisedLine(row: readonly string[]): string {
  if (row.length === 1 && row[0] === '') return '""\r\n';
  let line = row.length === 0 ? '' : csvCell(row[0] as string);
  for (let index = 1; index < row.length; index += 1) line += `,${csvCell(row[index] as string)}`;
  return `${line}\r\n`;
}

/**
 * Writes rows as CSV with CRLF line ends, as the original script's csv.DictWriter did (and as
 * RFC 4180 says). Every cell is neutralised against formula injection.
 */
export function toCsv(header: readonly string[], rows: Iterable<readonly string[]>): string {
  return [...toCsvChunks(header, rows, Number.POSITIVE_INFINITY)].join('');
}

/**
 * The same text as `toCsv`, in chunks of `rowsPerChunk` rows, for files too large for one string.
 * Rows are read lazily, so a generator of rows keeps memory flat.
 */
export function* toCsvChunks(header: readonly string[], rows: Iterable<readonly string[]>, rowsPerChunk = 2000): Generator<string> {
  // The header as it is (its names are ours); every row neutralised.
  let text = csvLine(header);
  let count = 1;
  for (const row of rows) {
    text += neutralisedLine(row);
    count += 1;
    if (count >= rowsPerChunk) {
      yield text;
      text = '';
      count = 0;
    }
  }
  if (count > 0) yield text;
}

/** Rows as CSV lines (no header), neutralised like `toCsv`'s: for a file written a batch at a time. */
export function csvRows(rows: readonly (readonly string[])[]): string {
  let text = '';
  for (const row of rows) text += neutralisedLine(row);
  return text;
}

/** One row as a CSV line, neutralised like `toCsv`'s: for a file written a row at a time. */
export function csvRow(row: readonly string[]): string {
  return neutralisedLine(row);
}
