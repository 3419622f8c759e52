import type { PolicyAttachment } from '../snapshot/types.js';
import type { RuleFinding } from './rule.js';
import { defineRule, NO_FINDINGS } from './rule.js';
import { accountResource, finding, notEvaluated, SOURCES, userResource } from './support/judging.js';
import { isAwsManagedPolicy } from './support/policy-documents.js';
import { attachment, group, role, snapshotWith, user } from './testing.js';

const POLICY = 'AWSCloudShellFullAccess';
/** How many identities without collected policies the not-evaluated reason names. */
const SHOWN = 5;

/** What the account verdict needs to know of the users: counts and the first few names, never findings. */
interface UserTally {
  users: number;
  failed: number;
  unknown: number;
  readonly firstUnknown: string[];
}

/** A holder of the policy (user, group or role, by name), or the account's clean count of each. */
type CloudShellFacts =
  | { readonly holder: 'user' | 'group' | 'role'; readonly name: string }
  | { readonly holder: null; readonly users: number; readonly groups: number; readonly roles: number };

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
  newTally: (): UserTally => ({ users: 0, failed: 0, unknown: 0, firstUnknown: [] }),
  judgeUser(facts, _context, tally) {
    tally.users += 1;
    if (!facts.attachedPolicies.known) {
      tally.unknown += 1;
      if (tally.firstUnknown.length < SHOWN) tally.firstUnknown.push(`user ${facts.name}`);
      return NO_FINDINGS;
    }
    if (!hasPolicy(facts.attachedPolicies.value)) return NO_FINDINGS;
    tally.failed += 1;
    return finding(userResource(facts), 'fail', { holder: 'user', name: facts.name });
  },
  judgeAccount(snapshot, _context, tally) {
    const findings: RuleFinding<CloudShellFacts>[] = [];
    const { groups, roles } = snapshot.accountFacts;
    const unknown = [...tally.firstUnknown, ...(groups.known ? [] : ['groups']), ...(roles.known ? [] : ['roles'])];
    const unknownCount = tally.unknown + (groups.known ? 0 : 1) + (roles.known ? 0 : 1);
    if (groups.known) for (const entry of groups.value) if (hasPolicy(entry.attachedPolicies)) findings.push(finding({ type: 'group', arn: entry.arn, name: entry.name }, 'fail', { holder: 'group', name: entry.name }));
    if (roles.known) for (const entry of roles.value) if (hasPolicy(entry.attachedPolicies)) findings.push(finding({ type: 'role', arn: entry.arn, name: entry.name }, 'fail', { holder: 'role', name: entry.name }));

    const resource = accountResource(snapshot);
    if (unknownCount > 0) {
      const shown = unknownCount > SHOWN ? `${unknown.slice(0, SHOWN).join(', ')} and ${unknownCount - SHOWN} more` : unknown.join(', ');
      findings.push(notEvaluated(resource, `attached policies not collected for ${shown}; ${SOURCES.managedPolicies}`));
    } else if (findings.length === 0 && tally.failed === 0) {
      findings.push(finding(resource, 'pass', { holder: null, users: tally.users, groups: groups.known ? groups.value.length : 0, roles: roles.known ? roles.value.length : 0 }));
    }
    return findings;
  },
  describe(facts: CloudShellFacts) {
    if (facts.holder !== null) return `${POLICY} attached to ${facts.holder} ${facts.name}`;
    return `${POLICY} is attached to none of ${facts.users} user(s), ${facts.groups} group(s), ${facts.roles} role(s)`;
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
