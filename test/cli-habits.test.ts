/** Issue 27 §4: the CLI habits users expect (did you mean, exit codes in --help, --output-name, rules width). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COMMAND_EXIT_CODES, commandExitCodesHelp } from '../src/app/shared/exit-status.js';
import { COMMANDS } from '../src/cli/commands.js';
import type { AnalysisResult } from '../src/analyze/result.js';
import { renderCheckingLines } from '../src/render/console.js';
import { renderFrameworkControls, renderRuleList, wrapCell } from '../src/app/rules/rules.js';
import { allRules } from '../src/rules/index.js';
import { allFrameworks } from '../src/frameworks/index.js';
import { ExitCode } from '../src/util/errors.js';
import { closestName, editDistance, suggestionFor } from '../src/cli/did-you-mean.js';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { FIXTURES, runCli, temporaryFolder } from './support/cli.js';
import { runReport } from '../src/app/report/report.js';
import { exampleFrameworks, exampleRules } from './support/example-rule.js';
import { TextSink, writeExampleSnapshot } from './support/report-run.js';

/** Every .yaml/.yml file under `folder`. */
async function yamlFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true });
  return entries.filter((name) => /\.ya?ml$/.test(name)).map((name) => join(folder, name));
}

/** Every string or Date value of parsed YAML, with its path. */
function leaves(value: unknown, path: string, out: { path: string; value: unknown }[]): { path: string; value: unknown }[] {
  if (value instanceof Date) out.push({ path, value });
  else if (Array.isArray(value)) value.forEach((item, index) => leaves(item, `${path}[${index}]`, out));
  else if (typeof value === 'object' && value !== null) for (const [key, item] of Object.entries(value)) leaves(item, `${path}.${key}`, out);
  return out;
}

describe('did you mean', () => {
  it('measures edits, a transposition counting as one', () => {
    assert.equal(editDistance('output', 'output'), 0);
    assert.equal(editDistance('outptu', 'output'), 1);
    assert.equal(editDistance('colect', 'collect'), 1);
    assert.equal(editDistance('kitten', 'sitting'), 3);
  });

  it('suggests only names close enough to be a typo', () => {
    assert.equal(closestName('framwork', ['format', 'framework']), 'framework');
    assert.equal(closestName('x', ['d', 'q']), null);
    assert.equal(closestName('bogus', ['format', 'quiet']), null);
    assert.equal(suggestionFor('Unknown argument: frobnicate', ['frobnicate'], [], ['collect', 'report']), null);
    assert.equal(suggestionFor('Unknown arguments: reprot, x', ['reprot', 'x'], ['help'], ['collect', 'report']), 'Did you mean report?');
    // A word written as a flag is never matched against the commands.
    assert.equal(suggestionFor('Unknown argument: report', ['--report'], ['help'], ['report']), null);
  });

  it('names the command for a mistyped command, exit 2', async () => {
    const run = await runCli(['reprot', 'snapshot.json']);
    assert.equal(run.code, 2);
    assert.equal(run.stdout, '');
    assert.equal(run.stderr, 'iam-audit: Unknown arguments: reprot, snapshot.json\nDid you mean report?\nRun "iam-audit --help" for usage.\n');
  });

  it("names the command's own flag for a mistyped flag, exit 2", async () => {
    const rules = await runCli(['rules', '--framwork', 'cis-5.0']);
    assert.equal(rules.code, 2);
    assert.equal(rules.stderr, 'iam-audit: Unknown argument: framwork\nDid you mean --framework?\nRun "iam-audit --help" for usage.\n');
    const report = await runCli(['report', 'snapshot.json', '--fail-on-finding']);
    assert.equal(report.code, 2);
    assert.match(report.stderr, /^iam-audit: Unknown argument: fail-on-finding\nDid you mean --fail-on-findings\?\n/);
    const far = await runCli(['report', 'snapshot.json', '--bogus']);
    assert.equal(far.stderr, 'iam-audit: Unknown argument: bogus\nRun "iam-audit --help" for usage.\n');
  });
});

