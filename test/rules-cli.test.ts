import assert from 'node:assert/strict';
import { access, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { renderFrameworkControls, renderRuleList } from '../src/app/rules/rules.js';
import { allFrameworks } from '../src/frameworks/index.js';
import { allRules } from '../src/rules/index.js';
import type { Rule } from '../src/rules/rule.js';
import { FIXTURES, runCli, temporaryFolder } from './support/cli.js';
import { exampleFrameworks, exampleRules } from './support/example-rule.js';

describe('rules listing', () => {
  it('lists every rule with severity, title and controls, sorted by id', () => {
    const text = renderRuleList(exampleRules, exampleFrameworks);
    const lines = text.split('\n');
    assert.match(lines[0] ?? '', /^RULE\s+SEVERITY\s+TITLE\s+CONTROLS$/);
    assert.match(lines[2] ?? '', /^example-key-age\s+medium\s+Active access keys are younger than the maximum age\s+example-1\.0 E\.1, example-1\.0 E\.5$/);
    assert.match(lines[3] ?? '', /^example-root-mfa\s+critical\s+Root has MFA\s+example-1\.0 E\.4, example-1\.0 E\.5, other-2 O-1$/);
    assert.match(lines[5] ?? '', /^example-user-policies\s+low\s+Users get permissions only through groups\s+example-1\.0 E\.2$/);
    assert.match(text, /\n4 rules\. Frameworks: example-1\.0, other-2\n$/);
  });

  it("lists a framework's controls with the rules behind each, manual where none", () => {
    const text = renderFrameworkControls('example-1.0', exampleFrameworks);
    assert.match(text, /^Example Benchmark 1\.0 \(example-1\.0\)\n/);
    assert.match(text, /\nE\.1\s+L1\s+Keys rotated\s+example-key-age\n/);
    assert.match(text, /\nE\.3\s+Security contact registered\s+manual\n/);
    assert.match(text, /\nE\.5\s+Root MFA and keys\s+example-root-mfa, example-key-age\n/);
    assert.match(text, /\n6 controls, 1 manual\.\n$/);
    assert.throws(() => renderFrameworkControls('cis-9.9', exampleFrameworks), { message: 'unknown framework "cis-9.9"; known: example-1.0, other-2' });
  });
});

describe('iam-audit rules (CLI)', () => {
  it('prints the default configuration as YAML that reads back', async () => {
    const run = await runCli(['rules', '--defaults']);
    assert.equal(run.code, 0, run.stderr);
    const parsed = parse(run.stdout) as { rules: Record<string, Record<string, unknown>> };
    assert.deepEqual(Object.keys(parsed.rules).sort(), (allRules as readonly Rule[]).map((rule) => rule.id).sort());
  });

  it('lists the registered rules', async () => {
    const run = await runCli(['rules']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, renderRuleList(allRules, allFrameworks, 100)); // piped: 100 columns (issue 27)
  });

  it('rejects an unknown framework with exit code 2', async () => {
    const run = await runCli(['rules', '--framework', 'no-such-framework']);
    assert.equal(run.code, 2);
    assert.equal(run.stderr, `iam-audit: unknown framework "no-such-framework"; known: ${allFrameworks.map((framework) => framework.id).join(', ') || '(none registered)'}\n`);
    assert.equal(run.stdout, '');
  });

  it("lists each registered framework's controls", async () => {
    for (const framework of allFrameworks) {
      const run = await runCli(['rules', '--framework', framework.id]);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, renderFrameworkControls(framework.id, allFrameworks, 100));
    }
  });

  it('refuses --defaults with --framework', async () => {
    const run = await runCli(['rules', '--defaults', '--framework', 'cis-5.0']);
    assert.equal(run.code, 2);
    assert.equal(run.stderr, 'iam-audit: --defaults and --framework cannot be combined\n');
    assert.equal(run.stdout, '');
  });
});

describe('report and audit flags (CLI)', () => {
  it('rejects an unknown --fail-on severity with exit code 2 and writes nothing', async () => {
    const folder = await temporaryFolder();
    try {
      const run = await runCli(['report', join(FIXTURES, 'demo', 'snapshot.json'), '-d', folder.path, '--fail-on', 'severe']);
      assert.equal(run.code, 2);
      assert.equal(run.stderr, 'iam-audit: --fail-on "severe" is not a severity; choose from critical, high, medium, low, info\n');
      assert.deepEqual(await readdir(folder.path), []);
    } finally {
      await folder.cleanup();
    }
  });

  it('rejects a malformed exceptions file naming the entry, before audit writes its snapshot', async () => {
    const folder = await temporaryFolder();
    try {
      const exceptions = join(folder.path, 'exceptions.yaml');
      await writeFile(exceptions, 'exceptions:\n  - rule: some-rule\n    resource: alice\n');
      const out = join(folder.path, 'out');
      const run = await runCli(['audit', join(FIXTURES, 'demo', 'credential-report.csv'), '--generated-at', '2026-11-02T08:15:42Z', '-d', out, '--exceptions', exceptions]);
      assert.equal(run.code, 2);
      // With an empty catalogue the rule id is the first problem; with rules, a missing field would be.
      assert.match(run.stderr, /^iam-audit: .*exceptions\.yaml:2:5: exceptions\[0\]\.(rule: unknown rule id "some-rule"|justification: missing)/);
      await assert.rejects(access(out), { code: 'ENOENT' });
    } finally {
      await folder.cleanup();
    }
  });

  it('rejects a configuration file with an unknown setting, naming file and field', async () => {
    const folder = await temporaryFolder();
    try {
      const config = join(folder.path, 'config.yaml');
      await writeFile(config, 'rulez: {}\n');
      const run = await runCli(['report', join(FIXTURES, 'demo', 'snapshot.json'), '-d', folder.path, '--config', config]);
      assert.equal(run.code, 2);
      assert.equal(run.stderr, `iam-audit: ${config}:1:1: rulez: unknown setting "rulez"; expected one of: rules, frameworks, remediation\n`);
      assert.deepEqual(await readdir(folder.path), ['config.yaml']);
    } finally {
      await folder.cleanup();
    }
  });
});
