/**
 * Issue 26, structured evidence: a finding carries facts (what varies per resource) and each rule's
 * `describe` reads them as the evidence sentence. The catalogue itself is tested here, as
 * typescript-eslint tests its rule list: every rule declares `describe`, gives facts that are flat
 * JSON values (scalars and string arrays) and never a rule option, and its sentences are those the
 * rules wrote before the contract changed (fixtures/rule-evidence/baseline.json, recorded from the
 * rules' own tables with the old code; re-recorded once when the sentences stopped repeating the
 * rule's threshold and "the evaluation time", issue 26: only those words changed). Facts survive JSON: a reader of a report (diff, report
 * --previous) rebuilds the same sentence from the parsed facts.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCatalogue } from '../src/analyze/engine.js';
import { allFrameworks } from '../src/frameworks/index.js';
import { allRules } from '../src/rules/index.js';
import { defineRule, describeFacts, judgeAll, type DescribedFinding, type FactRecord, type Rule, type RuleContext, type RuleOptions, type RuleTestCase } from '../src/rules/rule.js';
import { parseSnapshot } from '../src/snapshot/io.js';
import { FIXTURES } from './support/cli.js';

const rules = allRules as readonly Rule[];
type Baseline = Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, string>>>>>>;

function contextOf(rule: Rule, testCase: RuleTestCase, capturedAt: string): RuleContext<RuleOptions> {
  return { now: Date.parse(testCase.asOf ?? capturedAt), options: { ...rule.defaultOptions, ...testCase.options } };
}

function judgeCase(rule: Rule, testCase: RuleTestCase): { findings: readonly DescribedFinding[]; context: RuleContext<RuleOptions> } {
  const snapshot = testCase.snapshot();
  const context = contextOf(rule, testCase, snapshot.capturedAt);
  return { findings: judgeAll(rule, snapshot, context), context };
}

/** Why a facts record is not a flat JSON record of scalars and string arrays; null when it is. */
function shapeProblem(facts: FactRecord): string | null {
  if (typeof facts !== 'object' || Array.isArray(facts)) return 'facts are not a record';
  for (const [key, value] of Object.entries(facts)) {
    if (value === null || typeof value === 'string' || typeof value === 'boolean') continue;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) return `${key} is ${value}, which JSON cannot carry`;
      continue;
    }
    if (Array.isArray(value) && value.every((item) => typeof item === 'string')) continue;
    return `${key} is ${JSON.stringify(value)}, not a JSON scalar or a list of strings`;
  }
  return null;
}

