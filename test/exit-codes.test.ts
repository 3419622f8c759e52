/**
 * Exit codes (issue #12): 0 clean, 1 findings gate, 2 usage/input error, 3 partial data,
 * 4 an output not produced; precedence 2 > 4 > 3 > 1 > 0, every reason still reported.
 * In-process: runReport with the example catalogue, real files, no browser started.
 */
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decideExitCode, EXIT_CODES_HELP } from '../src/app/shared/exit-status.js';
import { DEFAULT_PRESENTATION } from '../src/app/report/report.js';
import { buildRunSummary } from '../src/app/report/run-summary.js';
import { FIXTURES, runCli, temporaryFolder, withoutEvidence } from './support/cli.js';
import { EXAMPLE_USERS, runExampleReport, writeExampleSnapshot } from './support/report-run.js';

let work: { path: string; cleanup: () => Promise<void> };
let counter = 0;
before(async () => {
  work = await temporaryFolder('iam-audit-exit-');
});
after(async () => {
  await work.cleanup();
});

function outDir(): string {
  counter += 1;
  return join(work.path, `out-${counter}`);
}

const NO_BROWSER = { ...DEFAULT_PRESENTATION, browserPath: '/nonexistent/chromium' };

async function partialSnapshot(): Promise<string> {
  const path = await writeExampleSnapshot(work.path);
  const snapshot = JSON.parse(await readFile(path, 'utf8')) as { collectionErrors: unknown[] };
  snapshot.collectionErrors = [{ api: 'iam:ListMFADevices', resource: null, code: 'AccessDenied', message: 'not authorized', affects: ['users[0].mfa.devices'] }];
  const partial = join(work.path, `partial-${counter}.json`);
  await writeFile(partial, JSON.stringify(snapshot));
  return partial;
}

describe('exit codes', () => {
  it('precedence: 2 > 4 > 3 > 1 > 0', () => {
    const reason = (code: 0 | 1 | 2 | 3 | 4) => ({ code, reason: String(code) });
    assert.equal(decideExitCode([]), 0);
    assert.equal(decideExitCode([reason(1)]), 1);
    assert.equal(decideExitCode([reason(1), reason(3)]), 3);
    assert.equal(decideExitCode([reason(1), reason(3), reason(4)]), 4);
    assert.equal(decideExitCode([reason(4), reason(2), reason(1)]), 2);
    assert.match(EXIT_CODES_HELP, /2 > 4 > 3 > 1 > 0/);
  });

  it('0 when clean, with no reasons', async () => {
    const snapshotPath = await writeExampleSnapshot(work.path);
    const run = await runExampleReport({ snapshotPath, outDir: outDir() });
    assert.equal(run.outcome.exitCode, 0);
    assert.deepEqual(run.outcome.exitReasons, []);
  });

  it('1 with --fail-on, naming the first ten findings (rule, resource) and counting the rest', async () => {
    const users = Array.from({ length: 13 }, (_, index) => ({ name: `old${String(index).padStart(2, '0')}`, keyAgeDays: 200 + index }));
    const folder = join(work.path, 'many');
    await (await import('node:fs/promises')).mkdir(folder, { recursive: true });
    const snapshotPath = await writeExampleSnapshot(folder, users);
    const run = await runExampleReport({ snapshotPath, outDir: outDir(), failOn: 'medium' });
    assert.equal(run.outcome.exitCode, 1);
    assert.equal(run.outcome.gateFindings.filter((item) => item.ruleId === 'example-key-age').length, 13);
    assert.match(run.stderr, /findings gate tripped \(--fail-on medium\)/);
    assert.match(run.stderr, /^ {2}example-key-age \(medium\): arn:aws:iam::123456789012:user\/old00$/m);
    assert.match(run.stderr, /^ {2}example-key-age \(medium\): arn:aws:iam::123456789012:user\/old09$/m);
    assert.doesNotMatch(run.stderr, /user\/old10$/m, 'only the first ten are named');
    assert.match(run.stderr, /^ {2}\.\.\. and \d+ more$/m);
  });

  it('4 when the PDF cannot be produced, the other files written, and the gate still reported', async () => {
    const snapshotPath = await writeExampleSnapshot(work.path);
    const out = outDir();
    const run = await runExampleReport({ snapshotPath, outDir: out, formats: ['json', 'pdf'], failOn: 'medium', presentation: NO_BROWSER });
    assert.equal(run.outcome.exitCode, 4);
    assert.deepEqual(run.outcome.exitReasons.map((item) => item.code).sort(), [1, 4]);
    assert.deepEqual(run.outcome.missingFormats, ['pdf']);
    assert.ok((await readdir(out)).some((name) => /^iam_audit_[\dT-]+\.json$/.test(name)), 'the JSON was written');
    assert.match(run.stderr, /findings gate tripped/);
    assert.match(run.stderr, /PDF not written/);
  });

  it('3 for a snapshot with collection errors, above findings', async () => {
    const snapshotPath = await partialSnapshot();
    const run = await runExampleReport({ snapshotPath, outDir: outDir(), failOn: 'medium' });
    assert.equal(run.outcome.exitCode, 3);
    assert.deepEqual(run.outcome.exitReasons.map((item) => item.code).sort(), [1, 3]);
  });
});

