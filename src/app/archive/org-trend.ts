/**
 * `iam-audit trend` over organisation indexes (several `collect --org` runs, named or found in
 * folders): each account's trend, as `trend` writes it for one account (in a folder named by its
 * id), and the roll-up: one row per run with the accounts, users and failing findings summed and
 * the MFA rate over every user of the accounts read (CSV), and the organisation's own trend, one
 * rolled-up point per run, in the account trend's JSON, HTML and PDF. An unreadable snapshot is skipped with a
 * warning (exit 3), or with --strict stops the run.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { orderPoints, rollUpPoints, TREND_SEVERITIES, type TrendPoint } from '../../analyze/trend.js';
import { toCsv } from '../../render/csv-safety.js';
import { readOrgIndex, type OrgIndex } from '../../snapshot/org-index.js';
import { InputError, UserError } from '../../util/errors.js';
import { sha256Hex, writeOutputs } from '../../util/files.js';
import { escapeForTerminal } from '../../util/terminal-text.js';
import { fileStamp } from '../../util/time.js';
import { loadTrendPoint, readBytes } from './archive-input.js';
import { archiveAnalysis } from './diff.js';
import { isOrgIndexFile } from './org-diff.js';
import { trendFiles, type TrendOptions } from './trend.js';

const INDEX_NAME = /^org-index\.json$/;

/**
 * The organisation indexes among the inputs: files that are indexes, and the org-index.json files
 * in a folder and its subfolders (a folder of runs). Empty when the inputs are ordinary archives.
 */
export async function orgIndexInputs(inputs: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const input of inputs) {
    const isFolder = await stat(input).then((entry) => entry.isDirectory(), () => false);
    if (!isFolder) {
      if (await isOrgIndexFile(input)) found.push(input);
      continue;
    }
    const entries = await readdir(input, { withFileTypes: true, recursive: true });
    found.push(...entries.filter((entry) => entry.isFile() && INDEX_NAME.test(entry.name)).map((entry) => join(entry.parentPath ?? input, entry.name)));
  }
  return [...new Set(found)].sort();
}

export interface OrgRunRow {
  readonly index: string;
  readonly startedAt: string;
  readonly accounts: number;
  readonly accountsRead: number;
  readonly users: number;
  readonly mfaComplianceRate: number | null;
  readonly failing: Readonly<Record<(typeof TREND_SEVERITIES)[number], number>>;
  readonly keysOverRotationLimit: number;
}

/** One run's roll-up: sums over the accounts read; the MFA rate weighted by each account's users. */
export function orgRunRow(index: string, run: OrgIndex, points: readonly TrendPoint[]): OrgRunRow {
  const failing = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  let users = 0;
  let compliantUsers = 0;
  let usersWithRate = 0;
  let keys = 0;
  for (const point of points) {
    for (const severity of TREND_SEVERITIES) failing[severity] += point.failing[severity];
    users += point.users;
    keys += point.keysOverRotationLimit;
    if (point.mfaComplianceRate !== null) {
      compliantUsers += point.mfaComplianceRate * point.users;
      usersWithRate += point.users;
    }
  }
  return { index, startedAt: run.startedAt, accounts: run.accounts.length, accountsRead: points.length, users, mfaComplianceRate: usersWithRate === 0 ? null : compliantUsers / usersWithRate, failing, keysOverRotationLimit: keys };
}

function renderOrgTrendCsv(rows: readonly OrgRunRow[]): string {
  const header = ['started_at', 'index', 'accounts', 'accounts_read', 'users', 'mfa_compliance_rate_percent', ...TREND_SEVERITIES.map((severity) => `failing_${severity}`), 'active_keys_over_rotation_limit'];
  return toCsv(
    header,
    rows.map((row) => [row.startedAt, row.index, String(row.accounts), String(row.accountsRead), String(row.users), row.mfaComplianceRate === null ? '' : (row.mfaComplianceRate * 100).toFixed(1), ...TREND_SEVERITIES.map((severity) => String(row.failing[severity])), String(row.keysOverRotationLimit)]),
  );
}

