/** Issue 23 §5: the root MFA rules' evidence names the device type seen, or says the snapshot cannot tell. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rootHardwareMfa } from '../src/rules/root-hardware-mfa.js';
import { rootMfa } from '../src/rules/root-mfa.js';
import type { Rule } from '../src/rules/rule.js';
import { judgeAll } from '../src/rules/rule.js';
import { ROOT_ARN, rootUser, snapshotWith } from '../src/rules/testing.js';
import { absent, known, type Snapshot } from '../src/snapshot/types.js';

function evidence(rule: Rule, snapshot: Snapshot): { verdict: string; evidence: string } {
  const [only, ...rest] = judgeAll(rule, snapshot, { now: Date.parse(snapshot.capturedAt), options: rule.defaultOptions });
  assert.equal(rest.length, 0);
  assert.ok(only);
  return { verdict: only.verdict, evidence: only.evidence };
}

const summary = known({ AccountMFAEnabled: 1, AccountPasswordPresent: 1 });
const virtualOnRoot = known([{ serialNumber: 'arn:aws:iam::123456789012:mfa/root-phone', assignedTo: ROOT_ARN }]);
const virtualElsewhere = known([{ serialNumber: 'arn:aws:iam::123456789012:mfa/alice', assignedTo: 'arn:aws:iam::123456789012:user/alice' }]);

describe('root MFA evidence names the device type seen', () => {
  it('a credential report (mfa_active only): unknown, and why', () => {
    const snapshot = snapshotWith({ root: rootUser({ console: true, mfa: true }) });
    assert.deepEqual(evidence(rootMfa, snapshot), {
      verdict: 'pass',
      evidence: 'root MFA enabled (mfa_active true); device type seen: unknown (the snapshot has no list of virtual MFA devices; a credential report gives only mfa_active)',
    });
  });

  it('live, a virtual device assigned to root: virtual, with its serial, in both rules', () => {
    const snapshot = snapshotWith({ source: 'aws-api', root: rootUser({ console: true, mfa: true }), accountFacts: { summary, virtualMfaDevices: virtualOnRoot } });
    assert.equal(evidence(rootMfa, snapshot).evidence, 'root MFA enabled (GetAccountSummary AccountMFAEnabled true); device type seen: virtual (arn:aws:iam::123456789012:mfa/root-phone)');
    assert.deepEqual(evidence(rootHardwareMfa, snapshot), {
      verdict: 'fail',
      evidence: `root MFA is virtual (device type seen: virtual, arn:aws:iam::123456789012:mfa/root-phone assigned to ${ROOT_ARN})`,
    });
  });

  it('live, MFA on and no virtual device on root: hardware TOTP or FIDO/U2F, in both rules', () => {
    const snapshot = snapshotWith({ source: 'aws-api', root: rootUser({ console: true, mfa: true }), accountFacts: { summary, virtualMfaDevices: virtualElsewhere } });
    const words = "device type seen: hardware TOTP or FIDO/U2F (no virtual MFA device is assigned to root; IAM does not list root's other devices)";
    assert.equal(evidence(rootMfa, snapshot).evidence, `root MFA enabled (GetAccountSummary AccountMFAEnabled true); ${words}`);
    assert.deepEqual(evidence(rootHardwareMfa, snapshot), { verdict: 'pass', evidence: `AccountMFAEnabled = 1 and none of the 1 virtual MFA device(s) is assigned to ${ROOT_ARN}; ${words}` });
  });

  it("root's own device list, when a snapshot has it, names each device's type", () => {
    const base = snapshotWith({ root: rootUser({ console: true, mfa: true }) });
    const root = base.root;
    assert.ok(root);
    const snapshot: Snapshot = {
      ...base,
      root: { ...root, mfa: { active: known(true), devices: known([{ serialNumber: 'arn:aws:iam::123456789012:u2f/root/key-1', type: 'fido', enabledAt: absent('no_information') }]) } },
    };
    assert.match(evidence(rootMfa, snapshot).evidence, /; device type seen: FIDO\/U2F security key \(arn:aws:iam::123456789012:u2f\/root\/key-1\)$/);
  });
});
