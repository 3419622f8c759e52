/**
 * Issue #9, property-based: over EVERY registered rule (allRules),
 *  - a snapshot holding an invalid or missing instant never yields `pass` for the resource the
 *    instant belongs to (the snapshot is built in memory, past the reader's validation: the engine
 *    must hold even then);
 *  - a verdict projected to a later --as-of is never better than the verdict at capture time.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { runCatalogue } from '../src/analyze/engine.js';
import type { RuleResult, RuleResultStatus } from '../src/analyze/result.js';
import { allRules } from '../src/rules/index.js';
import {
  CAPTURED_AT,
  daysAgo,
  key,
  rootUser,
  snapshotWith,
  user,
  type TimeSpec,
} from '../src/rules/testing.js';
import type { Snapshot, UserFacts } from '../src/snapshot/types.js';
import { randomAccount } from './support/random-accounts.js';
import { validateSnapshot } from '../src/snapshot/validate.js';
import { HEADER_22, ROOT_ROW_OLD, importText, userRow } from './support/reports.js';
import { isUtcInstant, MS_PER_DAY, parseStrictInstant } from '../src/util/time.js';

const CAPTURED_MS = Date.parse(CAPTURED_AT);

function run(snapshot: Snapshot, now: number): readonly RuleResult[] {
  return runCatalogue({ snapshot, now, rules: allRules, frameworks: [] }).results;
}

/** The resource's owner: keys (`arn#access_key_1`) belong to their user or root. */
const owner = (arn: string): string => arn.split('#')[0] ?? arn;

// ---------------------------------------------------------------------------------------------
// Random accounts: every kind of fact the rules read, with dates around the capture time.

const daysBefore = fc.integer({ min: -30, max: 800 });
const timeSpec: fc.Arbitrary<TimeSpec> = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(daysBefore, fc.integer({ min: 0, max: 86_399 })).map(([days, seconds]) => daysAgo(days, seconds)) },
  { weight: 1, arbitrary: fc.constantFrom<TimeSpec>('N/A', 'no_information', 'not_collected') },
);
const accountArbitrary = randomAccount(timeSpec);

// ---------------------------------------------------------------------------------------------
// Invalid or missing instants.

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');
/** Looks like an instant, but a field is out of range (month 13, day 32, hour 24...), or the case or zone is wrong. */
const impossibleInstant = fc
  .record({
    year: fc.integer({ min: 0, max: 9999 }),
    month: fc.integer({ min: 0, max: 99 }),
    day: fc.integer({ min: 0, max: 99 }),
    hour: fc.integer({ min: 0, max: 99 }),
    minute: fc.integer({ min: 0, max: 99 }),
    second: fc.integer({ min: 0, max: 99 }),
    separator: fc.constantFrom('T', 't', ' '),
    zone: fc.constantFrom('Z', 'z', '+00:00', '', '+01:00'),
  })
  .map((p) => `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}${p.separator}${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}${p.zone}`);
const badValue: fc.Arbitrary<unknown> = fc.oneof(
  impossibleInstant,
  fc.constantFrom('2026-99-99T99:99:99Z', '2026-02-30T00:00:00Z', '2026-01-02T24:00:00Z', 'Invalid Date', 'NaN', '', 'yesterday', '2026-01-02t10:00:00Z'),
  fc.string(),
  fc.integer(),
  fc.constant(null),
);
/** A value fit to replace a whole fact: a known fact with a bad value, or no fact at all. */
const badFact: fc.Arbitrary<{ readonly fact: unknown; readonly label: string }> = fc.oneof(
  badValue.filter((value) => !(typeof value === 'string' && isUtcInstant(value))).map((value) => ({ fact: { known: true, value }, label: `known ${JSON.stringify(value)}` })),
  fc.constantFrom({ fact: undefined, label: 'missing' }, { fact: null, label: 'null' }, { fact: 'garbage', label: 'not a fact' }),
);

type Mutable = Record<string, unknown>;
interface Slot {
  /** The ARN of the resource the instant belongs to. */
  readonly arn: string;
  readonly label: string;
  readonly replace: (snapshot: Mutable, fact: unknown) => void;
}

