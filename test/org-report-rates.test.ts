/**
 * The organisation report's rates and rankings (issue 24 §2): a partial account never shows a
 * better rate than its complete data would, the unknowns are printed beside the rate, and the
 * worst accounts are ranked by failure rate, not by a sum that puts the biggest account first.
 * Two organisations collected from the local Organizations/IAM endpoint: one where ListMFADevices
 * is denied for a console user without MFA, the same one with nothing denied.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { OrgAccountRow, OrgRollup } from '../src/analyze/org-rollup.js';
import { runCli, temporaryFolder } from './support/cli.js';
import { collectEnvironment } from './support/collect-scenario.js';
import type { OrgAccount } from './support/org-endpoint.js';
import { startOrgEndpoint } from './support/org-endpoint.js';
import { accountIam, accountUsers, MANAGEMENT, orgScenario, PARTIAL, PROD, ROOT, SANDBOX } from './support/org-scenario.js';

const profile = { createdAt: '2025-02-01T00:00:00Z', passwordResetRequired: false };

/** Management, a big Prod (30 users, good password policy), a small Sandbox (one console user without MFA, no password policy), Partial. */
function accounts(partialDenied: boolean): OrgAccount[] {
  return [
    { id: MANAGEMENT, name: 'Management', state: 'ACTIVE', parent: ROOT, iam: accountIam(MANAGEMENT, accountUsers(MANAGEMENT, 2)) },
    { id: PROD, name: 'Prod', state: 'ACTIVE', parent: ROOT, iam: accountIam(PROD, accountUsers(PROD, 30)) },
    { id: SANDBOX, name: 'Sandbox', state: 'ACTIVE', parent: ROOT, iam: accountIam(SANDBOX, [{ name: 'sandbox-admin', loginProfile: profile }], { passwordPolicy: null }) },
    {
      id: PARTIAL,
      name: 'Partial',
      state: 'ACTIVE',
      parent: ROOT,
      // user-777-0001 has a console password and no MFA: denied, its MFA is unknown.
      iam: accountIam(PARTIAL, accountUsers(PARTIAL, 3), partialDenied ? { faults: [{ action: 'ListMFADevices', userName: 'user-777-0001', kind: 'access-denied' }] } : {}),
    },
  ];
}

async function collectAndReport(folder: string, partialDenied: boolean): Promise<{ rollup: OrgRollup; html: string; accountsCsv: string[]; stdout: string }> {
  const snapshots = join(folder, 'snapshots');
  const endpoint = await startOrgEndpoint(orgScenario({ accounts: accounts(partialDenied) }));
  try {
    const run = await runCli(['collect', '--org', '--endpoint-url', endpoint.url, '-d', snapshots], { env: collectEnvironment(), cwd: tmpdir() });
    assert.equal(run.code, partialDenied ? 3 : 0, run.stderr);
  } finally {
    await endpoint.close();
  }
  const out = join(folder, 'report');
  const report = await runCli(['report', join(snapshots, 'org-index.json'), '-d', out, '--format', 'json,csv,html']);
  assert.equal(report.code, partialDenied ? 3 : 0, report.stderr);
  const names = await readdir(out);
  const read = (suffix: string): Promise<string> => readFile(join(out, names.find((name) => name.endsWith(suffix)) ?? `missing${suffix}`), 'utf8');
  return { rollup: JSON.parse(await read('.json')) as OrgRollup, html: await read('.html'), accountsCsv: (await read('_accounts.csv')).trim().split('\r\n'), stdout: report.stdout };
}

