import { createHash } from 'node:crypto';
import { credentialReportPopulations } from '../snapshot/populations.js';
import { checkImportedSnapshot, MAX_SNAPSHOT_BYTES } from '../snapshot/io.js';
import { InputError } from '../util/errors.js';
import { sha256Hex } from '../util/files.js';
import { packageInfo } from '../util/paths.js';
import { toIsoUtc } from '../util/time.js';
import { DEFAULT_CLOCK_SKEW_MS, describeClockSkew, describeLateness } from '../snapshot/capture-times.js';
import { looksLikeJson, readAwsCliReport } from './aws-cli-report.js';
import { parseCsv, parseCsvStream } from './csv-reading.js';
import { ReportRowsReader, type NewestTimestamp, type ReportRows } from './report-rows.js';

export { CREDENTIAL_REPORT_COLUMNS, parseTimestamp, type CredentialReportColumn } from './report-row.js';

// Re-exported: the limits are part of the importer's documented behaviour.
export { MAX_FIELD_CHARACTERS, MAX_RECORD_CHARACTERS } from './csv-reading.js';
import { CURRENT_SCHEMA_VERSION, emptyAccountFacts, type Snapshot } from '../snapshot/types.js';
import { recordImportedInstants } from '../snapshot/valid-snapshots.js';

/**
 * The largest credential report (or AWS CLI JSON) imported: its snapshot is 5 to 6 times its size
 * (typed facts, one JSON object per user), and a snapshot over MAX_SNAPSHOT_BYTES (about 512 MiB)
 * cannot be read back by any command. An eighth of that leaves room for the worst ratio; it is
 * still 40 times the report of IAM's largest account (5,000 users, about 1.5 MB). Refused before
 * the file is read, in moments, instead of minutes of work ending in an unreadable file.
 */
export const MAX_REPORT_BYTES = Math.floor(MAX_SNAPSHOT_BYTES / 8);

/** The one-line refusal of a report over MAX_REPORT_BYTES. */
export function reportTooLarge(file: string, size: number): InputError {
  const mebibytes = (bytes: number): string => `${Math.round(bytes / 1024 / 1024)} MiB`;
  return new InputError(
    file,
    null,
    `${size} bytes (${mebibytes(size)}) is over the import limit of ${MAX_REPORT_BYTES} bytes (${mebibytes(MAX_REPORT_BYTES)}): ` +
      `its snapshot, 5 to 6 times the report's size, would be over the ${mebibytes(MAX_SNAPSHOT_BYTES)} a snapshot can have to be read back (IAM's largest account, 5,000 users, has a report of about 1.5 MB)`,
  );
}

export interface ImportOptions {
  /** The report's generation time, when the user knows it (`--generated-at`). */
  readonly generatedAt?: Date;
  /** Who gave generatedAt, for messages: "--generated-at"; default "the report's stated generation time". */
  readonly generatedAtLabel?: string;
  /** How far after the capture time a past event may lie (clock skew), in ms; default DEFAULT_CLOCK_SKEW_MS. */
  readonly clockSkewMs?: number;
  /** File name recorded in the snapshot's provenance (no folders). */
  readonly fileName: string | null;
  /** For error messages. */
  readonly displayPath: string;
  /** Who imported it, where (util/operator.ts); left out of the snapshot when not given. */
  readonly recordedBy?: { readonly user: string | null; readonly host: string | null; readonly note: string | null };
}

export interface ImportOutcome {
  readonly snapshot: Snapshot;
  readonly warnings: readonly string[];
}

function looksBinary(bytes: Uint8Array): boolean {
  const sample = bytes.subarray(0, 8192);
  return sample.includes(0);
}

/**
 * Reads an IAM credential report into a snapshot: the CSV as downloaded from the console, or the
 * AWS CLI's JSON output of `aws iam get-credential-report` (told apart by content), whose
 * `GeneratedTime` then gives the capture time.
 */
export function importCredentialReport(bytes: Uint8Array, options: ImportOptions): ImportOutcome {
  if (bytes.length > MAX_REPORT_BYTES) throw reportTooLarge(options.displayPath, bytes.length);
  if (bytes.length === 0 || !looksLikeJson(bytes)) return importCsvReport(bytes, options, null);
  const cli = readAwsCliReport(bytes, options.displayPath);
  if (options.generatedAt !== undefined && options.generatedAt.getTime() !== cli.generatedAt.getTime()) {
    throw new InputError(
      options.displayPath,
      '/GeneratedTime',
      `the report says it was generated ${toIsoUtc(cli.generatedAt)}, but --generated-at says ${toIsoUtc(options.generatedAt)}; leave --generated-at out`,
    );
  }
  const csvOptions: ImportOptions = { ...options, displayPath: `${options.displayPath} (Content)`, generatedAt: cli.generatedAt, generatedAtLabel: 'its /GeneratedTime' };
  return importCsvReport(cli.csv, csvOptions, { sha256: sha256Hex(bytes) });
}

