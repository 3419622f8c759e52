import { defineFramework } from './framework.js';
import { PASSWORD_POLICY_RULES } from './rule-groups.js';

/** NIST SP 800-53 Revision 5: the controls and enhancements the IAM rules give evidence for. */
export const nist80053r5 = defineFramework({
  id: 'nist-800-53-r5',
  name: 'NIST SP 800-53',
  version: 'Revision 5',
  shortName: 'NIST SP 800-53 Rev. 5',
  controls: [
    {
      id: 'AC-2',
      title: 'Account Management',
      rules: ['unused-credentials', 'multiple-active-access-keys', 'access-keys-at-initial-setup', 'console-users-with-access-keys', 'user-direct-policies'],
    },
    { id: 'AC-2(3)', title: 'Account Management | Disable Accounts', rules: ['unused-credentials'] },
    { id: 'AC-6', title: 'Least Privilege', rules: ['full-admin-policies', 'user-direct-policies', 'cloudshell-full-access'] },
    { id: 'AC-6(2)', title: 'Least Privilege | Non-privileged Access for Nonsecurity Functions', rules: ['root-recent-use'] },
    { id: 'AC-6(5)', title: 'Least Privilege | Privileged Accounts', rules: ['full-admin-policies'] },
    { id: 'IA-2(1)', title: 'Identification and Authentication (Organizational Users) | Multi-factor Authentication to Privileged Accounts', rules: ['root-mfa', 'root-hardware-mfa'] },
    { id: 'IA-2(2)', title: 'Identification and Authentication (Organizational Users) | Multi-factor Authentication to Non-privileged Accounts', rules: ['console-users-mfa'] },
    { id: 'IA-2(6)', title: 'Identification and Authentication (Organizational Users) | Access to Accounts — Separate Device', rules: ['root-hardware-mfa', 'mfa-device-type'] },
    { id: 'IA-5', title: 'Authenticator Management', rules: ['access-key-rotation', 'root-access-keys', 'expired-server-certificates'] },
    {
      id: 'IA-5(1)',
      title: 'Authenticator Management | Password-based Authentication',
      rules: [
        ...PASSWORD_POLICY_RULES,
      ],
    },
    { id: 'IR-7', title: 'Incident Response Assistance', rules: ['support-role-exists'] },
  ],
});
