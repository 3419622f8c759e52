/**
 * Runs one case of a rule's own test table through the engine (requirements, options, as-of,
 * error handling included), and returns the verdicts by resource name next to what the case expects.
 */
import { accountResource, runCatalogue } from '../../src/analyze/engine.js';
import type { RuleResultStatus } from '../../src/analyze/result.js';
import type { Rule, RuleTestCase } from '../../src/rules/rule.js';

export interface CaseOutcome {
  /** Status per resource named in the case's `expect` ("missing" when the engine gave none). */
  readonly actual: Record<string, RuleResultStatus | 'missing'>;
  readonly expected: Readonly<Record<string, string>>;
  /** Every result, for the assertion message. */
  readonly all: readonly string[];
  /** Resource names that got more than one result. */
  readonly duplicates: readonly string[];
  /** Results with status `error` (the rule threw). */
  readonly errors: readonly string[];
}

export function runRuleCase(rule: Rule, testCase: RuleTestCase): CaseOutcome {
  const snapshot = testCase.snapshot();
  const catalogue = runCatalogue({
    snapshot,
    now: Date.parse(testCase.asOf ?? snapshot.capturedAt),
    rules: [rule],
    frameworks: [],
    configuration: { file: null, frameworks: null, rules: { [rule.id]: { options: testCase.options ?? {} } } },
  });
  const byName = new Map<string, RuleResultStatus>();
  const duplicates: string[] = [];
  for (const result of catalogue.results) {
    if (byName.has(result.resourceName)) duplicates.push(result.resourceName);
    byName.set(result.resourceName, result.status);
  }
  // When the snapshot lacks a requirement the engine reports the rule once, for the account,
  // without calling it: every resource the rule would have judged is then not evaluated.
  const account = accountResource(snapshot);
  const wholesale =
    catalogue.results.length === 1 &&
    catalogue.results[0]?.status === 'not_evaluated' &&
    catalogue.results[0].resourceArn === account.arn &&
    (catalogue.results[0].reason ?? '').startsWith('Not evaluated: needs');
  const actual: Record<string, RuleResultStatus | 'missing'> = {};
  for (const name of Object.keys(testCase.expect)) actual[name] = byName.get(name) ?? (wholesale ? 'not_evaluated' : 'missing');
  return {
    actual,
    expected: testCase.expect,
    all: catalogue.results.map((result) => `${result.resourceName}: ${result.status} (${result.reason ?? result.evidence})`),
    duplicates,
    errors: catalogue.results.filter((result) => result.status === 'error').map((result) => result.reason ?? ''),
  };
}