type GeneratedAtSource = 'flag' | 'api' | 'newest-timestamp-in-file';

/**
 * The capture time: the API's GeneratedTime, --generated-at, or (warned about) the newest timestamp
 * in the file. A given time earlier than the newest past event in the report (beyond the clock-skew
 * tolerance) is refused, naming that event's line and column: an instant after the capture time is
 * never a fact, and judged as one it gives a negative age, which reads as a recent use (issue #23).
 */
function captureTime(
  options: ImportOptions,
  fromCli: boolean,
  newest: NewestTimestamp | null,
  warnings: string[],
): { readonly at: Date; readonly source: GeneratedAtSource } {
  if (options.generatedAt !== undefined) {
    const skew = options.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS;
    if (newest !== null && newest.at.getTime() > options.generatedAt.getTime() + skew) {
      const given = options.generatedAtLabel ?? "the report's stated generation time";
      throw new InputError(
        options.displayPath,
        `line ${newest.line}, column ${newest.column}`,
        `${toIsoUtc(newest.at)} is ${describeLateness(newest.at.getTime() - options.generatedAt.getTime())} after the capture time ${toIsoUtc(options.generatedAt)} (${given}); ` +
          `a past event cannot be later than the report that records it, so the report was generated at ${toIsoUtc(newest.at)} or later ` +
          `(clock-skew tolerance ${describeClockSkew(skew)}, see --clock-skew)`,
      );
    }
    return { at: options.generatedAt, source: fromCli ? 'api' : 'flag' };
  }
  if (newest === null) throw new InputError(options.displayPath, null, 'no timestamp in the report to take the capture time from; give --generated-at');
  warnings.push(
    `${options.displayPath}: capture time taken as ${toIsoUtc(newest.at)}, the newest timestamp in the report; the report may be newer (up to 4 hours). Give --generated-at to set it exactly.`,
  );
  return { at: newest.at, source: 'newest-timestamp-in-file' };
}

/**
 * Reads an IAM credential report (CSV, as downloaded from the console or GetCredentialReport) into
 * a snapshot. Accepts every layout AWS has produced: `+00:00` and `Z` timestamps, booleans in any
 * case, `<root_account>` or `root_account` on the row with root's ARN, the legacy 16-column layout, CRLF, a BOM, quoted fields.
 * `fromCli` is set when the CSV came inside the AWS CLI's JSON (the capture time is then the API's).
 */
function importCsvReport(bytes: Uint8Array, options: ImportOptions, fromCli: { readonly sha256: string } | null): ImportOutcome {
  const file = options.displayPath;
  if (bytes.length === 0) throw new InputError(file, null, 'the file is empty; expected an IAM credential report (CSV)');
  if (looksBinary(bytes)) throw new InputError(file, null, 'this is a binary file, not an IAM credential report (CSV)');
  const warnings: string[] = [];
  const reader = new ReportRowsReader(file, warnings);
  parseCsv(bytes, file, reader.add);
  return assembleSnapshot(reader.finish(), options, { fromCli: fromCli !== null, sha256: fromCli?.sha256 ?? sha256Hex(bytes) }, warnings);
}

