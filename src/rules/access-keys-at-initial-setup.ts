import type { RuleFinding } from './rule.js';
import { defineRule } from './rule.js';
import { consoleUserActiveKeys, finding, isUnknown, keyLabel, missingReason, notEvaluated, SOURCES, userResource } from './support/judging.js';
import { daysAgo, key, snapshotWith, user } from './testing.js';

/** The console user's active keys, by label, named by what was found: some never used, some of unknown use, or all used. */
type SetupKeyFacts = { readonly neverUsed: readonly string[] } | { readonly useUnknown: readonly string[] } | { readonly allUsed: readonly string[] };

export const accessKeysAtInitialSetup = defineRule({
  id: 'access-keys-at-initial-setup',
  title: 'No never-used access keys on users with a console password (keys made at initial setup)',
  severity: 'medium',
  rationale:
    'Keys created "just in case" when a console user is set up are rarely needed, never rotated and easily leaked. CIS flags a console user with an active key that was never used: create keys only when the user asks for them.',
  remediation: {
    console: ['Open the IAM console, Users, choose the user.', 'On Security credentials, under Access keys, deactivate and delete the key that was never used.'],
    cli: 'aws iam delete-access-key --user-name USER --access-key-id AKIA...',
  },
  requires: ['users', 'users.password', 'users.accessKeys', 'users.accessKeysLastUsed'],
  defaultOptions: {},
  judgeUser(facts): RuleFinding<SetupKeyFacts> {
    const resource = userResource(facts);
    const active = consoleUserActiveKeys(facts, resource);
    if (!Array.isArray(active)) return active;
    const neverUsed = active.filter(({ key: k }) => !k.lastUsed.known && !isUnknown(k.lastUsed));
    const unknownUse = active.filter(({ key: k }) => isUnknown(k.lastUsed));
    const label = (entries: typeof active): string[] => entries.map(({ key: k, position }) => keyLabel(k, position));
    if (neverUsed.length > 0) {
      return finding(resource, 'fail', { neverUsed: label(neverUsed) });
    }
    if (unknownUse.length > 0) {
      const first = unknownUse[0]?.key.lastUsed;
      const reason = first !== undefined && !first.known ? missingReason('access key last use', first, SOURCES.accessKeysLastUsed) : 'access key last use unknown';
      return notEvaluated(resource, reason, { useUnknown: label(unknownUse) });
    }
    return finding(resource, 'pass', { allUsed: label(active) });
  },
  describe(facts: SetupKeyFacts) {
    // Judged only for users with a console password (the title says so): the sentence does not repeat it.
    if ('neverUsed' in facts) return `active key(s) never used (last_used_date N/A): ${facts.neverUsed.join(', ')}`;
    if ('useUnknown' in facts) return `active key(s): ${facts.useUnknown.join(', ')}`;
    return `every active key has been used (${facts.allUsed.join(', ')})`;
  },
  tests: [
    {
      name: 'console user with a never-used active key fails',
      snapshot: () => snapshotWith({ users: [user('alice', { console: true, keys: [key({ created: daysAgo(100) })] })] }),
      expect: { alice: 'fail' },
    },
    {
      name: 'console user whose key was used passes',
      snapshot: () => snapshotWith({ users: [user('alice', { console: true, keys: [key({ created: daysAgo(100), lastUsed: daysAgo(2) })] })] }),
      expect: { alice: 'pass' },
    },
    {
      name: 'inactive never-used key is ignored',
      snapshot: () => snapshotWith({ users: [user('alice', { console: true, keys: [key({ active: false, created: daysAgo(100) })] })] }),
      expect: { alice: 'pass' },
    },
    {
      name: 'key-only user with a never-used key is not applicable',
      snapshot: () => snapshotWith({ users: [user('ci', { console: false, keys: [key({ created: daysAgo(1) })] })] }),
      expect: { ci: 'not_applicable' },
    },
    {
      name: 'second slot never used fails even if the first was used',
      snapshot: () =>
        snapshotWith({ users: [user('alice', { console: true, keys: [key({ created: daysAgo(100), lastUsed: daysAgo(1) }), key({ created: daysAgo(5) })] })] }),
      expect: { alice: 'fail' },
    },
    {
      name: 'user created after the key (clock skew) is still judged on key use',
      snapshot: () => snapshotWith({ users: [user('alice', { console: true, created: daysAgo(10), keys: [key({ created: daysAgo(11) })] })] }),
      expect: { alice: 'fail' },
    },
    {
      name: 'key last use not collected (16-column report) is not evaluated',
      snapshot: () => snapshotWith({ users: [user('alice', { console: true, keys: [key({ created: daysAgo(100), lastUsed: 'not_collected' })] })] }),
      expect: { alice: 'not_evaluated' },
    },
    {
      name: 'keys not collected is not evaluated',
      snapshot: () => snapshotWith({ users: [user('alice', { console: true, keys: 'unknown' })] }),
      expect: { alice: 'not_evaluated' },
    },
    { name: 'empty account gives no findings', snapshot: () => snapshotWith({ users: [] }), expect: {} },
  ],
});
