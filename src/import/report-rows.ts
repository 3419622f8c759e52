/**
 * The credential report's records, one at a time, into the snapshot's principals: the header
 * checked, then each row (one account throughout, at most one root row, users each once). Fed by
 * csv-parse's record hook, whether the report is in memory or streamed, so nothing holds every record.
 */
import { InputError } from '../util/errors.js';
import { known, NOT_COLLECTED, type Fact, type PrincipalFacts, type UserFacts } from '../snapshot/types.js';
import { columnPositions, CREDENTIAL_REPORT_COLUMNS, readPrincipal, readUserFacts, REQUIRED_COLUMNS, RowReader, type CredentialReportColumn } from './report-row.js';

/** How many unknown column names a warning lists before it counts the rest. */
const LISTED_UNKNOWN_COLUMNS = 10;

export const ARN = /^arn:([a-z0-9-]+):iam::([^:]*):(.+)$/;

export interface ReportHeader {
  readonly header: readonly string[];
  readonly columnIndex: ReadonlyMap<CredentialReportColumn, number>;
  /** Columns of today's layout the report lacks (older layouts); their facts are not collected. */
  readonly missingColumns: readonly CredentialReportColumn[];
}

/** The newest past-event instant of the report and where it is. */
export interface NewestTimestamp {
  readonly at: Date;
  readonly line: number;
  readonly column: CredentialReportColumn;
}

export interface ReportRows {
  readonly head: ReportHeader;
  readonly account: { readonly id: string; readonly partition: string; readonly line: number } | null;
  readonly root: PrincipalFacts | null;
  readonly users: UserFacts[];
  /** The newest past event in any cell (not password_next_rotation): the capture time when nothing better is known. */
  readonly newestTimestamp: NewestTimestamp | null;
}

/**
 * IAM user names may contain commas, and the credential report does not quote them: such a row
 * has extra fields, two per comma (the name and the ARN that ends with it are both split). The
 * split is recovered only when the ARN proves it: the user column directly before the ARN column,
 * and the rejoined ARN ending with "/" and the rejoined name. Anything else is refused, naming the line.
 */
