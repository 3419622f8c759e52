import type { RuleFinding } from './rule.js';
import { defineRule } from './rule.js';
import { accountResource, ageAt, describeAgeAt, finding, unmeasurable, isUnknown, keyLabel, keyResource, missingReason, notEvaluated, rootResource, ROOT_NAME, SOURCES } from './support/judging.js';
import { daysAgo, key, rootUser, snapshotWith } from './testing.js';
import { MS_PER_DAY } from '../util/time.js';

/**
 * Root's password (`key` null) or one of root's keys (`key` its label, `active` its state): last
 * used at `lastUsed`, or never used (`lastUsed` null, `marker` the report's no_information or N/A).
 */
type RootUseFacts = { readonly key: string | null; readonly active: boolean | null; readonly lastUsed: string | null; readonly marker: 'no_information' | 'N/A' | null };

function credentialWords(facts: RootUseFacts): string {
  return facts.key === null ? 'root password' : `${facts.active === true ? 'active' : 'inactive'} root key`;
}

export const rootRecentUse = defineRule({
  id: 'root-recent-use',
  title: 'The root user has not been used recently',
  severity: 'high',
  rationale:
    'Daily or administrative work done as root bypasses least privilege and separation of duties, and every use exposes the most powerful credential. The root password and each root access key are judged on their own: recent key use matters even if the password was never used.',
  remediation: {
    console: [
      'Find out who used root and why (CloudTrail: userIdentity.type = Root).',
      'Give that work to an IAM role or IAM Identity Center permission set.',
      'Change the root password, delete root access keys, and keep the root MFA device locked away.',
    ],
    cli: 'aws cloudtrail lookup-events --lookup-attributes AttributeKey=Username,AttributeValue=root --max-results 50',
  },
  requires: ['root'],
  defaultOptions: { days: 30 },
  judgeAccount(snapshot, context) {
    const root = snapshot.root;
    if (root === null) {
      return [notEvaluated(accountResource(snapshot), missingReason('the root user row', { known: false, reason: 'not_collected' }, SOURCES.root))];
    }
    const days = context.options.days;
    const findings: RuleFinding<RootUseFacts>[] = [];
    const resource = rootResource(root);
    const used = root.password.lastUsed;
    if (used.known) {
      const age = ageAt(used.value, context.now);
      if (!age.ok) findings.push(unmeasurable(resource, "the time since root's password was used", age));
      else {
        const recent = age.ms <= days * MS_PER_DAY;
        findings.push(finding(resource, recent ? 'fail' : 'pass', { key: null, active: null, lastUsed: used.value, marker: null }));
      }
    } else if (isUnknown(used)) {
      findings.push(notEvaluated(resource, missingReason("root's password last use", used, SOURCES.passwordLastUsed)));
    } else {
      findings.push(finding(resource, 'pass', { key: null, active: null, lastUsed: null, marker: used.reason === 'no_information' ? 'no_information' : 'N/A' }));
    }
    if (!root.accessKeys.known) {
      findings.push(notEvaluated({ type: 'access-key', arn: `${root.arn}#access_keys`, name: `${ROOT_NAME}#access_keys` }, missingReason("root's access keys", root.accessKeys, SOURCES.root)));
      return findings;
    }
    root.accessKeys.value.forEach((rootKey, position) => {
      const keyRef = keyResource({ arn: root.arn, name: ROOT_NAME }, rootKey, position);
      const label = keyLabel(rootKey, position);
      const lastUsed = rootKey.lastUsed;
      if (lastUsed.known) {
        const age = ageAt(lastUsed.value, context.now);
        if (!age.ok) findings.push(unmeasurable(keyRef, "the time since the root key's last use", age));
        else {
          const recent = age.ms <= days * MS_PER_DAY;
          findings.push(finding(keyRef, recent ? 'fail' : 'pass', { key: label, active: rootKey.active, lastUsed: lastUsed.value, marker: null }));
        }
      } else if (isUnknown(lastUsed)) {
        findings.push(notEvaluated(keyRef, missingReason("root key's last use", lastUsed, SOURCES.accessKeysLastUsed)));
      } else {
        findings.push(finding(keyRef, 'pass', { key: label, active: rootKey.active, lastUsed: null, marker: 'N/A' }));
      }
    });
    return findings;
  },
  describe(facts: RootUseFacts, context) {
    if (facts.lastUsed !== null) return `${credentialWords(facts)} last used ${facts.lastUsed}, ${describeAgeAt(facts.lastUsed, context.now)} (limit: ${context.options.days} days)`;
    return facts.key === null ? `root password never used (password_last_used ${facts.marker ?? 'N/A'})` : `${credentialWords(facts)} never used (last_used_date N/A)`;
  },
  tests: [
    { name: 'password used yesterday fails', snapshot: () => snapshotWith({ root: rootUser({ passwordLastUsed: daysAgo(1) }) }), expect: { '<root_account>': 'fail' } },
    { name: 'password used exactly 30 days ago fails', snapshot: () => snapshotWith({ root: rootUser({ passwordLastUsed: daysAgo(30) }) }), expect: { '<root_account>': 'fail' } },
    { name: 'password used 30 days and one second ago passes', snapshot: () => snapshotWith({ root: rootUser({ passwordLastUsed: daysAgo(30, 1) }) }), expect: { '<root_account>': 'pass' } },
    { name: 'password never used (no_information) passes', snapshot: () => snapshotWith({ root: rootUser({ passwordLastUsed: 'no_information' }) }), expect: { '<root_account>': 'pass' } },
    {
      name: 'root without password (N/A) passes',
      snapshot: () => snapshotWith({ root: rootUser({ console: false, passwordLastUsed: 'N/A' }) }),
      expect: { '<root_account>': 'pass' },
    },
    {
      name: 'key used recently fails even though the password was never used',
      snapshot: () => snapshotWith({ root: rootUser({ passwordLastUsed: 'no_information', keys: [key({ created: daysAgo(400), lastUsed: daysAgo(2) })] }) }),
      expect: { '<root_account>': 'pass', '<root_account>#access_key_1': 'fail' },
    },
    {
      name: 'each key judged on its own; an inactive key used recently still fails',
      snapshot: () =>
        snapshotWith({
          root: rootUser({
            passwordLastUsed: daysAgo(200),
            keys: [key({ created: daysAgo(400), lastUsed: daysAgo(100) }), key({ active: false, created: daysAgo(300), lastUsed: daysAgo(5) })],
          }),
        }),
      expect: { '<root_account>': 'pass', '<root_account>#access_key_1': 'pass', '<root_account>#access_key_2': 'fail' },
    },
    {
      name: 'never-used key passes',
      snapshot: () => snapshotWith({ root: rootUser({ passwordLastUsed: daysAgo(90), keys: [key({ created: daysAgo(3) })] }) }),
      expect: { '<root_account>': 'pass', '<root_account>#access_key_1': 'pass' },
    },
    {
      name: 'option days = 7',
      snapshot: () => snapshotWith({ root: rootUser({ passwordLastUsed: daysAgo(10) }) }),
      options: { days: 7 },
      expect: { '<root_account>': 'pass' },
    },
    {
      name: 'key last use not collected (16-column report) is not evaluated',
      snapshot: () => snapshotWith({ root: rootUser({ passwordLastUsed: daysAgo(100), keys: [key({ created: daysAgo(400), lastUsed: 'not_collected' })] }) }),
      expect: { '<root_account>': 'pass', '<root_account>#access_key_1': 'not_evaluated' },
    },
    { name: 'no root row is not evaluated', snapshot: () => snapshotWith({ root: null }), expect: { account: 'not_evaluated' } },
  ],
});