describe('YAML fixtures read the same in YAML 1.1 tools', () => {
  it('quotes every date, so a YAML 1.1 reader (ajv-cli, PyYAML) sees text, not a timestamp', async () => {
    const files = await yamlFiles(FIXTURES);
    assert.ok(files.some((file) => file.endsWith(join('remediation', 'exceptions.yaml'))), 'the demo exceptions file is among them');
    const dated: string[] = [];
    for (const file of files) {
      const parsed: unknown = parseYaml(await readFile(file, 'utf8'), { version: '1.1' });
      for (const leaf of leaves(parsed, '', [])) dated.push(`${file}${leaf.path}`);
    }
    assert.deepEqual(dated, []);
    const exceptions = parseYaml(await readFile(join(FIXTURES, 'demo', 'remediation', 'exceptions.yaml'), 'utf8'), { version: '1.1' }) as { exceptions: { expires: unknown }[] };
    assert.deepEqual(exceptions.exceptions.map((entry) => entry.expires), ['2027-03-31', '2026-10-15', '2026-12-31']);
    const responses = parseYaml(await readFile(join(FIXTURES, 'demo', 'remediation', 'responses.yaml'), 'utf8'), { version: '1.1' }) as { responses: { targetDate: unknown }[] };
    assert.deepEqual(responses.responses.map((entry) => entry.targetDate).filter((date) => date !== undefined), ['2026-11-20', '2027-01-15']);
  });
});

describe('exit codes in each command\'s --help', () => {
  it('the table covers every command, each with 0 and 2, and only documented codes', () => {
    assert.deepEqual(Object.keys(COMMAND_EXIT_CODES).sort(), Object.keys(COMMANDS).sort());
    const documented = new Set<string>(Object.values(ExitCode).map(String));
    for (const [command, codes] of Object.entries(COMMAND_EXIT_CODES)) {
      assert.ok('0' in codes && '2' in codes, `${command} lists 0 and 2`);
      for (const code of Object.keys(codes)) assert.ok(documented.has(code), `${command}: ${code} is an ExitCode`);
      // Short enough that yargs does not wrap them at the 100 columns of a non-terminal.
      for (const line of commandExitCodesHelp(command).split('\n')) assert.ok(line.length <= 96, `${command}: ${line}`);
    }
    assert.equal(
      commandExitCodesHelp('trend'),
      'Exit codes:\n  0  written\n  2  usage or input error (nothing written)\n  3  an archive could not be read and was skipped (the others were counted)\nWhen several apply: 2 > 3 > 0.',
    );
    assert.equal(commandExitCodesHelp('import'), 'Exit codes:\n  0  snapshot written\n  2  usage or input error (nothing written)');
  });

  for (const command of Object.keys(COMMANDS)) {
    it(`${command} --help ends with its exit codes`, async () => {
      const run = await runCli([command, '--help']);
      assert.equal(run.code, 0);
      assert.ok(run.stdout.trimEnd().endsWith(commandExitCodesHelp(command)), run.stdout.slice(-400));
    });
  }

  it('report --help lists 4 (an output not produced), verify --help 1 (a check failed)', async () => {
    assert.match((await runCli(['report', '--help'])).stdout, /\n {2}4 {2}an output could not be produced/);
    assert.match((await runCli(['verify', '--help'])).stdout, /\n {2}1 {2}a check failed/);
  });
});

