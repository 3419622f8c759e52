/**
 * The organisation report in CSV, JSON and HTML, from the roll-up alone (analyze/org-rollup.ts).
 * The HTML is one self-contained page (no scripts, no external resources) that prints as is.
 */
import type { OrgRollup } from '../analyze/org-rollup.js';
import { toCsv } from './csv-safety.js';

const percent = (value: number | null): string => (value === null ? 'n/a' : `${(value * 100).toFixed(1)}%`);
const cell = (value: number | null | undefined): string => (value === null || value === undefined ? '' : String(value));

export function renderOrgJson(rollup: OrgRollup): string {
  return `${JSON.stringify(rollup, null, 2)}\n`;
}

/** One row per account: status, rates, failures by severity, failing controls, what was not evaluated. */
export function renderOrgAccountsCsv(rollup: OrgRollup): string {
  const header = [
    'account_id',
    'account_name',
    'status',
    'users',
    'rule_pass_rate',
    'console_mfa_rate',
    'control_pass_rate',
    'failed',
    'failed_critical',
    'failed_high',
    'failed_medium',
    'failed_low',
    'not_evaluated',
    'errors',
    'failing_controls',
    'not_evaluated_reasons',
    'incomplete_lists',
    'collection_errors',
    'problems',
    'snapshot',
  ];
  const rows = rollup.accounts.map((account) => [
    account.id,
    account.name,
    account.status,
    cell(account.users),
    account.passRate === null ? '' : account.passRate.toFixed(4),
    account.mfaRate === null ? '' : account.mfaRate.toFixed(4),
    account.controlPassRate === null ? '' : account.controlPassRate.toFixed(4),
    cell(account.results?.fail),
    cell(account.failedBySeverity?.critical),
    cell(account.failedBySeverity?.high),
    cell(account.failedBySeverity?.medium),
    cell(account.failedBySeverity?.low),
    cell(account.results?.notEvaluated),
    cell(account.results?.error),
    (account.controls?.failing ?? []).join(' '),
    (account.notEvaluated?.byReason ?? []).map((item) => `${item.reason} (x${item.count})`).join('; '),
    (account.notEvaluated?.incompletePopulations ?? []).join('; '),
    cell(account.notEvaluated?.collectionErrors),
    account.errors.join('; '),
    account.snapshot ?? '',
  ]);
  return toCsv(header, rows);
}

/** One row per control of the report framework: in how many accounts it fails, passes, is not evaluated. */
export function renderOrgControlsCsv(rollup: OrgRollup): string {
  return toCsv(
    ['framework', 'control_id', 'title', 'failing_accounts', 'passing_accounts', 'not_evaluated_accounts', 'failing_in'],
    rollup.controls.map((control) => [rollup.framework.id, control.controlId, control.title, String(control.failingAccounts), String(control.passingAccounts), String(control.notEvaluatedAccounts), control.failingIn.join(' ')]),
  );
}

export function renderOrgIdentitiesCsv(rollup: OrgRollup): string {
  return toCsv(
    ['rank', 'account_id', 'identity', 'arn', 'failed', 'score', 'worst_severity', 'rules'],
    rollup.worstIdentities.map((identity, position) => [String(position + 1), identity.accountId, identity.name, identity.arn, String(identity.failed), String(identity.score), identity.worstSeverity, identity.ruleIds.join(' ')]),
  );
}

const escapeHtml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

