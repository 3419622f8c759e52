import { defineRule } from './rule.js';
import { consoleUserActiveKeys, finding, keyLabel, userResource } from './support/judging.js';
import { daysAgo, key, snapshotWith, user } from './testing.js';

/** The console user's active keys, by label. */
type ConsoleKeysFacts = { readonly activeKeys: readonly string[] };

export const consoleUsersWithAccessKeys = defineRule({
  id: 'console-users-with-access-keys',
  title: 'Users with a console password do not also hold active access keys',
  severity: 'low',
  rationale:
    'A person who signs in to the console should use temporary credentials (IAM Identity Center, aws sso login, roles) for the CLI too. A console user with long-lived keys has two kinds of credential to lose, and the keys bypass MFA.',
  remediation: {
    console: ['Open the IAM console, Users, choose the user, Security credentials.', 'Move the user to temporary credentials (IAM Identity Center or a role), then deactivate and delete the access keys.'],
    cli: 'aws iam update-access-key --user-name USER --access-key-id AKIA... --status Inactive; aws iam delete-access-key --user-name USER --access-key-id AKIA...',
  },
  requires: ['users', 'users.password', 'users.accessKeys'],
  defaultOptions: {},
  judgeUser(facts) {
    const resource = userResource(facts);
    const active = consoleUserActiveKeys(facts, resource);
    if (!Array.isArray(active)) return active;
    return finding(resource, 'fail', { activeKeys: active.map(({ key: k, position }) => keyLabel(k, position)) });
  },
  describe(facts: ConsoleKeysFacts) {
    // Judged only for users with a console password (the title says so): the sentence does not repeat it.
    return `${facts.activeKeys.length} active access key(s): ${facts.activeKeys.join(', ')}`;
  },
  tests: [
    {
      name: 'console user with and without keys; key-only user',
      snapshot: () =>
        snapshotWith({
          users: [
            user('both', { console: true, keys: [key({ created: daysAgo(10), lastUsed: daysAgo(1) })] }),
            user('console', { console: true }),
            user('ci', { keys: [key({ created: daysAgo(10) })] }),
          ],
        }),
      expect: { both: 'fail', console: 'pass', ci: 'not_applicable' },
    },
    {
      name: 'an inactive key does not count',
      snapshot: () => snapshotWith({ users: [user('alice', { console: true, keys: [key({ active: false, created: daysAgo(10) })] })] }),
      expect: { alice: 'pass' },
    },
    {
      name: 'an active key never used (last used N/A) still counts: the rule applies and fails',
      snapshot: () => snapshotWith({ users: [user('alice', { console: true, keys: [key({ created: daysAgo(3), lastUsed: 'N/A' })] })] }),
      expect: { alice: 'fail' },
    },
    { name: 'keys not collected is not evaluated', snapshot: () => snapshotWith({ users: [user('alice', { console: true, keys: 'unknown' })] }), expect: { alice: 'not_evaluated' } },
    { name: 'empty account gives no findings', snapshot: () => snapshotWith({ users: [] }), expect: {} },
  ],
});
