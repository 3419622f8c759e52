import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { newSnapshot, oldSnapshot } from './support/demo-series.js';
import { runCli, temporaryFolder } from './support/cli.js';

// Issue 24 §3: a quarter's change across an organisation is one command.
const ENV = { SOURCE_DATE_EPOCH: '1767364200' };
const KEPT = '111122223333';
const REMOVED = '222233334444';
const ADDED = '555566667777';
const FAILED = '888899990000';
let work: { path: string; cleanup: () => Promise<void> };

type Json = Record<string, unknown>;
const asAccount = (snapshot: Json, id: string): string => JSON.stringify(snapshot).replaceAll(KEPT, id);

async function writeRun(folder: string, startedAt: string, accounts: readonly { id: string; snapshot: string | null; status?: string }[]): Promise<string> {
  await mkdir(folder, { recursive: true });
  const entries = [];
  for (const account of accounts) {
    const file = account.snapshot === null ? null : `snapshot-${account.id}.json`;
    if (file !== null && account.snapshot !== null) await writeFile(join(folder, file), account.snapshot);
    entries.push({ id: account.id, name: `acct-${account.id.slice(0, 4)}`, status: account.status ?? 'complete', snapshot: file, sha256: null, size: null, capturedAt: null, users: null, errors: account.status === 'failed' ? ['AssumeRole denied'] : [], startedAt, endedAt: startedAt });
  }
  const index = { kind: 'iam-audit-org-index', indexVersion: 1, tool: { name: 'iam-audit', version: '0.1.0' }, organizationId: 'o-abc123', managementAccountId: '999988887777', startedAt, endedAt: startedAt, selection: { ou: null, accounts: null, roleName: 'OrganizationAccountAccessRole', shard: null }, skipped: [], accounts: entries };
  const path = join(folder, 'org-index.json');
  await writeFile(path, JSON.stringify(index, null, 2));
  return path;
}

let q1 = '';
let q2 = '';
before(async () => {
  work = await temporaryFolder('iam-audit-org-archives-');
  q1 = await writeRun(join(work.path, 'runs', 'q1'), '2026-11-02T08:00:00Z', [
    { id: KEPT, snapshot: JSON.stringify(oldSnapshot()) },
    { id: REMOVED, snapshot: asAccount(oldSnapshot(), REMOVED) },
    { id: FAILED, snapshot: asAccount(oldSnapshot(), FAILED) },
  ]);
  q2 = await writeRun(join(work.path, 'runs', 'q2'), '2026-12-02T08:00:00Z', [
    { id: KEPT, snapshot: JSON.stringify(newSnapshot()) },
    { id: ADDED, snapshot: asAccount(newSnapshot(), ADDED) },
    { id: FAILED, snapshot: null, status: 'failed' },
  ]);
});
after(async () => {
  await work.cleanup();
});

