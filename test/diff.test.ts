import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { compareStates, type ChangeReport } from '../src/analyze/compare.js';
import { loadArchive } from '../src/app/archive/archive-input.js';
import { archiveAnalysis } from '../src/app/archive/diff.js';
import { parse } from 'csv-parse/sync';
import { arnOf, EXCEPTIONS_YAML, NEW_CAPTURE, newSnapshot, OLD_CAPTURE, oldSnapshot } from './support/demo-series.js';
import { runCli, temporaryFolder } from './support/cli.js';

const run = promisify(execFile);
const ENV = { SOURCE_DATE_EPOCH: '1767364200' };

let work: { path: string; cleanup: () => Promise<void> };
let A = '';
let B = '';
let EXCEPTIONS = '';
before(async () => {
  work = await temporaryFolder('iam-audit-diff-');
  A = join(work.path, 'snapshot-old.json');
  B = join(work.path, 'snapshot-new.json.gz');
  EXCEPTIONS = join(work.path, 'exceptions.yaml');
  await writeFile(A, JSON.stringify(oldSnapshot(), null, 2));
  await writeFile(B, gzipSync(JSON.stringify(newSnapshot(), null, 2)));
  await writeFile(EXCEPTIONS, EXCEPTIONS_YAML);
});
after(async () => {
  await work.cleanup();
});

async function compare(oldPath: string, newPath: string): Promise<ChangeReport> {
  const analysis = await archiveAnalysis({ exceptionsPath: EXCEPTIONS, environment: ENV });
  return compareStates(await loadArchive(oldPath, analysis), await loadArchive(newPath, analysis));
}

const ids = (list: readonly { findingId: string }[]): string[] => list.map((item) => item.findingId).sort();
const names = (list: readonly { name: string }[]): string[] => list.map((item) => item.name).sort();

