/**
 * csv-parse with the importer's limits: records handed one at a time to the importer with the line
 * they end on (never an array of every record), from bytes in memory (the sync API) or from a
 * stream of chunks (the stream API), and every parse problem as one line naming the file and line.
 */
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CsvError, parse as parseStream, type Options } from 'csv-parse';
import { parse } from 'csv-parse/sync';
import { InputError } from '../util/errors.js';

/**
 * Input limits, far above any real report (an ARN is at most 2,048 characters, a row of 22 columns
 * under 3 KB) and low enough that a file which is not a credential report fails in moments with
 * one clear line instead of running for minutes or exhausting memory.
 */
export const MAX_FIELD_CHARACTERS = 64 * 1024;
export const MAX_RECORD_CHARACTERS = 1024 * 1024;

/** Takes one record and the line it ends on (csv-parse's count, as the former `info.lines`). */
export type RecordSink = (record: string[], line: number) => void;

/** The parser's options: each record goes to the sink from csv-parse's record hook and is not kept. */
function csvOptions(file: string, sink: RecordSink): Options {
  return {
    bom: true,
    skip_empty_lines: true,
    // Rows with extra fields may be user names with commas, recovered (or refused) by the importer.
    relax_column_count: true,
    max_record_size: MAX_RECORD_CHARACTERS,
    on_record: (record: string[], context: { lines: number }) => {
      const column = record.findIndex((field) => field.length > MAX_FIELD_CHARACTERS);
      if (column >= 0) {
        throw new InputError(
          file,
          `line ${context.lines}, field ${column + 1}`,
          `a field of ${record[column]?.length} characters; the limit is ${MAX_FIELD_CHARACTERS} (a credential report's longest field, an ARN, is at most 2,048)`,
        );
      }
      sink(record, context.lines);
      // Nothing is pushed on: the sink has what it needs, and no array of records builds up.
      return null;
    },
  } as Options;
}

/** csv-parse's error as the importer's one line; the importer's own refusals (from the sink) pass as they are. */
function csvFailure(error: unknown, file: string): Error {
  if (error instanceof InputError || !(error instanceof CsvError)) return error as Error;
  const csvError = error as CsvError & { lines?: number };
  const where = csvError.lines === undefined ? null : `line ${csvError.lines}`;
  // Rows with the wrong number of fields are not a parse error (relax_column_count): the importer judges them.
  const problem =
    csvError.code === 'CSV_MAX_RECORD_SIZE'
      ? `a row longer than ${MAX_RECORD_CHARACTERS} characters (a credential report's rows are under 3,000); not an IAM credential report`
      : csvError.lines === 1
        ? `not an IAM credential report: the first line is not a CSV header (${csvError.message})`
        : `not a readable CSV file (${csvError.message})`;
  return new InputError(file, where, problem);
}

/** Parses bytes in memory, handing each record to the sink. */
export function parseCsv(bytes: Uint8Array, file: string, sink: RecordSink): void {
  try {
    parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), csvOptions(file, sink));
  } catch (error) {
    throw csvFailure(error, file);
  }
}

/** Parses a stream of chunks with csv-parse's stream API, handing each record to the sink as it ends. */
export async function parseCsvStream(chunks: AsyncIterable<Buffer>, file: string, sink: RecordSink): Promise<void> {
  const discard = new Writable({ objectMode: true, write: (_record, _encoding, done) => done() });
  try {
    await pipeline(chunks, parseStream(csvOptions(file, sink)), discard);
  } catch (error) {
    throw csvFailure(error, file);
  }
}
