import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyMfa, formatRate, summariseMfa } from '../src/analyze/mfa.js';
import type { MfaFinding } from '../src/analyze/result.js';
import { absent, known, type UserFacts } from '../src/snapshot/types.js';
import { HEADER_22, ROOT_ROW_OLD, importText, userRow } from './support/reports.js';

function userWith(cells: Record<string, string>): UserFacts {
  const { snapshot } = importText(`${HEADER_22}\n${ROOT_ROW_OLD}\n${userRow('someone', cells)}\n`);
  const user = snapshot.users[0];
  assert.ok(user);
  return user;
}

describe('the original MFA classification', () => {
  const cases = [
    { name: 'console password with MFA', cells: { password_enabled: 'true', mfa_active: 'true' }, status: 'PASS', console: true, mfa: true, message: 'MFA enabled for console user.' },
    { name: 'console password without MFA', cells: { password_enabled: 'true', mfa_active: 'false' }, status: 'FAIL', console: true, mfa: false, message: 'Console access WITHOUT MFA!' },
    { name: 'no console password', cells: { password_enabled: 'false', password_last_used: 'N/A', password_last_changed: 'N/A' }, status: 'INFO', console: false, mfa: false, message: 'No console access (MFA not required).' },
    { name: 'no console password but an MFA device', cells: { password_enabled: 'false', password_last_used: 'N/A', password_last_changed: 'N/A', mfa_active: 'true' }, status: 'INFO', console: false, mfa: true, message: 'No console access (MFA not required).' },
  ] as const;
  for (const testCase of cases) {
    it(`${testCase.name} is ${testCase.status}`, () => {
      const finding = classifyMfa(userWith(testCase.cells));
      assert.deepEqual(
        { status: finding.status, console: finding.hasConsoleAccess, mfa: finding.mfaEnabled, message: finding.message },
        { status: testCase.status, console: testCase.console, mfa: testCase.mfa, message: testCase.message },
      );
    });
  }

  it('a console user whose MFA status failed to collect is NOT_EVALUATED, never PASS', () => {
    const user = userWith({ password_enabled: 'true' });
    const finding = classifyMfa({ ...user, mfa: { ...user.mfa, active: absent('collection_failed', 'AccessDenied on iam:ListMFADevices') } });
    assert.equal(finding.status, 'NOT_EVALUATED');
    assert.equal(finding.mfaEnabled, null);
    assert.match(finding.message, /MFA status failed to collect \(AccessDenied on iam:ListMFADevices\)/);
  });

  it('a user whose login profile was not collected is NOT_EVALUATED', () => {
    const user = userWith({});
    const finding = classifyMfa({ ...user, password: { ...user.password, enabled: absent('collection_failed') }, mfa: { ...user.mfa, active: known(true) } });
    assert.equal(finding.status, 'NOT_EVALUATED');
    assert.equal(finding.hasConsoleAccess, null);
  });
});

describe('the summary and compliance rates', () => {
  const findings: MfaFinding[] = (['PASS', 'FAIL', 'INFO'] as const).map((status) => ({ username: status, arn: '', hasConsoleAccess: null, mfaEnabled: null, status, message: '' }));

  it('keeps the original rate (compliant / all users, one decimal) and adds the console-user rate', () => {
    const summary = summariseMfa(findings);
    assert.deepEqual(summary, {
      totalUsers: 3,
      compliant: 1,
      noConsoleAccess: 1,
      nonCompliant: 1,
      notEvaluated: 0,
      consoleUsers: 2,
      complianceRate: (1 / 3) * 100,
      consoleComplianceRate: 50,
    });
    assert.equal(formatRate(summary.complianceRate), '33.3%');
    assert.equal(formatRate(summary.consoleComplianceRate), '50.0%');
  });

  it('says n/a rather than dividing by zero', () => {
    const summary = summariseMfa([]);
    assert.equal(formatRate(summary.complianceRate), 'n/a');
    assert.equal(formatRate(summariseMfa([findings[2]!]).consoleComplianceRate), 'n/a');
  });
});