/** The snapshot of the rows read: the checks after the last row, the capture time, provenance. */
function assembleSnapshot(rows: ReportRows, options: ImportOptions, origin: { readonly fromCli: boolean; readonly sha256: string }, warnings: string[]): ImportOutcome {
  const file = options.displayPath;
  const { head, account, root, users, newestTimestamp } = rows;
  if (account === null) {
    throw new InputError(file, null, 'the report has a header but no rows, so it names no account; AWS always includes the root account row');
  }
  if (!/^\d{12}$/.test(account.id)) warnings.push(`${file}: account id "${account.id}" is not 12 digits (an anonymised report?)`);
  if (root === null) warnings.push(`${file}: the report has no root account row; root checks will be not evaluated`);
  const capture = captureTime(options, origin.fromCli, newestTimestamp, warnings);
  const capturedAt = toIsoUtc(capture.at);
  const tool = packageInfo();
  const snapshot: Snapshot = {
    schemaVersion: CURRENT_SCHEMA_VERSION,
    source: 'credential-report',
    capturedAt,
    collection: { startedAt: capturedAt, endedAt: capturedAt, callerArn: null, region: null, apiCalls: 0, retries: 0, ...(options.recordedBy === undefined ? {} : { recordedBy: options.recordedBy }) },
    credentialReport: {
      generatedAt: capturedAt,
      generatedAtSource: capture.source,
      fileName: options.fileName,
      sha256: origin.sha256,
      missingColumns: head.missingColumns,
      columnCount: head.header.length,
    },
    account: { id: account.id, partition: account.partition },
    tool: { name: tool.name, version: tool.version },
    root,
    users,
    accountFacts: emptyAccountFacts(),
    collectionErrors: [],
    discrepancies: [],
    populations: credentialReportPopulations(users.length),
  };
  // The users were checked as they were read (ReportRowsReader); the rest is validated here.
  checkImportedSnapshot(snapshot, file, options.clockSkewMs === undefined ? {} : { clockSkewMs: options.clockSkewMs });
  recordImportedInstants(snapshot, newestTimestamp === null ? Number.NEGATIVE_INFINITY : newestTimestamp.at.getTime());
  return { snapshot, warnings };
}

/** Enough of the start of a file to tell JSON, binary and CSV apart (looksBinary's sample). */
const SNIFFED_BYTES = 8192;

/**
 * importCredentialReport over a stream of chunks (a file or standard input): a CSV goes through
 * csv-parse's stream API record by record, so neither the file nor its records are held whole;
 * the AWS CLI's JSON (base64 inside one JSON document) is read whole, as it must be. The same
 * checks and messages as the in-memory import; refused as soon as it passes MAX_REPORT_BYTES.
 */
export async function importCredentialReportStream(source: AsyncIterable<Buffer | string>, options: ImportOptions): Promise<ImportOutcome> {
  const iterator = source[Symbol.asyncIterator]();
  try {
    return await importFromChunks(iterator, options);
  } finally {
    // Closes the file when a refusal comes before its end.
    await iterator.return?.();
  }
}

async function importFromChunks(iterator: AsyncIterator<Buffer | string>, options: ImportOptions): Promise<ImportOutcome> {
  const file = options.displayPath;
  const hash = createHash('sha256');
  let size = 0;
  const next = async (): Promise<Buffer | null> => {
    const step = await iterator.next();
    if (step.done === true) return null;
    const chunk = typeof step.value === 'string' ? Buffer.from(step.value, 'utf8') : step.value;
    size += chunk.length;
    if (size > MAX_REPORT_BYTES) throw reportTooLarge(file, size);
    hash.update(chunk);
    return chunk;
  };
  const start: Buffer[] = [];
  let started = 0;
  let ended = false;
  while (started < SNIFFED_BYTES && !ended) {
    const chunk = await next();
    if (chunk === null) ended = true;
    else {
      start.push(chunk);
      started += chunk.length;
    }
  }
  const sniffed = Buffer.concat(start);
  if (sniffed.length > 0 && looksLikeJson(sniffed)) {
    const rest: Buffer[] = [sniffed];
    for (let chunk = await next(); chunk !== null; chunk = await next()) rest.push(chunk);
    return importCredentialReport(Buffer.concat(rest), options);
  }
  if (sniffed.length === 0) throw new InputError(file, null, 'the file is empty; expected an IAM credential report (CSV)');
  if (looksBinary(sniffed)) throw new InputError(file, null, 'this is a binary file, not an IAM credential report (CSV)');
  async function* chunks(): AsyncGenerator<Buffer> {
    yield sniffed;
    for (let chunk = await next(); chunk !== null; chunk = await next()) yield chunk;
  }
  const warnings: string[] = [];
  const reader = new ReportRowsReader(file, warnings);
  await parseCsvStream(chunks(), file, reader.add);
  return assembleSnapshot(reader.finish(), options, { fromCli: false, sha256: hash.digest('hex') }, warnings);
}

/** The default snapshot file name: snapshot-<account>-<capture time>.json */
export function defaultSnapshotFileName(snapshot: Pick<Snapshot, 'account' | 'capturedAt'>): string {
  const stamp = snapshot.capturedAt.replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  const safeAccount = snapshot.account.id.replace(/[^A-Za-z0-9_-]/g, '_');
  return `snapshot-${safeAccount}-${stamp}.json`;
}
