/**
 * The snapshot builders for rule tables produce valid snapshots, with the facts the case says and
 * the credential-report defaults otherwise.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  allowDocument,
  attachment,
  CAPTURED_AT,
  daysAgo,
  group,
  key,
  managedPolicy,
  mfaDevice,
  NO_PASSWORD_POLICY,
  passwordPolicy,
  role,
  rootUser,
  serverCertificate,
  snapshotWith,
  user,
} from '../src/rules/testing.js';
import { validateSnapshot } from '../src/snapshot/validate.js';

function assertValid(candidate: unknown): void {
  const outcome = validateSnapshot(JSON.parse(JSON.stringify(candidate)));
  assert.ok(outcome.valid, outcome.valid ? '' : outcome.problem);
}

describe('rule test builders', () => {
  it('daysAgo counts back from the capture time, seconds included', () => {
    assert.equal(daysAgo(0), CAPTURED_AT);
    assert.equal(daysAgo(45), '2026-04-17T00:00:00Z');
    assert.equal(daysAgo(45, 1), '2026-04-16T23:59:59Z');
    assert.equal(daysAgo(-1), '2026-06-02T00:00:00Z');
  });

  it('the default snapshot is valid and looks like a credential-report import', () => {
    const snapshot = snapshotWith({ users: [user('alice', { console: true })] });
    assertValid(snapshot);
    const alice = snapshot.users[0];
    assert.ok(alice);
    assert.deepEqual(alice.password.enabled, { known: true, value: true });
    assert.deepEqual(alice.attachedPolicies, { known: false, reason: 'not_collected' });
    assert.deepEqual(alice.mfa.devices, { known: false, reason: 'not_collected' });
    assert.deepEqual(snapshot.accountFacts.passwordPolicy, { known: false, reason: 'not_collected' });
    assert.deepEqual(snapshot.root?.password.enabled, { known: true, value: true });
  });

  it('a snapshot using every builder is valid', () => {
    const snapshot = snapshotWith({
      source: 'aws-api',
      root: rootUser({ console: 'not_supported', mfa: false, passwordLastUsed: 'no_information', keys: [key({ active: false, created: daysAgo(900) })] }),
      users: [
        user('alice', {
          console: true,
          passwordLastUsed: 'no_information',
          passwordLastChanged: daysAgo(60),
          mfa: true,
          mfaDevices: [mfaDevice('virtual'), mfaDevice('fido'), mfaDevice('hardware-totp')],
          keys: [key({ created: daysAgo(91), lastUsed: daysAgo(2) }), key({ created: daysAgo(1), slot: null, id: 'AKIAEXAMPLE000000001' })],
          groups: ['admins'],
          attachedPolicies: [attachment('ReadOnlyAccess')],
          inlinePolicies: [{ policyName: 'all', document: allowDocument('*') }],
        }),
        user('bob', { console: 'unknown', mfa: 'unknown', keys: 'unknown', created: 'not_collected' }),
        user('old', { keys: [key({ created: daysAgo(10), lastUsed: 'not_collected' })] }),
      ],
      accountFacts: {
        summary: { known: true, value: { AccountMFAEnabled: 1, AccountAccessKeysPresent: 0 } },
        passwordPolicy: passwordPolicy({ minimumPasswordLength: null, passwordReusePrevention: null, maxPasswordAge: null, expirePasswords: false }),
        virtualMfaDevices: { known: true, value: [{ serialNumber: 'arn:aws:iam::123456789012:mfa/root', assignedTo: null }] },
        managedPolicies: { known: true, value: [managedPolicy('AdministratorAccess', { attachmentCount: 1, awsManaged: true, document: allowDocument('*') }), managedPolicy('x', { attachmentCount: 0, document: 'unknown' })] },
        groups: { known: true, value: [group('admins', { attached: [attachment('AdministratorAccess')] })] },
        roles: { known: true, value: [role('aws-support', { attached: [attachment('AWSSupportAccess')] })] },
        serverCertificates: { known: true, value: [serverCertificate('www', daysAgo(-30)), serverCertificate('unknown', 'not_collected')] },
      },
    });
    assertValid(snapshot);
    assertValid(snapshotWith({ root: null, users: [], accountFacts: { passwordPolicy: NO_PASSWORD_POLICY } }));
  });
});