/** Every instant in the account, with the resource it belongs to. */
function instantSlots(snapshot: Snapshot): Slot[] {
  const slots: Slot[] = [];
  const principals: { arn: string; path: (s: Mutable) => Mutable; keys: number; devices: number }[] = [
    ...snapshot.users.map((u, index) => ({
      arn: u.arn,
      path: (s: Mutable) => (s['users'] as Mutable[])[index] as Mutable,
      keys: u.accessKeys.known ? u.accessKeys.value.length : 0,
      devices: u.mfa.devices.known ? u.mfa.devices.value.length : 0,
    })),
  ];
  if (snapshot.root !== null) {
    principals.push({ arn: snapshot.root.arn, path: (s) => s['root'] as Mutable, keys: snapshot.root.accessKeys.known ? snapshot.root.accessKeys.value.length : 0, devices: 0 });
  }
  for (const principal of principals) {
    slots.push({ arn: principal.arn, label: `${principal.arn} createdAt`, replace: (s, fact) => (principal.path(s)['createdAt'] = fact) });
    for (const field of ['lastUsed', 'lastChanged', 'nextRotation']) {
      slots.push({ arn: principal.arn, label: `${principal.arn} password.${field}`, replace: (s, fact) => ((principal.path(s)['password'] as Mutable)[field] = fact) });
    }
    for (let index = 0; index < principal.keys; index += 1) {
      for (const field of ['createdAt', 'lastUsed']) {
        slots.push({
          arn: principal.arn,
          label: `${principal.arn} key ${index} ${field}`,
          replace: (s, fact) => ((((principal.path(s)['accessKeys'] as Mutable)['value'] as Mutable[])[index] as Mutable)[field] = fact),
        });
      }
    }
    for (let index = 0; index < principal.devices; index += 1) {
      slots.push({
        arn: principal.arn,
        label: `${principal.arn} MFA device ${index} enabledAt`,
        replace: (s, fact) => (((((principal.path(s)['mfa'] as Mutable)['devices'] as Mutable)['value'] as Mutable[])[index] as Mutable)['enabledAt'] = fact),
      });
    }
  }
  const certificates = snapshot.accountFacts.serverCertificates;
  (certificates.known ? certificates.value : []).forEach((certificate, index) => {
    for (const field of ['expiration', 'uploadedAt']) {
      slots.push({
        arn: certificate.arn,
        label: `${certificate.name} ${field}`,
        replace: (s, fact) => (((((s['accountFacts'] as Mutable)['serverCertificates'] as Mutable)['value'] as Mutable[])[index] as Mutable)[field] = fact),
      });
    }
  });
  return slots;
}

describe('property: an invalid or missing instant is never a pass (every registered rule)', () => {
  it('no rule passes the resource whose instant is impossible, missing or not an instant, at capture or at a later as-of', () => {
    fc.assert(
      fc.property(accountArbitrary, fc.nat(), badFact, fc.integer({ min: 0, max: 400 }), (account, slotChoice, bad, asOfDays) => {
        const slots = instantSlots(account);
        const slot = slots[slotChoice % slots.length];
        assert.ok(slot !== undefined);
        const broken = structuredClone(account) as unknown as Mutable;
        slot.replace(broken, bad.fact);
        const results = run(broken as unknown as Snapshot, CAPTURED_MS + asOfDays * MS_PER_DAY);
        const passes = results.filter((result) => owner(result.resourceArn) === slot.arn && result.status === 'pass');
        assert.deepEqual(
          passes.map((result) => `${result.ruleId} ${result.resourceName}: ${result.evidence}`),
          [],
          `${slot.label} = ${bad.label} must never pass`,
        );
      }),
      { numRuns: 300 },
    );
  });

  it('an impossible capture time makes no rule pass anything', () => {
    fc.assert(
      fc.property(accountArbitrary, impossibleInstant.filter((text) => !isUtcInstant(text)), (account, capturedAt) => {
        const broken = { ...account, capturedAt };
        const passes = run(broken, Date.parse(capturedAt)).filter((result) => result.status === 'pass');
        assert.deepEqual(passes.map((result) => `${result.ruleId} ${result.resourceName}`), []);
      }),
      { numRuns: 50 },
    );
  });

  it('a NaN evaluation time makes no rule pass anything', () => {
    const passes = run(fc.sample(accountArbitrary, { numRuns: 1, seed: 9 })[0]!, Number.NaN).filter((result) => result.status === 'pass');
    assert.deepEqual(passes.map((result) => `${result.ruleId} ${result.resourceName}`), []);
  });
});

