/**
 * The change report's renderers (`iam-audit diff`): console summary, CSV (one row per change),
 * JSON, and the parts of the printable HTML/PDF, which uses the main report's layout and styles.
 * They read only the ChangeReport (src/analyze/compare.ts).
 */
import type { ChangeReport, FindingChange, KeyChange, Rate } from '../analyze/compare.js';
import { toCsv } from './csv-safety.js';
import type { ReportPart } from './report-model.js';
import type { PrintableDocumentInfo } from './html.js';

export const CHANGE_REPORT_FORMAT_VERSION = 1 as const;

const CONSOLE_LINES_PER_KIND = 10;

export function formatRate(rate: number | null): string {
  return rate === null ? 'n/a' : `${(rate * 100).toFixed(1)}%`;
}

function describeRate(rate: Rate): string {
  const delta = rate.before !== null && rate.after !== null ? ` (${rate.after >= rate.before ? '+' : ''}${((rate.after - rate.before) * 100).toFixed(1)} points)` : '';
  return `${formatRate(rate.before)} -> ${formatRate(rate.after)}${delta}`;
}

function describeSide(side: ChangeReport['old']): string {
  return `${side.fileName} (${side.kind === 'snapshot' ? 'snapshot' : 'report JSON'}, captured ${side.capturedAt})`;
}

function keyText(change: KeyChange): string {
  const before = change.before === null ? '' : `${change.before.label}${change.before.createdAt === null ? '' : ` created ${change.before.createdAt}`}`;
  const after = change.after === null ? '' : `${change.after.label}${change.after.createdAt === null ? '' : ` created ${change.after.createdAt}`}`;
  return before !== '' && after !== '' && before !== after ? `${before} -> ${after}` : before || after;
}

function findingLine(change: FindingChange): string {
  return `${change.ruleId}  ${change.resourceName}  [${change.severity}]  ${change.before ?? 'absent'} -> ${change.after ?? 'absent'}`;
}

function listed<T>(lines: string[], title: string, items: readonly T[], line: (item: T) => string): void {
  if (items.length === 0) return;
  lines.push(`${title}: ${items.length}`);
  for (const item of items.slice(0, CONSOLE_LINES_PER_KIND)) lines.push(`  ${line(item)}`);
  if (items.length > CONSOLE_LINES_PER_KIND) lines.push(`  ... and ${items.length - CONSOLE_LINES_PER_KIND} more (all in --format csv/json/html/pdf)`);
}

