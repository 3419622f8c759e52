import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { migrateToCurrent } from '../src/snapshot/migrate.js';
import { parseSnapshot, serializeSnapshot } from '../src/snapshot/io.js';
import { validateSnapshot } from '../src/snapshot/validate.js';
import { FIXTURES } from './support/cli.js';

const demoText = (): Promise<string> => readFile(join(FIXTURES, 'demo', 'snapshot.json'), 'utf8');

describe('snapshot schema and versions', () => {
  it('the demo snapshot is valid and serialises back to the same bytes', async () => {
    const text = await demoText();
    const { snapshot, migratedFrom } = parseSnapshot(Buffer.from(text), 'demo.json');
    assert.equal(migratedFrom, null);
    assert.equal(serializeSnapshot(snapshot), text);
  });

  const mutations: ReadonlyArray<{ name: string; mutate: (document: Record<string, unknown>) => void; problem: RegExp }> = [
    { name: 'a fact with known:true but no value', mutate: (document) => ((document['users'] as { password: { enabled: unknown } }[])[0]!.password.enabled = { known: true }), problem: /at \/users\/0\/password\/enabled: must have required property 'value'/ },
    { name: 'an unknown absence reason', mutate: (document) => ((document['users'] as { password: { lastUsed: unknown } }[])[1]!.password.lastUsed = { known: false, reason: 'N/A' }), problem: /at \/users\/1\/password\/lastUsed\/reason: must be equal to one of the allowed values/ },
    { name: 'a timestamp that is not UTC', mutate: (document) => (document['capturedAt'] = '2026-11-02T08:15:42+01:00'), problem: /at \/capturedAt: must match pattern/ },
    { name: 'an unknown top-level field', mutate: (document) => (document['extra'] = 1), problem: /at \/: must NOT have additional properties/ },
    { name: 'a missing account', mutate: (document) => delete document['account'], problem: /at \/: must have required property 'account'/ },
  ];
  for (const mutation of mutations) {
    it(`refuses ${mutation.name}, naming the JSON path`, async () => {
      const document = JSON.parse(await demoText()) as Record<string, unknown>;
      mutation.mutate(document);
      const outcome = validateSnapshot(document);
      assert.equal(outcome.valid, false);
      assert.match(outcome.valid ? '' : outcome.problem, mutation.problem);
    });
  }

  it('refuses a newer schema version and a missing one, and passes the current one through', () => {
    const newer = migrateToCurrent({ schemaVersion: 3 });
    assert.equal(newer.ok, false);
    assert.match(newer.ok ? '' : newer.problem, /newer iam-audit \(snapshot schema version 3; this version reads up to 2\)/);
    const missing = migrateToCurrent({});
    assert.equal(missing.ok, false);
    assert.match(missing.ok ? '' : missing.problem, /at \/schemaVersion: missing/);
    const current = migrateToCurrent({ schemaVersion: 2, marker: true });
    assert.deepEqual(current, { ok: true, document: { schemaVersion: 2, marker: true }, migratedFrom: null });
  });
});