// ---------------------------------------------------------------------------------------------
// Projection monotonicity.

/** The statuses that clear a resource; a projection may reach one only from one. */
const CLEAN: ReadonlySet<RuleResultStatus> = new Set(['pass', 'not_applicable']);

describe('property: a projected verdict is never better than the verdict at capture (every registered rule)', () => {
  it('for random accounts and random as-of instants after capture, no (rule, resource) improves', () => {
    fc.assert(
      fc.property(accountArbitrary, fc.integer({ min: 1, max: 3 * 365 * 86_400 }), (account, secondsLater) => {
        const atCapture = new Map(run(account, CAPTURED_MS).map((result) => [`${result.ruleId} ${result.resourceArn} ${result.resourceName}`, result]));
        const projected = run(account, CAPTURED_MS + secondsLater * 1000);
        for (const result of projected) {
          const before = atCapture.get(`${result.ruleId} ${result.resourceArn} ${result.resourceName}`);
          if (before === undefined) continue;
          // fail -> not_evaluated is the honest answer; fail or not_evaluated -> pass is not.
          if (CLEAN.has(result.status) && !CLEAN.has(before.status)) {
            assert.fail(`${result.ruleId} ${result.resourceName}: ${before.status} at capture became ${result.status} ${secondsLater} s later (${result.evidence})`);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('CIS 1.6: root used 4 hours before capture fails at capture, and a month later is not evaluated (not pass), with the reason', () => {
    const snapshot = snapshotWith({ root: rootUser({ passwordLastUsed: daysAgo(0, 4 * 3600) }) });
    const rootResult = (now: number): RuleResult | undefined => runCatalogue({ snapshot, now, rules: allRules, frameworks: [] }).results.find((result) => result.ruleId === 'root-recent-use' && result.resourceName === '<root_account>');
    assert.equal(rootResult(CAPTURED_MS)?.status, 'fail');
    const later = rootResult(CAPTURED_MS + 31 * MS_PER_DAY);
    assert.equal(later?.status, 'not_evaluated');
    assert.match(later?.reason ?? '', /^Not evaluated as a projection: at capture \(2026-06-01T00:00:00Z\) this was fail .*; it would be pass at 2026-07-02T00:00:00Z only because time passed/);
  });

  it('a projection still shows what elapsed time makes worse: a key crossing 90 days fails', () => {
    const snapshot = snapshotWith({ users: [user('alice', { keys: [key({ created: daysAgo(80) })] })] });
    const status = (now: number): string | undefined =>
      runCatalogue({ snapshot, now, rules: allRules, frameworks: [] }).results.find((result) => result.ruleId === 'access-key-rotation' && result.resourceName === 'alice#access_key_1')?.status;
    assert.equal(status(CAPTURED_MS), 'pass');
    assert.equal(status(CAPTURED_MS + 30 * MS_PER_DAY), 'fail');
  });
});

describe('engine: the last line of defence', () => {
  it('a rule whose evidence shows NaN gives error, not pass', () => {
    const naive = {
      ...allRules[0],
      id: 'naive-age',
      requires: [],
      judgeAccount: undefined,
      judgeUser: (u: UserFacts) => ({ resource: { type: 'user' as const, arn: u.arn, name: u.name }, verdict: 'pass' as const, facts: { age: Number.NaN }, reason: null }),
      describe: (facts: { readonly age: number }) => `age ${facts.age} days`,
    };
    const results = runCatalogue({ snapshot: snapshotWith({ users: [user('alice')] }), now: CAPTURED_MS, rules: [naive], frameworks: [] }).results;
    assert.deepEqual(results.map((result) => [result.resourceName, result.status]), [['alice', 'error']]);
    assert.match(results[0]?.reason ?? '', /not a number or not a real instant/);
  });

  it('a fail that does not rest on the bad date stays a fail (a user without MFA whose last sign-in is garbled)', () => {
    const alice = user('alice', { console: true, mfa: false, passwordLastUsed: '2026-02-30T00:00:00Z' });
    const results = runCatalogue({ snapshot: snapshotWith({ users: [alice] }), now: CAPTURED_MS, rules: allRules, frameworks: [] }).results;
    assert.equal(results.find((result) => result.ruleId === 'console-users-mfa' && result.resourceName === 'alice')?.status, 'fail');
    const unused = results.find((result) => result.ruleId === 'unused-credentials' && result.resourceName === 'alice');
    assert.equal(unused?.status, 'error');
    assert.match(unused?.reason ?? '', /\/users\/0\/password\/lastUsed = "2026-02-30T00:00:00Z"/);
  });
});

describe('property: the importer writes only snapshots the reader accepts', () => {
  const validInstant = fc
    .record({
      ms: fc.integer({ min: Date.parse('1990-01-01T00:00:00Z'), max: Date.parse('2099-12-31T23:59:59Z') }),
      offsetMinutes: fc.integer({ min: -14 * 60, max: 14 * 60 }),
      fraction: fc.constantFrom('', '.5', '.123', '.123456789'),
      zulu: fc.boolean(),
    })
    .map(({ ms, offsetMinutes, fraction, zulu }) => {
      const offset = zulu ? 0 : offsetMinutes;
      const local = new Date(ms + offset * 60_000).toISOString().slice(0, 19);
      const sign = offset < 0 ? '-' : '+';
      const zone = zulu ? 'Z' : `${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
      return `${local}${fraction}${zone}`;
    });

  it('any real time AWS could write imports into a snapshot that validates; its instant is the same', () => {
    fc.assert(
      fc.property(validInstant, (instant) => {
        const { snapshot } = importText(`${HEADER_22}\n${ROOT_ROW_OLD}\n${userRow('alice', { password_last_used: instant })}\n`, '2100-01-01T00:00:00Z');
        const outcome = validateSnapshot(JSON.parse(JSON.stringify(snapshot)));
        assert.equal(outcome.valid, true, outcome.valid ? '' : outcome.problem);
        const lastUsed = snapshot.users[0]?.password.lastUsed;
        assert.ok(lastUsed?.known === true);
        assert.equal(Math.floor(Date.parse(lastUsed.value) / 1000), Math.floor(Date.parse(instant) / 1000));
      }),
      { numRuns: 300 },
    );
  });

  it('anything else is refused with the line, the column and the value', () => {
    fc.assert(
      fc.property(impossibleInstant.filter((text) => parseStrictInstant(text, { offsets: true }) === null), (text) => {
        assert.throws(() => importText(`${HEADER_22}\n${ROOT_ROW_OLD}\n${userRow('alice', { password_last_used: text })}\n`), {
          message: `report.csv: line 3, column password_last_used: "${text}" is not an ISO 8601 timestamp (a real calendar time, with T and Z or +00:00) such as 2025-01-28T17:25:12+00:00`,
        });
      }),
      { numRuns: 300 },
    );
  });

  it('an offset that carries the year past 9999 is refused, not written as +010000', () => {
    assert.throws(() => importText(`${HEADER_22}\n${ROOT_ROW_OLD}\n${userRow('alice', { password_last_used: '9999-12-31T23:00:00-02:00' })}\n`), {
      message: /"9999-12-31T23:00:00-02:00" is not an ISO 8601 timestamp/,
    });
  });
});

describe('property: the two instant checks agree', () => {
  it('isUtcInstant (the fast reader check) says yes exactly when parseStrictInstant (UTC only) parses', () => {
    const candidates = fc.oneof(impossibleInstant, fc.string(), fc.date({ min: new Date('0000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }).map((date) => date.toISOString()));
    fc.assert(
      fc.property(candidates, (text) => {
        assert.equal(isUtcInstant(text), parseStrictInstant(text) !== null, text);
      }),
      { numRuns: 2000 },
    );
  });
});
