/**
 * Which kind of MFA device root was seen with, in words, for the evidence of the root MFA rules
 * (issue 23 §5: the evidence must say it, or say that the snapshot cannot tell).
 *
 * A live snapshot knows root's virtual devices (ListVirtualMFADevices names the ARN each is
 * assigned to) but IAM lists root's hardware and FIDO devices to nobody but root: with MFA on and
 * no virtual device assigned to root, the device is a hardware TOTP token or a FIDO/U2F key. A
 * credential report says only `mfa_active`: the type is unknown.
 */
import type { MfaDeviceType, Snapshot } from '../../snapshot/types.js';
import { rootArn } from './judging.js';

const TYPE_WORDS: Readonly<Record<MfaDeviceType, string>> = {
  virtual: 'virtual',
  fido: 'FIDO/U2F security key',
  'hardware-totp': 'hardware TOTP token',
  unknown: 'unknown',
};

/**
 * Which devices root was seen with, as facts a rule's own facts include: `deviceSeen` says how
 * (`listed`: root's own device list, with `deviceTypes`; `virtual`: virtual devices assigned to
 * root; `not-virtual`: MFA on and no virtual device assigned; `unknown`: no list to tell), and
 * `deviceSerials` names them.
 */
export type RootMfaDeviceFacts = {
  readonly deviceSeen: 'listed' | 'virtual' | 'not-virtual' | 'unknown';
  readonly deviceTypes: readonly string[];
  readonly deviceSerials: readonly string[];
};

/** Root's MFA devices seen: call only when root's MFA is on. */
export function rootMfaDeviceFacts(snapshot: Snapshot): RootMfaDeviceFacts {
  const arn = rootArn(snapshot);
  const devices = snapshot.root?.mfa.devices;
  if (devices?.known === true && devices.value.length > 0) {
    return { deviceSeen: 'listed', deviceTypes: devices.value.map((device) => device.type), deviceSerials: devices.value.map((device) => device.serialNumber) };
  }
  const virtualDevices = snapshot.accountFacts.virtualMfaDevices;
  if (virtualDevices.known) {
    const assigned = virtualDevices.value.filter((device) => device.assignedTo === arn);
    if (assigned.length > 0) return { deviceSeen: 'virtual', deviceTypes: [], deviceSerials: assigned.map((device) => device.serialNumber) };
    return { deviceSeen: 'not-virtual', deviceTypes: [], deviceSerials: [] };
  }
  return { deviceSeen: 'unknown', deviceTypes: [], deviceSerials: [] };
}

/** The devices seen in words, for the account-facts report (analyze/account-facts.ts). */
export function rootMfaDeviceSeen(snapshot: Snapshot): string {
  return describeRootMfaDevice(rootMfaDeviceFacts(snapshot));
}

/** "device type seen: virtual (arn:aws:iam::...:mfa/root)". */
export function describeRootMfaDevice(facts: RootMfaDeviceFacts): string {
  switch (facts.deviceSeen) {
    case 'listed':
      return `device type seen: ${facts.deviceSerials.map((serial, index) => `${typeWords(facts.deviceTypes[index])} (${serial})`).join(', ')}`;
    case 'virtual':
      return `device type seen: virtual (${facts.deviceSerials.join(', ')})`;
    case 'not-virtual':
      return 'device type seen: hardware TOTP or FIDO/U2F (no virtual MFA device is assigned to root; IAM does not list root\'s other devices)';
    case 'unknown':
      return 'device type seen: unknown (the snapshot has no list of virtual MFA devices; a credential report gives only mfa_active)';
  }
}

function typeWords(type: string | undefined): string {
  return type !== undefined && type in TYPE_WORDS ? TYPE_WORDS[type as MfaDeviceType] : 'unknown';
}
