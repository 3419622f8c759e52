import type { Fact, UserFacts } from '../snapshot/types.js';
import type { ResourceRef, RuleFinding } from './rule.js';
import { defineRule } from './rule.js';
import { MS_PER_DAY } from '../util/time.js';
import { activeKeys, ageAt, describeAgeAt, unmeasurable, finding, isUnknown, keyLabel, keyResource, missingReason, notApplicable, notEvaluated, SOURCES, userResource } from './support/judging.js';
import { daysAgo, key, snapshotWith, user } from './testing.js';

/**
 * What a credential's age is measured from, as data, named after the credential report's columns:
 * the password's last use; for a never-used password (`passwordLastUsed` the report's marker,
 * no_information or N/A) the date CIS says to count from, its last change, else the user's
 * creation; an active key's (by label) last use, or for a never-used one its creation.
 */
type UnusedFacts =
  | { readonly passwordLastUsed: string }
  | { readonly passwordLastUsed: 'no_information' | 'N/A'; readonly passwordLastChanged: string }
  | { readonly passwordLastUsed: 'no_information' | 'N/A'; readonly userCreated: string }
  | { readonly key: string; readonly keyLastUsed: string }
  | { readonly key: string; readonly keyCreated: string };

/** The facts to judge a credential on, or why they are missing. */
type Reference = UnusedFacts | { readonly missing: string };

function passwordReference(facts: UserFacts): Reference {
  const used = facts.password.lastUsed;
  if (used.known) return { passwordLastUsed: used.value };
  if (isUnknown(used)) return { missing: missingReason('password last use', used, SOURCES.passwordLastUsed) };
  // no_information: never used (or not since tracking began). CIS: measure from password_last_changed.
  const changed = facts.password.lastChanged;
  const marker = used.reason === 'no_information' ? 'no_information' : 'N/A';
  if (changed.known) return { passwordLastUsed: marker, passwordLastChanged: changed.value };
  if (facts.createdAt.known) return { passwordLastUsed: marker, userCreated: facts.createdAt.value };
  return { missing: missingReason('password last change', changed, SOURCES.password) };
}

function keyReference(label: string, lastUsed: Fact<string>, createdAt: Fact<string>): Reference {
  if (lastUsed.known) return { key: label, keyLastUsed: lastUsed.value };
  if (isUnknown(lastUsed)) return { missing: missingReason('access key last use', lastUsed, SOURCES.accessKeysLastUsed) };
  // N/A: never used. CIS: measure from last_rotated (the creation date).
  if (createdAt.known) return { key: label, keyCreated: createdAt.value };
  return { missing: missingReason('access key creation date', createdAt, SOURCES.accessKeys) };
}

function judge(resource: ResourceRef, reference: Reference, now: number, limit: number): RuleFinding<UnusedFacts> {
  if ('missing' in reference) return notEvaluated(resource, reference.missing);
  // CIS: compliant only when used "less than 45 days ago"; unused for 45 days or more fails.
  const age = ageAt(measuredFrom(reference), now);
  if (!age.ok) return unmeasurable(resource, 'the time since last use', age);
  const stale = age.ms >= limit * MS_PER_DAY;
  return finding(resource, stale ? 'fail' : 'pass', reference);
}

/** The instant the credential's age is measured from. */
function measuredFrom(facts: UnusedFacts): string {
  if ('key' in facts) return 'keyLastUsed' in facts ? facts.keyLastUsed : facts.keyCreated;
  if ('passwordLastChanged' in facts) return facts.passwordLastChanged;
  if ('userCreated' in facts) return facts.userCreated;
  return facts.passwordLastUsed;
}

