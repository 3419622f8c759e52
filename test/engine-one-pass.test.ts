/**
 * Issue 26: the engine walks the identities once and keeps no result. Each user's results reach
 * the sink as one batch (then the account's), and once the sink lets go of them nothing in the
 * engine holds them: on a generated 100,000-user account, results the sink saw are collected by the
 * garbage collector during the pass, and the heap never grows by more than a bound far below what
 * the results would take (850,000 results here).
 */
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, it } from 'node:test';
import { runCatalogue, runCataloguePass } from '../src/analyze/engine.js';
import type { RuleResult } from '../src/analyze/result.js';
import { allFrameworks } from '../src/frameworks/index.js';
import { importCredentialReport } from '../src/import/credential-report.js';
import { allRules } from '../src/rules/index.js';
import type { Snapshot } from '../src/snapshot/types.js';
import { BENCH_GENERATED_AT, generateCredentialReport } from '../bench/generate.js';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

function generated(users: number): Snapshot {
  return importCredentialReport(Buffer.from(generateCredentialReport(users)), { generatedAt: new Date(BENCH_GENERATED_AT), fileName: 'bench.csv', displayPath: 'bench.csv' }).snapshot;
}

function ownerArn(arn: string): string {
  const hash = arn.indexOf('#');
  return hash < 0 ? arn : arn.slice(0, hash);
}

describe('the one-pass engine', () => {
  it('hands each user its own batch, in the snapshot order, then one batch for the account', () => {
    const snapshot = generated(300);
    const batches: (readonly RuleResult[])[] = [];
    runCataloguePass({ snapshot, now: Date.parse(snapshot.capturedAt), rules: allRules, frameworks: allFrameworks }, (batch) => batches.push([...batch]));
    assert.equal(batches.length, snapshot.users.length + 1);
    snapshot.users.forEach((user, index) => {
      const batch = batches[index] ?? [];
      assert.ok(batch.length > 0, `user ${user.name} has results`);
      for (const result of batch) assert.equal(ownerArn(result.resourceArn), user.arn, `${result.findingId} belongs to ${user.name}`);
    });
    const account = batches.at(-1) ?? [];
    assert.ok(account.every((result) => !snapshot.users.some((user) => user.arn === ownerArn(result.resourceArn))));
  });

  it('gives the same results and counts as the collected catalogue', () => {
    const snapshot = generated(500);
    const input = { snapshot, now: Date.parse(snapshot.capturedAt) + 30 * 86_400_000, rules: allRules, frameworks: allFrameworks };
    const streamed: RuleResult[] = [];
    const summary = runCataloguePass(input, (batch) => streamed.push(...batch));
    const collected = runCatalogue(input);
    const key = (result: RuleResult): string => `${result.findingId} ${result.status} ${result.evidence} ${result.reason ?? ''}`;
    assert.deepEqual(streamed.map(key).sort(), collected.results.map(key).sort());
    assert.deepEqual(summary.rules, collected.rules);
    assert.deepEqual(summary.frameworks, collected.frameworks);
  });

  it('never holds more than one identity’s results plus aggregates: 100,000 users', async () => {
    const snapshot = generated(100_000);
    collectGarbage();
    const baseline = process.memoryUsage().heapUsed;
    let peakGrowth = 0;
    let results = 0;
    let users = 0;
    const watched: WeakRef<RuleResult>[] = [];
    runCataloguePass({ snapshot, now: Date.parse(snapshot.capturedAt), rules: allRules, frameworks: allFrameworks }, (batch) => {
      results += batch.length;
      users += 1;
      if (users % 1_000 === 1 && batch[0] !== undefined) watched.push(new WeakRef(batch[0]));
      if (users % 20_000 === 0) {
        collectGarbage();
        peakGrowth = Math.max(peakGrowth, process.memoryUsage().heapUsed - baseline);
      }
    });
    // A WeakRef keeps its target until the job that made it ends: look after the pass's job.
    await new Promise((resolve) => setImmediate(resolve));
    collectGarbage();
    const alive = watched.filter((reference) => reference.deref() !== undefined).length;
    assert.ok(results > 600_000, `${results} results`);
    assert.equal(alive, 0, `${alive} of ${watched.length} watched results are still held after the pass`);
    // The results with their evidence take well over 150 MB; the pass keeps counts, a set of the
    // user ARNs (for the finding-id check) and the rules' small tallies.
    console.log(`# heap growth during the pass: ${(peakGrowth / 1024 / 1024).toFixed(1)} MB, ${results} results`);
    assert.ok(peakGrowth < 24 * 1024 * 1024, `the heap grew by ${(peakGrowth / 1024 / 1024).toFixed(1)} MB during the pass`);
  });
});
