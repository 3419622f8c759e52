import { defineRule } from './rule.js';
import { judgePasswordPolicy, PASSWORD_POLICY_COMMON_CASES, policyCase } from './support/password-policy.js';

export const passwordPolicyExists = defineRule({
  id: 'password-policy-exists',
  title: 'An account password policy is set',
  severity: 'medium',
  rationale:
    'Without a password policy IAM accepts any password of 8 characters or more, never expires it and lets users reuse old ones. A policy is the only place to demand length, complexity, expiry and reuse prevention for IAM user passwords.',
  remediation: {
    console: ['Open the IAM console, Account settings.', 'Under Password policy choose Edit, choose Custom and set the requirements (length 14+, reuse prevention 24).', 'Save changes.'],
    cli: 'aws iam update-account-password-policy --minimum-password-length 14 --password-reuse-prevention 24 --require-uppercase-characters --require-lowercase-characters --require-numbers --require-symbols --allow-users-to-change-password',
  },
  requires: ['account.passwordPolicy'],
  defaultOptions: {},
  judgeAccount(snapshot) {
    return judgePasswordPolicy(snapshot, (policy) => ({
      failed: false,
      facts: { minimumPasswordLength: policy.minimumPasswordLength, passwordReusePrevention: policy.passwordReusePrevention, expirePasswords: policy.expirePasswords, maxPasswordAge: policy.maxPasswordAge },
    }));
  },
  describe(facts: { readonly minimumPasswordLength: number | null; readonly passwordReusePrevention: number | null; readonly expirePasswords: boolean; readonly maxPasswordAge: number | null }) {
    return `a password policy is set (minimum length ${facts.minimumPasswordLength ?? 'default'}, reuse prevention ${facts.passwordReusePrevention ?? 'none'}, max age ${facts.expirePasswords ? String(facts.maxPasswordAge) : 'none'})`;
  },
  tests: [...PASSWORD_POLICY_COMMON_CASES, policyCase('a weak policy still exists', { minimumPasswordLength: 6, passwordReusePrevention: null }, 'pass')],
});
