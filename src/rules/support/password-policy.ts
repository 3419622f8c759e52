/**
 * The password policy rules share their shape: one finding on the account; not evaluated when the
 * policy was not collected; failed when the account has no policy at all (IAM's NoSuchEntity).
 */
import type { PasswordPolicy, Snapshot } from '../../snapshot/types.js';
import type { RuleFacts, RuleFinding, RuleTestCase } from '../rule.js';
import { NO_PASSWORD_POLICY, passwordPolicy, snapshotWith } from '../testing.js';
import { accountResource, finding, missingReason, notEvaluated, SOURCES } from './judging.js';

/** `check` judges a policy that is set: failed or not, and the policy's settings it judged (the rule's facts). */
export function judgePasswordPolicy<Facts extends RuleFacts>(snapshot: Snapshot, check: (policy: PasswordPolicy) => { failed: boolean; facts: Facts }): RuleFinding<Facts>[] {
  const resource = accountResource(snapshot);
  const state = snapshot.accountFacts.passwordPolicy;
  if (!state.known) return [notEvaluated(resource, missingReason('the account password policy', state, SOURCES.passwordPolicy))];
  if (!state.value.present) return [finding<Facts>(resource, 'fail', { shared: 'no-password-policy' })];
  const outcome = check(state.value);
  return [finding(resource, outcome.failed ? 'fail' : 'pass', outcome.facts)];
}

/** The cases every password policy rule shares: no policy fails, not collected is not evaluated. */
export const PASSWORD_POLICY_COMMON_CASES: readonly RuleTestCase[] = [
  { name: 'no password policy at all fails', snapshot: () => snapshotWith({ accountFacts: { passwordPolicy: NO_PASSWORD_POLICY } }), expect: { account: 'fail' } },
  { name: 'credential-report import (policy not collected) is not evaluated', snapshot: () => snapshotWith(), expect: { account: 'not_evaluated' } },
  {
    name: 'a policy meeting every CIS threshold passes',
    snapshot: () => snapshotWith({ accountFacts: { passwordPolicy: passwordPolicy() } }),
    expect: { account: 'pass' },
  },
];

/** A case with the CIS-compliant policy changed by `overrides`. */
export function policyCase(name: string, overrides: Partial<PasswordPolicy>, verdict: 'pass' | 'fail', options?: RuleTestCase['options']): RuleTestCase {
  return {
    name,
    snapshot: () => snapshotWith({ accountFacts: { passwordPolicy: passwordPolicy(overrides) } }),
    expect: { account: verdict },
    ...(options === undefined ? {} : { options }),
  };
}
