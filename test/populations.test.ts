/**
 * A verdict is only as good as its population: a rule over a list that is not known to be
 * complete gives an account-level not_evaluated result, so the control it maps to can never pass,
 * while the members it did see may still fail. And the reconciliation is stated in every output.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { analyze } from '../src/analyze/analyze.js';
import type { AnalysisResult } from '../src/analyze/result.js';
import { renderSummary } from '../src/render/console.js';
import { renderDefaultHtml } from '../src/render/html.js';
import { NO_BRANDING } from '../src/render/report-model.js';
import { renderJsonChunks } from '../src/render/json.js';
import { daysAgo, group, key, role, snapshotWith, user } from '../src/rules/testing.js';
import { parseSnapshot } from '../src/snapshot/io.js';
import { completePopulation, incompletePopulation, known, type Snapshot } from '../src/snapshot/types.js';
import { USER_POPULATION_CONTROLS } from './support/population-controls.js';
import { FIXTURES } from './support/cli.js';

const RUN = { startedAt: '2026-06-01T00:00:00.000Z', endedAt: '2026-06-01T00:00:01.000Z', elapsedSeconds: 1 };

function analysed(snapshot: Snapshot): AnalysisResult {
  return analyze({ snapshot, snapshotFile: { fileName: 'snapshot.json', sha256: 'f'.repeat(64), migratedFrom: null }, tool: { name: 'iam-audit', version: 'test' }, run: RUN });
}

function control(result: AnalysisResult, framework: string, controlId: string): string {
  const found = result.catalogue?.frameworks.find((entry) => entry.id === framework)?.controls.find((entry) => entry.controlId === controlId);
  assert.ok(found, `${framework} ${controlId} exists`);
  return found.status;
}

/** Three clean users: console with MFA used yesterday, one fresh key each, used yesterday; no policies. */
function cleanAccount(populations: Snapshot['populations'] | null): Snapshot {
  const users = ['ana', 'ben', 'cy'].map((name) =>
    user(name, { console: true, mfa: true, keys: [key({ created: daysAgo(10), lastUsed: daysAgo(1) })], attachedPolicies: [], inlinePolicies: [], groups: [] }),
  );
  const base = snapshotWith({ source: 'aws-api', users });
  return populations === null ? base : { ...base, populations };
}

const PARTIAL_USERS = incompletePopulation('iam:ListUsers failed on page 2 (InternalFailure: We encountered an internal error)', 3, 14, 'iam:GetAccountSummary Users');


