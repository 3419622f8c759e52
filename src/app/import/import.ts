/**
 * Use case `import REPORT`, and the import half of `audit` (this folder): reads a credential report
 * (a file or standard input), turns it into a snapshot (import/) and writes it (snapshot/io; `-o -`
 * to standard output), returned as loaded so `audit` reports on it without reading it back.
 * Lower layers: import/, snapshot/, util/.
 */
import { createReadStream } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { finished } from 'node:stream/promises';
import { recordingOperator } from '../../util/operator.js';
import { defaultSnapshotFileName, importCredentialReportStream, MAX_REPORT_BYTES, reportTooLarge } from '../../import/credential-report.js';
import { checkSnapshotBeforeWriting, describeFsError, serializeSnapshotChunks, writeSnapshot, type LoadedSnapshot } from '../../snapshot/io.js';
import type { Snapshot } from '../../snapshot/types.js';
import { escapeForTerminal } from '../../util/terminal-text.js';
import { InputError, UserError } from '../../util/errors.js';

/** The file name that means the standard streams: `import -` reads stdin, `-o -` writes stdout. */
export const STANDARD_STREAM = '-';

/** Names of this process's standard output, written through the stream rather than reopened. */
const STDOUT_PATHS: readonly string[] = ['/dev/stdout', '/dev/fd/1', '/proc/self/fd/1'];

export interface ImportCommandOptions {
  /** The credential report CSV, or "-" for standard input. */
  readonly reportPath: string;
  /** Output file, or "-" for standard output; default snapshot-<account>-<capture time>.json in `defaultDir`. */
  readonly outputPath?: string;
  readonly defaultDir: string;
  readonly generatedAt?: Date;
  /** --clock-skew: how far after the capture time a past event may lie, in ms; the default when left out. */
  readonly clockSkewMs?: number;
  readonly overwrite: boolean;
  readonly stderr: NodeJS.WritableStream;
  /** Refuses the snapshot before it is written (audit: an --as-of before its capture time). */
  readonly check?: (snapshot: Snapshot, displayPath: string) => void;
  /** Read for `reportPath` "-"; default process.stdin. */
  readonly stdin?: NodeJS.ReadableStream;
  /** Written for `outputPath` "-"; default process.stdout. */
  readonly stdout?: NodeJS.WritableStream;
}

export interface ImportCommandOutcome {
  readonly snapshot: Snapshot;
  /** Where the snapshot went: a file path, or "-" for standard output. */
  readonly snapshotPath: string;
  /**
   * True when the snapshot went to a stream (standard output, /dev/stdout, a pipe) rather than a
   * regular file: the caller's human messages then belong on stderr, not mixed into the JSON.
   */
  readonly streamed: boolean;
  /** The snapshot as written to a regular file (bytes, SHA-256): what `report` would read back; absent when streamed. */
  readonly loaded?: LoadedSnapshot;
}

/**
 * The report's chunks as they are read (a file or standard input), never the whole file at once;
 * a read failure is the one-line refusal naming the report. A file over MAX_REPORT_BYTES is refused
 * before it is read (standard input as soon as it passes the limit, by the importer).
 */
async function* reportChunks(options: ImportCommandOptions, displayPath: string): AsyncGenerator<Buffer | string> {
  try {
    let stream: NodeJS.ReadableStream;
    if (options.reportPath === STANDARD_STREAM) stream = options.stdin ?? process.stdin;
    else {
      const { size } = await stat(options.reportPath);
      if (size > MAX_REPORT_BYTES) throw reportTooLarge(options.reportPath, size);
      stream = createReadStream(options.reportPath, { highWaterMark: 256 * 1024 });
    }
    for await (const chunk of stream) yield chunk as Buffer | string;
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(displayPath, null, describeFsError(error));
  }
}

