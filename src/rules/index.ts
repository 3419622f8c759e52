/**
 * The catalogue: every rule, registered once. The catalogue test checks that every file in
 * src/rules/ (but rule.ts, index.ts, testing.ts) is registered here and that its id equals its name.
 * Shared helpers live in src/rules/support/, which holds no rules.
 */
import type { Rule } from './rule.js';
import { accessKeyRotation } from './access-key-rotation.js';
import { accessKeysAtInitialSetup } from './access-keys-at-initial-setup.js';
import { cloudshellFullAccess } from './cloudshell-full-access.js';
import { consoleUsersMfa } from './console-users-mfa.js';
import { consoleUsersWithAccessKeys } from './console-users-with-access-keys.js';
import { expiredServerCertificates } from './expired-server-certificates.js';
import { fullAdminPolicies } from './full-admin-policies.js';
import { mfaDeviceType } from './mfa-device-type.js';
import { multipleActiveAccessKeys } from './multiple-active-access-keys.js';
import { passwordPolicyExists } from './password-policy-exists.js';
import { passwordPolicyMaxAge } from './password-policy-max-age.js';
import { passwordPolicyMinLength } from './password-policy-min-length.js';
import { passwordPolicyRequireLowercase } from './password-policy-require-lowercase.js';
import { passwordPolicyRequireNumbers } from './password-policy-require-numbers.js';
import { passwordPolicyRequireSymbols } from './password-policy-require-symbols.js';
import { passwordPolicyRequireUppercase } from './password-policy-require-uppercase.js';
import { passwordPolicyReusePrevention } from './password-policy-reuse-prevention.js';
import { rootAccessKeys } from './root-access-keys.js';
import { rootHardwareMfa } from './root-hardware-mfa.js';
import { rootMfa } from './root-mfa.js';
import { rootRecentUse } from './root-recent-use.js';
import { supportRoleExists } from './support-role-exists.js';
import { unusedCredentials } from './unused-credentials.js';
import { userDirectPolicies } from './user-direct-policies.js';

export const allRules = [
  rootAccessKeys,
  rootMfa,
  rootHardwareMfa,
  rootRecentUse,
  passwordPolicyExists,
  passwordPolicyMinLength,
  passwordPolicyReusePrevention,
  passwordPolicyRequireUppercase,
  passwordPolicyRequireLowercase,
  passwordPolicyRequireNumbers,
  passwordPolicyRequireSymbols,
  passwordPolicyMaxAge,
  consoleUsersMfa,
  accessKeysAtInitialSetup,
  unusedCredentials,
  multipleActiveAccessKeys,
  accessKeyRotation,
  consoleUsersWithAccessKeys,
  mfaDeviceType,
  userDirectPolicies,
  fullAdminPolicies,
  supportRoleExists,
  expiredServerCertificates,
  cloudshellFullAccess,
] as const satisfies readonly Rule[];

export type RuleId = (typeof allRules)[number]['id'];
