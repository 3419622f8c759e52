/**
 * Issue #23 §1, the engine's invariant, as a property over EVERY registered rule (allRules): a
 * snapshot holding an instant of a past event (creation, last use, rotation, change, MFA enable
 * date, certificate upload) later than the evaluation time or the capture time never yields
 * `pass` for the resource it belongs to; such a result is `error` with the reason. The snapshot is
 * built in memory, past the reader (which refuses it): the engine must hold even then. Times that
 * name the future by nature (a password's next rotation, a certificate's expiry) are exempt.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { runCatalogue } from '../src/analyze/engine.js';
import type { RuleResult } from '../src/analyze/result.js';
import { allRules } from '../src/rules/index.js';
import {
  CAPTURED_AT,
  daysAgo,
  key,
  serverCertificate,
  snapshotWith,
  user,
  type TimeSpec,
} from '../src/rules/testing.js';
import type { Snapshot } from '../src/snapshot/types.js';
import { randomAccount } from './support/random-accounts.js';
import { findInstantAfterCapture, pastEventInstants } from '../src/snapshot/capture-times.js';
import { validateSnapshot } from '../src/snapshot/validate.js';
import { MS_PER_DAY, toIsoUtc } from '../src/util/time.js';

const CAPTURED_MS = Date.parse(CAPTURED_AT);

function run(snapshot: Snapshot, now: number): readonly RuleResult[] {
  return runCatalogue({ snapshot, now, rules: allRules, frameworks: [] }).results;
}

/** The resource's owner: keys (`arn#access_key_1`) belong to their user or root. */
const owner = (arn: string): string => arn.split('#')[0] ?? arn;

// Random accounts: every kind of fact the rules read, every date at or before the capture time.
const pastTime: fc.Arbitrary<TimeSpec> = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.integer({ min: 0, max: 800 }), fc.integer({ min: 0, max: 86_399 })).map(([days, seconds]) => daysAgo(days, seconds)) },
  { weight: 1, arbitrary: fc.constantFrom<TimeSpec>('N/A', 'no_information') },
);
const accountArbitrary = randomAccount(pastTime);

/** The resource an instant's JSON pointer belongs to (a user, root or a server certificate). */
function ownerOfPointer(snapshot: Snapshot, pointer: string): string {
  const [, first, second] = pointer.split('/');
  if (first === 'root') return snapshot.root?.arn ?? '';
  if (first === 'users') return snapshot.users[Number(second)]?.arn ?? '';
  if (first === 'accountFacts') {
    const certificates = snapshot.accountFacts.serverCertificates;
    return certificates.known ? (certificates.value[Number(pointer.split('/')[4])]?.arn ?? '') : '';
  }
  return '';
}

/** Sets the value a JSON pointer names in a copy of the snapshot. */
function setAt(snapshot: Snapshot, pointer: string, value: string): Snapshot {
  const copy = structuredClone(snapshot) as unknown as Record<string, unknown>;
  const tokens = pointer.split('/').slice(1);
  let node: Record<string, unknown> = copy;
  for (const token of tokens.slice(0, -1)) node = node[token] as Record<string, unknown>;
  node[tokens[tokens.length - 1] ?? ''] = value;
  return copy as unknown as Snapshot;
}