describe('diff: the comparison', () => {
  it('finds every change kind between the demo pair', async () => {
    const report = await compare(A, B);
    const find = (list: readonly { ruleId: string; resourceName: string }[], ruleId: string, name: string): boolean => list.some((item) => item.ruleId === ruleId && item.resourceName === name);
    assert.ok(find(report.findings.newlyFailing, 'console-users-mfa', 'erin.dev'), 'MFA turned off: newly failing');
    assert.ok(find(report.findings.resolved, 'console-users-mfa', 'dave.dev'), 'MFA turned on: resolved');
    assert.ok(find(report.findings.resolved, 'access-key-rotation', 'bob.admin#access_key_1'), 'key rotated: resolved');
    assert.ok(find(report.findings.resolved, 'password-policy-min-length', 'account'));
    const still = report.findings.stillFailing.find((item) => item.ruleId === 'console-users-mfa' && item.resourceName === 'bob.admin');
    assert.equal(still?.firstSeen, OLD_CAPTURE);
    assert.equal(still?.failingDays, 30);
    assert.deepEqual(report.findings.newlyExcepted.map((item) => [item.resourceName, item.exceptionExpires]), [['zoe.new', '2027-06-30']]);
    assert.deepEqual(report.findings.exceptionsEnded.map((item) => [item.resourceName, item.expired, item.after]), [['frank.contractor', true, 'fail']]);
    assert.deepEqual(names(report.identities.added), ['zoe.new']);
    assert.deepEqual(names(report.identities.removed), []);
    assert.deepEqual(names(report.identities.mfaEnabled), ['dave.dev']);
    assert.deepEqual(names(report.identities.mfaDisabled), ['erin.dev']);
    assert.deepEqual(names(report.identities.consoleDisabled), ['mallory.old']);
    assert.deepEqual(report.keys.created.map((item) => [item.user, item.after?.label]), [['zoe.new', 'access_key_1']]);
    assert.deepEqual(report.keys.rotated.map((item) => [item.user, item.before?.createdAt, item.after?.createdAt]), [['bob.admin', '2025-02-03T10:00:00Z', '2026-11-20T10:00:00Z']]);
    assert.deepEqual(report.keys.deactivated.map((item) => [item.user, item.before?.label]), [['ivan.dba', 'access_key_2']]);
    assert.deepEqual(report.keys.deleted.map((item) => [item.user, item.before?.label]), [['mallory.old', 'access_key_1']]);
    assert.deepEqual(report.passwordPolicy.changes, [{ setting: 'minimumPasswordLength', before: '8', after: '14' }]);
    const control = report.controls.find((row) => row.framework === 'cis-5.0' && row.controlId === '1.7');
    assert.deepEqual([control?.before, control?.after], ['fail', 'pass']);
    assert.ok(report.rates.mfa.before !== null && report.rates.mfa.after !== null && report.rates.mfa.before > report.rates.mfa.after);
    assert.equal(report.changed, true);
    assert.equal(report.old.capturedAt, OLD_CAPTURE);
    assert.equal(report.new.capturedAt, NEW_CAPTURE);
  });

  it('diff A A shows no change', async () => {
    const report = await compare(A, A);
    assert.equal(report.changed, false);
    for (const [kind, count] of Object.entries(report.counts)) if (kind !== 'still_failing') assert.equal(count, 0, kind);
    assert.ok(report.counts.still_failing > 0);
  });

  it('diff A B and diff B A are mirror images', async () => {
    const forward = await compare(A, B);
    const backward = await compare(B, A);
    assert.equal(backward.reversed, true);
    assert.deepEqual(ids(backward.findings.newlyFailing), ids(forward.findings.resolved));
    assert.deepEqual(ids(backward.findings.resolved), ids(forward.findings.newlyFailing));
    assert.deepEqual(ids(backward.findings.stillFailing), ids(forward.findings.stillFailing));
    assert.deepEqual(ids(backward.findings.newlyExcepted), ids(forward.findings.exceptionsEnded));
    assert.deepEqual(ids(backward.findings.exceptionsEnded), ids(forward.findings.newlyExcepted));
    assert.deepEqual(backward.identities.added, forward.identities.removed);
    assert.deepEqual(backward.identities.removed, forward.identities.added);
    assert.deepEqual(backward.identities.mfaEnabled, forward.identities.mfaDisabled);
    assert.deepEqual(backward.identities.mfaDisabled, forward.identities.mfaEnabled);
    assert.deepEqual(backward.identities.consoleEnabled, forward.identities.consoleDisabled);
    const swap = (list: ChangeReport['keys']['created']): unknown => list.map((item) => ({ ...item, before: item.after, after: item.before }));
    assert.deepEqual(backward.keys.created, swap(forward.keys.deleted));
    assert.deepEqual(backward.keys.deleted, swap(forward.keys.created));
    assert.deepEqual(backward.keys.rotated, swap(forward.keys.rotated));
    assert.deepEqual(backward.keys.activated, swap(forward.keys.deactivated));
    assert.deepEqual(backward.passwordPolicy.changes, forward.passwordPolicy.changes.map((item) => ({ ...item, before: item.after, after: item.before })));
    assert.deepEqual(
      backward.controls.map((row) => [row.framework, row.controlId, row.before, row.after]).sort(),
      forward.controls.map((row) => [row.framework, row.controlId, row.after, row.before]).sort(),
    );
    assert.deepEqual(backward.rates.mfa, { before: forward.rates.mfa.after, after: forward.rates.mfa.before });
  });
});