function recoverSplitUserName(record: readonly string[], columns: number, columnIndex: ReadonlyMap<CredentialReportColumn, number>, file: string, line: number): string[] {
  const refuse = (why: string): never => {
    throw new InputError(file, `line ${line}`, `wrong number of fields (${record.length} fields, the header has ${columns})${why}`);
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

/**
 * Refuses a second user with the same name or ARN, naming the line of the first. IAM user names
 * are unique regardless of case (IAM refuses to create "Alice" beside "alice"), so two rows whose
 * names differ only in case cannot come from one account either.
 */
class UniqueUsers {
  /** Lower-cased name: the place of the first user so named in `users` (its spelling and line are found there). */
  private readonly names = new Map<string, number>();
  /**
   * The ARNs of the users whose ARN does not end with "/" and their name (a name without "/"):
   * there are none in a report AWS wrote. Every other ARN is unique when the names are, so it
   * needs no map of its own (a map of 100,000 ARNs was a tenth of the import's time).
   */
  private readonly irregularArns = new Map<string, number>();
  /** Each user's line, by place. */
  private readonly lines: number[] = [];

  constructor(
    private readonly file: string,
    private readonly users: readonly UserFacts[],
  ) {}

  /** Checks the user about to take place `users.length`. */
  add(name: string, arn: string, line: number): void {
    const place = this.users.length;
    const nameKey = name.toLowerCase();
    const first = this.names.get(nameKey);
    if (first !== undefined) {
      const firstName = this.users[first]?.name ?? '';
      const firstLine = this.lines[first] ?? 0;
      throw new InputError(
        this.file,
        `line ${line}, column user`,
        firstName === name
          ? `user "${name}" already appears on line ${firstLine}`
          : `user "${name}" differs only in case from "${firstName}" on line ${firstLine}; IAM user names are unique regardless of case, so one account cannot have both`,
      );
    }
    const regular = !name.includes('/') && arn.endsWith(`/${name}`);
    const sameArn = this.irregularArns.get(arn) ?? (regular ? undefined : this.regularWithArn(arn));
    if (sameArn !== undefined) {
      throw new InputError(this.file, `line ${line}, column arn`, `ARN "${arn}" already appears on line ${this.lines[sameArn] ?? 0}`);
    }
    this.names.set(nameKey, place);
    if (!regular) this.irregularArns.set(arn, place);
    this.lines.push(line);
  }

  /** The place of an earlier regular user with this ARN: the one named by its last segment, if any. */
  private regularWithArn(arn: string): number | undefined {
    const place = this.names.get(arn.slice(arn.lastIndexOf('/') + 1).toLowerCase());
    return place !== undefined && this.users[place]?.arn === arn ? place : undefined;
  }
}

/** The path facts seen so far, one frozen object per distinct path (an account has a handful of paths and 100,000 users). */
type PathFacts = Map<string, Fact<string>>;

function readUser(row: RowReader, name: string, arn: string, resource: string, paths: PathFacts): UserFacts {
  if (!resource.startsWith('user/')) return readUserFacts(row, name, arn, NOT_COLLECTED);
  const text = resource.slice('user'.length, resource.lastIndexOf('/') + 1);
  let path = paths.get(text);
  if (path === undefined && paths.size < MAX_SHARED_PATHS) paths.set(text, (path = Object.freeze(known(text))));
  return readUserFacts(row, name, arn, path ?? known(text));
}
const MAX_SHARED_PATHS = 10_000;

/** Takes the records in order (the header first) and keeps only the principals and what the checks need. */
export class ReportRowsReader {
  private head: ReportHeader | null = null;
  private row: RowReader | null = null;
  private account: { id: string; partition: string; line: number } | null = null;
  private root: PrincipalFacts | null = null;
  private readonly users: UserFacts[] = [];
  private readonly paths: PathFacts = new Map();
  /** The newest past-event instant so far, in ms, and where it is. */
  private newestMs = Number.NEGATIVE_INFINITY;
  private newestLine = 0;
  private newestColumn: CredentialReportColumn | null = null;
  private readonly unique: UniqueUsers;

  constructor(
    private readonly file: string,
    private readonly warnings: string[],
  ) {
    this.unique = new UniqueUsers(file, this.users);
  }

  /** One record and the line it ends on: the header first, then the rows. */
  readonly add = (parsed: string[], line: number): void => {
    if (this.head === null) {
      this.head = readHeader(parsed, this.file, this.warnings);
      this.row = new RowReader(this.file, columnPositions(this.head.columnIndex), this.noteTimestamp);
    } else this.addRow(this.head, this.row as RowReader, parsed, line);
  };

  private readonly noteTimestamp = (ms: number, column: CredentialReportColumn, line: number): void => {
    if (ms > this.newestMs) {
      this.newestMs = ms;
      this.newestLine = line;
      this.newestColumn = column;
    }
  };

  private addRow(head: ReportHeader, row: RowReader, parsed: string[], line: number): void {
    const file = this.file;
    const record = parsed.length === head.header.length ? parsed : recoverSplitUserName(parsed, head.header.length, head.columnIndex, file, line);
    row.start(record, line);
    const name = row.raw('user').trim();
    const arn = row.raw('arn').trim();
    if (name === '') throw new InputError(file, `line ${line}, column user`, 'empty user name');
    const arnMatch = ARN.exec(arn);
    if (arnMatch === null) throw new InputError(file, `line ${line}, column arn`, `"${arn}" is not an IAM ARN (arn:PARTITION:iam::ACCOUNT:...)`);
    const [, partition = '', accountId = '', resource = ''] = arnMatch;
    if (accountId === '') throw new InputError(file, `line ${line}, column arn`, `"${arn}" has no account id`);
    const account = this.account;
    if (account === null) this.account = { id: accountId, partition, line };
    else if (account.id !== accountId || account.partition !== partition) {
      throw new InputError(
        file,
        `line ${line}, column arn`,
        `account ${partition}/${accountId} differs from ${account.partition}/${account.id} on line ${account.line}; a report covers one account`,
      );
    }
    // The ARN says which row is root's. The name `<root_account>` is root's alone (IAM user names
    // cannot hold < or >); `root_account` is how some renderings write it on root's row, and an
    // ordinary user's name everywhere else (issue #23).
    const isRootRow = resource === 'root';
    if (!isRootRow && name === '<root_account>') {
      throw new InputError(file, `line ${line}, column arn`, `the root account's row (user <root_account>) has the ARN of something else, "${arn}"; expected arn:${partition}:iam::${accountId}:root`);
    }
    if (isRootRow) {
      if (this.root !== null) throw new InputError(file, `line ${line}`, 'a second root account row');
      this.root = readPrincipal(row, arn, true);
      return;
    }
    this.unique.add(name, arn, line);
    this.users.push(readUser(row, name, arn, resource, this.paths));
  }

  /** Everything read; refuses a file without a header record. */
  finish(): ReportRows {
    if (this.head === null) throw new InputError(this.file, null, 'the file has no lines; expected an IAM credential report (CSV)');
    const newestTimestamp = this.newestColumn === null ? null : { at: new Date(this.newestMs), line: this.newestLine, column: this.newestColumn };
    return { head: this.head, account: this.account, root: this.root, users: this.users, newestTimestamp };
  }
}
