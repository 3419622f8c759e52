import { defineRule } from './rule.js';
import { judgePasswordPolicy, PASSWORD_POLICY_COMMON_CASES, policyCase } from './support/password-policy.js';

export const passwordPolicyRequireSymbols = defineRule({
  id: 'password-policy-require-symbols',
  title: 'The password policy requires a symbol (non-alphanumeric character)',
  severity: 'low',
  rationale: 'Each required character class widens the space an attacker must search; FSBP and PCI DSS ask for mixed character classes.',
  remediation: {
    console: ['Open the IAM console, Account settings.', 'Under Password policy choose Edit, tick "Require at least one non-alphanumeric character".', 'Save changes.'],
    cli: 'aws iam update-account-password-policy --require-symbols (repeat the other settings you keep: the call replaces the whole policy)',
  },
  requires: ['account.passwordPolicy'],
  defaultOptions: {},
  judgeAccount(snapshot) {
    return judgePasswordPolicy(snapshot, (policy) => ({
      failed: !policy.requireSymbols,
      facts: { requireSymbols: policy.requireSymbols },
    }));
  },
  describe(facts: { readonly requireSymbols: boolean }) {
    return `requireSymbols ${String(facts.requireSymbols)}`;
  },
  tests: [...PASSWORD_POLICY_COMMON_CASES, policyCase('class not required fails', { requireSymbols: false }, 'fail')],
});