describe('property: an instant after the evaluation time is never a pass (every registered rule)', () => {
  it('no rule passes the resource one of whose past events lies after the capture, at capture or at a later as-of', () => {
    fc.assert(
      fc.property(
        accountArbitrary,
        fc.nat(),
        // From one second to ten years after the capture time.
        fc.integer({ min: 1, max: 10 * 365 * 86_400 }),
        fc.integer({ min: 0, max: 400 }),
        (account, slotChoice, secondsLate, asOfDays) => {
          const slots = [...pastEventInstants(account)].filter((instant) => instant.pointer !== '/credentialReport/generatedAt');
          const slot = slots[slotChoice % slots.length];
          assert.ok(slot !== undefined);
          const late = toIsoUtc(new Date(CAPTURED_MS + secondsLate * 1000));
          const broken = setAt(account, slot.pointer, late);
          const arn = ownerOfPointer(account, slot.pointer);
          const results = run(broken, CAPTURED_MS + asOfDays * MS_PER_DAY);
          const passes = results.filter((result) => owner(result.resourceArn) === arn && result.status === 'pass');
          assert.deepEqual(
            passes.map((result) => `${result.ruleId} ${result.resourceName}: ${result.evidence}`),
            [],
            `${slot.pointer} = ${late} must never pass`,
          );
          // The reader refuses the same snapshot, naming the pointer (beyond the 5-minute tolerance).
          if (secondsLate > 300) {
            const outcome = validateSnapshot(JSON.parse(JSON.stringify(broken)));
            assert.equal(outcome.valid, false);
            assert.match(outcome.valid ? '' : outcome.problem, new RegExp(`^at ${slot.pointer}: ${late} `));
          }
        },
      ),
      { numRuns: 300, seed: 23 },
    );
  });

  it('without a late instant, the same accounts still get passes (the property can fail)', () => {
    const passes = fc.sample(accountArbitrary, { numRuns: 20, seed: 23 }).flatMap((account) => run(account, CAPTURED_MS).filter((result) => result.status === 'pass'));
    assert.ok(passes.length > 20, `${passes.length} passes`);
  });
});

describe('engine: a past event after the evaluation time', () => {
  it('password last used 1155 days after the evaluation time: unused-credentials is error, naming the instant, not pass', () => {
    const late = daysAgo(-1155);
    const snapshot = snapshotWith({ users: [user('alice', { console: true, mfa: true, passwordLastUsed: late })] });
    const results = run(snapshot, CAPTURED_MS);
    const unused = results.find((result) => result.ruleId === 'unused-credentials' && result.resourceName === 'alice');
    assert.equal(unused?.status, 'error');
    assert.equal(unused?.reason, `Not judged: the snapshot dates a past event of this resource after ${CAPTURED_AT} (/users/0/password/lastUsed = ${late}); a negative age is never a pass.`);
    assert.deepEqual(
      results.filter((result) => owner(result.resourceArn) === snapshot.users[0]?.arn && result.status === 'pass').map((result) => result.ruleId),
      [],
    );
  });

  it('one second late is enough', () => {
    const snapshot = snapshotWith({ users: [user('alice', { console: true, mfa: true, keys: [key({ created: daysAgo(10), lastUsed: daysAgo(0, -1) })] })] });
    const statuses = run(snapshot, CAPTURED_MS).filter((result) => result.resourceName.startsWith('alice')).map((result) => result.status);
    assert.equal(statuses.includes('pass'), false, statuses.join(', '));
    assert.equal(statuses.includes('error'), true);
  });

  it('exempt: a certificate expiring in 30 days and a password due for rotation next month still pass', () => {
    const snapshot = snapshotWith({
      users: [user('alice', { console: true, mfa: true })],
      accountFacts: { serverCertificates: { known: true, value: [serverCertificate('web', daysAgo(-30))] } },
    });
    const withRotation = structuredClone(snapshot);
    (withRotation.users[0]!.password as { nextRotation: unknown }).nextRotation = { known: true, value: daysAgo(-30) };
    assert.equal(findInstantAfterCapture(withRotation), null);
    const results = run(withRotation, CAPTURED_MS);
    assert.equal(results.find((result) => result.ruleId === 'expired-server-certificates' && result.resourceName === 'web')?.status, 'pass');
    assert.equal(results.find((result) => result.ruleId === 'console-users-mfa' && result.resourceName === 'alice')?.status, 'pass');
  });

  it('the reader accepts an instant within the clock-skew tolerance and refuses one beyond it', () => {
    const within = snapshotWith({ users: [user('alice', { console: true, passwordLastUsed: daysAgo(0, -299) })] });
    assert.equal(findInstantAfterCapture(within), null);
    assert.match(findInstantAfterCapture(within, { clockSkewMs: 0 }) ?? '', /^at \/users\/0\/password\/lastUsed\/value: 2026-06-01T00:04:59Z \(password last use\) is 4 min 59 s after the capture time 2026-06-01T00:00:00Z; .*clock-skew tolerance 0 s/);
    const beyond = snapshotWith({ users: [user('alice', { console: true, passwordLastUsed: daysAgo(0, -301) })] });
    assert.match(findInstantAfterCapture(beyond) ?? '', /is 5 min 1 s after the capture time .*clock-skew tolerance 5 min/);
  });
});