describe('--output-name and -d -', () => {
  it('audit --output-name names every file written, the snapshot and the evidence included', async () => {
    const out = await temporaryFolder();
    try {
      const run = await runCli(['audit', join(FIXTURES, 'demo', 'credential-report.csv'), '--generated-at', '2026-11-02T08:15:42Z', '-d', out.path, '--output-name', 'nightly', '-f', 'csv,json,ocsf', '--json']);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual((await readdir(out.path)).sort(), [
        'nightly.SHA256SUMS', 'nightly.csv', 'nightly.findings.csv', 'nightly.json', 'nightly.manifest.json', 'nightly.ocsf.json', 'nightly.rules.csv', 'nightly.snapshot.json',
      ].sort());
      const manifest = JSON.parse(await readFile(join(out.path, 'nightly.manifest.json'), 'utf8')) as { files?: { name?: string; path?: string }[] };
      const listed = JSON.stringify(manifest);
      assert.ok(listed.includes('nightly.findings.csv') && listed.includes('nightly.json'), 'the manifest lists the named files');
    } finally {
      await out.cleanup();
    }
  });

  it('refuses a stem that is a path, and -d -, in one line with exit 2 and nothing written', async () => {
    const out = await temporaryFolder();
    try {
      const snapshot = join(FIXTURES, 'demo', 'snapshot.json');
      const path = await runCli(['report', snapshot, '-d', out.path, '--output-name', '../x', '-f', 'json']);
      assert.equal(path.code, 2);
      assert.equal(path.stderr, 'iam-audit: --output-name "../x" is not a file name stem: use letters, digits, ".", "_" and "-" (not first), up to 200 characters; the folder is -d\n');
      const dash = await runCli(['report', snapshot, '-d', '-', '-f', 'json'], { cwd: out.path });
      assert.equal(dash.code, 2);
      assert.equal(dash.stderr, 'iam-audit: -d - is not a folder: the files of a run go to a folder (-d DIR); for a JSON summary on stdout, use --json\n');
      assert.deepEqual(await readdir(out.path), []);
    } finally {
      await out.cleanup();
    }
  });
});

describe('console per-user lines for large accounts', () => {
  type Status = 'PASS' | 'FAIL' | 'INFO' | 'NOT_EVALUATED';
  const resultWith = (statuses: readonly Status[]): AnalysisResult =>
    ({ mfa: { findings: statuses.map((status, index) => ({ username: `user${index}`, status, message: status === 'FAIL' ? 'Console access WITHOUT MFA!' : 'ok.' })) } }) as unknown as AnalysisResult;
  const repeat = (status: Status, count: number): Status[] => Array.from({ length: count }, () => status);

  it('up to 50 users: every user, two lines each, as the original', () => {
    const text = renderCheckingLines(resultWith([...repeat('PASS', 40), ...repeat('INFO', 9), 'FAIL']));
    assert.equal(text.split('\n').length - 1, 100);
    assert.ok(text.startsWith('Checking: user0\n    [PASS] ok.\n'));
  });

  it('above 50: only the failing and not evaluated users, then what was left out', () => {
    const text = renderCheckingLines(resultWith([...repeat('PASS', 45), 'FAIL', 'NOT_EVALUATED', ...repeat('INFO', 10)]));
    assert.equal(
      text,
      'Checking: user45\n    [FAIL] Console access WITHOUT MFA!\nChecking: user46\n    [NOT EVALUATED] ok.\n' +
        '55 compliant or without console access not listed (57 users: --verbose lists every user; the CSV and JSON have them all)\n',
    );
  });

  it('above 50 failing: the first 50, then a count; --verbose lists all', () => {
    const statuses = [...repeat('FAIL', 120), ...repeat('PASS', 30)];
    const lines = renderCheckingLines(resultWith(statuses)).split('\n');
    assert.equal(lines.length - 1, 101);
    assert.equal(lines[98], 'Checking: user49');
    assert.equal(lines[100], '... and 70 more failing or not evaluated users; 30 compliant or without console access not listed (150 users: --verbose lists every user; the CSV and JSON have them all)');
    assert.equal(renderCheckingLines(resultWith(statuses), true).split('\n').length - 1, 300);
  });
});