it('diff of two organisation indexes: each account compared, added, removed or not compared; per-account reports and the roll-up; exit 3', async () => {
  const out = join(work.path, 'changes');
  const result = await runCli(['diff', q1, q2, '-f', 'csv,json', '-d', out], { env: ENV });
  assert.equal(result.code, 3, result.stderr);
  assert.match(result.stdout, /^Organisation change: 4 account\(s\): 1 compared, 1 added, 1 removed, 1 not compared$/m);
  assert.match(result.stdout, new RegExp(`^  ${FAILED} .*: not compared \\(no snapshot in NEW \\(the account's collection failed\\)\\)$`, 'm'));
  const files = (await readdir(out)).sort();
  assert.deepEqual(files, [KEPT, 'iam_audit_org_changes_2026-01-02T14-30-00.csv', 'iam_audit_org_changes_2026-01-02T14-30-00.json']);
  assert.deepEqual((await readdir(join(out, KEPT))).sort(), ['iam_audit_changes_2026-01-02T14-30-00.csv', 'iam_audit_changes_2026-01-02T14-30-00.json']);
  const rows = parse(await readFile(join(out, files[1] ?? ''), 'utf8'), { columns: true }) as Record<string, string>[];
  assert.deepEqual(rows.map((row) => [row['account_id'], row['status']]), [[KEPT, 'compared'], [REMOVED, 'removed'], [ADDED, 'added'], [FAILED, 'not_compared']]);
  // The per-account report is the one `diff` writes for the same two snapshots.
  const single = await runCli(['diff', join(work.path, 'runs', 'q1', `snapshot-${KEPT}.json`), join(work.path, 'runs', 'q2', `snapshot-${KEPT}.json`), '-f', 'json', '-d', join(work.path, 'single')], { env: ENV });
  assert.equal(single.code, 0, single.stderr);
  const [singleFile] = await readdir(join(work.path, 'single'));
  const one = JSON.parse(await readFile(join(work.path, 'single', singleFile ?? ''), 'utf8')) as { counts: Record<string, number> };
  const perAccount = JSON.parse(await readFile(join(out, KEPT, 'iam_audit_changes_2026-01-02T14-30-00.json'), 'utf8')) as { counts: Record<string, number> };
  assert.deepEqual(perAccount.counts, one.counts);
  assert.equal(rows[0]?.['newly_failing'], String(one.counts['newly_failing']));
  const rollup = JSON.parse(await readFile(join(out, files[2] ?? ''), 'utf8')) as { format: string; totals: Record<string, number> };
  assert.equal(rollup.format, 'iam-audit-org-changes');
  assert.equal(rollup.totals['newly_failing'], one.counts['newly_failing']);
  assert.ok((one.counts['newly_failing'] ?? 0) > 0);
});

it('refuses two indexes of different organisations: exit 2, nothing written', async () => {
  const other = join(work.path, 'other', 'org-index.json');
  await mkdir(join(work.path, 'other'));
  await writeFile(other, (await readFile(q2, 'utf8')).replace('o-abc123', 'o-zzz999'));
  const out = join(work.path, 'refused');
  const result = await runCli(['diff', q1, other, '-f', 'csv', '-d', out], { env: ENV });
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /o-zzz999 is not the organisation of .*o-abc123.*refusing to compare different organisations/);
  await assert.rejects(readdir(out), { code: 'ENOENT' });
});

it('trend over organisation runs also draws the organisation\'s own trend: one rolled-up point per run, in JSON and HTML', async () => {
  const out = join(work.path, 'org-trend-rollup');
  const result = await runCli(['trend', join(work.path, 'runs'), '-f', 'csv,json,html', '-d', out], { env: ENV });
  assert.equal(result.code, 0, result.stderr);
  const files = await readdir(out);
  for (const extension of ['csv', 'json', 'html']) assert.ok(files.includes(`iam_audit_org_trend_2026-01-02T14-30-00.${extension}`), `${extension} in ${files.join(', ')}`);
  const rollUp = JSON.parse(await readFile(join(out, 'iam_audit_org_trend_2026-01-02T14-30-00.json'), 'utf8')) as {
    format: string;
    account: { id: string; alias: string };
    points: { captured_at: string; users: number; failing_by_severity: Record<string, number>; mfa_compliance_rate_percent: number | null }[];
  };
  assert.equal(rollUp.format, 'iam-audit-trend');
  assert.equal(rollUp.account.id, 'o-abc123');
  assert.deepEqual(rollUp.points.map((point) => [point.captured_at, point.users]), [['2026-11-02T08:00:00Z', 78], ['2026-12-02T08:00:00Z', 54]]);
  // Summed over the accounts read: the three copies of the same account in the first run.
  const perAccount = JSON.parse(await readFile(join(out, KEPT, 'iam_audit_trend_2026-01-02T14-30-00.json'), 'utf8')) as { points: { failing_by_severity: Record<string, number>; mfa_compliance_rate_percent: number | null }[] };
  assert.equal(rollUp.points[0]?.failing_by_severity['high'], 3 * (perAccount.points[0]?.failing_by_severity['high'] ?? Number.NaN));
  assert.equal(rollUp.points[0]?.mfa_compliance_rate_percent, perAccount.points[0]?.mfa_compliance_rate_percent);
  const html = await readFile(join(out, 'iam_audit_org_trend_2026-01-02T14-30-00.html'), 'utf8');
  assert.match(html, /o-abc123 \(3 accounts\)/);
});

