/**
 * Issue #9 through the command line, as a user meets it: impossible instants are refused at the
 * door with one line, --as-of before capture is refused, --as-of after capture is a stated
 * projection, an inferred capture time is said to be inferred, and the AWS CLI's JSON imports.
 */
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FIXTURES, runCli, temporaryFolder } from './support/cli.js';
import { withFlatResults } from './support/report-json.js';

const DEMO_REPORT = join(FIXTURES, 'demo', 'credential-report.csv');
const DEMO_SNAPSHOT = join(FIXTURES, 'demo', 'snapshot.json');
const DEMO_CAPTURED_AT = '2026-11-02T08:15:42Z';
const FIXED_EPOCH = { SOURCE_DATE_EPOCH: '1767364200' };

let work: { path: string; cleanup: () => Promise<void> };
before(async () => {
  work = await temporaryFolder();
});
after(async () => {
  await work.cleanup();
});

async function folder(name: string): Promise<string> {
  const path = join(work.path, name);
  await mkdir(path, { recursive: true });
  return path;
}

function oneLine(stderr: string): string {
  const lines = stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${stderr}`);
  return lines[0] ?? '';
}

interface JsonReport {
  metadata: { evaluated_as_of: string; projection: { captured_at: string; as_of: string; statement: string } | null };
  snapshot: { capture_time: { source: string; inferred: boolean; statement: string } };
  results: { rule_id: string; resource_name: string; status: string; reason: string | null }[];
}

async function jsonReport(cwd: string): Promise<JsonReport> {
  const name = (await readdir(cwd)).find((file) => /^iam_audit_.*\.json$/.test(file) && !file.includes('manifest'));
  assert.ok(name !== undefined, 'a JSON report was written');
  return withFlatResults(JSON.parse(await readFile(join(cwd, name), 'utf8')) as JsonReport);
}

describe('impossible instants are refused at the door', () => {
  it('report refuses a snapshot whose capture time is 2026-99-99T99:99:99Z: one line naming the file, the field and the value, exit 2, nothing written', async () => {
    const cwd = await folder('impossible-capture');
    const text = (await readFile(DEMO_SNAPSHOT, 'utf8')).replace(`"capturedAt": "${DEMO_CAPTURED_AT}"`, '"capturedAt": "2026-99-99T99:99:99Z"');
    await writeFile(join(cwd, 'snap.json'), text);
    const run = await runCli(['report', 'snap.json', '--format', 'csv,json'], { cwd, env: FIXED_EPOCH });
    assert.equal(run.code, 2);
    assert.equal(oneLine(run.stderr), 'iam-audit: snap.json: not a valid snapshot: at /capturedAt: "2026-99-99T99:99:99Z" is not a real UTC time in the form 2026-01-02T14:30:00Z');
    assert.deepEqual(await readdir(cwd), ['snap.json']);
  });

  it('audit refuses a credential report with a lowercase t and leaves no snapshot behind', async () => {
    const cwd = await folder('lowercase-t');
    const csv = (await readFile(DEMO_REPORT, 'utf8')).replace('2026-10-30T07:02:11Z', '2026-10-30t07:02:11Z');
    await writeFile(join(cwd, 'report.csv'), csv);
    const run = await runCli(['audit', 'report.csv', '--generated-at', DEMO_CAPTURED_AT, '--format', 'csv,json'], { cwd, env: FIXED_EPOCH });
    assert.equal(run.code, 2);
    assert.match(oneLine(run.stderr), /^iam-audit: report\.csv: line 2, column password_last_used: "2026-10-30t07:02:11Z" is not an ISO 8601 timestamp/);
    assert.deepEqual(await readdir(cwd), ['report.csv']);
  });

  it('refuses --as-of and --generated-at values that are not real times (T24:00, February 30)', async () => {
    const cwd = await folder('bad-flags');
    const asOf = await runCli(['report', DEMO_SNAPSHOT, '--as-of', '2026-12-01T24:00:00Z'], { cwd });
    assert.equal(asOf.code, 2);
    assert.match(oneLine(asOf.stderr), /--as-of "2026-12-01T24:00:00Z" is not a real calendar time/);
    const generatedAt = await runCli(['import', DEMO_REPORT, '--generated-at', '2026-02-30T00:00:00Z'], { cwd });
    assert.equal(generatedAt.code, 2);
    assert.match(oneLine(generatedAt.stderr), /--generated-at "2026-02-30T00:00:00Z" is not a real calendar time/);
    assert.deepEqual(await readdir(cwd), []);
  });
});

describe('--as-of is an honest projection', () => {
  it('report refuses an --as-of before the capture time: one line, exit 2, nothing written', async () => {
    const cwd = await folder('as-of-before');
    const run = await runCli(['report', DEMO_SNAPSHOT, '--as-of', '2026-06-01T00:00:00Z', '--format', 'csv,json'], { cwd, env: FIXED_EPOCH });
    assert.equal(run.code, 2);
    assert.match(oneLine(run.stderr), /^iam-audit: --as-of 2026-06-01T00:00:00Z is before the capture time 2026-11-02T08:15:42Z of .*snapshot\.json/);
    assert.deepEqual(await readdir(cwd), []);
  });

  it('audit refuses an --as-of before the capture time before writing the snapshot', async () => {
    const cwd = await folder('audit-as-of-before');
    const run = await runCli(['audit', DEMO_REPORT, '--generated-at', DEMO_CAPTURED_AT, '--as-of', '2026-11-01T00:00:00Z', '--format', 'csv,json'], { cwd, env: FIXED_EPOCH });
    assert.equal(run.code, 2);
    assert.match(oneLine(run.stderr), /is before the capture time 2026-11-02T08:15:42Z/);
    assert.deepEqual(await readdir(cwd), []);
  });

  it('after capture, the console, the JSON and the HTML state the projection, and CIS 1.6 (root used 3 days before capture) is not evaluated, not PASS', async () => {
    const cwd = await folder('as-of-after');
    const run = await runCli(['report', DEMO_SNAPSHOT, '--as-of', '2026-12-15T00:00:00Z', '--format', 'json,html', '-d', '.'], { cwd, env: FIXED_EPOCH });
    assert.equal(run.code, 0, run.stderr);
    const statement = 'Projection to 2026-12-15T00:00:00Z of data captured at 2026-11-02T08:15:42Z, assuming no change since capture.';
    assert.ok(run.stdout.includes(`Projection: ${statement}`), run.stdout);
    const report = await jsonReport(cwd);
    assert.equal(report.metadata.projection?.captured_at, DEMO_CAPTURED_AT);
    assert.equal(report.metadata.projection?.as_of, '2026-12-15T00:00:00Z');
    assert.ok(report.metadata.projection?.statement.startsWith(statement));
    const root = report.results.find((result) => result.rule_id === 'root-recent-use' && result.resource_name === '<root_account>');
    assert.equal(root?.status, 'not_evaluated');
    assert.match(root?.reason ?? '', /^Not evaluated as a projection: at capture \(2026-11-02T08:15:42Z\) this was fail/);
    const html = await readFile(join(cwd, (await readdir(cwd)).find((name) => name.endsWith('.html')) ?? ''), 'utf8');
    // Tags out: instants are wrapped in <span class="instant"> so they never break in print.
    assert.ok(html.replace(/<[^>]+>/g, '').includes(statement), 'the HTML summary carries the projection statement');
  });

  it('at the capture time there is no projection', async () => {
    const cwd = await folder('as-of-none');
    const run = await runCli(['report', DEMO_SNAPSHOT, '--format', 'json', '-d', '.'], { cwd, env: FIXED_EPOCH });
    assert.equal(run.code, 0, run.stderr);
    assert.doesNotMatch(run.stdout, /Projection/);
    const report = await jsonReport(cwd);
    assert.equal(report.metadata.projection, null);
    assert.deepEqual(report.snapshot.capture_time, {
      source: 'flag',
      inferred: false,
      statement: "Capture time 2026-11-02T08:15:42Z: the credential report's generation time, given with --generated-at at import.",
    });
  });
});

describe('capture time that can be trusted', () => {
  it('an inferred capture time is said to be inferred, and how, in the console and the JSON; the console suggests --generated-at', async () => {
    const cwd = await folder('inferred');
    const run = await runCli(['audit', DEMO_REPORT, '--format', 'json', '-d', '.'], { cwd, env: FIXED_EPOCH });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Capture time inferred: \S+ is the newest timestamp in the credential report, .*--generated-at TIME/);
    const report = await jsonReport(cwd);
    assert.equal(report.snapshot.capture_time.source, 'newest-timestamp-in-file');
    assert.equal(report.snapshot.capture_time.inferred, true);
    assert.match(report.snapshot.capture_time.statement, /is inferred: it is the newest timestamp in the credential report CSV/);
  });

  it("imports the AWS CLI's get-credential-report JSON, taking the capture time from GeneratedTime", async () => {
    const cwd = await folder('aws-cli-json');
    const content = (await readFile(DEMO_REPORT)).toString('base64');
    await writeFile(join(cwd, 'credential-report.json'), JSON.stringify({ Content: content, ReportFormat: 'text/csv', GeneratedTime: '2026-11-02T08:15:42+00:00' }, null, 4));
    const run = await runCli(['audit', 'credential-report.json', '--format', 'json', '-d', '.'], { cwd, env: FIXED_EPOCH });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '', 'no warning: the capture time is known');
    assert.ok((await readdir(cwd)).includes('snapshot-111122223333-2026-11-02T08-15-42Z.json'));
    const report = await jsonReport(cwd);
    assert.equal(report.snapshot.capture_time.source, 'api');
    assert.equal(report.snapshot.capture_time.inferred, false);
  });

  it('a bad GeneratedTime is an error naming the field, and nothing is written', async () => {
    const cwd = await folder('aws-cli-json-bad');
    const content = (await readFile(DEMO_REPORT)).toString('base64');
    await writeFile(join(cwd, 'credential-report.json'), JSON.stringify({ Content: content, ReportFormat: 'text/csv', GeneratedTime: '2026-11-02T25:15:42+00:00' }));
    const run = await runCli(['audit', 'credential-report.json', '--format', 'json'], { cwd, env: FIXED_EPOCH });
    assert.equal(run.code, 2);
    assert.match(oneLine(run.stderr), /^iam-audit: credential-report\.json: \/GeneratedTime: "2026-11-02T25:15:42\+00:00" is not an ISO 8601 timestamp/);
    assert.deepEqual(await readdir(cwd), ['credential-report.json']);
  });
});
