/**
 * Issue 26 (the input side): the fast paths give what the general ones give. Instants read to
 * milliseconds without a Date; due dates and overdue flags answered from a bounded cache, past its
 * bound too; the integrity check's one scan per principal finds every bad or late instant the full
 * check names, in every place a principal holds one.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { checkIntegrity } from '../src/analyze/integrity.js';
import { CAPTURED_AT, daysAgo, key, rootUser, snapshotWith, user } from '../src/rules/testing.js';
import type { UserFacts } from '../src/snapshot/types.js';
import { importedNewestPastEvent } from '../src/snapshot/valid-snapshots.js';
import { isPastDay, MS_PER_DAY, parseStrictInstant, parseStrictInstantMs, utcDayAfter } from '../src/util/time.js';
import { HEADER_22, importText, ROOT_ROW_OLD, userRow } from './support/reports.js';

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

describe('fast paths of the input side (issue 26)', () => {
  it('parseStrictInstantMs is parseStrictInstant in milliseconds, for valid and invalid texts alike', () => {
    const texts = fc.oneof(
      fc
        .record({ year: fc.integer({ min: 0, max: 9999 }), month: fc.integer({ min: 0, max: 13 }), day: fc.integer({ min: 0, max: 32 }), hour: fc.integer({ min: 0, max: 25 }), second: fc.integer({ min: 0, max: 61 }) })
        .chain(({ year, month, day, hour, second }) =>
          fc.constantFrom(
            `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:30:${pad(second)}Z`,
            `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:30:${pad(second)}+00:00`,
            `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:30:${pad(second)}.25Z`,
            `${pad(year, 4)}-${pad(month)}-${pad(day)}t${pad(hour)}:30:${pad(second)}Z`,
            `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:30:${pad(second)}-02:30`,
          ),
        ),
      fc.string({ maxLength: 26 }),
    );
    fc.assert(
      fc.property(texts, fc.boolean(), (text, offsets) => {
        assert.equal(parseStrictInstantMs(text, { offsets }), parseStrictInstant(text, { offsets })?.getTime() ?? null, text);
      }),
      { numRuns: 5000, seed: 26 },
    );
    assert.equal(parseStrictInstantMs('2026-06-01T00:00:00+00:00', { offsets: true }), Date.UTC(2026, 5, 1));
    assert.equal(parseStrictInstantMs('2026-06-01T00:00:00+00:00'), null);
    assert.equal(parseStrictInstantMs('2026-02-29T00:00:00Z'), null);
    assert.equal(parseStrictInstantMs('2026-06-0１T00:00:00Z'), null);
  });

  it('utcDayAfter and isPastDay give the computed answers, also after their caches overflow', () => {
    const base = Date.UTC(2026, 0, 1);
    for (let index = 0; index < 12_000; index += 1) {
      const instant = new Date(base + ((index * 7_919) % 40_000) * 3_600_000 + (index % 3) * 1000).toISOString().replace('.000Z', 'Z');
      const days = [7, 30, 90, 180][index % 4] ?? 0;
      const expectedDay = new Date(Date.parse(instant) + days * MS_PER_DAY).toISOString().slice(0, 10);
      assert.equal(utcDayAfter(instant, days), expectedDay, `${instant} + ${days}`);
      const day = expectedDay;
      assert.equal(isPastDay(day, instant), Date.parse(instant) >= Date.parse(`${day}T00:00:00Z`) + MS_PER_DAY);
      const dayBefore = new Date(Date.parse(instant) - MS_PER_DAY).toISOString().slice(0, 10);
      assert.equal(isPastDay(dayBefore, instant), true, `${instant} is past ${dayBefore}`);
      assert.equal(isPastDay(instant.slice(0, 10), instant), false, `${instant} is not past its own day`);
    }
  });

  it('the integrity scan finds a bad or late instant in every place a user holds one, and only there', () => {
    const late = '2026-07-01T00:00:00Z';
    const bad = '2026-02-30T00:00:00Z';
    const places: readonly [string, (value: string) => UserFacts][] = [
      ['/createdAt', (value) => user('u', { created: value })],
      ['/password/lastUsed', (value) => user('u', { console: true, passwordLastUsed: value })],
      ['/password/lastChanged', (value) => user('u', { console: true, passwordLastChanged: value })],
      ['/accessKeys/value/1/createdAt', (value) => user('u', { keys: [key({ slot: 1, created: daysAgo(100) }), key({ slot: 2, created: value })] })],
      ['/accessKeys/value/0/lastUsed', (value) => user('u', { keys: [key({ slot: 1, created: daysAgo(100), lastUsed: value })] })],
      [
        '/signingCertificates/value/0/lastRotated',
        (value) => ({ ...user('u'), signingCertificates: { known: true, value: [{ slot: 1, active: true, lastRotated: { known: true, value } }] } }),
      ],
      ['/mfa/devices/value/0/enabledAt', (value) => ({ ...user('u'), mfa: { active: { known: true, value: true }, devices: { known: true, value: [{ serialNumber: 'd', type: 'virtual', enabledAt: { known: true, value } }] } } })],
    ];
    const now = Date.parse(CAPTURED_AT);
    for (const [place, make] of places) {
      const fine = user('fine', { console: true, keys: [key({ slot: 1, created: daysAgo(100), lastUsed: daysAgo(2) })] });
      const lateUser = make(late);
      const badUser = { ...make(bad), name: 'v', arn: 'arn:aws:iam::123456789012:user/v' };
      const integrity = checkIntegrity(snapshotWith({ root: rootUser(), users: [fine, lateUser, badUser] }), now);
      assert.deepEqual([...integrity.lateInstants.entries()], [[lateUser.arn, [{ pointer: `/users/1${place}`, text: late }]]], place);
      assert.deepEqual([...integrity.badInstants.entries()], [[badUser.arn, [{ pointer: `/users/2${place}`, text: bad }]]], place);
    }
    // A past event within the last day before the capture is fine; one second after it is late.
    const edge = checkIntegrity(snapshotWith({ users: [user('a', { created: daysAgo(0, 1) }), user('b', { created: '2026-06-01T00:00:01Z' })] }), now);
    assert.deepEqual([...edge.lateInstants.keys()], ['arn:aws:iam::123456789012:user/b']);
  });

  it("a snapshot the importer built is not scanned when its newest past event is not late, and gets the scan's answer", () => {
    const generatedAt = '2026-02-01T00:00:00Z';
    const now = Date.parse(generatedAt);
    // Two minutes after the capture: within the importer's clock-skew tolerance (5 min), late for the engine.
    const lateRow = userRow('late', { password_last_used: '2026-02-01T00:02:00+00:00' });
    const cases = [
      { rows: [userRow('a'), userRow('b')], newest: '2026-01-01T00:00:00Z', late: [] as string[] },
      { rows: [userRow('a'), lateRow], newest: '2026-02-01T00:02:00Z', late: ['arn:aws:iam::123456789012:user/late'] },
    ];
    for (const { rows, newest, late } of cases) {
      const { snapshot } = importText(`${HEADER_22}\n${ROOT_ROW_OLD}\n${rows.join('\n')}\n`, generatedAt);
      assert.equal(importedNewestPastEvent(snapshot), Date.parse(newest));
      const recorded = checkIntegrity(snapshot, now);
      // A copy is not the object the importer recorded: it is scanned user by user.
      const scanned = checkIntegrity({ ...snapshot }, now);
      assert.equal(importedNewestPastEvent({ ...snapshot }), undefined);
      assert.deepEqual(recorded, scanned);
      assert.deepEqual([...recorded.lateInstants.keys()], late);
      assert.equal(recorded.badInstants.size, 0);
    }
  });
});
