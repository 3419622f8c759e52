/**
 * Random accounts for the property tests over every rule (dates-property, dates-after-capture):
 * every kind of fact the rules read, with the dates of past events drawn from the given
 * arbitrary. The same builder for both, so a fact a new rule reads is added once.
 */
import fc from 'fast-check';
import {
  allowDocument,
  attachment,
  daysAgo,
  group,
  key,
  managedPolicy,
  mfaDevice,
  passwordPolicy,
  role,
  rootUser,
  serverCertificate,
  snapshotWith,
  user,
  type TimeSpec,
} from '../../src/rules/testing.js';
import type { Snapshot } from '../../src/snapshot/types.js';

/** A past event's date: up to 900 days before the capture, or any of the absences a report or a collection gives. */
export const anyPastTime: fc.Arbitrary<TimeSpec> = fc.oneof(
  fc.integer({ min: 0, max: 900 }).map((days) => daysAgo(days)),
  fc.constantFrom<TimeSpec>('N/A', 'no_information', 'not_supported', 'not_collected', 'collection_failed'),
);

/** An account of three users and root, each past-event date (last use of a password or key) drawn from `timeSpec`. */
export function randomAccount(timeSpec: fc.Arbitrary<TimeSpec>): fc.Arbitrary<Snapshot> {
  const keySpec = fc.record({ active: fc.boolean(), created: fc.integer({ min: 0, max: 800 }).map((days) => daysAgo(days)), lastUsed: timeSpec });

  const userArbitrary = (name: string) =>
    fc
      .record({
        console: fc.boolean(),
        mfa: fc.boolean(),
        passwordLastUsed: timeSpec,
        passwordLastChanged: fc.integer({ min: 0, max: 800 }).map((days) => daysAgo(days)),
        keys: fc.array(keySpec, { maxLength: 2 }),
        deviceType: fc.constantFrom('virtual' as const, 'fido' as const, 'hardware-totp' as const),
        direct: fc.boolean(),
      })
      .map((spec) =>
        user(name, {
          console: spec.console,
          mfa: spec.mfa,
          passwordLastUsed: spec.console ? spec.passwordLastUsed : 'N/A',
          passwordLastChanged: spec.console ? spec.passwordLastChanged : 'N/A',
          keys: spec.keys.map((k) => key(k)),
          mfaDevices: spec.mfa ? [mfaDevice(spec.deviceType, name)] : [],
          groups: [],
          attachedPolicies: spec.direct ? [attachment('ReadOnlyAccess')] : [],
          inlinePolicies: [],
        }),
      );

  return fc
    .record({
      users: fc.tuple(userArbitrary('alice'), userArbitrary('bob'), userArbitrary('carol')),
      rootPasswordLastUsed: timeSpec,
      rootKeys: fc.array(keySpec, { maxLength: 2 }),
      certificateExpiry: fc.integer({ min: -400, max: 400 }).map((days) => daysAgo(days)),
    })
    .map((spec) =>
      snapshotWith({
        source: 'aws-api',
        root: rootUser({ passwordLastUsed: spec.rootPasswordLastUsed, keys: spec.rootKeys.map((k) => key(k)) }),
        users: spec.users,
        accountFacts: {
          summary: { known: true, value: { AccountMFAEnabled: 1, AccountAccessKeysPresent: spec.rootKeys.length > 0 ? 1 : 0 } },
          passwordPolicy: passwordPolicy(),
          virtualMfaDevices: { known: true, value: [] },
          managedPolicies: {
            known: true,
            value: [
              managedPolicy('AWSSupportAccess', { attachmentCount: 1, document: allowDocument('support:*'), awsManaged: true }),
              managedPolicy('ReadOnlyAccess', { attachmentCount: 1, document: allowDocument('s3:Get*'), awsManaged: true }),
            ],
          },
          groups: { known: true, value: [group('readers')] },
          roles: { known: true, value: [role('support', { attached: [attachment('AWSSupportAccess')] })] },
          serverCertificates: { known: true, value: [serverCertificate('web', spec.certificateExpiry)] },
        },
      }),
    );
}
