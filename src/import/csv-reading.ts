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

