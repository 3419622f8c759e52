import { stringify } from 'csv-stringify/sync';
/**
 * Spreadsheet formula injection: Excel, LibreOffice and Google Sheets evaluate a cell that begins
 * with `=`, `+`, `-` or `@` (and, in some versions, a tab or carriage return) as a formula, some of
 * them also after leading spaces, line breaks or invisible bidi controls. IAM user names may begin
 * with `+`, `=`, `-` or `@`, so such a cell is prefixed with a single quote, which every spreadsheet
 * shows as text and hides in the cell. The JSON output keeps the raw values.
 */
const FORMULA_TRIGGER = /^[\s\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]*[=+\-@]|^[\t\r]/;

/** NUL ends a string in C: some spreadsheet importers cut the cell (or the file) there. Shown as U+FFFD instead. */
const NUL = /\u0000/g;
export const NUL_REPLACEMENT = '\uFFFD';

export function neutraliseFormula(cell: string): string {
  // Most cells start with a letter or digit, which can never begin a formula: no regex for them.
  const first = cell.charCodeAt(0);
  if (((first >= 48 && first <= 57) || (first >= 65 && first <= 90) || (first >= 97 && first <= 122)) && !cell.includes('\u0000')) return cell;
  const text = cell.includes('\u0000') ? cell.replace(NUL, NUL_REPLACEMENT) : cell;
  return FORMULA_TRIGGER.test(text) ? `'${text}` : text;
}

/**
 * csv-stringify with Python's csv.writer defaults (QUOTE_MINIMAL, CRLF): a field is quoted when it
 * holds a comma, a quote or any line break. csv-stringify alone quotes only on the whole record
 * delimiter (CRLF), so a lone CR or LF needs quoted_match, or a name with a line break would split
 * the row.
 */
const STRINGIFY_OPTIONS = { record_delimiter: 'windows', quoted_match: /[\r\n]/ } as const;

/** Rows as CSV text, each ending CRLF; a row of one empty field is `""`, as Python writes it (an empty line would be no row). */
function csvLines(rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return '';
  if (!rows.some((row) => row.length === 1 && row[0] === '')) return stringify(rows as string[][], STRINGIFY_OPTIONS);
  return rows.map((row) => (row.length === 1 && row[0] === '' ? '""\r\n' : stringify([row as string[]], STRINGIFY_OPTIONS))).join('');
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
  let batch: (readonly string[])[] = [header];
  for (const row of rows) {
    batch.push(row.map(neutraliseFormula));
    if (batch.length >= rowsPerChunk) {
      yield csvLines(batch);
      batch = [];
    }
  }
  if (batch.length > 0) yield csvLines(batch);
}
