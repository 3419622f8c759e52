import { defineRule } from './rule.js';
import { accountResource, finding, isUnknown, missingReason, notEvaluated, rootResource, SOURCES } from './support/judging.js';
import { describeRootMfaDevice, rootMfaDeviceFacts, type RootMfaDeviceFacts } from './support/root-mfa-device.js';
import { rootUser, snapshotWith } from './testing.js';

/** Where root's MFA status was read. */
type MfaSource = 'GetAccountSummary AccountMFAEnabled' | 'mfa_active' | 'account summary AccountMFAEnabled';

/**
 * Root's MFA as judged: no password at all; MFA enabled (with where that was read and the devices
 * seen); or MFA off, with what is known of the password: `password_enabled` true, not stated by the
 * report (`not_supported`), the account summary's AccountPasswordPresent, or unknown (null).
 */
type RootMfaFacts =
  | { readonly passwordEnabled: false }
  | ({ readonly mfaEnabled: true; readonly mfaSource: MfaSource } & RootMfaDeviceFacts)
  | { readonly mfaEnabled: false; readonly mfaSource: MfaSource; readonly password: 'password_enabled' | 'not_supported' | null }
  | { readonly mfaEnabled: false; readonly mfaSource: MfaSource; readonly accountPasswordPresent: number };

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
    if (password.known && !password.value) return [finding(resource, 'pass', { passwordEnabled: false })];

    let mfa: boolean | null = root.mfa.active.known ? root.mfa.active.value : null;
    // A live snapshot takes root's MFA from GetAccountSummary (the collector never lets the report's
    // value stand in for it); an imported one from the credential report's root row.
    let mfaSource: MfaSource = snapshot.source === 'aws-api' ? 'GetAccountSummary AccountMFAEnabled' : 'mfa_active';
    const summary = snapshot.accountFacts.summary;
    if (mfa === null && summary.known && summary.value['AccountMFAEnabled'] !== undefined) {
      mfa = summary.value['AccountMFAEnabled'] === 1;
      mfaSource = 'account summary AccountMFAEnabled';
    }
    if (mfa === true) return [finding(resource, 'pass', { mfaEnabled: true, mfaSource, ...rootMfaDeviceFacts(snapshot) })];
    if (mfa === null) return [notEvaluated(resource, missingReason("root's MFA status", root.mfa.active.known ? { known: false, reason: 'not_collected' } : root.mfa.active, SOURCES.mfa))];

    // MFA is off: compliant only if the root has no password.
    if (password.known) return [finding(resource, 'fail', { mfaEnabled: false, mfaSource, password: 'password_enabled' })];
    if (!isUnknown(password)) {
      // not_supported: older reports do not say; root always had a password before centralised root access.
      return [finding(resource, 'fail', { mfaEnabled: false, mfaSource, password: 'not_supported' })];
    }
    if (summary.known && summary.value['AccountPasswordPresent'] !== undefined) {
      const present = summary.value['AccountPasswordPresent'];
      return [finding(resource, present === 0 ? 'pass' : 'fail', { mfaEnabled: false, mfaSource, accountPasswordPresent: present })];
    }
    return [notEvaluated(resource, missingReason('whether root has a password', password, SOURCES.root), { mfaEnabled: false, mfaSource, password: null })];
  },
  describe(facts: RootMfaFacts) {
    if (!('mfaEnabled' in facts)) return 'root has no password (password_enabled false), so console sign-in is impossible';
    if (facts.mfaEnabled) return `root MFA enabled (${facts.mfaSource} true); ${describeRootMfaDevice(facts)}`;
    if ('accountPasswordPresent' in facts) return `root MFA not enabled (${facts.mfaSource} false); account summary AccountPasswordPresent = ${facts.accountPasswordPresent}`;
    if (facts.password === 'password_enabled') return `root has a password (password_enabled true) and no MFA (${facts.mfaSource} false)`;
    if (facts.password === 'not_supported') return `root MFA not enabled (${facts.mfaSource} false); the report does not state password_enabled for root (not_supported), so a password is assumed`;
    return `root MFA not enabled (${facts.mfaSource} false)`;
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
