import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { countAxis, lineChart, SEVERITY_COLOURS } from '../src/render/line-charts.js';
import { EXCEPTIONS_YAML, newSnapshot, oldSnapshot } from './support/demo-series.js';
import { runCli, temporaryFolder } from './support/cli.js';

// Issue 24 §3: what the change and trend reports look like to a reader.
const ENV = { SOURCE_DATE_EPOCH: '1767364200' };
let work: { path: string; cleanup: () => Promise<void> };
before(async () => {
  work = await temporaryFolder('iam-audit-archive-reports-');
  await writeFile(join(work.path, 'old.json'), JSON.stringify(oldSnapshot()));
  await writeFile(join(work.path, 'new.json'), JSON.stringify(newSnapshot()));
  await writeFile(join(work.path, 'exceptions.yaml'), EXCEPTIONS_YAML);
});
after(async () => {
  await work.cleanup();
});

it('count charts have whole-number ticks only; rate charts keep their quarters', () => {
  for (const [largest, top, step] of [[0, 1, 1], [1, 1, 1], [3, 3, 1], [9, 10, 2], [27, 30, 10], [236, 250, 50]] as const) {
    assert.deepEqual(countAxis(largest), { top, step }, `largest ${largest}`);
  }
  const counts = lineChart([{ label: 'users', values: [2, 3, 5] }, { label: 'keys', values: [0, 1, null] }], ['2026-11-02', '2026-12-02', '2027-01-02']);
  assert.deepEqual(counts.yTicks.map((tick) => tick.label), ['0', '1', '2', '3', '4', '5']);
  const rates = lineChart([{ label: 'mfa', values: [0.4, 0.5] }], ['2026-11-02', '2026-12-02'], { percent: true });
  assert.deepEqual(rates.yTicks.map((tick) => tick.label), ['0.0%', '25.0%', '50.0%', '75.0%', '100.0%']);
});

it("the trend's severity lines have the account report's severity colours", async () => {
  const styles = await readFile('templates/partials/styles.hbs', 'utf8');
  const variable = (name: string): string => styles.match(new RegExp(`--${name}: (#[0-9a-f]{6})`))?.[1] ?? `no --${name}`;
  assert.deepEqual(SEVERITY_COLOURS, { critical: variable('critical'), high: variable('high'), medium: variable('medium'), low: variable('low'), info: variable('severity-info') });
  const out = join(work.path, 'trend');
  const result = await runCli(['trend', join(work.path, 'old.json'), join(work.path, 'new.json'), '--exceptions', join(work.path, 'exceptions.yaml'), '-f', 'html', '-d', out], { env: ENV });
  assert.equal(result.code, 0, result.stderr);
  const [file] = await readdir(out);
  const html = await readFile(join(out, file ?? ''), 'utf8');
  const severityChart = html.slice(html.indexOf('<figcaption>Failing findings by severity</figcaption>'), html.indexOf('<figcaption>Users, and active keys'));
  for (const [severity, colour] of Object.entries(SEVERITY_COLOURS)) {
    assert.match(severityChart, new RegExp(`<rect [^>]*fill="${colour}"></rect><text [^>]*>${severity}</text>`), severity);
  }
});

it('the change report: newly failing rows carry the rule title, evidence and fix; headers break between words; sections flow', async () => {
  const out = join(work.path, 'changes');
  const result = await runCli(['diff', join(work.path, 'old.json'), join(work.path, 'new.json'), '--exceptions', join(work.path, 'exceptions.yaml'), '-f', 'html,json', '-d', out], { env: ENV });
  assert.equal(result.code, 0, result.stderr);
  const files = await readdir(out);
  const html = await readFile(join(out, files.find((name) => name.endsWith('.html')) ?? ''), 'utf8');
  const newlyFailing = html.slice(html.indexOf('id="newly-failing"'), html.indexOf('id="resolved"'));
  // erin.dev turned MFA off in December: the row says which rule, what was seen and how to fix it.
  const at = newlyFailing.indexOf('erin.<wbr>dev');
  assert.ok(at > 0, 'erin.dev is newly failing');
  const erin = newlyFailing.slice(newlyFailing.lastIndexOf('<tr>', at), newlyFailing.indexOf('</tr>', at));
  assert.match(erin, /<div class="criterion">Every IAM user with a console password has MFA<\/div>/);
  assert.match(erin, /<strong>Evidence:<\/strong> MFA not active/);
  assert.match(erin, /<strong>Fix:<\/strong> Open the IAM console, .*CLI: aws iam create-virtual-mfa-device/);
  const still = html.slice(html.indexOf('id="still-failing"'), html.indexOf('id="identities"'));
  assert.doesNotMatch(still, /<strong>Fix:/);
  assert.match(html, /table\.changes-table th \{ overflow-wrap: normal; word-break: keep-all;/);
  assert.match(html, /<table class="dense changes-table">\s*<thead><tr><th style="width:9%">Framework<\/th>/);
  assert.match(html, /section\.part\.changes-flow \+ section\.part\.changes-flow \{ break-before: auto;/);
  const json = JSON.parse(await readFile(join(out, files.find((name) => name.endsWith('.json')) ?? ''), 'utf8')) as { findings: { newly_failing: { resource_name: string; rule_title: string; evidence: string; fix: string }[] } };
  const row = json.findings.newly_failing.find((change) => change.resource_name === 'erin.dev');
  assert.equal(row?.evidence, 'MFA not active');
  assert.match(row?.fix ?? '', /^Open the IAM console/);
});
