import type { PolicyAttachment } from '../snapshot/types.js';
import type { RuleFinding } from './rule.js';
import { defineRule } from './rule.js';
import { accountResource, finding, notEvaluated, SOURCES, userResource } from './support/judging.js';
import { isAwsManagedPolicy } from './support/policy-documents.js';
import { attachment, group, role, snapshotWith, user } from './testing.js';

const POLICY = 'AWSCloudShellFullAccess';
const hasPolicy = (attached: readonly PolicyAttachment[]): boolean => attached.some((policy) => isAwsManagedPolicy(policy.policyArn, POLICY));

export const cloudshellFullAccess = defineRule({
  id: 'cloudshell-full-access',
  title: 'AWSCloudShellFullAccess is not attached to any user, group or role',
  severity: 'medium',
  rationale:
    'AWSCloudShellFullAccess lets its holder upload and download files to CloudShell and reach the internet from it, a ready channel to move data out of the account. Grant a narrower CloudShell policy, or none.',
  remediation: {
    console: ['Open the IAM console, Policies, AWSCloudShellFullAccess, Entities attached.', 'Detach it from every user, group and role (grant a restricted CloudShell policy where needed).'],
    cli: 'aws iam list-entities-for-policy --policy-arn arn:aws:iam::aws:policy/AWSCloudShellFullAccess; aws iam detach-user-policy / detach-group-policy / detach-role-policy --policy-arn arn:aws:iam::aws:policy/AWSCloudShellFullAccess ...',
  },
  requires: ['account.groups', 'account.roles', 'users.policies'],
  defaultOptions: {},
  evaluate(snapshot) {
    const findings: RuleFinding[] = [];
    const unknown: string[] = [];
    for (const facts of snapshot.users) {
      if (!facts.attachedPolicies.known) unknown.push(`user ${facts.name}`);
      else if (hasPolicy(facts.attachedPolicies.value)) findings.push(finding(userResource(facts), 'fail', `${POLICY} attached to user ${facts.name}`));
    }
    const { groups, roles } = snapshot.accountFacts;
    if (!groups.known) unknown.push('groups');
    else for (const entry of groups.value) if (hasPolicy(entry.attachedPolicies)) findings.push(finding({ type: 'group', arn: entry.arn, name: entry.name }, 'fail', `${POLICY} attached to group ${entry.name}`));
    if (!roles.known) unknown.push('roles');
    else for (const entry of roles.value) if (hasPolicy(entry.attachedPolicies)) findings.push(finding({ type: 'role', arn: entry.arn, name: entry.name }, 'fail', `${POLICY} attached to role ${entry.name}`));

    const resource = accountResource(snapshot);
    if (unknown.length > 0) {
      const shown = unknown.length > 5 ? `${unknown.slice(0, 5).join(', ')} and ${unknown.length - 5} more` : unknown.join(', ');
      findings.push(notEvaluated(resource, `attached policies not collected for ${shown}; ${SOURCES.managedPolicies}`));
    } else if (findings.length === 0) {
      findings.push(finding(resource, 'pass', `${POLICY} is attached to none of ${snapshot.users.length} user(s), ${groups.known ? groups.value.length : 0} group(s), ${roles.known ? roles.value.length : 0} role(s)`));
    }
    return findings;
  },
  tests: [
    {
      name: 'attached to a user, a group and a role: each fails',
      snapshot: () =>
        snapshotWith({
          source: 'aws-api',
          users: [user('alice', { attachedPolicies: [attachment(POLICY)], inlinePolicies: [] }), user('bob', { attachedPolicies: [], inlinePolicies: [] })],
          accountFacts: {
            groups: { known: true, value: [group('devs', { attached: [attachment(POLICY)] })] },
            roles: { known: true, value: [role('shell', { attached: [attachment(POLICY)] }), role('ops')] },
          },
        }),
      expect: { alice: 'fail', devs: 'fail', shell: 'fail' },
    },
    {
      name: 'attached nowhere passes on the account',
      snapshot: () =>
        snapshotWith({
          source: 'aws-api',
          users: [user('bob', { attachedPolicies: [attachment('ReadOnlyAccess')], inlinePolicies: [] })],
          accountFacts: { groups: { known: true, value: [] }, roles: { known: true, value: [role('ops')] } },
        }),
      expect: { account: 'pass' },
    },
    { name: 'empty account with groups and roles known passes', snapshot: () => snapshotWith({ source: 'aws-api', users: [], accountFacts: { groups: { known: true, value: [] }, roles: { known: true, value: [] } } }), expect: { account: 'pass' } },
    { name: 'credential-report import is not evaluated', snapshot: () => snapshotWith({ users: [user('alice')] }), expect: { account: 'not_evaluated' } },
  ],
});
