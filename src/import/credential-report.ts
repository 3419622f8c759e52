import { credentialReportPopulations } from '../snapshot/populations.js';
import { MAX_SNAPSHOT_BYTES } from '../snapshot/io.js';
import { InputError } from '../util/errors.js';
import { sha256Hex } from '../util/files.js';
import { packageInfo } from '../util/paths.js';
import { toIsoUtc } from '../util/time.js';
import { DEFAULT_CLOCK_SKEW_MS, describeClockSkew, describeLateness } from '../snapshot/capture-times.js';
import { looksLikeJson, readAwsCliReport } from './aws-cli-report.js';
import { parseCsv } from './csv-reading.js';
import { CREDENTIAL_REPORT_COLUMNS, readPrincipal, REQUIRED_COLUMNS, RowReader, type CredentialReportColumn } from './report-row.js';

export { CREDENTIAL_REPORT_COLUMNS, parseTimestamp, type CredentialReportColumn } from './report-row.js';

// Re-exported: the limits are part of the importer's documented behaviour.
export { MAX_FIELD_CHARACTERS, MAX_RECORD_CHARACTERS } from './csv-reading.js';
import {
  CURRENT_SCHEMA_VERSION,
  emptyAccountFacts,
  known,
  NOT_COLLECTED,
  type PrincipalFacts,
  type Snapshot,
  type UserFacts,
} from '../snapshot/types.js';

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

/** How many unknown column names a warning lists before it counts the rest. */
const LISTED_UNKNOWN_COLUMNS = 10;

const ARN = /^arn:([a-z0-9-]+):iam::([^:]*):(.+)$/;

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

/**
 * IAM user names may contain commas, and the credential report does not quote them: such a row
 * has extra fields, two per comma (the name and the ARN that ends with it are both split). The
 * split is recovered only when the ARN proves it: the user column directly before the ARN column,
 * and the rejoined ARN ending with "/" and the rejoined name. Anything else is refused, naming the line.
 */
