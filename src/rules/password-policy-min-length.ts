import { defineRule } from './rule.js';
import { judgePasswordPolicy, PASSWORD_POLICY_COMMON_CASES, policyCase } from './support/password-policy.js';

/** IAM's length when the policy leaves it unset. */
const IAM_DEFAULT_MINIMUM_LENGTH = 8;

export const passwordPolicyMinLength = defineRule({
  id: 'password-policy-min-length',
  title: 'The password policy requires at least 14 characters',
  severity: 'medium',
  rationale: 'Length is what makes a password resist guessing and brute force; CIS asks for 14 characters or more.',
  remediation: {
    console: ['Open the IAM console, Account settings.', 'Under Password policy choose Edit, set Password minimum length to 14 or more.', 'Save changes.'],
    cli: 'aws iam update-account-password-policy --minimum-password-length 14 (repeat the other settings you keep: the call replaces the whole policy)',
  },
  requires: ['account.passwordPolicy'],
  defaultOptions: { minimumLength: 14 },
  judgeAccount(snapshot, context) {
    const required = context.options.minimumLength;
    return judgePasswordPolicy(snapshot, (policy) => {
      const length = policy.minimumPasswordLength ?? IAM_DEFAULT_MINIMUM_LENGTH;
      return { failed: length < required, facts: { minimumPasswordLength: policy.minimumPasswordLength } };
    });
  },
  describe(facts: { readonly minimumPasswordLength: number | null }) {
    const shown = facts.minimumPasswordLength === null ? `unset (IAM default ${IAM_DEFAULT_MINIMUM_LENGTH})` : String(facts.minimumPasswordLength);
    return `minimum password length ${shown}`;
  },
  tests: [
    ...PASSWORD_POLICY_COMMON_CASES,
    policyCase('exactly 14 passes', { minimumPasswordLength: 14 }, 'pass'),
    policyCase('13 fails', { minimumPasswordLength: 13 }, 'fail'),
    policyCase('unset length (IAM default 8) fails', { minimumPasswordLength: null }, 'fail'),
    policyCase('option minimumLength 16 makes 14 fail', { minimumPasswordLength: 14 }, 'fail', { minimumLength: 16 }),
  ],
});
