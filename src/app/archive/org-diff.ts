/**
 * `iam-audit diff OLD-INDEX NEW-INDEX`: the change across an organisation between two `collect --org`
 * runs, in one command. Each account in both indexes gets the same change report `diff` writes for
 * one account (in a folder named by its id); the roll-up lists every account with its counts, and
 * the accounts added, removed or not comparable (no snapshot on one side, or an unreadable one).
 */
import { open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { compareStates, type ChangeReport } from '../../analyze/compare.js';
import { toCsv } from '../../render/csv-safety.js';
import { formatRate } from '../../render/change-report.js';
import { looksLikeOrgIndex, readOrgIndex, type OrgIndex, type OrgIndexAccount } from '../../snapshot/org-index.js';
import { InputError, UserError } from '../../util/errors.js';
import { writeOutputs, type OutputFile } from '../../util/files.js';
import { packageInfo } from '../../util/paths.js';
import { escapeForTerminal } from '../../util/terminal-text.js';
import { fileStamp } from '../../util/time.js';
import { loadArchive, type ArchiveAnalysis } from './archive-input.js';
import { archiveAnalysis, changeReportFiles, checkPair, type DiffOptions } from './diff.js';

/** True when the file opens as an organisation index (its first bytes say so). */
export async function isOrgIndexFile(path: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch {
    return false; // reading it as an archive names the problem
  }
  try {
    const head = Buffer.alloc(256);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return looksLikeOrgIndex(head.subarray(0, bytesRead).toString('utf8'));
  } finally {
    await handle.close();
  }
}

export type OrgAccountChangeStatus = 'compared' | 'added' | 'removed' | 'not_compared';

export interface OrgAccountChange {
  readonly id: string;
  readonly name: string;
  readonly status: OrgAccountChangeStatus;
  /** Why it was not compared (no snapshot, an unreadable one); null when compared, added or removed. */
  readonly reason: string | null;
  readonly report: ChangeReport | null;
}

export interface OrgDiffOutcome {
  readonly accounts: readonly OrgAccountChange[];
  readonly writtenFiles: readonly string[];
}

const snapshotOf = (indexPath: string, account: OrgIndexAccount): string | null => (account.snapshot === null ? null : join(dirname(indexPath), account.snapshot));

/** One account in both runs: its change report, or why there is none. */
async function compareAccount(older: { path: string; account: OrgIndexAccount }, newer: { path: string; account: OrgIndexAccount }, analysis: ArchiveAnalysis): Promise<OrgAccountChange> {
  const base = { id: newer.account.id, name: newer.account.name };
  const oldSnapshot = snapshotOf(older.path, older.account);
  const newSnapshot = snapshotOf(newer.path, newer.account);
  if (oldSnapshot === null || newSnapshot === null) {
    return { ...base, status: 'not_compared', reason: `no snapshot in ${oldSnapshot === null ? 'OLD' : 'NEW'} (the account's collection ${oldSnapshot === null ? older.account.status : newer.account.status})`, report: null };
  }
  try {
    const oldState = await loadArchive(oldSnapshot, analysis);
    const newState = await loadArchive(newSnapshot, analysis);
    checkPair(oldState, newState, oldSnapshot, newSnapshot, { allowDifferentAccounts: false, reverse: false });
    return { ...base, status: 'compared', reason: null, report: compareStates(oldState, newState) };
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    return { ...base, status: 'not_compared', reason: error.message, report: null };
  }
}

/** Compares every account of two organisation indexes; reads everything before anything is written. */
export async function compareOrgIndexes(oldPath: string, newPath: string, analysis: ArchiveAnalysis): Promise<OrgAccountChange[]> {
  const [oldIndex, newIndex]: OrgIndex[] = [await readOrgIndex(oldPath), await readOrgIndex(newPath)];
  if (oldIndex === undefined || newIndex === undefined) throw new UserError('two organisation indexes are needed');
  if (oldIndex.organizationId !== newIndex.organizationId) {
    throw new InputError(newPath, 'organizationId', `${newIndex.organizationId} is not the organisation of ${oldPath} (${oldIndex.organizationId}); refusing to compare different organisations`);
  }
  if (Date.parse(oldIndex.startedAt) > Date.parse(newIndex.startedAt)) {
    throw new UserError(`OLD ${oldPath} (started ${oldIndex.startedAt}) is newer than NEW ${newPath} (started ${newIndex.startedAt}); swap them`);
  }
  const oldById = new Map(oldIndex.accounts.map((account) => [account.id, account]));
  const newById = new Map(newIndex.accounts.map((account) => [account.id, account]));
  const ids = [...new Set([...oldById.keys(), ...newById.keys()])].sort();
  const changes: OrgAccountChange[] = [];
  for (const id of ids) {
    const before = oldById.get(id);
    const after = newById.get(id);
    if (before === undefined && after !== undefined) changes.push({ id, name: after.name, status: 'added', reason: null, report: null });
    else if (after === undefined && before !== undefined) changes.push({ id, name: before.name, status: 'removed', reason: null, report: null });
    else if (before !== undefined && after !== undefined) changes.push(await compareAccount({ path: oldPath, account: before }, { path: newPath, account: after }, analysis));
  }
  return changes;
}

export const ORG_CHANGES_CSV_HEADER = [
  'account_id',
  'account_name',
  'status',
  'reason',
  'newly_failing',
  'resolved',
  'still_failing',
  'newly_excepted',
  'exception_expired',
  'control_status_changed',
  'identity_added',
  'identity_removed',
  'mfa_enabled',
  'mfa_disabled',
  'key_created',
  'key_deleted',
  'mfa_rate_before_percent',
  'mfa_rate_after_percent',
] as const;

const COUNTED = ['newly_failing', 'resolved', 'still_failing', 'newly_excepted', 'exception_expired', 'control_status_changed', 'identity_added', 'identity_removed', 'mfa_enabled', 'mfa_disabled', 'key_created', 'key_deleted'] as const;

/** The roll-up: the counts summed over the accounts compared, and how many were added, removed or not compared. */
export function orgChangeTotals(accounts: readonly OrgAccountChange[]): Record<string, number> {
  const totals: Record<string, number> = { accounts: accounts.length, compared: 0, added: 0, removed: 0, not_compared: 0 };
  for (const account of accounts) {
    totals[account.status] = (totals[account.status] ?? 0) + 1;
    for (const key of COUNTED) totals[key] = (totals[key] ?? 0) + (account.report?.counts[key] ?? 0);
  }
  return totals;
}

function renderOrgChangesCsv(accounts: readonly OrgAccountChange[]): string {
  const rate = (value: number | null | undefined): string => (value === null || value === undefined ? '' : formatRate(value).replace('%', ''));
  return toCsv(
    ORG_CHANGES_CSV_HEADER,
    accounts.map((account) => [
      account.id,
      account.name,
      account.status,
      account.reason ?? '',
      ...COUNTED.map((key) => (account.report === null ? '' : String(account.report.counts[key]))),
      rate(account.report?.rates.mfa.before),
      rate(account.report?.rates.mfa.after),
    ]),
  );
}

/** `diff` of two organisation indexes: per-account change reports in folders named by account id, and the roll-up. */
export async function runOrgDiff(options: DiffOptions): Promise<OrgDiffOutcome> {
  const analysis = await archiveAnalysis(options);
  if (options.signing !== undefined) throw new UserError('--sign-p12 signs one account\'s change report; it is not available for two organisation indexes');
  const accounts = await compareOrgIndexes(options.oldPath, options.newPath, analysis);
  const tool = packageInfo();
  const generatedAt = analysis.clock().toISOString();
  const stamp = fileStamp(generatedAt);
  const written: string[] = [];
  if (options.formats.length > 0) {
    const rollup: OutputFile[] = [];
    if (options.formats.includes('csv')) rollup.push({ fileName: `iam_audit_org_changes_${stamp}.csv`, content: renderOrgChangesCsv(accounts) });
    if (options.formats.includes('json')) {
      const json = { format: 'iam-audit-org-changes', format_version: 1, tool: { name: tool.name, version: tool.version }, generated_at: generatedAt, old: options.oldPath, new: options.newPath, totals: orgChangeTotals(accounts), accounts: accounts.map(({ report, ...account }) => ({ ...account, counts: report?.counts ?? null, rates: report === null ? null : { mfa: report.rates.mfa, console_mfa: report.rates.consoleMfa } })) };
      rollup.push({ fileName: `iam_audit_org_changes_${stamp}.json`, content: `${JSON.stringify(json, null, 2)}\n` });
    }
    // One commit for the roll-up and every account's folder: all or nothing (principle 7).
    const files = [...rollup];
    for (const account of accounts) {
      if (account.report === null) continue;
      for (const file of await changeReportFiles(account.report, options, `iam_audit_changes_${stamp}`, generatedAt)) files.push({ ...file, fileName: join(account.id, file.fileName) });
    }
    if (files.length > 0) written.push(...(await writeOutputs(options.outDir, files, options.overwrite)));
  }
  const totals = orgChangeTotals(accounts);
  const lines = [
    `Organisation change: ${totals['accounts']} account(s): ${totals['compared']} compared, ${totals['added']} added, ${totals['removed']} removed, ${totals['not_compared']} not compared`,
    `Findings: ${totals['newly_failing']} newly failing, ${totals['resolved']} resolved, ${totals['still_failing']} still failing, ${totals['newly_excepted']} newly excepted, ${totals['exception_expired']} exception(s) expired`,
    ...accounts.map((account) => {
      const counts = account.report?.counts;
      const what = counts === undefined ? (account.reason ?? account.status) : `${counts.newly_failing} newly failing, ${counts.resolved} resolved, ${counts.still_failing} still failing`;
      return `  ${account.id} ${account.name}: ${account.status === 'compared' ? what : `${account.status.replace('_', ' ')}${account.reason === null ? '' : ` (${account.reason})`}`}`;
    }),
  ];
  options.stdout.write(`${lines.map(escapeForTerminal).join('\n')}\n`);
  if (written.length > 0) options.stdout.write(`Written:\n${written.map((path) => `  - ${escapeForTerminal(path)}`).join('\n')}\n`);
  return { accounts, writtenFiles: written };
}