/** Writes the snapshot to a stream; rejects if the reader goes away (EPIPE) instead of crashing. */
async function writeChunks(stream: NodeJS.WritableStream, snapshot: Snapshot): Promise<void> {
  let failure: Error | null = null;
  // Stays attached: an EPIPE reported after the last write must not become an uncaught 'error'.
  stream.on('error', (error: Error) => {
    failure = error;
  });
  const settled = (): Promise<void> =>
    new Promise<void>((resolve) => {
      const done = (): void => {
        stream.removeListener('drain', done);
        stream.removeListener('error', done);
        resolve();
      };
      stream.once('drain', done);
      stream.once('error', done);
    });
  for (const chunk of serializeSnapshotChunks(snapshot)) {
    if (failure !== null) throw failure;
    // Respect back-pressure: a large account's snapshot is hundreds of megabytes.
    if (!stream.write(chunk)) await settled();
  }
  // Write callbacks run in order: this one fires once everything before it reached the reader.
  await new Promise<void>((resolve) => stream.write('', () => resolve()));
  if (failure !== null) throw failure;
}

/**
 * A device, pipe or socket (/dev/stdout, a FIFO): written straight through. It is never read as an
 * "existing snapshot" (reading /dev/stdout blocks for ever) nor replaced by a staged file renamed
 * over it (that would replace /dev/stdout itself).
 */
async function isStream(path: string): Promise<boolean> {
  // /dev/stdout redirected to a file stats as a regular file, yet a staged file renamed onto it
  // would replace the /dev entry: anything under /dev or /proc is written straight through.
  if (/^\/(dev|proc)\//.test(resolve(path))) return true;
  try {
    const status = await stat(path);
    return !status.isFile() && !status.isDirectory();
  } catch {
    // Nothing there yet, or a path that cannot hold a file (a part of it is a file, a name too
    // long): not a stream. The atomic writer then creates it, or reports why it cannot, in its own words.
    return false;
  }
}

export async function runImport(options: ImportCommandOptions): Promise<ImportCommandOutcome> {
  const fromStdin = options.reportPath === STANDARD_STREAM;
  const displayPath = fromStdin ? 'stdin' : options.reportPath;
  const capture = options.clockSkewMs === undefined ? {} : { clockSkewMs: options.clockSkewMs };
  const { snapshot, warnings } = await importCredentialReportStream(reportChunks(options, displayPath), {
    displayPath,
    fileName: fromStdin ? null : basename(options.reportPath),
    recordedBy: recordingOperator(),
    ...(options.generatedAt === undefined ? {} : { generatedAt: options.generatedAt, generatedAtLabel: '--generated-at' }),
    ...capture,
  });
  // As `report` would read it back: validated before anything is written or streamed.
  checkSnapshotBeforeWriting(snapshot, displayPath, capture);
  options.check?.(snapshot, displayPath);
  for (const warning of warnings) options.stderr.write(`warning: ${escapeForTerminal(warning)}\n`);
  const snapshotPath = options.outputPath ?? join(options.defaultDir, defaultSnapshotFileName(snapshot));
  // Opening /dev/stdout again fails (ENXIO) when stdout is a socket, as under many supervisors.
  if (snapshotPath === STANDARD_STREAM || STDOUT_PATHS.includes(snapshotPath)) {
    try {
      await writeChunks(options.stdout ?? process.stdout, snapshot);
    } catch (error) {
      throw new UserError(`standard output closed before the whole snapshot was written (${describeFsError(error)})`);
    }
    return { snapshot, snapshotPath, streamed: true };
  }
  if (await isStream(snapshotPath)) {
    let handle: FileHandle | null = null;
    try {
      handle = await open(snapshotPath, 'a');
      const stream = handle.createWriteStream();
      await writeChunks(stream, snapshot);
      stream.end();
      await finished(stream);
    } catch (error) {
      throw new InputError(snapshotPath, null, describeFsError(error));
    } finally {
      await handle?.close().catch(() => undefined);
    }
    return { snapshot, snapshotPath, streamed: true };
  }
  const loaded = await writeSnapshot(snapshotPath, snapshot, options.overwrite, capture);
  return { snapshot, snapshotPath, streamed: false, loaded };
}
