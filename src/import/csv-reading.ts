/**
 * csv-parse with the importer's limits: records handed one at a time to the importer with the line
 * they end on (never an array of every record), from bytes in memory or from a stream of chunks
 * (csv-parse's stream parser either way), and every parse problem as one line naming the file and line.
 */
import { Writable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CsvError, Parser, type Options } from 'csv-parse';
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

/**
 * The parser's options: csv-parse's cheapest mode for a credential report. Records as arrays (no
 * `columns`), no `cast`, `raw` or `info`, and no `on_record` hook (csv-parse builds two objects of
 * its counters for every record it hands to the hook: a third of its cost on a large report).
 */
function csvOptions(): Options {
  return {
    bom: true,
    skip_empty_lines: true,
    // Rows with extra fields may be user names with commas, recovered (or refused) by the importer.
    relax_column_count: true,
    max_record_size: MAX_RECORD_CHARACTERS,
  };
}

/**
 * csv-parse's stream parser whose records go to the sink as they are parsed, with the line each
 * ends on (the parser's `info.lines` at that moment: what `on_record`'s context said), instead
 * of into the readable side: no record is queued, and the readable side only ends.
 */
class RecordParser extends Parser {
  /** The first refusal from the sink; the parse stops there. */
  private failure: Error | null = null;

  constructor(
    private readonly file: string,
    private readonly sink: RecordSink,
  ) {
    super(csvOptions());
  }

  override push(record: unknown): boolean {
    if (record === null) return super.push(null);
    if (this.failure !== null) return true;
    try {
      const fields = record as string[];
      checkFieldLengths(fields, this.file, this.info.lines);
      this.sink(fields, this.info.lines);
    } catch (error) {
      this.failure = error as Error;
    }
    return true;
  }

  override _transform(chunk: Buffer, encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.failure !== null) {
      callback(this.failure);
      return;
    }
    super._transform(chunk, encoding, (error?: Error | null) => callback(this.failure ?? error));
  }

  override _flush(callback: TransformCallback): void {
    if (this.failure !== null) {
      callback(this.failure);
      return;
    }
    super._flush((error?: Error | null) => callback(this.failure ?? error));
  }

  /** Parses bytes in memory: csv-parse's transform and flush run synchronously (asserted). */
  parseWhole(bytes: Buffer): void {
    let settled = 0;
    let failure: Error | null | undefined = null;
    const done = (error?: Error | null): void => {
      settled += 1;
      failure ??= error ?? null;
    };
    // csv-parse reads the bytes whatever the encoding argument says (a Buffer chunk's is 'buffer', not a BufferEncoding).
    this._transform(bytes, 'utf8', done);
    if (failure === null) this._flush(done);
    if (failure !== null) throw failure;
    if (settled === 0) throw new Error('csv-parse did not parse synchronously');
  }
}

/** Refuses a field over MAX_FIELD_CHARACTERS, naming its line and field. */
function checkFieldLengths(record: readonly string[], file: string, line: number): void {
  for (let column = 0; column < record.length; column += 1) {
    const length = record[column]?.length ?? 0;
    if (length > MAX_FIELD_CHARACTERS) {
      throw new InputError(
        file,
        `line ${line}, field ${column + 1}`,
        `a field of ${length} characters; the limit is ${MAX_FIELD_CHARACTERS} (a credential report's longest field, an ARN, is at most 2,048)`,
      );
    }
  }
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
    new RecordParser(file, sink).parseWhole(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (error) {
    throw csvFailure(error, file);
  }
}

/** Parses a stream of chunks with csv-parse's stream API, handing each record to the sink as it ends. */
export async function parseCsvStream(chunks: AsyncIterable<Buffer>, file: string, sink: RecordSink): Promise<void> {
  const discard = new Writable({ objectMode: true, write: (_record, _encoding, done) => done() });
  try {
    await pipeline(chunks, new RecordParser(file, sink), discard);
  } catch (error) {
    throw csvFailure(error, file);
  }
}
