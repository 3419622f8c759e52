import type { Fact, UserFacts } from '../snapshot/types.js';
import type { MfaFinding, MfaStatus, MfaSummary } from './result.js';

function describeAbsence(fact: Fact<unknown>, what: string): string | null {
  if (fact.known) return null;
  return fact.reason === 'collection_failed'
    ? `${what} failed to collect${fact.detail === undefined ? '' : ` (${fact.detail})`}`
    : `${what} was not collected`;
}

/**
 * The original iam_audit.py classification, unchanged: a console password with MFA is PASS,
 * without MFA is FAIL, no console password is INFO. Where the snapshot lacks the data the original
 * asked the API for, the user is NOT_EVALUATED with the reason: missing data is never a pass.
 */
export function classifyMfa(user: UserFacts): MfaFinding {
  // Object literals of one shape, not spreads of a base: built for every user (100,000 of them), and a spread
  // costs several times a literal. The keys' order is the JSON report's and the MFA CSV's.
  const username = user.name;
  const arn = user.arn;
  const consoleMissing = describeAbsence(user.password.enabled, 'console access (login profile)');
  if (consoleMissing !== null) {
    return { username, arn, hasConsoleAccess: null, mfaEnabled: user.mfa.active.known ? user.mfa.active.value : null, status: 'NOT_EVALUATED', message: `Not evaluated: ${consoleMissing}.` };
  }
  const hasConsoleAccess = user.password.enabled.known && user.password.enabled.value;
  const mfaMissing = describeAbsence(user.mfa.active, 'MFA status');
  if (!hasConsoleAccess) {
    // The original reported mfa_enabled for INFO users too (always False in its sample, as it
    // only looked at MFA for console users); keep the real value when we know it.
    return { username, arn, hasConsoleAccess: false, mfaEnabled: user.mfa.active.known ? user.mfa.active.value : false, status: 'INFO', message: 'No console access (MFA not required).' };
  }
  if (mfaMissing !== null || !user.mfa.active.known) {
    return { username, arn, hasConsoleAccess: true, mfaEnabled: null, status: 'NOT_EVALUATED', message: `Not evaluated: ${mfaMissing ?? 'MFA status unknown'}.` };
  }
  return user.mfa.active.value
    ? { username, arn, hasConsoleAccess: true, mfaEnabled: true, status: 'PASS', message: 'MFA enabled for console user.' }
    : { username, arn, hasConsoleAccess: true, mfaEnabled: false, status: 'FAIL', message: 'Console access WITHOUT MFA!' };
}

/**
 * classifyMfa's status alone, without its finding (for `trend`, which counts 250,000 users and needs
 * no message): the same branches in the same order; test/trend-point.test.ts holds them equal.
 */
export function mfaStatus(user: UserFacts): MfaStatus {
  if (!user.password.enabled.known) return 'NOT_EVALUATED';
  if (!user.password.enabled.value) return 'INFO';
  if (!user.mfa.active.known) return 'NOT_EVALUATED';
  return user.mfa.active.value ? 'PASS' : 'FAIL';
}

export function summariseMfa(findings: readonly MfaFinding[]): MfaSummary {
  return summariseMfaStatuses(findings.map((finding) => finding.status));
}

export function summariseMfaStatuses(statuses: readonly MfaStatus[]): MfaSummary {
  let compliant = 0;
  let noConsoleAccess = 0;
  let nonCompliant = 0;
  let notEvaluated = 0;
  for (const status of statuses) {
    if (status === 'PASS') compliant += 1;
    else if (status === 'INFO') noConsoleAccess += 1;
    else if (status === 'FAIL') nonCompliant += 1;
    else notEvaluated += 1;
  }
  const totalUsers = statuses.length;
  const consoleUsers = compliant + nonCompliant;
  return {
    totalUsers,
    compliant,
    noConsoleAccess,
    nonCompliant,
    notEvaluated,
    consoleUsers,
    complianceRate: totalUsers === 0 ? null : (compliant / totalUsers) * 100,
    consoleComplianceRate: consoleUsers === 0 ? null : (compliant / consoleUsers) * 100,
  };
}

/** "33.3%" as the original printed it (one decimal); "n/a" when there is nothing to divide. */
export function formatRate(rate: number | null): string {
  return rate === null ? 'n/a' : `${rate.toFixed(1)}%`;
}
