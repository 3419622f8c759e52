/**
 * The organisation report in CSV, JSON and HTML, from the roll-up alone (analyze/org-rollup.ts).
 * The HTML is one self-contained page (no scripts, no external resources) that prints as is.
 */
import { displayName, type OrgAccountRow, type OrgIdentityRow, type OrgRollup } from '../analyze/org-rollup.js';
import { toCsv } from './csv-safety.js';

const percent = (value: number | null): string => (value === null ? 'n/a' : `${(value * 100).toFixed(1)}%`);
const cell = (value: number | null | undefined): string => (value === null || value === undefined ? '' : String(value));
const fraction = (value: number | null): string => (value === null ? '' : value.toFixed(4));

/** A rate with what it could not count beside it: "50.0% (1 of 2 unknown)"; the unknowns are in the denominator as not passed. */
export function rateWithUnknowns(value: number | null, unknown: number, denominator: number): string {
  return unknown === 0 ? percent(value) : `${percent(value)} (${unknown} of ${denominator} unknown)`;
}

/** "222222222222 Prod": the id with the account's name (or alias) wherever an account is listed. */
export function accountLabels(rollup: OrgRollup): (id: string) => string {
  const names = new Map<string, string>();
  for (const entry of rollup.skipped) names.set(entry.id, entry.name);
  for (const account of rollup.accounts) names.set(account.id, displayName(account.name, account.alias));
  return (id) => {
    const name = names.get(id) ?? '';
    return name === '' ? id : `${id} ${name}`;
  };
}

const ruleRate = (account: OrgAccountRow): string => {
  const results = account.results;
  if (results === null) return percent(null);
  const unknown = results.notEvaluated + results.error;
  return rateWithUnknowns(account.passRate, unknown, results.pass + results.fail + unknown);
};
const mfaRate = (account: OrgAccountRow): string => (account.mfa === null ? percent(null) : rateWithUnknowns(account.mfaRate, account.mfa.unknown, account.mfa.judged + account.mfa.unknown));
const controlRate = (account: OrgAccountRow): string => {
  const controls = account.controls;
  if (controls === null) return percent(null);
  return rateWithUnknowns(account.controlPassRate, controls.notEvaluated, controls.pass + controls.failing.length + controls.notEvaluated);
};

/** An identity as listed: a root user says whose, and which further accounts' roots fail the same way. */
function identityCells(identity: OrgIdentityRow, label: (id: string) => string): { account: string; name: string } {
  const isRoot = /:root$/.test(identity.arn);
  const accounts = [identity.accountId, ...identity.alsoIn.map((other) => other.id)].map(label);
  if (!isRoot) return { account: accounts.join(', '), name: identity.name };
  const name = identity.alsoIn.length === 0 ? `root user of ${label(identity.accountId)}` : `root user (the same failures in ${accounts.length} accounts)`;
  return { account: accounts.join(', '), name };
}

export function renderOrgJson(rollup: OrgRollup): string {
  return `${JSON.stringify(rollup, null, 2)}\n`;
}

