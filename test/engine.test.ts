import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze } from '../src/analyze/analyze.js';
import { runCatalogue, type CatalogueConfiguration, type ExceptionList, type RuleException } from '../src/analyze/engine.js';
import type { CatalogueResult, RuleResult } from '../src/analyze/result.js';
import { expiryInstant } from '../src/config/exceptions.js';
import type { Snapshot } from '../src/snapshot/types.js';
import {
  EXAMPLE_ACCOUNT,
  EXAMPLE_CAPTURED_AT,
  exampleFrameworks,
  exampleKeyAge,
  exampleRules,
  exampleSnapshot,
  exampleUserPolicies,
} from './support/example-rule.js';
import { runRuleCase } from './support/rule-table.js';

const USERS = [
  { name: 'alice', keyAgeDays: 100 },
  { name: 'bob', keyAgeDays: 10 },
  { name: 'carol' },
  { name: 'dave', path: 'team/', keyAgeDays: 200 },
];

function run(options: { snapshot?: Snapshot; configuration?: CatalogueConfiguration; exceptions?: ExceptionList; asOf?: string } = {}): CatalogueResult {
  const snapshot = options.snapshot ?? exampleSnapshot(USERS);
  return runCatalogue({
    snapshot,
    now: Date.parse(options.asOf ?? snapshot.capturedAt),
    rules: exampleRules,
    frameworks: exampleFrameworks,
    ...(options.configuration === undefined ? {} : { configuration: options.configuration }),
    ...(options.exceptions === undefined ? {} : { exceptions: options.exceptions }),
  });
}

function statuses(catalogue: CatalogueResult, ruleId: string): Record<string, string> {
  return Object.fromEntries(catalogue.results.filter((result) => result.ruleId === ruleId).map((result) => [result.resourceName, result.status]));
}

function exception(fields: Partial<RuleException> & Pick<RuleException, 'resource'>, index = 0): RuleException {
  const expires = fields.expires ?? '2027-01-31';
  return {
    index,
    ruleId: 'example-key-age',
    justification: 'Legacy integration, replacement under CHG-42',
    approvedBy: 'Jane Doe (CISO)',
    expires,
    expiresAtMs: expiryInstant(expires) ?? Number.NaN,
    ...fields,
  };
}

const exceptionList = (...entries: RuleException[]): ExceptionList => ({ file: { name: 'exceptions.yaml', sha256: 'abc' }, entries });

