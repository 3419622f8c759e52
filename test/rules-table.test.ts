/**
 * Runs every rule's own table of cases, calling the rule directly (no engine): each case's
 * snapshot must be valid, and the findings must be exactly the resources named in `expect` with those verdicts, with
 * evidence for pass/fail and a reason for not_applicable/not_evaluated.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allRules } from '../src/rules/index.js';
import type { DescribedFinding, Rule } from '../src/rules/rule.js';
import { judgeAll } from '../src/rules/rule.js';
import { validateSnapshot } from '../src/snapshot/validate.js';

function run(rule: Rule, testCase: Rule['tests'][number]): readonly DescribedFinding[] {
  const snapshot = testCase.snapshot();
  const now = Date.parse(testCase.asOf ?? snapshot.capturedAt);
  return judgeAll(rule, snapshot, { now, options: { ...rule.defaultOptions, ...testCase.options } });
}

describe('every rule has a table of cases', () => {
  for (const rule of allRules as readonly Rule[]) {
    it(`${rule.id} has at least two cases`, () => {
      assert.ok(rule.tests.length >= 2, `${rule.id} has ${rule.tests.length} case(s)`);
    });
  }
});

for (const rule of allRules as readonly Rule[]) {
  describe(`rule ${rule.id}`, () => {
    for (const testCase of rule.tests) {
      it(testCase.name, () => {
        const validation = validateSnapshot(JSON.parse(JSON.stringify(testCase.snapshot())));
        assert.ok(validation.valid, validation.valid ? '' : `the case's snapshot is invalid: ${validation.problem}`);

        const findings = run(rule, testCase);
        const byName = new Map<string, DescribedFinding>();
        for (const finding of findings) {
          assert.ok(!byName.has(finding.resource.name), `two findings for ${finding.resource.name}`);
          byName.set(finding.resource.name, finding);
        }
        const actual = Object.fromEntries([...byName].map(([name, finding]) => [name, finding.verdict]));
        assert.deepEqual(actual, testCase.expect, `verdicts (all findings: ${JSON.stringify(findings.map((f) => [f.resource.name, f.verdict, f.reason ?? f.evidence]))})`);
        for (const finding of findings) {
          if (finding.verdict === 'pass' || finding.verdict === 'fail') {
            assert.ok(finding.evidence.length > 0, `${finding.resource.name}: ${finding.verdict} without evidence`);
            assert.equal(finding.reason, null);
          } else {
            assert.ok((finding.reason ?? '').length > 0, `${finding.resource.name}: ${finding.verdict} without a reason`);
          }
        }
      });
    }
  });
}
