import { defineRule } from './rule.js';
import { judgePasswordPolicy, PASSWORD_POLICY_COMMON_CASES, policyCase } from './support/password-policy.js';

export const passwordPolicyReusePrevention = defineRule({
  id: 'password-policy-reuse-prevention',
  title: 'The password policy prevents reuse of the last 24 passwords',
  severity: 'medium',
  rationale: 'Reuse prevention stops users cycling back to an old, possibly leaked password when it expires or is reset; CIS asks for the last 24.',
  remediation: {
    console: ['Open the IAM console, Account settings.', 'Under Password policy choose Edit, tick Prevent password reuse and set 24.', 'Save changes.'],
    cli: 'aws iam update-account-password-policy --password-reuse-prevention 24 (repeat the other settings you keep: the call replaces the whole policy)',
  },
  requires: ['account.passwordPolicy'],
  defaultOptions: { remembered: 24 },
  judgeAccount(snapshot, context) {
    const required = context.options.remembered;
    return judgePasswordPolicy(snapshot, (policy) => {
      const reuse = policy.passwordReusePrevention;
      return { failed: reuse === null || reuse < required, facts: { passwordReusePrevention: reuse } };
    });
  },
  describe(facts: { readonly passwordReusePrevention: number | null }) {
    const reuse = facts.passwordReusePrevention;
    return `password reuse prevention ${reuse === null ? 'not set' : `${reuse} passwords`}`;
  },
  tests: [
    ...PASSWORD_POLICY_COMMON_CASES,
    policyCase('exactly 24 passes', { passwordReusePrevention: 24 }, 'pass'),
    policyCase('23 fails', { passwordReusePrevention: 23 }, 'fail'),
    policyCase('not set fails', { passwordReusePrevention: null }, 'fail'),
  ],
});
