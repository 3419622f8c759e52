/**
 * Issue 26: `report` and `audit` write the findings CSV and the JSON report while the engine
 * judges (report-stream.ts), holding no list of results. The files must be byte for byte those
 * the collected path renders from the whole result, with exceptions, owners, responses, an
 * explicit --framework, --fail-on and --as-of in play; the console, the gate and the warnings
 * must say the same.
 */
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { runReport, DEFAULT_PRESENTATION, type ReportOptions } from '../src/app/report/report.js';
import { importCredentialReport } from '../src/import/credential-report.js';
import { serializeSnapshot } from '../src/snapshot/io.js';
import { BENCH_GENERATED_AT, generateCredentialReport } from '../bench/generate.js';
import { FIXTURES, temporaryFolder } from './support/cli.js';
import { TextSink } from './support/report-run.js';
import { withFlatResults } from './support/report-json.js';

const REMEDIATION = join(FIXTURES, 'demo', 'remediation');

let work: { path: string; cleanup: () => Promise<void> };
before(async () => {
  work = await temporaryFolder('iam-audit-stream-');
});
after(async () => {
  await work.cleanup();
});

interface Run {
  readonly files: Map<string, string>;
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
  readonly gate: string;
  readonly streamed: boolean;
}

async function run(name: string, options: Partial<ReportOptions> & Pick<ReportOptions, 'snapshotPath' | 'formats'>, streamResults: boolean): Promise<Run> {
  const outDir = join(work.path, `${name}-${streamResults ? 'streamed' : 'collected'}`);
  const stdout = new TextSink();
  const stderr = new TextSink();
  const outcome = await runReport({
    outDir,
    quiet: false,
    failOnFindings: false,
    overwrite: false,
    presentation: DEFAULT_PRESENTATION,
    environment: { SOURCE_DATE_EPOCH: '1767364200' },
    stdout,
    stderr,
    streamResults,
    ...options,
  });
  const files = new Map<string, string>();
  for (const file of (await readdir(outDir)).sort()) files.set(file, await readFile(join(outDir, file), 'utf8'));
  // The two runs write to two folders; the console names them.
  const same = (text: string): string => text.split(outDir).join('<out>');
  return {
    files,
    stdout: same(stdout.text),
    stderr: same(stderr.text),
    exitCode: outcome.exitCode,
    gate: JSON.stringify(outcome.gateFindings),
    streamed: outcome.result.catalogue?.streamed === true,
  };
}

async function assertSame(name: string, options: Partial<ReportOptions> & Pick<ReportOptions, 'snapshotPath' | 'formats'>): Promise<Run> {
  const collected = await run(name, options, false);
  const streamed = await run(name, options, true);
  assert.equal(collected.streamed, false);
  assert.equal(streamed.streamed, true, 'the run streamed its results');
  assert.deepEqual([...streamed.files.keys()], [...collected.files.keys()]);
  for (const [file, content] of collected.files) assert.equal(streamed.files.get(file), content, `${name}: ${file} differs`);
  assert.equal(streamed.stdout, collected.stdout);
  assert.equal(streamed.stderr, collected.stderr);
  assert.equal(streamed.exitCode, collected.exitCode);
  assert.equal(streamed.gate, collected.gate);
  return streamed;
}

