import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { EXCEPTIONS_YAML, newSnapshot, oldSnapshot } from './support/demo-series.js';
import { runCli, temporaryFolder } from './support/cli.js';

const ENV = { SOURCE_DATE_EPOCH: '1767364200' };
let work: { path: string; cleanup: () => Promise<void> };
let archive = '';
let EXCEPTIONS = '';
before(async () => {
  work = await temporaryFolder('iam-audit-trend-');
  archive = join(work.path, 'archive');
  await mkdir(archive);
  // Names in the opposite order to the capture times: the trend orders by capture time.
  await writeFile(join(archive, 'c-november.json'), JSON.stringify(oldSnapshot()));
  await writeFile(join(archive, 'b-december.json.gz'), gzipSync(JSON.stringify(newSnapshot())));
  await writeFile(join(archive, 'a-january.json'), JSON.stringify(newSnapshot('2027-01-02T08:15:42Z')));
  await writeFile(join(archive, 'notes.txt'), 'not an archive');
  EXCEPTIONS = join(work.path, 'exceptions.yaml');
  await writeFile(EXCEPTIONS, EXCEPTIONS_YAML);
});
after(async () => {
  await work.cleanup();
});

it('writes CSV, JSON and HTML time series ordered by capture time', async () => {
  const out = join(work.path, 'out');
  const result = await runCli(['trend', archive, '--exceptions', EXCEPTIONS, '-f', 'csv,json,html', '-d', out], { env: ENV });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^Trend of account 111122223333: 3 capture\(s\) from 2026-11-02T08:15:42Z to 2027-01-02T08:15:42Z$/m);
  const files = (await readdir(out)).sort();
  assert.deepEqual(files, ['iam_audit_trend_2026-01-02T14-30-00.csv', 'iam_audit_trend_2026-01-02T14-30-00.html', 'iam_audit_trend_2026-01-02T14-30-00.json']);
  const rows = parse(await readFile(join(out, files[0] ?? ''), 'utf8'), { columns: true }) as Record<string, string>[];
  assert.deepEqual(rows.map((row) => row['file']), ['c-november.json', 'b-december.json.gz', 'a-january.json']);
  assert.deepEqual(rows.map((row) => row['users']), ['26', '27', '27']);
  assert.deepEqual(rows.map((row) => row['mfa_compliance_rate_percent']), ['42.3', '40.7', '40.7']);
  assert.deepEqual(rows.map((row) => row['rotation_limit_days']), ['90', '90', '90']);
  // bob.admin's and mallory.old's old keys gone, ivan.dba's second deactivated; by January zoe.new's and others have aged.
  assert.deepEqual(rows.map((row) => row['active_keys_over_rotation_limit']), ['8', '5', '7']);
  assert.deepEqual(rows.map((row) => row['failing_high']), ['8', '7', '7']);
  assert.ok(rows.every((row) => /^\d+$/.test(row['cis-5.0_pass'] ?? '') && /^\d+$/.test(row['cis-5.0_fail'] ?? '')));
  const json = JSON.parse(await readFile(join(out, files[2] ?? ''), 'utf8')) as { format: string; points: { captured_at: string; frameworks: { id: string; pass: number }[] }[] };
  assert.equal(json.format, 'iam-audit-trend');
  assert.deepEqual(json.points.map((point) => point.captured_at), ['2026-11-02T08:15:42Z', '2026-12-02T08:15:42Z', '2027-01-02T08:15:42Z']);
  assert.equal(json.points[0]?.frameworks.find((framework) => framework.id === 'cis-5.0')?.pass, Number(rows[0]?.['cis-5.0_pass']));
  const html = await readFile(join(out, files[1] ?? ''), 'utf8');
  assert.ok(!/<script/i.test(html));
  assert.match(html, /<figcaption>MFA compliance rate<\/figcaption>/);
  assert.match(html, /<path d="M[\d.]+ [\d.]+ L[\d.]+ [\d.]+ L[\d.]+ [\d.]+" fill="none"/);
});