describe('--json run summary', () => {
  it('lists the files, counts, exit code and every reason, the winning one first', async () => {
    const snapshotPath = await writeExampleSnapshot(work.path);
    const run = await runExampleReport({ snapshotPath, outDir: outDir(), formats: ['json', 'pdf'], failOn: 'medium', presentation: NO_BROWSER });
    const summary = JSON.parse(JSON.stringify(buildRunSummary(run.outcome, { snapshotRead: snapshotPath, snapshotWritten: null }))) as Record<string, unknown> & {
      counts: { users: Record<string, number>; rule_results: Record<string, number> };
      exit_reasons: { code: number }[];
      files: string[];
      gate_findings: { rule: string; resource: string }[];
    };
    assert.equal(summary['exit_code'], 4);
    assert.match(String(summary['exit_reason']), /^output not produced: pdf/);
    assert.deepEqual(summary.exit_reasons.map((item) => item.code), [4, 1]);
    assert.deepEqual(summary['missing_formats'], ['pdf']);
    assert.ok(summary.files.length >= 1 && summary.files.every((file) => !file.endsWith('.pdf')));
    assert.ok(summary.files.some((file) => /iam_audit_[\dT-]+\.json$/.test(file)));
    assert.equal(summary.counts.users['total'], EXAMPLE_USERS.length);
    assert.ok((summary.counts.rule_results['fail'] ?? 0) >= 2, 'alice and =evil have old keys');
    assert.deepEqual(
      summary.gate_findings.filter((item) => item.rule === 'example-key-age').map((item) => item.resource),
      ['arn:aws:iam::123456789012:user/alice', 'arn:aws:iam::123456789012:user/=evil'],
    );
  });

  it('report --json: stdout is the JSON summary alone, the human text on stderr', async () => {
    const out = outDir();
    const run = await runCli(['report', join(FIXTURES, 'demo', 'snapshot.json'), '-d', out, '--format', 'json', '--json'], { env: { SOURCE_DATE_EPOCH: '1767364200' } });
    assert.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(run.stdout) as { exit_code: number; exit_reason: string | null; files: string[]; snapshot_written: string | null };
    assert.equal(summary.exit_code, 0);
    assert.equal(summary.exit_reason, null);
    assert.equal(summary.snapshot_written, null);
    assert.deepEqual(withoutEvidence(summary.files.map((file) => file.replace(/.*\//, ''))), ['iam_audit_2026-01-02T14-30-00.json']);
    assert.match(run.stderr, /Total users: /, 'the human summary went to stderr');
  });
});
