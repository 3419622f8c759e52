/**
 * Issue 26, bytes per user: the JSON report (formats 3 and 4) carries each result's facts, not its
 * sentence, and the tracking without its defaults. Every reader rebuilds the sentence with the
 * rule's `describe`, the report's options and its evaluation instant (app/shared/report-results.ts):
 * the evidence read back equals the evidence the same run printed in its CSV, for every result; a
 * report whose facts this version cannot read is refused naming the field, never read as "".
 */
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { BENCH_GENERATED_AT, generateCredentialReport } from '../bench/generate.js';
import { analyze } from '../src/analyze/analyze.js';
import type { FindingTracking, RuleResult } from '../src/analyze/result.js';
import { ReportReader, reportResults } from '../src/app/shared/report-results.js';
import { resourceJson, type TrackingDefaults } from '../src/render/json-resources.js';
import { renderJson } from '../src/render/json.js';
import { allRules } from '../src/rules/index.js';
import { InputError } from '../src/util/errors.js';
import { FIXTURES, runCli, temporaryFolder } from './support/cli.js';
import { anyPastTime, randomAccount } from './support/random-accounts.js';
import { EXAMPLE_RESULT } from './support/report-json.js';

type Json = Record<string, unknown>;
interface Entry {
  arn: string;
  /** Format 4: keyed by rule id. */
  results: Record<string, Json>;
}

const GOLDEN = join(FIXTURES, 'golden', 'demo');
const DEFAULTS: TrackingDefaults = { dueFrom: '2025-12-01T00:00:00Z', dueDays: { critical: 7, high: 30, medium: 90, low: 180, info: null }, asOf: '2025-12-01T00:00:00Z', reportTime: '2026-05-01T00:00:00Z' };
const REPORT = join(GOLDEN, 'iam_audit_2026-01-02T14-30-00.json');
const FINDINGS_CSV = join(GOLDEN, 'iam_audit_findings_2026-01-02T14-30-00.csv');

async function json(path: string): Promise<Json> {
  return JSON.parse(await readFile(path, 'utf8')) as Json;
}

/** finding id -> evidence and reason, as the findings CSV printed them. */
async function csvEvidence(path: string): Promise<Map<string, string>> {
  const rows = parse(await readFile(path, 'utf8'), { columns: true }) as Record<string, string>[];
  return new Map(rows.map((row) => [row['finding_id'] ?? '', `${row['evidence'] ?? ''} | ${row['reason'] ?? ''}`]));
}

function jsonEvidence(report: Json, path = 'r.json'): Map<string, string> {
  return new Map([...reportResults(report, new ReportReader(path))].map((item) => [item.findingId, `${item.evidence} | ${item.reason ?? ''}`]));
}

function entries(report: Json): Entry[] {
  return report['resources'] as Entry[];
}

/** How many results carry facts, and that none carries both facts and a sentence. */
function factsCount(report: Json): number {
  let count = 0;
  for (const entry of entries(report)) {
    for (const item of Object.values(entry.results)) {
      assert.ok(!('facts' in item && 'evidence' in item), JSON.stringify(item));
      if ('facts' in item) count += 1;
    }
  }
  return count;
}

function refusal(report: Json): string {
  try {
    [...reportResults(report, new ReportReader('r.json'))];
  } catch (error) {
    assert.ok(error instanceof InputError, String(error));
    return error.message;
  }
  return 'read without complaint';
}

/** The rule id of the first result with facts of the first resource entry. */
function firstWithFacts(report: Json): string {
  const found = Object.entries(entries(report)[0]?.results ?? {}).find(([, item]) => 'facts' in item)?.[0];
  assert.ok(found !== undefined);
  return found;
}

/** The golden report with one result (the first with facts of the first resource entry) edited, and put under the rule `ruleId` if given. */
function edited(report: Json, edit: (result: Json) => void, ruleId?: string): Json {
  const copy = structuredClone(report);
  const entry = entries(copy)[0] as Entry;
  const rule = firstWithFacts(copy);
  const result = entry.results[rule] as Json;
  edit(result);
  // Under another rule id: in the edited result's place (a result of that rule already there is dropped, as a key is unique).
  if (ruleId !== undefined) entry.results = Object.fromEntries(Object.entries(entry.results).filter(([key]) => key !== ruleId).map(([key, item]) => [key === rule ? ruleId : key, item]));
  return copy;
}

