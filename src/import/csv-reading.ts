/**
 * csv-parse with the importer's limits: every record as strings, line numbers only when an error
 * needs them, and every parse problem as one line naming the file and line.
 */
import { parse } from 'csv-parse/sync';
import { InputError } from '../util/errors.js';

/**
 * Input limits, far above any real report (an ARN is at most 2,048 characters, a row of 22 columns
 * under 3 KB) and low enough that a file which is not a credential report fails in moments with
 * one clear line instead of running for minutes or exhausting memory.
 */
export const MAX_FIELD_CHARACTERS = 64 * 1024;
export const MAX_RECORD_CHARACTERS = 1024 * 1024;
/** A field over MAX_FIELD_CHARACTERS, thrown from csv-parse's record hook and passed on as it is. */
class FieldTooLarge extends InputError {}

export type CsvRecordWithInfo = { record: string[]; info: { lines: number } };
export function parseCsv(bytes: Uint8Array, file: string, withLines: true): CsvRecordWithInfo[];
export function parseCsv(bytes: Uint8Array, file: string, withLines: false): string[][];
export function parseCsv(bytes: Uint8Array, file: string, withLines: boolean): string[][] | CsvRecordWithInfo[] {
  if (!withLines) {
    const fast = parseSimpleCsv(bytes);
    if (fast !== null) return fast;
  }
  try {
    return parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
      bom: true,
      info: withLines,
      skip_empty_lines: true,
      // Rows with extra fields may be user names with commas, recovered (or refused) by the importer.
      relax_column_count: true,
      max_record_size: MAX_RECORD_CHARACTERS,
      on_record: (parsed: string[], context: { lines: number }) => {
        // With `info`, csv-parse hands the hook the record with its info (its types do not say so).
        const record = Array.isArray(parsed) ? parsed : (parsed as unknown as CsvRecordWithInfo).record;
        const column = record.findIndex((field) => field.length > MAX_FIELD_CHARACTERS);
        if (column >= 0) {
          throw new FieldTooLarge(
            file,
            `line ${context.lines}, field ${column + 1}`,
            `a field of ${record[column]?.length} characters; the limit is ${MAX_FIELD_CHARACTERS} (a credential report's longest field, an ARN, is at most 2,048)`,
          );
        }
        return parsed;
      },
    }) as unknown as string[][] | CsvRecordWithInfo[];
  } catch (error) {
    if (error instanceof FieldTooLarge) throw error;
    const csvError = error as Error & { lines?: number; code?: string };
    const where = csvError.lines === undefined ? null : `line ${csvError.lines}`;
    // Rows with the wrong number of fields are not a parse error (relax_column_count): the importer judges them.
    const problem =
      csvError.code === 'CSV_MAX_RECORD_SIZE'
        ? `a row longer than ${MAX_RECORD_CHARACTERS} characters (a credential report's rows are under 3,000); not an IAM credential report`
        : csvError.lines === 1
          ? `not an IAM credential report: the first line is not a CSV header (${csvError.message})`
          : `not a readable CSV file (${csvError.message})`;
    throw new InputError(file, where, problem);
  }
}


const QUOTE = 34; // "
const COMMA = 44; // ,
const NEWLINE = 10; // \n

/**
 * The common case of a credential report, parsed without csv-parse's per-character state machine:
 * "\n" line ends, commas, fields quoted only as RFC 4180 says ("a ""b"", c" as a whole field).
 * Gives exactly csv-parse's records under the options above (bom, skip_empty_lines,
 * relax_column_count; a test compares the two on generated input), or null as soon as anything
 * else appears (a carriage return, a quote inside an unquoted field, text after a closing quote,
 * an unclosed quote, a field or row near the limits): csv-parse then parses the file and words
 * the error. Unquoted lines are split natively, so a row costs one slice and one split.
 */
export function parseSimpleCsv(bytes: Uint8Array): string[][] | null {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bom = buffer.length >= 3 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf ? 3 : 0;
  const text = buffer.toString('utf8', bom);
  if (text.includes('\r')) return null;
  const records: string[][] = [];
  const length = text.length;
  let position = 0;
  let nextQuote = text.indexOf('"');
  while (position < length) {
    let end = text.indexOf('\n', position);
    if (end === -1) end = length;
    if (nextQuote !== -1 && nextQuote < end) {
      const quoted = parseQuotedRecord(text, position);
      if (quoted === null) return null;
      records.push(quoted.fields);
      position = quoted.next;
      nextQuote = text.indexOf('"', position);
      continue;
    }
    if (end > position) {
      // Characters never outnumber UTF-16 code units, so these checks only ever send more files to csv-parse.
      if (end - position > MAX_FIELD_CHARACTERS) {
        if (end - position > MAX_RECORD_CHARACTERS) return null;
        const fields = text.slice(position, end).split(',');
        if (fields.some((field) => field.length > MAX_FIELD_CHARACTERS)) return null;
        records.push(fields);
      } else {
        records.push(text.slice(position, end).split(','));
      }
    }
    position = end + 1;
  }
  return records;
}

/** One record from `start` that has a quote in it; null when csv-parse would see an error (or might). */
function parseQuotedRecord(text: string, start: number): { fields: string[]; next: number } | null {
  const fields: string[] = [];
  const length = text.length;
  let position = start;
  for (;;) {
    let field: string;
    if (text.charCodeAt(position) === QUOTE) {
      field = '';
      let from = position + 1;
      for (;;) {
        const quote = text.indexOf('"', from);
        if (quote === -1) return null; // unclosed
        field += text.slice(from, quote);
        if (text.charCodeAt(quote + 1) === QUOTE) {
          field += '"';
          from = quote + 2;
          continue;
        }
        position = quote + 1;
        break;
      }
      const after = position < length ? text.charCodeAt(position) : NEWLINE;
      if (after !== COMMA && after !== NEWLINE) return null; // text after the closing quote
    } else {
      let end = position;
      while (end < length) {
        const code = text.charCodeAt(end);
        if (code === COMMA || code === NEWLINE) break;
        if (code === QUOTE) return null; // a quote inside an unquoted field
        end += 1;
      }
      field = text.slice(position, end);
      position = end;
    }
    if (field.length > MAX_FIELD_CHARACTERS || position - start > MAX_RECORD_CHARACTERS) return null;
    fields.push(field);
    if (position >= length) return { fields, next: length };
    const separator = text.charCodeAt(position);
    position += 1;
    if (separator === NEWLINE) return { fields, next: position };
  }
}
