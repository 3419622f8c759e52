import type { InlinePolicy } from '../snapshot/types.js';
import type { ResourceRef, RuleFinding } from './rule.js';
import { defineRule, NO_FINDINGS } from './rule.js';
import { accountResource, finding, missingReason, notApplicable, notEvaluated, SOURCES, userResource } from './support/judging.js';
import { fullAdminStatements } from './support/policy-documents.js';
import { allowDocument, group, managedPolicy, role, snapshotWith, user } from './testing.js';

/**
 * A policy judged: an inline one (`owner` the user, group or role holding it, by kind and name) or
 * a managed one (`managed`: AWS or customer, and how often it is attached); `adminStatements` the
 * statements (by number) that allow "*" on "*", none when it passes. A managed policy whose
 * document was not collected has no statements (null).
 */
type PolicyFacts =
  | { readonly policy: string; readonly ownerKind: 'user' | 'group' | 'role'; readonly owner: string; readonly adminStatements: readonly string[] }
  | { readonly managed: 'AWS managed' | 'customer managed'; readonly attachments: number; readonly adminStatements: readonly string[] | null };

function describeAdmin(statements: readonly string[]): string {
  if (statements.length === 0) return 'no statement allows "*" on "*"';
  return `statement${statements.length > 1 ? 's' : ''} ${statements.join(', ')} allow Action "*" on Resource "*"`;
}

function judgeInline(owner: { kind: 'user' | 'group' | 'role'; name: string; arn: string }, policy: InlinePolicy): RuleFinding<PolicyFacts> {
  const resource: ResourceRef = { type: 'policy', arn: `${owner.arn}#${policy.policyName}`, name: `${owner.kind}/${owner.name}#${policy.policyName}` };
  const admin = fullAdminStatements(policy.document).map(String);
  return finding(resource, admin.length > 0 ? 'fail' : 'pass', { policy: policy.policyName, ownerKind: owner.kind, owner: owner.name, adminStatements: admin });
}