it('takes a quoted glob', async () => {
  const out = join(work.path, 'out-glob');
  const result = await runCli(['trend', join(archive, '*.json'), '-f', 'csv', '-d', out], { env: ENV });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /2 capture\(s\)/);
});

for (const [name, setup, message] of [
  ['a truncated archive under --strict', async (folder: string) => writeFile(join(folder, 'z.json.gz'), gzipSync(JSON.stringify(oldSnapshot())).subarray(0, 200)), /z\.json\.gz: not a readable gzip file/],
  ['another account', async (folder: string) => writeFile(join(folder, 'z.json'), JSON.stringify(oldSnapshot()).replaceAll('111122223333', '444455556666')), /is account 444455556666, but .* is account 111122223333; a trend covers one account/],
] as const) {
  it(`refuses ${name}: one line, exit 2, nothing written`, async () => {
    const folder = join(work.path, `bad-${name.replace(/\W/g, '')}`);
    await mkdir(folder);
    await writeFile(join(folder, 'a.json'), JSON.stringify(oldSnapshot()));
    await setup(folder);
    const out = join(work.path, 'refused');
    const result = await runCli(['trend', folder, '--strict', '-f', 'csv,json', '-d', out], { env: ENV });
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.match(result.stderr, message);
    await assert.rejects(readdir(out), { code: 'ENOENT' });
  });
}

it('reads an evidence folder written by audit -d twice: one capture per snapshot, a corrupt archive skipped with one warning, exit 3', async () => {
  const evidence = join(work.path, 'evidence');
  for (const [generatedAt, epoch] of [['2026-11-02T08:15:42Z', '1796285742'], ['2026-12-02T08:15:42Z', '1798877742']] as const) {
    // Snapshot, report JSON, CSVs, HTML, OCSF, manifest and SHA256SUMS: the tool's usual folder.
    const audit = await runCli(['audit', 'fixtures/demo/credential-report.csv', '--generated-at', generatedAt, '-f', 'csv,json,html,ocsf,asff', '-d', evidence], { env: { SOURCE_DATE_EPOCH: epoch } });
    assert.equal(audit.code, 0, audit.stderr);
  }
  const names = await readdir(evidence);
  for (const kind of [/^snapshot-.*\.json$/, /^iam_audit_[\dT-]+\.json$/, /\.manifest\.json$/, /\.ocsf\.json$/, /\.asff\.json$/, /\.SHA256SUMS$/, /\.html$/]) {
    assert.equal(names.filter((name) => kind.test(name)).length, 2, `${String(kind)} in ${names.join(' ')}`);
  }
  await writeFile(join(evidence, 'snapshot-truncated.json.gz'), gzipSync(JSON.stringify(oldSnapshot())).subarray(0, 200));
  // The tool's other outputs, by name (an organisation report has no marker inside) or by content (renamed): skipped without a word.
  await writeFile(join(evidence, 'iam_audit_org_2026-01-02T14-30-00.json'), '{"accounts": []}');
  await writeFile(join(evidence, 'iam_audit_securityhub_state.json'), '{"kind": "iam-audit securityhub export state", "version": 1, "accountId": null, "findings": []}');
  await writeFile(join(evidence, 'renamed-change-report.json'), JSON.stringify({ format: 'iam-audit-changes', format_version: 1 }));
  await writeFile(join(evidence, 'renamed-trend.json.gz'), gzipSync(JSON.stringify({ format: 'iam-audit-trend', points: [] })));
  await writeFile(join(evidence, 'renamed-manifest.json'), JSON.stringify({ manifestVersion: 1 }));
  const out = join(work.path, 'out-evidence');
  const result = await runCli(['trend', evidence, '-f', 'csv', '-d', out], { env: ENV });
  assert.equal(result.code, 3, result.stderr);
  const warnings = result.stderr.trim().split('\n');
  assert.equal(warnings.length, 1, result.stderr);
  assert.match(warnings[0] ?? '', /^iam-audit: warning: skipped .*snapshot-truncated\.json\.gz: not a readable gzip file \(the archive is truncated\)/);
  assert.match(result.stdout, /^Trend of account 111122223333: 2 capture\(s\) from 2026-11-02T08:15:42Z to 2026-12-02T08:15:42Z$/m);
  const [csv] = await readdir(out);
  const rows = parse(await readFile(join(out, csv ?? ''), 'utf8'), { columns: true }) as Record<string, string>[];
  assert.deepEqual(rows.map((row) => row['kind']), ['snapshot', 'snapshot']);
  // --strict keeps the old stop: exit 2, nothing written.
  const strict = await runCli(['trend', evidence, '--strict', '-f', 'csv', '-d', join(work.path, 'out-strict')], { env: ENV });
  assert.equal(strict.code, 2, strict.stderr);
  assert.match(strict.stderr, /snapshot-truncated\.json\.gz: not a readable gzip file/);
  await assert.rejects(readdir(join(work.path, 'out-strict')), { code: 'ENOENT' });
});

