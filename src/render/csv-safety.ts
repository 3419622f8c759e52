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
  const text = cell.includes('\u0000') ? cell.replace(NUL, NUL_REPLACEMENT) : cell;
  return FORMULA_TRIGGER.test(text) ? `'${text}` : text;
}

/** Quotes a field the way Python's csv module does (QUOTE_MINIMAL): only when needed. */
function quoteMinimal(cell: string): string {
  return /[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

/**
 * Writes rows as CSV with CRLF line ends, as the original script's csv.DictWriter did (and as
 * RFC 4180 says). Every cell is neutralised against formula injection.
 */
export function toCsv(header: readonly string[], rows: Iterable<readonly string[]>): string {
  const lines: string[] = [header.map(quoteMinimal).join(',')];
  for (const row of rows) lines.push(row.map((cell) => quoteMinimal(neutraliseFormula(cell))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/**
 * The same text as `toCsv`, in chunks of `rowsPerChunk` rows, for files too large for one string.
 * Rows are read lazily, so a generator of rows keeps memory flat.
 */
export function* toCsvChunks(header: readonly string[], rows: Iterable<readonly string[]>, rowsPerChunk = 2000): Generator<string> {
  let batch: string[] = [header.map(quoteMinimal).join(',')];
  for (const row of rows) {
    batch.push(row.map((cell) => quoteMinimal(neutraliseFormula(cell))).join(','));
    if (batch.length >= rowsPerChunk) {
      yield `${batch.join('\r\n')}\r\n`;
      batch = [];
    }
  }
  if (batch.length > 0) yield `${batch.join('\r\n')}\r\n`;
}
