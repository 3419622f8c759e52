import type { MfaDeviceType } from '../snapshot/types.js';
import { defineRule } from './rule.js';
import { finding, missingReason, notApplicable, notEvaluated, SOURCES, userResource } from './support/judging.js';
import { mfaDevice, snapshotWith, user } from './testing.js';

const TYPE_WORDS: Readonly<Record<MfaDeviceType, string>> = {
  virtual: 'virtual (authenticator app)',
  fido: 'FIDO security key',
  'hardware-totp': 'hardware TOTP token',
  unknown: 'unknown type',
};

/**
 * The user's MFA devices, by serial number and type (the same order); `listed` false when MFA is
 * reported active but no device was listed.
 */
type DeviceFacts = { readonly listed: boolean; readonly deviceSerials: readonly string[]; readonly deviceTypes: readonly string[] };

function typeWords(type: string | undefined): string {
  return type !== undefined && type in TYPE_WORDS ? TYPE_WORDS[type as MfaDeviceType] : TYPE_WORDS.unknown;
}

export const mfaDeviceType = defineRule({
  id: 'mfa-device-type',
  title: 'MFA device type per user (phishing-resistant FIDO or hardware preferred)',
  severity: 'info',
  rationale:
    'Not all MFA is equal: FIDO security keys resist phishing, hardware tokens cannot be copied, virtual authenticator apps can be phished and live on personal phones. Knowing each user\'s device type shows where to move to stronger factors.',
  remediation: {
    console: ['Open the IAM console, Users, choose the user, Security credentials.', 'Assign a FIDO security key (Passkey or security key), then remove the virtual device.'],
    cli: 'aws iam list-mfa-devices --user-name USER; aws iam deactivate-mfa-device --user-name USER --serial-number ARN',
  },
  requires: ['users', 'users.mfaDevices'],
  defaultOptions: { allowVirtual: true },
  judgeUser(facts, context) {
    const allowVirtual = context.options.allowVirtual;
    const resource = userResource(facts);
    const devices = facts.mfa.devices;
    if (!devices.known) return notEvaluated(resource, missingReason('MFA devices', devices, SOURCES.mfaDevices));
    if (devices.value.length === 0) {
      // MFA reported active with no device listed: the user has MFA, so the rule applies; the
      // device (and its type) is what is missing, never a reason to call it not applicable.
      if (facts.mfa.active.known && facts.mfa.active.value) return notEvaluated(resource, 'MFA is reported active but no MFA device was listed, so its type is unknown; collect live again (iam:ListMFADevices)', { listed: false, deviceSerials: [], deviceTypes: [] });
      return notApplicable(resource, 'no MFA device');
    }
    const seen: DeviceFacts = { listed: true, deviceSerials: devices.value.map((device) => device.serialNumber), deviceTypes: devices.value.map((device) => device.type) };
    if (devices.value.some((device) => device.type === 'fido' || device.type === 'hardware-totp')) return finding(resource, 'pass', seen);
    if (devices.value.every((device) => device.type === 'unknown')) return notEvaluated(resource, 'the MFA device type could not be determined from its serial number', seen);
    return finding(resource, allowVirtual ? 'pass' : 'fail', seen);
  },
  describe(facts: DeviceFacts, context) {
    if (!facts.listed) return 'MFA active, no device listed';
    const described = `MFA devices: ${facts.deviceSerials.map((serial, index) => `${serial} (${typeWords(facts.deviceTypes[index])})`).join(', ')}`;
    // Only virtual devices (neither strong nor all unknown) carry the note on the option.
    if (facts.deviceTypes.some((type) => type === 'fido' || type === 'hardware-totp') || facts.deviceTypes.every((type) => type === 'unknown')) return described;
    return `${described}; ${context.options.allowVirtual ? 'virtual MFA accepted (option allowVirtual)' : 'only virtual MFA; option allowVirtual is false'}`;
  },
  tests: [
    {
      name: 'FIDO, hardware and virtual devices',
      snapshot: () =>
        snapshotWith({
          source: 'aws-api',
          users: [
            user('fido', { mfa: true, mfaDevices: [mfaDevice('fido', 'fido')] }),
            user('token', { mfa: true, mfaDevices: [mfaDevice('hardware-totp', 'token')] }),
            user('app', { mfa: true, mfaDevices: [mfaDevice('virtual', 'app')] }),
            user('none', { mfa: false, mfaDevices: [] }),
          ],
        }),
      expect: { fido: 'pass', token: 'pass', app: 'pass', none: 'not_applicable' },
    },
    {
      name: 'virtual only fails when allowVirtual is false; virtual plus FIDO passes',
      snapshot: () =>
        snapshotWith({
          source: 'aws-api',
          users: [user('app', { mfa: true, mfaDevices: [mfaDevice('virtual', 'app')] }), user('both', { mfa: true, mfaDevices: [mfaDevice('virtual', 'b1'), mfaDevice('fido', 'b2')] })],
        }),
      options: { allowVirtual: false },
      expect: { app: 'fail', both: 'pass' },
    },
    {
      name: 'credential-report import (devices not collected) is not evaluated',
      snapshot: () => snapshotWith({ users: [user('alice', { console: true, mfa: true })] }),
      expect: { alice: 'not_evaluated' },
    },
    {
      name: 'MFA active but no device listed is not evaluated, not not-applicable',
      snapshot: () => snapshotWith({ source: 'aws-api', users: [user('alice', { console: true, mfa: true, mfaDevices: [] })] }),
      expect: { alice: 'not_evaluated' },
    },
    { name: 'empty account gives no findings', snapshot: () => snapshotWith({ users: [] }), expect: {} },
  ],
});
