/**
 * A tiny catalogue for the engine's own tests, kept out of src/rules and src/frameworks: a
 * time-based rule with an option and a test table, a rule whose data a credential report lacks,
 * a rule that throws, and a root rule, plus one framework that maps them (and one manual control).
 */
import { importCredentialReport } from '../../src/import/credential-report.js';
import type { CatalogueFramework } from '../../src/analyze/engine.js';
import { defineRule, type Rule } from '../../src/rules/rule.js';
import type { Snapshot } from '../../src/snapshot/types.js';
import { MS_PER_DAY, toIsoUtc } from '../../src/util/time.js';

export const EXAMPLE_ACCOUNT = '123456789012';
export const EXAMPLE_CAPTURED_AT = '2026-06-01T00:00:00Z';

const HEADER =
  'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';

/** `days` days before the capture time, as the credential report writes it. */
export function daysBeforeCapture(days: number): string {
  return toIsoUtc(new Date(Date.parse(EXAMPLE_CAPTURED_AT) - days * MS_PER_DAY));
}

export interface ExampleUser {
  readonly name: string;
  /** Path in the ARN, e.g. "team/" (default none). */
  readonly path?: string;
  /** Age in days of an active access key (slot 1); undefined for no key. */
  readonly keyAgeDays?: number;
  readonly inactiveKeyAgeDays?: number;
}

/** A credential-report snapshot (as `import` makes it) with the given users and root MFA state. */
export function exampleSnapshot(users: readonly ExampleUser[], options: { rootMfa?: boolean } = {}): Snapshot {
  const created = daysBeforeCapture(1000);
  const rootMfa = options.rootMfa ?? true;
  const lines = [HEADER, `<root_account>,arn:aws:iam::${EXAMPLE_ACCOUNT}:root,${created},true,${daysBeforeCapture(3)},${created},not_supported,${rootMfa},false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`];
  for (const user of users) {
    const key1 = user.keyAgeDays === undefined ? 'false,N/A,N/A,N/A,N/A' : `true,${daysBeforeCapture(user.keyAgeDays)},N/A,N/A,N/A`;
    const key2 = user.inactiveKeyAgeDays === undefined ? 'false,N/A,N/A,N/A,N/A' : `false,${daysBeforeCapture(user.inactiveKeyAgeDays)},N/A,N/A,N/A`;
    lines.push(`${user.name},arn:aws:iam::${EXAMPLE_ACCOUNT}:user/${user.path ?? ''}${user.name},${created},false,N/A,N/A,N/A,false,${key1},${key2},false,N/A,false,N/A`);
  }
  return importCredentialReport(Buffer.from(`${lines.join('\n')}\n`), { generatedAt: new Date(EXAMPLE_CAPTURED_AT), fileName: 'example.csv', displayPath: 'example.csv' }).snapshot;
}

const remediation = { console: ['Open the IAM console.', 'Fix it.'], cli: 'aws iam do-something' };

export const exampleKeyAge = defineRule({
  id: 'example-key-age',
  title: 'Active access keys are younger than the maximum age',
  severity: 'medium',
  rationale: 'Old keys have had longer to leak.',
  remediation,
  requires: ['users.accessKeys'],
  defaultOptions: { maxAgeDays: 90 },
  judgeUser(user, context) {
    const resource = { type: 'user' as const, arn: user.arn, name: user.name };
    if (!user.accessKeys.known) return { resource, verdict: 'not_evaluated' as const, facts: null, reason: 'access keys not collected' };
    const active = user.accessKeys.value.filter((key) => key.active);
    if (active.length === 0) return { resource, verdict: 'not_applicable' as const, facts: { oldestDays: null }, reason: 'no active key' };
    const ages = active.map((key) => (key.createdAt.known ? (context.now - Date.parse(key.createdAt.value)) / MS_PER_DAY : Number.POSITIVE_INFINITY));
    const oldest = Math.max(...ages);
    return {
      resource,
      verdict: oldest > context.options.maxAgeDays ? ('fail' as const) : ('pass' as const),
      facts: { oldestDays: oldest },
      reason: null,
    };
  },
  /** `oldestDays` null: no active key. */
  describe(facts: { readonly oldestDays: number | null }, context) {
    return facts.oldestDays === null ? 'no active key' : `oldest active key ${facts.oldestDays} days old (maximum ${context.options.maxAgeDays})`;
  },
  tests: [
    { name: 'exactly 90 days passes', snapshot: () => exampleSnapshot([{ name: 'alice', keyAgeDays: 90 }]), expect: { alice: 'pass' } },
    { name: '91 days fails', snapshot: () => exampleSnapshot([{ name: 'alice', keyAgeDays: 91 }]), expect: { alice: 'fail' } },
    { name: 'inactive keys ignored', snapshot: () => exampleSnapshot([{ name: 'alice', inactiveKeyAgeDays: 400 }]), expect: { alice: 'not_applicable' } },
    { name: 'option raises the limit', snapshot: () => exampleSnapshot([{ name: 'alice', keyAgeDays: 91 }]), options: { maxAgeDays: 120 }, expect: { alice: 'pass' } },
    { name: 'as-of a day later', snapshot: () => exampleSnapshot([{ name: 'alice', keyAgeDays: 90 }]), asOf: '2026-06-02T00:00:00Z', expect: { alice: 'fail' } },
    { name: 'empty account', snapshot: () => exampleSnapshot([]), expect: {} },
  ],
});