/** The console summary: every change kind with its count and first lines; "No change" when none. */
export function renderChangeSummary(report: ChangeReport): string {
  const lines: string[] = [];
  const days = (Date.parse(report.new.capturedAt) - Date.parse(report.old.capturedAt)) / 86_400_000;
  lines.push(`OLD: ${describeSide(report.old)}`);
  lines.push(`NEW: ${describeSide(report.new)}`);
  lines.push(`Account ${report.new.account.id}${report.sameAccount ? '' : ` (OLD: ${report.old.account.id})`}; ${days.toFixed(1)} days between the captures${report.reversed ? ' (reversed: NEW is older)' : ''}`);
  for (const warning of report.warnings) lines.push(`Note: ${warning}`);
  lines.push('');
  if (!report.changed) lines.push('No change between OLD and NEW.');
  const c = report.counts;
  lines.push(
    `Findings: ${c.newly_failing} newly failing, ${c.resolved} resolved, ${c.still_failing} still failing, ${c.newly_excepted} newly excepted, ${c.exception_expired} exception(s) expired`,
  );
  listed(lines, 'Newly failing', report.findings.newlyFailing, findingLine);
  listed(lines, 'Resolved', report.findings.resolved, findingLine);
  listed(lines, `Still failing (failing since at least ${report.old.capturedAt})`, report.findings.stillFailing, (change) => `${change.ruleId}  ${change.resourceName}  [${change.severity}]`);
  listed(lines, 'Newly excepted', report.findings.newlyExcepted, (change) => `${change.ruleId}  ${change.resourceName}  (until ${change.exceptionExpires ?? '?'})`);
  listed(lines, 'Exceptions expired', report.findings.exceptionsEnded.filter((change) => change.expired), (change) => `${change.ruleId}  ${change.resourceName}  (expired ${change.exceptionExpires ?? '?'}; now ${change.after ?? 'absent'})`);
  listed(lines, 'Exceptions ended otherwise', report.findings.exceptionsEnded.filter((change) => !change.expired), (change) => `${change.ruleId}  ${change.resourceName}  (now ${change.after ?? 'absent'})`);
  const moved = report.controls.filter((row) => row.before !== row.after);
  lines.push(`Controls: ${moved.length} changed status`);
  for (const row of moved.slice(0, CONSOLE_LINES_PER_KIND * 2)) lines.push(`  ${row.framework} ${row.controlId}  ${row.before ?? 'absent'} -> ${row.after ?? 'absent'}  ${row.title}`);
  if (moved.length > CONSOLE_LINES_PER_KIND * 2) lines.push(`  ... and ${moved.length - CONSOLE_LINES_PER_KIND * 2} more`);
  const ids = report.identities;
  if (ids.note !== null) lines.push(`Identities: not compared (${ids.note})`);
  else {
    lines.push(`Identities: ${c.identity_added} added, ${c.identity_removed} removed; MFA turned on for ${c.mfa_enabled}, off for ${c.mfa_disabled}; console access on for ${c.console_enabled}, off for ${c.console_disabled}`);
    listed(lines, 'Added', ids.added, (item) => `${item.name}  ${item.arn}`);
    listed(lines, 'Removed', ids.removed, (item) => `${item.name}  ${item.arn}`);
    listed(lines, 'MFA turned on', ids.mfaEnabled, (item) => item.name);
    listed(lines, 'MFA turned off', ids.mfaDisabled, (item) => item.name);
    listed(lines, 'Console access turned on', ids.consoleEnabled, (item) => item.name);
    listed(lines, 'Console access turned off', ids.consoleDisabled, (item) => item.name);
  }
  const keys = report.keys;
  if (keys.note !== null && ids.note !== null) lines.push(`Access keys: not compared (${keys.note})`);
  else {
    lines.push(`Access keys: ${c.key_created} created, ${c.key_rotated} rotated, ${c.key_deactivated} deactivated, ${c.key_activated} reactivated, ${c.key_deleted} deleted${keys.note === null ? '' : ` (${keys.note})`}`);
    for (const [title, list] of [['Created', keys.created], ['Rotated', keys.rotated], ['Deactivated', keys.deactivated], ['Reactivated', keys.activated], ['Deleted', keys.deleted]] as const) {
      listed(lines, title, list, (change) => `${change.user}  ${keyText(change)}`);
    }
  }
  const policy = report.passwordPolicy;
  if (policy.note !== null) lines.push(`Password policy: not compared (${policy.note})`);
  else if (policy.changes.length === 0) lines.push(`Password policy: unchanged (${policy.after})`);
  else {
    lines.push(`Password policy: ${policy.changes.length} setting(s) changed`);
    for (const change of policy.changes) lines.push(`  ${change.setting}: ${change.before} -> ${change.after}`);
  }
  lines.push(`Compliance: MFA ${describeRate(report.rates.mfa)}; console users with MFA ${describeRate(report.rates.consoleMfa)}`);
  for (const framework of report.rates.frameworks) lines.push(`  ${framework.name}: automated controls passing ${describeRate(framework.passRate)}`);
  return `${lines.join('\n')}\n`;
}

export const CHANGES_CSV_HEADER = [
  'change',
  'framework',
  'control_id',
  'rule_id',
  'severity',
  'finding_id',
  'resource_type',
  'resource_name',
  'resource_arn',
  'before',
  'after',
  'first_seen',
  'detail',
] as const;

type Row = Record<(typeof CHANGES_CSV_HEADER)[number], string>;
const EMPTY: Row = Object.fromEntries(CHANGES_CSV_HEADER.map((column) => [column, ''])) as Row;

function findingRow(kind: string, change: FindingChange, detail = ''): Row {
  return {
    ...EMPTY,
    change: kind,
    rule_id: change.ruleId,
    severity: change.severity,
    finding_id: change.findingId,
    resource_type: change.resourceType,
    resource_name: change.resourceName,
    resource_arn: change.resourceArn,
    before: change.before ?? 'absent',
    after: change.after ?? 'absent',
    first_seen: change.firstSeen ?? '',
    detail,
  };
}

function keyRow(kind: string, change: KeyChange): Row {
  return {
    ...EMPTY,
    change: kind,
    resource_type: 'access-key',
    resource_name: change.user,
    resource_arn: change.userArn,
    before: change.before === null ? 'absent' : `${change.before.label} ${change.before.active ? 'active' : 'inactive'}${change.before.createdAt === null ? '' : ` created ${change.before.createdAt}`}`,
    after: change.after === null ? 'absent' : `${change.after.label} ${change.after.active ? 'active' : 'inactive'}${change.after.createdAt === null ? '' : ` created ${change.after.createdAt}`}`,
  };
}

