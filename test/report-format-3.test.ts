/**
 * Issue 26, "the JSON report holds rule metadata once and compact per-resource entries": result
 * format 3 (`resources`). The same findings as format 2, read through the readers' one shared
 * function; a streamed run and a whole result write the same lines however the results are
 * batched; a report that does not fit is refused naming the field; old formats still read.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { analyze } from '../src/analyze/analyze.js';
import { compareStates } from '../src/analyze/compare.js';
import type { RuleResult } from '../src/analyze/result.js';
import { loadArchive, type ArchiveAnalysis } from '../src/app/archive/archive-input.js';
import { notifyReportFromJson } from '../src/app/notify/notify-input.js';
import { ReportReader, reportResults } from '../src/app/shared/report-results.js';
import { comparableReport } from '../src/app/verify/reproduce.js';
import { resourceJson, ResourceLines } from '../src/render/json-resources.js';
import { renderJsonChunks } from '../src/render/json.js';
import { InputError } from '../src/util/errors.js';
import { FIXTURES, runCli, temporaryFolder } from './support/cli.js';
import { exampleFrameworks, exampleRules, exampleSnapshot } from './support/example-rule.js';
import { asFormat2, EXAMPLE_RESULT, flatReportResults } from './support/report-json.js';

const NAME = 'iam_audit_2026-01-02T14-30-00.json';
const FORMAT_3 = join(FIXTURES, 'golden', 'format-3', NAME);
const FORMAT_2 = join(FIXTURES, 'golden', 'format-2', NAME);
const FORMAT_1 = join(FIXTURES, 'golden', 'format-1', NAME);
const SNAPSHOT = 'snapshot-111122223333-2026-11-02T08-15-42Z.json';

async function json(path: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
}

function byFindingId<Row extends { readonly finding_id: string }>(rows: readonly Row[]): Row[] {
  return [...rows].sort((a, b) => (a.finding_id < b.finding_id ? -1 : a.finding_id > b.finding_id ? 1 : 0));
}

function refusal(document: unknown): string {
  try {
    [...reportResults(document as Record<string, unknown>, new ReportReader('r.json'))];
  } catch (error) {
    assert.ok(error instanceof InputError, String(error));
    return error.message;
  }
  return 'read without complaint';
}

describe('result format 3: one entry per resource', () => {
  it('the demo: format 2 and format 3 of the same snapshot carry the same results, and format 3 is smaller', async () => {
    const [two, three] = [await json(FORMAT_2), await json(FORMAT_3)];
    assert.deepEqual([(two['metadata'] as Record<string, unknown>)['result_format_version'], (three['metadata'] as Record<string, unknown>)['result_format_version']], [2, 3]);
    const [oldResults, newResults] = [flatReportResults(two), flatReportResults(three)];
    assert.ok(newResults.length > 200, `${newResults.length} results`);
    assert.deepEqual(byFindingId(newResults), byFindingId(oldResults));
    // Each resource once: no entry repeats an ARN, type and name, and every finding id is <rule>/<finding_key>.
    const resources = three['resources'] as { arn: string; type: string; name: string; finding_key: string; results: { rule: string }[] }[];
    assert.equal(new Set(resources.map((entry) => `${entry.arn} ${entry.type} ${entry.name}`)).size, resources.length);
    assert.ok(resources.some((entry) => entry.type === 'root') && resources.some((entry) => entry.type === 'account'), 'root and the account share an ARN, not an entry');
    assert.ok(resources.length < newResults.length / 2, `${resources.length} entries for ${newResults.length} results`);
    const [twoBytes, threeBytes] = [(await readFile(FORMAT_2)).length, (await readFile(FORMAT_3)).length];
    assert.ok(threeBytes < twoBytes * 0.9, `${threeBytes} bytes against ${twoBytes}`);
    // Nothing else changed: every other top-level key is the same, in the same order.
    const others = (document: Record<string, unknown>): [string, unknown][] =>
      Object.entries(document)
        .filter(([key]) => key !== 'results' && key !== 'resources')
        .map(([key, value]) => [key, key === 'metadata' ? { ...(value as Record<string, unknown>), result_format_version: null } : value]);
    assert.deepEqual(others(three), others(two));
  });

  it('format 1 (severity on every result) reads as the same results too', async () => {
    const one = flatReportResults(await json(FORMAT_1));
    const three = flatReportResults(await json(FORMAT_3));
    const verdicts = (rows: readonly { finding_id: string; status: string; evidence: string; reason: string | null }[]): string[] =>
      byFindingId(rows).map((row) => `${row.finding_id} ${row.status} ${row.evidence} ${row.reason ?? ''}`);
    assert.deepEqual(verdicts(three), verdicts(one));
  });

  it('diff between the format-2 and the format-3 archive of one snapshot: no change', async () => {
    const work = await temporaryFolder('iam-audit-format-3-');
    try {
      for (const [folder, source] of [['two', FORMAT_2], ['three', FORMAT_3]] as const) {
        await mkdir(join(work.path, folder));
        await copyFile(source, join(work.path, folder, NAME));
        await copyFile(join(FIXTURES, 'golden', 'demo', SNAPSHOT), join(work.path, folder, SNAPSHOT));
      }
      const analysis = {} as ArchiveAnalysis; // report JSONs are read, never analysed
      const [older, newer] = [await loadArchive(join(work.path, 'two', NAME), analysis), await loadArchive(join(work.path, 'three', NAME), analysis)];
      const sorted = (findings: typeof older.findings): typeof older.findings => [...findings].sort((a, b) => (a.findingId < b.findingId ? -1 : 1));
      assert.deepEqual(sorted(newer.findings), sorted(older.findings));
      const change = compareStates(older, newer);
      assert.deepEqual(
        [change.findings.newlyFailing.length, change.findings.resolved.length, change.findings.newlyExcepted.length, change.findings.exceptionsEnded.length],
        [0, 0, 0, 0],
      );
      assert.ok(change.findings.stillFailing.length > 5);
      const run = await runCli(['diff', join(work.path, 'two', NAME), join(work.path, 'three', NAME), '-f', 'json', '-d', join(work.path, 'out')], { env: { SOURCE_DATE_EPOCH: '1796285742' } });
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^No change between OLD and NEW\.$/m);
    } finally {
      await work.cleanup();
    }
  });

  it('notify and verify --reproduce read format 2 and format 3 alike', async () => {
    const three = await json(FORMAT_3);
    const two = asFormat2(three);
    assert.deepEqual(notifyReportFromJson(two, 'two.json'), notifyReportFromJson(three, 'three.json'));
    assert.ok(notifyReportFromJson(three, 'three.json').failures.length > 5);
    assert.deepEqual(comparableReport(await json(FORMAT_2), 'two.json'), comparableReport(three, 'three.json'));
  });

  it('refuses a format-3 report that does not fit, naming the field', async () => {
    const three = await json(FORMAT_3);
    const edited = (change: (resources: Record<string, unknown>[]) => void): Record<string, unknown> => {
      const copy = JSON.parse(JSON.stringify(three)) as Record<string, unknown>;
      change(copy['resources'] as Record<string, unknown>[]);
      return copy;
    };
    const results = (resources: Record<string, unknown>[], index: number): Record<string, unknown>[] => (resources[index] as { results: Record<string, unknown>[] }).results;
    assert.match(refusal(edited((resources) => Object.assign(results(resources, 12)[1] ?? {}, { status: 'passed' }))), /^r\.json: resources\[12\]\.results\[1\]\.status: unknown status "passed"/);
    assert.match(refusal(edited((resources) => delete results(resources, 3)[0]?.['rule'])), /^r\.json: resources\[3\]\.results\[0\]\.rule: expected text/);
    assert.match(refusal(edited((resources) => delete resources[2]?.['finding_key'])), /^r\.json: resources\[2\]\.finding_key: expected text/);
    assert.match(refusal(edited((resources) => Object.assign(resources[0] ?? {}, { results: {} }))), /^r\.json: resources\[0\]\.results: expected a list/);
    assert.match(refusal(edited((resources) => Object.assign(results(resources, 0)[0] ?? {}, { reason: 7 }))), /^r\.json: resources\[0\]\.results\[0\]\.reason: expected text/);
    const noResources = { ...three, resources: undefined };
    assert.match(refusal(noResources), /^r\.json: resources: expected a list/);
    const future = { ...three, metadata: { ...(three['metadata'] as Record<string, unknown>), result_format_version: 5 } };
    assert.match(refusal(future), /^r\.json: metadata\.result_format_version: report format 5 \(written by iam-audit [^)]+\) is not one of the formats 1, 2, 3, 4 /);
    // A format-3 document that says it is format 2 has no `results`: refused, never read as none.
    assert.match(refusal({ ...three, metadata: { ...(three['metadata'] as Record<string, unknown>), result_format_version: 2 } }), /^r\.json: results: expected a list/);
  });

  it('the streamed lines are the whole result\'s, however the results arrive in batches', () => {
    const snapshot = exampleSnapshot(Array.from({ length: 300 }, (_, index) => ({ name: `user-${index}`, keyAgeDays: index % 200 })));
    const run = { startedAt: '2027-01-15T08:00:00.000Z', endedAt: '2027-01-15T08:00:01.250Z', elapsedSeconds: 1.25 };
    const result = analyze({ snapshot, snapshotFile: { fileName: 's.json', sha256: 'x', migratedFrom: null }, tool: { name: 'iam-audit', version: '0' }, run, catalogue: { rules: exampleRules, frameworks: exampleFrameworks } });
    const all = result.catalogue?.results ?? [];
    assert.ok(all.length > 300);
    const whole = [...renderJsonChunks(result)].join('');
    const section = whole.slice(whole.indexOf('"resources": [') + '"resources": ['.length, whole.indexOf('\n    ]', whole.indexOf('"resources": [')));
    for (const size of [1, 2, 7, 1000, all.length]) {
      const lines = new ResourceLines();
      let text = '';
      for (let start = 0; start < all.length; start += size) text += lines.add(all.slice(start, start + size));
      text += lines.end();
      assert.equal(text, section, `batches of ${size}`);
    }
  });

  it('stops on a finding id that is not <rule>/<finding key> (a bug, it would be lost on reading)', () => {
    const result: RuleResult = EXAMPLE_RESULT;
    // Format 4 (the writer of this version): results keyed by rule id, the reason an index into the report's `reasons`.
    assert.deepEqual(resourceJson([result, { ...result, ruleId: 'rule-b', findingId: 'rule-b/0123456789abcdef', evidence: '', reason: 'why' }]), {
      arn: result.resourceArn,
      type: 'user',
      name: 'alice',
      finding_key: '0123456789abcdef',
      results: {
        'rule-a': { status: 'pass', evidence: 'fine' },
        'rule-b': { status: 'pass', reason: 0 },
      },
    });
    assert.throws(() => resourceJson([result, { ...result, ruleId: 'rule-b', findingId: 'rule-b/fedcba9876543210' }]), /internal consistency: the result of rule-b on arn:aws:iam::123456789012:user\/alice has the finding id "rule-b\/fedcba9876543210"/);
    assert.throws(() => resourceJson([{ ...result, findingId: '' }]), /internal consistency/);
  });

  it('writes the report a reader can edit and read back (format 2 written from format 3 reads the same)', async () => {
    const work = await temporaryFolder('iam-audit-format-2-');
    try {
      const path = join(work.path, 'two.json');
      await writeFile(path, JSON.stringify(asFormat2(await json(FORMAT_3))));
      assert.deepEqual(byFindingId(flatReportResults(await json(path))), byFindingId(flatReportResults(await json(FORMAT_2))));
    } finally {
      await work.cleanup();
    }
  });
});
