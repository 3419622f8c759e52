import { defineRule } from './rule.js';
import { accountResource, finding, missingReason, notEvaluated, SOURCES } from './support/judging.js';
import { isAwsManagedPolicy } from './support/policy-documents.js';
import { attachment, role, snapshotWith } from './testing.js';

/** The roles holding AWSSupportAccess, by name, of the account's `roles` (a count). */
type SupportRoleFacts = { readonly supportRoles: readonly string[]; readonly roles: number };

export const supportRoleExists = defineRule({
  id: 'support-role-exists',
  title: 'A support role exists (AWSSupportAccess attached to a role)',
  severity: 'low',
  rationale:
    'During an incident someone must be able to open and manage AWS Support cases. A role with AWSSupportAccess gives that ability to the right people without handing out broader rights or root.',
  remediation: {
    console: ['Open the IAM console, Roles, Create role.', 'Trust the accounts or identities that handle incidents, attach AWSSupportAccess, and name the role (e.g. aws-support).'],
    cli: 'aws iam create-role --role-name aws-support --assume-role-policy-document file://trust.json; aws iam attach-role-policy --role-name aws-support --policy-arn arn:aws:iam::aws:policy/AWSSupportAccess',
  },
  requires: ['account.roles'],
  defaultOptions: {},
  judgeAccount(snapshot) {
    const resource = accountResource(snapshot);
    const roles = snapshot.accountFacts.roles;
    if (!roles.known) return [notEvaluated(resource, missingReason('the roles and their policies', roles, SOURCES.roles))];
    const supportRoles = roles.value.filter((entry) => entry.attachedPolicies.some((policy) => isAwsManagedPolicy(policy.policyArn, 'AWSSupportAccess')));
    return [finding(resource, supportRoles.length > 0 ? 'pass' : 'fail', { supportRoles: supportRoles.map((entry) => entry.name), roles: roles.value.length })];
  },
  describe(facts: SupportRoleFacts) {
    if (facts.supportRoles.length > 0) return `AWSSupportAccess attached to role(s): ${facts.supportRoles.join(', ')}`;
    return `none of the ${facts.roles} role(s) has AWSSupportAccess attached`;
  },
  tests: [
    {
      name: 'a role with AWSSupportAccess passes',
      snapshot: () => snapshotWith({ source: 'aws-api', accountFacts: { roles: { known: true, value: [role('ops'), role('aws-support', { attached: [attachment('AWSSupportAccess')] })] } } }),
      expect: { account: 'pass' },
    },
    {
      name: 'a customer policy named AWSSupportAccess does not count',
      snapshot: () =>
        snapshotWith({
          source: 'aws-api',
          accountFacts: { roles: { known: true, value: [role('fake', { attached: [attachment('AWSSupportAccess', 'arn:aws:iam::123456789012:policy/AWSSupportAccess')] })] } },
        }),
      expect: { account: 'fail' },
    },
    { name: 'no roles fails', snapshot: () => snapshotWith({ source: 'aws-api', accountFacts: { roles: { known: true, value: [] } } }), expect: { account: 'fail' } },
    { name: 'credential-report import is not evaluated', snapshot: () => snapshotWith(), expect: { account: 'not_evaluated' } },
  ],
});
