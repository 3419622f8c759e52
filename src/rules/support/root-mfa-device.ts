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

/** "device type seen: virtual (arn:aws:iam::...:mfa/root)": call only when root's MFA is on. */
export function rootMfaDeviceSeen(snapshot: Snapshot): string {
  const arn = rootArn(snapshot);
  const devices = snapshot.root?.mfa.devices;
  if (devices?.known === true && devices.value.length > 0) {
    return `device type seen: ${devices.value.map((device) => `${TYPE_WORDS[device.type]} (${device.serialNumber})`).join(', ')}`;
  }
  const virtualDevices = snapshot.accountFacts.virtualMfaDevices;
  if (virtualDevices.known) {
    const assigned = virtualDevices.value.filter((device) => device.assignedTo === arn);
    if (assigned.length > 0) return `device type seen: virtual (${assigned.map((device) => device.serialNumber).join(', ')})`;
    return 'device type seen: hardware TOTP or FIDO/U2F (no virtual MFA device is assigned to root; IAM does not list root\'s other devices)';
  }
  return 'device type seen: unknown (the snapshot has no list of virtual MFA devices; a credential report gives only mfa_active)';
}
