import { parse } from 'csv-parse/sync';
import { credentialReportPopulations } from '../snapshot/populations.js';
import { InputError } from '../util/errors.js';
import { sha256Hex } from '../util/files.js';
import { packageInfo } from '../util/paths.js';
import { parseStrictInstant, toIsoUtc } from '../util/time.js';
import {
  absent,
  CURRENT_SCHEMA_VERSION,
  emptyAccountFacts,
  known,
  NOT_COLLECTED,
  type AbsenceReason,
  type AccessKeyFacts,
  type Fact,
  type IsoTimestamp,
  type PrincipalFacts,
  type SigningCertificateFacts,
  type Snapshot,
  type UserFacts,
} from '../snapshot/types.js';

/** The credential report's columns, in AWS's order (22 since April 2015). */
export const CREDENTIAL_REPORT_COLUMNS = [
  'user',
  'arn',
  'user_creation_time',
  'password_enabled',
  'password_last_used',
  'password_last_changed',
  'password_next_rotation',
  'mfa_active',
  'access_key_1_active',
  'access_key_1_last_rotated',
  'access_key_1_last_used_date',
  'access_key_1_last_used_region',
  'access_key_1_last_used_service',
  'access_key_2_active',
  'access_key_2_last_rotated',
  'access_key_2_last_used_date',
  'access_key_2_last_used_region',
  'access_key_2_last_used_service',
  'cert_1_active',
  'cert_1_last_rotated',
  'cert_2_active',
  'cert_2_last_rotated',
] as const;
export type CredentialReportColumn = (typeof CREDENTIAL_REPORT_COLUMNS)[number];

/**
 * Columns a report may lack: the 16-column layout before April 2015 has no `*_last_used_*`
 * columns. Their facts are then recorded as `not_collected`, never guessed. Every other column is
 * required.
 */
const OPTIONAL_COLUMN = /^access_key_[12]_last_used_|^cert_[12]_/;
const REQUIRED_COLUMNS: readonly CredentialReportColumn[] = CREDENTIAL_REPORT_COLUMNS.filter((column) => !OPTIONAL_COLUMN.test(column));

/** The three placeholders AWS writes instead of a value, parsed once into absence reasons. */
const PLACEHOLDERS: Readonly<Record<string, AbsenceReason>> = {
  'n/a': 'not_applicable',
  no_information: 'no_information',
  not_supported: 'not_supported',
};

const ARN = /^arn:([a-z0-9-]+):iam::([^:]*):(.+)$/;

type CellKind = 'timestamp' | 'boolean' | 'text';

export interface ImportOptions {
  /** The report's generation time, when the user knows it (`--generated-at`). */
  readonly generatedAt?: Date;
  /** File name recorded in the snapshot's provenance (no folders). */
  readonly fileName: string | null;
  /** For error messages. */
  readonly displayPath: string;
}

export interface ImportOutcome {
  readonly snapshot: Snapshot;
  readonly warnings: readonly string[];
}

/** Parses one row's cells into typed facts; every problem names the line and column. */
class RowReader {
  constructor(
    private readonly file: string,
    private readonly line: () => number,
    private readonly record: readonly string[],
    private readonly columnIndex: ReadonlyMap<CredentialReportColumn, number>,
    private readonly onTimestamp: (value: Date) => void,
  ) {}

  private fail(column: string, problem: string): never {
    throw new InputError(this.file, `line ${this.line()}, column ${column}`, problem);
  }

  has(column: CredentialReportColumn): boolean {
    return this.columnIndex.has(column);
  }

  raw(column: CredentialReportColumn): string {
    const position = this.columnIndex.get(column);
    const value = position === undefined ? undefined : this.record[position];
    if (value === undefined) this.fail(column, 'missing');
    return value;
  }

  private fact<T>(column: CredentialReportColumn, kind: CellKind, allowed: readonly AbsenceReason[], convert: (text: string) => T): Fact<T> {
    if (!this.has(column)) return NOT_COLLECTED;
    const text = this.raw(column).trim();
    const placeholder = PLACEHOLDERS[text.toLowerCase()];
    if (placeholder !== undefined) {
      if (allowed.includes(placeholder)) return absent(placeholder);
      this.fail(column, `"${text}" is not allowed here; expected a ${kind}${allowed.length > 0 ? ` or ${allowed.join(', ')}` : ''}`);
    }
    return known(convert(text));
  }

