import { defineRule } from './rule.js';
import { judgePasswordPolicy, PASSWORD_POLICY_COMMON_CASES, policyCase } from './support/password-policy.js';

export const passwordPolicyRequireNumbers = defineRule({
  id: 'password-policy-require-numbers',
  title: 'The password policy requires a number (0-9)',
  severity: 'low',
  rationale: 'Each required character class widens the space an attacker must search; FSBP and PCI DSS ask for mixed character classes.',
  remediation: {
    console: ['Open the IAM console, Account settings.', 'Under Password policy choose Edit, tick "Require at least one number".', 'Save changes.'],
    cli: 'aws iam update-account-password-policy --require-numbers (repeat the other settings you keep: the call replaces the whole policy)',
  },
  requires: ['account.passwordPolicy'],
  defaultOptions: {},
  judgeAccount(snapshot) {
    return judgePasswordPolicy(snapshot, (policy) => ({
      failed: !policy.requireNumbers,
      facts: { requireNumbers: policy.requireNumbers },
    }));
  },
  describe(facts: { readonly requireNumbers: boolean }) {
    return `requireNumbers ${String(facts.requireNumbers)}`;
  },
  tests: [...PASSWORD_POLICY_COMMON_CASES, policyCase('class not required fails', { requireNumbers: false }, 'fail')],
});