it('trend over a folder of organisation runs: each account\'s trend in its folder, the roll-up per run; an unreadable snapshot skipped, exit 3', async () => {
  const out = join(work.path, 'org-trend');
  const result = await runCli(['trend', join(work.path, 'runs'), '-f', 'csv', '-d', out], { env: ENV });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^Organisation trend: 2 run\(s\) from 2026-11-02T08:00:00Z to 2026-12-02T08:00:00Z, 4 account\(s\)$/m);
  const files = (await readdir(out)).sort();
  assert.deepEqual(files, [KEPT, REMOVED, ADDED, FAILED, 'iam_audit_org_trend_2026-01-02T14-30-00.csv'].sort());
  const rows = parse(await readFile(join(out, 'iam_audit_org_trend_2026-01-02T14-30-00.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
  assert.deepEqual(rows.map((row) => [row['started_at'], row['accounts'], row['accounts_read'], row['users']]), [['2026-11-02T08:00:00Z', '3', '3', '78'], ['2026-12-02T08:00:00Z', '3', '2', '54']]);
  // The account kept across both runs has the same trend `trend` writes over its two snapshots.
  const perAccount = parse(await readFile(join(out, KEPT, 'iam_audit_trend_2026-01-02T14-30-00.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
  assert.deepEqual(perAccount.map((row) => row['users']), ['26', '27']);
  assert.equal(rows[0]?.['failing_high'], String(3 * Number(perAccount[0]?.['failing_high'])));
  await writeFile(join(work.path, 'runs', 'q2', `snapshot-${ADDED}.json`), '{"truncated"');
  const partial = await runCli(['trend', join(work.path, 'runs'), '-f', 'csv', '-d', join(work.path, 'org-trend-partial')], { env: ENV });
  assert.equal(partial.code, 3, partial.stderr);
  assert.equal(partial.stderr.trim().split('\n').length, 1, partial.stderr);
  assert.match(partial.stderr, new RegExp(`warning: skipped .*snapshot-${ADDED}\\.json: not valid JSON`));
});

it('an existing file in one account\'s folder refuses the whole organisation trend and diff: exit 2, nothing written, the file kept', async () => {
  for (const [command, name] of [['trend', 'iam_audit_trend_2026-01-02T14-30-00.csv'], ['diff', 'iam_audit_changes_2026-01-02T14-30-00.csv']] as const) {
    const out = join(work.path, `occupied-${command}`);
    await mkdir(join(out, KEPT), { recursive: true });
    await writeFile(join(out, KEPT, name), 'mine\n');
    const args = command === 'trend' ? [join(work.path, 'runs')] : [q1, q2];
    const result = await runCli([command, ...args, '-f', 'csv', '-d', out], { env: ENV });
    assert.equal(result.code, 2, `${command}: ${result.stderr}`);
    assert.match(result.stderr, new RegExp(`${name.replace(/\./g, '\\.')} already exists; refusing to overwrite it`));
    // Neither the roll-up nor another account's report was written before the refusal.
    assert.deepEqual(await readdir(out), [KEPT], command);
    assert.deepEqual(await readdir(join(out, KEPT)), [name], command);
    assert.equal(await readFile(join(out, KEPT, name), 'utf8'), 'mine\n');
  }
});

it('refuses an organisation index compared with one account\'s snapshot: one line, exit 2', async () => {
  const result = await runCli(['diff', q1, join(work.path, 'runs', 'q2', `snapshot-${KEPT}.json`)], { env: ENV });
  assert.equal(result.code, 2, result.stderr);
  assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  assert.match(result.stderr, /org-index\.json is an organisation index and .*snapshot-111122223333\.json is not; compare two organisation indexes, or two snapshots or report JSONs/);
});
