import { defineFramework } from './framework.js';

/**
 * AWS Foundational Security Best Practices as Security Hub numbers its IAM controls (IAM.n).
 * Security Hub's control ids are shared across its standards: IAM.11-IAM.18, IAM.22 and
 * IAM.26-IAM.28 are applied through its CIS standards rather than FSBP v1.0.0, and are listed here
 * under the same ids so one Security Hub vocabulary covers every IAM control this tool judges.
 * IAM.19 (MFA for all users, not only console users) is left out: no rule judges it exactly.
 */
export const fsbp = defineFramework({
  id: 'fsbp',
  name: 'AWS Foundational Security Best Practices (Security Hub controls)',
  version: '1.0.0',
  shortName: 'AWS FSBP',
  controls: [
    { id: 'IAM.1', title: 'IAM policies should not allow full "*" administrative privileges', rules: ['full-admin-policies'] },
    { id: 'IAM.2', title: 'IAM users should not have IAM policies attached', rules: ['user-direct-policies'] },
    { id: 'IAM.3', title: "IAM users' access keys should be rotated every 90 days or less", rules: ['access-key-rotation'], parameters: [{ rule: 'access-key-rotation', option: 'maxAgeDays', value: 90 }] },
    { id: 'IAM.4', title: 'IAM root user access key should not exist', rules: ['root-access-keys'] },
    { id: 'IAM.5', title: 'MFA should be enabled for all IAM users that have a console password', rules: ['console-users-mfa'] },
    { id: 'IAM.6', title: 'Hardware MFA should be enabled for the root user', rules: ['root-hardware-mfa'] },
    {
      id: 'IAM.7',
      title: 'Password policies for IAM users should have strong configurations',
      rules: [
        'password-policy-exists',
        'password-policy-min-length',
        'password-policy-require-uppercase',
        'password-policy-require-lowercase',
        'password-policy-require-numbers',
        'password-policy-require-symbols',
      ],
      // Security Hub's default for the control's MinimumPasswordLength parameter.
      parameters: [{ rule: 'password-policy-min-length', option: 'minimumLength', value: 8 }],
    },
    { id: 'IAM.8', title: 'Unused IAM user credentials should be removed', rules: ['unused-credentials'], parameters: [{ rule: 'unused-credentials', option: 'maxUnusedDays', value: 90 }] },
    { id: 'IAM.9', title: 'MFA should be enabled for the root user', rules: ['root-mfa'] },
    { id: 'IAM.11', title: 'Ensure IAM password policy requires at least one uppercase letter', rules: ['password-policy-require-uppercase'] },
    { id: 'IAM.12', title: 'Ensure IAM password policy requires at least one lowercase letter', rules: ['password-policy-require-lowercase'] },
    { id: 'IAM.13', title: 'Ensure IAM password policy requires at least one symbol', rules: ['password-policy-require-symbols'] },
    { id: 'IAM.14', title: 'Ensure IAM password policy requires at least one number', rules: ['password-policy-require-numbers'] },
    { id: 'IAM.15', title: 'Ensure IAM password policy requires minimum password length of 14 or greater', rules: ['password-policy-min-length'], parameters: [{ rule: 'password-policy-min-length', option: 'minimumLength', value: 14 }] },
    { id: 'IAM.16', title: 'Ensure IAM password policy prevents password reuse', rules: ['password-policy-reuse-prevention'], parameters: [{ rule: 'password-policy-reuse-prevention', option: 'remembered', value: 24 }] },
    { id: 'IAM.17', title: 'Ensure IAM password policy expires passwords within 90 days or less', rules: ['password-policy-max-age'], parameters: [{ rule: 'password-policy-max-age', option: 'maxAgeDays', value: 90 }] },
    { id: 'IAM.18', title: 'Ensure a support role has been created to manage incidents with AWS Support', rules: ['support-role-exists'] },
    { id: 'IAM.22', title: 'IAM user credentials unused for 45 days should be removed', rules: ['unused-credentials'], parameters: [{ rule: 'unused-credentials', option: 'maxUnusedDays', value: 45 }] },
    { id: 'IAM.26', title: 'Expired SSL/TLS certificates managed in IAM should be removed', rules: ['expired-server-certificates'] },
    { id: 'IAM.27', title: 'IAM identities should not have the AWSCloudShellFullAccess policy attached', rules: ['cloudshell-full-access'] },
    { id: 'IAM.28', title: 'IAM Access Analyzer external access analyzer should be enabled', rules: [] },
  ],
});
