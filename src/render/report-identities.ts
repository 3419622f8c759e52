/**
 * The printable report's per-identity appendix: one compact matrix row per identity (the root
 * user and every IAM user) with the facts the rules judged, as the source gave them, and one
 * verdict mark per rule that judges identities. It is the evidence for every PASS as well as
 * every FAIL, and it is how a failing identity is found in the PDF when a failed-rule section
 * prints only its first resources (see `compactForPrint`).
 *
 * Raw source values (N/A, no_information, not_supported) are printed here and nowhere else in
 * the report body; the legend says what each means.
 */
import type { AnalysisResult, IdentityFacts, RuleResultStatus, RuleSummary } from '../analyze/result.js';
import type { AccessKeyFacts, Absent, Fact } from '../snapshot/types.js';
import { MS_PER_DAY } from '../util/time.js';
import type { ReportMedium, ReportPart } from './report-part.js';

/** How a verdict reads in a matrix cell: short, and words rather than colour (pdftotext keeps it). */
export const MATRIX_MARKS: Readonly<Record<RuleResultStatus, string>> = {
  pass: 'P',
  fail: 'F',
  excepted: 'X',
  not_evaluated: 'NE',
  error: 'ERR',
  not_applicable: 'n/a',
};

/** The legend of the marks, in the order a reader meets them. */
export const MATRIX_LEGEND: readonly { readonly mark: string; readonly meaning: string }[] = [
  { mark: 'P', meaning: 'pass' },
  { mark: 'F', meaning: 'fail (for a rule judging each key, any key failing)' },
  { mark: 'X', meaning: 'excepted: a failure covered by an approved exception' },
  { mark: 'NE', meaning: 'not evaluated: the data the rule needs was not collected' },
  { mark: 'ERR', meaning: 'error: an impossible value (see the attached findings)' },
  { mark: 'n/a', meaning: 'not applicable (e.g. no console password, no active key)' },
];

/** Raw values the source writes instead of a value, as the appendix prints them. */
export const RAW_VALUES: Readonly<Record<Absent['reason'], string>> = {
  not_applicable: 'N/A',
  no_information: 'no_information',
  not_supported: 'not_supported',
  not_collected: 'not collected',
  collection_failed: 'collection failed',
};

export const RAW_VALUE_LEGEND: readonly { readonly value: string; readonly meaning: string }[] = [
  { value: 'N/A', meaning: 'not applicable in the source: no password, no key, or a key never used' },
  { value: 'no_information', meaning: 'password never used, or not since IAM began tracking (2014-10-20)' },
  { value: 'not_supported', meaning: 'the field does not exist for this identity (older reports, root)' },
  { value: 'not collected', meaning: 'the source does not carry the fact (e.g. MFA device types in a credential report)' },
];

/** Short column headings for the rules that judge identities; a rule not listed keeps its id. */
const COLUMN_LABELS: Readonly<Record<string, string>> = {
  'root-access-keys': 'Root keys',
  'root-mfa': 'Root MFA',
  'root-hardware-mfa': 'Root HW MFA',
  'root-recent-use': 'Root use',
  'console-users-mfa': 'User MFA',
  'mfa-device-type': 'MFA type',
  'access-keys-at-initial-setup': 'Setup keys',
  'console-users-with-access-keys': 'Pwd + keys',
  'multiple-active-access-keys': 'Two keys',
  'access-key-rotation': 'Key age',
  'unused-credentials': 'Unused',
  'user-direct-policies': 'Direct policy',
};

/** The worse of two verdicts for one identity (a user's keys are judged one by one). */
const SEVERITY_OF_STATUS: Readonly<Record<RuleResultStatus, number>> = { not_applicable: 1, pass: 2, excepted: 3, not_evaluated: 4, error: 5, fail: 6 };
const STATUS_BY_SEVERITY: readonly (RuleResultStatus | null)[] = [null, 'not_applicable', 'pass', 'excepted', 'not_evaluated', 'error', 'fail'];

export interface MatrixColumn {
  readonly ruleId: string;
  readonly label: string;
  readonly title: string;
  /** The controls the rule judges, e.g. "cis-5.0 1.9, fsbp IAM.5". */
  readonly controls: string;
}

export interface MatrixCell {
  readonly mark: string;
  readonly className: string;
}

/** One key slot: its state and age, its creation date and (live collection) its id, its last use. */
export interface MatrixKey {
  readonly state: string;
  /** YYYY-MM-DD, or the raw source value; '' for no key. */
  readonly created: string;
  /** The access key id when the source carries it (live collection), else ''. */
  readonly id: string;
  readonly lastUsed: string;
}

export interface MatrixRow {
  readonly name: string;
  readonly root: boolean;
  readonly console: string;
  readonly mfa: string;
  readonly passwordLastUsed: string;
  /** Decides the unused-credentials verdict of a never-used password (issue 25 §3). */
  readonly passwordLastChanged: string;
  readonly keys: readonly MatrixKey[];
  readonly marks: readonly MatrixCell[];
}

