import { defineFramework } from './framework.js';
import { PASSWORD_POLICY_RULES } from './rule-groups.js';

/** SOC 2: the AICPA 2017 Trust Services Criteria (with the 2022 revised points of focus), common criteria the IAM rules support. */
export const soc2 = defineFramework({
  id: 'soc2',
  name: 'SOC 2 Trust Services Criteria',
  version: '2017 (revised points of focus 2022)',
  shortName: 'SOC 2',
  statusLabels: { fail: 'EXCEPTIONS NOTED' },
  controls: [
    {
      id: 'CC6.1',
      title: 'The entity implements logical access security software, infrastructure, and architectures over protected information assets to protect them from security events to meet the entity\'s objectives.',
      rules: [
        'root-access-keys',
        'root-mfa',
        'root-hardware-mfa',
        'console-users-mfa',
        'mfa-device-type',
        ...PASSWORD_POLICY_RULES,
        'access-key-rotation',
        'multiple-active-access-keys',
        'console-users-with-access-keys',
        'expired-server-certificates',
      ],
    },
    {
      id: 'CC6.2',
      title: 'Prior to issuing system credentials and granting system access, the entity registers and authorizes new internal and external users; user system credentials are removed when user access is no longer authorized.',
      rules: ['unused-credentials', 'access-keys-at-initial-setup'],
    },
    {
      id: 'CC6.3',
      title: 'The entity authorizes, modifies, or removes access based on roles, responsibilities, or the system design and changes, giving consideration to the concepts of least privilege and segregation of duties.',
      rules: ['user-direct-policies', 'full-admin-policies', 'cloudshell-full-access', 'root-recent-use'],
    },
    {
      id: 'CC7.4',
      title: 'The entity responds to identified security incidents by executing a defined incident response program to understand, contain, remediate, and communicate security incidents, as appropriate.',
      rules: ['support-role-exists'],
    },
  ],
});
