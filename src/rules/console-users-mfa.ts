import { defineRule } from './rule.js';
import { consoleUserGate, finding, missingReason, notEvaluated, SOURCES, userResource } from './support/judging.js';
import { snapshotWith, user } from './testing.js';

/** Whether the console user's MFA is active. */
type ConsoleMfaFacts = { readonly mfaActive: boolean };
/** The two possible facts, shared by every user's finding. */
const MFA_ACTIVE: ConsoleMfaFacts = Object.freeze({ mfaActive: true });
const MFA_NOT_ACTIVE: ConsoleMfaFacts = Object.freeze({ mfaActive: false });

export const consoleUsersMfa = defineRule({
  id: 'console-users-mfa',
  title: 'Every IAM user with a console password has MFA',
  severity: 'high',
  rationale: 'A password alone can be phished, guessed or reused from another breach; MFA means the password by itself does not open the console.',
  remediation: {
    console: ['Open the IAM console, Users, choose the user.', 'On Security credentials, under Multi-factor authentication (MFA), choose Assign MFA device.', 'Or remove the console password if the user does not need the console.'],
    cli: 'aws iam create-virtual-mfa-device --virtual-mfa-device-name USER --outfile qr.png --bootstrap-method QRCodePNG; aws iam enable-mfa-device --user-name USER --serial-number ARN --authentication-code1 CODE1 --authentication-code2 CODE2',
  },
  requires: ['users', 'users.password', 'users.mfa'],
  defaultOptions: {},
  judgeUser(facts) {
    const resource = userResource(facts);
    const gate = consoleUserGate(facts, resource);
    if (gate !== null) return gate;
    const mfa = facts.mfa.active;
    if (!mfa.known) return notEvaluated<never>(resource, missingReason('MFA status', mfa, SOURCES.mfa), { shared: 'console-password-enabled' });
    return finding(resource, mfa.value ? 'pass' : 'fail', mfa.value ? MFA_ACTIVE : MFA_NOT_ACTIVE);
  },
  describe(facts: ConsoleMfaFacts) {
    // Judged only for users with a console password (the title says so): the sentence does not repeat it.
    return `MFA ${facts.mfaActive ? 'active' : 'not active'}`;
  },
  tests: [
    {
      name: 'console users with and without MFA; key-only user not applicable',
      snapshot: () =>
        snapshotWith({ users: [user('alice', { console: true, mfa: true }), user('bob', { console: true, mfa: false }), user('ci', { console: false, mfa: false })] }),
      expect: { alice: 'pass', bob: 'fail', ci: 'not_applicable' },
    },
    {
      name: 'password never used (no_information) still needs MFA',
      snapshot: () => snapshotWith({ users: [user('new', { console: true, passwordLastUsed: 'no_information', mfa: false })] }),
      expect: { new: 'fail' },
    },
    {
      name: 'MFA status not collected is not evaluated',
      snapshot: () => snapshotWith({ users: [user('alice', { console: true, mfa: 'unknown' })] }),
      expect: { alice: 'not_evaluated' },
    },
    {
      name: 'password status not collected is not evaluated',
      snapshot: () => snapshotWith({ users: [user('alice', { console: 'unknown', mfa: false })] }),
      expect: { alice: 'not_evaluated' },
    },
    { name: 'empty account gives no findings', snapshot: () => snapshotWith({ users: [] }), expect: {} },
  ],
});
