/**
 * Issue 26, "JSON + CSVs at most 3,000 bytes per user": result format 4. A resource's results keyed
 * by rule id, each distinct reason text once in `reasons` (results give its index), the original
 * `findings` one compact object per line; the resource lines written as text from the results'
 * fields. The same results as format 3 through the readers' one shared function; what does not fit
 * is refused naming the field.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { analyze } from '../src/analyze/analyze.js';
import { compareStates } from '../src/analyze/compare.js';
import type { RuleResult } from '../src/analyze/result.js';
import { loadArchive, type ArchiveAnalysis } from '../src/app/archive/archive-input.js';
import { ReportReader, reportResults } from '../src/app/shared/report-results.js';
import { comparableReport } from '../src/app/verify/reproduce.js';
import { ReasonTable, resourceEntries, resourceJson, resourceLine, ResourceLines } from '../src/render/json-resources.js';
import { buildJsonReport, renderJson, renderJsonChunks } from '../src/render/json.js';
import { allRules } from '../src/rules/index.js';
import { InputError } from '../src/util/errors.js';
import { FIXTURES, runCli, temporaryFolder } from './support/cli.js';
import { exampleFrameworks, exampleRules, exampleSnapshot } from './support/example-rule.js';
import { anyPastTime, randomAccount } from './support/random-accounts.js';
import { EXAMPLE_RESULT, flatReportResults } from './support/report-json.js';

type Json = Record<string, unknown>;

const NAME = 'iam_audit_2026-01-02T14-30-00.json';
const FORMAT_4 = join(FIXTURES, 'golden', 'demo', NAME);
const FORMAT_3 = join(FIXTURES, 'golden', 'format-3', NAME);
const SNAPSHOT = 'snapshot-111122223333-2026-11-02T08-15-42Z.json';
const RUN = { startedAt: '2027-01-15T08:00:00.000Z', endedAt: '2027-01-15T08:00:01.250Z', elapsedSeconds: 1.25 };

async function json(path: string): Promise<Json> {
  return JSON.parse(await readFile(path, 'utf8')) as Json;
}

function refusal(document: unknown): string {
  try {
    [...reportResults(document as Json, new ReportReader('r.json'))];
  } catch (error) {
    assert.ok(error instanceof InputError, String(error));
    return error.message;
  }
  return 'read without complaint';
}

/** A copy of the report with its first resource entry's results edited. */
function editedResults(report: Json, edit: (results: Record<string, Json>) => void, index = 0): Json {
  const copy = structuredClone(report);
  edit(((copy['resources'] as Json[])[index] as { results: Record<string, Json> }).results);
  return copy;
}

/** The value as JSON carries it (undefined keys left out, -0 as 0): what a reader of the written line gets. */
function asJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}

function exampleResult(users: number): ReturnType<typeof analyze> {
  const snapshot = exampleSnapshot(Array.from({ length: users }, (_, index) => ({ name: `user-${index}`, keyAgeDays: index % 200 })));
  return analyze({ snapshot, snapshotFile: { fileName: 's.json', sha256: 'x', migratedFrom: null }, tool: { name: 'iam-audit', version: '0' }, run: RUN, catalogue: { rules: exampleRules, frameworks: exampleFrameworks } });
}

const ALICE: RuleResult = EXAMPLE_RESULT;

