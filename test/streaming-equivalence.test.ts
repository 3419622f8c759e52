/**
 * Issue 26, "done when": verdicts, finding ids and evidence facts are identical before and after
 * the one-pass engine. fixtures/streaming-equivalence/baseline.json was recorded with the engine
 * as it was before the rule contract changed (one `evaluate` over the whole snapshot per rule):
 * for each input, the number of results, their count per status, and a SHA-256 over the sorted
 * lines `finding id | rule | resource type | ARN | name | status | evidence | reason | exception`.
 * The evidence is compared as the text the writers print: its facts may be carried in another
 * form, but what a reader sees (and the facts in it) must not change. Refresh only on purpose:
 * `UPDATE_STREAMING_BASELINE=1`, and say why in the commit. Refreshed once (issue 26, shorter
 * evidence): the old engine's lines with the sentences reworded as the rules now word them gave
 * the new digests exactly (docs/decisions.md, "Issue 26, evidence without what belongs to the rule").
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { it } from 'node:test';
import { runCatalogue, type ExceptionList } from '../src/analyze/engine.js';
import type { RuleResult } from '../src/analyze/result.js';
import { parseExceptions } from '../src/config/exceptions.js';
import { allFrameworks } from '../src/frameworks/index.js';
import { importCredentialReport } from '../src/import/credential-report.js';
import { allRules } from '../src/rules/index.js';
import { parseSnapshot } from '../src/snapshot/io.js';
import type { Snapshot } from '../src/snapshot/types.js';
import { BENCH_GENERATED_AT, generateCredentialReport } from '../bench/generate.js';
import fc from 'fast-check';
import { daysAgo, type TimeSpec } from '../src/rules/testing.js';
import { FIXTURES } from './support/cli.js';
import { randomAccount } from './support/random-accounts.js';

const BASELINE = join(FIXTURES, 'streaming-equivalence', 'baseline.json');
const update = process.env['UPDATE_STREAMING_BASELINE'] === '1';

interface Digest {
  readonly results: number;
  readonly statuses: Readonly<Record<string, number>>;
  readonly sha256: string;
}

function line(result: RuleResult): string {
  const exception = result.exception === null ? '' : `${result.exception.resourcePattern}/${result.exception.expires}`;
  const expired = result.expiredException === null ? '' : `${result.expiredException.resourcePattern}/${result.expiredException.expires}`;
  return [result.findingId, result.ruleId, result.resourceType, result.resourceArn, result.resourceName, result.status, result.evidence, result.reason ?? '', exception, expired].join(' | ');
}

function digest(results: Iterable<RuleResult>): Digest {
  const lines: string[] = [];
  const statuses: Record<string, number> = {};
  for (const result of results) {
    lines.push(line(result));
    statuses[result.status] = (statuses[result.status] ?? 0) + 1;
  }
  // Ordinal sort: the engine's order may change (identity by identity), the set may not.
  lines.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const hash = createHash('sha256');
  for (const text of lines) hash.update(`${text}\n`);
  return { results: lines.length, statuses, sha256: hash.digest('hex') };
}

function analyse(snapshot: Snapshot, asOf?: string, exceptions?: ExceptionList): Digest {
  const catalogue = runCatalogue({
    snapshot,
    now: Date.parse(asOf ?? snapshot.capturedAt),
    rules: allRules,
    frameworks: allFrameworks,
    ...(exceptions === undefined ? {} : { exceptions }),
  });
  return digest(catalogue.results);
}

async function snapshotFile(path: string): Promise<Snapshot> {
  return parseSnapshot(await readFile(path), path).snapshot;
}

function generated(users: number): Snapshot {
  return importCredentialReport(Buffer.from(generateCredentialReport(users)), { generatedAt: new Date(BENCH_GENERATED_AT), fileName: 'bench.csv', displayPath: 'bench.csv' }).snapshot;
}

function runAll(snapshot: Snapshot): readonly RuleResult[] {
  return runCatalogue({ snapshot, now: Date.parse(snapshot.capturedAt), rules: allRules, frameworks: allFrameworks }).results;
}

/** Every kind of fact the rules read (policies, devices, certificates, live keys), dates anywhere, reproducibly. */
function randomAccounts(): Snapshot[] {
  const time: fc.Arbitrary<TimeSpec> = fc.oneof(
    fc.integer({ min: 0, max: 900 }).map((days) => daysAgo(days)),
    fc.constantFrom<TimeSpec>('N/A', 'no_information', 'not_supported', 'not_collected', 'collection_failed'),
  );
  return fc.sample(randomAccount(time), { seed: 26, numRuns: 300 });
}

/** Each case of each rule's own table, with its options and as-of time. */
function ruleTableCases(): RuleResult[] {
  const results: RuleResult[] = [];
  for (const rule of allRules) {
    for (const testCase of rule.tests) {
      const snapshot = testCase.snapshot();
      const catalogue = runCatalogue({
        snapshot,
        now: Date.parse(testCase.asOf ?? snapshot.capturedAt),
        rules: [rule],
        frameworks: [],
        configuration: { file: null, frameworks: null, rules: { [rule.id]: { options: testCase.options ?? {} } } },
      });
      for (const result of catalogue.results) results.push({ ...result, findingId: `${testCase.name}/${result.findingId}` });
    }
  }
  return results;
}

async function current(): Promise<Record<string, Digest>> {
  const demo = await snapshotFile(join(FIXTURES, 'demo', 'snapshot.json'));
  const exceptionsPath = join(FIXTURES, 'demo', 'remediation', 'exceptions.yaml');
  const exceptions = parseExceptions(await readFile(exceptionsPath, 'utf8'), exceptionsPath, { name: 'exceptions.yaml', sha256: '' }, allRules);
  const golden = await snapshotFile(join(FIXTURES, 'golden', 'demo', 'snapshot-111122223333-2026-11-02T08-15-42Z.json'));
  const v1 = await snapshotFile(join(FIXTURES, 'snapshots', 'v1', 'demo-credential-report.json'));
  const large = generated(10_000);
  return {
    demo: analyse(demo),
    'demo with exceptions': analyse(demo, undefined, exceptions),
    'demo as of 400 days later': analyse(demo, new Date(Date.parse(demo.capturedAt) + 400 * 86_400_000).toISOString()),
    'golden demo snapshot': analyse(golden),
    'v1 snapshot (migrated)': analyse(v1),
    'generated, 10,000 users': analyse(large),
    'random accounts (seed 26, 300 accounts)': digest(randomAccounts().flatMap((snapshot) => runAll(snapshot))),
    'every rule test table case': digest(ruleTableCases()),
    'generated, 10,000 users, as of 120 days later': analyse(large, new Date(Date.parse(large.capturedAt) + 120 * 86_400_000).toISOString()),
  };
}

it('verdicts, finding ids and evidence are those recorded before the one-pass engine', async () => {
  const digests = await current();
  if (update) await writeFile(BASELINE, `${JSON.stringify(digests, null, 2)}\n`);
  const baseline = JSON.parse(await readFile(BASELINE, 'utf8')) as Record<string, Digest>;
  assert.deepEqual(Object.keys(digests), Object.keys(baseline));
  for (const [name, expected] of Object.entries(baseline)) {
    const actual = digests[name];
    assert.ok(actual !== undefined, name);
    assert.deepEqual(actual.statuses, expected.statuses, `${name}: results per status`);
    assert.equal(actual.results, expected.results, `${name}: number of results`);
    assert.equal(actual.sha256, expected.sha256, `${name}: finding ids, verdicts or evidence changed`);
  }
});
