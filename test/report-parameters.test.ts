/**
 * Issue 25 §4: deviations from the benchmark are disclosed, never silent. Titles follow the
 * options in effect, a Parameters table lists every option beside each framework's own value, a
 * control judged under a stricter or looser threshold says so in the framework tables, and a
 * threshold no framework sets is labelled as the tool's own.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { analyseLoaded } from '../src/app/shared/analyse.js';
import { effectiveTitle } from '../src/analyze/parameters.js';
import { parseConfiguration } from '../src/config/configuration.js';
import { allFrameworks } from '../src/frameworks/index.js';
import { allRules } from '../src/rules/index.js';
import { renderDefaultHtml } from '../src/render/html.js';
import { buildJsonReport } from '../src/render/json.js';
import { readSnapshot } from '../src/snapshot/io.js';
import { FIXTURES } from './support/cli.js';

const text = (html: string): string => html.replace(/<style[\s\S]*?<\/style>/g, ' ').replace(/<[^>]+>/g, ' ').replace(/&#x27;/g, "'").replace(/\s+/g, ' ');

async function demo(configText: string) {
  const loaded = await readSnapshot(join(FIXTURES, 'demo', 'snapshot.json'));
  const configuration = parseConfiguration(configText, 'iam-audit.yaml', { name: 'iam-audit.yaml', sha256: 'c' }, allRules, allFrameworks);
  const wall = new Date('2026-11-20T00:00:00Z');
  return analyseLoaded(loaded, wall, wall, undefined, { rules: allRules, frameworks: allFrameworks, configuration, exceptions: { file: null, entries: [] } });
}

const control = (result: Awaited<ReturnType<typeof demo>>, framework: string, id: string) =>
  result.catalogue?.frameworks.find((entry) => entry.id === framework)?.controls.find((entry) => entry.controlId === id);

describe('titles from the options in effect', () => {
  it('word the value in effect where the default appears once; leave other titles alone', () => {
    assert.equal(effectiveTitle('Active access keys are rotated within 90 days', { maxAgeDays: 60 }, { maxAgeDays: 90 }), 'Active access keys are rotated within 60 days');
    assert.equal(effectiveTitle('Active access keys are rotated within 90 days', { maxAgeDays: 90 }, { maxAgeDays: 90 }), 'Active access keys are rotated within 90 days');
    assert.equal(effectiveTitle('90 days, then 90 again', { maxAgeDays: 60 }, { maxAgeDays: 90 }), '90 days, then 90 again');
    assert.equal(effectiveTitle('The root user has not been used recently', { days: 7 }, { days: 30 }), 'The root user has not been used recently');
  });

  it('maxAgeDays 60: the rule title says 60 days in the result, the JSON and the report', async () => {
    const result = await demo('rules:\n  access-key-rotation:\n    maxAgeDays: 60\n');
    assert.equal(result.catalogue?.rules.find((rule) => rule.id === 'access-key-rotation')?.title, 'Active access keys are rotated within 60 days');
    const json = buildJsonReport(result) as { rules: { id: string; title: string }[] };
    assert.equal(json.rules.find((rule) => rule.id === 'access-key-rotation')?.title, 'Active access keys are rotated within 60 days');
    const html = text(await renderDefaultHtml(result));
    assert.doesNotMatch(html, /rotated within 90 days:/);
    assert.match(html, /access-key-rotation: Active access keys are rotated within 60 days Severity/);
  });
});

describe('the Parameters table and the framework tables', () => {
  it('marks CIS v5 1.13 judged at 60 days as stricter than the benchmark, in the result, the JSON and the report', async () => {
    const result = await demo('rules:\n  access-key-rotation:\n    maxAgeDays: 60\n');
    assert.deepEqual(control(result, 'cis-5.0', '1.13')?.parameterNotes, ['judged at 60 days; CIS v5.0.0 1.13: 90 days (stricter than the framework)']);
    const row = result.catalogue?.parameters?.find((entry) => entry.ruleId === 'access-key-rotation' && entry.option === 'maxAgeDays');
    assert.equal(row?.value, 60);
    assert.equal(row?.defaultValue, 90);
    assert.equal(row?.configured, true);
    assert.deepEqual(
      row?.frameworkValues.filter((entry) => entry.framework === 'cis-5.0' || entry.framework === 'pci-dss-4.0'),
      [
        { framework: 'cis-5.0', control: 'CIS v5.0.0 1.13', value: 90, comparison: 'stricter' },
        { framework: 'pci-dss-4.0', control: 'PCI DSS 4.0 8.3.9', value: 90, comparison: 'stricter' },
      ],
    );
    assert.deepEqual(row?.frameworksWithoutValue, ['NIST SP 800-53 Rev. 5', 'SOC 2', 'ISO/IEC 27001:2022']);
    const json = buildJsonReport(result) as { parameters: { rule_id: string; option: string; value: unknown }[]; frameworks: { id: string; controls: { control_id: string; parameter_notes?: string[] }[] }[] };
    assert.equal(json.parameters.find((entry) => entry.rule_id === 'access-key-rotation')?.value, 60);
    assert.deepEqual(json.frameworks.find((entry) => entry.id === 'cis-5.0')?.controls.find((entry) => entry.control_id === '1.13')?.parameter_notes, [
      'judged at 60 days; CIS v5.0.0 1.13: 90 days (stricter than the framework)',
    ]);
    const html = text(await renderDefaultHtml(result));
    assert.match(html, /Parameter: judged at 60 days; CIS v5\.0\.0 1\.13: 90 days \(stricter than the framework\)/);
    assert.match(html, /Parameters Every rule option in effect/);
    assert.match(html, /maxAgeDays 60 days set in the configuration 90 days CIS v3\.0\.0 1\.14: 90 days \(judged at 60 days, stricter than the framework\)/);
  });

  it('a looser value is marked looser; the defaults give no deviation on CIS', async () => {
    const looser = await demo('rules:\n  password-policy-min-length:\n    minimumLength: 10\n');
    assert.deepEqual(control(looser, 'cis-5.0', '1.7')?.parameterNotes, ['judged at 10 characters; CIS v5.0.0 1.7: 14 characters (looser than the framework)']);
    assert.deepEqual(control(looser, 'pci-dss-4.0', '8.3.6')?.parameterNotes, ['judged at 10 characters; PCI DSS 4.0 8.3.6: 12 characters (looser than the framework)']);
    const defaults = await demo('{}\n');
    for (const id of ['1.7', '1.8', '1.11', '1.13']) assert.equal(control(defaults, 'cis-5.0', id)?.parameterNotes, undefined, `CIS v5 ${id}`);
    // PCI's own values are looser than the tool's defaults: disclosed as stricter.
    assert.deepEqual(control(defaults, 'pci-dss-4.0', '8.3.7')?.parameterNotes, ['judged at 24 passwords; PCI DSS 4.0 8.3.7: 4 passwords (stricter than the framework)']);
  });

  it("labels the tool's own thresholds where a framework sets none", async () => {
    const result = await demo('{}\n');
    assert.deepEqual(control(result, 'cis-5.0', '1.6')?.parameterNotes, ["root-recent-use judged at 30 days: the tool's own threshold (CIS v5.0.0 sets none)"]);
    assert.deepEqual(control(result, 'nist-800-53-r5', 'AC-2(3)')?.parameterNotes, ["unused-credentials judged at 45 days: the tool's own threshold (NIST SP 800-53 Rev. 5 sets none)"]);
    const row = result.catalogue?.parameters?.find((entry) => entry.ruleId === 'root-recent-use');
    assert.deepEqual(row?.frameworkValues, []);
    const html = text(await renderDefaultHtml(result));
    assert.match(html, /root- ?recent- ?use days 30 days 30 days the tool's own threshold: no framework in this report sets one/);
  });
});