/** The organisation trend; `indexes` from orgIndexInputs. Everything is read before anything is written. */
export async function runOrgTrend(indexes: readonly string[], options: TrendOptions): Promise<{ rows: OrgRunRow[]; writtenFiles: string[]; skipped: string[] }> {
  const analysis = await archiveAnalysis(options);
  const runs = await Promise.all(indexes.map(async (path) => ({ path, run: await readOrgIndex(path) })));
  const organisation = runs[0]?.run.organizationId;
  for (const { path, run } of runs) if (run.organizationId !== organisation) throw new InputError(path, 'organizationId', `${run.organizationId} is not the organisation of ${runs[0]?.path ?? ''} (${organisation ?? ''}); a trend covers one organisation`);
  runs.sort((a, b) => Date.parse(a.run.startedAt) - Date.parse(b.run.startedAt) || (a.path < b.path ? -1 : 1));
  const byAccount = new Map<string, TrendPoint[]>();
  const skipped: string[] = [];
  const rows: OrgRunRow[] = [];
  /** Each run as one point of the organisation's own trend (the same report as an account's). */
  const rolledUp: TrendPoint[] = [];
  for (const { path, run } of runs) {
    const points: TrendPoint[] = [];
    for (const account of run.accounts) {
      if (account.snapshot === null) continue; // a failed account: counted in `accounts`, not in `accounts_read`
      const file = join(dirname(path), account.snapshot);
      try {
        // One snapshot in memory at a time: its results are counted into a point and dropped.
        const bytes = await readBytes(file);
        const point = await loadTrendPoint(file, analysis, bytes, sha256Hex(bytes), 'refuse');
        if (point !== null) points.push(point);
      } catch (error) {
        if (options.strict === true || !(error instanceof InputError)) throw error;
        skipped.push(error.message);
      }
    }
    for (const point of points) byAccount.set(point.account.id, [...(byAccount.get(point.account.id) ?? []), point]);
    const name = basename(dirname(path)) === '' ? path : join(basename(dirname(path)), basename(path));
    rows.push(orgRunRow(name, run, points));
    if (points.length > 0) {
      const subject = { organizationId: run.organizationId, partition: points[0]?.account.partition ?? 'aws', indexFileName: name, indexSha256: sha256Hex(await readFile(path)), startedAt: run.startedAt };
      rolledUp.push(rollUpPoints(subject, points));
    }
  }
  if (byAccount.size === 0) throw new UserError(`no account snapshot could be read in ${indexes.length} organisation index(es)`);
  for (const line of skipped) options.stderr?.write(`iam-audit: warning: skipped ${escapeForTerminal(line)}\n`);
  const generatedAt = analysis.clock().toISOString();
  const stem = `iam_audit_trend_${fileStamp(generatedAt)}`;
  const written: string[] = [];
  // The roll-up: the per-run CSV (accounts listed and read), and the organisation's trend as JSON,
  // HTML or PDF, drawn by the account trend's own report from one rolled-up point per run.
  const orgStem = `iam_audit_org_trend_${fileStamp(generatedAt)}`;
  const rollUpFiles = await trendFiles(rolledUp, { ...options, formats: options.formats.filter((format) => format !== 'csv') }, orgStem, generatedAt);
  if (options.formats.includes('csv')) rollUpFiles.unshift({ fileName: `${orgStem}.csv`, content: renderOrgTrendCsv(rows) });
  // One commit for the roll-up and every account's folder: an existing file anywhere refuses the
  // whole run before anything is written (principle 7), not after the roll-up landed.
  const files = [...rollUpFiles];
  for (const [account, points] of [...byAccount.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    for (const file of await trendFiles(orderPoints(points), options, stem, generatedAt)) files.push({ ...file, fileName: join(account, file.fileName) });
  }
  written.push(...(await writeOutputs(options.outDir, files, options.overwrite)));
  options.stdout.write(
    `Organisation trend: ${rows.length} run(s) from ${rows[0]?.startedAt ?? ''} to ${rows[rows.length - 1]?.startedAt ?? ''}, ${byAccount.size} account(s)\n` +
      rows.map((row) => `  ${row.startedAt} ${escapeForTerminal(row.index)}: ${row.accountsRead} of ${row.accounts} account(s) read, ${row.users} users, failing high ${row.failing.high}, critical ${row.failing.critical}\n`).join('') +
      (skipped.length === 0 ? '' : `Skipped ${skipped.length} unreadable snapshot(s) (listed above)\n`) +
      `Written:\n${written.map((file) => `  - ${escapeForTerminal(file)}`).join('\n')}\n`,
  );
  return { rows, writtenFiles: written, skipped };
}
