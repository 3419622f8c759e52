import { defineRule } from './rule.js';
import { judgePasswordPolicy, PASSWORD_POLICY_COMMON_CASES, policyCase } from './support/password-policy.js';

export const passwordPolicyMaxAge = defineRule({
  id: 'password-policy-max-age',
  title: 'The password policy expires passwords within 90 days',
  severity: 'low',
  rationale:
    'Expiry bounds how long a leaked password stays useful. CIS dropped this from recent versions (NIST SP 800-63B advises against forced rotation), but FSBP IAM.17 and PCI DSS 8.3.9 still ask for it.',
  remediation: {
    console: ['Open the IAM console, Account settings.', 'Under Password policy choose Edit, tick Enable password expiration and set 90 days or fewer.', 'Save changes.'],
    cli: 'aws iam update-account-password-policy --max-password-age 90 (repeat the other settings you keep: the call replaces the whole policy)',
  },
  requires: ['account.passwordPolicy'],
  defaultOptions: { maxAgeDays: 90 },
  judgeAccount(snapshot, context) {
    const limit = context.options.maxAgeDays;
    return judgePasswordPolicy(snapshot, (policy) => {
      const age = policy.expirePasswords ? policy.maxPasswordAge : null;
      return { failed: age === null || age > limit, facts: { maxPasswordAge: age } };
    });
  },
  /** `maxPasswordAge` null: passwords never expire. */
  describe(facts: { readonly maxPasswordAge: number | null }) {
    return `passwords ${facts.maxPasswordAge === null ? 'never expire' : `expire after ${facts.maxPasswordAge} days`}`;
  },
  tests: [
    ...PASSWORD_POLICY_COMMON_CASES,
    policyCase('exactly 90 days passes', { expirePasswords: true, maxPasswordAge: 90 }, 'pass'),
    policyCase('91 days fails', { expirePasswords: true, maxPasswordAge: 91 }, 'fail'),
    policyCase('no expiry fails', { expirePasswords: false, maxPasswordAge: null }, 'fail'),
    policyCase('30 days passes', { expirePasswords: true, maxPasswordAge: 30 }, 'pass'),
  ],
});