const raw = (fact: Absent): string => RAW_VALUES[fact.reason];
const day = (iso: string): string => iso.slice(0, 10);

function yesNo(fact: Fact<boolean>): string {
  return fact.known ? (fact.value ? 'yes' : 'no') : raw(fact);
}

function mfaCell(identity: IdentityFacts): string {
  const active = identity.mfa.active;
  if (!active.known) return raw(active);
  const devices = identity.mfa.devices;
  if (!active.value) return 'no';
  if (!devices.known || devices.value.length === 0) return 'yes';
  return `yes (${[...new Set(devices.value.map((device) => device.type))].join(', ')})`;
}

function timeCell(fact: Fact<string>): string {
  return fact.known ? day(fact.value) : raw(fact);
}

/** "active, 143 d": the key's state and its age (from creation or last rotation) at the evaluation time. */
function keyState(key: AccessKeyFacts, asOf: number): string {
  const state = key.active ? 'active' : 'inactive';
  if (!key.createdAt.known) return `${state}, created ${raw(key.createdAt)}`;
  const created = Date.parse(key.createdAt.value);
  if (!Number.isFinite(created) || !Number.isFinite(asOf)) return `${state}, created ${key.createdAt.value}`;
  return `${state}, ${Math.floor((asOf - created) / MS_PER_DAY)} d`;
}

/** Two key columns: the credential report's slots 1 and 2, or the API's keys in its order. */
function keyCells(identity: IdentityFacts, asOf: number): MatrixKey[] {
  const keys = identity.accessKeys;
  if (!keys.known) return [{ state: raw(keys), created: raw(keys), id: '', lastUsed: raw(keys) }, { state: raw(keys), created: raw(keys), id: '', lastUsed: raw(keys) }];
  const slots: (AccessKeyFacts | undefined)[] = [undefined, undefined];
  const unslotted: AccessKeyFacts[] = [];
  for (const key of keys.value) {
    if (key.slot === 1 || key.slot === 2) slots[key.slot - 1] = key;
    else unslotted.push(key);
  }
  for (const key of unslotted) {
    const free = slots.indexOf(undefined);
    if (free >= 0) slots[free] = key;
  }
  return slots.map((key) =>
    key === undefined ? { state: 'none', created: '', id: '', lastUsed: '' } : { state: keyState(key, asOf), created: timeCell(key.createdAt), id: key.id.known ? key.id.value : '', lastUsed: timeCell(key.lastUsed) },
  );
}

/** Which identities a rule judges one by one: root rules root, rules over `users` every user. */
function judges(rule: RuleSummary): 'root' | 'user' | null {
  if (rule.id.startsWith('root-')) return 'root';
  if (rule.requires.some((entry) => entry.requirement === 'users')) return 'user';
  return null;
}

/** The enabled rules that judge identities (or judged one), in the catalogue's order, root rules first. */
function matrixColumns(result: AnalysisResult, identityArns: ReadonlySet<string>): { columns: MatrixColumn[]; rules: RuleSummary[] } {
  const catalogue = result.catalogue;
  if (catalogue === null) return { columns: [], rules: [] };
  const judging = new Set<string>();
  for (const entry of catalogue.results) {
    if (entry.resourceType === 'account' || judging.has(entry.ruleId)) continue;
    if (identityArns.has(ownerArn(entry.resourceArn))) judging.add(entry.ruleId);
  }
  const rules = catalogue.rules.filter((rule) => rule.enabled && (judges(rule) !== null || judging.has(rule.id)));
  const rootFirst = [...rules.filter((rule) => judges(rule) === 'root'), ...rules.filter((rule) => judges(rule) !== 'root')];
  return {
    rules: rootFirst,
    columns: rootFirst.map((rule) => ({
      ruleId: rule.id,
      label: COLUMN_LABELS[rule.id] ?? rule.id,
      title: rule.title,
      controls: rule.controls.map((control) => `${control.framework} ${control.controlId}`).join(', '),
    })),
  };
}

/** The identity a result belongs to: a key `...user/alice#access_key_1` is alice's. */
function ownerArn(arn: string): string {
  const hash = arn.indexOf('#');
  return hash < 0 ? arn : arn.slice(0, hash);
}

const EMPTY_CELL: MatrixCell = { mark: '', className: 'mark-none' };
const CELLS: Readonly<Record<RuleResultStatus, MatrixCell>> = {
  pass: { mark: MATRIX_MARKS.pass, className: 'mark-pass' },
  fail: { mark: MATRIX_MARKS.fail, className: 'mark-fail' },
  excepted: { mark: MATRIX_MARKS.excepted, className: 'mark-excepted' },
  not_evaluated: { mark: MATRIX_MARKS.not_evaluated, className: 'mark-not-evaluated' },
  error: { mark: MATRIX_MARKS.error, className: 'mark-error' },
  not_applicable: { mark: MATRIX_MARKS.not_applicable, className: 'mark-na' },
};

/**
 * Every identity's worst verdict per column, from one pass over the results. A rule that could
 * not run at all (data missing account-wide) has one result on the account: it stands for every
 * identity the rule judges (root for a root rule, every user for a user rule).
 */
