import { defineRule } from './rule.js';
import { activeKeys, finding, keyLabel, missingReason, notEvaluated, rootResource, SOURCES, accountResource } from './support/judging.js';
import { daysAgo, key, rootUser, snapshotWith } from './testing.js';

/**
 * Root's keys as listed (`activeKeys` by label, `inactiveKeys` how many), or, when they could not
 * be listed, the account summary's AccountAccessKeysPresent.
 */
type RootKeyFacts = { readonly activeKeys: readonly string[]; readonly inactiveKeys: number } | { readonly accountAccessKeysPresent: number };

export const rootAccessKeys = defineRule({
  id: 'root-access-keys',
  title: 'The root user has no active access keys',
  severity: 'critical',
  rationale:
    'Root access keys give unrestricted programmatic access to the whole account and cannot be limited by policies. Deleting them removes a standing, unrestricted credential and pushes automation onto least-privileged roles.',
  remediation: {
    console: [
      'Sign in as the root user and open the IAM console.',
      'Choose the account name at the top right, then Security credentials.',
      'Under Access keys, delete every key (deactivating alone still leaves a key behind).',
    ],
    cli: 'Sign in as root; there is no CLI path for another principal. With root credentials: aws iam delete-access-key --access-key-id AKIA...',
  },
  requires: ['root'],
  defaultOptions: {},
  judgeAccount(snapshot) {
    const root = snapshot.root;
    if (root === null) {
      return [notEvaluated(accountResource(snapshot), missingReason('the root user row', { known: false, reason: 'not_collected' }, SOURCES.root))];
    }
    const resource = rootResource(root);
    if (root.accessKeys.known) {
      const active = activeKeys(root.accessKeys.value);
      const inactive = root.accessKeys.value.length - active.length;
      return [finding(resource, active.length > 0 ? 'fail' : 'pass', { activeKeys: active.map(({ key: k, position }) => keyLabel(k, position)), inactiveKeys: inactive })];
    }
    // Live collection cannot list root's keys, but the account summary says whether any exist.
    const summary = snapshot.accountFacts.summary;
    if (summary.known && summary.value['AccountAccessKeysPresent'] !== undefined) {
      const present = summary.value['AccountAccessKeysPresent'];
      return [finding(resource, present === 0 ? 'pass' : 'fail', { accountAccessKeysPresent: present })];
    }
    return [notEvaluated(resource, missingReason("root's access keys", root.accessKeys, SOURCES.root))];
  },
  describe(facts: RootKeyFacts) {
    if ('accountAccessKeysPresent' in facts) return `account summary AccountAccessKeysPresent = ${facts.accountAccessKeysPresent}`;
    const inactiveNote = facts.inactiveKeys > 0 ? `; ${facts.inactiveKeys} inactive key(s) present (delete them too)` : '';
    if (facts.activeKeys.length > 0) return `root has ${facts.activeKeys.length} active access key(s): ${facts.activeKeys.join(', ')}${inactiveNote}`;
    return `root has no active access keys${inactiveNote}`;
  },
  tests: [
    { name: 'root without keys passes', snapshot: () => snapshotWith(), expect: { '<root_account>': 'pass' } },
    {
      name: 'an active root key fails',
      snapshot: () => snapshotWith({ root: rootUser({ keys: [key({ created: daysAgo(10) })] }) }),
      expect: { '<root_account>': 'fail' },
    },
    {
      name: 'an inactive root key alone passes',
      snapshot: () => snapshotWith({ root: rootUser({ keys: [key({ active: false, created: daysAgo(10) })] }) }),
      expect: { '<root_account>': 'pass' },
    },
    {
      name: 'the second slot active fails',
      snapshot: () =>
        snapshotWith({ root: rootUser({ keys: [key({ active: false, created: daysAgo(300) }), key({ created: daysAgo(3), lastUsed: daysAgo(1) })] }) }),
      expect: { '<root_account>': 'fail' },
    },
    {
      name: 'keys not collected, account summary says none',
      snapshot: () => snapshotWith({ root: rootUser({ keys: 'unknown' }), accountFacts: { summary: { known: true, value: { AccountAccessKeysPresent: 0 } } } }),
      expect: { '<root_account>': 'pass' },
    },
    {
      name: 'keys not collected, account summary says present',
      snapshot: () => snapshotWith({ root: rootUser({ keys: 'unknown' }), accountFacts: { summary: { known: true, value: { AccountAccessKeysPresent: 1 } } } }),
      expect: { '<root_account>': 'fail' },
    },
    {
      name: 'keys and summary unknown is not evaluated',
      snapshot: () => snapshotWith({ root: rootUser({ keys: 'unknown' }) }),
      expect: { '<root_account>': 'not_evaluated' },
    },
    {
      name: 'an active root key never used (last used N/A) fails',
      snapshot: () => snapshotWith({ root: rootUser({ keys: [key({ created: daysAgo(500), lastUsed: 'N/A' })] }) }),
      expect: { '<root_account>': 'fail' },
    },
    { name: 'no root row is not evaluated', snapshot: () => snapshotWith({ root: null }), expect: { account: 'not_evaluated' } },
  ],
});