describe('engine: evaluating rules', () => {
  it('judges each resource as of the capture time', () => {
    assert.deepEqual(statuses(run(), 'example-key-age'), { alice: 'fail', bob: 'pass', carol: 'not_applicable', dave: 'fail' });
  });

  it('uses --as-of, not the capture time, when given', () => {
    // bob's key is 10 days old at capture: 81 days later it is 91 days old.
    const later = new Date(Date.parse(EXAMPLE_CAPTURED_AT) + 81 * 86_400_000).toISOString();
    assert.equal(statuses(run({ asOf: later }), 'example-key-age')['bob'], 'fail');
  });

  it('reports a rule whose data the snapshot lacks as not_evaluated, naming the data source, without calling it', () => {
    // example-user-policies throws if called; a credential report has no policies.
    const results = run().results.filter((result) => result.ruleId === 'example-user-policies');
    assert.equal(results.length, 1);
    const [result] = results as [RuleResult];
    assert.equal(result.status, 'not_evaluated');
    assert.equal(result.resourceType, 'account');
    assert.equal(result.resourceArn, `arn:aws:iam::${EXAMPLE_ACCOUNT}:root`);
    assert.equal(
      result.reason,
      'Not evaluated: needs the managed policies and their documents, but it was not collected; evaluated from live collection (iam:GetAccountAuthorizationDetails).',
    );
  });

  it('reports a failed collection of account data as the reason', () => {
    const snapshot = exampleSnapshot(USERS);
    const failed: Snapshot = { ...snapshot, accountFacts: { ...snapshot.accountFacts, managedPolicies: { known: false, reason: 'collection_failed', detail: 'AccessDenied' } } };
    const [result] = run({ snapshot: failed }).results.filter((item) => item.ruleId === 'example-user-policies');
    assert.equal(result?.status, 'not_evaluated');
    assert.match(result?.reason ?? '', /but its collection failed \(AccessDenied\); evaluated from live collection/);
  });

  it('leaves per-user requirements to the rule: a fact missing for every user does not stop it', () => {
    const snapshot = exampleSnapshot(USERS);
    const noKeys: Snapshot = { ...snapshot, users: snapshot.users.map((user) => ({ ...user, accessKeys: { known: false, reason: 'not_collected' } })) };
    const results = run({ snapshot: noKeys }).results.filter((item) => item.ruleId === 'example-key-age');
    assert.deepEqual(
      results.map((item) => [item.resourceName, item.status, item.reason]),
      USERS.map((user) => [user.name, 'not_evaluated', 'access keys not collected']),
    );
  });

  it('turns a throwing rule into one error result and runs the others', () => {
    const catalogue = run();
    const errors = catalogue.results.filter((result) => result.status === 'error');
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.ruleId, 'example-throws');
    assert.equal(errors[0]?.reason, 'The rule failed to run: boom: cannot read property of undefined');
    assert.equal(statuses(catalogue, 'example-root-mfa')['<root_account>'], 'pass');
    assert.equal(catalogue.rules.find((rule) => rule.id === 'example-throws')?.counts.error, 1);
  });

  it('orders rules by id and counts each status', () => {
    const catalogue = run();
    assert.deepEqual(
      catalogue.rules.map((rule) => rule.id),
      ['example-key-age', 'example-root-mfa', 'example-throws', 'example-user-policies'],
    );
    assert.deepEqual(
      [...new Set(catalogue.results.map((result) => result.ruleId))],
      ['example-key-age', 'example-root-mfa', 'example-throws', 'example-user-policies'],
    );
    assert.deepEqual(catalogue.rules[0]?.counts, { pass: 1, fail: 2, not_applicable: 1, not_evaluated: 0, error: 0, excepted: 0 });
    assert.deepEqual(catalogue.rules[0]?.controls, [
      { framework: 'example-1.0', controlId: 'E.1' },
      { framework: 'example-1.0', controlId: 'E.5' },
    ]);
    assert.deepEqual(catalogue.rules[3]?.requires.map((item) => item.requirement), ['users', 'users.policies', 'account.managedPolicies']);
  });

  it('applies options from the configuration and skips disabled rules', () => {
    const catalogue = run({
      configuration: { file: null, frameworks: null, rules: { 'example-key-age': { options: { maxAgeDays: 150 } }, 'example-throws': { enabled: false } } },
    });
    assert.deepEqual(statuses(catalogue, 'example-key-age'), { alice: 'pass', bob: 'pass', carol: 'not_applicable', dave: 'fail' });
    assert.deepEqual(catalogue.rules.find((rule) => rule.id === 'example-key-age')?.options, { maxAgeDays: 150 });
    const throws = catalogue.rules.find((rule) => rule.id === 'example-throws');
    assert.equal(throws?.enabled, false);
    assert.equal(catalogue.results.filter((result) => result.ruleId === 'example-throws').length, 0);
    // A control whose only rule is disabled is not evaluated, never pass.
    assert.equal(catalogue.frameworks[0]?.controls.find((control) => control.controlId === 'E.6')?.status, 'not_evaluated');
  });

  it('reports only the frameworks the configuration selects', () => {
    const catalogue = run({ configuration: { file: { name: 'c.yaml', sha256: 'x' }, frameworks: ['other-2'], rules: {} } });
    assert.deepEqual(catalogue.frameworks.map((framework) => framework.id), ['other-2']);
    assert.deepEqual(catalogue.rules.find((rule) => rule.id === 'example-root-mfa')?.controls, [{ framework: 'other-2', controlId: 'O-1' }]);
    assert.deepEqual(catalogue.configuration, { file: { name: 'c.yaml', sha256: 'x' } });
  });

  it('is deterministic: the same input gives the same result', () => {
    const snapshot = exampleSnapshot(USERS);
    const input = { snapshot, snapshotFile: { fileName: 's.json', sha256: 'x', migratedFrom: null }, tool: { name: 'iam-audit', version: '0' } };
    const run1 = analyze({ ...input, run: { startedAt: 'a', endedAt: 'b', elapsedSeconds: 0 }, catalogue: { rules: exampleRules, frameworks: exampleFrameworks } });
    const run2 = analyze({ ...input, run: { startedAt: 'a', endedAt: 'b', elapsedSeconds: 0 }, catalogue: { rules: [...exampleRules].reverse(), frameworks: exampleFrameworks } });
    assert.equal(JSON.stringify(run1), JSON.stringify(run2));
  });
});

