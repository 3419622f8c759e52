/**
 * Issue 26: a streamed analysis holds neither its results nor the per-user rows only the printable
 * report reads (inventory, identities); the rows every streamed output needs (the MFA findings) it
 * keeps. The printable report refuses such a result instead of printing an empty account.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze, analyzeStreamed, type AnalysisInput } from '../src/analyze/analyze.js';
import type { RuleResult } from '../src/analyze/result.js';
import { importCredentialReport } from '../src/import/credential-report.js';
import { buildReportModel, NO_BRANDING } from '../src/render/report-model.js';
import { InternalConsistencyError } from '../src/util/errors.js';
import { BENCH_GENERATED_AT, generateCredentialReport } from '../bench/generate.js';

function input(users: number): AnalysisInput {
  const snapshot = importCredentialReport(Buffer.from(generateCredentialReport(users)), { generatedAt: new Date(BENCH_GENERATED_AT), fileName: 'bench.csv', displayPath: 'bench.csv' }).snapshot;
  return {
    snapshot,
    snapshotFile: { fileName: 'bench.json', sha256: '0'.repeat(64), migratedFrom: null },
    tool: { name: 'iam-audit', version: '0.0.0-test' },
    run: { startedAt: BENCH_GENERATED_AT, endedAt: BENCH_GENERATED_AT, elapsedSeconds: 0 },
  };
}

describe('a streamed analysis', () => {
  it('keeps the MFA findings and counts but builds no inventory or identity rows', () => {
    const given = input(40);
    const seen: RuleResult[] = [];
    let headRows: { inventory: number; identities: number; mfa: number } | null = null;
    const streamed = analyzeStreamed(given, {
      start: (head) => (headRows = { inventory: head.inventory.length, identities: head.identities.length, mfa: head.mfa.findings.length }),
      sink: (batch) => seen.push(...batch),
    });
    const collected = analyze(given);
    assert.deepEqual(headRows, { inventory: 0, identities: 0, mfa: 40 });
    assert.equal(streamed.inventory.length, 0);
    assert.equal(streamed.identities.length, 0);
    assert.equal(collected.inventory.length, 40);
    assert.equal(collected.identities.length, 41);
    assert.deepEqual(streamed.mfa, collected.mfa);
    assert.equal(seen.length, collected.catalogue?.results.length);
    assert.deepEqual(streamed.catalogue?.rules, collected.catalogue?.rules);
  });

  it('is refused by the printable report', () => {
    const streamed = analyzeStreamed(input(3), { sink: () => undefined });
    assert.throws(() => buildReportModel(streamed, NO_BRANDING, 'html'), InternalConsistencyError);
  });
});
