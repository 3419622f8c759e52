import assert from 'node:assert/strict';
import { it } from 'node:test';
import { analyze } from '../src/analyze/analyze.js';
import { FindingIds, stableFindingId } from '../src/analyze/finding-id.js';
import type { AnalysisResult } from '../src/analyze/result.js';
import { daysAgo, key, snapshotWith, user } from '../src/rules/testing.js';
import type { Snapshot } from '../src/snapshot/types.js';

const RUN = { startedAt: '2026-01-01T00:00:00.000Z', endedAt: '2026-01-01T00:00:01.000Z', elapsedSeconds: 1 };

function analysed(snapshot: Snapshot): AnalysisResult {
  return analyze({ snapshot, snapshotFile: { fileName: 's.json', sha256: '0'.repeat(64), migratedFrom: null }, tool: { name: 'iam-audit', version: 'test' }, run: RUN });
}

function ids(result: AnalysisResult): Map<string, string> {
  return new Map((result.catalogue?.results ?? []).map((item) => [`${item.ruleId} ${item.resourceName}`, item.findingId]));
}

it('is the rule id and 16 hex digits of the SHA-256 of the resource ARN', () => {
  // printf '%s' 'arn:aws:iam::111122223333:user/bob#access_key_1' | sha256sum | cut -c1-16
  assert.equal(stableFindingId('access-key-rotation', 'arn:aws:iam::111122223333:user/bob#access_key_1'), 'access-key-rotation/04962a24339353e2');
  assert.equal(new FindingIds().id('access-key-rotation', 'arn:aws:iam::111122223333:user/bob#access_key_1'), 'access-key-rotation/04962a24339353e2');
  assert.match(stableFindingId('a', 'b'), /^a\/[0-9a-f]{16}$/);
  assert.notEqual(stableFindingId('a', 'arn:aws:iam::111122223333:user/bob'), stableFindingId('a', 'arn:aws:iam::444455556666:user/bob'));
});

it('is the same for the same finding in another snapshot of the account, whatever else changed', () => {
  const older = analysed(snapshotWith({ capturedAt: '2026-06-01T00:00:00Z', users: [user('bob', { console: true, keys: [key({ created: daysAgo(200, 0, '2026-06-01T00:00:00Z') })] })] }));
  const newer = analysed(
    snapshotWith({
      capturedAt: '2026-09-01T00:00:00Z',
      users: [user('alice'), user('bob', { console: true, mfa: true, keys: [key({ created: daysAgo(10, 0, '2026-09-01T00:00:00Z') })] })],
    }),
  );
  const before = ids(older);
  const after = ids(newer);
  assert.ok(before.size > 5);
  for (const [name, id] of before) assert.equal(after.get(name), id, name);
  for (const item of newer.catalogue?.results ?? []) assert.equal(item.findingId, stableFindingId(item.ruleId, item.resourceArn));
});

it('names an access key by its id when known, else by its report slot', () => {
  const bySlot = analysed(snapshotWith({ users: [user('bob', { keys: [key({ created: daysAgo(200) })] })] }));
  const byId = analysed(snapshotWith({ users: [user('bob', { keys: [key({ created: daysAgo(200), slot: null, id: 'AKIAEXAMPLE1' })] })] }));
  const rotation = (result: AnalysisResult) => result.catalogue?.results.find((item) => item.ruleId === 'access-key-rotation' && item.resourceType === 'access-key');
  assert.equal(rotation(bySlot)?.findingId, stableFindingId('access-key-rotation', 'arn:aws:iam::123456789012:user/bob#access_key_1'));
  assert.equal(rotation(byId)?.findingId, stableFindingId('access-key-rotation', 'arn:aws:iam::123456789012:user/bob#AKIAEXAMPLE1'));
});
