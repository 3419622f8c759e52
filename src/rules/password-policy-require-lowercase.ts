import { defineRule } from './rule.js';
import { judgePasswordPolicy, PASSWORD_POLICY_COMMON_CASES, policyCase } from './support/password-policy.js';

export const passwordPolicyRequireLowercase = defineRule({
  id: 'password-policy-require-lowercase',
  title: 'The password policy requires a lowercase letter (a-z)',
  severity: 'low',
  rationale: 'Each required character class widens the space an attacker must search; FSBP and PCI DSS ask for mixed character classes.',
  remediation: {
    console: ['Open the IAM console, Account settings.', 'Under Password policy choose Edit, tick "Require at least one lowercase letter from the Latin alphabet (a-z)".', 'Save changes.'],
    cli: 'aws iam update-account-password-policy --require-lowercase-characters (repeat the other settings you keep: the call replaces the whole policy)',
  },
  requires: ['account.passwordPolicy'],
  defaultOptions: {},
  judgeAccount(snapshot) {
    return judgePasswordPolicy(snapshot, (policy) => ({
      failed: !policy.requireLowercaseCharacters,
      facts: { requireLowercaseCharacters: policy.requireLowercaseCharacters },
    }));
  },
  describe(facts: { readonly requireLowercaseCharacters: boolean }) {
    return `requireLowercaseCharacters ${String(facts.requireLowercaseCharacters)}`;
  },
  tests: [...PASSWORD_POLICY_COMMON_CASES, policyCase('class not required fails', { requireLowercaseCharacters: false }, 'fail')],
});