it('counts controls passed with exceptions apart from pass and fail, in the CSV, the JSON and the chart (issue 25)', async () => {
  const folder = join(work.path, 'with-exceptions');
  await mkdir(folder);
  await writeFile(join(folder, 'november.json'), JSON.stringify(oldSnapshot()));
  // ivan.dba is multiple-active-access-keys' only failure in November: excepted, CIS 5.0 control 1.12 passes with exceptions.
  const exceptions = join(work.path, 'ivan-exception.yaml');
  await writeFile(exceptions, 'exceptions:\n  - rule: multiple-active-access-keys\n    resource: ivan.dba\n    justification: Second key retired with CHG-77\n    approvedBy: Jane Doe (CISO)\n    expires: 2030-01-01\n');
  const counts = async (name: string, withExceptions: boolean): Promise<{ row: Record<string, string>; framework: Record<string, number>; html: string }> => {
    const out = join(work.path, name);
    const result = await runCli(['trend', folder, ...(withExceptions ? ['--exceptions', exceptions] : []), '-f', 'csv,json,html', '-d', out], { env: ENV });
    assert.equal(result.code, 0, result.stderr);
    const files = (await readdir(out)).sort();
    const [row] = parse(await readFile(join(out, files[0] ?? ''), 'utf8'), { columns: true }) as Record<string, string>[];
    const json = JSON.parse(await readFile(join(out, files[2] ?? ''), 'utf8')) as { points: { frameworks: (Record<string, number> & { id: string })[] }[] };
    return { row: row ?? {}, framework: json.points[0]?.frameworks.find((framework) => framework.id === 'cis-5.0') ?? {}, html: await readFile(join(out, files[1] ?? ''), 'utf8') };
  };
  const plain = await counts('out-plain', false);
  const excepted = await counts('out-excepted', true);
  const columns = ['cis-5.0_pass', 'cis-5.0_pass_with_exceptions', 'cis-5.0_fail', 'cis-5.0_not_evaluated'];
  assert.deepEqual(columns.map((column) => plain.row[column]), ['3', '0', '7', '6']);
  assert.deepEqual(columns.map((column) => excepted.row[column]), ['3', '1', '6', '6']);
  assert.deepEqual(
    { pass: excepted.framework['pass'], pass_with_exceptions: excepted.framework['pass_with_exceptions'], fail: excepted.framework['fail'], not_evaluated: excepted.framework['not_evaluated'], manual: excepted.framework['manual'] },
    { pass: 3, pass_with_exceptions: 1, fail: 6, not_evaluated: 6, manual: 5 },
  );
  assert.match(excepted.html, />pass with exceptions</);
});