describe('rules fits the terminal; rules --json', () => {
  const widest = (text: string): number => Math.max(...text.split('\n').map((line) => line.length));

  it('wraps words, cutting only a word longer than the width', () => {
    assert.deepEqual(wrapCell('Active access keys are rotated within 90 days', 20), ['Active access keys', 'are rotated within', '90 days']);
    assert.deepEqual(wrapCell('abcdefghij', 4), ['abcd', 'efgh', 'ij']);
    assert.deepEqual(wrapCell('', 4), ['']);
  });

  it('piped, rules and rules --framework stay within 100 columns (they were about 330)', async () => {
    assert.ok(widest(renderRuleList(allRules, allFrameworks)) > 200, 'unlimited, the table is as wide as before');
    const run = await runCli(['rules']);
    assert.equal(run.code, 0);
    assert.equal(widest(run.stdout), 100);
    // The controls moved to an indented line under each rule, nothing lost.
    assert.match(run.stdout, /\naccess-key-rotation +medium +Active access keys are rotated within 90 days\n {4}controls: cis-3\.0 1\.14, cis-4\.0 1\.14,/);
    const controls = await runCli(['rules', '--framework', 'cis-5.0']);
    assert.ok(widest(controls.stdout) <= 100, controls.stdout);
    // Rule ids never wrap: about 80 columns is the narrowest the rule list gets.
    for (const width of [80, 120]) {
      assert.ok(widest(renderRuleList(allRules, allFrameworks, width)) <= width, `rules at ${width}`);
      assert.ok(widest(renderFrameworkControls('cis-5.0', allFrameworks, width)) <= width, `cis-5.0 at ${width}`);
    }
  });

  it('rules --json prints the catalogue; with --framework, that framework', async () => {
    const run = await runCli(['rules', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const catalogue = JSON.parse(run.stdout) as { rules: { id: string; severity: string; controls: { framework: string; controlId: string }[] }[]; frameworks: { id: string }[] };
    assert.equal(catalogue.rules.length, allRules.length);
    assert.deepEqual(catalogue.frameworks.map((framework) => framework.id), allFrameworks.map((framework) => framework.id));
    const rotation = catalogue.rules.find((rule) => rule.id === 'access-key-rotation');
    assert.equal(rotation?.severity, 'medium');
    assert.deepEqual(rotation?.controls.find((control) => control.framework === 'cis-5.0'), { framework: 'cis-5.0', controlId: '1.13' });
    const cis = await runCli(['rules', '--json', '--framework', 'cis-5.0']);
    const framework = JSON.parse(cis.stdout) as { id: string; controls: { id: string; rules: string[] }[] };
    assert.equal(framework.id, 'cis-5.0');
    assert.deepEqual(framework.controls.find((control) => control.id === '1.3')?.rules, ['root-access-keys']);
    const unknown = await runCli(['rules', '--json', '--framework', 'cis-9']);
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stdout, '');
  });
});

describe('progress on a terminal while a large account\'s files are written', () => {
  async function run(users: number, isTTY: boolean): Promise<{ stderr: string; stdout: string }> {
    const work = await temporaryFolder();
    try {
      const snapshotPath = await writeExampleSnapshot(work.path, Array.from({ length: users }, (_, index) => ({ name: `user${index}` })));
      const stdout = new TextSink();
      const stderr = Object.assign(new TextSink(), { isTTY, columns: 200 });
      await runReport({
        snapshotPath, outDir: join(work.path, 'out'), formats: ['csv', 'json'], quiet: false, failOnFindings: false, overwrite: false,
        catalogue: { rules: exampleRules, frameworks: exampleFrameworks }, environment: { SOURCE_DATE_EPOCH: '1800000000' }, stdout, stderr,
      });
      return { stderr: stderr.text, stdout: stdout.text };
    } finally {
      await work.cleanup();
    }
  }

  it('above 50 users on a terminal: each step on stderr, cleared at the end; nothing when piped or small', async () => {
    const large = await run(51, true);
    assert.ok(large.stderr.includes('\r\x1b[Kiam-audit: preparing csv (1/2) for 51 users...'), JSON.stringify(large.stderr));
    // Later steps are drawn at most four times a second (this run is faster): the line is cleared at the end.
    const afterLastClear = large.stderr.slice(large.stderr.lastIndexOf('\r\x1b[K') + 4);
    assert.ok(large.stderr.split('\r\x1b[K').length >= 3, 'drawn, then cleared');
    assert.doesNotMatch(afterLastClear, /preparing|writing/, 'the progress line is cleared before the rest of stderr');
    assert.doesNotMatch(large.stdout, /\x1b/, 'stdout carries no progress');
    assert.doesNotMatch((await run(51, false)).stderr, /preparing|writing/);
    assert.doesNotMatch((await run(50, true)).stderr, /preparing|writing/);
  });
});
