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

/**
 * Calls `visit` with every instant that records a past event, stopping when it returns true. The
 * JSON pointer is built only when asked for: a large account has millions of instants.
 */
type Visit = (value: IsoTimestamp, pointer: () => string, what: string) => boolean;

function visitFact(fact: Fact<IsoTimestamp> | undefined, pointer: () => string, what: string, visit: Visit): boolean {
  return fact?.known === true && visit(fact.value, () => `${pointer()}/value`, what);
}

function visitPrincipal(principal: PrincipalFacts, base: string, visit: Visit): boolean {
  if (visitFact(principal.createdAt, () => `${base}/createdAt`, 'creation', visit)) return true;
  if (visitFact(principal.password.lastUsed, () => `${base}/password/lastUsed`, 'password last use', visit)) return true;
  if (visitFact(principal.password.lastChanged, () => `${base}/password/lastChanged`, 'password last change', visit)) return true;
  // password.nextRotation names a future time by nature: exempt.
  if (principal.mfa.devices.known) {
    const devices = principal.mfa.devices.value;
    for (let index = 0; index < devices.length; index += 1) {
      if (visitFact(devices[index]?.enabledAt, () => `${base}/mfa/devices/value/${index}/enabledAt`, 'MFA device enable date', visit)) return true;
    }
  }
  if (principal.accessKeys.known) {
    const keys = principal.accessKeys.value;
    for (let index = 0; index < keys.length; index += 1) {
      if (visitFact(keys[index]?.createdAt, () => `${base}/accessKeys/value/${index}/createdAt`, 'access key creation (last rotation)', visit)) return true;
      if (visitFact(keys[index]?.lastUsed, () => `${base}/accessKeys/value/${index}/lastUsed`, 'access key last use', visit)) return true;
    }
  }
  if (principal.signingCertificates.known) {
    const certificates = principal.signingCertificates.value;
    for (let index = 0; index < certificates.length; index += 1) {
      if (visitFact(certificates[index]?.lastRotated, () => `${base}/signingCertificates/value/${index}/lastRotated`, 'signing certificate last rotation', visit)) return true;
    }
  }
  return false;
}

/**
 * Visits every instant of the snapshot that records a past event. Not the run's own times
 * (collection.*: `collect --source credential-report` captures as of the report's generation, then
 * records when it ran), and not the exempt future times.
 */
function visitPastEvents(snapshot: Snapshot, visit: Visit): boolean {
  if (snapshot.credentialReport !== null && visit(snapshot.credentialReport.generatedAt, () => '/credentialReport/generatedAt', 'credential report generation')) return true;
  if (snapshot.root !== null && visitPrincipal(snapshot.root, '/root', visit)) return true;
  for (let index = 0; index < snapshot.users.length; index += 1) {
    const user = snapshot.users[index];
    if (user !== undefined && visitPrincipal(user, `/users/${index}`, visit)) return true;
  }
  const certificates = snapshot.accountFacts.serverCertificates;
  if (certificates.known) {
    for (let index = 0; index < certificates.value.length; index += 1) {
      // expiration names a future time by nature: exempt.
      if (visitFact(certificates.value[index]?.uploadedAt, () => `/accountFacts/serverCertificates/value/${index}/uploadedAt`, 'server certificate upload', visit)) return true;
    }
  }
  const roles = snapshot.accountFacts.roles;
  if (roles.known) {
    for (let index = 0; index < roles.value.length; index += 1) {
      if (visitFact(roles.value[index]?.lastUsed, () => `/accountFacts/roles/value/${index}/lastUsed`, 'role last use', visit)) return true;
    }
  }
  return false;
}

/** Every instant of the snapshot that records a past event, with its JSON pointer (tests, tools). */
export function pastEventInstants(snapshot: Snapshot): PastEventInstant[] {
  const instants: PastEventInstant[] = [];
  visitPastEvents(snapshot, (value, pointer, what) => {
    instants.push({ pointer: pointer(), value, what });
    return false;
  });
  return instants;
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
  // The day before the limit's day: anything dated earlier cannot be after the limit.
  const limitDay = new Date(limit - 86_400_000).toISOString().slice(0, 10);
  let problem: string | null = null;
  visitPastEvents(snapshot, (value, pointer, what) => {
    // Date.parse only for the rare instant in the capture's last day or later: the ISO text of a
    // different day compares like the day itself (the schema fixed the format: YYYY-MM-DDT...).
    const at = value.slice(0, 10) < limitDay ? Number.NEGATIVE_INFINITY : Date.parse(value);
    if (!(at > limit)) return false;
    problem =
      `at ${pointer()}: ${value} (${what}) is ${describeLateness(at - captured)} after the capture time ${snapshot.capturedAt}; ` +
      `a past event cannot be later than the capture (clock-skew tolerance ${describeClockSkew(skew)}, see --clock-skew)`;
    return true;
  });
  return problem;
}