describe('diff: the command', () => {
  it('prints every change kind and writes CSV and JSON with them', async () => {
    const out = join(work.path, 'out-csv-json');
    const result = await runCli(['diff', A, B, '--exceptions', EXCEPTIONS, '-f', 'csv,json', '-d', out], { env: ENV });
    assert.equal(result.code, 0, result.stderr);
    for (const pattern of [
      /^Findings: \d+ newly failing, \d+ resolved, \d+ still failing, 1 newly excepted, 1 exception\(s\) expired$/m,
      /^ {2}console-users-mfa {2}erin\.dev {2}\[high\] {2}pass -> fail$/m,
      /^ {2}console-users-mfa {2}dave\.dev {2}\[high\] {2}fail -> pass$/m,
      /^Still failing \(failing since at least 2026-11-02T08:15:42Z\): \d+$/m,
      /^ {2}console-users-mfa {2}zoe\.new {2}\(until 2027-06-30\)$/m,
      /^ {2}console-users-mfa {2}frank\.contractor {2}\(expired 2026-11-15; now fail\)$/m,
      /^ {2}cis-5\.0 1\.7 {2}fail -> pass {2}Ensure IAM password policy/m,
      /^Identities: 1 added, 0 removed; MFA turned on for 1, off for 1; console access on for 0, off for 1$/m,
      /^Access keys: 1 created, 1 rotated, 1 deactivated, 0 reactivated, 1 deleted$/m,
      /^ {2}bob\.admin {2}access_key_1 created 2025-02-03T10:00:00Z -> access_key_1 created 2026-11-20T10:00:00Z$/m,
      /^ {2}minimumPasswordLength: 8 -> 14$/m,
      /^Compliance: MFA 42\.3% -> 40\.7%/m,
    ]) {
      assert.match(result.stdout, pattern);
    }
    const files = (await readdir(out)).sort();
    assert.deepEqual(files, ['iam_audit_changes_2026-01-02T14-30-00.csv', 'iam_audit_changes_2026-01-02T14-30-00.json']);
    const rows = parse(await readFile(join(out, files[0] ?? ''), 'utf8'), { columns: true }) as Record<string, string>[];
    const kinds = new Set(rows.map((row) => row['change']));
    for (const kind of [
      'newly_failing', 'resolved', 'still_failing', 'newly_excepted', 'exception_expired', 'control_status_changed', 'identity_added', 'mfa_enabled', 'mfa_disabled',
      'console_disabled', 'key_created', 'key_rotated', 'key_deactivated', 'key_deleted', 'password_policy_changed', 'compliance_rate',
    ]) {
      assert.ok(kinds.has(kind), `CSV has ${kind}`);
    }
    const erin = rows.find((row) => row['change'] === 'newly_failing' && row['resource_name'] === 'erin.dev');
    assert.equal(erin?.['resource_arn'], arnOf('engineering/erin.dev'));
    assert.match(erin?.['finding_id'] ?? '', /^console-users-mfa\/[0-9a-f]{16}$/);
    const json = JSON.parse(await readFile(join(out, files[1] ?? ''), 'utf8')) as { format: string; counts: Record<string, number>; old: { captured_at: string }; keys: { rotated: { user: string }[] } };
    assert.equal(json.format, 'iam-audit-changes');
    assert.equal(json.old.captured_at, OLD_CAPTURE);
    assert.deepEqual(
      [json.counts['newly_excepted'], json.counts['exception_expired'], json.counts['identity_added'], json.counts['mfa_enabled'], json.counts['mfa_disabled'], json.counts['key_created'], json.counts['key_rotated'], json.counts['key_deactivated'], json.counts['key_deleted'], json.counts['password_policy_changed']],
      [1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
    );
    assert.equal(json.keys.rotated[0]?.user, 'bob.admin');
  });

  it('diff A A says there is no change', async () => {
    const result = await runCli(['diff', A, A], { env: ENV });
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^No change between OLD and NEW\.$/m);
    assert.match(result.stdout, /^Findings: 0 newly failing, 0 resolved, \d+ still failing, 0 newly excepted, 0 exception\(s\) expired$/m);
  });

  it('compares a report JSON with a snapshot, and finds the same failures', async () => {
    const out = join(work.path, 'report-a');
    const report = await runCli(['report', A, '--exceptions', EXCEPTIONS, '-f', 'json', '-d', out, '--quiet'], { env: ENV });
    assert.equal(report.code, 0, report.stderr);
    const json = (await readdir(out)).find((name) => /^iam_audit_[0-9T-]+\.json$/.test(name)) ?? '';
    const mixed = await compare(join(out, json), B);
    const plain = await compare(A, B);
    assert.deepEqual(ids(mixed.findings.newlyFailing), ids(plain.findings.newlyFailing));
    assert.deepEqual(ids(mixed.findings.resolved), ids(plain.findings.resolved));
    assert.equal(mixed.old.kind, 'report-json');
    assert.deepEqual(names(mixed.identities.mfaEnabled), ['dave.dev']);
  });

  const refusals: readonly { name: string; args: () => string[]; setup?: () => Promise<void>; message: RegExp }[] = [
    { name: 'OLD newer than NEW', args: () => ['diff', B, A, '-f', 'csv', '-d', join(work.path, 'refused')], message: /is newer than NEW .*use --reverse/ },
    {
      name: 'another account',
      setup: async () => {
        const other = newSnapshot();
        other['account'] = { id: '444455556666', partition: 'aws' };
        const text = JSON.stringify(other).replaceAll('111122223333', '444455556666');
        await writeFile(join(work.path, 'other.json'), text);
      },
      args: () => ['diff', A, join(work.path, 'other.json'), '-f', 'csv', '-d', join(work.path, 'refused')],
      message: /is account 111122223333 and .* is account 444455556666; refusing to compare different accounts \(use --allow-different-accounts\)/,
    },
    {
      name: 'a truncated archive',
      setup: async () => {
        const bytes = await readFile(B);
        await writeFile(join(work.path, 'truncated.json.gz'), bytes.subarray(0, bytes.length - 40));
      },
      args: () => ['diff', A, join(work.path, 'truncated.json.gz'), '-f', 'csv', '-d', join(work.path, 'refused')],
      message: /truncated\.json\.gz: not a readable gzip file \(the archive is truncated\)/,
    },
    {
      name: 'a file that is neither',
      setup: async () => writeFile(join(work.path, 'bad.json'), '{"hello": 1}'),
      args: () => ['diff', join(work.path, 'bad.json'), B, '-f', 'csv', '-d', join(work.path, 'refused')],
      message: /bad\.json: at \/schemaVersion/,
    },
  ];
  for (const refusal of refusals) {
    it(`refuses ${refusal.name}: one line, exit 2, nothing written`, async () => {
      await refusal.setup?.();
      const result = await runCli(refusal.args(), { env: ENV });
      assert.equal(result.code, 2, result.stderr);
      assert.equal(result.stdout, '');
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
      assert.match(result.stderr, refusal.message);
      await assert.rejects(readdir(join(work.path, 'refused')), { code: 'ENOENT' });
    });
  }

  it('--reverse and --allow-different-accounts let them through', async () => {
    const reversed = await runCli(['diff', B, A, '--reverse', '--exceptions', EXCEPTIONS], { env: ENV });
    assert.equal(reversed.code, 0, reversed.stderr);
    assert.match(reversed.stdout, /reversed: NEW is older/);
    assert.match(reversed.stdout, /^ {2}console-users-mfa {2}erin\.dev {2}\[high\] {2}fail -> pass$/m);
    const other = await runCli(['diff', A, join(work.path, 'other.json'), '--allow-different-accounts'], { env: ENV });
    assert.equal(other.code, 0, other.stderr);
    assert.match(other.stdout, /OLD: 111122223333/);
  });

  it('writes the HTML and PDF change report in the main report look', async () => {
    const out = join(work.path, 'out-printable');
    const result = await runCli(['diff', A, B, '--exceptions', EXCEPTIONS, '-f', 'html,pdf', '-d', out], { env: ENV });
    assert.equal(result.code, 0, result.stderr);
    const html = await readFile(join(out, 'iam_audit_changes_2026-01-02T14-30-00.html'), 'utf8');
    assert.match(html, /<h1>AWS IAM change report<\/h1>/);
    assert.match(html, /IAM Audit Sans/);
    assert.ok(!/<script/i.test(html));
    assert.match(html, /<span class="value">1<\/span><span class="label">Newly excepted<\/span>/);
    assert.match(html, /<td>MFA compliance rate \(all users\)<\/td><td class="num">42\.3%<\/td><td class="num">40\.7%<\/td>/);
    assert.match(html, /<td>key_rotated<\/td>/);
    assert.match(html, /<td>2\.7<\/td>|<td>1\.7<\/td>/);
    for (const title of ['Summary of changes', 'Newly failing', 'Resolved', 'Newly excepted', 'Exceptions expired', 'Still failing', 'Identities, MFA, access keys and password policy']) assert.ok(html.includes(title), title);
    const { stdout: text } = await run('pdftotext', ['-layout', join(out, 'iam_audit_changes_2026-01-02T14-30-00.pdf'), '-']);
    assert.match(text, /AWS IAM change report/);
    assert.match(text, /Contents/);
    assert.match(text, /erin\.dev/);
    assert.match(text, /minimumPasswordLength/);
    assert.match(text, /Page 2 of \d+/);
  });
});