  timestamp(column: CredentialReportColumn, ...allowed: AbsenceReason[]): Fact<IsoTimestamp> {
    return this.fact(column, 'timestamp', allowed, (text) => {
      const parsed = normaliseTimestamp(text);
      if (parsed === null) this.fail(column, `"${text}" is not an ISO 8601 timestamp (a real calendar time, with T and Z or +00:00) such as 2025-01-28T17:25:12+00:00`);
      this.onTimestamp(parsed.date);
      return parsed.iso;
    });
  }

  boolean(column: CredentialReportColumn, ...allowed: AbsenceReason[]): Fact<boolean> {
    return this.fact(column, 'boolean', allowed, (text) => {
      const lowered = text.toLowerCase();
      if (lowered === 'true') return true;
      if (lowered === 'false') return false;
      return this.fail(column, `"${text}" is not a boolean (true or false)`);
    });
  }

  /** A boolean column that must hold a value (key and certificate `*_active`). */
  requiredBoolean(column: CredentialReportColumn): boolean {
    const fact = this.boolean(column);
    if (!fact.known) this.fail(column, 'missing');
    return fact.value;
  }

  text(column: CredentialReportColumn, ...allowed: AbsenceReason[]): Fact<string> {
    return this.fact(column, 'text', allowed, (text) => text);
  }
}

const UTC_SUFFIX = /(?:Z|\+00:00)$/;

/** Parses a report timestamp and returns it normalised to UTC `Z`, or null when it is not one. */
function normaliseTimestamp(text: string): { iso: IsoTimestamp; date: Date } | null {
  const date = parseTimestamp(text);
  if (date === null) return null;
  // The common case (UTC, whole seconds) keeps its digits; only the suffix changes.
  const iso = text.length <= 25 && UTC_SUFFIX.test(text) && text[19] !== '.' ? `${text.slice(0, 19)}Z` : toIsoUtc(date);
  return { iso, date };
}

/**
 * A credential-report time as AWS documents it: ISO 8601 with `T`, and `Z` or an offset
 * (`2026-01-02T14:30:00+00:00`), and a real calendar time. Anything else (a lowercase `t`,
 * `T24:00`, month 13, February 30) is refused rather than copied into a snapshot.
 */
export function parseTimestamp(text: string): Date | null {
  return parseStrictInstant(text, { offsets: true });
}

function readAccessKeys(row: RowReader): Fact<readonly AccessKeyFacts[]> {
  const keys: AccessKeyFacts[] = [];
  for (const slot of [1, 2] as const) {
    const active = row.requiredBoolean(`access_key_${slot}_active`);
    const createdAt = row.timestamp(`access_key_${slot}_last_rotated`, 'not_applicable');
    // A slot with no key reads "false, N/A"; an inactive key keeps its rotation date.
    if (!active && !createdAt.known) continue;
    keys.push({
      slot,
      id: NOT_COLLECTED,
      active,
      createdAt,
      lastUsed: row.timestamp(`access_key_${slot}_last_used_date`, 'not_applicable'),
      lastUsedRegion: row.text(`access_key_${slot}_last_used_region`, 'not_applicable'),
      lastUsedService: row.text(`access_key_${slot}_last_used_service`, 'not_applicable'),
    });
  }
  return known(keys);
}

function readSigningCertificates(row: RowReader): Fact<readonly SigningCertificateFacts[]> {
  if (!row.has('cert_1_active') || !row.has('cert_2_active')) return NOT_COLLECTED;
  const certificates: SigningCertificateFacts[] = [];
  for (const slot of [1, 2] as const) {
    const active = row.requiredBoolean(`cert_${slot}_active`);
    const lastRotated = row.timestamp(`cert_${slot}_last_rotated`, 'not_applicable');
    if (!active && !lastRotated.known) continue;
    certificates.push({ slot, active, lastRotated });
  }
  return known(certificates);
}

