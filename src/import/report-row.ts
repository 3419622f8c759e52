/**
 * One credential-report row read into typed facts: the columns AWS writes, the placeholders
 * (`N/A`, `no_information`, `not_supported`) parsed once into absence reasons, and every timestamp
 * checked as a real calendar time. Every problem names the line and column.
 */
import { InputError } from '../util/errors.js';
import { parseStrictInstant, parseStrictInstantMs, toIsoUtc } from '../util/time.js';
import {
  absent,
  known,
  NOT_COLLECTED,
  type Absent,
  type AbsenceReason,
  type AccessKeyFacts,
  type Fact,
  type IsoTimestamp,
  type MfaFacts,
  type PasswordFacts,
  type PrincipalFacts,
  type SigningCertificateFacts,
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
export const REQUIRED_COLUMNS: readonly CredentialReportColumn[] = CREDENTIAL_REPORT_COLUMNS.filter((column) => !OPTIONAL_COLUMN.test(column));

type CellKind = 'timestamp' | 'boolean' | 'text';

/** Each column's place in CREDENTIAL_REPORT_COLUMNS: rows are read by these numbers, not by name lookups. */
const ORDINAL = Object.fromEntries(CREDENTIAL_REPORT_COLUMNS.map((column, index) => [column, index])) as Readonly<Record<CredentialReportColumn, number>>;

/** Which field of a record holds each column (by ordinal), -1 for a column the report lacks. */
export type ColumnPositions = readonly number[];

export function columnPositions(columnIndex: ReadonlyMap<CredentialReportColumn, number>): ColumnPositions {
  return CREDENTIAL_REPORT_COLUMNS.map((column) => columnIndex.get(column) ?? -1);
}

/**
 * Columns whose time names a future event by nature (the password's next forced rotation): never
 * the capture time's lower bound, and never refused for lying after it.
 */
const FUTURE_TIME_COLUMNS: ReadonlySet<CredentialReportColumn> = new Set(['password_next_rotation']);

/** The placeholder a cell holds (any case), or undefined: three lengths to compare, no lower-cased copy of every cell. */
function placeholderOf(text: string): AbsenceReason | undefined {
  switch (text.length) {
    case 3:
      return text === 'N/A' || text.toLowerCase() === 'n/a' ? 'not_applicable' : undefined;
    case 13:
      return text === 'not_supported' || text.toLowerCase() === 'not_supported' ? 'not_supported' : undefined;
    case 14:
      return text === 'no_information' || text.toLowerCase() === 'no_information' ? 'no_information' : undefined;
    default:
      return undefined;
  }
}

/** The two known booleans, shared: a report's million boolean cells need no object each. */
const KNOWN_TRUE: Fact<boolean> = Object.freeze(known(true));
const KNOWN_FALSE: Fact<boolean> = Object.freeze(known(false));

/**
 * Facts most users share, one frozen object each, as the booleans above: the MFA facts of a report
 * (a report knows whether MFA is active, never the devices), the password facts of a user without
 * a console password, and the key and certificate lists of a principal without any. A snapshot
 * holds every user for the whole run; each object a user does not need is memory, and, made while
 * the report is read, work for the young generation's collector (5,000 users: this kept V8's young
 * generation from doubling, 20 MB of the peak; docs/decisions.md).
 */
const MFA_ACTIVE: MfaFacts = Object.freeze({ active: KNOWN_TRUE, devices: NOT_COLLECTED });
const MFA_INACTIVE: MfaFacts = Object.freeze({ active: KNOWN_FALSE, devices: NOT_COLLECTED });
const NO_ACCESS_KEYS: Fact<readonly AccessKeyFacts[]> = Object.freeze(known(Object.freeze([])));
const NO_SIGNING_CERTIFICATES: Fact<readonly SigningCertificateFacts[]> = Object.freeze(known(Object.freeze([])));
const NOT_APPLICABLE = absent('not_applicable');
const NO_PASSWORD: PasswordFacts = Object.freeze({ enabled: KNOWN_FALSE, lastUsed: NOT_APPLICABLE, lastChanged: NOT_APPLICABLE, nextRotation: NOT_APPLICABLE, resetRequired: NOT_COLLECTED });

/** The absence reasons each call allows, as constants (no array per cell); the order is the message's. */
const NONE: readonly AbsenceReason[] = [];
const NA: readonly AbsenceReason[] = ['not_applicable'];
const NA_NO_INFORMATION: readonly AbsenceReason[] = ['not_applicable', 'no_information'];
const NA_NOT_SUPPORTED: readonly AbsenceReason[] = ['not_applicable', 'not_supported'];
const NA_NOT_SUPPORTED_NO_INFORMATION: readonly AbsenceReason[] = ['not_applicable', 'not_supported', 'no_information'];
const NOT_SUPPORTED: readonly AbsenceReason[] = ['not_supported'];

/**
 * Parses a row's cells into typed facts; every problem names the line and column. One reader
 * serves every row of a report (`start` hands it the next record): no reader or closures per row.
 */
export class RowReader {
  private record: readonly string[] = [];
  private line = 0;
  /** vocabularyText's facts, by text. */
  private readonly sharedTexts = new Map<string, Fact<string>>();

  constructor(
    private readonly file: string,
    private readonly positions: ColumnPositions,
    /** Told of every instant that records a past event (all timestamp columns but FUTURE_TIME_COLUMNS), in ms. */
    private readonly onTimestamp: (ms: number, column: CredentialReportColumn, line: number) => void,
  ) {}

  /** The next row: its fields (each column at its position) and the line it ends on. */
  start(record: readonly string[], line: number): void {
    this.record = record;
    this.line = line;
  }

  /** Refuses the row, naming its line and the column. */
  fail(column: string, problem: string): never {
    throw new InputError(this.file, `line ${this.line}, column ${column}`, problem);
  }

  has(column: CredentialReportColumn): boolean {
    return (this.positions[ORDINAL[column]] ?? -1) >= 0;
  }

  raw(column: CredentialReportColumn): string {
    const value = this.cell(ORDINAL[column]);
    if (value === undefined) this.fail(column, 'missing');
    return value;
  }

  private cell(ordinal: number): string | undefined {
    const position = this.positions[ordinal] ?? -1;
    return position < 0 ? undefined : this.record[position];
  }

  /** The trimmed cell, null for a column the report lacks; a placeholder the call does not allow is refused. */
  private present(ordinal: number, kind: CellKind, allowed: readonly AbsenceReason[]): string | Absent | null {
    if ((this.positions[ordinal] ?? -1) < 0) return null;
    const cell = this.cell(ordinal);
    const column = CREDENTIAL_REPORT_COLUMNS[ordinal] ?? String(ordinal);
    if (cell === undefined) this.fail(column, 'missing');
    const text = cell.trim();
    const placeholder = placeholderOf(text);
    if (placeholder === undefined) return text;
    if (allowed.includes(placeholder)) return absent(placeholder);
    return this.fail(column, `"${text}" is not allowed here; expected a ${kind}${allowed.length > 0 ? ` or ${allowed.join(', ')}` : ''}`);
  }

  timestamp(column: CredentialReportColumn, allowed: readonly AbsenceReason[]): Fact<IsoTimestamp> {
    const text = this.present(ORDINAL[column], 'timestamp', allowed);
    if (text === null) return NOT_COLLECTED;
    if (typeof text !== 'string') return text;
    const ms = parseTimestampMs(text);
    if (ms === null) this.fail(column, `"${text}" is not an ISO 8601 timestamp (a real calendar time, with T and Z or +00:00) such as 2025-01-28T17:25:12+00:00`);
    if (!FUTURE_TIME_COLUMNS.has(column)) this.onTimestamp(ms, column, this.line);
    return { known: true, value: normalisedTimestamp(text, ms) };
  }

  boolean(column: CredentialReportColumn, allowed: readonly AbsenceReason[]): Fact<boolean> {
    const text = this.present(ORDINAL[column], 'boolean', allowed);
    if (text === null) return NOT_COLLECTED;
    if (typeof text !== 'string') return text;
    if (text === 'true' || text === 'TRUE' || text.toLowerCase() === 'true') return KNOWN_TRUE;
    if (text === 'false' || text === 'FALSE' || text.toLowerCase() === 'false') return KNOWN_FALSE;
    return this.fail(column, `"${text}" is not a boolean (true or false)`);
  }

  /** A boolean column that must hold a value (key and certificate `*_active`). */
  requiredBoolean(column: CredentialReportColumn): boolean {
    const fact = this.boolean(column, NONE);
    if (!fact.known) this.fail(column, 'missing');
    return fact.value;
  }

  text(column: CredentialReportColumn, allowed: readonly AbsenceReason[]): Fact<string> {
    const text = this.present(ORDINAL[column], 'text', allowed);
    if (text === null) return NOT_COLLECTED;
    if (typeof text !== 'string') return text;
    return { known: true, value: text };
  }

  /**
   * A text from a small vocabulary (a key's last region or service: a few dozen values in any
   * account), one frozen fact per distinct value, as the paths are (report-rows.ts): the same few
   * words on thousands of keys need no object and string each. Past MAX_SHARED_TEXTS distinct
   * values (not a real report), each further one is a fact of its own.
   */
  vocabularyText(column: CredentialReportColumn, allowed: readonly AbsenceReason[]): Fact<string> {
    const fact = this.text(column, allowed);
    if (!fact.known) return fact;
    const shared = this.sharedTexts.get(fact.value);
    if (shared !== undefined) return shared;
    if (this.sharedTexts.size < MAX_SHARED_TEXTS) this.sharedTexts.set(fact.value, Object.freeze(fact));
    return fact;
  }
}
const MAX_SHARED_TEXTS = 1_000;

/** A report timestamp normalised to UTC `Z`: the common forms keep their digits (only the suffix changes). */
function normalisedTimestamp(text: string, ms: number): IsoTimestamp {
  if (text.length === 20 && text.charCodeAt(19) === 90 /* Z */) return text;
  if (text.length === 25 && text.charCodeAt(19) !== 46 /* . */ && text.endsWith('+00:00')) return `${text.slice(0, 19)}Z`;
  return toIsoUtc(new Date(ms));
}

/**
 * A credential-report time as AWS documents it: ISO 8601 with `T`, and `Z` or an offset
 * (`2026-01-02T14:30:00+00:00`), and a real calendar time. Anything else (a lowercase `t`,
 * `T24:00`, month 13, February 30) is refused rather than copied into a snapshot.
 */
export function parseTimestamp(text: string): Date | null {
  return parseStrictInstant(text, { offsets: true });
}

/** parseTimestamp's instant in ms since 1970 (no Date per cell), or null. */
function parseTimestampMs(text: string): number | null {
  return parseStrictInstantMs(text, { offsets: true });
}

/** The column names of one key slot, made once (not a template string per cell). */
interface KeyColumns {
  readonly slot: 1 | 2;
  readonly active: CredentialReportColumn;
  readonly lastRotated: CredentialReportColumn;
  readonly lastUsedDate: CredentialReportColumn;
  readonly lastUsedRegion: CredentialReportColumn;
  readonly lastUsedService: CredentialReportColumn;
}
const keyColumns = (slot: 1 | 2): KeyColumns =>
  ({
    slot,
    active: `access_key_${slot}_active`,
    lastRotated: `access_key_${slot}_last_rotated`,
    lastUsedDate: `access_key_${slot}_last_used_date`,
    lastUsedRegion: `access_key_${slot}_last_used_region`,
    lastUsedService: `access_key_${slot}_last_used_service`,
  }) as KeyColumns;
const KEY_COLUMNS: readonly [KeyColumns, KeyColumns] = [keyColumns(1), keyColumns(2)];

const CERTIFICATE_COLUMNS = ([1, 2] as const).map((slot) => ({ slot, active: `cert_${slot}_active`, lastRotated: `cert_${slot}_last_rotated` })) as readonly {
  readonly slot: 1 | 2;
  readonly active: CredentialReportColumn;
  readonly lastRotated: CredentialReportColumn;
}[];

function readAccessKeys(row: RowReader): Fact<readonly AccessKeyFacts[]> {
  const firstKey = readAccessKey(row, KEY_COLUMNS[0]);
  const secondKey = readAccessKey(row, KEY_COLUMNS[1]);
  // Lists of their exact length: one grown by push() keeps room for 17 entries.
  if (firstKey === null) return secondKey === null ? NO_ACCESS_KEYS : { known: true, value: [secondKey] };
  return { known: true, value: secondKey === null ? [firstKey] : [firstKey, secondKey] };
}

/** One key slot's facts; null for an empty slot. */
function readAccessKey(row: RowReader, columns: KeyColumns): AccessKeyFacts | null {
  const active = row.requiredBoolean(columns.active);
  const createdAt = row.timestamp(columns.lastRotated, NA);
  // Every cell is read, used slot or not: garbage in an empty slot is refused, never skipped.
  const lastUsed = row.timestamp(columns.lastUsedDate, NA);
  const lastUsedRegion = row.vocabularyText(columns.lastUsedRegion, NA);
  const lastUsedService = row.vocabularyText(columns.lastUsedService, NA);
  // A slot with no key reads "false, N/A" and N/A for its use; an inactive key keeps its rotation date.
  if (!active && !createdAt.known) {
    const used = (
      [
        [columns.lastUsedDate, lastUsed],
        [columns.lastUsedRegion, lastUsedRegion],
        [columns.lastUsedService, lastUsedService],
      ] as const
    ).find(([, fact]) => fact.known);
    if (used !== undefined && used[1].known) {
      row.fail(used[0], `"${used[1].value}" in an empty key slot (access_key_${columns.slot}_active false, access_key_${columns.slot}_last_rotated N/A): a slot without a key has no use; expected N/A`);
    }
    return null;
  }
  return { slot: columns.slot, id: NOT_COLLECTED, active, createdAt, lastUsed, lastUsedRegion, lastUsedService };
}

function readSigningCertificates(row: RowReader): Fact<readonly SigningCertificateFacts[]> {
  if (!row.has('cert_1_active') || !row.has('cert_2_active')) return NOT_COLLECTED;
  const certificates: SigningCertificateFacts[] = [];
  for (const columns of CERTIFICATE_COLUMNS) {
    const active = row.requiredBoolean(columns.active);
    const lastRotated = row.timestamp(columns.lastRotated, NA);
    if (!active && !lastRotated.known) continue;
    certificates.push({ slot: columns.slot, active, lastRotated });
  }
  // Nearly every user has no signing certificate: the shared empty list.
  return certificates.length === 0 ? NO_SIGNING_CERTIFICATES : { known: true, value: certificates };
}

export function readPrincipal(row: RowReader, arn: string, isRoot: boolean): PrincipalFacts {
  return {
    arn,
    createdAt: readCreatedAt(row),
    password: readPassword(row, isRoot),
    mfa: readMfa(row),
    accessKeys: readAccessKeys(row),
    signingCertificates: readSigningCertificates(row),
  };
}

/** A user's facts, the principal's read in the same order as readPrincipal (no principal object copied into the user's). */
export function readUserFacts(row: RowReader, name: string, arn: string, path: Fact<string>): UserFacts {
  return {
    name,
    userId: NOT_COLLECTED,
    path,
    arn,
    createdAt: readCreatedAt(row),
    password: readPassword(row, false),
    mfa: readMfa(row),
    accessKeys: readAccessKeys(row),
    signingCertificates: readSigningCertificates(row),
    groups: NOT_COLLECTED,
    attachedPolicies: NOT_COLLECTED,
    inlinePolicies: NOT_COLLECTED,
    tags: NOT_COLLECTED,
  };
}

function readCreatedAt(row: RowReader): Fact<IsoTimestamp> {
  return row.timestamp('user_creation_time', NA);
}

function readPassword(row: RowReader, isRoot: boolean): PasswordFacts {
  // Older reports say not_supported for root's password_enabled; newer ones true/false.
  const enabled = row.boolean('password_enabled', isRoot ? NOT_SUPPORTED : NONE);
  const lastUsed = row.timestamp('password_last_used', NA_NO_INFORMATION);
  const lastChanged = row.timestamp('password_last_changed', NA_NOT_SUPPORTED_NO_INFORMATION);
  const nextRotation = row.timestamp('password_next_rotation', NA_NOT_SUPPORTED);
  // A user without a console password (false, N/A, N/A, N/A): the shared facts.
  if (enabled === KNOWN_FALSE && lastUsed === NOT_APPLICABLE && lastChanged === NOT_APPLICABLE && nextRotation === NOT_APPLICABLE) return NO_PASSWORD;
  return { enabled, lastUsed, lastChanged, nextRotation, resetRequired: NOT_COLLECTED };
}

function readMfa(row: RowReader): MfaFacts {
  const active = row.boolean('mfa_active', NONE);
  return active === KNOWN_TRUE ? MFA_ACTIVE : active === KNOWN_FALSE ? MFA_INACTIVE : { active, devices: NOT_COLLECTED };
}
