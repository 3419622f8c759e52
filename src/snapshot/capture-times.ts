/**
 * An instant after the capture time is never a fact (issue #23 §1). A snapshot says what the
 * account looked like at `capturedAt`; a creation, a last use, a rotation, a password change, an
 * MFA device's enable date or the report's own generation time later than that is impossible data
 * (a report dated before its data, a garbled cell, a wrong --generated-at). Judged as it is, it
 * gives a negative age, and a negative age reads as "recently used" or "recently rotated": a PASS.
 *
 * So every path that produces or reads a snapshot runs `findInstantAfterCapture` (through
 * validateSnapshot): reading a file, import, collect, audit. Fields that name future times by
 * nature are exempt: a password's next rotation and a server certificate's expiry.
 *
 * A small tolerance allows for clocks that disagree (AWS's clock writes the facts, the collecting
 * machine's clock or the user's --generated-at writes the capture time); 5 minutes by default, the
 * same window AWS Signature Version 4 allows between a client's clock and AWS's.
 */
import type { Fact, IsoTimestamp, PrincipalFacts, Snapshot } from './types.js';

/** The default clock-skew tolerance: an instant up to this much after the capture time is accepted. */
export const DEFAULT_CLOCK_SKEW_MS = 5 * 60_000;

export interface CaptureTimeOptions {
  /** How far after the capture time a past event may lie (clock skew), in ms; DEFAULT_CLOCK_SKEW_MS when left out. */
  readonly clockSkewMs?: number;
}

/** One instant that records a past event, where it is (a JSON pointer to the value) and what it records. */
export interface PastEventInstant {
  readonly pointer: string;
  readonly value: IsoTimestamp;
  /** In words, for messages: "password last use". */
  readonly what: string;
}

function* knownInstant(fact: Fact<IsoTimestamp> | undefined, pointer: string, what: string): Generator<PastEventInstant> {
  if (fact?.known === true) yield { pointer: `${pointer}/value`, value: fact.value, what };
}

function* principalInstants(principal: PrincipalFacts, base: string): Generator<PastEventInstant> {
  yield* knownInstant(principal.createdAt, `${base}/createdAt`, 'creation');
  yield* knownInstant(principal.password.lastUsed, `${base}/password/lastUsed`, 'password last use');
  yield* knownInstant(principal.password.lastChanged, `${base}/password/lastChanged`, 'password last change');
  // password.nextRotation names a future time by nature: exempt.
  if (principal.mfa.devices.known) {
    const devices = principal.mfa.devices.value;
    for (let index = 0; index < devices.length; index += 1) {
      yield* knownInstant(devices[index]?.enabledAt, `${base}/mfa/devices/value/${index}/enabledAt`, 'MFA device enable date');
    }
  }
  if (principal.accessKeys.known) {
    const keys = principal.accessKeys.value;
    for (let index = 0; index < keys.length; index += 1) {
      yield* knownInstant(keys[index]?.createdAt, `${base}/accessKeys/value/${index}/createdAt`, 'access key creation (last rotation)');
      yield* knownInstant(keys[index]?.lastUsed, `${base}/accessKeys/value/${index}/lastUsed`, 'access key last use');
    }
  }
  if (principal.signingCertificates.known) {
    const certificates = principal.signingCertificates.value;
    for (let index = 0; index < certificates.length; index += 1) {
      yield* knownInstant(certificates[index]?.lastRotated, `${base}/signingCertificates/value/${index}/lastRotated`, 'signing certificate last rotation');
    }
  }
}

/**
 * Every instant of the snapshot that records a past event, with its JSON pointer. Not the run's own
 * times (collection.*: `collect --source credential-report` captures as of the report's
 * generation, then records when it ran), and not the exempt future times.
 */
export function* pastEventInstants(snapshot: Snapshot): Generator<PastEventInstant> {
  if (snapshot.credentialReport !== null) {
    yield { pointer: '/credentialReport/generatedAt', value: snapshot.credentialReport.generatedAt, what: 'credential report generation' };
  }
  if (snapshot.root !== null) yield* principalInstants(snapshot.root, '/root');
  for (let index = 0; index < snapshot.users.length; index += 1) {
    const user = snapshot.users[index];
    if (user !== undefined) yield* principalInstants(user, `/users/${index}`);
  }
  const certificates = snapshot.accountFacts.serverCertificates;
  if (certificates.known) {
    for (let index = 0; index < certificates.value.length; index += 1) {
      // expiration names a future time by nature: exempt.
      yield* knownInstant(certificates.value[index]?.uploadedAt, `/accountFacts/serverCertificates/value/${index}/uploadedAt`, 'server certificate upload');
    }
  }
}

/** "1155 days 00:00:00", "2 h 30 min", "2 min 5 s": how far after the capture an instant lies. */
export function describeLateness(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
  const days = Math.floor(seconds / 86_400);
  const rest = seconds - days * 86_400;
  const pad = (value: number): string => String(value).padStart(2, '0');
  return `${days} day${days === 1 ? '' : 's'} ${pad(Math.floor(rest / 3600))}:${pad(Math.floor((rest % 3600) / 60))}:${pad(rest % 60)}`;
}

/** The tolerance in words, for messages: "5 min", "0 s". */
export function describeClockSkew(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds % 60 === 0 && seconds > 0 ? `${seconds / 60} min` : `${seconds} s`;
}

/**
 * The first past-event instant later than the capture time plus the tolerance, as a problem
 * "at <pointer>: ..." (the validator's style), or null when there is none. The snapshot must
 * already match the schema (every instant a real UTC time).
 */
export function findInstantAfterCapture(snapshot: Snapshot, options: CaptureTimeOptions = {}): string | null {
  const skew = options.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS;
  const captured = Date.parse(snapshot.capturedAt);
  const limit = captured + skew;
  for (const instant of pastEventInstants(snapshot)) {
    const at = Date.parse(instant.value);
    if (at > limit) {
      return (
        `at ${instant.pointer}: ${instant.value} (${instant.what}) is ${describeLateness(at - captured)} after the capture time ${snapshot.capturedAt}; ` +
        `a past event cannot be later than the capture (clock-skew tolerance ${describeClockSkew(skew)}, see --clock-skew)`
      );
    }
  }
  return null;
}
