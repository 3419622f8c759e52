import type { RuleId } from '../rules/index.js';

/**
 * Rules that several frameworks map to one control together. A framework still names its own
 * controls; this only spares each of them retyping (and mistyping) the same list.
 */

/** Every password policy rule: the frameworks' "password-based authentication" controls. */
export const PASSWORD_POLICY_RULES = [
  'password-policy-exists',
  'password-policy-min-length',
  'password-policy-reuse-prevention',
  'password-policy-require-uppercase',
  'password-policy-require-lowercase',
  'password-policy-require-numbers',
  'password-policy-require-symbols',
  'password-policy-max-age',
] as const satisfies readonly RuleId[];