function verdictMarks(result: AnalysisResult, identities: readonly IdentityFacts[], rules: readonly RuleSummary[]): Map<string, Uint8Array> {
  const column = new Map(rules.map((rule, index) => [rule.id, index]));
  const marks = new Map<string, Uint8Array>();
  for (const identity of identities) marks.set(identity.arn, new Uint8Array(rules.length));
  const accountWide = new Uint8Array(rules.length);
  for (const entry of result.catalogue?.results ?? []) {
    const index = column.get(entry.ruleId);
    if (index === undefined) continue;
    const severity = SEVERITY_OF_STATUS[entry.status];
    // An account-wide result carries the root ARN too: it is the rule's, not root's.
    if (entry.resourceType === 'account') {
      accountWide[index] = Math.max(accountWide[index] ?? 0, severity);
      continue;
    }
    const row = marks.get(ownerArn(entry.resourceArn));
    if (row !== undefined) row[index] = Math.max(row[index] ?? 0, severity);
  }
  rules.forEach((rule, index) => {
    const severity = accountWide[index] ?? 0;
    if (severity === 0) return;
    const kind = judges(rule);
    for (const identity of identities) {
      const row = marks.get(identity.arn);
      if (row !== undefined && identity.kind === kind) row[index] = Math.max(row[index] ?? 0, severity);
    }
  });
  return marks;
}

function toCell(severity: number | undefined): MatrixCell {
  const status = STATUS_BY_SEVERITY[severity ?? 0] ?? null;
  return status === null ? EMPTY_CELL : CELLS[status];
}

/**
 * The appendix part: root's row in a table of its own with the root rules' columns, then one row
 * per IAM user with the user rules' columns (root's four columns would be blank on every user row).
 */
export function identityMatrixPart(result: AnalysisResult): ReportPart {
  const identities = result.identities;
  const { columns, rules } = matrixColumns(result, new Set(identities.map((identity) => identity.arn)));
  const marks = verdictMarks(result, identities, rules);
  const asOf = Date.parse(result.run.asOf);
  const root = identities.find((identity) => identity.kind === 'root') ?? null;
  const rootMarks = root === null ? null : marks.get(root.arn);
  const rootColumns = rules.flatMap((rule, index) => (judges(rule) === 'root' || (rootMarks?.[index] ?? 0) > 0 ? [index] : []));
  const userColumns = rules.flatMap((rule, index) => (judges(rule) === 'root' ? [] : [index]));
  const row = (identity: IdentityFacts, shown: readonly number[]): MatrixRow => {
    const verdicts = marks.get(identity.arn);
    return {
      name: identity.name,
      root: identity.kind === 'root',
      console: yesNo(identity.password.enabled),
      mfa: mfaCell(identity),
      passwordLastUsed: timeCell(identity.password.lastUsed),
      passwordLastChanged: timeCell(identity.password.lastChanged),
      keys: keyCells(identity, asOf),
      marks: shown.map((index) => toCell(verdicts?.[index])),
    };
  };
  const users = identities.filter((identity) => identity.kind === 'user');
  return {
    partial: 'identity-matrix',
    anchor: 'identities',
    title: 'Appendix: every identity tested',
    level: 1,
    landscape: true,
    context: {
      count: identities.length,
      population: `${root === null ? '' : 'the root user and '}${users.length.toLocaleString('en')} IAM user${users.length === 1 ? '' : 's'}`,
      evaluatedAt: result.run.asOf,
      columns,
      rootRow: root === null ? null : row(root, rootColumns),
      rootColumns: rootColumns.map((index) => columns[index]),
      userColumns: userColumns.map((index) => columns[index]),
      legend: MATRIX_LEGEND,
      rawValues: RAW_VALUE_LEGEND,
    },
    rows: users.map((identity) => row(identity, userColumns)),
  };
}

/** Rows a failed-rule or MFA table prints in the PDF before it points to the appendix. */
export const PRINTED_LIST_ROWS = 50;

/**
 * The PDF keeps its per-resource listings short: a failed rule's table and the MFA table print
 * their first rows (failures first) and say where the rest is: every identity's row in the
 * appendix matrix, every result with its evidence in the findings CSV and JSON attached to the
 * PDF. The HTML report keeps every row.
 */
/** The per-resource listings the PDF shortens; the attached findings CSV/JSON carry every row. */
const SHORTENED_IN_PRINT: ReadonlySet<string> = new Set(['failed-rule', 'mfa-table', 'remediation-plan']);

export function compactForPrint(parts: readonly ReportPart[], medium: ReportMedium, limit = PRINTED_LIST_ROWS): ReportPart[] {
  if (medium !== 'pdf') return [...parts];
  return parts.map((part) => {
    const rows = part.rows;
    if (!SHORTENED_IN_PRINT.has(part.partial) || rows === null || rows.length <= limit) return part;
    return { ...part, rows: rows.slice(0, limit), context: { ...part.context, shortened: { shown: limit, total: rows.length.toLocaleString('en') } } };
  });
}