function table(header: readonly string[], rows: readonly (readonly string[])[], empty: string): string {
  if (rows.length === 0) return `<p class="empty">${escapeHtml(empty)}</p>`;
  return `<table><thead><tr>${header.map((name) => `<th>${escapeHtml(name)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((row) => `<tr>${row.map((value) => `<td>${escapeHtml(value)}</td>`).join('')}</tr>`)
    .join('\n')}</tbody></table>`;
}

const STYLE = `body{font-family:"IBM Plex Sans",Arial,sans-serif;font-size:10pt;color:#1a1a1a;margin:2em}h1{font-size:18pt}h2{font-size:13pt;margin-top:1.6em;border-bottom:1px solid #999}
table{border-collapse:collapse;width:100%;margin:.5em 0}th,td{border:1px solid #bbb;padding:3px 5px;text-align:left;vertical-align:top}th{background:#eee}
.status-failed{color:#a00;font-weight:bold}.status-partial{color:#a60}.empty{font-style:italic}dl{display:grid;grid-template-columns:max-content auto;gap:2px 12px}dt{font-weight:bold}
@media print{body{margin:0}tr{break-inside:avoid}}`;

/** The method's line for an index merged with --allow-changed-org: which accounts are missing or extra (issue 24). */
function changedOrgLine(rollup: OrgRollup): string {
  const changed = rollup.changedOrg;
  if (changed === null) return '';
  const ids = (list: readonly string[]): string => (list.length === 0 ? 'none' : list.join(', '));
  return `<dt>Accounts missing/extra</dt><dd>merged from shards cut from different account lists: missing (collected by no shard, not in this report) ${escapeHtml(ids(changed.missing))}; extra (not listed by every shard) ${escapeHtml(ids(changed.extra))}; collected twice (the later kept) ${escapeHtml(ids(changed.duplicates))}</dd>`;
}

// One piece: the page's HTML from top to bottom, each section beside the next as it prints.
export function renderOrgHtml(rollup: OrgRollup, branding: { readonly orgName: string | null }): string {
  const { totals } = rollup;
  const title = `IAM audit of organisation ${rollup.organizationId}${branding.orgName === null ? '' : ` (${branding.orgName})`}`;
  const accountRows = rollup.accounts.map((account) => [
    account.id,
    account.name,
    account.status,
    cell(account.users),
    percent(account.passRate),
    percent(account.mfaRate),
    percent(account.controlPassRate),
    cell(account.results?.fail),
    (account.controls?.failing ?? []).join(', '),
    account.errors.join('; '),
  ]);
  const notEvaluatedRows = rollup.accounts
    .filter((account) => account.status === 'failed' || (account.results?.notEvaluated ?? 0) + (account.results?.error ?? 0) > 0 || (account.notEvaluated?.incompletePopulations.length ?? 0) > 0)
    .map((account) => [
      account.id,
      account.status === 'failed' ? 'everything (no snapshot)' : `${account.results?.notEvaluated ?? 0} not evaluated, ${account.results?.error ?? 0} errors`,
      (account.notEvaluated?.byReason ?? []).map((item) => `${item.reason} (x${item.count})`).join('; '),
      (account.notEvaluated?.incompletePopulations ?? []).join('; '),
      account.status === 'failed' ? account.errors.join('; ') : String(account.notEvaluated?.collectionErrors ?? 0),
    ]);
  const body = [
    `<h1>${escapeHtml(title)}</h1>`,
    `<dl><dt>Organisation</dt><dd>${escapeHtml(rollup.organizationId)}${rollup.managementAccountId === null ? '' : `, management account ${escapeHtml(rollup.managementAccountId)}`}</dd>`,
    `<dt>Collected</dt><dd>${escapeHtml(rollup.source.collectedFrom)} to ${escapeHtml(rollup.source.collectedTo)} (${escapeHtml(rollup.source.path)}${rollup.source.sha256 === null ? '' : `, SHA-256 ${escapeHtml(rollup.source.sha256)}`})</dd>`,
    `<dt>Report</dt><dd>${escapeHtml(rollup.generatedAt)}, ${escapeHtml(rollup.tool.name)} ${escapeHtml(rollup.tool.version)}, controls of ${escapeHtml(rollup.framework.name)}</dd>${changedOrgLine(rollup)}</dl>`,
    '<h2>Totals</h2>',
    table(
      ['Accounts', 'Complete', 'Partial', 'Failed', 'Skipped (not active)', 'Users', 'Rule pass rate', 'Failed results', 'Critical', 'High', 'Medium', 'Low', 'Accounts failing a control'],
      [
        [
          String(totals.accounts),
          String(totals.complete),
          String(totals.partial),
          String(totals.failed),
          String(totals.skipped),
          String(totals.users),
          percent(totals.passRate),
          String(totals.results.fail),
          String(totals.failedBySeverity.critical),
          String(totals.failedBySeverity.high),
          String(totals.failedBySeverity.medium),
          String(totals.failedBySeverity.low),
          String(totals.accountsFailingControls),
        ],
      ],
      '',
    ),
    '<h2>Worst accounts</h2>',
    table(
      ['Account', 'Name', 'Score (severity-weighted failures)', 'Failed results'],
      rollup.worstAccounts.map((account) => [account.id, account.name, String(account.score), String(account.failed)]),
      'No account has a failed result.',
    ),
    '<h2>Worst identities</h2>',
    table(
      ['Account', 'Identity', 'Failed', 'Worst severity', 'Rules'],
      rollup.worstIdentities.map((identity) => [identity.accountId, identity.name, String(identity.failed), identity.worstSeverity, identity.ruleIds.join(', ')]),
      'No identity has a failed result.',
    ),
    `<h2>Controls (${escapeHtml(rollup.framework.name)}): accounts failing each</h2>`,
    table(
      ['Control', 'Title', 'Failing', 'Passing', 'Not evaluated', 'Failing in'],
      rollup.controls.map((control) => [control.controlId, control.title, String(control.failingAccounts), String(control.passingAccounts), String(control.notEvaluatedAccounts), control.failingIn.join(', ')]),
      'No control results.',
    ),
    '<h2>Accounts</h2>',
    table(['Account', 'Name', 'Status', 'Users', 'Rule pass rate', 'Console MFA rate', 'Control pass rate', 'Failed', 'Failing controls', 'Problems'], accountRows, 'No accounts.'),
    '<h2>Not evaluated</h2>',
    '<p>Missing data is never a pass: what could not be judged in each account, and why.</p>',
    table(['Account', 'Not evaluated', 'Reasons', 'Incomplete lists', 'Collection errors'], notEvaluatedRows, 'Every result of every account was evaluated.'),
    '<h2>Skipped accounts</h2>',
    table(
      ['Account', 'Name', 'State'],
      rollup.skipped.map((entry) => [entry.id, entry.name, entry.state]),
      'No account was skipped.',
    ),
  ];
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>\n${body.join('\n')}\n</body></html>\n`;
}
