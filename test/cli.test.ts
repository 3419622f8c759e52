import assert from 'node:assert/strict';
import { copyFile, readFile, readdir, writeFile } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FIXTURES, runCli, temporaryFolder, withoutEvidence } from './support/cli.js';

const DEMO_REPORT = join(FIXTURES, 'demo', 'credential-report.csv');
const DEMO_SNAPSHOT = join(FIXTURES, 'demo', 'snapshot.json');
/** 2026-01-02T14:30:00Z, the original README's sample time. */
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
  const { mkdir } = await import('node:fs/promises');
  await mkdir(path, { recursive: true });
  return path;
}

describe('iam-audit command line', () => {
  it('prints help with examples and the version', async () => {
    const help = await runCli(['report', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Examples:/);
    assert.match(help.stdout, /--fail-on-findings/);
    const version = await runCli(['--version']);
    assert.equal(version.code, 0);
    const { version: expected } = JSON.parse(await readFile(join(FIXTURES, '..', 'package.json'), 'utf8')) as { version: string };
    assert.equal(version.stdout.trim(), expected);
  });

  it('exits 2 with one line for an unknown command or flag', async () => {
    const unknown = await runCli(['frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^iam-audit: Unknown argument: frobnicate/);
    const cwd = await folder('bad-flag');
    const badFlag = await runCli(['report', DEMO_SNAPSHOT, '--no-such-flag'], { cwd });
    assert.equal(badFlag.code, 2);
    assert.match(badFlag.stderr, /Unknown argument/);
    assert.deepEqual(await readdir(cwd), [], 'the command did not run');
  });

  it('import writes the default-named snapshot and report prints the original output', async () => {
    const cwd = await folder('default-names');
    const imported = await runCli(['import', DEMO_REPORT, '--generated-at', '2026-11-02T08:15:42Z'], { cwd });
    assert.equal(imported.code, 0, imported.stderr);
    const snapshotName = 'snapshot-111122223333-2026-11-02T08-15-42Z.json';
    assert.deepEqual(await readdir(cwd), [snapshotName]);
    // The demo snapshot, plus who imported it where (issue 25: provenance), which the fixture leaves out.
    const written = JSON.parse(await readFile(join(cwd, snapshotName), 'utf8')) as { collection: { recordedBy?: { user: string | null; host: string | null } } };
    const osUser = ((): string | null => {
      try {
        return userInfo().username || null;
      } catch {
        return null; // a user id without a passwd entry (some containers): recorded as null
      }
    })();
    assert.equal(written.collection.recordedBy?.user, osUser);
    assert.equal(written.collection.recordedBy?.host, hostname() || null);
    delete written.collection.recordedBy;
    assert.deepEqual(written, JSON.parse(await readFile(DEMO_SNAPSHOT, 'utf8')));

    const reported = await runCli(['report', snapshotName], { cwd, env: FIXED_EPOCH });
    assert.equal(reported.code, 0, reported.stderr);
    assert.match(reported.stdout, /^Checking: alice\.admin\n {4}\[PASS\] MFA enabled for console user\.\nChecking: bob\.admin\n {4}\[FAIL\] Console access WITHOUT MFA!\n/);
    assert.match(reported.stdout, /Checking: svc-ci-deploy\n {4}\[INFO\] No console access \(MFA not required\)\.\n/);
    assert.match(reported.stdout, /\n={40}\nTotal users: 26\nCompliant \(MFA enabled\): 11\nNo console access: 7\nNon-compliant: 8\n\n/);
    assert.match(reported.stdout, /Audit started: 2026-01-02T14:30:00\.000000\nAudit completed: 2026-01-02T14:30:00\.000000\nElapsed time: 0\.00 seconds\nCompliance rate: 42\.3%\n/);
    assert.match(reported.stdout, /Compliance rate among console users: 57\.9% \(11 of 19 console users\)/);
    assert.match(reported.stdout, /Results exported to:\n {2}- iam_audit_2026-01-02T14-30-00\.csv\n {2}- iam_audit_findings_2026-01-02T14-30-00\.csv\n {2}- iam_audit_rules_2026-01-02T14-30-00\.csv\n {2}- iam_audit_2026-01-02T14-30-00\.json\n/);
    const outputs = (await readdir(cwd)).sort();
    // The default formats: the one run of this file that starts a browser.
    for (const name of ['iam_audit_2026-01-02T14-30-00.csv', 'iam_audit_2026-01-02T14-30-00.json', 'iam_audit_findings_2026-01-02T14-30-00.csv', 'iam_audit_2026-01-02T14-30-00.html', 'iam_audit_2026-01-02T14-30-00.pdf', snapshotName]) {
      assert.ok(outputs.includes(name), `${name} written; got ${outputs.join(', ')}`);
    }
  });

  it('writes the original CSV header, Python booleans and neutralised formulas', async () => {
    const outDir = await folder('csv');
    const run = await runCli(['report', DEMO_SNAPSHOT, '-d', outDir, '--format', 'csv', '--quiet'], { env: FIXED_EPOCH });
    assert.equal(run.code, 0, run.stderr);
    assert.doesNotMatch(run.stdout, /Checking:/, '--quiet prints only the summary');
    const csv = await readFile(join(outDir, 'iam_audit_2026-01-02T14-30-00.csv'), 'utf8');
    const lines = csv.split('\r\n');
    assert.equal(lines[0], 'username,has_console_access,mfa_enabled,compliance_status,arn,detail');
    assert.equal(lines[1], 'alice.admin,True,True,PASS,arn:aws:iam::111122223333:user/admins/alice.admin,MFA enabled for console user.');
    assert.ok(lines.includes("'=1+2,True,False,FAIL,arn:aws:iam::111122223333:user/=1+2,Console access WITHOUT MFA!"), 'a name starting with = is neutralised');
    assert.ok(lines.includes('"ops,oncall",True,True,PASS,"arn:aws:iam::111122223333:user/ops/ops,oncall",MFA enabled for console user.'));
    assert.equal(lines.length, 28, 'header, 26 users and the final empty piece after the last CRLF');
  });

  it('writes the original JSON keys, then the snapshot identity', async () => {
    const outDir = await folder('json');
    const run = await runCli(['report', DEMO_SNAPSHOT, '-d', outDir, '--format', 'json'], { env: FIXED_EPOCH });
    assert.equal(run.code, 0, run.stderr);
    const text = await readFile(join(outDir, 'iam_audit_2026-01-02T14-30-00.json'), 'utf8');
    const report = JSON.parse(text) as {
      metadata: Record<string, unknown>;
      findings: Record<string, unknown>[];
      snapshot: Record<string, unknown>;
    };
    assert.deepEqual(Object.keys(report).slice(0, 2), ['metadata', 'findings']);
    assert.deepEqual(Object.keys(report.metadata).slice(0, 5), ['audit_start', 'audit_end', 'elapsed_seconds', 'total_users', 'compliance_rate']);
    assert.equal(report.metadata['audit_start'], '2026-01-02T14:30:00.000000');
    assert.equal(report.metadata['elapsed_seconds'], 0);
    assert.equal(report.metadata['total_users'], 26);
    assert.equal(report.metadata['compliance_rate'], '42.3%');
    assert.deepEqual(report.findings[1], {
      username: 'bob.admin',
      has_console_access: true,
      mfa_enabled: false,
      compliance_status: 'FAIL',
      arn: 'arn:aws:iam::111122223333:user/admins/bob.admin',
      detail: 'Console access WITHOUT MFA!',
    });
    const { createHash } = await import('node:crypto');
    const snapshotHash = createHash('sha256').update(await readFile(DEMO_SNAPSHOT)).digest('hex');
    assert.equal(report.snapshot['sha256'], snapshotHash);
    assert.equal(report.snapshot['captured_at'], '2026-11-02T08:15:42Z');
    assert.equal(report.snapshot['source'], 'credential-report');
    assert.deepEqual(report.snapshot['account'], { id: '111122223333', partition: 'aws', alias: null });
    assert.ok(text.startsWith('{\n    "metadata": {\n        "audit_start"'), 'indented with 4 spaces as json.dump(indent=4)');
  });

  it('exits 1 with --fail-on-findings when a FAIL exists, 0 without it', async () => {
    const outDir = await folder('fail-on');
    // JSON only: the gate is the same for every format, and a browser run would only cost time.
    const failing = await runCli(['report', DEMO_SNAPSHOT, '-d', outDir, '--format', 'json', '--fail-on-findings', '--quiet']);
    assert.equal(failing.code, 1);
    const clean = await runCli(['import', join(FIXTURES, 'reports', 'all-compliant.csv'), '-o', join(outDir, 'clean.json')]);
    assert.equal(clean.code, 0, clean.stderr);
    const passing = await runCli(['report', join(outDir, 'clean.json'), '-d', join(outDir, 'clean'), '--format', 'json', '--fail-on-findings', '--quiet']);
    assert.equal(passing.code, 0, passing.stderr);
  });

  it('audit imports and reports in one go, keeping the snapshot beside the reports', async () => {
    const outDir = await folder('audit');
    const run = await runCli(['audit', DEMO_REPORT, '--generated-at', '2026-11-02T08:15:42Z', '-d', outDir, '--format', 'csv,json'], { env: FIXED_EPOCH });
    assert.equal(run.code, 0, run.stderr);
    const written = await readdir(outDir);
    for (const name of ['iam_audit_2026-01-02T14-30-00.csv', 'iam_audit_2026-01-02T14-30-00.json', 'snapshot-111122223333-2026-11-02T08-15-42Z.json']) {
      assert.ok(written.includes(name), `${name} written; got ${written.join(', ')}`);
    }
    assert.match(run.stdout, /Compliance rate: 42\.3%/);
  });

  it('audit can run again on the same report: the identical snapshot is kept, a different one refused', async () => {
    const outDir = await folder('audit-twice');
    const args = ['audit', DEMO_REPORT, '--generated-at', '2026-11-02T08:15:42Z', '-d', outDir, '--format', 'json', '--quiet'];
    assert.equal((await runCli(args, { env: { SOURCE_DATE_EPOCH: '1767364200' } })).code, 0);
    const again = await runCli(args, { env: { SOURCE_DATE_EPOCH: '1767364260' } });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(withoutEvidence(await readdir(outDir)).length, 3, 'one snapshot, two JSON reports');
    const snapshotPath = join(outDir, 'snapshot-111122223333-2026-11-02T08-15-42Z.json');
    await writeFile(snapshotPath, (await readFile(snapshotPath, 'utf8')).replace('"alice.admin"', '"alice.changed"'));
    const refused = await runCli(args, { env: { SOURCE_DATE_EPOCH: '1767364320' } });
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /snapshot-111122223333-2026-11-02T08-15-42Z\.json already exists; refusing to overwrite it/);
  });

  it('names the first ten collection errors on the console and counts the rest', async () => {
    const cwd = await folder('collection-errors');
    const snapshot = JSON.parse(await readFile(DEMO_SNAPSHOT, 'utf8')) as { collectionErrors: unknown[] };
    snapshot.collectionErrors = Array.from({ length: 12 }, (_, index) => ({
      api: 'iam:ListMFADevices',
      resource: `arn:aws:iam::111122223333:user/u${index}`,
      code: 'AccessDenied',
      message: 'not authorized',
      affects: [`users[${index}].mfa.devices`],
    }));
    await writeFile(join(cwd, 'partial.json'), JSON.stringify(snapshot));
    const run = await runCli(['report', 'partial.json', '--format', 'json', '--quiet'], { cwd });
    assert.equal(run.code, 3, `partial data: ${run.stderr}`);
    assert.equal(run.stderr.match(/^warning: collection error in the snapshot: iam:ListMFADevices /gm)?.length, 10);
    assert.match(run.stderr, /^warning: \.\.\. and 2 more collection errors \(all listed in the JSON and HTML\/PDF reports\)$/m);
    const json = JSON.parse(await readFile(join(cwd, (await readdir(cwd)).find((name) => /^iam_audit_[\dT-]+\.json$/.test(name)) ?? ''), 'utf8')) as {
      snapshot: { collection_errors: unknown[] };
    };
    assert.equal(json.snapshot.collection_errors.length, 12);
  });

  it('never overwrites an existing report unless told to', async () => {
    const outDir = await folder('no-overwrite');
    const existing = join(outDir, 'iam_audit_2026-01-02T14-30-00.json');
    await writeFile(existing, 'precious');
    // CSV and JSON: the refusal must also keep the CSV that nothing blocked from being written.
    const refused = await runCli(['report', DEMO_SNAPSHOT, '-d', outDir, '--format', 'csv,json'], { env: FIXED_EPOCH });
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /iam_audit_2026-01-02T14-30-00\.json already exists; refusing to overwrite it/);
    assert.equal(await readFile(existing, 'utf8'), 'precious');
    assert.deepEqual(await readdir(outDir), ['iam_audit_2026-01-02T14-30-00.json'], 'no CSV written either: all or nothing');
    const forced = await runCli(['report', DEMO_SNAPSHOT, '-d', outDir, '--format', 'csv,json', '--overwrite'], { env: FIXED_EPOCH });
    assert.equal(forced.code, 0, forced.stderr);
    assert.notEqual(await readFile(existing, 'utf8'), 'precious');
  });
});

describe('bad input on the command line: one line, exit 2, nothing written', () => {
  const bad = async (name: string, content: string | Buffer, command: 'import' | 'report', pattern: RegExp): Promise<void> => {
    const cwd = await folder(`bad-${command}-${name}`);
    const input = join(cwd, name);
    await writeFile(input, content);
    const run = await runCli(command === 'import' ? ['import', name] : ['report', name], { cwd });
    assert.equal(run.code, 2, run.stdout);
    assert.match(run.stderr, pattern);
    assert.equal(run.stderr.trim().split('\n').length, 1, `one line, got: ${run.stderr}`);
    assert.deepEqual(await readdir(cwd), [name], 'no output file');
  };

  it('a missing file', async () => {
    const run = await runCli(['import', 'no-such-report.csv'], { cwd: await folder('missing') });
    assert.equal(run.code, 2);
    assert.equal(run.stderr, 'iam-audit: no-such-report.csv: no such file\n');
  });
  it('an empty CSV', () => bad('empty.csv', '', 'import', /^iam-audit: empty\.csv: the file is empty/));
  it('a binary file', () => bad('image.csv', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 1]), 'import', /^iam-audit: image\.csv: this is a binary file/));
  it('a CSV that is not a credential report', () => bad('people.csv', 'name,email\nann,ann@example.com\n', 'import', /^iam-audit: people\.csv: line 1: not an IAM credential report: the header lacks user, arn/));
  it('a snapshot that is not JSON', () => bad('snapshot.json', 'user,arn\n', 'report', /^iam-audit: snapshot\.json: not valid JSON/));
  it('a snapshot that fails the schema, naming the JSON path', async () => {
    const snapshot = JSON.parse(await readFile(DEMO_SNAPSHOT, 'utf8')) as { users: { mfa: { active: unknown } }[] };
    const third = snapshot.users[3];
    assert.ok(third);
    third.mfa.active = 'yes';
    await bad('broken.json', JSON.stringify(snapshot), 'report', /^iam-audit: broken\.json: not a valid snapshot: at \/users\/3\/mfa\/active: must be object/);
  });
  it('a snapshot from a newer schema version', async () => {
    const snapshot = JSON.parse(await readFile(DEMO_SNAPSHOT, 'utf8')) as { schemaVersion: number };
    snapshot.schemaVersion = 99;
    await bad('future.json', JSON.stringify(snapshot), 'report', /^iam-audit: future\.json: written by a newer iam-audit \(snapshot schema version 99; this version reads up to 2\)/);
  });
  it('an unknown --format', async () => {
    const cwd = await folder('bad-format');
    await copyFile(DEMO_SNAPSHOT, join(cwd, 's.json'));
    const run = await runCli(['report', 's.json', '--format', 'csv,xlsx'], { cwd });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /unknown format "xlsx"/);
    assert.deepEqual(await readdir(cwd), ['s.json']);
  });
  it('a bad --generated-at', async () => {
    const run = await runCli(['import', DEMO_REPORT, '--generated-at', 'yesterday'], { cwd: await folder('bad-time') });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--generated-at "yesterday" is not an ISO 8601 time/);
  });
});