describe('streamed CSV and JSON are the collected ones, byte for byte', () => {
  it('the demo with exceptions, owners, responses, --fail-on and --as-of', async () => {
    const streamed = await assertSame('demo', {
      snapshotPath: join(FIXTURES, 'demo', 'snapshot.json'),
      formats: ['csv', 'json'],
      configPath: join(REMEDIATION, 'config.yaml'),
      exceptionsPath: join(REMEDIATION, 'exceptions.yaml'),
      ownersPath: join(REMEDIATION, 'owners.yaml'),
      responsesPath: join(REMEDIATION, 'responses.yaml'),
      failOn: 'high',
      asOf: new Date('2026-12-24T00:00:00Z'),
    });
    assert.equal(streamed.exitCode, 1, 'the gate tripped');
    const json = [...streamed.files.entries()].find(([file]) => file.endsWith('.json') && !file.includes('manifest'))?.[1] ?? '';
    const report = withFlatResults(JSON.parse(json) as object);
    assert.ok(report.results.some((item) => item.status === 'excepted'));
    assert.ok(report.results.some((item) => item.tracking !== undefined));
  });

  it('JSON alone, narrowed to one framework', async () => {
    await assertSame('framework', { snapshotPath: join(FIXTURES, 'demo', 'snapshot.json'), formats: ['json'], presentation: { ...DEFAULT_PRESENTATION, machineFrameworks: ['cis-5.0'] } });
  });

  it('--status narrows the findings CSV, never the JSON report', async () => {
    const streamed = await assertSame('status', {
      snapshotPath: join(FIXTURES, 'demo', 'snapshot.json'),
      formats: ['csv', 'json'],
      presentation: { ...DEFAULT_PRESENTATION, statuses: ['fail', 'not_evaluated'] },
    });
    const file = (suffix: string): string => [...streamed.files.entries()].find(([name]) => name.endsWith(suffix))?.[1] ?? '';
    const rows = parse(file('findings_2026-01-02T14-30-00.csv'), { columns: true }) as Record<string, string>[];
    const statuses = new Set(rows.map((row) => row['status']));
    assert.deepEqual([...statuses].sort(), ['fail', 'not_evaluated']);
    const report = withFlatResults(JSON.parse(file('00.json')) as object);
    assert.equal(report.results.length, 237, 'the JSON report keeps every result');
    assert.equal(rows.length, report.results.filter((item) => item.status === 'fail' || item.status === 'not_evaluated').length);
  });

  it('--status fail: OCSF, OCSF JSON Lines and JUnit carry the failures only', async () => {
    const collected = await run('ocsf-status', { snapshotPath: join(FIXTURES, 'demo', 'snapshot.json'), formats: ['ocsf', 'ocsf-jsonl', 'junit', 'json'], presentation: { ...DEFAULT_PRESENTATION, statuses: ['fail'] } }, true);
    const file = (suffix: string): string => [...collected.files.entries()].find(([name]) => name.endsWith(suffix))?.[1] ?? '';
    const events = JSON.parse(file('.ocsf.json')) as { status_code?: string; finding_info: { uid: string } }[];
    const report = withFlatResults(JSON.parse(file('00.json')) as object);
    const failing = new Set(report.results.filter((item) => item.status === 'fail').map((item) => item.finding_id));
    assert.ok(events.length > 0);
    for (const event of events) assert.ok([...failing].some((id) => event.finding_info.uid.startsWith(id)), `${event.finding_info.uid} is a failure`);
    assert.equal(file('.ocsf.jsonl').trim().split('\n').length, events.length);
    const junit = file('.junit.xml');
    assert.ok(junit.includes('<failure'));
    // A passing case is a self-closing <testcase/>: none is left.
    assert.equal(/<testcase [^>]*\/>/.test(junit), false);
  });

  it('OCSF, OCSF JSON Lines and JUnit with CSV and JSON: exceptions, --as-of, an explicit --framework, --status', async () => {
    const streamed = await assertSame('ocsf', {
      snapshotPath: join(FIXTURES, 'demo', 'snapshot.json'),
      formats: ['ocsf', 'ocsf-jsonl', 'junit', 'csv', 'json'],
      configPath: join(REMEDIATION, 'config.yaml'),
      exceptionsPath: join(REMEDIATION, 'exceptions.yaml'),
      asOf: new Date('2026-12-24T00:00:00Z'),
      presentation: { ...DEFAULT_PRESENTATION, machineFrameworks: ['cis-5.0', 'soc2'], statuses: ['fail', 'excepted', 'not_evaluated'] },
    });
    const file = (suffix: string): string => [...streamed.files.entries()].find(([name]) => name.endsWith(suffix))?.[1] ?? '';
    const events = JSON.parse(file('.ocsf.json')) as { status_code: string; compliance: { standards: string[] } }[];
    assert.ok(events.length > 20);
    assert.deepEqual([...new Set(events.map((event) => event.status_code))].sort(), ['excepted', 'fail', 'not_evaluated']);
    assert.equal(file('.ocsf.jsonl').trim().split('\n').length, events.length);
  });

  it('OCSF events carry the title the options in effect give (maxAgeDays 60), as the collected run does', async () => {
    const config = join(work.path, 'sixty-days.yaml');
    await writeFile(config, 'rules:\n  access-key-rotation: { maxAgeDays: 60 }\n');
    const streamed = await assertSame('ocsf-options', { snapshotPath: join(FIXTURES, 'demo', 'snapshot.json'), formats: ['ocsf', 'ocsf-jsonl', 'junit'], configPath: config });
    const events = JSON.parse([...streamed.files.entries()].find(([name]) => name.endsWith('.ocsf.json'))?.[1] ?? '[]') as { finding_info: { title: string } }[];
    const titles = new Set(events.map((event) => event.finding_info.title).filter((title) => title.startsWith('Active access keys are rotated')));
    assert.deepEqual([...titles], ['Active access keys are rotated within 60 days']);
  });

  it('OCSF alone, JUnit alone, every result, and files with no events (--status error)', async () => {
    await assertSame('ocsf-all', { snapshotPath: join(FIXTURES, 'demo', 'snapshot.json'), formats: ['ocsf'] });
    await assertSame('junit-all', { snapshotPath: join(FIXTURES, 'demo', 'snapshot.json'), formats: ['junit'], exceptionsPath: join(REMEDIATION, 'exceptions.yaml') });
    const empty = await assertSame('ocsf-none', { snapshotPath: join(FIXTURES, 'demo', 'snapshot.json'), formats: ['ocsf', 'ocsf-jsonl', 'junit'], presentation: { ...DEFAULT_PRESENTATION, statuses: ['error'] } });
    assert.equal([...empty.files.entries()].find(([name]) => name.endsWith('.ocsf.json'))?.[1], '[]\n');
    assert.equal([...empty.files.entries()].find(([name]) => name.endsWith('.ocsf.jsonl'))?.[1], '');
  });

  it('3,000 generated users', async () => {
    const { snapshot } = importCredentialReport(Buffer.from(generateCredentialReport(3_000)), { generatedAt: new Date(BENCH_GENERATED_AT), fileName: 'bench.csv', displayPath: 'bench.csv' });
    const path = join(work.path, 'generated.json');
    await writeFile(path, serializeSnapshot(snapshot));
    const spools = async (): Promise<string[]> => (await readdir(tmpdir())).filter((name) => name.startsWith('iam-audit-junit-'));
    const before = await spools();
    const streamed = await assertSame('generated', { snapshotPath: path, formats: ['csv', 'json', 'ocsf-jsonl', 'junit'] });
    assert.deepEqual(await spools(), before, 'the JUnit spools are removed');
    const junit = [...streamed.files.entries()].find(([name]) => name.endsWith('.junit.xml'))?.[1] ?? '';
    assert.ok(junit.length > 4 << 20, `a JUnit file of ${junit.length} characters: spools written and read in several pieces`);
  });
});