export const exampleUserPolicies = defineRule({
  id: 'example-user-policies',
  title: 'Users get permissions only through groups',
  severity: 'low',
  rationale: 'Permissions on users are hard to review.',
  remediation,
  requires: ['users', 'users.policies', 'account.managedPolicies'],
  defaultOptions: {},
  judgeUser() {
    // The engine must not call this when the snapshot lacks the policies.
    throw new Error('example-user-policies evaluated without its data');
  },
  judgeAccount() {
    throw new Error('example-user-policies evaluated without its data');
  },
  describe: () => '',
  tests: [],
});

export const exampleThrows = defineRule({
  id: 'example-throws',
  title: 'A rule with a bug',
  severity: 'high',
  rationale: 'Shows that one broken rule does not stop the run.',
  remediation,
  requires: [],
  defaultOptions: {},
  judgeAccount() {
    throw new Error('boom: cannot read property of undefined');
  },
  describe: () => '',
  tests: [],
});

export const exampleRootMfa = defineRule({
  id: 'example-root-mfa',
  title: 'Root has MFA',
  severity: 'critical',
  rationale: 'Root can do anything.',
  remediation,
  requires: ['root'],
  defaultOptions: { allowNoPassword: true, label: 'root' },
  judgeAccount(snapshot) {
    const root = snapshot.root;
    if (root === null) return [];
    const mfa = root.mfa.active;
    const resource = { type: 'root' as const, arn: root.arn, name: '<root_account>' };
    if (!mfa.known) return [{ resource, verdict: 'not_evaluated' as const, facts: null, reason: 'MFA not collected' }];
    return [{ resource, verdict: mfa.value ? ('pass' as const) : ('fail' as const), facts: { mfaActive: mfa.value }, reason: null }];
  },
  describe(facts: { readonly mfaActive: boolean }) {
    return `mfa_active ${String(facts.mfaActive)}`;
  },
  tests: [
    { name: 'MFA on', snapshot: () => exampleSnapshot([], { rootMfa: true }), expect: { '<root_account>': 'pass' } },
    { name: 'MFA off', snapshot: () => exampleSnapshot([], { rootMfa: false }), expect: { '<root_account>': 'fail' } },
  ],
});

export const exampleRules: readonly Rule[] = [exampleRootMfa, exampleThrows, exampleKeyAge, exampleUserPolicies];

export const exampleFramework: CatalogueFramework = {
  id: 'example-1.0',
  name: 'Example Benchmark',
  version: '1.0',
  controls: [
    { id: 'E.1', title: 'Keys rotated', rules: ['example-key-age'], level: 'L1' },
    { id: 'E.2', title: 'Permissions through groups', rules: ['example-user-policies'] },
    { id: 'E.3', title: 'Security contact registered', rules: [] },
    { id: 'E.4', title: 'Root MFA', rules: ['example-root-mfa'], level: 'L1' },
    { id: 'E.5', title: 'Root MFA and keys', rules: ['example-root-mfa', 'example-key-age'] },
    { id: 'E.6', title: 'Buggy check', rules: ['example-throws'] },
  ],
};

export const secondFramework: CatalogueFramework = {
  id: 'other-2',
  name: 'Other Standard',
  version: '2',
  controls: [{ id: 'O-1', title: 'MFA', rules: ['example-root-mfa'] }],
};

export const exampleFrameworks: readonly CatalogueFramework[] = [exampleFramework, secondFramework];