describe('the catalogue: every rule describes its facts', () => {
  const baselineText = readFile(join(FIXTURES, 'rule-evidence', 'baseline.json'), 'utf8');

  for (const rule of rules) {
    it(`${rule.id} declares describe and gives facts on every pass and fail`, () => {
      assert.equal(typeof rule.describe, 'function');
      let described = 0;
      for (const testCase of rule.tests) {
        for (const finding of judgeCase(rule, testCase).findings) {
          if (finding.verdict === 'pass' || finding.verdict === 'fail') {
            assert.notEqual(finding.facts, null, `${testCase.name}: ${finding.resource.name} ${finding.verdict} without facts`);
            assert.ok(finding.evidence.length > 0, `${testCase.name}: ${finding.resource.name} ${finding.verdict} without evidence`);
            described += 1;
          }
        }
      }
      assert.ok(described > 0, `${rule.id}: no case of its table gives a pass or a fail`);
    });

    it(`${rule.id}: facts are flat JSON values and never a rule option`, () => {
      const optionNames = Object.keys(rule.defaultOptions);
      for (const testCase of rule.tests) {
        for (const finding of judgeCase(rule, testCase).findings) {
          if (finding.facts === null) continue;
          assert.equal(shapeProblem(finding.facts), null, `${testCase.name}: ${finding.resource.name}: ${shapeProblem(finding.facts) ?? ''}`);
          for (const option of optionNames) assert.ok(!(option in finding.facts), `${testCase.name}: ${finding.resource.name}: the facts repeat the option ${option}`);
        }
      }
    });

    it(`${rule.id}: describe(facts) gives the evidence the rule wrote before facts, and again after a JSON round trip`, async () => {
      const baseline = JSON.parse(await baselineText) as Baseline;
      const recorded = baseline[rule.id];
      assert.ok(recorded !== undefined, `${rule.id} has no recorded evidence (new rule: record its sentences in fixtures/rule-evidence/baseline.json)`);
      for (const testCase of rule.tests) {
        const { findings, context } = judgeCase(rule, testCase);
        const expected: Readonly<Record<string, string>> | undefined = recorded[testCase.name];
        if (expected === undefined) continue;
        const actual = Object.fromEntries(findings.map((finding) => [finding.resource.name, finding.evidence]));
        assert.deepEqual(actual, expected, `${testCase.name}: evidence`);
        for (const finding of findings) {
          const parsed = JSON.parse(JSON.stringify(finding.facts)) as typeof finding.facts;
          assert.equal(describeFacts(rule, parsed, context), finding.evidence, `${testCase.name}: ${finding.resource.name}: facts after JSON`);
        }
      }
    });
  }

  it('the baseline names no rule the catalogue lacks (a renamed rule keeps its sentences)', async () => {
    const baseline = JSON.parse(await baselineText) as Baseline;
    assert.deepEqual(Object.keys(baseline).sort(), rules.map((rule) => rule.id).sort());
  });
});

describe('results carry facts the JSON report can hold', () => {
  it('every result of the demo account describes, from its facts parsed back from JSON, its own evidence', async () => {
    const { snapshot } = parseSnapshot(await readFile(join(FIXTURES, 'demo', 'snapshot.json')), 'snapshot.json');
    const now = Date.parse(snapshot.capturedAt);
    const catalogue = runCatalogue({ snapshot, now, rules, frameworks: allFrameworks });
    const byId = new Map(rules.map((rule) => [rule.id, rule]));
    const options = new Map(catalogue.rules.map((summary) => [summary.id, summary.options]));
    let withFacts = 0;
    for (const result of catalogue.results) {
      const rule = byId.get(result.ruleId);
      assert.ok(rule !== undefined);
      assert.ok(result.facts !== undefined, `${result.ruleId} ${result.resourceName}: no facts`);
      const parsed = JSON.parse(JSON.stringify(result.facts)) as typeof result.facts;
      assert.equal(describeFacts(rule, parsed, { now, options: options.get(result.ruleId) ?? rule.defaultOptions }), result.evidence, `${result.ruleId} ${result.resourceName}`);
      if (result.facts !== null) withFacts += 1;
    }
    assert.ok(withFacts > 0, 'no result of the demo carries facts');
  });
});

describe('the contract is typed', () => {
  it('a rule whose judgement gives facts its describe does not declare does not compile', () => {
    const base = { title: 't', severity: 'low', rationale: 'r', remediation: { console: [], cli: '' }, requires: [], defaultOptions: {}, tests: [] } as const;
    const typed = defineRule({
      ...base,
      id: 'typed',
      judgeAccount: (snapshot) => [{ resource: { type: 'account', arn: snapshot.account.id, name: 'account' }, verdict: 'pass', facts: { roles: 2 }, reason: null }],
      describe: (facts: { readonly roles: number }) => `${facts.roles} role(s)`,
    });
    defineRule({
      ...base,
      id: 'untyped',
      // @ts-expect-error: the facts { users: 2 } are not the { roles: number } describe reads.
      judgeAccount: (snapshot) => [{ resource: { type: 'account', arn: snapshot.account.id, name: 'account' }, verdict: 'pass', facts: { users: 2 }, reason: null }],
      describe: (facts: { readonly roles: number }) => `${facts.roles} role(s)`,
    });
    assert.equal(describeFacts(typed, { roles: 2 }, { now: 0, options: {} }), '2 role(s)');
  });
});