/** Every change as one row, kinds in a fixed order; still-failing findings and rates included. */
export function changeRows(report: ChangeReport): Row[] {
  const rows: Row[] = [];
  for (const change of report.findings.newlyFailing) rows.push(findingRow('newly_failing', change));
  for (const change of report.findings.resolved) rows.push(findingRow('resolved', change));
  for (const change of report.findings.stillFailing) rows.push(findingRow('still_failing', change, `failing in both; first seen at OLD's capture, ${change.failingDays ?? '?'} days before NEW`));
  for (const change of report.findings.newlyExcepted) rows.push(findingRow('newly_excepted', change, `exception until ${change.exceptionExpires ?? '?'}`));
  for (const change of report.findings.exceptionsEnded) rows.push(findingRow(change.expired ? 'exception_expired' : 'exception_ended', change, `exception until ${change.exceptionExpires ?? '?'}`));
  for (const row of report.controls.filter((entry) => entry.before !== entry.after)) {
    rows.push({ ...EMPTY, change: 'control_status_changed', framework: row.framework, control_id: row.controlId, before: row.before ?? 'absent', after: row.after ?? 'absent', detail: row.title });
  }
  const identity = (kind: string, list: readonly { name: string; arn: string }[], before: string, after: string): void => {
    for (const item of list) rows.push({ ...EMPTY, change: kind, resource_type: item.name === '<root_account>' ? 'root' : 'user', resource_name: item.name, resource_arn: item.arn, before, after });
  };
  identity('identity_added', report.identities.added, 'absent', 'present');
  identity('identity_removed', report.identities.removed, 'present', 'absent');
  identity('mfa_enabled', report.identities.mfaEnabled, 'false', 'true');
  identity('mfa_disabled', report.identities.mfaDisabled, 'true', 'false');
  identity('console_enabled', report.identities.consoleEnabled, 'false', 'true');
  identity('console_disabled', report.identities.consoleDisabled, 'true', 'false');
  for (const change of report.keys.created) rows.push(keyRow('key_created', change));
  for (const change of report.keys.rotated) rows.push(keyRow('key_rotated', change));
  for (const change of report.keys.deactivated) rows.push(keyRow('key_deactivated', change));
  for (const change of report.keys.activated) rows.push(keyRow('key_activated', change));
  for (const change of report.keys.deleted) rows.push(keyRow('key_deleted', change));
  for (const change of report.passwordPolicy.changes) rows.push({ ...EMPTY, change: 'password_policy_changed', resource_type: 'account', resource_name: change.setting, before: change.before, after: change.after, detail: 'password policy setting' });
  const rate = (name: string, value: Rate, framework = ''): void => {
    rows.push({ ...EMPTY, change: 'compliance_rate', framework, before: formatRate(value.before), after: formatRate(value.after), detail: name });
  };
  rate('MFA compliance rate (compliant users / all users)', report.rates.mfa);
  rate('MFA compliance rate among console users', report.rates.consoleMfa);
  for (const framework of report.rates.frameworks) rate(`${framework.name}: automated controls passing`, framework.passRate, framework.framework);
  return rows;
}

export function renderChangesCsv(report: ChangeReport): string {
  return toCsv(CHANGES_CSV_HEADER, changeRows(report).map((row) => CHANGES_CSV_HEADER.map((column) => row[column])));
}

const snake = (key: string): string => key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/** Object keys in snake case, like the report JSON. */
function snakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeKeys);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([key, entry]) => [snake(key), snakeKeys(entry)]));
  return value;
}

export function buildChangesJson(report: ChangeReport, tool: { name: string; version: string }, generatedAt: string): Record<string, unknown> {
  return {
    format: 'iam-audit-changes',
    format_version: CHANGE_REPORT_FORMAT_VERSION,
    tool,
    generated_at: generatedAt,
    ...(snakeKeys(report) as Record<string, unknown>),
  };
}

export function renderChangesJson(report: ChangeReport, tool: { name: string; version: string }, generatedAt: string): string {
  return `${JSON.stringify(buildChangesJson(report, tool, generatedAt), null, 2)}\n`;
}

