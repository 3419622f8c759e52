/**
 * One credential-report row read into typed facts: the columns AWS writes, the placeholders
 * (`N/A`, `no_information`, `not_supported`) parsed once into absence reasons, and every timestamp
 * checked as a real calendar time. Every problem names the line and column.
 */
import { InputError } from '../util/errors.js';
import { parseStrictInstant, toIsoUtc } from '../util/time.js';
import {
  absent,
  known,
  NOT_COLLECTED,
  type AbsenceReason,
  type AccessKeyFacts,
  type Fact,
  type IsoTimestamp,
  type PrincipalFacts,
  type SigningCertificateFacts,
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

/** The three placeholders AWS writes instead of a value, parsed once into absence reasons. */
const PLACEHOLDERS: Readonly<Record<string, AbsenceReason>> = {
  'n/a': 'not_applicable',
  no_information: 'no_information',
  not_supported: 'not_supported',
};

type CellKind = 'timestamp' | 'boolean' | 'text';

/**
 * Columns whose time names a future event by nature (the password's next forced rotation): never
 * the capture time's lower bound, and never refused for lying after it.
 */
const FUTURE_TIME_COLUMNS: ReadonlySet<CredentialReportColumn> = new Set(['password_next_rotation']);

/** Parses one row's cells into typed facts; every problem names the line and column. */
export class RowReader {
  constructor(
    private readonly file: string,
    private readonly line: () => number,
    private readonly record: readonly string[],
    private readonly columnIndex: ReadonlyMap<CredentialReportColumn, number>,
    /** Told of every instant that records a past event (all timestamp columns but FUTURE_TIME_COLUMNS). */
    private readonly onTimestamp: (value: Date, column: CredentialReportColumn) => void,
  ) {}

  /** Refuses the row, naming its line and the column. */
  fail(column: string, problem: string): never {
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
      if (!FUTURE_TIME_COLUMNS.has(column)) this.onTimestamp(parsed.date, column);
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
    // Every cell is read, used slot or not: garbage in an empty slot is refused, never skipped.
    const lastUsed = row.timestamp(`access_key_${slot}_last_used_date`, 'not_applicable');
    const lastUsedRegion = row.text(`access_key_${slot}_last_used_region`, 'not_applicable');
    const lastUsedService = row.text(`access_key_${slot}_last_used_service`, 'not_applicable');
    // A slot with no key reads "false, N/A" and N/A for its use; an inactive key keeps its rotation date.
    if (!active && !createdAt.known) {
      const used = (
        [
          [`access_key_${slot}_last_used_date`, lastUsed],
          [`access_key_${slot}_last_used_region`, lastUsedRegion],
          [`access_key_${slot}_last_used_service`, lastUsedService],
        ] as const
      ).find(([, fact]) => fact.known);
      if (used !== undefined && used[1].known) {
        row.fail(used[0], `"${used[1].value}" in an empty key slot (access_key_${slot}_active false, access_key_${slot}_last_rotated N/A): a slot without a key has no use; expected N/A`);
      }
      continue;
    }
    keys.push({ slot, id: NOT_COLLECTED, active, createdAt, lastUsed, lastUsedRegion, lastUsedService });
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

export function readPrincipal(row: RowReader, arn: string, isRoot: boolean): PrincipalFacts {
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

