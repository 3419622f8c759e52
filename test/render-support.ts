/** Shared inputs for the render tests: the demo's analysis, and a hand-built rule catalogue. */
import { join } from 'node:path';
import { analyseLoaded } from '../src/app/shared/analyse.js';
import type { AnalysisResult, CatalogueResult, MfaFinding, RuleResult, RuleResultStatus } from '../src/analyze/result.js';
import { stableFindingId } from '../src/analyze/finding-id.js';
import { summariseMfa } from '../src/analyze/mfa.js';
import { readSnapshot } from '../src/snapshot/io.js';
import { FIXTURES } from './support/cli.js';

function withFindingIds(results: readonly Omit<RuleResult, 'findingId'>[]): RuleResult[] {
  return results.map((result) => ({ findingId: stableFindingId(result.ruleId, result.resourceArn), ...result }));
}

export const DEMO_SNAPSHOT = join(FIXTURES, 'demo', 'snapshot.json');
export const DEMO_CREDENTIAL_REPORT = join(FIXTURES, 'demo', 'credential-report.csv');
export const REPORT_TIME = new Date('2026-11-05T10:00:00Z');

export async function demoResult(): Promise<AnalysisResult> {
  return analyseLoaded(await readSnapshot(DEMO_SNAPSHOT), REPORT_TIME, REPORT_TIME);
}

export const HOSTILE_NAME = '<img src=x onerror=alert(1)>&"quoted"';

/** The demo with one extra FAIL user whose name and ARN try to break out of the markup. */
export function withHostileUser(result: AnalysisResult): AnalysisResult {
  const hostile: MfaFinding = {
    username: HOSTILE_NAME,
    arn: `arn:aws:iam::${result.snapshot.account.id}:user/${HOSTILE_NAME}`,
    hasConsoleAccess: true,
    mfaEnabled: false,
    status: 'FAIL',
    message: 'Console access WITHOUT MFA!',
  };
  const findings = [...result.mfa.findings, hostile];
  return { ...result, mfa: { findings, summary: summariseMfa(findings) } };
}

const counts = (partial: Partial<Record<RuleResultStatus, number>>): Record<RuleResultStatus, number> => ({
  pass: 0,
  fail: 0,
  not_applicable: 0,
  not_evaluated: 0,
  error: 0,
  excepted: 0,
  ...partial,
});

/** A small catalogue as the rule engine (issue #4) will produce it. */
export const SMALL_CATALOGUE: CatalogueResult = {
  rules: [
    {
      id: 'iam-user-console-mfa',
      title: 'Console users have MFA',
      severity: 'high',
      rationale: 'A password alone is phished & reused.',
      remediation: { console: ['Open IAM > Users', 'Assign an MFA device'], cli: 'aws iam enable-mfa-device --user-name <user>' },
      requires: [{ requirement: 'users.mfa', description: "users' MFA status", source: 'a credential report' }],
      controls: [{ framework: 'cis-5.0', controlId: '1.10' }],
      options: {},
      enabled: true,
      counts: counts({ fail: 2, pass: 1, excepted: 1 }),
    },
    {
      id: 'root-no-access-keys',
      title: 'The root user has no access keys',
      severity: 'critical',
      rationale: 'Root keys cannot be restricted.',
      remediation: { console: ['Delete the root access keys'], cli: '' },
      requires: [],
      controls: [{ framework: 'cis-5.0', controlId: '1.4' }],
      options: {},
      enabled: true,
      counts: counts({ pass: 1 }),
    },
    {
      id: 'password-policy-length',
      title: 'Password policy requires 14 characters',
      severity: 'medium',
      rationale: 'Long passwords resist guessing.',
      remediation: { console: [], cli: 'aws iam update-account-password-policy --minimum-password-length 14' },
      requires: [],
      controls: [{ framework: 'cis-5.0', controlId: '1.8' }],
      options: { minimumLength: 14 },
      enabled: true,
      counts: counts({ not_evaluated: 1 }),
    },
  ],
  results: withFindingIds([
    { ruleId: 'iam-user-console-mfa', severity: 'high', resourceType: 'user', resourceArn: 'arn:aws:iam::111122223333:user/bob.admin', resourceName: 'bob.admin', status: 'fail', evidence: 'console password, no MFA device', reason: null, exception: null, expiredException: null },
    { ruleId: 'iam-user-console-mfa', severity: 'high', resourceType: 'user', resourceArn: `arn:aws:iam::111122223333:user/x`, resourceName: HOSTILE_NAME, status: 'fail', evidence: 'evidence <script>', reason: null, exception: null, expiredException: null },
    { ruleId: 'iam-user-console-mfa', severity: 'high', resourceType: 'user', resourceArn: 'arn:aws:iam::111122223333:user/alice.admin', resourceName: 'alice.admin', status: 'pass', evidence: 'virtual MFA', reason: null, exception: null, expiredException: null },
    {
      ruleId: 'iam-user-console-mfa',
      severity: 'high',
      resourceType: 'user',
      resourceArn: 'arn:aws:iam::111122223333:user/break.glass',
      resourceName: 'break.glass',
      status: 'excepted',
      evidence: 'console password, no MFA device',
      reason: null,
      exception: { justification: 'Emergency access kept in the safe', approvedBy: 'ciso@example.com', expires: '2027-01-01', resourcePattern: '*break.glass' },
      expiredException: null,
    },
    { ruleId: 'root-no-access-keys', severity: 'critical', resourceType: 'root', resourceArn: 'arn:aws:iam::111122223333:root', resourceName: '<root_account>', status: 'pass', evidence: 'no keys', reason: null, exception: null, expiredException: null },
    { ruleId: 'password-policy-length', severity: 'medium', resourceType: 'account', resourceArn: 'arn:aws:iam::111122223333:root', resourceName: 'account', status: 'not_evaluated', evidence: '', reason: 'the account password policy was not collected (needs live collection)', exception: null, expiredException: null },
  ]),
  frameworks: [
    {
      id: 'cis-5.0',
      name: 'CIS AWS Foundations Benchmark',
      version: '5.0.0',
      controls: [
        { controlId: '1.4', title: 'Ensure no root user account access key exists', level: 'Level 1', assessment: 'Automated', status: 'pass', ruleIds: ['root-no-access-keys'] },
        { controlId: '1.8', title: 'Ensure IAM password policy requires minimum length of 14', level: 'Level 1', assessment: 'Automated', status: 'not_evaluated', ruleIds: ['password-policy-length'] },
        { controlId: '1.10', title: 'Ensure MFA is enabled for all IAM users that have a console password', level: 'Level 1', assessment: 'Automated', status: 'fail', ruleIds: ['iam-user-console-mfa'] },
        { controlId: '1.1', title: 'Maintain current contact details', level: 'Level 1', assessment: 'Manual', status: 'manual', ruleIds: [] },
      ],
      counts: { pass: 1, pass_with_exceptions: 0, fail: 1, not_evaluated: 1, manual: 1 },
    },
  ],
  exceptions: {
    file: { name: 'exceptions.yaml', sha256: 'ab'.repeat(32) },
    expired: [{ ruleId: 'root-no-access-keys', resourcePattern: '*', expires: '2026-01-01', justification: 'old migration' }],
    unused: [{ ruleId: 'password-policy-length', resourcePattern: 'account', justification: 'never matched' }],
  },
  configuration: { file: null },
};