describe('engine: framework roll-up', () => {
  it('fail if any rule fails, not evaluated on missing data or errors, manual without rules, pass otherwise', () => {
    const [framework] = run().frameworks;
    assert.deepEqual(
      framework?.controls.map((control) => [control.controlId, control.status]),
      [
        ['E.1', 'fail'],
        ['E.2', 'not_evaluated'],
        ['E.3', 'manual'],
        ['E.4', 'pass'],
        ['E.5', 'fail'],
        ['E.6', 'not_evaluated'],
      ],
    );
    assert.deepEqual(framework?.counts, { pass: 1, pass_with_exceptions: 0, fail: 2, not_evaluated: 2, manual: 1 });
    assert.equal(framework?.controls[0]?.level, 'L1');
    assert.equal(framework?.controls[1]?.level, null);
    assert.deepEqual(framework?.controls[4]?.ruleIds, ['example-root-mfa', 'example-key-age']);
  });

  it('passes with exceptions a control whose failures are all excepted (and whose other results pass or do not apply)', () => {
    const catalogue = run({ exceptions: exceptionList(exception({ resource: 'alice' }), exception({ resource: 'dave' }, 1)) });
    // Issue 25 §6: an accepted risk is never a plain PASS, and the totals count it apart.
    assert.equal(catalogue.frameworks[0]?.controls[0]?.status, 'pass_with_exceptions');
    assert.equal(catalogue.frameworks[0]?.controls[4]?.status, 'pass_with_exceptions');
    assert.equal(catalogue.frameworks[0]?.controls[3]?.status, 'pass');
    assert.deepEqual(catalogue.frameworks[0]?.counts, { pass: 1, pass_with_exceptions: 2, fail: 0, not_evaluated: 2, manual: 1 });
  });

  it('does not pass a control whose rule found nothing to judge', () => {
    const catalogue = run({ snapshot: exampleSnapshot([]) });
    assert.equal(catalogue.frameworks[0]?.controls[0]?.status, 'not_evaluated');
    // ...but a control with another rule that did judge something clean passes.
    assert.equal(catalogue.frameworks[0]?.controls[4]?.status, 'pass');
  });
});

