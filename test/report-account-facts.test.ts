/**
 * Issue 25 §3: every PASS can be re-performed from paper. The account-level facts (password
 * policy, root's MFA device and certificates, support roles, CloudShell, "*:*" policies and where
 * attached, server certificates) are in the analysis result with each rule's verdict and printed
 * in an appendix; the identity matrix carries password_last_changed, each key's creation date and
 * (live) key id; "Changes since the previous report" names keys by user and slot or id.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze } from '../src/analyze/analyze.js';
import type { AnalysisResult } from '../src/analyze/result.js';
import { allFrameworks } from '../src/frameworks/index.js';
import { allRules } from '../src/rules/index.js';
import { allowDocument, attachment, daysAgo, group, key, managedPolicy, passwordPolicy, role, serverCertificate, snapshotWith, user } from '../src/rules/testing.js';
import { buildReportModel, NO_BRANDING } from '../src/render/report-model.js';
import { renderDefaultHtml } from '../src/render/html.js';
import { buildJsonReport } from '../src/render/json.js';
import { identityMatrixPart } from '../src/render/report-identities.js';
import { known, type Snapshot } from '../src/snapshot/types.js';

const text = (html: string): string => html.replace(/<style[\s\S]*?<\/style>/g, ' ').replace(/<[^>]+>/g, ' ').replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/\s+/g, ' ');

function liveSnapshot(): Snapshot {
  const alice = user('alice', {
    console: true,
    mfa: true,
    passwordLastChanged: daysAgo(20),
    keys: [key({ created: daysAgo(30), slot: 1, id: 'AKIAALICE00000000001' })],
    attachedPolicies: [attachment('AWSCloudShellFullAccess')],
    inlinePolicies: [],
    groups: [],
    mfaDevices: [],
  });
  const base = snapshotWith({
    source: 'aws-api',
    users: [alice],
    accountFacts: {
      passwordPolicy: passwordPolicy({ minimumPasswordLength: 16, passwordReusePrevention: 24 }),
      roles: known([role('aws-support', { attached: [attachment('AWSSupportAccess')] }), role('deployer')]),
      groups: known([group('admins', { attached: [attachment('AdminEverything', 'arn:aws:iam::123456789012:policy/AdminEverything')] })]),
      managedPolicies: known([managedPolicy('AdminEverything', { attachmentCount: 1, document: allowDocument('*') }), managedPolicy('ReadOnly', { attachmentCount: 1, document: allowDocument('s3:Get*') })]),
      serverCertificates: known([serverCertificate('old-site', daysAgo(10)), serverCertificate('new-site', daysAgo(-100))]),
      virtualMfaDevices: known([]),
    },
  });
  return base;
}

function run(snapshot: Snapshot): AnalysisResult {
  return analyze({
    snapshot,
    snapshotFile: { fileName: 'snapshot.json', sha256: 'ab'.repeat(32), migratedFrom: null },
    tool: { name: 'iam-audit', version: '0.0.0-test' },
    run: { startedAt: snapshot.capturedAt, endedAt: snapshot.capturedAt, elapsedSeconds: 0 },
    catalogue: { rules: allRules, frameworks: allFrameworks },
  });
}

const section = (result: AnalysisResult, id: string) => {
  const found = result.accountFacts?.sections.find((entry) => entry.id === id);
  assert.ok(found, id);
  return found;
};

describe('account-level facts in the result', () => {
  it('each fact judged, with the verdict and controls of every rule that judged it', () => {
    const result = run(liveSnapshot());
    const policy = section(result, 'password-policy');
    assert.equal(policy.notCollected, null);
    assert.deepEqual(policy.facts.find((fact) => fact.label === 'Minimum length'), { label: 'Minimum length', value: '16' });
    const minLength = policy.verdicts.find((verdict) => verdict.ruleId === 'password-policy-min-length');
    assert.equal(minLength?.status, 'pass');
    assert.match(minLength?.controls ?? '', /cis-5\.0 1\.7/);

    const support = section(result, 'support-role');
    assert.deepEqual(support.table?.rows, [['aws-support', 'arn:aws:iam::123456789012:role/aws-support']]);
    assert.equal(support.verdicts[0]?.status, 'pass');
    assert.match(support.verdicts[0]?.controls ?? '', /cis-5\.0 1\.16/);

    const cloudshell = section(result, 'cloudshell');
    assert.deepEqual(cloudshell.table?.rows, [['user alice']]);
    assert.equal(cloudshell.verdicts[0]?.status, 'fail');

    const admin = section(result, 'full-admin');
    assert.deepEqual(admin.table?.rows, [['AdminEverything', 'customer managed', 'statement 0', 'group admins']]);
    assert.equal(admin.verdicts[0]?.status, 'fail');

    const certificates = section(result, 'server-certificates');
    assert.deepEqual(
      certificates.table?.rows.map((row) => [row[0], row[2]]),
      [
        ['old-site', 'expired'],
        ['new-site', 'valid'],
      ],
    );
    assert.equal(certificates.verdicts[0]?.status, 'fail');

    const root = section(result, 'root');
    assert.equal(root.facts.find((fact) => fact.label === 'MFA active')?.value, 'yes');
    assert.match(root.facts.find((fact) => fact.label === 'MFA device type')?.value ?? '', /^hardware TOTP or FIDO\/U2F/);
    assert.equal(root.facts.find((fact) => fact.label === 'Active signing (X.509) certificates')?.value, '0');
    assert.deepEqual(root.verdicts.map((verdict) => verdict.ruleId), ['root-mfa', 'root-hardware-mfa', 'root-access-keys', 'root-recent-use']);
  });

  it('a credential report import says what was not collected, never a pass', () => {
    const result = run(snapshotWith({ users: [user('bob', { console: true })] }));
    const support = section(result, 'support-role');
    assert.match(support.notCollected ?? '', /^not collected: live collection/);
    assert.equal(support.table, null);
    assert.equal(support.verdicts[0]?.status, 'not_evaluated');
    assert.equal(section(result, 'password-policy').verdicts.every((verdict) => verdict.status === 'not_evaluated'), true);
  });

  it('is printed in an appendix and carried in the JSON', async () => {
    const result = run(liveSnapshot());
    const html = text(await renderDefaultHtml(result));
    assert.match(html, /Appendix: account-level facts/);
    assert.match(html, /Support role \(AWSSupportAccess\) Roles collected 2 Role with AWSSupportAccess attached ARN aws- ?support/);
    assert.match(html, /Policies allowing "\*:\*" and where attached Policy Kind Allows "\*" on "\*" in Attached to AdminEverything customer managed statement 0 group admins Rule Verdict Results Controls full- ?admin- ?policies No attached policy allows full "\*:\*" administrative privileges FAIL 1 fail/);
    const json = buildJsonReport(result) as { account_facts: { sections: { id: string }[] } };
    assert.deepEqual(json.account_facts.sections.map((entry) => entry.id), ['password-policy', 'root', 'support-role', 'cloudshell', 'full-admin', 'server-certificates']);
  });
});

describe('identity matrix: the dates and key ids that decide a verdict', () => {
  it('password last changed, each key created date and its id from live collection', () => {
    const part = identityMatrixPart(run(liveSnapshot()));
    const alice = (part.rows as { name: string; passwordLastChanged: string; keys: { created: string; id: string }[] }[]).find((row) => row.name === 'alice');
    assert.equal(alice?.passwordLastChanged, daysAgo(20).slice(0, 10));
    assert.equal(alice?.keys[0]?.created, daysAgo(30).slice(0, 10));
    assert.equal(alice?.keys[0]?.id, 'AKIAALICE00000000001');
    assert.equal(alice?.keys[1]?.id, '');
  });
});

describe('changes since the previous report name keys as people do', () => {
  it('"bob, key 1" under the user ARN, never bob#access_key_1 as an ARN', () => {
    const result: AnalysisResult = {
      ...run(liveSnapshot()),
      changesSincePrevious: {
        previous: { fileName: 'old.json', kind: 'snapshot', capturedAt: '2026-01-01T00:00:00Z', snapshotFile: 'old.json', snapshotSha256: 'cd'.repeat(32) },
        counts: { newlyFailing: 2, resolved: 0, stillFailing: 0, controlsChanged: 0 },
        newlyFailing: [
          { findingId: 'a', ruleId: 'access-key-rotation', ruleTitle: 't', severity: 'medium', resourceName: 'bob#access_key_1', resourceArn: 'arn:aws:iam::123456789012:user/bob#access_key_1', before: 'pass', after: 'fail' },
          { findingId: 'b', ruleId: 'access-key-rotation', ruleTitle: 't', severity: 'medium', resourceName: 'carol#AKIACAROL00000000001', resourceArn: 'arn:aws:iam::123456789012:user/carol#AKIACAROL00000000001', before: null, after: 'fail' },
        ],
        resolved: [],
        controlMovements: [],
      },
    };
    const model = buildReportModel(result, NO_BRANDING, 'html');
    const part = model.parts.find((entry) => entry.partial === 'previous-changes');
    const changes = part?.context['changes'] as { newlyFailing: { resourceName: string; resourceArn: string }[] };
    assert.deepEqual(
      changes.newlyFailing.map((entry) => [entry.resourceName, entry.resourceArn]),
      [
        ['bob, key 1', 'arn:aws:iam::123456789012:user/bob'],
        ['carol, key AKIACAROL00000000001', 'arn:aws:iam::123456789012:user/carol'],
      ],
    );
  });
});