function recoverSplitUserName(record: readonly string[], columns: number, columnIndex: ReadonlyMap<CredentialReportColumn, number>, file: string, line: () => number): string[] {
  const refuse = (why: string): never => {
    throw new InputError(file, `line ${line()}`, `wrong number of fields (${record.length} fields, the header has ${columns})${why}`);
  };
  const extra = record.length - columns;
  const userAt = columnIndex.get('user');
  const arnAt = columnIndex.get('arn');
  if (extra < 0) return refuse('');
  if (userAt === undefined || arnAt !== userAt + 1 || extra % 2 !== 0) return refuse('; not a user name with commas');
  const commas = extra / 2;
  const name = record.slice(userAt, userAt + commas + 1).join(',');
  const arn = record.slice(arnAt + commas, arnAt + 2 * commas + 1).join(',');
  if (!ARN.test(arn.trim()) || !arn.trim().endsWith(`/${name.trim()}`)) {
    return refuse(`; if the user name has commas, the ARN does not confirm it ("${arn}" does not end with "/${name}")`);
  }
  return [...record.slice(0, userAt), name, arn, ...record.slice(arnAt + 2 * commas + 1)];
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

interface ReportHeader {
  readonly header: readonly string[];
  readonly columnIndex: ReadonlyMap<CredentialReportColumn, number>;
  /** Columns of today's layout the report lacks (older layouts); their facts are not collected. */
  readonly missingColumns: readonly CredentialReportColumn[];
}

/** The header: the required columns present, none twice; older layouts and unknown columns warned about. */
function readHeader(headerRecord: readonly string[], file: string, warnings: string[]): ReportHeader {
  const header = headerRecord.map((name) => name.trim().toLowerCase());
  const missingRequired = REQUIRED_COLUMNS.filter((column) => !header.includes(column));
  if (missingRequired.length > 0) {
    throw new InputError(
      file,
      'line 1',
      `not an IAM credential report: the header lacks ${missingRequired.join(', ')} (expected a header starting "user,arn,user_creation_time,password_enabled,...")`,
    );
  }
  // One pass with a set: a header of 100,000 columns is checked in milliseconds, not minutes.
  const seenColumns = new Set<string>();
  for (const name of header) {
    if (seenColumns.has(name)) throw new InputError(file, 'line 1', `column "${name}" appears twice in the header`);
    seenColumns.add(name);
  }
  const columnIndex = new Map<CredentialReportColumn, number>();
  for (const column of CREDENTIAL_REPORT_COLUMNS) {
    const index = header.indexOf(column);
    if (index >= 0) columnIndex.set(column, index);
  }
  const missingColumns = CREDENTIAL_REPORT_COLUMNS.filter((column) => !columnIndex.has(column));
  if (missingColumns.length > 0) {
    warnings.push(`${file}: an older report layout with ${header.length} columns; ${missingColumns.join(', ')} are missing and recorded as not collected`);
  }
  const unknownColumns = header.filter((name) => !(CREDENTIAL_REPORT_COLUMNS as readonly string[]).includes(name));
  if (unknownColumns.length > 0) {
    const more = unknownColumns.length - LISTED_UNKNOWN_COLUMNS;
    warnings.push(`${file}: ignoring columns this version does not know: ${unknownColumns.slice(0, LISTED_UNKNOWN_COLUMNS).join(', ')}${more > 0 ? ` and ${more} more` : ''}`);
  }
  return { header, columnIndex, missingColumns };
}

interface ReportRows {
  readonly account: { readonly id: string; readonly partition: string; readonly index: number } | null;
  readonly root: PrincipalFacts | null;
  readonly users: UserFacts[];
  /** The newest past event in any cell (not password_next_rotation): the capture time when nothing better is known. */
  readonly newestTimestamp: NewestTimestamp | null;
}

/** The newest past-event instant of the report and where it is. */
interface NewestTimestamp {
  readonly at: Date;
  readonly recordIndex: number;
  readonly column: CredentialReportColumn;
}

/** Where a record's problems are reported: its first line in the file, worked out only when needed. */
type LineOf = (recordIndex: number) => number;

/**
 * Refuses a second user with the same name or ARN, naming the line of the first. IAM user names
 * are unique regardless of case (IAM refuses to create "Alice" beside "alice"), so two rows whose
 * names differ only in case cannot come from one account either.
 */
class UniqueUsers {
  private readonly names = new Map<string, number>();
  private readonly arns = new Map<string, number>();

  constructor(
    private readonly file: string,
    private readonly lineOf: LineOf,
  ) {}

  private readonly spelling = new Map<number, string>();

  add(name: string, arn: string, index: number): void {
    const nameKey = name.toLowerCase();
    const firstIndex = this.names.get(nameKey);
    if (firstIndex !== undefined) {
      const first = this.spelling.get(firstIndex) ?? name;
      throw new InputError(
        this.file,
        `line ${this.lineOf(index)}, column user`,
        first === name
          ? `user "${name}" already appears on line ${this.lineOf(firstIndex)}`
          : `user "${name}" differs only in case from "${first}" on line ${this.lineOf(firstIndex)}; IAM user names are unique regardless of case, so one account cannot have both`,
      );
    }
    this.names.set(nameKey, index);
    this.spelling.set(index, name);
    const sameArnIndex = this.arns.get(arn);
    if (sameArnIndex !== undefined) {
      throw new InputError(this.file, `line ${this.lineOf(index)}, column arn`, `ARN "${arn}" already appears on line ${this.lineOf(sameArnIndex)}`);
    }
    this.arns.set(arn, index);
  }
}

/** The rows: one account throughout, at most one root row, users each once. */
function readRows(records: readonly string[][], head: ReportHeader, file: string, lineOf: LineOf): ReportRows {
  let newestTimestamp: NewestTimestamp | null = null;
  let recordIndex = 0;
  const noteTimestamp = (value: Date, column: CredentialReportColumn): void => {
    if (newestTimestamp === null || value.getTime() > newestTimestamp.at.getTime()) newestTimestamp = { at: value, recordIndex, column };
  };
  // The record index, not its line: working out line numbers means parsing the file again.
  let account: { id: string; partition: string; index: number } | null = null;
  let root: PrincipalFacts | null = null;
  const users: UserFacts[] = [];
  const unique = new UniqueUsers(file, lineOf);
  for (let index = 1; index < records.length; index += 1) {
    const parsed = records[index];
    if (parsed === undefined) continue;
    recordIndex = index;
    const line = (): number => lineOf(index);
    const record = parsed.length === head.header.length ? parsed : recoverSplitUserName(parsed, head.header.length, head.columnIndex, file, line);
    const row = new RowReader(file, line, record, head.columnIndex, noteTimestamp);
    const name = row.raw('user').trim();
    const arn = row.raw('arn').trim();
    if (name === '') throw new InputError(file, `line ${line()}, column user`, 'empty user name');
    const arnMatch = ARN.exec(arn);
    if (arnMatch === null) throw new InputError(file, `line ${line()}, column arn`, `"${arn}" is not an IAM ARN (arn:PARTITION:iam::ACCOUNT:...)`);
    const [, partition = '', accountId = '', resource = ''] = arnMatch;
    if (accountId === '') throw new InputError(file, `line ${line()}, column arn`, `"${arn}" has no account id`);
    if (account === null) account = { id: accountId, partition, index };
    else if (account.id !== accountId || account.partition !== partition) {
      throw new InputError(
        file,
        `line ${line()}, column arn`,
        `account ${partition}/${accountId} differs from ${account.partition}/${account.id} on line ${lineOf(account.index)}; a report covers one account`,
      );
    }
    // The ARN says which row is root's. The name `<root_account>` is root's alone (IAM user names
    // cannot hold < or >); `root_account` is how some renderings write it on root's row, and an
    // ordinary user's name everywhere else (issue #23).
    const isRootRow = resource === 'root';
    if (!isRootRow && name === '<root_account>') {
      throw new InputError(file, `line ${line()}, column arn`, `the root account's row (user <root_account>) has the ARN of something else, "${arn}"; expected arn:${partition}:iam::${accountId}:root`);
    }
    if (isRootRow) {
      if (root !== null) throw new InputError(file, `line ${line()}`, 'a second root account row');
      root = readPrincipal(row, arn, true);
      continue;
    }
    unique.add(name, arn, index);
    users.push(readUser(row, name, arn, resource));
  }
  return { account, root, users, newestTimestamp };
}

function readUser(row: RowReader, name: string, arn: string, resource: string): UserFacts {
  const slash = resource.lastIndexOf('/');
  return {
    name,
    userId: NOT_COLLECTED,
    path: resource.startsWith('user/') ? known(resource.slice('user'.length, slash + 1)) : NOT_COLLECTED,
    ...readPrincipal(row, arn, false),
    groups: NOT_COLLECTED,
    attachedPolicies: NOT_COLLECTED,
    inlinePolicies: NOT_COLLECTED,
    tags: NOT_COLLECTED,
  };
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
  lineOf: LineOf,
  warnings: string[],
): { readonly at: Date; readonly source: GeneratedAtSource } {
  if (options.generatedAt !== undefined) {
    const skew = options.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS;
    if (newest !== null && newest.at.getTime() > options.generatedAt.getTime() + skew) {
      const given = options.generatedAtLabel ?? "the report's stated generation time";
      throw new InputError(
        options.displayPath,
        `line ${lineOf(newest.recordIndex)}, column ${newest.column}`,
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
  const warnings: string[] = [];
  if (bytes.length === 0) throw new InputError(file, null, 'the file is empty; expected an IAM credential report (CSV)');
  if (looksBinary(bytes)) throw new InputError(file, null, 'this is a binary file, not an IAM credential report (CSV)');

  const records = parseCsv(bytes, file, false);
  /** Line numbers cost a sixth of the parse, so they are worked out only when an error needs one. */
  let recordLines: number[] | null = null;
  const lineOf = (recordIndex: number): number => {
    recordLines ??= parseCsv(bytes, file, true).map((entry) => entry.info.lines);
    return recordLines[recordIndex] ?? recordIndex + 1;
  };
  const headerRecord = records[0];
  if (headerRecord === undefined) throw new InputError(file, null, 'the file has no lines; expected an IAM credential report (CSV)');
  const head = readHeader(headerRecord, file, warnings);
  const { account, root, users, newestTimestamp } = readRows(records, head, file, lineOf);
  if (account === null) {
    throw new InputError(file, null, 'the report has a header but no rows, so it names no account; AWS always includes the root account row');
  }
  if (!/^\d{12}$/.test(account.id)) warnings.push(`${file}: account id "${account.id}" is not 12 digits (an anonymised report?)`);
  if (root === null) warnings.push(`${file}: the report has no root account row; root checks will be not evaluated`);
  const capture = captureTime(options, fromCli !== null, newestTimestamp, lineOf, warnings);
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
      sha256: fromCli?.sha256 ?? sha256Hex(bytes),
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
  return { snapshot, warnings };
}

/** The default snapshot file name: snapshot-<account>-<capture time>.json */
export function defaultSnapshotFileName(snapshot: Pick<Snapshot, 'account' | 'capturedAt'>): string {
  const stamp = snapshot.capturedAt.replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  const safeAccount = snapshot.account.id.replace(/[^A-Za-z0-9_-]/g, '_');
  return `snapshot-${safeAccount}-${stamp}.json`;
}
