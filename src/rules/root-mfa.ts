import { defineRule } from './rule.js';
import { accountResource, finding, isUnknown, missingReason, notEvaluated, rootResource, SOURCES } from './support/judging.js';
import { rootMfaDeviceSeen } from './support/root-mfa-device.js';
import { rootUser, snapshotWith } from './testing.js';

export const rootMfa = defineRule({
  id: 'root-mfa',
  title: 'The root user has MFA enabled (or no password)',
  severity: 'critical',
  rationale:
    'The root user can do anything in the account, including closing it. MFA means a stolen root password alone is not enough to sign in. An account whose root password was removed (centrally managed root access) has nothing to protect with MFA and complies.',
  remediation: {
    console: [
      'Sign in as the root user and open the IAM console.',
      'Choose the account name at the top right, then Security credentials.',
      'Under Multi-factor authentication (MFA), choose Assign MFA device and follow the steps (prefer a FIDO security key or hardware device).',
      'Or, in an AWS Organization with centralised root access, delete the member account\'s root password from the management account.',
    ],
    cli: 'MFA for root is assigned only while signed in as root. Centralised root access: aws iam list-organizations-features; aws sts assume-root ... then aws iam delete-login-profile',
  },
  requires: ['root'],
  defaultOptions: {},
  judgeAccount(snapshot) {
    const root = snapshot.root;
    if (root === null) {
      return [notEvaluated(accountResource(snapshot), missingReason('the root user row', { known: false, reason: 'not_collected' }, SOURCES.root))];
    }
    const resource = rootResource(root);
    const password = root.password.enabled;
    if (password.known && !password.value) return [finding(resource, 'pass', 'root has no password (password_enabled false), so console sign-in is impossible')];

    let mfa: boolean | null = root.mfa.active.known ? root.mfa.active.value : null;
    // A live snapshot takes root's MFA from GetAccountSummary (the collector never lets the report's
    // value stand in for it); an imported one from the credential report's root row.
    let mfaSource = snapshot.source === 'aws-api' ? 'GetAccountSummary AccountMFAEnabled' : 'mfa_active';
    const summary = snapshot.accountFacts.summary;
    if (mfa === null && summary.known && summary.value['AccountMFAEnabled'] !== undefined) {
      mfa = summary.value['AccountMFAEnabled'] === 1;
      mfaSource = 'account summary AccountMFAEnabled';
    }
    if (mfa === true) return [finding(resource, 'pass', `root MFA enabled (${mfaSource} true); ${rootMfaDeviceSeen(snapshot)}`)];
    if (mfa === null) return [notEvaluated(resource, missingReason("root's MFA status", root.mfa.active.known ? { known: false, reason: 'not_collected' } : root.mfa.active, SOURCES.mfa))];

    // MFA is off: compliant only if the root has no password.
    if (password.known) return [finding(resource, 'fail', `root has a password (password_enabled true) and no MFA (${mfaSource} false)`)];
    if (!isUnknown(password)) {
      // not_supported: older reports do not say; root always had a password before centralised root access.
      return [finding(resource, 'fail', `root MFA not enabled (${mfaSource} false); the report does not state password_enabled for root (not_supported), so a password is assumed`)];
    }
    if (summary.known && summary.value['AccountPasswordPresent'] !== undefined) {
      const present = summary.value['AccountPasswordPresent'];
      return [finding(resource, present === 0 ? 'pass' : 'fail', `root MFA not enabled (${mfaSource} false); account summary AccountPasswordPresent = ${present}`)];
    }
    return [notEvaluated(resource, missingReason('whether root has a password', password, SOURCES.root), `root MFA not enabled (${mfaSource} false)`)];
  },
  tests: [
    { name: 'password and MFA pass', snapshot: () => snapshotWith({ root: rootUser({ console: true, mfa: true }) }), expect: { '<root_account>': 'pass' } },
    { name: 'password without MFA fails', snapshot: () => snapshotWith({ root: rootUser({ console: true, mfa: false }) }), expect: { '<root_account>': 'fail' } },
    {
      name: 'root without password and without MFA passes',
      snapshot: () => snapshotWith({ root: rootUser({ console: false, mfa: false }) }),
      expect: { '<root_account>': 'pass' },
    },
    {
      name: 'older report (password not_supported) without MFA fails',
      snapshot: () => snapshotWith({ root: rootUser({ console: 'not_supported', mfa: false }) }),
      expect: { '<root_account>': 'fail' },
    },
    {
      name: 'older report (password not_supported) with MFA passes',
      snapshot: () => snapshotWith({ root: rootUser({ console: 'not_supported', mfa: true }) }),
      expect: { '<root_account>': 'pass' },
    },
    {
      name: 'MFA unknown, summary AccountMFAEnabled 1 passes',
      snapshot: () => snapshotWith({ root: rootUser({ mfa: 'unknown' }), accountFacts: { summary: { known: true, value: { AccountMFAEnabled: 1 } } } }),
      expect: { '<root_account>': 'pass' },
    },
    {
      name: 'password unknown, MFA off, summary says no password passes',
      snapshot: () =>
        snapshotWith({
          root: rootUser({ console: 'unknown', mfa: false }),
          accountFacts: { summary: { known: true, value: { AccountMFAEnabled: 0, AccountPasswordPresent: 0 } } },
        }),
      expect: { '<root_account>': 'pass' },
    },
    {
      name: 'password unknown, MFA off, no summary is not evaluated',
      snapshot: () => snapshotWith({ root: rootUser({ console: 'unknown', mfa: false }) }),
      expect: { '<root_account>': 'not_evaluated' },
    },
    { name: 'MFA unknown without summary is not evaluated', snapshot: () => snapshotWith({ root: rootUser({ mfa: 'unknown' }) }), expect: { '<root_account>': 'not_evaluated' } },
    { name: 'no root row is not evaluated', snapshot: () => snapshotWith({ root: null }), expect: { account: 'not_evaluated' } },
  ],
});