async function auditEvidence(csv: string, extra: readonly string[]): Promise<{ report: Json; fromCsv: Map<string, string> }> {
  const work = await temporaryFolder('iam-audit-facts-');
  try {
    await writeFile(join(work.path, 'report.csv'), csv);
    const run = await runCli(['audit', 'report.csv', '-d', 'out', '--format', 'csv,json', '--quiet', '--generated-at', BENCH_GENERATED_AT, ...extra], { cwd: work.path });
    assert.equal(run.code, 0, run.stderr);
    const names = await readdir(join(work.path, 'out'));
    const reportName = names.find((name) => /^iam_audit_[0-9T-]+\.json$/.test(name));
    const findingsName = names.find((name) => name.startsWith('iam_audit_findings_'));
    assert.ok(reportName !== undefined && findingsName !== undefined, names.join(', '));
    return { report: await json(join(work.path, 'out', reportName)), fromCsv: await csvEvidence(join(work.path, 'out', findingsName)) };
  } finally {
    await work.cleanup();
  }
}

describe('the JSON report carries the rules\' facts, readers rebuild the sentences', () => {
  it('the demo: every result\'s evidence rebuilt from the JSON is the findings CSV\'s', async () => {
    const report = await json(REPORT);
    const fromCsv = await csvEvidence(FINDINGS_CSV);
    assert.ok(factsCount(report) > 100, `${factsCount(report)} results with facts`);
    assert.equal(fromCsv.size, jsonEvidence(report).size);
    assert.deepEqual(jsonEvidence(report), fromCsv);
    // A sentence the demo prints, rebuilt from {"key":"access_key_1","createdAt":...} and the rule's limit of 90 days.
    assert.ok([...fromCsv.values()].some((text) => text.startsWith('active key access_key_1 created 2025-02-03T10:00:00Z, 636 days 22:15:42 before evaluation')));
  });

  it('a generated 1,000-user report, at the capture and projected two months later: the JSON\'s evidence is the CSV\'s', async () => {
    const csv = generateCredentialReport(1000);
    for (const extra of [[], ['--as-of', '2026-08-01T06:30:15Z']]) {
      const { report, fromCsv } = await auditEvidence(csv, extra);
      assert.ok(factsCount(report) > 4000, `${factsCount(report)} results with facts`);
      assert.ok(fromCsv.size > 8000, `${fromCsv.size} results`);
      assert.deepEqual(jsonEvidence(report), fromCsv, extra.join(' '));
    }
  });

  it('random accounts (policies, devices, certificates, keys, dates anywhere): the sentences survive the JSON, at capture and projected', () => {
    const time = anyPastTime;
    let compared = 0;
    for (const snapshot of fc.sample(randomAccount(time), { seed: 2626, numRuns: 60 })) {
      for (const asOf of [undefined, new Date(Date.parse(snapshot.capturedAt) + 61.3 * 86_400_000).toISOString()]) {
        const run = { startedAt: '2027-01-15T08:00:00.000Z', endedAt: '2027-01-15T08:00:01.000Z', elapsedSeconds: 1 };
        const result = analyze({ snapshot, snapshotFile: { fileName: 's.json', sha256: 'x', migratedFrom: null }, tool: { name: 'iam-audit', version: '0' }, run, catalogue: { rules: allRules }, ...(asOf === undefined ? {} : { asOf }) });
        const results = result.catalogue?.results ?? [];
        const expected = new Map(results.map((item) => [item.findingId, `${item.evidence} | ${item.reason ?? ''}`]));
        assert.deepEqual(jsonEvidence(JSON.parse(renderJson(result)) as Json), expected);
        compared += results.length;
      }
    }
    assert.ok(compared > 2000, `${compared} results compared`);
  });

  it('the tracking leaves out its defaults and reads back whole', async () => {
    const report = await json(REPORT);
    const failures = entries(report).flatMap((entry) => Object.values(entry.results).filter((item) => item['status'] === 'fail'));
    assert.ok(failures.length > 20);
    // The demo has no owners, responses or earlier detections, nothing is overdue yet, every due date is its severity's: nothing to say.
    for (const item of failures) assert.ok(!('tracking' in item), JSON.stringify(item));
    const read = [...reportResults(report, new ReportReader('r.json'))].filter((item) => item.status === 'fail');
    // A high failure is due 30 days after the capture, a medium one 90, a low one 180 (the default due days).
    const dueDates = new Set(read.map((item) => `${item.ruleId} ${String(item.tracking?.['due_date'])}`));
    for (const expected of ['console-users-mfa 2026-12-02', 'access-key-rotation 2027-01-31', 'console-users-with-access-keys 2027-05-01']) assert.ok(dueDates.has(expected), [...dueDates].join(', '));
    assert.deepEqual(read[0]?.tracking, { owner: null, owner_source: null, due_date: read[0]?.tracking?.['due_date'], overdue: false, first_detected: '2026-11-02T08:15:42Z', past_due_at_report: false, response: null });
    // Without a remediation section, a result without tracking has none.
    const { remediation: _remediation, ...untracked } = report;
    assert.ok([...reportResults(untracked, new ReportReader('r.json'))].every((item) => item.tracking === null));
    // A report that leaves a due date out must say how due dates are counted.
    const remediation = report['remediation'] as Json;
    assert.match(refusal({ ...report, remediation: { ...remediation, due_days: undefined } }), /^r\.json: remediation\.due_days: expected the days to a due date per severity: resources\[\d+\]\.results\.[a-z-]+\.tracking leaves its due date out/);
    const result: RuleResult = {
      ...EXAMPLE_RESULT,
      status: 'fail',
      facts: { age: Number.NaN, key: 'access_key_1' },
      evidence: 'key access_key_1 is NaN days old',
      tracking: { owner: 'a@example.com', ownerSource: 'tag owner', dueDate: '2026-01-01', overdue: true, firstDetected: '2025-11-01T00:00:00Z', pastDueAtReport: true, response: null },
    };
    // A fact JSON cannot carry (NaN) keeps the sentence; what is not a default is written.
    const only = (entry: Json): Json | undefined => Object.values(entry['results'] as Record<string, Json>)[0];
    assert.deepEqual(only(resourceJson([{ ...result, tracking: { ...result.tracking, overdue: false } as FindingTracking }], DEFAULTS))?.['tracking'], { owner: 'a@example.com', owner_source: 'tag owner', due_date: '2026-01-01', first_detected: '2025-11-01T00:00:00Z' });
    assert.deepEqual(resourceJson([result], DEFAULTS).results, {
      'rule-a': {
        status: 'fail',
        evidence: 'key access_key_1 is NaN days old',
        // Overdue although the evaluation time (2025-12-01) is before the due day: said; past due at the report's date (2026-05-01), as its due day gives: left out.
        tracking: { owner: 'a@example.com', owner_source: 'tag owner', due_date: '2026-01-01', overdue: true, first_detected: '2025-11-01T00:00:00Z' },
      },
    });
    const plain: FindingTracking = { owner: null, ownerSource: null, dueDate: '2026-05-30', overdue: false, firstDetected: '2025-12-01T00:00:00Z', pastDueAtReport: false, response: null };
    assert.deepEqual(resourceJson([{ ...result, facts: { key: 'access_key_1' }, tracking: plain }], DEFAULTS).results, { 'rule-a': { status: 'fail', facts: { key: 'access_key_1' } } });
    // An accepted risk has no due date; a failure without one (a severity without days, here not) says so.
    assert.deepEqual(only(resourceJson([{ ...result, status: 'excepted', tracking: { ...plain, dueDate: null } }], DEFAULTS))?.['tracking'], undefined);
    assert.deepEqual(only(resourceJson([{ ...result, tracking: { ...plain, dueDate: null } }], DEFAULTS))?.['tracking'], { due_date: null });
    // Without the report's remediation settings the tracking is written whole but for what is null or false.
    assert.deepEqual(only(resourceJson([{ ...result, tracking: plain }]))?.['tracking'], { due_date: '2026-05-30', first_detected: '2025-12-01T00:00:00Z' });
  });

  it('the remediation demo (owners, responses, exceptions, own due days) projected past its due dates: the tracking read back is the findings CSV\'s', async () => {
    const work = await temporaryFolder('iam-audit-facts-tracking-');
    try {
      const demo = join(FIXTURES, 'demo');
      const remediation = join(demo, 'remediation');
      const run = await runCli(
        ['audit', join(demo, 'credential-report.csv'), '--generated-at', '2026-11-02T08:15:42Z', '-d', 'out', '--format', 'csv,json', '--quiet', '--as-of', '2027-03-01T00:00:00Z',
          '--config', join(remediation, 'config.yaml'), '--owners', join(remediation, 'owners.yaml'), '--responses', join(remediation, 'responses.yaml'), '--exceptions', join(remediation, 'exceptions.yaml')],
        { cwd: work.path },
      );
      assert.equal(run.code, 0, run.stderr);
      const names = await readdir(join(work.path, 'out'));
      const report = await json(join(work.path, 'out', names.find((name) => /^iam_audit_[0-9T-]+\.json$/.test(name)) ?? ''));
      const rows = parse(await readFile(join(work.path, 'out', names.find((name) => name.startsWith('iam_audit_findings_')) ?? ''), 'utf8'), { columns: true }) as Record<string, string>[];
      const fromCsv = new Map(rows.filter((row) => row['status'] === 'fail' || row['status'] === 'excepted').map((row) => [row['finding_id'], [row['owner'], row['owner_source'], row['due_date'], row['overdue'], row['management_response']].join('|')]));
      const fromJson = new Map(
        [...reportResults(report, new ReportReader('r.json'))]
          .filter((item) => item.tracking !== null)
          .map((item) => {
            const tracking = item.tracking ?? {};
            const response = tracking['response'] as Json | null;
            const text = (value: unknown): string => (typeof value === 'string' ? value : '');
            return [item.findingId, [text(tracking['owner']), text(tracking['owner_source']), text(tracking['due_date']), tracking['due_date'] === null ? '' : tracking['overdue'] === true ? 'yes' : 'no', text(response?.['response'])].join('|')];
          }),
      );
      assert.ok(fromCsv.size > 30 && [...fromCsv.values()].some((line) => line.includes('|yes|')), [...fromCsv.values()].join('\n'));
      assert.deepEqual(fromJson, fromCsv);
    } finally {
      await work.cleanup();
    }
  });

  it('refuses facts this version cannot read, naming the field, never an empty sentence', async () => {
    const report = await json(REPORT);
    const at = (rule: string): string => `resources\\[0\\]\\.results\\.${rule}`;
    const first = at(firstWithFacts(report));
    assert.match(refusal(edited(report, () => undefined, 'no-such-rule')), new RegExp(`^r\\.json: ${at('no-such-rule')}\\.facts: the rule "no-such-rule" is not one this iam-audit .* knows`));
    assert.match(refusal(edited(report, (item) => (item['facts'] = {}))), new RegExp(`^r\\.json: ${first}\\.facts: the rule [a-z-]+ cannot read these facts as evidence`));
    assert.match(refusal(edited(report, (item) => (item['facts'] = { shared: 'no-such-sentence' }))), new RegExp(`^r\\.json: ${first}\\.facts: the rule [a-z-]+ cannot read these facts`));
    assert.match(refusal(edited(report, (item) => (item['facts'] = { key: { nested: true } }))), new RegExp(`^r\\.json: ${first}\\.facts\\.key: expected text, a number`));
    assert.match(refusal(edited(report, (item) => (item['facts'] = 'a sentence'))), new RegExp(`^r\\.json: ${first}\\.facts: expected an object`));
    assert.match(refusal(edited(report, (item) => (item['evidence'] = 'both'))), new RegExp(`^r\\.json: ${first}\\.evidence: a result carries facts or an evidence sentence, not both`));
    assert.match(refusal({ ...report, rules: [] }), /^r\.json: rules: no entry for the rule "[a-z-]+"/);
    // A name in the facts may say "undefined" (a valid IAM name): only a sentence with more of it than its facts is refused.
    const named = edited(report, (item) => (item['facts'] = { attached: ['undefined-access'], inline: [] }), 'user-direct-policies');
    assert.ok([...reportResults(named, new ReportReader('r.json'))].some((item) => item.evidence === 'policies on the user itself (attached: undefined-access)'));
    assert.match(refusal(edited(report, (item) => (item['facts'] = { attached: ['undefined-access', 'x'], inline: 'no' }), 'user-direct-policies')), new RegExp(`^r\\.json: ${at('user-direct-policies')}\\.facts: the rule user-direct-policies cannot read these facts as evidence \\(.*join`));
    assert.match(refusal({ ...report, metadata: { ...(report['metadata'] as Json), evaluated_as_of: 'yesterday' } }), /^r\.json: metadata\.evaluated_as_of: "yesterday" is not a time/);

    // A reader of the report (diff) stops with one line and exit 2.
    const work = await temporaryFolder('iam-audit-facts-diff-');
    try {
      await writeFile(join(work.path, 'bad.json'), JSON.stringify(edited(report, () => undefined, 'no-such-rule')));
      const run = await runCli(['diff', REPORT, 'bad.json'], { cwd: work.path });
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, new RegExp(`bad\\.json: ${at('no-such-rule')}\\.facts: the rule "no-such-rule" is not one`));
      assert.equal(run.stdout, '');
    } finally {
      await work.cleanup();
    }
  });
});
