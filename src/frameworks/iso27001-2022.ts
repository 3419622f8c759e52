import { defineFramework } from './framework.js';
import { PASSWORD_POLICY_RULES } from './rule-groups.js';

/** ISO/IEC 27001:2022 Annex A controls (the ISO/IEC 27002:2022 numbering) the IAM rules give evidence for. */
export const iso27001 = defineFramework({
  id: 'iso27001-2022',
  name: 'ISO/IEC 27001 Annex A',
  version: '2022',
  shortName: 'ISO/IEC 27001:2022',
  statusLabels: { fail: 'EXCEPTIONS NOTED' },
  controls: [
    { id: 'A.5.15', title: 'Access control', rules: ['user-direct-policies', 'full-admin-policies', 'cloudshell-full-access'] },
    { id: 'A.5.16', title: 'Identity management', rules: ['unused-credentials', 'console-users-with-access-keys'] },
    {
      id: 'A.5.17',
      title: 'Authentication information',
      rules: [
        ...PASSWORD_POLICY_RULES,
        'access-key-rotation',
        'multiple-active-access-keys',
        'access-keys-at-initial-setup',
        'root-access-keys',
      ],
    },
    { id: 'A.5.18', title: 'Access rights', rules: ['unused-credentials', 'user-direct-policies'] },
    { id: 'A.5.24', title: 'Information security incident management planning and preparation', rules: ['support-role-exists'] },
    { id: 'A.8.2', title: 'Privileged access rights', rules: ['root-access-keys', 'root-recent-use', 'root-mfa', 'root-hardware-mfa', 'full-admin-policies'] },
    { id: 'A.8.5', title: 'Secure authentication', rules: ['root-mfa', 'root-hardware-mfa', 'console-users-mfa', 'mfa-device-type'] },
    { id: 'A.8.24', title: 'Use of cryptography', rules: ['expired-server-certificates'] },
  ],
});
