import type { RuleFinding } from './rule.js';
import { defineRule } from './rule.js';
import { MS_PER_DAY } from '../util/time.js';
import { activeKeys, ageAt, describeAgeAt, unmeasurable, finding, keyLabel, keyResource, missingReason, notApplicable, notEvaluated, SOURCES, userResource } from './support/judging.js';
import { daysAgo, key, snapshotWith, user } from './testing.js';

/** One active key's age, as data: its label and creation instant (the age follows from the evaluation time). */
type KeyAgeFacts = { readonly key: string; readonly createdAt: string };

export const accessKeyRotation = defineRule({
  id: 'access-key-rotation',
  title: 'Active access keys are rotated within 90 days',
  severity: 'medium',
  rationale:
    'An access key is a long-lived secret that ends up in files, CI systems and laptops. Rotating it bounds how long a leaked key stays useful. Only active keys count; a key older than 90 days fails.',
  remediation: {
    console: [
      'Open the IAM console, Users, choose the user, Security credentials.',
      'Create a second access key and deploy it where the old one is used.',
      'Once the old key shows no recent use, deactivate it, then delete it.',
    ],
    cli: 'aws iam create-access-key --user-name USER; (deploy it) aws iam update-access-key --user-name USER --access-key-id OLD --status Inactive; aws iam delete-access-key --user-name USER --access-key-id OLD',
  },
  requires: ['users', 'users.accessKeys'],
  defaultOptions: { maxAgeDays: 90 },
  judgeUser(facts, context) {
    const limit = context.options.maxAgeDays;
    if (!facts.accessKeys.known) return notEvaluated(userResource(facts), missingReason('access keys', facts.accessKeys, SOURCES.accessKeys));
    const active = activeKeys(facts.accessKeys.value);
    if (active.length === 0) {
      const inactive = facts.accessKeys.value.length;
      return notApplicable(userResource(facts), inactive > 0 ? `no active access keys (${inactive} inactive, ignored)` : 'no active access keys');
    }
    const findings: RuleFinding<KeyAgeFacts>[] = [];
    for (const { key: k, position } of active) {
      const resource = keyResource(facts, k, position);
      if (!k.createdAt.known) {
        findings.push(notEvaluated(resource, missingReason('the key creation date', k.createdAt, SOURCES.accessKeys)));
        continue;
      }
      const age = ageAt(k.createdAt.value, context.now);
      if (!age.ok) {
        findings.push(unmeasurable(resource, 'the key age', age));
        continue;
      }
      findings.push(finding(resource, age.ms > limit * MS_PER_DAY ? 'fail' : 'pass', { key: keyLabel(k, position), createdAt: k.createdAt.value }));
    }
    return findings;
  },
  describe(facts: KeyAgeFacts, context) {
    return `active key ${facts.key} created ${facts.createdAt}, ${describeAgeAt(facts.createdAt, context.now)}`;
  },
  tests: [
    {
      name: 'exactly 90 days passes, 90 days and one second fails',
      snapshot: () => snapshotWith({ users: [user('alice', { keys: [key({ created: daysAgo(90) }), key({ created: daysAgo(90, 1) })] })] }),
      expect: { 'alice#access_key_1': 'pass', 'alice#access_key_2': 'fail' },
    },
    {
      name: 'inactive old key is ignored',
      snapshot: () => snapshotWith({ users: [user('alice', { keys: [key({ active: false, created: daysAgo(400) })] })] }),
      expect: { alice: 'not_applicable' },
    },
    {
      name: 'key never used but old still fails (age is from creation)',
      snapshot: () => snapshotWith({ users: [user('alice', { keys: [key({ created: daysAgo(143), lastUsed: 'N/A' })] })] }),
      expect: { 'alice#access_key_1': 'fail' },
    },
    {
      name: 'user created after the key: the key date counts',
      snapshot: () => snapshotWith({ users: [user('alice', { created: daysAgo(10), keys: [key({ created: daysAgo(95) })] })] }),
      expect: { 'alice#access_key_1': 'fail' },
    },
    {
      name: 'API-listed key named by its id',
      snapshot: () => snapshotWith({ source: 'aws-api', users: [user('alice', { keys: [key({ created: daysAgo(3), slot: null, id: 'AKIAEXAMPLEKEY000001' })] })] }),
      expect: { 'alice#AKIAEXAMPLEKEY000001': 'pass' },
    },
    { name: 'option maxAgeDays 30', snapshot: () => snapshotWith({ users: [user('alice', { keys: [key({ created: daysAgo(31) })] })] }), options: { maxAgeDays: 30 }, expect: { 'alice#access_key_1': 'fail' } },
    {
      name: 'as of an earlier instant the same key passes',
      snapshot: () => snapshotWith({ users: [user('alice', { keys: [key({ created: daysAgo(100) })] })] }),
      asOf: daysAgo(20),
      expect: { 'alice#access_key_1': 'pass' },
    },
    {
      name: 'a recent key never used is judged (pass), not not-applicable',
      snapshot: () => snapshotWith({ users: [user('ci', { keys: [key({ created: daysAgo(10), lastUsed: 'N/A' })] })] }),
      expect: { 'ci#access_key_1': 'pass' },
    },
    { name: 'keys not collected is not evaluated', snapshot: () => snapshotWith({ users: [user('alice', { keys: 'unknown' })] }), expect: { alice: 'not_evaluated' } },
    { name: 'no keys is not applicable', snapshot: () => snapshotWith({ users: [user('alice')] }), expect: { alice: 'not_applicable' } },
    { name: 'empty account gives no findings', snapshot: () => snapshotWith({ users: [] }), expect: {} },
  ],
});