function readPrincipal(row: RowReader, arn: string, isRoot: boolean): PrincipalFacts {
  return {
    arn,
    createdAt: row.timestamp('user_creation_time', 'not_applicable'),
    password: {
      // Older reports say not_supported for root's password_enabled; newer ones true/false.
      enabled: isRoot ? row.boolean('password_enabled', 'not_supported') : row.boolean('password_enabled'),
      lastUsed: row.timestamp('password_last_used', 'not_applicable', 'no_information'),
      lastChanged: row.timestamp('password_last_changed', 'not_applicable', 'not_supported', 'no_information'),
      nextRotation: row.timestamp('password_next_rotation', 'not_applicable', 'not_supported'),
      resetRequired: NOT_COLLECTED,
    },
    mfa: { active: row.boolean('mfa_active'), devices: NOT_COLLECTED },
    accessKeys: readAccessKeys(row),
    signingCertificates: readSigningCertificates(row),
  };
}

/**
 * Input limits, far above any real report (an ARN is at most 2,048 characters, a row of 22 columns
 * under 3 KB) and low enough that a file which is not a credential report fails in moments with
 * one clear line instead of running for minutes or exhausting memory.
 */
export const MAX_FIELD_CHARACTERS = 64 * 1024;
export const MAX_RECORD_CHARACTERS = 1024 * 1024;
/** How many unknown column names a warning lists before it counts the rest. */
const LISTED_UNKNOWN_COLUMNS = 10;

/** A field over MAX_FIELD_CHARACTERS, thrown from csv-parse's record hook and passed on as it is. */
class FieldTooLarge extends InputError {}

type CsvRecordWithInfo = { record: string[]; info: { lines: number } };
function parseCsv(bytes: Uint8Array, file: string, withLines: true): CsvRecordWithInfo[];
function parseCsv(bytes: Uint8Array, file: string, withLines: false): string[][];
function parseCsv(bytes: Uint8Array, file: string, withLines: boolean): string[][] | CsvRecordWithInfo[] {
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
    const problem =
      csvError.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' || csvError.code === 'CSV_RECORD_DONT_MATCH_COLUMNS_LENGTH'
        ? `wrong number of fields (${csvError.message.replace(/^Invalid Record Length: /, '')})`
        : csvError.code === 'CSV_MAX_RECORD_SIZE'
          ? `a row longer than ${MAX_RECORD_CHARACTERS} characters (a credential report's rows are under 3,000); not an IAM credential report`
          : csvError.lines === 1
          ? `not an IAM credential report: the first line is not a CSV header (${csvError.message})`
          : `not a readable CSV file (${csvError.message})`;
    throw new InputError(file, where, problem);
  }
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

/** What `aws iam get-credential-report` prints (the API's response as JSON): the CSV and its time. */
interface AwsCliReport {
  readonly csv: Buffer;
  readonly generatedAt: Date;
}

/** True when the bytes start (after a BOM and blanks) with `{`: JSON, so not a credential report CSV. */
function looksLikeJson(bytes: Uint8Array): boolean {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 64)).toString('utf8').replace(/^\uFEFF/, '');
  return text.trimStart().startsWith('{');
}

const BASE64 = /^[A-Za-z0-9+/\r\n]*={0,2}\s*$/;

/**
 * Reads the AWS CLI's output of `aws iam get-credential-report`: `Content` (the CSV, base64),
 * `ReportFormat` (text/csv) and `GeneratedTime`, the report's real generation time. Every problem
 * names the field as a JSON pointer.
 */
function readAwsCliReport(bytes: Uint8Array, file: string): AwsCliReport {
  let document: unknown;
  try {
    document = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8').replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new InputError(file, null, `not valid JSON (${(error as Error).message.replace(/\s+/g, ' ')}); expected a credential report CSV or the output of aws iam get-credential-report`);
  }
  const fields = typeof document === 'object' && document !== null && !Array.isArray(document) ? (document as Record<string, unknown>) : null;
  if (fields === null || !('Content' in fields)) {
    throw new InputError(file, null, 'not an IAM credential report: a JSON file without Content; expected a credential report CSV or the output of aws iam get-credential-report');
  }
  const content = fields['Content'];
  if (typeof content !== 'string' || content.trim() === '' || !BASE64.test(content)) {
    throw new InputError(file, '/Content', 'expected the credential report as base64 text, as aws iam get-credential-report prints it');
  }
  const format = fields['ReportFormat'];
  if (format !== undefined && format !== 'text/csv') throw new InputError(file, '/ReportFormat', `${JSON.stringify(format)} is not a format this version reads (text/csv)`);
  const generatedTime = fields['GeneratedTime'];
  if (generatedTime === undefined) throw new InputError(file, '/GeneratedTime', 'missing; the capture time comes from it');
  const generatedAt = typeof generatedTime === 'string' ? parseTimestamp(generatedTime) : null;
  if (generatedAt === null) {
    throw new InputError(file, '/GeneratedTime', `${JSON.stringify(generatedTime)} is not an ISO 8601 timestamp (a real calendar time) such as 2026-01-02T14:30:00+00:00`);
  }
  return { csv: Buffer.from(content, 'base64'), generatedAt };
}