describe('incomplete populations', () => {
  it('the clean account passes every population control when its user list is complete', () => {
    const result = analysed(cleanAccount(null));
    for (const [framework, controlId] of USER_POPULATION_CONTROLS) assert.equal(control(result, framework, controlId), 'pass', `${framework} ${controlId}`);
  });

  it('the same account with users missing from the list never passes them', () => {
    const base = cleanAccount(null);
    const result = analysed({ ...base, populations: { ...base.populations, users: PARTIAL_USERS } });
    for (const [framework, controlId] of USER_POPULATION_CONTROLS) assert.equal(control(result, framework, controlId), 'not_evaluated', `${framework} ${controlId}`);
    const rotation = result.catalogue?.results.filter((entry) => entry.ruleId === 'access-key-rotation') ?? [];
    const accountLevel = rotation.find((entry) => entry.resourceType === 'account');
    assert.equal(accountLevel?.status, 'not_evaluated');
    assert.match(accountLevel?.reason ?? '', /the list of IAM users is incomplete \(iam:ListUsers failed on page 2 .*; expected 14 \(iam:GetAccountSummary Users\), collected 3\)/);
    // The users it saw are still judged.
    assert.deepEqual(rotation.filter((entry) => entry.resourceType !== 'account').map((entry) => entry.status), ['pass', 'pass', 'pass']);
  });

  it('a failure among the users seen still fails the control', () => {
    const base = cleanAccount(null);
    const stale = user('old', { console: true, mfa: true, keys: [key({ created: daysAgo(200), lastUsed: daysAgo(1) })], attachedPolicies: [], inlinePolicies: [], groups: [] });
    const snapshot = { ...base, users: [...base.users, stale], populations: { ...base.populations, users: { ...PARTIAL_USERS, collected: 4 } } };
    assert.equal(control(analysed(snapshot), 'cis-5.0', '1.13'), 'fail');
  });

  it('root-only controls do not depend on the user list', () => {
    const base = cleanAccount(null);
    const result = analysed({ ...base, populations: { ...base.populations, users: PARTIAL_USERS } });
    assert.equal(control(result, 'fsbp', 'IAM.4'), 'pass');
  });

  it('an MFA device count that disagrees leaves the MFA controls open, not the key controls', () => {
    const base = cleanAccount(null);
    const devices = incompletePopulation('GetAccountSummary counts 4 MFA devices in use, the collection found 3', 3, 4, 'iam:GetAccountSummary MFADevicesInUse');
    const result = analysed({ ...base, populations: { ...base.populations, mfaDevices: devices } });
    assert.equal(control(result, 'cis-5.0', '1.9'), 'not_evaluated');
    assert.equal(control(result, 'cis-5.0', '1.13'), 'pass');
  });

  it('an incomplete role list keeps the support-role and admin-policy controls from passing', () => {
    const support = role('support', { attached: [{ policyName: 'AWSSupportAccess', policyArn: 'arn:aws:iam::aws:policy/AWSSupportAccess' }] });
    const base = snapshotWith({ source: 'aws-api', accountFacts: { roles: known([support]), groups: known([group('g')]), managedPolicies: known([]) } });
    assert.equal(control(analysed(base), 'fsbp', 'IAM.18'), 'pass');
    const partial = { ...base, populations: { ...base.populations, roles: incompletePopulation('GetAccountAuthorizationDetails page 3 failed', 1, 40, 'iam:GetAccountSummary Roles') } };
    assert.equal(control(analysed(partial), 'fsbp', 'IAM.18'), 'not_evaluated');
  });

  it('the console and the JSON state the reconciliation, expected and collected', async () => {
    const base = cleanAccount(null);
    const result = analysed({ ...base, populations: { ...base.populations, users: PARTIAL_USERS } });
    const summary = renderSummary(result, []);
    assert.match(summary, /^Population: 3 IAM users collected of 14 expected \(iam:GetAccountSummary Users\); INCOMPLETE: iam:ListUsers failed on page 2/m);
    const json = JSON.parse([...renderJsonChunks(result)].join('')) as { snapshot: { populations: { name: string; state: string; expected: number; collected: number }[] } };
    const users = json.snapshot.populations.find((entry) => entry.name === 'users');
    assert.deepEqual({ state: users?.state, expected: users?.expected, collected: users?.collected }, { state: 'incomplete', expected: 14, collected: 3 });
  });

  it('the printable methodology names the caller, the API calls and the reconciliation', async () => {
    const base = cleanAccount(null);
    const live: Snapshot = {
      ...base,
      collection: { ...base.collection, callerArn: 'arn:aws:sts::123456789012:assumed-role/Auditor/iam-audit', region: 'eu-west-1', apiCalls: 57, retries: 2 },
      populations: { ...base.populations, users: PARTIAL_USERS },
    };
    const html = (await renderDefaultHtml(analysed(live), NO_BRANDING)).replace(/<wbr>|&#8203;|\u200b/g, '');
    assert.match(html, /Caller identity<\/dt><dd[^>]*>arn:aws:sts::123456789012:assumed-role\/Auditor\/iam-audit<\/dd>/);
    assert.match(html, /AWS API calls<\/dt><dd>57 calls, 2 retries, 0 collection error\(s\)<\/dd>/);
    assert.match(html, /<td>IAM users<\/td><td class="num">3<\/td><td class="num">14<\/td><td>iam:GetAccountSummary Users<\/td><td>incomplete: iam:ListUsers failed on page 2/);
    const json = JSON.parse([...renderJsonChunks(analysed(live))].join('')) as { snapshot: { collection: { caller_arn: string; api_calls: number } } };
    assert.deepEqual([json.snapshot.collection.caller_arn, json.snapshot.collection.api_calls], ['arn:aws:sts::123456789012:assumed-role/Auditor/iam-audit', 57]);
  });

  it('a complete list with agreeing counts says so', () => {
    const base = cleanAccount(null);
    const result = analysed({ ...base, populations: { ...base.populations, users: completePopulation(3, 3, 'iam:GetAccountSummary Users') } });
    assert.match(renderSummary(result, []), /^Population: 3 IAM users collected of 3 expected \(iam:GetAccountSummary Users\); complete, the counts agree\.$/m);
  });
});

describe('snapshot schema version 1', () => {
  it('a v1 credential-report snapshot migrates to v2 and gives the same results as its v2 twin', async () => {
    const v1Bytes = await readFile(join(FIXTURES, 'snapshots', 'v1', 'demo-credential-report.json'));
    const v2Bytes = await readFile(join(FIXTURES, 'demo', 'snapshot.json'));
    const v1 = parseSnapshot(v1Bytes, 'v1.json');
    const v2 = parseSnapshot(v2Bytes, 'v2.json');
    assert.equal(v1.migratedFrom, 1);
    assert.equal(v2.migratedFrom, null);
    assert.deepEqual(v1.snapshot.populations, v2.snapshot.populations);
    const strip = (result: AnalysisResult): unknown => ({ mfa: result.mfa, catalogue: result.catalogue, inventory: result.inventory });
    assert.deepEqual(strip(analysed(v1.snapshot)), strip(analysed(v2.snapshot)));
  });

  it('a v1 live snapshot whose ListUsers failed migrates with an incomplete user list', () => {
    const v2 = snapshotWith({ source: 'aws-api', users: [user('ana')] });
    const { populations: _dropped, ...rest } = v2;
    const v1 = {
      ...rest,
      schemaVersion: 1,
      collectionErrors: [{ api: 'iam:ListUsers', resource: null, code: 'InternalFailure', message: 'page 2 failed', affects: ['users'] }],
    };
    const migrated = parseSnapshot(Buffer.from(JSON.stringify(v1)), 'v1-live.json');
    assert.equal(migrated.snapshot.populations.users.state, 'incomplete');
    assert.match(migrated.snapshot.populations.users.reason ?? '', /iam:ListUsers failed \(InternalFailure: page 2 failed\)/);
    assert.equal(migrated.snapshot.populations.users.collected, 1);
  });
});
