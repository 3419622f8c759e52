/**
 * OCSF output (issue #12): every demo event validates against the vendored OCSF 1.3.0 Compliance
 * Finding subset (schema/ocsf/), one event per result and framework control, the cloud profile
 * declared and filled, and `ocsf-jsonl` holding the same events as JSON Lines. In-process.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { DEFAULT_PRESENTATION, runReport } from '../src/app/report/report.js';
import { FIXTURES, temporaryFolder } from './support/cli.js';
import { TextSink } from './support/report-run.js';

let work: { path: string; cleanup: () => Promise<void> };
let events: Record<string, unknown>[] = [];
let lines: string[] = [];
let resultCount = 0;
let findingIds = new Set<string>();
let expectedEvents = 0;
before(async () => {
  work = await temporaryFolder('iam-audit-ocsf-');
  const outDir = join(work.path, 'out');
  const outcome = await runReport({
    snapshotPath: join(FIXTURES, 'demo', 'snapshot.json'),
    outDir,
    formats: ['ocsf', 'ocsf-jsonl'],
    quiet: true,
    failOnFindings: false,
    overwrite: false,
    presentation: DEFAULT_PRESENTATION,
    environment: { SOURCE_DATE_EPOCH: '1767364200' },
    stdout: new TextSink(),
    stderr: new TextSink(),
  });
  const catalogue = outcome.result.catalogue;
  assert.ok(catalogue !== null);
  resultCount = catalogue.results.length;
  findingIds = new Set(catalogue.results.map((item) => item.findingId));
  const controlsByRule = new Map(catalogue.rules.map((rule) => [rule.id, Math.max(1, rule.controls.length)]));
  expectedEvents = catalogue.results.reduce((sum, item) => sum + (controlsByRule.get(item.ruleId) ?? 1), 0);
  const files = await readdir(outDir);
  events = JSON.parse(await readFile(join(outDir, files.find((name) => name.endsWith('.ocsf.json')) ?? 'missing'), 'utf8')) as Record<string, unknown>[];
  lines = (await readFile(join(outDir, files.find((name) => name.endsWith('.ocsf.jsonl')) ?? 'missing'), 'utf8')).split('\n');
});
after(async () => {
  await work.cleanup();
});

it('every demo event is a valid OCSF 1.3.0 Compliance Finding (vendored schema subset)', async () => {
  const schema = JSON.parse(await readFile(join(FIXTURES, '..', 'schema', 'ocsf', 'compliance_finding-1.3.0.schema.json'), 'utf8')) as object;
  const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
  assert.ok(events.length > 0);
  for (const event of events) assert.ok(validate(event), `${JSON.stringify(validate.errors)} in ${JSON.stringify(event).slice(0, 300)}`);
  // The schema can fail: a lost profile or a control-less event is refused.
  assert.equal(validate({ ...events[0], metadata: { ...(events[0]?.['metadata'] as object), profiles: [] } }), false);
  assert.equal(validate({ ...events[0], compliance: { standards: ['x'], requirements: [], status_id: 1 } }), false);
});

it('one event per result and framework control; compliance.control is the control id', () => {
  assert.equal(events.length, expectedEvents);
  assert.ok(events.length > resultCount, 'rules map to several controls');
  const mfa = events.filter((event) => (event['unmapped'] as { rule_id: string }).rule_id === 'console-users-mfa');
  const cis5 = mfa.filter((event) => (event['unmapped'] as { framework_id: string }).framework_id === 'cis-5.0');
  assert.ok(cis5.length > 0);
  for (const event of cis5) {
    const compliance = event['compliance'] as { control: string; standards: string[]; requirements: string[] };
    assert.match(compliance.control, /^\d+\.\d+$/, 'a CIS control id, not the rule id');
    assert.equal(compliance.standards.length, 1);
    assert.match(compliance.standards[0] ?? '', /CIS/);
    assert.deepEqual(compliance.requirements, [`cis-5.0 ${compliance.control}`]);
  }
  const uids = new Set(events.map((event) => (event['metadata'] as { uid: string }).uid));
  assert.equal(uids.size, events.length, 'metadata.uid unique per result and control');
  const findingUids = new Set(events.map((event) => (event['finding_info'] as { uid: string }).uid));
  assert.deepEqual([...findingUids].sort(), [...findingIds].sort(), 'finding_info.uid is the stable finding id of the result');
  for (const uid of findingUids) assert.match(uid, /^[a-z0-9-]+\/[0-9a-f]{16}$/);
});

it('fills the cloud profile, log name and status fields', () => {
  const event = events[0] ?? {};
  assert.deepEqual((event['metadata'] as { profiles: string[] }).profiles, ['cloud']);
  assert.equal((event['metadata'] as { log_name: string }).log_name, 'iam-audit compliance findings');
  assert.deepEqual(event['cloud'], { provider: 'AWS', account: { uid: '111122223333', type_id: 10, type: 'AWS Account' } });
  const failed = events.find((item) => item['status_code'] === 'fail');
  assert.ok(failed !== undefined);
  assert.equal((failed['compliance'] as { status_id: number }).status_id, 3);
  assert.ok(String(failed['status_detail']).length > 0);
});

it('ocsf-jsonl holds the same events, one per line', () => {
  assert.equal(lines.at(-1), '', 'ends with a newline');
  assert.deepEqual(lines.slice(0, -1).map((line) => JSON.parse(line) as unknown), events);
});

it('lean events: what is the same in every event of a rule is only what OCSF requires (issue 26)', () => {
  // Required by OCSF 1.3.0 (or by the cloud profile), or kept on purpose (render/ocsf.ts): finding_info.title, log_name, the account type's caption.
  const allowed = new Set([
    'activity_id', 'category_uid', 'class_uid', 'type_uid', 'time', 'severity_id',
    'metadata.version', 'metadata.profiles', 'metadata.log_name', 'metadata.product',
    'cloud', 'finding_info.title', 'unmapped.rule_id',
    // Varies, though not in the demo: 3 Suppressed for an excepted failure, else 1 New.
    'status_id', 'status',
  ]);
  const flat = (event: Record<string, unknown>): Map<string, string> => {
    const fields = new Map<string, string>();
    for (const [key, value] of Object.entries(event)) {
      if (value !== null && typeof value === 'object' && !Array.isArray(value) && key !== 'cloud') {
        for (const [inner, innerValue] of Object.entries(value as Record<string, unknown>)) fields.set(`${key}.${inner}`, JSON.stringify(innerValue));
      } else fields.set(key, JSON.stringify(value));
    }
    return fields;
  };
  const byRule = new Map<string, Map<string, string>[]>();
  for (const event of events) {
    const rule = (event['unmapped'] as { rule_id: string }).rule_id;
    byRule.set(rule, [...(byRule.get(rule) ?? []), flat(event)]);
  }
  let checked = 0;
  for (const [rule, list] of byRule) {
    // Only rules judging several resources, with different outcomes, can show what repeats per rule.
    const resources = new Set(list.map((fields) => fields.get('resources')));
    const outcomes = new Set(list.map((fields) => fields.get('status_detail')));
    if (resources.size < 3 || outcomes.size < 2) continue;
    checked += 1;
    const first = list[0] ?? new Map<string, string>();
    const constant = [...first.keys()].filter((key) => list.every((fields) => fields.get(key) === first.get(key)));
    assert.deepEqual(constant.filter((key) => !allowed.has(key)), [], `${rule}: the same in every event`);
  }
  assert.ok(checked >= 5, `${checked} rules checked`);
  for (const event of events) {
    for (const gone of ['message', 'remediation', 'class_name', 'severity']) assert.equal(event[gone], undefined, gone);
    assert.deepEqual(Object.keys(event['finding_info'] as object), ['uid', 'title']);
  }
});
