import { defineRule } from './rule.js';
import { finding, missingReason, notEvaluated, rootArn, rootResource, SOURCES } from './support/judging.js';
import { describeRootMfaDevice, rootMfaDeviceFacts, type RootMfaDeviceFacts } from './support/root-mfa-device.js';
import { ROOT_ARN, rootUser, snapshotWith } from './testing.js';

/**
 * Root's MFA as judged: no password (`noPassword`, from the root row or the account summary's
 * AccountPasswordPresent 0); no MFA (`accountMfaEnabled`); virtual devices assigned to root; or none
 * of the account's `virtualDevices` (a count) assigned to root, with the devices seen.
 */
type HardwareMfaFacts =
  | { readonly noPassword: 'password_enabled' | 'AccountPasswordPresent' }
  | { readonly accountMfaEnabled: number }
  | { readonly rootVirtualDevices: readonly string[]; readonly rootArn: string }
  | ({ readonly virtualDevices: number; readonly rootArn: string } & RootMfaDeviceFacts);

export const rootHardwareMfa = defineRule({
  id: 'root-hardware-mfa',
  title: 'The root user uses a hardware MFA device, not a virtual one',
  severity: 'high',
  rationale:
    'A virtual MFA app lives on a phone that may be lost, replaced, backed up to the cloud or owned by one person. A hardware or FIDO device assigned only to the root user is harder to copy and survives staff changes.',
  remediation: {
    console: [
      'Sign in as the root user and open the IAM console.',
      'Choose the account name at the top right, then Security credentials.',
      'Assign a FIDO security key or hardware TOTP token, then remove the virtual MFA device.',
    ],
    cli: 'Root MFA is managed only while signed in as root. Check: aws iam get-account-summary (AccountMFAEnabled) and aws iam list-virtual-mfa-devices --assignment-status Assigned',
  },
  requires: ['account.summary', 'account.virtualMfaDevices'],
  defaultOptions: {},
  judgeAccount(snapshot) {
    const arn = rootArn(snapshot);
    const resource = rootResource({ arn });
    const summary = snapshot.accountFacts.summary;
    const virtualDevices = snapshot.accountFacts.virtualMfaDevices;
    if (!summary.known) return [notEvaluated(resource, missingReason('the account summary', summary, SOURCES.summary))];
    const mfaEnabled = summary.value['AccountMFAEnabled'];
    if (mfaEnabled === undefined) return [notEvaluated(resource, `the account summary lacks AccountMFAEnabled; ${SOURCES.summary}`)];
    if (mfaEnabled !== 1) {
      const password = snapshot.root?.password.enabled;
      if (password?.known === true && !password.value) return [finding(resource, 'pass', { noPassword: 'password_enabled' })];
      if (summary.value['AccountPasswordPresent'] === 0) return [finding(resource, 'pass', { noPassword: 'AccountPasswordPresent' })];
      return [finding(resource, 'fail', { accountMfaEnabled: mfaEnabled })];
    }
    if (!virtualDevices.known) return [notEvaluated(resource, missingReason('the virtual MFA devices', virtualDevices, SOURCES.virtualMfaDevices))];
    // Judged by assignment, never by the device's name: since multi-device MFA the name is free text.
    const rootVirtual = virtualDevices.value.filter((device) => device.assignedTo === arn);
    if (rootVirtual.length > 0) {
      return [finding(resource, 'fail', { rootVirtualDevices: rootVirtual.map((device) => device.serialNumber), rootArn: arn })];
    }
    return [finding(resource, 'pass', { virtualDevices: virtualDevices.value.length, rootArn: arn, ...rootMfaDeviceFacts(snapshot) })];
  },
  describe(facts: HardwareMfaFacts) {
    if ('noPassword' in facts) {
      return facts.noPassword === 'password_enabled'
        ? 'root has no password (password_enabled false), so there is no console sign-in to protect'
        : 'account summary AccountPasswordPresent = 0: root has no password to protect';
    }
    if ('accountMfaEnabled' in facts) return `root has no MFA at all (account summary AccountMFAEnabled = ${facts.accountMfaEnabled})`;
    if ('rootVirtualDevices' in facts) return `root MFA is virtual (device type seen: virtual, ${facts.rootVirtualDevices.join(', ')} assigned to ${facts.rootArn})`;
    return `AccountMFAEnabled = 1 and none of the ${facts.virtualDevices} virtual MFA device(s) is assigned to ${facts.rootArn}; ${describeRootMfaDevice(facts)}`;
  },
  tests: [
    {
      name: 'MFA enabled, no virtual device on root passes',
      snapshot: () =>
        snapshotWith({
          accountFacts: {
            summary: { known: true, value: { AccountMFAEnabled: 1 } },
            virtualMfaDevices: { known: true, value: [{ serialNumber: 'arn:aws:iam::123456789012:mfa/alice', assignedTo: 'arn:aws:iam::123456789012:user/alice' }] },
          },
        }),
      expect: { '<root_account>': 'pass' },
    },
    {
      name: 'a virtual device assigned to root fails whatever its name',
      snapshot: () =>
        snapshotWith({
          accountFacts: {
            summary: { known: true, value: { AccountMFAEnabled: 1 } },
            virtualMfaDevices: { known: true, value: [{ serialNumber: 'arn:aws:iam::123456789012:mfa/yubikey-hardware', assignedTo: ROOT_ARN }] },
          },
        }),
      expect: { '<root_account>': 'fail' },
    },
    {
      name: 'an unassigned device named root-account-mfa-device does not count',
      snapshot: () =>
        snapshotWith({
          accountFacts: {
            summary: { known: true, value: { AccountMFAEnabled: 1 } },
            virtualMfaDevices: { known: true, value: [{ serialNumber: 'arn:aws:iam::123456789012:mfa/root-account-mfa-device', assignedTo: null }] },
          },
        }),
      expect: { '<root_account>': 'pass' },
    },
    {
      name: 'no MFA at all fails',
      snapshot: () =>
        snapshotWith({ accountFacts: { summary: { known: true, value: { AccountMFAEnabled: 0, AccountPasswordPresent: 1 } }, virtualMfaDevices: { known: true, value: [] } } }),
      expect: { '<root_account>': 'fail' },
    },
    {
      name: 'root without password passes',
      snapshot: () =>
        snapshotWith({
          root: rootUser({ console: false, mfa: false }),
          accountFacts: { summary: { known: true, value: { AccountMFAEnabled: 0 } }, virtualMfaDevices: { known: true, value: [] } },
        }),
      expect: { '<root_account>': 'pass' },
    },
    {
      name: 'virtual devices not collected is not evaluated',
      snapshot: () => snapshotWith({ accountFacts: { summary: { known: true, value: { AccountMFAEnabled: 1 } } } }),
      expect: { '<root_account>': 'not_evaluated' },
    },
    { name: 'credential-report import is not evaluated', snapshot: () => snapshotWith(), expect: { '<root_account>': 'not_evaluated' } },
  ],
});