/** What the credential's age is measured from, in words. */
function referenceWords(facts: UnusedFacts): string {
  if ('key' in facts) {
    if ('keyLastUsed' in facts) return `active key ${facts.key} last used ${facts.keyLastUsed}`;
    return `active key ${facts.key} never used (last_used_date N/A), created ${facts.keyCreated}`;
  }
  if ('passwordLastChanged' in facts) return `password never used (password_last_used ${facts.passwordLastUsed}), last changed ${facts.passwordLastChanged}`;
  if ('userCreated' in facts) return `password never used (password_last_used ${facts.passwordLastUsed}), change date unknown, user created ${facts.userCreated}`;
  return `password last used ${facts.passwordLastUsed}`;
}

export const unusedCredentials = defineRule({
  id: 'unused-credentials',
  title: 'Credentials unused for 45 days or more are disabled',
  severity: 'medium',
  rationale:
    'A password or access key nobody uses is a credential nobody watches: if it leaks, its use stands out to no one. CIS asks to disable credentials unused for 45 days or more. A never-used credential counts from when it was set (password_last_changed, key creation), so one set up long ago and never used fails, and one created yesterday passes.',
  remediation: {
    console: [
      'Open the IAM console, Users, choose the user, Security credentials.',
      'For a stale password: under Console sign-in choose Manage, then Disable console access.',
      'For a stale access key: choose Actions, Deactivate (delete it once nothing breaks).',
    ],
    cli: 'aws iam delete-login-profile --user-name USER; aws iam update-access-key --user-name USER --access-key-id AKIA... --status Inactive',
  },
  // users.accessKeysLastUsed is judged per key, not required: a 16-column report (no key use)
  // still lets the passwords be judged, and each active key comes out not_evaluated.
  requires: ['users', 'users.password', 'users.passwordLastUsed', 'users.accessKeys'],
  defaultOptions: { maxUnusedDays: 45 },
  judgeUser(facts, context) {
    const limit = context.options.maxUnusedDays;
    const findings: RuleFinding<UnusedFacts>[] = [];
    const resource = userResource(facts);
    const enabled = facts.password.enabled;
    if (!enabled.known) findings.push(notEvaluated(resource, missingReason('console password status', enabled, SOURCES.password)));
    else if (!enabled.value) findings.push(notApplicable(resource, 'no console password'));
    else findings.push(judge(resource, passwordReference(facts), context.now, limit));

    if (!facts.accessKeys.known) {
      findings.push(notEvaluated({ type: 'access-key', arn: `${facts.arn}#access_keys`, name: `${facts.name}#access_keys` }, missingReason('access keys', facts.accessKeys, SOURCES.accessKeys)));
      return findings;
    }
    for (const { key: k, position } of activeKeys(facts.accessKeys.value)) {
      findings.push(judge(keyResource(facts, k, position), keyReference(keyLabel(k, position), k.lastUsed, k.createdAt), context.now, limit));
    }
    return findings;
  },
  describe(facts: UnusedFacts, context) {
    return `${referenceWords(facts)}, ${describeAgeAt(measuredFrom(facts), context.now)}`;
  },
  tests: [
    {
      name: 'password used 45 days minus one second ago passes; exactly 45 days and 45 days plus one second fail',
      snapshot: () =>
        snapshotWith({
          users: [
            user('recent', { console: true, passwordLastUsed: daysAgo(45, -1) }),
            user('exactly', { console: true, passwordLastUsed: daysAgo(45) }),
            user('over', { console: true, passwordLastUsed: daysAgo(45, 1) }),
          ],
        }),
      expect: { recent: 'pass', exactly: 'fail', over: 'fail' },
    },
    {
      name: 'no_information password falls back to password_last_changed',
      snapshot: () =>
        snapshotWith({
          users: [
            user('stale', { console: true, passwordLastUsed: 'no_information', passwordLastChanged: daysAgo(60) }),
            user('yesterday', { console: true, created: daysAgo(1), passwordLastUsed: 'no_information', passwordLastChanged: daysAgo(1) }),
          ],
        }),
      expect: { stale: 'fail', yesterday: 'pass' },
    },
    {
      name: 'never-used active key falls back to its creation date',
      snapshot: () =>
        snapshotWith({
          users: [user('old', { keys: [key({ created: daysAgo(46) })] }), user('fresh', { keys: [key({ created: daysAgo(1) })] })],
        }),
      expect: { old: 'not_applicable', 'old#access_key_1': 'fail', fresh: 'not_applicable', 'fresh#access_key_1': 'pass' },
    },
    {
      name: 'password and each active key are judged on their own; inactive keys ignored',
      snapshot: () =>
        snapshotWith({
          users: [
            user('mixed', {
              console: true,
              passwordLastUsed: daysAgo(2),
              keys: [key({ created: daysAgo(300), lastUsed: daysAgo(100) }), key({ created: daysAgo(20), lastUsed: daysAgo(3) })],
            }),
            user('dormant', { console: true, passwordLastUsed: daysAgo(10), keys: [key({ active: false, created: daysAgo(300) })] }),
          ],
        }),
      expect: { mixed: 'pass', 'mixed#access_key_1': 'fail', 'mixed#access_key_2': 'pass', dormant: 'pass' },
    },
    {
      name: 'key used exactly 45 days ago fails, 44 days ago passes',
      snapshot: () =>
        snapshotWith({ users: [user('alice', { keys: [key({ created: daysAgo(300), lastUsed: daysAgo(45) }), key({ created: daysAgo(300), lastUsed: daysAgo(44) })] })] }),
      expect: { alice: 'not_applicable', 'alice#access_key_1': 'fail', 'alice#access_key_2': 'pass' },
    },
    {
      name: 'user created after the key: a never-used key still counts from its own date',
      snapshot: () => snapshotWith({ users: [user('alice', { created: daysAgo(5), keys: [key({ created: daysAgo(50) })] })] }),
      expect: { alice: 'not_applicable', 'alice#access_key_1': 'fail' },
    },
    {
      name: 'key last use not collected (16-column report) is not evaluated, never a pass',
      snapshot: () => snapshotWith({ users: [user('alice', { console: true, passwordLastUsed: daysAgo(1), keys: [key({ created: daysAgo(10), lastUsed: 'not_collected' })] })] }),
      expect: { alice: 'pass', 'alice#access_key_1': 'not_evaluated' },
    },
    {
      name: 'password enabled but last use N/A (never used) is judged from the last change, not not-applicable',
      snapshot: () =>
        snapshotWith({
          users: [
            user('stale', { console: true, passwordLastUsed: 'N/A', passwordLastChanged: daysAgo(60) }),
            user('fresh', { console: true, passwordLastUsed: 'N/A', passwordLastChanged: daysAgo(2) }),
          ],
        }),
      expect: { stale: 'fail', fresh: 'pass' },
    },
    {
      name: 'a key-only user: the missing password is not applicable, the never-used active key is judged',
      snapshot: () => snapshotWith({ users: [user('ci', { console: false, keys: [key({ created: daysAgo(3), lastUsed: 'N/A' })] })] }),
      expect: { ci: 'not_applicable', 'ci#access_key_1': 'pass' },
    },
    {
      name: 'option maxUnusedDays 90 (FSBP IAM.8)',
      snapshot: () => snapshotWith({ users: [user('alice', { console: true, passwordLastUsed: daysAgo(60) })] }),
      options: { maxUnusedDays: 90 },
      expect: { alice: 'pass' },
    },
    { name: 'keys not collected is not evaluated', snapshot: () => snapshotWith({ users: [user('alice', { keys: 'unknown' })] }), expect: { alice: 'not_applicable', 'alice#access_keys': 'not_evaluated' } },
    { name: 'password status not collected is not evaluated', snapshot: () => snapshotWith({ users: [user('alice', { console: 'unknown' })] }), expect: { alice: 'not_evaluated' } },
    { name: 'empty account gives no findings', snapshot: () => snapshotWith({ users: [] }), expect: {} },
  ],
});