describe('engine: exceptions', () => {
  it('excepts a failure matched by user name, keeps the justification and does not count it as a failure', () => {
    const catalogue = run({ exceptions: exceptionList(exception({ resource: 'alice' })) });
    const alice = catalogue.results.find((result) => result.ruleId === 'example-key-age' && result.resourceName === 'alice');
    assert.equal(alice?.status, 'excepted');
    assert.deepEqual(alice?.exception, {
      justification: 'Legacy integration, replacement under CHG-42',
      approvedBy: 'Jane Doe (CISO)',
      expires: '2027-01-31',
      resourcePattern: 'alice',
      entryIndex: 0,
    });
    assert.match(alice?.evidence ?? '', /oldest active key 100 days old/);
    const counts = catalogue.rules.find((rule) => rule.id === 'example-key-age')?.counts;
    assert.equal(counts?.fail, 1);
    assert.equal(counts?.excepted, 1);
    assert.deepEqual(catalogue.exceptions.unused, []);
    assert.deepEqual(catalogue.exceptions.expired, []);
    assert.deepEqual(catalogue.exceptions.file, { name: 'exceptions.yaml', sha256: 'abc' });
  });

  it('matches an exact ARN and a glob (picomatch) over ARNs', () => {
    const byArn = run({ exceptions: exceptionList(exception({ resource: `arn:aws:iam::${EXAMPLE_ACCOUNT}:user/alice` })) });
    assert.deepEqual(statuses(byArn, 'example-key-age'), { alice: 'excepted', bob: 'pass', carol: 'not_applicable', dave: 'fail' });
    const byGlob = run({ exceptions: exceptionList(exception({ resource: 'arn:aws:iam::*:user/team/*' })) });
    assert.deepEqual(statuses(byGlob, 'example-key-age'), { alice: 'fail', bob: 'pass', carol: 'not_applicable', dave: 'excepted' });
    const everyone = run({ exceptions: exceptionList(exception({ resource: 'arn:aws:iam::123456789012:user/**' })) });
    assert.deepEqual(statuses(everyone, 'example-key-age'), { alice: 'excepted', bob: 'pass', carol: 'not_applicable', dave: 'excepted' });
  });

  it('applies only to its own rule and only to failures', () => {
    const catalogue = run({ exceptions: exceptionList(exception({ resource: '<root_account>', ruleId: 'example-root-mfa' }), exception({ resource: 'bob' }, 1)) });
    assert.equal(statuses(catalogue, 'example-root-mfa')['<root_account>'], 'pass');
    assert.equal(statuses(catalogue, 'example-key-age')['bob'], 'pass');
    assert.deepEqual(catalogue.exceptions.unused.map((entry) => entry.resourcePattern), ['<root_account>', 'bob']);
  });

  it('lists an exception that matched nothing as unused', () => {
    const catalogue = run({ exceptions: exceptionList(exception({ resource: 'alice' }), exception({ resource: 'zed', justification: 'gone' }, 1)) });
    assert.deepEqual(catalogue.exceptions.unused, [{ ruleId: 'example-key-age', resourcePattern: 'zed', justification: 'gone' }]);
    // The register lists both, in file order, with what each covered.
    assert.deepEqual(
      catalogue.exceptions.register?.map((entry) => [entry.index, entry.resourcePattern, entry.state, entry.covered]),
      [
        [0, 'alice', 'active', 1],
        [1, 'zed', 'active', 0],
      ],
    );
  });

  it('no longer applies an expired exception, judged against the as-of time, and says it expired', () => {
    // Captured 2026-06-01: an exception expiring 2026-05-31 has expired; one expiring on the capture day still applies.
    const expired = run({ exceptions: exceptionList(exception({ resource: 'alice', expires: '2026-05-31' })) });
    assert.equal(statuses(expired, 'example-key-age')['alice'], 'fail');
    const alice = expired.results.find((result) => result.ruleId === 'example-key-age' && result.resourceName === 'alice');
    assert.equal(alice?.exception, null);
    assert.deepEqual(alice?.expiredException, {
      justification: 'Legacy integration, replacement under CHG-42',
      approvedBy: 'Jane Doe (CISO)',
      expires: '2026-05-31',
      resourcePattern: 'alice',
      entryIndex: 0,
    });
    assert.equal(expired.results.find((result) => result.resourceName === 'dave')?.expiredException, null);
    assert.deepEqual(expired.exceptions.expired, [
      { ruleId: 'example-key-age', resourcePattern: 'alice', expires: '2026-05-31', justification: 'Legacy integration, replacement under CHG-42' },
    ]);
    assert.deepEqual(expired.exceptions.unused, []);

    const sameDay = run({ exceptions: exceptionList(exception({ resource: 'alice', expires: '2026-06-01' })) });
    assert.equal(statuses(sameDay, 'example-key-age')['alice'], 'excepted');

    // The same file judged as of a later date (--as-of): expired then, although the wall clock says nothing.
    const later = run({ exceptions: exceptionList(exception({ resource: 'alice', expires: '2026-06-01' })), asOf: '2026-06-02T00:00:00Z' });
    assert.equal(statuses(later, 'example-key-age')['alice'], 'fail');
    assert.equal(later.exceptions.expired.length, 1);
  });

  it('uses the first matching exception when several match', () => {
    const catalogue = run({ exceptions: exceptionList(exception({ resource: 'a*', justification: 'first' }), exception({ resource: 'alice', justification: 'second' }, 1)) });
    assert.equal(catalogue.results.find((result) => result.resourceName === 'alice' && result.ruleId === 'example-key-age')?.exception?.justification, 'first');
    assert.deepEqual(catalogue.exceptions.unused.map((entry) => entry.justification), ['second']);
  });
});

describe('rule test tables through the engine (the harness the catalogue test uses)', () => {
  it('passes the example rule\'s own table', () => {
    for (const testCase of exampleKeyAge.tests) {
      const outcome = runRuleCase(exampleKeyAge, testCase);
      assert.deepEqual(outcome.actual, outcome.expected, testCase.name);
    }
  });

  it('catches a wrong expectation and a resource the rule never judged', () => {
    const testCase = { name: 'wrong', snapshot: () => exampleSnapshot([{ name: 'alice', keyAgeDays: 91 }]), expect: { alice: 'pass', ghost: 'fail' } } as const;
    const outcome = runRuleCase(exampleKeyAge, testCase);
    assert.deepEqual(outcome.actual, { alice: 'fail', ghost: 'missing' });
  });

  it('treats every expected resource as not evaluated when the engine short-circuits a missing requirement', () => {
    const outcome = runRuleCase(exampleUserPolicies, { name: 'credential report', snapshot: () => exampleSnapshot([{ name: 'alice' }]), expect: { alice: 'not_evaluated', account: 'not_evaluated' } });
    assert.deepEqual(outcome.actual, outcome.expected);
  });
});
