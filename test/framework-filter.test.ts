/** --framework narrows JSON, CSV and OCSF only when given explicitly (issue #12). In-process, real catalogue, no browser. */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_PRESENTATION, runReport } from '../src/app/report/report.js';
import { presentationFrom, type ReportArguments } from '../src/cli/report-options.js';
import { FIXTURES, temporaryFolder } from './support/cli.js';
import { TextSink } from './support/report-run.js';

let work: { path: string; cleanup: () => Promise<void> };
before(async () => {
  work = await temporaryFolder('iam-audit-framework-');
});
after(async () => {
  await work.cleanup();
});

const DEMO_SNAPSHOT = join(FIXTURES, 'demo', 'snapshot.json');

async function machineOutputs(name: string, machineFrameworks: readonly string[] | null): Promise<{ json: { frameworks: { id: string }[]; rules: { controls: { framework: string }[] }[] }; findingsCsv: string; ocsf: string }> {
  const outDir = join(work.path, name);
  await runReport({
    snapshotPath: DEMO_SNAPSHOT,
    outDir,
    formats: ['csv', 'json', 'ocsf'],
    quiet: true,
    failOnFindings: false,
    overwrite: false,
    presentation: { ...DEFAULT_PRESENTATION, machineFrameworks },
    environment: { SOURCE_DATE_EPOCH: '1767364200' },
    stdout: new TextSink(),
    stderr: new TextSink(),
  });
  const files = await readdir(outDir);
  const read = (pattern: RegExp) => readFile(join(outDir, files.find((file) => pattern.test(file)) ?? 'missing'), 'utf8');
  return { json: JSON.parse(await read(/^iam_audit_[\dT-]+\.json$/)), findingsCsv: await read(/^iam_audit_rules_/), ocsf: await read(/\.ocsf\.json$/) };
}

function argv(framework: string[] | undefined): ReportArguments {
  return { 'page-size': 'a4', framework } as ReportArguments;
}

describe('--framework and machine outputs', () => {
  it('left out: HTML/PDF show the default framework, machine outputs every framework', () => {
    const presentation = presentationFrom(argv(undefined));
    assert.deepEqual(presentation.frameworks, ['cis-5.0']);
    assert.equal(presentation.machineFrameworks, null);
    assert.deepEqual(presentationFrom(argv(['fsbp,cis-5.0'])).machineFrameworks, ['fsbp', 'cis-5.0']);
    assert.equal(presentationFrom(argv(['all'])).machineFrameworks, null);
  });

  it('given: JSON, findings CSV and OCSF keep only that framework; by default they keep all', async () => {
    const all = await machineOutputs('all', null);
    assert.ok(all.json.frameworks.length >= 5, 'every framework by default');
    assert.match(all.findingsCsv, /fsbp/i);

    const narrowed = await machineOutputs('fsbp', ['fsbp']);
    assert.deepEqual(narrowed.json.frameworks.map((framework) => framework.id), ['fsbp']);
    assert.ok(narrowed.json.rules.length > 0 && narrowed.json.rules.length < all.json.rules.length, 'only rules mapped to FSBP');
    for (const rule of narrowed.json.rules) assert.deepEqual([...new Set(rule.controls.map((control) => control.framework))], ['fsbp']);
    assert.doesNotMatch(narrowed.findingsCsv, /cis-\d/, 'no CIS control in the rules CSV (the findings\' controls)');
    assert.doesNotMatch(narrowed.ocsf, /cis-5\.0|CIS AWS/, 'no CIS control in OCSF');
  });
});
