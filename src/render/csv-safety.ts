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
  // Empty cells are common (unused columns): nothing to neutralise.
  if (cell.length === 0) return cell;
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

/** Besides the delimiter, what makes QUOTE_MINIMAL quote a field: the quote or a line break. */
const QUOTE_OR_LINE_BREAK = /["\r\n]/;

/**
 * Record delimiter for the rows csv-stringify writes in one call, split apart afterwards. NUL
 * never reaches here (neutraliseFormula replaces it), so it cannot occur inside a field.
 */
const ROW_SEPARATOR = '\u0000';
const SEPARATED_OPTIONS = { ...STRINGIFY_OPTIONS, record_delimiter: ROW_SEPARATOR } as const;

/**
 * Rows as CSV text, each ending CRLF; a row of one empty field is `""`, as Python writes it (an
 * empty line would be no row). A row with nothing to quote is its fields joined by commas, which
 * is all csv-stringify would do with it at about a microsecond a field (a quarter of a large run);
 * every row that needs quoting goes through csv-stringify, in one call per batch. A test compares
 * the result with csv-stringify's own for random rows.
 */
function csvLines(rows: readonly (readonly string[])[]): string {
  // Per row: its plain line, '' for a row of one empty field, or null when csv-stringify must quote it.
  const lines = rows.map((row) => (row.length === 1 && row[0] === '' ? '' : plainLine(row)));
  const quoted = rows.filter((_, index) => lines[index] === null) as string[][];
  const quotedLines = quoted.length === 0 ? [] : stringify(quoted, SEPARATED_OPTIONS).split(ROW_SEPARATOR);
  let text = '';
  let next = 0;
  for (const line of lines) {
    if (line === '') text += '""\r\n';
    else if (line === null) text += `${quotedLines[next++] ?? ''}\r\n`;
    else text += `${line}\r\n`;
  }
  return text;
}

/**
 * The row's fields joined by commas when none of them needs quoting, else null. One scan of the
 * joined line instead of a test per field: no quote or line break in it, and no comma but the
 * row.length - 1 that join put there.
 */
function plainLine(row: readonly string[]): string | null {
  const line = row.join(',');
  if (QUOTE_OR_LINE_BREAK.test(line)) return null;
  let commas = 0;
  for (let at = line.indexOf(','); at !== -1; at = line.indexOf(',', at + 1)) commas += 1;
  return commas === row.length - 1 ? line : null;
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

/** Rows as CSV lines (no header), neutralised like `toCsv`'s: for a file written a batch at a time. */
export function csvRows(rows: readonly (readonly string[])[]): string {
  return rows.length === 0 ? '' : csvLines(rows.map((row) => row.map(neutraliseFormula)));
}
