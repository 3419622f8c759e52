/**
 * Issue 26: `trend` makes a snapshot's point from the one-pass engine, counting the results as they
 * pass (analyze/trend.ts snapshotTrendPoint), instead of the whole analysis and its archive state.
 * Both ways must give the same point, value for value: on the demo series with and without
 * exceptions (excepted and expired-exception results), under a configuration that changes the
 * rotation limit or turns the rule off, and on a generated account.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { analyze } from '../src/analyze/analyze.js';
import { stateFromAnalysis } from '../src/analyze/archive-state.js';
import type { CatalogueConfiguration, ExceptionList } from '../src/analyze/engine.js';
import { classifyMfa, mfaStatus } from '../src/analyze/mfa.js';
import { rollUpPoints, snapshotTrendPoint, trendPoint, type TrendPoint } from '../src/analyze/trend.js';
import { renderTrendCsv, renderTrendJson } from '../src/render/trend-report.js';
import { parseConfiguration } from '../src/config/configuration.js';
import { parseExceptions } from '../src/config/exceptions.js';
import { allFrameworks } from '../src/frameworks/index.js';
import { importCredentialReport } from '../src/import/credential-report.js';
import { allRules } from '../src/rules/index.js';
import { snapshotFromDocument } from '../src/snapshot/io.js';
import type { Snapshot } from '../src/snapshot/types.js';
import { BENCH_GENERATED_AT, generateCredentialReport } from '../bench/generate.js';
import { DEMO_SNAPSHOT_PATH, EXCEPTIONS_YAML, newSnapshot, oldSnapshot } from './support/demo-series.js';

const FILE = { fileName: 'archive.json', sha256: 'a'.repeat(64) };

function snapshotOf(document: unknown): Snapshot {
  return snapshotFromDocument(document, 'archive.json').snapshot;
}

/** The point as it was made before: the whole analysis, its archive state, then the point. */
function pointThroughAnalysis(snapshot: Snapshot, configuration: CatalogueConfiguration | undefined, exceptions: ExceptionList | undefined): ReturnType<typeof trendPoint> {
  const result = analyze({
    snapshot,
    snapshotFile: { fileName: FILE.fileName, sha256: FILE.sha256, migratedFrom: null },
    tool: { name: 'iam-audit', version: 'test' },
    run: { startedAt: '2026-01-02T14:30:00.000Z', endedAt: '2026-01-02T14:30:00.000Z', elapsedSeconds: 0 },
    catalogue: { rules: allRules, frameworks: allFrameworks, ...(configuration === undefined ? {} : { configuration }), ...(exceptions === undefined ? {} : { exceptions }) },
  });
  return trendPoint(stateFromAnalysis(result, snapshot));
}

function pointCounted(snapshot: Snapshot, configuration: CatalogueConfiguration | undefined, exceptions: ExceptionList | undefined): ReturnType<typeof trendPoint> {
  return snapshotTrendPoint(FILE, { snapshot, rules: allRules, frameworks: allFrameworks, ...(configuration === undefined ? {} : { configuration }), ...(exceptions === undefined ? {} : { exceptions }) });
}

const exceptions = parseExceptions(EXCEPTIONS_YAML, 'exceptions.yaml', null, allRules);
const stricter = parseConfiguration('rules:\n  access-key-rotation:\n    maxAgeDays: 30\n', 'config.yaml', null, allRules, allFrameworks);
const rotationOff = parseConfiguration('rules:\n  access-key-rotation:\n    enabled: false\n', 'config.yaml', null, allRules, allFrameworks);

const series: readonly (readonly [string, () => Snapshot])[] = [
  ['the demo snapshot', () => snapshotOf(JSON.parse(readFileSync(DEMO_SNAPSHOT_PATH, 'utf8')))],
  ['the November capture', () => snapshotOf(oldSnapshot())],
  ['the December capture', () => snapshotOf(newSnapshot())],
  ['the January capture', () => snapshotOf(newSnapshot('2027-01-02T08:15:42Z'))],
];

