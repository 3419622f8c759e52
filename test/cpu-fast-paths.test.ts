/**
 * Issue 26 (CPU): the fast paths taken for the common case give exactly what the general path
 * gives. Whole-second UTC instants (`Z`, and `+00:00` in a credential report) are read without the
 * regular expression; a batch of results is checked for a repeated finding id pairwise when small
 * and with a map when large, and both name the two results.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { assertUniqueFindingIds } from '../src/analyze/engine.js';
import type { RuleResult } from '../src/analyze/result.js';
import { parseStrictInstant } from '../src/util/time.js';

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

/** The instant the fields name, computed apart from parseStrictInstant (years 0-99 kept as written). */
function expectedMs(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second));
  date.setUTCFullYear(year);
  return date.getTime();
}

describe('fast paths give what the general path gives (issue 26)', () => {
  it('whole-second UTC instants, with Z and with +00:00, over years 0 to 9999', () => {
    fc.assert(
      fc.property(
        fc.record({
          year: fc.integer({ min: 0, max: 9999 }),
          month: fc.integer({ min: 1, max: 12 }),
          day: fc.integer({ min: 1, max: 31 }),
          hour: fc.integer({ min: 0, max: 23 }),
          minute: fc.integer({ min: 0, max: 59 }),
          second: fc.integer({ min: 0, max: 59 }),
        }),
        ({ year, month, day, hour, minute, second }) => {
          const stem = `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:${pad(second)}`;
          const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
          const real = day <= [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
          const expected = real ? expectedMs(year, month, day, hour, minute, second) : null;
          assert.equal(parseStrictInstant(`${stem}Z`)?.getTime() ?? null, expected, `${stem}Z`);
          assert.equal(parseStrictInstant(`${stem}+00:00`, { offsets: true })?.getTime() ?? null, expected, `${stem}+00:00`);
          assert.equal(parseStrictInstant(`${stem}+00:00`), null, 'an offset is refused without offsets');
          // The general path, for the same instant: a fraction of zero, and -00:00.
          assert.equal(parseStrictInstant(`${stem}.000Z`)?.getTime() ?? null, expected);
          assert.equal(parseStrictInstant(`${stem}-00:00`, { offsets: true })?.getTime() ?? null, expected);
        },
      ),
      { numRuns: 3000, seed: 20261207 },
    );
    assert.equal(parseStrictInstant('2024-02-29T23:59:59Z')?.toISOString(), '2024-02-29T23:59:59.000Z');
    assert.equal(parseStrictInstant('0050-06-01T00:00:00+00:00', { offsets: true })?.getUTCFullYear(), 50);
    assert.equal(parseStrictInstant('2023-02-29T00:00:00+00:00', { offsets: true }), null);
    assert.equal(parseStrictInstant('2026-01-02t14:30:00+00:00', { offsets: true }), null);
  });

  it('a repeated finding id is caught in a small batch (pairwise) and in a large one (map), naming both results', () => {
    const result = (findingId: string, resourceName: string): RuleResult =>
      ({ findingId, ruleId: 'r', severity: 'low', resourceType: 'user', resourceArn: `arn:${resourceName}`, resourceName, status: 'pass', evidence: '', reason: null, exception: null, expiredException: null }) as RuleResult;
    for (const size of [2, 31, 32, 33, 200]) {
      const distinct = Array.from({ length: size }, (_, index) => result(`r/${index}`, `u${index}`));
      assert.doesNotThrow(() => assertUniqueFindingIds(distinct), `${size} distinct`);
      const twin = Math.floor((size - 1) / 2);
      const repeated = [...distinct.slice(0, -1), result(`r/${twin}`, 'again')];
      assert.throws(() => assertUniqueFindingIds(repeated), new RegExp(`finding id r/${twin}: u${twin} \\(arn:u${twin}, pass\\) and again \\(arn:again, pass\\)`), `${size} with a repeat`);
    }
  });
});