/** The printable change report's parts, for the main report's layout (templates/partials/changes-*.hbs). */
export function buildChangeReportModel(
  report: ChangeReport,
  tool: { name: string; version: string },
  generatedAt: string,
  medium: 'html' | 'pdf',
): { document: PrintableDocumentInfo; parts: ReportPart[] } {
  const account = report.new.account;
  const label = account.alias === null ? account.id : `${account.id} (${account.alias})`;
  const rateRows = [
    { name: 'MFA compliance rate (all users)', before: formatRate(report.rates.mfa.before), after: formatRate(report.rates.mfa.after) },
    { name: 'MFA among console users', before: formatRate(report.rates.consoleMfa.before), after: formatRate(report.rates.consoleMfa.after) },
    ...report.rates.frameworks.map((framework) => ({ name: `${framework.name}: automated controls passing`, before: formatRate(framework.passRate.before), after: formatRate(framework.passRate.after) })),
  ];
  const summary = [
    { label: 'Newly failing', value: report.counts.newly_failing },
    { label: 'Resolved', value: report.counts.resolved },
    { label: 'Still failing', value: report.counts.still_failing },
    { label: 'Newly excepted', value: report.counts.newly_excepted },
    { label: 'Exceptions expired', value: report.counts.exception_expired },
    { label: 'Controls changed status', value: report.counts.control_status_changed },
    { label: 'Identities added / removed', value: `${report.counts.identity_added} / ${report.counts.identity_removed}` },
    { label: 'MFA turned on / off', value: `${report.counts.mfa_enabled} / ${report.counts.mfa_disabled}` },
    { label: 'Keys created / rotated / deleted', value: `${report.counts.key_created} / ${report.counts.key_rotated} / ${report.counts.key_deleted}` },
    { label: 'Keys deactivated / reactivated', value: `${report.counts.key_deactivated} / ${report.counts.key_activated}` },
    { label: 'Password policy settings changed', value: report.counts.password_policy_changed },
  ];
  // Newly failing rows carry what the person who must fix them needs: the rule's title, the evidence and the fix.
  const newlyFailing = new Map(report.findings.newlyFailing.map((change) => [change.findingId, change]));
  const findingTable = (kind: string): Record<string, string | null>[] =>
    changeRows(report)
      .filter((row) => row.change === kind)
      .map((row) => {
        const change = kind === 'newly_failing' ? newlyFailing.get(row.finding_id) : undefined;
        return change === undefined ? { ...row } : { ...row, rule_title: change.ruleTitle, evidence: change.evidence ?? null, fix: change.fix ?? null };
      });
  const part = (partial: string, anchor: string, title: string, context: Record<string, unknown>, rows: readonly unknown[] | null = null, level: 1 | 2 = 1): ReportPart => ({ partial, anchor, title, level, context, rows });
  const parts: ReportPart[] = [
    part('changes-cover', 'cover', 'Cover', { report, tool, generatedAt, label, changed: report.changed }),
    part('changes-summary', 'summary', 'Summary of changes', { summary, rates: rateRows, warnings: report.warnings, changed: report.changed }),
    part('changes-controls', 'controls', 'Controls and rules', { controls: report.controls, rules: report.rules }),
  ];
  const tables: [string, string, string][] = [
    ['newly_failing', 'newly-failing', 'Newly failing'],
    ['resolved', 'resolved', 'Resolved'],
    ['newly_excepted', 'newly-excepted', 'Newly excepted'],
    ['exception_expired', 'exceptions-expired', 'Exceptions expired'],
    ['still_failing', 'still-failing', `Still failing (first seen at OLD's capture, ${report.old.capturedAt})`],
  ];
  for (const [kind, anchor, title] of tables) {
    const rows = findingTable(kind);
    if (rows.length > 0) parts.push(part('changes-findings', anchor, title, {}, rows));
  }
  const identityRows = changeRows(report).filter((row) => /^(identity|mfa|console|key|password)_/.test(row.change));
  parts.push(
    part('changes-identities', 'identities', 'Identities, MFA, access keys and password policy', { notes: [report.identities.note, report.keys.note, report.passwordPolicy.note].filter((note) => note !== null) }, identityRows),
  );
  return {
    document: {
      title: `AWS IAM changes ${report.old.capturedAt} to ${report.new.capturedAt}`,
      subject: `Changes in account ${label} between two captures`,
      keywords: ['AWS', 'IAM', 'audit', 'changes', account.id],
      author: tool.name,
      creator: `${tool.name} ${tool.version}`,
      medium,
      reportTime: generatedAt,
      footerLines: [`Changes in account ${label}`, `OLD captured ${report.old.capturedAt} · NEW captured ${report.new.capturedAt} · generated ${generatedAt}`],
    },
    parts,
  };
}