describe('result format 4: results keyed by rule, reasons written once, findings one line each', () => {
  it('the demo: the format-3 and format-4 reports of one snapshot carry the same results, in order, and everything else alike', async () => {
    const [three, four] = [await json(FORMAT_3), await json(FORMAT_4)];
    assert.deepEqual([(three['metadata'] as Json)['result_format_version'], (four['metadata'] as Json)['result_format_version']], [3, 4]);
    const [oldResults, newResults] = [flatReportResults(three), flatReportResults(four)];
    assert.ok(newResults.length > 200, `${newResults.length} results`);
    assert.deepEqual(newResults, oldResults);
    // Every other top-level key is the same, in the same order; `reasons` follows `resources`.
    const keys = Object.keys(four);
    assert.deepEqual(keys.filter((key) => key !== 'reasons'), Object.keys(three));
    assert.equal(keys.indexOf('reasons'), keys.indexOf('resources') + 1);
    const others = (document: Json): [string, unknown][] =>
      Object.entries(document)
        .filter(([key]) => key !== 'resources' && key !== 'reasons')
        .map(([key, value]) => [key, key === 'metadata' ? { ...(value as Json), result_format_version: null } : value]);
    assert.deepEqual(others(four), others(three));
    // The parts that changed (findings to the end of resources, and reasons): at least a fifth smaller; the file as a whole smaller.
    const [threeText, fourText] = [await readFile(FORMAT_3, 'utf8'), await readFile(FORMAT_4, 'utf8')];
    const changedBytes = (text: string): number => text.indexOf('\n    "rules": [') - text.indexOf('\n    "findings": [');
    assert.ok(changedBytes(fourText) < changedBytes(threeText) * 0.8, `${changedBytes(fourText)} bytes against ${changedBytes(threeText)}`);
    assert.ok(fourText.length < threeText.length, `${fourText.length} bytes against ${threeText.length}`);
  });

  it('each reason text once: results give its index, and no text repeats', async () => {
    const four = await json(FORMAT_4);
    const reasons = four['reasons'] as string[];
    assert.ok(reasons.length >= 3 && reasons.includes('no console password'), JSON.stringify(reasons));
    assert.equal(new Set(reasons).size, reasons.length);
    const used = new Set<number>();
    for (const entry of four['resources'] as { results: Record<string, Json> }[]) {
      for (const item of Object.values(entry.results)) {
        if (item['reason'] === undefined) continue;
        assert.ok(Number.isInteger(item['reason']), JSON.stringify(item));
        used.add(item['reason'] as number);
      }
    }
    // Every text is used, in the order first used.
    assert.deepEqual([...used].sort((a, b) => a - b), reasons.map((_, index) => index));
    // No reason text in the resource lines: only in `reasons`, once.
    const text = await readFile(FORMAT_4, 'utf8');
    const resources = text.slice(text.indexOf('\n    "resources": ['), text.indexOf('\n    "reasons": ['));
    const table = text.slice(text.indexOf('\n    "reasons": ['), text.indexOf('\n    "rules": ['));
    assert.ok(resources.length > 10_000, `${resources.length}`);
    for (const reason of reasons) assert.deepEqual([resources.includes(JSON.stringify(reason)), table.split(JSON.stringify(reason)).length - 1], [false, 1], reason);
  });

  it('the original script\'s findings: one compact object per line, its keys, values and order (the original README\'s contract)', async () => {
    const text = await readFile(FORMAT_4, 'utf8');
    const lines = text.split('\n');
    const start = lines.indexOf('    "findings": [');
    const end = lines.indexOf('    ],', start);
    assert.ok(start > 0 && end > start + 5, `${start} ${end}`);
    const findings = lines.slice(start + 1, end).map((line) => {
      assert.match(line, /^ {8}\{"username":.*\},?$/);
      return JSON.parse(line.trim().replace(/,$/, '')) as Json;
    });
    for (const finding of findings) assert.deepEqual(Object.keys(finding), ['username', 'has_console_access', 'mfa_enabled', 'compliance_status', 'arn', 'detail']);
    assert.deepEqual(findings, (await json(FORMAT_3))['findings']);
    // The metadata head is indented as the original's json.dump(indent=4) wrote it.
    assert.deepEqual(lines.slice(0, 3), ['{', '    "metadata": {', `        "audit_start": ${JSON.stringify(((await json(FORMAT_4))['metadata'] as Json)['audit_start'])},`]);
  });

  it('diff between the format-3 and the format-4 archive of one snapshot: no change; notify and verify --reproduce read both alike', async () => {
    const work = await temporaryFolder('iam-audit-format-4-');
    try {
      for (const [folder, source] of [['three', FORMAT_3], ['four', FORMAT_4]] as const) {
        await mkdir(join(work.path, folder));
        await copyFile(source, join(work.path, folder, NAME));
        await copyFile(join(FIXTURES, 'golden', 'demo', SNAPSHOT), join(work.path, folder, SNAPSHOT));
      }
      const analysis = {} as ArchiveAnalysis; // report JSONs are read, never analysed
      const [older, newer] = [await loadArchive(join(work.path, 'three', NAME), analysis), await loadArchive(join(work.path, 'four', NAME), analysis)];
      assert.deepEqual(newer.findings, older.findings);
      const change = compareStates(older, newer);
      assert.deepEqual([change.findings.newlyFailing.length, change.findings.resolved.length, change.findings.newlyExcepted.length, change.findings.exceptionsEnded.length], [0, 0, 0, 0]);
      assert.ok(change.findings.stillFailing.length > 5);
      const run = await runCli(['diff', join(work.path, 'three', NAME), join(work.path, 'four', NAME), '-f', 'json', '-d', join(work.path, 'out')], { env: { SOURCE_DATE_EPOCH: '1796285742' } });
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^No change between OLD and NEW\.$/m);
      assert.deepEqual(comparableReport(await json(FORMAT_3), 'three.json'), comparableReport(await json(FORMAT_4), 'four.json'));
    } finally {
      await work.cleanup();
    }
  });

  it('refuses a format-4 report that does not fit, naming the field', async () => {
    const four = await json(FORMAT_4);
    const reasons = (four['reasons'] as string[]).length;
    const firstWithReason = (results: Record<string, Json>): Json => Object.values(results).find((item) => item['reason'] !== undefined) ?? {};
    const ruleWithReason = Object.entries(((four['resources'] as Json[])[0] as { results: Record<string, Json> }).results).find(([, item]) => item['reason'] !== undefined)?.[0] ?? '';
    const at = `resources\\[0\\]\\.results\\.${ruleWithReason}\\.reason`;
    for (const bad of [reasons, -1, 0.5, true, {}]) {
      assert.match(refusal(editedResults(four, (results) => (firstWithReason(results)['reason'] = bad))), new RegExp(`^r\\.json: ${at}: expected an index into reasons \\(0 to ${reasons - 1}\\) or a text, got `), JSON.stringify(bad));
    }
    assert.match(refusal({ ...four, reasons: [] }), new RegExp(`^r\\.json: ${at}: expected an index into reasons \\(which is empty\\)`));
    assert.match(refusal({ ...four, reasons: undefined }), /^r\.json: reasons: expected a list/);
    assert.match(refusal({ ...four, reasons: ['a', 7, 'c', 'd', 'e'] }), /^r\.json: reasons\[1\]: expected text/);
    // A format-3 list of results in a format-4 report, and the other way round: refused, never read as none.
    const asList = editedResults(four, () => undefined);
    ((asList['resources'] as Json[])[0] as Json)['results'] = [{ rule: 'console-users-mfa', status: 'pass' }];
    assert.match(refusal(asList), /^r\.json: resources\[0\]\.results: expected an object/);
    assert.match(refusal({ ...four, metadata: { ...(four['metadata'] as Json), result_format_version: 3 } }), /^r\.json: resources\[0\]\.results: expected a list/);
    assert.match(refusal(editedResults(four, (results) => (results['console-users-mfa'] = { status: 'passed' }))), /^r\.json: resources\[0\]\.results\.console-users-mfa\.status: unknown status "passed"/);
    assert.match(refusal(editedResults(four, (results) => (results['console-users-mfa'] = [] as unknown as Json))), /^r\.json: resources\[0\]\.results\.console-users-mfa: expected an object/);
    assert.match(refusal(editedResults(four, (results) => (results[''] = { status: 'pass' }))), /^r\.json: resources\[0\]\.results\.: expected a rule id as the key/);
    // A reason written as text (the writer's table was full) reads as that text.
    const inline = editedResults(four, (results) => (firstWithReason(results)['reason'] = 'a reason of its own'));
    assert.equal([...reportResults(inline, new ReportReader('r.json'))].filter((item) => item.reason === 'a reason of its own').length, 1);
  });

  it('stops on a second result of one rule on one resource (a key written twice: a reader would keep one)', () => {
    const twice = [ALICE, { ...ALICE, evidence: 'again' }];
    assert.throws(() => resourceJson(twice), /internal consistency: two results of rule-a on arn:aws:iam::123456789012:user\/alice \(user "alice"\): finding ids must be unique/);
    assert.throws(() => resourceLine(twice, null, new ReasonTable()), /internal consistency: two results of rule-a/);
    const lines = new ResourceLines();
    lines.add(twice);
    assert.throws(() => lines.end(), /internal consistency: two results of rule-a/);
  });

  it('a resource line is the JSON of resourceJson\'s object: demo-like random accounts, odd strings, exceptions, trackings, facts JSON cannot carry', () => {
    const time = anyPastTime;
    let compared = 0;
    for (const snapshot of fc.sample(randomAccount(time), { seed: 2627, numRuns: 25 })) {
      const result = analyze({ snapshot, snapshotFile: { fileName: 's.json', sha256: 'x', migratedFrom: null }, tool: { name: 'iam-audit', version: '0' }, run: RUN, catalogue: { rules: allRules } });
      const [forLines, forObjects] = [new ReasonTable(), new ReasonTable()];
      for (const entry of resourceEntries(result.catalogue?.results ?? [])) {
        assert.deepEqual(JSON.parse(resourceLine(entry, null, forLines)), asJson(resourceJson(entry, null, forObjects)));
        compared += entry.length;
      }
      assert.deepEqual(forLines.texts(), forObjects.texts());
    }
    assert.ok(compared > 1000, `${compared} results`);
    const odd = '"quoted" \\ back\u0000slash\n\u2028 \ud83d\ude00 lone \ud800 é';
    const tracking = { owner: odd, ownerSource: 'tag owner', dueDate: '2026-01-01', overdue: true, firstDetected: '2025-11-01T00:00:00Z', pastDueAtReport: false, response: { response: odd, owner: null, targetDate: '2026-02-01' } };
    const exception = { justification: odd, approvedBy: 'sec', expires: '2027-01-01', resourcePattern: '*', ticket: 'RISK-1' };
    const entries: RuleResult[][] = [
      [{ ...ALICE, resourceArn: `arn:aws:iam::123456789012:user/${odd}`, resourceName: odd, evidence: odd, reason: odd }],
      [{ ...ALICE, facts: { text: odd, count: 3, negative: -0, big: 1e21, small: 1.5e-7, flag: false, none: null, list: [odd, 'b'], skipped: undefined } as unknown as RuleResult['facts'], reason: 'r' }],
      [{ ...ALICE, facts: { age: Number.NaN }, evidence: 'NaN days' }, { ...ALICE, ruleId: 'rule-b', findingId: 'rule-b/0123456789abcdef', facts: { age: Number.POSITIVE_INFINITY }, evidence: '' }],
      [{ ...ALICE, status: 'excepted', exception, expiredException: exception, tracking }],
      [{ ...ALICE, status: 'fail', facts: {}, tracking: { ...tracking, owner: null, response: null } }],
    ];
    const defaults = { dueFrom: '2025-11-01T00:00:00Z', dueDays: { critical: 7, high: 30, medium: 90, low: 180, info: null }, asOf: '2025-12-01T00:00:00Z', reportTime: '2025-12-01T00:00:00Z' } as const;
    for (const settings of [null, defaults]) {
      const [forLines, forObjects] = [new ReasonTable(), new ReasonTable()];
      for (const entry of entries) {
        const line = resourceLine(entry, settings, forLines);
        assert.deepEqual(JSON.parse(line), asJson(resourceJson(entry, settings, forObjects)));
        assert.ok(!line.includes('\n'), line);
      }
    }
  });

  it('a full reason table: later texts are written in the result, and read back', () => {
    const table = new ReasonTable();
    for (let index = 0; index < ReasonTable.MAX_REASONS; index += 1) assert.equal(table.reference(`reason ${index}`), index);
    assert.equal(table.reference('reason 7'), 7);
    assert.equal(table.reference('one more'), 'one more');
    assert.equal(table.texts().length, ReasonTable.MAX_REASONS);
    const lines = new ResourceLines(null, table);
    const text = lines.add([{ ...ALICE, reason: 'one more' }, { ...ALICE, ruleId: 'rule-b', findingId: 'rule-b/0123456789abcdef', reason: 'reason 3' }]) + lines.end();
    assert.match(text, /"rule-a":\{"status":"pass","evidence":"fine","reason":"one more"\},"rule-b":\{"status":"pass","evidence":"fine","reason":3\}/);
  });

  it('the streamed lines and reasons are the whole result\'s, however the results arrive; the report object is the text\'s', () => {
    const result = exampleResult(300);
    const all = result.catalogue?.results ?? [];
    const whole = renderJson(result);
    assert.deepEqual(JSON.parse(whole), JSON.parse(JSON.stringify(buildJsonReport(result))));
    const parsed = JSON.parse(whole) as Json;
    const section = whole.slice(whole.indexOf('"resources": [') + '"resources": ['.length, whole.indexOf('\n    ]', whole.indexOf('"resources": [')));
    for (const size of [1, 7, all.length]) {
      const lines = new ResourceLines();
      let text = '';
      for (let start = 0; start < all.length; start += size) text += lines.add(all.slice(start, start + size));
      text += lines.end();
      assert.equal(text, section, `batches of ${size}`);
      assert.deepEqual(lines.reasons.texts(), parsed['reasons'], `batches of ${size}`);
    }
    assert.equal([...renderJsonChunks(result, 50)].join(''), whole);
  });
});
