import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { OrgRollup } from '../src/analyze/org-rollup.js';
import { runCli, temporaryFolder } from './support/cli.js';
import { collectEnvironment } from './support/collect-scenario.js';
import { makeTestPki, nssTrusting, pdfsig, PKI_PASSWORD, type TestPki } from './support/evidence-pki.js';
import { startOrgEndpoint } from './support/org-endpoint.js';
import { DENIED, DEV, MANAGEMENT, ORG_ID, orgScenario, PARTIAL, PROD, SANDBOX, THROTTLED } from './support/org-scenario.js';

const SIGNING_ENV = { IAM_AUDIT_TEST_P12_PASSWORD: PKI_PASSWORD };
const pdfText = async (path: string): Promise<string> => (await promisify(execFile)('pdftotext', ['-layout', path, '-'])).stdout;
const COLLECTED = [MANAGEMENT, PROD, DEV, PARTIAL, SANDBOX];

describe('report INDEX: the organisation report', () => {
  let folder: { path: string; cleanup: () => Promise<void> };
  let pki: TestPki;
  let snapshots: string;
  let indexPath: string;

  const find = async (dir: string, suffix: string): Promise<string> => {
    const name = (await readdir(dir)).find((candidate) => candidate.endsWith(suffix));
    assert.ok(name !== undefined, `a ${suffix} in ${dir}`);
    return join(dir, name);
  };

  before(async () => {
    folder = await temporaryFolder('iam-audit-org-report-');
    snapshots = join(folder.path, 'snapshots');
    const endpoint = await startOrgEndpoint(orgScenario());
    try {
      const run = await runCli(['collect', '--org', '--endpoint-url', endpoint.url, '-d', snapshots, '--max-attempts', '2'], { env: collectEnvironment(), cwd: tmpdir() });
      assert.equal(run.code, 3, run.stderr);
    } finally {
      await endpoint.close();
    }
    indexPath = join(snapshots, 'org-index.json');
    pki = await makeTestPki(join(folder.path));
  });
  after(async () => folder.cleanup());

  test('rolls up every account: totals, per account rates and failing controls, per control the accounts failing it, worst accounts and identities', async () => {
    const out = join(folder.path, 'report');
    const run = await runCli(['report', indexPath, '-d', out, '--format', 'json,csv,html'], { env: SIGNING_ENV });
    assert.equal(run.code, 3, `partial and failed accounts: exit 3; ${run.stderr}`);
    assert.match(run.stdout, /Organisation o-exampleorg1: 7 accounts \(4 complete, 1 partial, 2 failed, 1 skipped\), 21 users/);
    const rollup = JSON.parse(await readFile(await find(out, '.json'), 'utf8')) as OrgRollup;
    assert.equal(rollup.organizationId, ORG_ID);
    assert.deepEqual(
      { accounts: rollup.totals.accounts, complete: rollup.totals.complete, partial: rollup.totals.partial, failed: rollup.totals.failed, skipped: rollup.totals.skipped, users: rollup.totals.users },
      { accounts: 7, complete: 4, partial: 1, failed: 2, skipped: 1, users: 21 },
    );
    const byId = new Map(rollup.accounts.map((account) => [account.id, account]));
    assert.equal(byId.get(DENIED)?.status, 'failed');
    assert.equal(byId.get(DENIED)?.results, null, 'a failed account has no results, never zero failures');
    assert.match(byId.get(THROTTLED)?.errors[0] ?? '', /Throttling/);
    // Prod: 7 users, users 0, 3, 6 with console and MFA, 1 and 4 console without: 3 of 5 console users have MFA.
    assert.equal(byId.get(PROD)?.mfaRate, 0.6);
    assert.ok((byId.get(PROD)?.controls?.failing ?? []).includes('1.9'));
    // The partial account: one user's MFA devices could not be listed, so 1.9 is not evaluated there, not passed.
    const partial = byId.get(PARTIAL);
    assert.equal(partial?.status, 'partial');
    assert.ok((partial?.results?.notEvaluated ?? 0) > 0);
    assert.ok((partial?.notEvaluated?.collectionErrors ?? 0) >= 1);
    assert.ok(!(partial?.controls?.failing ?? []).includes('1.9'));
    const mfaControl = rollup.controls.find((control) => control.controlId === '1.9');
    assert.deepEqual(mfaControl?.failingIn, [MANAGEMENT, PROD, DEV, SANDBOX]);
    assert.equal(mfaControl?.notEvaluatedAccounts, 1);
    // The totals are the sums of the accounts.
    assert.equal(rollup.totals.results.fail, rollup.accounts.reduce((sum, account) => sum + (account.results?.fail ?? 0), 0));
    assert.equal(rollup.worstAccounts[0]?.id, PROD, 'Prod, Dev and Sandbox fail 4 of 15 judged controls: the most severe failures first');
    assert.ok(rollup.worstIdentities.length > 0 && rollup.worstIdentities.every((identity) => COLLECTED.includes(identity.accountId)));
    const accountsCsv = (await readFile(await find(out, '_accounts.csv'), 'utf8')).trim().split('\r\n');
    assert.equal(accountsCsv.length, 1 + 7);
    assert.match(accountsCsv.find((line) => line.startsWith(DENIED)) ?? '', /failed/);
    const html = await readFile(await find(out, '.html'), 'utf8');
    for (const heading of ['Totals', 'Worst accounts', 'Worst identities', 'accounts failing each', 'Not evaluated', 'Skipped accounts']) assert.ok(html.includes(heading), heading);
  });

  test('the control table has a no-data column and "N of M with data"; accounts are named wherever listed; worst identities are distinct', async () => {
    const out = join(folder.path, 'named');
    const run = await runCli(['report', indexPath, '-d', out, '--format', 'json,csv,html'], { env: SIGNING_ENV });
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stdout, /Accounts failing a cis-5\.0 control: 5 of 5 with data \(2 without\)/);
    const rollup = JSON.parse(await readFile(await find(out, '.json'), 'utf8')) as OrgRollup;
    assert.equal(rollup.totals.accountsWithControlData, 5);
    // 1.9 (console MFA): fails in four accounts, not evaluated in Partial, no snapshot in Denied and Throttled.
    const mfa = rollup.controls.find((control) => control.controlId === '1.9');
    assert.deepEqual(
      { failing: mfa?.failingAccounts, withData: mfa?.accountsWithData, passing: mfa?.passingAccounts, noData: mfa?.noDataAccounts, notEvaluated: mfa?.notEvaluatedAccounts, notCollected: mfa?.notCollectedAccounts },
      { failing: 4, withData: 4, passing: 0, noData: 3, notEvaluated: 1, notCollected: 2 },
    );
    const html = await readFile(await find(out, '.html'), 'utf8');
    assert.ok(html.includes('<th>No data</th>'));
    assert.match(html, /<td>1\.9<\/td><td>[^<]*<\/td><td>4 of 4 with data<\/td><td>0<\/td><td>3 \(1 not evaluated, 2 not collected\)<\/td><td>111111111111 Management, 222222222222 Prod, 333333333333 Dev, 888888888888 Sandbox<\/td>/);
    assert.match(html, /<td>5 of 5 with data<\/td>/);
    assert.match(html, /<td>444444444444 Denied<\/td><td>everything \(no snapshot\)<\/td>/);
    assert.match(html, /<td>777777777777 Partial<\/td><td>\d+ not evaluated/);
    const controlsCsv = (await readFile(await find(out, '_controls.csv'), 'utf8')).split('\r\n');
    assert.equal(controlsCsv[0], 'framework,control_id,title,failing_accounts,accounts_with_data,passing_accounts,no_data_accounts,not_evaluated_accounts,not_collected_accounts,manual_accounts,failing_in');
    assert.ok(controlsCsv.some((line) => line.startsWith('cis-5.0,1.9,') && line.endsWith(',4,4,0,3,1,2,0,111111111111 Management; 222222222222 Prod; 333333333333 Dev; 888888888888 Sandbox')));
    // Worst identities: every row a different identity; the root users failing the same rule are one row naming their accounts.
    const shown = rollup.worstIdentities.map((identity) => `${identity.accountId} ${identity.arn}`);
    assert.equal(new Set(shown).size, shown.length);
    const roots = rollup.worstIdentities.filter((identity) => identity.arn.endsWith(':root'));
    assert.equal(roots.length, 1, JSON.stringify(roots));
    assert.deepEqual([roots[0]?.accountId, ...(roots[0]?.alsoIn ?? []).map((other) => other.id)].sort(), [...COLLECTED].sort());
    assert.deepEqual(roots[0]?.ruleIds, ['root-hardware-mfa']);
    assert.ok(rollup.worstIdentities.every((identity) => identity.accountName !== ''));
    assert.match(html, /<td>111111111111 Management, 222222222222 Prod, 333333333333 Dev, 777777777777 Partial, 888888888888 Sandbox<\/td><td>root user \(the same failures in 5 accounts\)<\/td>/);
    assert.match(html, /<td>222222222222 Prod<\/td><td>user-222-0001<\/td>/);
    const identitiesCsv = (await readFile(await find(out, '_identities.csv'), 'utf8')).split('\r\n');
    assert.ok(identitiesCsv.some((line) => /^\d+,222222222222,Prod,user-222-0001,/.test(line)));
  });

  test('a folder of snapshots (no names in an index) names the accounts by their alias; its signed PDF verifies', async () => {
    const out = join(folder.path, 'folder-named');
    const run = await runCli(['report', snapshots, '-d', out, '--format', 'json,html,pdf', '--sign-p12', pki.signerP12, '--sign-pass-env', 'IAM_AUDIT_TEST_P12_PASSWORD'], { env: SIGNING_ENV });
    assert.equal(run.code, 3, run.stderr);
    const rollup = JSON.parse(await readFile(await find(out, '.json'), 'utf8')) as OrgRollup;
    assert.equal(rollup.accounts.find((account) => account.id === PROD)?.alias, 'acct-222');
    // Without an index, the signed PDF carries the index made of the folder, each snapshot's SHA-256 as read.
    const verified = await runCli(['verify', await find(out, '.pdf'), '--trust', pki.caPem]);
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);
    assert.match(verified.stdout, /org-index-of-folder\.json \(\d+ bytes\), SHA-256 [0-9a-f]{64}, matches the document metadata/);
    assert.ok(rollup.worstAccounts.length > 0 && rollup.worstAccounts.every((account) => account.name === `acct-${account.id.slice(0, 3)}`));
    const html = await readFile(await find(out, '.html'), 'utf8');
    assert.match(html, /<td>222222222222 acct-222<\/td>/);
  });

  test('--sign-p12: the organisation PDF carries the index, is signed, and verify and pdfsig accept it', async () => {
    const out = join(folder.path, 'signed-pdf');
    const run = await runCli(['report', indexPath, '-d', out, '--format', 'pdf', '--sign-p12', pki.signerP12, '--sign-pass-env', 'IAM_AUDIT_TEST_P12_PASSWORD', '--sign-reason', 'Quarterly organisation audit'], { env: SIGNING_ENV });
    assert.equal(run.code, 3, run.stderr);
    const pdfPath = await find(out, '.pdf');
    const verified = await runCli(['verify', pdfPath, '--trust', pki.caPem, '--snapshot', indexPath]);
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);
    assert.match(verified.stdout, /VERIFIED/);
    assert.match(verified.stdout, /reason "Quarterly organisation audit"/);
    assert.match(verified.stdout, /org-index\.json \(\d+ bytes\), SHA-256 [0-9a-f]{64}, matches the document metadata/);
    const text = await pdfsig(pdfPath, await nssTrusting(pki.caPem, folder.path));
    assert.match(text, /Signature is Valid/);
    assert.match(text, /Total document signed/);
    assert.match(text, /Certificate is Trusted/);
    // Another file given as the source: verify fails.
    const other = await runCli(['verify', pdfPath, '--trust', pki.caPem, '--snapshot', await find(out, '.manifest.json')]);
    assert.equal(other.code, 1, other.stdout);
  });

  test('without --sign-p12 the organisation PDF is not signed: verify says so', async () => {
    const out = join(folder.path, 'unsigned-pdf');
    const run = await runCli(['report', indexPath, '-d', out, '--format', 'pdf'], { env: SIGNING_ENV });
    assert.equal(run.code, 3, run.stderr);
    const verified = await runCli(['verify', await find(out, '.pdf')]);
    assert.notEqual(verified.code, 0);
    assert.match(verified.stdout + verified.stderr, /not signed/);
  });

  test('signed evidence lists the report, the index and every snapshot; verify holds, and the index checks against the snapshots', async () => {
    const out = join(folder.path, 'signed');
    const run = await runCli(['report', indexPath, '-d', out, '--format', 'json', '--sign-p12', pki.signerP12, '--sign-pass-env', 'IAM_AUDIT_TEST_P12_PASSWORD'], { env: SIGNING_ENV });
    assert.equal(run.code, 3, run.stderr);
    const manifestPath = await find(out, '.manifest.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { artifacts: { name: string }[] };
    const names = manifest.artifacts.map((artifact) => artifact.name);
    assert.ok(names.includes('../snapshots/org-index.json'));
    for (const account of COLLECTED) assert.ok(names.some((name) => name.startsWith(`../snapshots/${account}/snapshot-${account}-`)), account);
    assert.ok(names.some((name) => /^iam_audit_org_.*\.json$/.test(name)));
    const verified = await runCli(['verify', manifestPath, '--trust', pki.caPem]);
    assert.equal(verified.code, 0, verified.stdout);
    const index = await runCli(['verify', indexPath]);
    assert.equal(index.code, 0, index.stdout);
    assert.equal((index.stdout.match(/SHA-256 matches the index/g) ?? []).length, 5);
  });

  test('the PDF is the HTML report printed', async () => {
    const out = join(folder.path, 'pdf');
    const run = await runCli(['report', indexPath, '-d', out, '--format', 'pdf'], { env: SIGNING_ENV });
    assert.equal(run.code, 3, run.stderr);
    const text = await pdfText(await find(out, '.pdf'));
    for (const expected of ['IAM audit of organisation o-exampleorg1', 'Worst identities', '444444444444']) assert.ok(text.includes(expected), expected);
  });

  test('--per-account also writes each account\'s own report', async () => {
    const out = join(folder.path, 'per-account');
    const run = await runCli(['report', indexPath, '-d', out, '--format', 'json', '--per-account'], { env: SIGNING_ENV });
    assert.equal(run.code, 3, run.stderr);
    const entries = (await readdir(out)).filter((name) => /^\d{12}$/.test(name)).sort();
    assert.deepEqual(entries, [...COLLECTED].sort());
    const prod = JSON.parse(await readFile(await find(join(out, PROD), '.json'), 'utf8')) as { snapshot: { account: { id: string } } };
    assert.equal(prod.snapshot.account.id, PROD);
  });

  test('a folder of snapshots reports too', async () => {
    const out = join(folder.path, 'folder');
    const run = await runCli(['report', snapshots, '-d', out, '--format', 'json'], { env: SIGNING_ENV });
    assert.equal(run.code, 3, run.stderr);
    const rollup = JSON.parse(await readFile(await find(out, '.json'), 'utf8')) as OrgRollup;
    assert.deepEqual(
      rollup.accounts.map((account) => account.id),
      [...COLLECTED].sort(),
    );
  });

  test('a snapshot changed since collection: report refuses (exit 2, nothing written) and verify fails', async () => {
    const index = JSON.parse(await readFile(indexPath, 'utf8')) as { accounts: { id: string; snapshot: string | null }[] };
    const target = join(snapshots, index.accounts.find((account) => account.id === DEV)?.snapshot ?? '');
    const original = await readFile(target, 'utf8');
    await writeFile(target, original.replace('"users"', '"users" '));
    try {
      const out = join(folder.path, 'tampered');
      const run = await runCli(['report', indexPath, '-d', out, '--format', 'json'], { env: SIGNING_ENV });
      assert.equal(run.code, 2);
      assert.match(run.stderr, /accounts\[2\]\.sha256: 333333333333\/snapshot-.*it changed since collection/);
      await assert.rejects(readdir(out), { code: 'ENOENT' });
      const verified = await runCli(['verify', indexPath]);
      assert.equal(verified.code, 1);
      assert.match(verified.stdout, /FAIL {2}333333333333 .*changed/);
    } finally {
      await writeFile(target, original);
    }
  });
});