describe('a snapshot trend point counted by the one-pass engine', () => {
  for (const [name, load] of series) {
    for (const [setting, configuration, list] of [
      ['defaults', undefined, undefined],
      ['exceptions', undefined, exceptions],
      ['a 30-day rotation limit and exceptions', stricter, exceptions],
      ['access-key-rotation turned off', rotationOff, undefined],
    ] as const) {
      it(`equals the point through the whole analysis: ${name}, ${setting}`, () => {
        const snapshot = load();
        const counted = pointCounted(snapshot, configuration, list);
        assert.deepEqual(counted, pointThroughAnalysis(snapshot, configuration, list));
        assert.ok(counted.users > 0);
      });
    }
  }

  it('gives the values the demo series is known for (not just the same as the old path)', () => {
    const november = pointCounted(snapshotOf(oldSnapshot()), undefined, exceptions);
    assert.equal(november.users, 26);
    assert.equal(november.keysOverRotationLimit, 8);
    assert.equal(november.failing.high, 8);
    assert.equal(november.rotationLimitDays, 90);
    assert.equal(pointCounted(snapshotOf(oldSnapshot()), stricter, exceptions).rotationLimitDays, 30);
    assert.equal(pointCounted(snapshotOf(oldSnapshot()), rotationOff, undefined).keysOverRotationLimit, 0);
  });

  it('equals the point through the whole analysis on a generated 2,000-user account', () => {
    const snapshot = importCredentialReport(Buffer.from(generateCredentialReport(2_000)), { generatedAt: new Date(BENCH_GENERATED_AT), fileName: 'bench.csv', displayPath: 'bench.csv' }).snapshot;
    const counted = pointCounted(snapshot, undefined, undefined);
    assert.deepEqual(counted, pointThroughAnalysis(snapshot, undefined, undefined));
    assert.equal(counted.users, 2_000);
    assert.ok(counted.keysOverRotationLimit > 0 && counted.failing.high > 0, JSON.stringify(counted));
  });

  it('counts MFA by mfaStatus exactly as classifyMfa classifies, unknown facts included', () => {
    const snapshot = snapshotOf(JSON.parse(readFileSync(DEMO_SNAPSHOT_PATH, 'utf8')));
    const absent = { known: false, reason: 'collection_failed' } as const;
    const users = snapshot.users.flatMap((user) => [
      user,
      { ...user, password: { ...user.password, enabled: absent } },
      { ...user, mfa: { ...user.mfa, active: absent } },
      { ...user, password: { ...user.password, enabled: { known: true, value: true } as const }, mfa: { ...user.mfa, active: absent } },
      { ...user, password: { ...user.password, enabled: { known: true, value: true } as const }, mfa: { ...user.mfa, active: { known: true, value: false } as const } },
    ]);
    const statuses = users.map(mfaStatus);
    assert.deepEqual(statuses, users.map((user) => classifyMfa(user).status));
    assert.deepEqual(new Set(statuses), new Set(['PASS', 'FAIL', 'INFO', 'NOT_EVALUATED']));
  });

  it('rolls controls passed with exceptions up apart for the organisation trend (CSV and JSON)', () => {
    const point = (account: string, counts: TrendPoint['frameworks'][number]['counts']): TrendPoint => ({
      ...pointCounted(snapshotOf(oldSnapshot()), undefined, undefined),
      account: { id: account, partition: 'aws', alias: null },
      frameworks: [{ id: 'cis-5.0', name: 'CIS 5.0.0', counts }],
    });
    const rolled = rollUpPoints({ organizationId: 'o-example', partition: 'aws', indexFileName: 'org-index.json', indexSha256: 'b'.repeat(64), startedAt: '2026-11-02T08:15:42Z' }, [
      point('111122223333', { pass: 3, pass_with_exceptions: 1, fail: 6, not_evaluated: 6, manual: 5 }),
      point('444455556666', { pass: 4, pass_with_exceptions: 2, fail: 4, not_evaluated: 7, manual: 5 }),
    ]);
    assert.deepEqual(rolled.frameworks[0]?.counts, { pass: 7, pass_with_exceptions: 3, fail: 10, not_evaluated: 13, manual: 10 });
    const [header, row] = renderTrendCsv([rolled]).trim().split(/\r?\n/).map((line) => line.split(','));
    const column = (name: string): string | undefined => row?.[header?.indexOf(name) ?? -1];
    assert.deepEqual(['cis-5.0_pass', 'cis-5.0_pass_with_exceptions', 'cis-5.0_fail', 'cis-5.0_not_evaluated'].map(column), ['7', '3', '10', '13']);
    const json = JSON.parse(renderTrendJson([rolled], { name: 'iam-audit', version: 'test' }, '2026-11-02T08:15:42Z')) as { points: { frameworks: Record<string, unknown>[] }[] };
    assert.deepEqual(json.points[0]?.frameworks[0], { id: 'cis-5.0', name: 'CIS 5.0.0', pass: 7, pass_with_exceptions: 3, fail: 10, not_evaluated: 13, manual: 10 });
  });
});