describe('organisation report: rates over what is known, worst accounts by rate', () => {
  let folder: { path: string; cleanup: () => Promise<void> };
  let partial: Awaited<ReturnType<typeof collectAndReport>>;
  let complete: Awaited<ReturnType<typeof collectAndReport>>;
  const account = (rollup: OrgRollup, id: string): OrgAccountRow => {
    const row = rollup.accounts.find((candidate) => candidate.id === id);
    assert.ok(row !== undefined, id);
    return row;
  };

  before(async () => {
    folder = await temporaryFolder('iam-audit-org-rates-');
    partial = await collectAndReport(join(folder.path, 'denied'), true);
    complete = await collectAndReport(join(folder.path, 'complete'), false);
  });
  after(async () => folder.cleanup());

  test('ListMFADevices denied for a console user without MFA: console MFA 50% with 1 of 2 unknown, as complete data shows 50%, never 100%', () => {
    const denied = account(partial.rollup, PARTIAL);
    const whole = account(complete.rollup, PARTIAL);
    assert.equal(denied.status, 'partial');
    assert.equal(whole.status, 'complete');
    assert.deepEqual(denied.mfa, { proven: 1, judged: 1, unknown: 1 });
    assert.deepEqual(whole.mfa, { proven: 1, judged: 2, unknown: 0 });
    assert.equal(denied.mfaRate, 0.5);
    assert.equal(whole.mfaRate, 0.5);
    assert.match(partial.html, /<td>777777777777 Partial<\/td><td>partial<\/td><td>3<\/td><td>[^<]*<\/td><td>50\.0% \(1 of 2 unknown\)<\/td>/);
    assert.match(complete.html, /<td>777777777777 Partial<\/td><td>complete<\/td><td>3<\/td><td>[^<]*<\/td><td>50\.0%<\/td>/);
    const header = partial.accountsCsv[0]?.split(',') ?? [];
    const row = partial.accountsCsv.find((line) => line.startsWith(PARTIAL))?.split(',') ?? [];
    assert.equal(row[header.indexOf('console_mfa_rate')], '0.5000');
    assert.equal(row[header.indexOf('console_mfa_unknown')], '1');
    assert.equal(row[header.indexOf('console_users_judged')], '1');
    assert.equal(partial.rollup.totals.mfa.unknown, 1);
    assert.match(partial.stdout, /Console MFA: \d+ of \d+ console users proven \([\d.]+%\), 1 unknown/);
  });

  test('no rate of the partial account is higher than the complete account\'s', () => {
    const denied = account(partial.rollup, PARTIAL);
    const whole = account(complete.rollup, PARTIAL);
    for (const key of ['passRate', 'mfaRate', 'controlPassRate'] as const) {
      const deniedRate = denied[key];
      const wholeRate = whole[key];
      assert.ok(deniedRate !== null && wholeRate !== null, key);
      assert.ok(deniedRate <= wholeRate, `${key}: ${deniedRate} partial, ${wholeRate} complete`);
    }
    // The rule pass rate counts the results not evaluated as not passed, and says how many.
    const results = denied.results;
    assert.ok(results !== null && results.notEvaluated > 0);
    assert.equal(denied.passRate, results.pass / (results.pass + results.fail + results.notEvaluated + results.error));
  });

  test('worst accounts rank by failure rate: the small Sandbox failing more of what was judged above the big Prod', () => {
    const worst = partial.rollup.worstAccounts;
    const sandbox = worst.find((entry) => entry.id === SANDBOX);
    const prod = worst.find((entry) => entry.id === PROD);
    assert.ok(sandbox !== undefined && prod !== undefined);
    // Prod has the bigger absolute sum (30 users), which used to put it first.
    assert.ok(prod.score > sandbox.score, `Prod score ${prod.score}, Sandbox ${sandbox.score}`);
    assert.ok(prod.failed > sandbox.failed);
    assert.ok(sandbox.failureRate > prod.failureRate, `Sandbox ${sandbox.failureRate}, Prod ${prod.failureRate}`);
    assert.equal(worst[0]?.id, SANDBOX);
    assert.ok(worst.indexOf(sandbox) < worst.indexOf(prod));
    assert.equal(sandbox.failureRate, sandbox.failingControls / sandbox.judgedControls);
    assert.equal(sandbox.name, 'Sandbox');
    for (const [position, entry] of worst.entries()) {
      const next = worst[position + 1];
      if (next !== undefined) assert.ok(entry.failureRate >= next.failureRate, `${entry.id} before ${next.id}`);
    }
    assert.match(partial.stdout, /worst: 888888888888 Sandbox \(\d+ of \d+ judged controls failing, [\d.]+%\)/);
    assert.match(partial.html, /<td>888888888888 Sandbox<\/td><td>\d+ of \d+ judged<\/td>/);
  });
});
