/**
 * Checks over whatever the catalogue holds (src/rules/index.ts and src/frameworks/index.ts):
 * files and registry agree, every rule is documented and mapped, frameworks name only existing
 * rules and no control twice, and every rule's own table of cases passes through the engine.
 * With an empty catalogue these pass vacuously; they bite as soon as rules arrive.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { allFrameworks } from '../src/frameworks/index.js';
import { allRules } from '../src/rules/index.js';
import { SEVERITIES, type Rule } from '../src/rules/rule.js';
import { packageRoot } from '../src/util/paths.js';
import { runRuleCase } from './support/rule-table.js';

const rules: readonly Rule[] = allRules;
const NOT_RULES = new Set(['rule.ts', 'index.ts', 'testing.ts']);
const ruleFiles = readdirSync(join(packageRoot, 'src', 'rules'), { withFileTypes: true })
  .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') && !NOT_RULES.has(entry.name))
  .map((entry) => entry.name.slice(0, -'.ts'.length))
  .sort();

describe('the rule registry', () => {
  it('registers every file in src/rules (but rule.ts, index.ts, testing.ts) and nothing else, once each', () => {
    const ids = rules.map((rule) => rule.id);
    assert.deepEqual([...ids].sort(), ruleFiles);
    assert.equal(new Set(ids).size, ids.length, 'a rule is registered twice');
  });

  for (const rule of rules) {
    it(`${rule.id}: id is kebab-case and documented`, () => {
      assert.match(rule.id, /^[a-z0-9]+(-[a-z0-9]+)*$/);
      assert.ok(SEVERITIES.includes(rule.severity), `severity ${rule.severity}`);
      assert.ok(rule.title.trim().length >= 10, 'title');
      assert.ok(rule.rationale.trim().length >= 20, 'rationale');
      assert.ok(rule.remediation.console.length > 0 && rule.remediation.console.every((step) => step.trim() !== ''), 'remediation console steps');
      assert.ok(rule.remediation.cli.trim().length > 0, 'remediation CLI');
      assert.ok(rule.tests.length > 0, 'a table of test cases');
    });

    it(`${rule.id}: mapped to at least one framework control`, () => {
      const controls = allFrameworks.flatMap((framework) => framework.controls.filter((control) => (control.rules as readonly string[]).includes(rule.id)));
      assert.ok(controls.length > 0, `${rule.id} is in no framework`);
    });
  }
});

describe('the frameworks', () => {
  it('have distinct ids', () => {
    const ids = allFrameworks.map((framework) => framework.id);
    assert.equal(new Set(ids).size, ids.length);
  });

  for (const framework of allFrameworks) {
    it(`${framework.id}: names only rules that exist`, () => {
      const known = new Set(rules.map((rule) => rule.id));
      const unknown = framework.controls.flatMap((control) => control.rules.filter((id) => !known.has(id)).map((id) => `${control.id} -> ${id}`));
      assert.deepEqual(unknown, []);
    });

    it(`${framework.id}: no control id twice, every control titled`, () => {
      const ids = framework.controls.map((control) => control.id);
      const repeated = ids.filter((id, index) => ids.indexOf(id) !== index);
      assert.deepEqual(repeated, []);
      assert.ok(framework.controls.every((control) => control.title.trim() !== ''));
    });
  }
});

describe("every rule's own table of cases, run through the engine", () => {
  for (const rule of rules) {
    for (const testCase of rule.tests) {
      it(`${rule.id}: ${testCase.name}`, () => {
        const outcome = runRuleCase(rule, testCase);
        assert.deepEqual(outcome.errors, [], 'the rule threw');
        assert.deepEqual(outcome.duplicates, [], 'two results for one resource name');
        assert.deepEqual(outcome.actual, outcome.expected, `all results: ${outcome.all.join('; ')}`);
      });
    }
  }
});

describe('CIS assessment status (Automated / Manual) per version', () => {
  const cis = (id: string): (typeof allFrameworks)[number] => {
    const found = allFrameworks.find((framework) => framework.id === id);
    assert.ok(found !== undefined, id);
    return found;
  };
  const status = (framework: string, control: string): string | undefined => cis(framework).controls.find((entry) => entry.id === control)?.assessment;

  it('every CIS control carries a status, and no other framework claims one', () => {
    for (const framework of allFrameworks) {
      for (const control of framework.controls) {
        if (framework.id.startsWith('cis-')) assert.match(control.assessment ?? '', /^(Automated|Manual)$/, `${framework.id} ${control.id}`);
        else assert.equal(control.assessment, undefined, `${framework.id} ${control.id}`);
      }
    }
  });

  // One row per topic whose status differs between versions or is easy to get wrong; values from
  // each version's benchmark titles (see src/frameworks/cis-aws-iam-section.ts for the source).
  const cases: readonly [string, string, string, 'Automated' | 'Manual'][] = [
    ['root hardware MFA', 'cis-3.0', '1.6', 'Automated'],
    ['root hardware MFA', 'cis-4.0', '1.6', 'Manual'],
    ['root hardware MFA', 'cis-5.0', '1.5', 'Manual'],
    ['root hardware MFA', 'cis-6.0', '2.5', 'Manual'],
    ['root use', 'cis-3.0', '1.7', 'Automated'],
    ['root use', 'cis-4.0', '1.7', 'Manual'],
    ['root use', 'cis-6.0', '2.6', 'Manual'],
    ['keys at initial setup', 'cis-3.0', '1.11', 'Automated'],
    ['keys at initial setup', 'cis-5.0', '1.10', 'Manual'],
    ['console users MFA', 'cis-5.0', '1.9', 'Automated'],
    ['instance roles', 'cis-3.0', '1.18', 'Manual'],
    ['instance roles', 'cis-4.0', '1.18', 'Automated'],
    ['CloudShell full access', 'cis-6.0', '2.21', 'Manual'],
    ['contact details', 'cis-5.0', '1.1', 'Manual'],
    ['root access keys', 'cis-6.0', '2.3', 'Automated'],
  ];
  for (const [topic, framework, control, expected] of cases) {
    it(`${framework} ${control} (${topic}) is ${expected}`, () => assert.equal(status(framework, control), expected));
  }

  it('each version keeps its own wording of a retitled control', () => {
    const title = (framework: string, control: string): string | undefined => cis(framework).controls.find((entry) => entry.id === control)?.title;
    assert.equal(title('cis-3.0', '1.20'), 'Ensure that IAM Access analyzer is enabled for all regions');
    assert.equal(title('cis-4.0', '1.20'), 'Ensure that IAM Access Analyzer is enabled for all regions');
    assert.equal(title('cis-5.0', '1.19'), 'Ensure that IAM External Access Analyzer is enabled for all regions');
    assert.equal(title('cis-3.0', '1.11'), 'Do not setup access keys during initial user setup for all IAM users that have a console password');
    assert.equal(title('cis-5.0', '1.10'), 'Do not create access keys during initial setup for IAM users with a console password');
  });

  it('reaches the analysis result and the control tables of the printable report', async () => {
    const { demoResult } = await import('./render-support.js');
    const { renderDefaultHtml } = await import('../src/render/html.js');
    const result = await demoResult();
    const cis50 = result.catalogue?.frameworks.find((framework) => framework.id === 'cis-5.0');
    assert.equal(cis50?.controls.find((control) => control.controlId === '1.10')?.assessment, 'Manual');
    const html = await renderDefaultHtml(result);
    assert.match(html, /<td>1\.10<\/td><td><strong>Do not create access keys(?:(?!<\/tr>)[^])*<td>Level 1<br><span class="assessment">Manual<\/span><\/td>/);
  });
});
