import { defineFramework } from './framework.js';

/**
 * PCI DSS v4.0 requirements the IAM rules give evidence for. Where PCI is looser than the rule's
 * default (8.2.6: 90 days inactive, 8.3.6: 12 characters), the rule's stricter default applies;
 * set the rule's option in the configuration to audit at PCI's own threshold. Where AWS Security
 * Hub relates its IAM controls to PCI DSS v4.0.1 (IAM.3 -> 8.3.9/8.6.3, IAM.6/IAM.9 -> 8.4.2), the
 * same rules are mapped here.
 */
export const pciDss40 = defineFramework({
  id: 'pci-dss-4.0',
  name: 'PCI DSS',
  version: '4.0',
  shortName: 'PCI DSS 4.0',
  controls: [
    { id: '4.2.1', title: 'Certificates used to safeguard PAN during transmission over open, public networks are confirmed as valid and are not expired or revoked', rules: ['expired-server-certificates'] },
    { id: '7.2.2', title: 'Access is assigned to users, including privileged users, based on job classification and function and the least privileges necessary', rules: ['full-admin-policies', 'user-direct-policies', 'cloudshell-full-access'] },
    { id: '8.2.6', title: 'Inactive user accounts are removed or disabled within 90 days of inactivity', rules: ['unused-credentials'], parameters: [{ rule: 'unused-credentials', option: 'maxUnusedDays', value: 90 }] },
    {
      id: '8.3.6',
      title: 'Passwords/passphrases meet minimum complexity: at least 12 characters, both numeric and alphabetic characters',
      // Alphabetic characters of either case satisfy PCI, so neither case rule alone is required here.
      rules: ['password-policy-exists', 'password-policy-min-length', 'password-policy-require-numbers'],
      parameters: [{ rule: 'password-policy-min-length', option: 'minimumLength', value: 12 }],
    },
    { id: '8.3.7', title: 'Individuals are not allowed to submit a new password/passphrase that repeats one of the last four used', rules: ['password-policy-reuse-prevention'], parameters: [{ rule: 'password-policy-reuse-prevention', option: 'remembered', value: 4 }] },
    { id: '8.3.9', title: 'Passwords/passphrases used as the only authentication factor are changed at least once every 90 days', rules: ['password-policy-max-age', 'access-key-rotation'], parameters: [{ rule: 'password-policy-max-age', option: 'maxAgeDays', value: 90 }, { rule: 'access-key-rotation', option: 'maxAgeDays', value: 90 }] },
    { id: '8.4.1', title: 'MFA is implemented for all non-console access into the CDE for personnel with administrative access', rules: ['root-mfa', 'root-hardware-mfa'] },
    { id: '8.4.2', title: 'MFA is implemented for all access into the CDE', rules: ['console-users-mfa', 'root-mfa', 'root-hardware-mfa'] },
    { id: '8.6.3', title: 'Passwords/passphrases (and other authentication factors) of application and system accounts are protected against misuse and changed periodically', rules: ['access-key-rotation'] },
  ],
});