export const fullAdminPolicies = defineRule({
  id: 'full-admin-policies',
  title: 'No attached policy allows full "*:*" administrative privileges',
  severity: 'high',
  rationale:
    'A policy that allows every action on every resource makes whoever holds it an administrator, beyond anything least privilege would grant. Attached to a user, group or role, it turns one leaked credential into full control of the account.',
  remediation: {
    console: [
      'Open the IAM console, Policies, choose the policy, Entities attached.',
      'Detach it from each user, group and role, and grant the narrower permissions they need instead.',
      'For an inline policy: open the user, group or role, Permissions, and remove or narrow the inline policy.',
    ],
    cli: 'aws iam list-entities-for-policy --policy-arn ARN; aws iam detach-user-policy / detach-group-policy / detach-role-policy --policy-arn ARN ...; aws iam delete-user-policy / delete-group-policy / delete-role-policy --policy-name NAME ...',
  },
  requires: ['account.managedPolicies', 'account.groups', 'account.roles', 'users.policies'],
  // CIS judges every attached policy; Security Hub's IAM.1 only customer managed ones (false).
  defaultOptions: { includeAwsManaged: true },
  judgeAccount(snapshot, context) {
    const findings: RuleFinding<PolicyFacts>[] = [];
    const { managedPolicies, groups, roles } = snapshot.accountFacts;
    if (!managedPolicies.known) {
      findings.push(notEvaluated(accountResource(snapshot), missingReason('the managed policies', managedPolicies, SOURCES.managedPolicies)));
    } else {
      for (const policy of managedPolicies.value) {
        const resource: ResourceRef = { type: 'policy', arn: policy.arn, name: policy.name };
        const kind = policy.isAwsManaged ? 'AWS managed' : 'customer managed';
        if (policy.isAwsManaged && !context.options.includeAwsManaged) {
          findings.push(notApplicable(resource, 'AWS managed policy, not judged (option includeAwsManaged is false)'));
          continue;
        }
        if (policy.attachmentCount === 0) {
          findings.push(notApplicable(resource, 'not attached to any user, group or role'));
          continue;
        }
        if (!policy.document.known) {
          findings.push(notEvaluated(resource, missingReason('the policy document', policy.document, SOURCES.managedPolicies), { managed: kind, attachments: policy.attachmentCount, adminStatements: null }));
          continue;
        }
        const admin = fullAdminStatements(policy.document.value).map(String);
        findings.push(finding(resource, admin.length > 0 ? 'fail' : 'pass', { managed: kind, attachments: policy.attachmentCount, adminStatements: admin }));
      }
    }
    if (!groups.known) findings.push(notEvaluated({ type: 'group', arn: `${accountResource(snapshot).arn}#groups`, name: 'groups' }, missingReason('the groups and their inline policies', groups, SOURCES.groups)));
    else for (const entry of groups.value) for (const policy of entry.inlinePolicies) findings.push(judgeInline({ kind: 'group', name: entry.name, arn: entry.arn }, policy));
    if (!roles.known) findings.push(notEvaluated({ type: 'role', arn: `${accountResource(snapshot).arn}#roles`, name: 'roles' }, missingReason('the roles and their inline policies', roles, SOURCES.roles)));
    else for (const entry of roles.value) for (const policy of entry.inlinePolicies) findings.push(judgeInline({ kind: 'role', name: entry.name, arn: entry.arn }, policy));
    return findings;
  },
  judgeUser(facts) {
    if (!facts.inlinePolicies.known) return notEvaluated(userResource(facts), missingReason("the user's inline policies", facts.inlinePolicies, SOURCES.userPolicies));
    if (facts.inlinePolicies.value.length === 0) return NO_FINDINGS;
    return facts.inlinePolicies.value.map((policy) => judgeInline({ kind: 'user', name: facts.name, arn: facts.arn }, policy));
  },
  describe(facts: PolicyFacts) {
    if ('policy' in facts) return `inline policy ${facts.policy} of ${facts.ownerKind} ${facts.owner}: ${describeAdmin(facts.adminStatements)}`;
    if (facts.adminStatements === null) return `${facts.managed}, ${facts.attachments} attachment(s)`;
    return `${facts.managed} policy attached ${facts.attachments} time(s): ${describeAdmin(facts.adminStatements)}`;
  },
  tests: [
    {
      name: 'attached managed policies: admin fails, narrow passes, unattached admin not applicable',
      snapshot: () =>
        snapshotWith({
          source: 'aws-api',
          accountFacts: {
            managedPolicies: {
              known: true,
              value: [
                managedPolicy('AdministratorAccess', { attachmentCount: 1, awsManaged: true, document: allowDocument('*') }),
                managedPolicy('ReadS3', { attachmentCount: 2, document: allowDocument(['s3:Get*', 's3:List*']) }),
                managedPolicy('OldAdmin', { attachmentCount: 0, document: allowDocument('*') }),
                managedPolicy('ArrayAdmin', { attachmentCount: 1, document: allowDocument(['ec2:*', '*'], ['*']) }),
                managedPolicy('StarStar', { attachmentCount: 1, document: { Statement: { Effect: 'Allow', Action: '*:*', Resource: '*' } } }),
              ],
            },
            groups: { known: true, value: [] },
            roles: { known: true, value: [] },
          },
        }),
      expect: { AdministratorAccess: 'fail', ReadS3: 'pass', OldAdmin: 'not_applicable', ArrayAdmin: 'fail', StarStar: 'fail' },
    },
    {
      name: 'option includeAwsManaged false leaves AdministratorAccess out (Security Hub IAM.1)',
      snapshot: () =>
        snapshotWith({
          source: 'aws-api',
          accountFacts: {
            managedPolicies: {
              known: true,
              value: [
                managedPolicy('AdministratorAccess', { attachmentCount: 3, awsManaged: true, document: allowDocument('*') }),
                managedPolicy('CustomAdmin', { attachmentCount: 1, document: allowDocument('*') }),
              ],
            },
            groups: { known: true, value: [] },
            roles: { known: true, value: [] },
          },
        }),
      options: { includeAwsManaged: false },
      expect: { AdministratorAccess: 'not_applicable', CustomAdmin: 'fail' },
    },
    {
      name: 'Deny "*" on "*" and Allow "*" on one bucket pass',
      snapshot: () =>
        snapshotWith({
          source: 'aws-api',
          accountFacts: {
            managedPolicies: {
              known: true,
              value: [
                managedPolicy('DenyAll', { attachmentCount: 1, document: { Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }] } }),
                managedPolicy('OneBucket', { attachmentCount: 1, document: allowDocument('*', 'arn:aws:s3:::bucket/*') }),
              ],
            },
            groups: { known: true, value: [] },
            roles: { known: true, value: [] },
          },
        }),
      expect: { DenyAll: 'pass', OneBucket: 'pass' },
    },
    {
      name: 'inline admin policies on users, groups and roles fail',
      snapshot: () =>
        snapshotWith({
          source: 'aws-api',
          users: [user('alice', { inlinePolicies: [{ policyName: 'everything', document: allowDocument('*') }] }), user('bob', { inlinePolicies: [] })],
          accountFacts: {
            managedPolicies: { known: true, value: [] },
            groups: { known: true, value: [group('admins', { inline: [{ policyName: 'all', document: allowDocument(['*']) }] })] },
            roles: { known: true, value: [role('ops', { inline: [{ policyName: 'narrow', document: allowDocument('ec2:Describe*') }] })] },
          },
        }),
      expect: { 'user/alice#everything': 'fail', 'group/admins#all': 'fail', 'role/ops#narrow': 'pass' },
    },
    {
      name: 'policy document not collected is not evaluated',
      snapshot: () =>
        snapshotWith({
          source: 'aws-api',
          accountFacts: { managedPolicies: { known: true, value: [managedPolicy('Mystery', { attachmentCount: 1, document: 'unknown' })] }, groups: { known: true, value: [] }, roles: { known: true, value: [] } },
        }),
      expect: { Mystery: 'not_evaluated' },
    },
    {
      name: 'credential-report import is not evaluated, never a pass',
      snapshot: () => snapshotWith({ users: [user('alice')] }),
      expect: { account: 'not_evaluated', groups: 'not_evaluated', roles: 'not_evaluated', alice: 'not_evaluated' },
    },
  ],
});
