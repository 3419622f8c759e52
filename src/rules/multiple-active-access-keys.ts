import { defineRule } from './rule.js';
import { activeKeys, finding, keyLabel, missingReason, notApplicable, notEvaluated, SOURCES, userResource } from './support/judging.js';
import { daysAgo, key, snapshotWith, user } from './testing.js';

/** The user's active keys, by label. */
type ActiveKeysFacts = { readonly activeKeys: readonly string[] };

export const multipleActiveAccessKeys = defineRule({
  id: 'multiple-active-access-keys',
  title: 'No IAM user has more than one active access key',
  severity: 'medium',
  rationale:
    'Two active keys double the credentials to protect and usually mean a rotation was never finished. Keep one active key per user; a second only briefly, while rotating.',
  remediation: {
    console: ['Open the IAM console, Users, choose the user.', 'On Security credentials, check Last used for each key; deactivate, then delete, the one no longer in use.'],
    cli: 'aws iam update-access-key --user-name USER --access-key-id AKIA... --status Inactive; aws iam delete-access-key --user-name USER --access-key-id AKIA...',
  },
  requires: ['users', 'users.accessKeys'],
  defaultOptions: {},
  judgeUser(facts) {
    const resource = userResource(facts);
    if (!facts.accessKeys.known) return notEvaluated(resource, missingReason('access keys', facts.accessKeys, SOURCES.accessKeys));
    const active = activeKeys(facts.accessKeys.value);
    if (active.length === 0) return notApplicable(resource, 'no active access keys');
    return finding(resource, active.length > 1 ? 'fail' : 'pass', { activeKeys: active.map(({ key: k, position }) => keyLabel(k, position)) });
  },
  describe(facts: ActiveKeysFacts) {
    return `${facts.activeKeys.length} active access key(s): ${facts.activeKeys.join(', ')}`;
  },
  tests: [
    {
      name: 'one, two and no active keys',
      snapshot: () =>
        snapshotWith({
          users: [
            user('one', { keys: [key({ created: daysAgo(10) })] }),
            user('two', { keys: [key({ created: daysAgo(10) }), key({ created: daysAgo(5) })] }),
            user('none', {}),
          ],
        }),
      expect: { one: 'pass', two: 'fail', none: 'not_applicable' },
    },
    {
      name: 'an inactive second key does not count',
      snapshot: () => snapshotWith({ users: [user('alice', { keys: [key({ created: daysAgo(10) }), key({ active: false, created: daysAgo(200) })] })] }),
      expect: { alice: 'pass' },
    },
    {
      name: 'only inactive keys is not applicable',
      snapshot: () => snapshotWith({ users: [user('alice', { keys: [key({ active: false, created: daysAgo(200) })] })] }),
      expect: { alice: 'not_applicable' },
    },
    {
      name: 'active keys never used count as active: two of them fail',
      snapshot: () => snapshotWith({ users: [user('ci', { keys: [key({ created: daysAgo(10), lastUsed: 'N/A' }), key({ created: daysAgo(2), lastUsed: 'N/A' })] })] }),
      expect: { ci: 'fail' },
    },
    {
      name: 'one active key never used is judged (pass), not not-applicable',
      snapshot: () => snapshotWith({ users: [user('ci', { keys: [key({ created: daysAgo(10), lastUsed: 'N/A' })] })] }),
      expect: { ci: 'pass' },
    },
    { name: 'keys not collected is not evaluated', snapshot: () => snapshotWith({ users: [user('alice', { keys: 'unknown' })] }), expect: { alice: 'not_evaluated' } },
    { name: 'empty account gives no findings', snapshot: () => snapshotWith({ users: [] }), expect: {} },
  ],
});
