import { defineRule } from './rule.js';
import { judgePasswordPolicy, PASSWORD_POLICY_COMMON_CASES, policyCase } from './support/password-policy.js';

export const passwordPolicyRequireUppercase = defineRule({
  id: 'password-policy-require-uppercase',
  title: 'The password policy requires an uppercase letter (A-Z)',
  severity: 'low',
  rationale: 'Each required character class widens the space an attacker must search; FSBP and PCI DSS ask for mixed character classes.',
  remediation: {
    console: ['Open the IAM console, Account settings.', 'Under Password policy choose Edit, tick "Require at least one uppercase letter from the Latin alphabet (A-Z)".', 'Save changes.'],
    cli: 'aws iam update-account-password-policy --require-uppercase-characters (repeat the other settings you keep: the call replaces the whole policy)',
  },
  requires: ['account.passwordPolicy'],
  defaultOptions: {},
  judgeAccount(snapshot) {
    return judgePasswordPolicy(snapshot, (policy) => ({
      failed: !policy.requireUppercaseCharacters,
      facts: { requireUppercaseCharacters: policy.requireUppercaseCharacters },
    }));
  },
  describe(facts: { readonly requireUppercaseCharacters: boolean }) {
    return `requireUppercaseCharacters ${String(facts.requireUppercaseCharacters)}`;
  },
  tests: [...PASSWORD_POLICY_COMMON_CASES, policyCase('class not required fails', { requireUppercaseCharacters: false }, 'fail')],
});
