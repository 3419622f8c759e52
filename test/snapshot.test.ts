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
    { name: 'a timestamp that is not UTC', mutate: (document) => (document['capturedAt'] = '2026-11-02T08:15:42+01:00'), problem: /at \/capturedAt: "2026-11-02T08:15:42\+01:00" is not a real UTC time in the form 2026-01-02T14:30:00Z/ },
    // Issue #9: the pattern admits these; none is a real calendar time.
    { name: 'a capture time with month 99', mutate: (document) => (document['capturedAt'] = '2026-99-99T99:99:99Z'), problem: /at \/capturedAt: "2026-99-99T99:99:99Z" is not a real UTC time/ },
    { name: 'February 30', mutate: (document) => ((document['users'] as { createdAt: unknown }[])[2]!.createdAt = { known: true, value: '2026-02-30T10:00:00Z' }), problem: /at \/users\/2\/createdAt\/value: "2026-02-30T10:00:00Z" is not a real UTC time/ },
    { name: 'hour 24', mutate: (document) => ((document['users'] as { password: { lastUsed: unknown } }[])[0]!.password.lastUsed = { known: true, value: '2026-01-02T24:00:00Z' }), problem: /at \/users\/0\/password\/lastUsed\/value: "2026-01-02T24:00:00Z" is not a real UTC time/ },
    { name: 'a lowercase t', mutate: (document) => ((document['collection'] as Record<string, unknown>)['startedAt'] = '2026-11-02t08:15:42Z'), problem: /at \/collection\/startedAt: "2026-11-02t08:15:42Z" is not a real UTC time/ },
    { name: 'second 60', mutate: (document) => ((document['collection'] as Record<string, unknown>)['endedAt'] = '2026-11-02T08:15:60Z'), problem: /at \/collection\/endedAt: "2026-11-02T08:15:60Z"/ },
    {
      name: 'two users with the same name',
      mutate: (document) => {
        const users = document['users'] as { name: string }[];
        users[3]!.name = users[1]!.name;
      },
      problem: /at \/users\/3\/name: user "[^"]+" is already at \/users\/1\/name/,
    },
    {
      name: 'two users with the same ARN',
      mutate: (document) => {
        const users = document['users'] as { arn: string }[];
        users[4]!.arn = users[0]!.arn;
      },
      problem: /at \/users\/4\/arn: ARN "[^"]+" is already at \/users\/0\/arn/,
    },
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

  it('reading a snapshot with an impossible instant fails with one line naming the file, the field and the value', () => {
    return demoText().then((text) => {
      const broken = text.replace(/"capturedAt": "[^"]+"/, '"capturedAt": "2026-99-99T99:99:99Z"');
      assert.throws(() => parseSnapshot(Buffer.from(broken), 'snap.json'), (error: Error) => {
        assert.equal(error.message, 'snap.json: not a valid snapshot: at /capturedAt: "2026-99-99T99:99:99Z" is not a real UTC time in the form 2026-01-02T14:30:00Z');
        return true;
      });
    });
  });

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