/** One row per account: status, rates, failures by severity, failing controls, what was not evaluated. */
export function renderOrgAccountsCsv(rollup: OrgRollup): string {
  const header = [
    'account_id',
    'account_name',
    'account_alias',
    'status',
    'users',
    'rule_pass_rate',
    'rule_results_unknown',
    'console_mfa_rate',
    'console_mfa_proven',
    'console_users_judged',
    'console_mfa_unknown',
    'control_pass_rate',
    'control_failure_rate',
    'controls_not_evaluated',
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
    account.alias ?? '',
    account.status,
    cell(account.users),
    fraction(account.passRate),
    account.results === null ? '' : String(account.results.notEvaluated + account.results.error),
    fraction(account.mfaRate),
    cell(account.mfa?.proven),
    cell(account.mfa?.judged),
    cell(account.mfa?.unknown),
    fraction(account.controlPassRate),
    fraction(account.controlFailureRate),
    cell(account.controls?.notEvaluated),
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

/** One row per control of the report framework: in how many accounts it fails, passes, could not be judged. */
export function renderOrgControlsCsv(rollup: OrgRollup): string {
  const label = accountLabels(rollup);
  return toCsv(
    ['framework', 'control_id', 'title', 'failing_accounts', 'accounts_with_data', 'passing_accounts', 'no_data_accounts', 'not_evaluated_accounts', 'not_collected_accounts', 'manual_accounts', 'failing_in'],
    rollup.controls.map((control) => [
      rollup.framework.id,
      control.controlId,
      control.title,
      String(control.failingAccounts),
      String(control.accountsWithData),
      String(control.passingAccounts),
      String(control.noDataAccounts),
      String(control.notEvaluatedAccounts),
      String(control.notCollectedAccounts),
      String(control.manualAccounts),
      control.failingIn.map(label).join('; '),
    ]),
  );
}

export function renderOrgIdentitiesCsv(rollup: OrgRollup): string {
  const label = accountLabels(rollup);
  return toCsv(
    ['rank', 'account_id', 'account_name', 'identity', 'arn', 'failed', 'score', 'worst_severity', 'rules', 'same_failures_in'],
    rollup.worstIdentities.map((identity, position) => [
      String(position + 1),
      identity.accountId,
      identity.accountName,
      identityCells(identity, label).name,
      identity.arn,
      String(identity.failed),
      String(identity.score),
      identity.worstSeverity,
      identity.ruleIds.join(' '),
      identity.alsoIn.map((other) => label(other.id)).join('; '),
    ]),
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
  const label = accountLabels(rollup);
  const title = `IAM audit of organisation ${rollup.organizationId}${branding.orgName === null ? '' : ` (${branding.orgName})`}`;
  const accountRows = rollup.accounts.map((account) => [
    label(account.id),
    account.status,
    cell(account.users),
    ruleRate(account),
    mfaRate(account),
    controlRate(account),
    cell(account.results?.fail),
    (account.controls?.failing ?? []).join(', '),
    account.errors.join('; '),
  ]);
  const notEvaluatedRows = rollup.accounts
    .filter((account) => account.status === 'failed' || (account.results?.notEvaluated ?? 0) + (account.results?.error ?? 0) > 0 || (account.notEvaluated?.incompletePopulations.length ?? 0) > 0)
    .map((account) => [
      label(account.id),
      account.status === 'failed' ? 'everything (no snapshot)' : `${account.results?.notEvaluated ?? 0} not evaluated, ${account.results?.error ?? 0} errors`,
      (account.notEvaluated?.byReason ?? []).map((item) => `${item.reason} (x${item.count})`).join('; '),
      (account.notEvaluated?.incompletePopulations ?? []).join('; '),
      account.status === 'failed' ? account.errors.join('; ') : String(account.notEvaluated?.collectionErrors ?? 0),
    ]);
  const totalUnknown = totals.results.notEvaluated + totals.results.error;
  const body = [
    `<h1>${escapeHtml(title)}</h1>`,
    `<dl><dt>Organisation</dt><dd>${escapeHtml(rollup.organizationId)}${rollup.managementAccountId === null ? '' : `, management account ${escapeHtml(label(rollup.managementAccountId))}`}</dd>`,
    `<dt>Collected</dt><dd>${escapeHtml(rollup.source.collectedFrom)} to ${escapeHtml(rollup.source.collectedTo)} (${escapeHtml(rollup.source.path)}${rollup.source.sha256 === null ? '' : `, SHA-256 ${escapeHtml(rollup.source.sha256)}`})</dd>`,
    `<dt>Report</dt><dd>${escapeHtml(rollup.generatedAt)}, ${escapeHtml(rollup.tool.name)} ${escapeHtml(rollup.tool.version)}, controls of ${escapeHtml(rollup.framework.name)}</dd>${changedOrgLine(rollup)}</dl>`,
    '<p>Rates count what could not be judged as not passed: a partial account never shows a better rate than its complete data would. The unknowns are printed beside each rate ("1 of 2 unknown").</p>',
    '<h2>Totals</h2>',
    table(
      ['Accounts', 'Complete', 'Partial', 'Failed', 'Skipped (not active)', 'Users', 'Rule pass rate', 'Console MFA', 'Failed results', 'Critical', 'High', 'Medium', 'Low', 'Accounts failing a control'],
      [
        [
          String(totals.accounts),
          String(totals.complete),
          String(totals.partial),
          String(totals.failed),
          String(totals.skipped),
          String(totals.users),
          rateWithUnknowns(totals.passRate, totalUnknown, totals.results.pass + totals.results.fail + totalUnknown),
          rateWithUnknowns(totals.mfa.rate, totals.mfa.unknown, totals.mfa.judged + totals.mfa.unknown),
          String(totals.results.fail),
          String(totals.failedBySeverity.critical),
          String(totals.failedBySeverity.high),
          String(totals.failedBySeverity.medium),
          String(totals.failedBySeverity.low),
          `${totals.accountsFailingControls} of ${totals.accountsWithControlData} with data`,
        ],
      ],
      '',
    ),
    '<h2>Worst accounts</h2>',
    '<p>Ranked by failure rate: the controls failing of those that could be judged in the account.</p>',
    table(
      ['Account', 'Failing controls', 'Failure rate', 'Controls not evaluated', 'Failed results', 'Score (severity-weighted failures)'],
      rollup.worstAccounts.map((account) => [label(account.id), `${account.failingControls} of ${account.judgedControls} judged`, percent(account.failureRate), String(account.notEvaluatedControls), String(account.failed), String(account.score)]),
      'No account fails a control.',
    ),
    '<h2>Worst identities</h2>',
    table(
      ['Account', 'Identity', 'Failed', 'Worst severity', 'Rules'],
      rollup.worstIdentities.map((identity) => {
        const cells = identityCells(identity, label);
        return [cells.account, cells.name, String(identity.failed), identity.worstSeverity, identity.ruleIds.join(', ')];
      }),
      'No identity has a failed result.',
    ),
    `<h2>Controls (${escapeHtml(rollup.framework.name)}): accounts failing each</h2>`,
    table(
      ['Control', 'Title', 'Failing', 'Passing', 'No data', 'Failing in'],
      rollup.controls.map((control) => [
        control.controlId,
        control.title,
        control.accountsWithData === 0 && control.manualAccounts > 0 ? 'manual check' : `${control.failingAccounts} of ${control.accountsWithData} with data`,
        String(control.passingAccounts),
        control.noDataAccounts === 0 ? '0' : `${control.noDataAccounts} (${control.notEvaluatedAccounts} not evaluated, ${control.notCollectedAccounts} not collected)`,
        control.failingIn.map(label).join(', '),
      ]),
      'No control results.',
    ),
    '<h2>Accounts</h2>',
    table(['Account', 'Status', 'Users', 'Rule pass rate', 'Console MFA', 'Control pass rate', 'Failed', 'Failing controls', 'Problems'], accountRows, 'No accounts.'),
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