/**
 * Reads an IAM credential report into a snapshot: the CSV as downloaded from the console, or the
 * AWS CLI's JSON output of `aws iam get-credential-report` (told apart by content), whose
 * `GeneratedTime` then gives the capture time.
 */
export function importCredentialReport(bytes: Uint8Array, options: ImportOptions): ImportOutcome {
  if (bytes.length === 0 || !looksLikeJson(bytes)) return importCsvReport(bytes, options, null);
  const cli = readAwsCliReport(bytes, options.displayPath);
  if (options.generatedAt !== undefined && options.generatedAt.getTime() !== cli.generatedAt.getTime()) {
    throw new InputError(
      options.displayPath,
      '/GeneratedTime',
      `the report says it was generated ${toIsoUtc(cli.generatedAt)}, but --generated-at says ${toIsoUtc(options.generatedAt)}; leave --generated-at out`,
    );
  }
  const csvOptions: ImportOptions = { ...options, displayPath: `${options.displayPath} (Content)`, generatedAt: cli.generatedAt };
  return importCsvReport(cli.csv, csvOptions, { sha256: sha256Hex(bytes) });
}

/**
 * Reads an IAM credential report (CSV, as downloaded from the console or GetCredentialReport) into
 * a snapshot. Accepts every layout AWS has produced: `+00:00` and `Z` timestamps, booleans in any
 * case, `<root_account>` or `root_account`, the legacy 16-column layout, CRLF, a BOM, quoted fields.
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
  let duplicateColumn: string | undefined;
  for (const name of header) {
    if (seenColumns.has(name)) {
      duplicateColumn = name;
      break;
    }
    seenColumns.add(name);
  }
  if (duplicateColumn !== undefined) throw new InputError(file, 'line 1', `column "${duplicateColumn}" appears twice in the header`);

  const columnIndex = new Map<CredentialReportColumn, number>();
  for (const column of CREDENTIAL_REPORT_COLUMNS) {
    const index = header.indexOf(column);
    if (index >= 0) columnIndex.set(column, index);
  }
  const missingColumns = CREDENTIAL_REPORT_COLUMNS.filter((column) => !columnIndex.has(column));
  if (missingColumns.length > 0) {
    warnings.push(
      `${file}: an older report layout with ${header.length} columns; ${missingColumns.join(', ')} are missing and recorded as not collected`,
    );
  }
  const unknownColumns = header.filter((name) => !(CREDENTIAL_REPORT_COLUMNS as readonly string[]).includes(name));
  if (unknownColumns.length > 0) {
    const more = unknownColumns.length - LISTED_UNKNOWN_COLUMNS;
    warnings.push(
      `${file}: ignoring columns this version does not know: ${unknownColumns.slice(0, LISTED_UNKNOWN_COLUMNS).join(', ')}${more > 0 ? ` and ${more} more` : ''}`,
    );
  }

  let newestTimestamp: Date | null = null;
  const noteTimestamp = (value: Date): void => {
    if (newestTimestamp === null || value.getTime() > newestTimestamp.getTime()) newestTimestamp = value;
  };

  let account: { id: string; partition: string; line: number } | null = null;
  let root: PrincipalFacts | null = null;
  const users: UserFacts[] = [];
  const seenNames = new Map<string, number>();
  const seenArns = new Map<string, number>();

  for (let index = 1; index < records.length; index += 1) {
    const parsed = records[index];
    if (parsed === undefined) continue;
    const record = parsed.length === header.length ? parsed : recoverSplitUserName(parsed, header.length, columnIndex, file, () => lineOf(index));
    const row = new RowReader(file, () => lineOf(index), record, columnIndex, noteTimestamp);
    const line = (): number => lineOf(index);

    const name = row.raw('user').trim();
    const arn = row.raw('arn').trim();
    if (name === '') throw new InputError(file, `line ${line()}, column user`, 'empty user name');
    const arnMatch = ARN.exec(arn);
    if (arnMatch === null) throw new InputError(file, `line ${line()}, column arn`, `"${arn}" is not an IAM ARN (arn:PARTITION:iam::ACCOUNT:...)`);
    const [, partition = '', accountId = '', resource = ''] = arnMatch;
    if (accountId === '') throw new InputError(file, `line ${line()}, column arn`, `"${arn}" has no account id`);
    if (account === null) account = { id: accountId, partition, line: line() };
    else if (account.id !== accountId || account.partition !== partition) {
      throw new InputError(
        file,
        `line ${line()}, column arn`,
        `account ${partition}/${accountId} differs from ${account.partition}/${account.id} on line ${account.line}; a report covers one account`,
      );
    }

    const isRoot = resource === 'root' || name === '<root_account>' || name === 'root_account';
    if (isRoot) {
      if (root !== null) throw new InputError(file, `line ${line()}`, 'a second root account row');
      root = readPrincipal(row, arn, true);
      continue;
    }
    const firstIndex = seenNames.get(name);
    if (firstIndex !== undefined) {
      throw new InputError(file, `line ${line()}, column user`, `user "${name}" already appears on line ${lineOf(firstIndex)}`);
    }
    seenNames.set(name, index);
    const sameArnIndex = seenArns.get(arn);
    if (sameArnIndex !== undefined) {
      throw new InputError(file, `line ${line()}, column arn`, `ARN "${arn}" already appears on line ${lineOf(sameArnIndex)}`);
    }
    seenArns.set(arn, index);
    const slash = resource.lastIndexOf('/');
    users.push({
      name,
      userId: NOT_COLLECTED,
      path: resource.startsWith('user/') ? known(resource.slice('user'.length, slash + 1)) : NOT_COLLECTED,
      ...readPrincipal(row, arn, false),
      groups: NOT_COLLECTED,
      attachedPolicies: NOT_COLLECTED,
      inlinePolicies: NOT_COLLECTED,
      tags: NOT_COLLECTED,
    });
  }

  if (account === null) {
    throw new InputError(file, null, 'the report has a header but no rows, so it names no account; AWS always includes the root account row');
  }
  if (!/^\d{12}$/.test(account.id)) warnings.push(`${file}: account id "${account.id}" is not 12 digits (an anonymised report?)`);
  if (root === null) warnings.push(`${file}: the report has no root account row; root checks will be not evaluated`);

  let generatedAt: Date;
  let generatedAtSource: 'flag' | 'api' | 'newest-timestamp-in-file';
  if (options.generatedAt !== undefined) {
    generatedAt = options.generatedAt;
    generatedAtSource = fromCli === null ? 'flag' : 'api';
  } else {
    const newest: Date | null = newestTimestamp;
    if (newest === null) throw new InputError(file, null, 'no timestamp in the report to take the capture time from; give --generated-at');
    generatedAt = newest;
    generatedAtSource = 'newest-timestamp-in-file';
    warnings.push(
      `${file}: capture time taken as ${toIsoUtc(newest)}, the newest timestamp in the report; the report may be newer (up to 4 hours). Give --generated-at to set it exactly.`,
    );
  }
  const capturedAt = toIsoUtc(generatedAt);
  const tool = packageInfo();

  const snapshot: Snapshot = {
    schemaVersion: CURRENT_SCHEMA_VERSION,
    source: 'credential-report',
    capturedAt,
    collection: { startedAt: capturedAt, endedAt: capturedAt, callerArn: null, region: null, apiCalls: 0, retries: 0 },
    credentialReport: {
      generatedAt: capturedAt,
      generatedAtSource,
      fileName: options.fileName,
      sha256: fromCli?.sha256 ?? sha256Hex(bytes),
      missingColumns,
      columnCount: header.length,
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
