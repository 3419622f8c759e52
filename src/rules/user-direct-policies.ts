import { defineRule } from './rule.js';
import { finding, missingReason, notEvaluated, SOURCES, userResource } from './support/judging.js';
import { allowDocument, attachment, snapshotWith, user } from './testing.js';

/** The policies on the user itself, by name. */
type DirectPolicyFacts = { readonly attached: readonly string[]; readonly inline: readonly string[] };

export const userDirectPolicies = defineRule({
  id: 'user-direct-policies',
  title: 'IAM users receive permissions only through groups (no attached or inline user policies)',
  severity: 'low',
  rationale:
    'Permissions given user by user drift apart and are hard to review or revoke. Granting them through groups (or roles) keeps access consistent with job functions and makes leavers\' access easy to remove.',
  remediation: {
    console: ['Open the IAM console, User groups: create a group with the permissions the user needs and add the user.', 'On the user\'s Permissions tab, remove each directly attached and inline policy.'],
    cli: 'aws iam add-user-to-group --group-name GROUP --user-name USER; aws iam detach-user-policy --user-name USER --policy-arn ARN; aws iam delete-user-policy --user-name USER --policy-name NAME',
  },
  requires: ['users', 'users.policies'],
  defaultOptions: {},
  judgeUser(facts) {
    const resource = userResource(facts);
    const { attachedPolicies, inlinePolicies } = facts;
    if (!attachedPolicies.known) return notEvaluated(resource, missingReason("the user's attached policies", attachedPolicies, SOURCES.userPolicies));
    if (!inlinePolicies.known) return notEvaluated(resource, missingReason("the user's inline policies", inlinePolicies, SOURCES.userPolicies));
    const attached = attachedPolicies.value.map((policy) => policy.policyName);
    const inline = inlinePolicies.value.map((policy) => policy.policyName);
    return finding(resource, attached.length === 0 && inline.length === 0 ? 'pass' : 'fail', { attached, inline });
  },
  describe(facts: DirectPolicyFacts) {
    if (facts.attached.length === 0 && facts.inline.length === 0) return 'no attached or inline user policies';
    const parts = [facts.attached.length > 0 ? `attached: ${facts.attached.join(', ')}` : '', facts.inline.length > 0 ? `inline: ${facts.inline.join(', ')}` : ''].filter((part) => part !== '');
    return `policies on the user itself (${parts.join('; ')})`;
  },
  tests: [
    {
      name: 'attached, inline and none',
      snapshot: () =>
        snapshotWith({
          source: 'aws-api',
          users: [
            user('attached', { attachedPolicies: [attachment('ReadOnlyAccess')], inlinePolicies: [] }),
            user('inline', { attachedPolicies: [], inlinePolicies: [{ policyName: 'mine', document: allowDocument('s3:GetObject', 'arn:aws:s3:::b/*') }] }),
            user('grouped', { attachedPolicies: [], inlinePolicies: [], groups: ['developers'] }),
          ],
        }),
      expect: { attached: 'fail', inline: 'fail', grouped: 'pass' },
    },
    { name: 'credential-report import is not evaluated', snapshot: () => snapshotWith({ users: [user('alice')] }), expect: { alice: 'not_evaluated' } },
    {
      name: 'attached known, inline not collected is not evaluated',
      snapshot: () => snapshotWith({ users: [user('alice', { attachedPolicies: [], inlinePolicies: 'unknown' })] }),
      expect: { alice: 'not_evaluated' },
    },
    { name: 'empty account gives no findings', snapshot: () => snapshotWith({ users: [] }), expect: {} },
  ],
});
