/**
 * The engine's last line of defence against impossible values (issue #9). The snapshot reader
 * already refuses any instant that is not a real UTC time, but the engine must hold even for a
 * snapshot built in memory: a rule computing an age from `Date.parse("2026-99-99...")` gets NaN,
 * every comparison with NaN is false, and "older than 90 days" silently becomes a pass.
 *
 * So, without trusting any rule to remember: every instant the snapshot holds for a principal
 * (user, root) or a server certificate is checked once, and a finding about that resource
 * (the principal itself or one of its keys, `arn#...`) that passes, or whose evidence quotes the
 * bad value, becomes `error`. A finding whose evidence shows NaN, Infinity or "Invalid Date"
 * becomes `error` whatever its resource. A `fail` that does not rest on the bad value (a user
 * without MFA whose last sign-in date is garbled) stays a fail: the failure is real.
 *
 * The same for an instant of a past event (a creation, a last use, a rotation, a change) later
 * than the evaluation time or the capture time (issue #23): the reader refuses such a snapshot
 * beyond the clock-skew tolerance, but a rule judging one computes a negative age, and "used
 * -1155 days ago" reads as recent use: a pass. A finding about its resource that passes (or is
 * not applicable), or whose evidence quotes the instant, becomes `error` naming it. Times that
 * name the future by nature (a password's next rotation, a certificate's expiry) are exempt.
 */
import type { Snapshot } from '../snapshot/types.js';
import type { DescribedFinding, RuleVerdict } from '../rules/rule.js';
import { importedNewestPastEvent } from '../snapshot/valid-snapshots.js';
import { isUtcInstant, MS_PER_DAY } from '../util/time.js';

/** A finding as the engine passes it on: a rule's verdict, or the engine's own `error`. */
export type JudgedFinding = Omit<DescribedFinding, 'verdict'> & { readonly verdict: RuleVerdict | 'error' };

interface BadInstant {
  /** JSON pointer into the snapshot, e.g. /users/3/password/lastUsed. */
  readonly pointer: string;
  /** The value as text, as a rule's evidence would quote it. */
  readonly text: string;
}

export interface SnapshotIntegrity {
  /** Why no time can be measured at all (the capture time or the evaluation time is not an instant); null when they are fine. */
  readonly clockProblem: string | null;
  /** Bad instants by the ARN of the resource they belong to. */
  readonly badInstants: ReadonlyMap<string, readonly BadInstant[]>;
  /** Past events dated after the evaluation or capture time, by the ARN of the resource they belong to. */
  readonly lateInstants: ReadonlyMap<string, readonly BadInstant[]>;
  /** The instant late ones are after: the earlier of the capture and the evaluation time (ISO), for reasons. */
  readonly lateAfter: string | null;
}

/** `undefined`, `null`, a non-object or a known fact without a real instant; absences are fine. */
function instantProblem(fact: unknown): string | null {
  if (typeof fact !== 'object' || fact === null) return fact === undefined ? 'missing' : JSON.stringify(fact);
  const record = fact as { known?: unknown; value?: unknown };
  if (record.known === false) return null;
  if (record.known !== true) return JSON.stringify(fact);
  if (typeof record.value === 'string' && isUtcInstant(record.value)) return null;
  return typeof record.value === 'string' ? record.value : String(record.value);
}

function asList(value: unknown): readonly Record<string, unknown>[] {
  return Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
}

function knownList(fact: unknown): readonly Record<string, unknown>[] {
  const record = fact as { known?: unknown; value?: unknown } | null | undefined;
  return record?.known === true ? asList(record.value) : [];
}

/** One instant of the snapshot; `future` when it names a future time by nature (exempt from the lateness check). */
interface InstantSlot {
  readonly pointer: string;
  readonly fact: unknown;
  readonly future?: true;
}

/** Every instant of one principal (user or root), with its pointer. */
function principalInstants(principal: Record<string, unknown>, base: string): InstantSlot[] {
  const password = (principal['password'] ?? {}) as Record<string, unknown>;
  const mfa = (principal['mfa'] ?? {}) as Record<string, unknown>;
  const found: InstantSlot[] = [
    { pointer: `${base}/createdAt`, fact: principal['createdAt'] },
    { pointer: `${base}/password/lastUsed`, fact: password['lastUsed'] },
    { pointer: `${base}/password/lastChanged`, fact: password['lastChanged'] },
    { pointer: `${base}/password/nextRotation`, fact: password['nextRotation'], future: true },
  ];
  knownList(mfa['devices']).forEach((device, index) => found.push({ pointer: `${base}/mfa/devices/value/${index}/enabledAt`, fact: device['enabledAt'] }));
  knownList(principal['accessKeys']).forEach((key, index) => {
    found.push({ pointer: `${base}/accessKeys/value/${index}/createdAt`, fact: key['createdAt'] });
    found.push({ pointer: `${base}/accessKeys/value/${index}/lastUsed`, fact: key['lastUsed'] });
  });
  knownList(principal['signingCertificates']).forEach((certificate, index) =>
    found.push({ pointer: `${base}/signingCertificates/value/${index}/lastRotated`, fact: certificate['lastRotated'] }),
  );
  return found;
}

/**
 * Whether every instant of a principal is fine: the same test as `note` in checkIntegrity (a real
 * UTC instant, or an absence; a past event not after `lateAfterMs`), over the same instants as
 * principalInstants, without building them. False sends the principal through the full check.
 */
function principalScan(lateAfterMs: number): (principal: Record<string, unknown>) => boolean {
  const checkLate = Number.isFinite(lateAfterMs);
  // An instant whose day is before the day of the limit cannot be after it: compared as text (the
  // format is fixed once isUtcInstant passed), Date.parse only for the last day and later.
  const limitDay = checkLate ? new Date(lateAfterMs - MS_PER_DAY).toISOString().slice(0, 10) : '';
  const fineFact = (fact: unknown, future: boolean): boolean => {
    if (typeof fact !== 'object' || fact === null) return false;
    const record = fact as { known?: unknown; value?: unknown };
    if (record.known === false) return true;
    const value = record.value;
    if (record.known !== true || typeof value !== 'string' || !isUtcInstant(value)) return false;
    return future || !checkLate || value < limitDay || !(Date.parse(value) > lateAfterMs);
  };
  const fineList = (fact: unknown, fields: readonly string[]): boolean => {
    const list = knownList(fact);
    for (let index = 0; index < list.length; index += 1) {
      const item = list[index] as Record<string, unknown>;
      for (const field of fields) if (!fineFact(item[field], false)) return false;
    }
    return true;
  };
  return (principal) => {
    const password = (principal['password'] ?? {}) as Record<string, unknown>;
    const mfa = (principal['mfa'] ?? {}) as Record<string, unknown>;
    return (
      fineFact(principal['createdAt'], false) &&
      fineFact(password['lastUsed'], false) &&
      fineFact(password['lastChanged'], false) &&
      fineFact(password['nextRotation'], true) &&
      fineList(mfa['devices'], DEVICE_INSTANTS) &&
      fineList(principal['accessKeys'], KEY_INSTANTS) &&
      fineList(principal['signingCertificates'], CERTIFICATE_INSTANTS)
    );
  };
}
const DEVICE_INSTANTS = ['enabledAt'] as const;
const KEY_INSTANTS = ['createdAt', 'lastUsed'] as const;
const CERTIFICATE_INSTANTS = ['lastRotated'] as const;

/** Checks every instant once per run; cheap next to the rules (a few string tests per user). */
export function checkIntegrity(snapshot: Snapshot, now: number): SnapshotIntegrity {
  const badInstants = new Map<string, BadInstant[]>();
  const lateInstants = new Map<string, BadInstant[]>();
  const capturedMs = typeof snapshot.capturedAt === 'string' && isUtcInstant(snapshot.capturedAt) ? Date.parse(snapshot.capturedAt) : Number.NaN;
  // Judged at the capture time and at --as-of (projection.ts): an instant after either is not a fact.
  const lateAfterMs = Number.isFinite(now) ? (Number.isFinite(capturedMs) ? Math.min(now, capturedMs) : now) : Number.NaN;
  const add = (map: Map<string, BadInstant[]>, arn: string, instant: BadInstant): void => {
    const list = map.get(arn) ?? [];
    list.push(instant);
    map.set(arn, list);
  };
  const note = (arn: string, pointer: string, fact: unknown, future = false): void => {
    const text = instantProblem(fact);
    if (text !== null) {
      add(badInstants, arn, { pointer, text });
      return;
    }
    const value = (fact as { known?: unknown; value?: unknown } | null | undefined)?.value;
    if (future || !Number.isFinite(lateAfterMs) || typeof value !== 'string') return;
    if (Date.parse(value) > lateAfterMs) add(lateInstants, arn, { pointer, text: value });
  };
  // Read as plain data: the point is to hold when the types lie (a snapshot built in memory).
  const loose = snapshot as unknown as Record<string, unknown>;
  // A snapshot the importer built in this process had every instant read by the strict parser:
  // none is impossible, and none is late when its newest past event is not. Anything else is scanned.
  const importedNewest = importedNewestPastEvent(snapshot);
  if (importedNewest === undefined || !(importedNewest <= lateAfterMs)) scanPrincipals(loose, lateAfterMs, note);
  const accountFacts = (loose['accountFacts'] ?? {}) as Record<string, unknown>;
  knownList(accountFacts['serverCertificates']).forEach((certificate, index) => {
    const base = `/accountFacts/serverCertificates/value/${index}`;
    note(String(certificate['arn']), `${base}/expiration`, certificate['expiration'], true);
    note(String(certificate['arn']), `${base}/uploadedAt`, certificate['uploadedAt']);
  });
  const captured = typeof snapshot.capturedAt === 'string' && isUtcInstant(snapshot.capturedAt);
  const clockProblem = !captured
    ? `the snapshot's capture time ${JSON.stringify(snapshot.capturedAt)} is not a real UTC instant`
    : Number.isFinite(now)
      ? null
      : 'the evaluation time is not a valid instant';
  return { clockProblem, badInstants, lateInstants, lateAfter: Number.isFinite(lateAfterMs) ? new Date(lateAfterMs).toISOString().replace('.000Z', 'Z') : null };
}

/** Notes every bad or late instant of the root and the users. */
function scanPrincipals(loose: Record<string, unknown>, lateAfterMs: number, note: (arn: string, pointer: string, fact: unknown, future?: boolean) => void): void {
  // A principal whose instants are all fine (nearly all) is looked at once, without a pointer or a list built for each instant.
  const fine = principalScan(lateAfterMs);
  const root = loose['root'];
  if (root !== null && typeof root === 'object') {
    const principal = root as Record<string, unknown>;
    if (!fine(principal)) for (const { pointer, fact, future } of principalInstants(principal, '/root')) note(String(principal['arn']), pointer, fact, future);
  }
  const users = asList(loose['users']);
  for (let index = 0; index < users.length; index += 1) {
    const user = users[index] as Record<string, unknown>;
    if (fine(user)) continue;
    for (const { pointer, fact, future } of principalInstants(user, `/users/${index}`)) note(String(user['arn']), pointer, fact, future);
  }
}

const NON_FINITE = /\bNaN\b|Infinity|Invalid Date/;

/** The resource's own ARN: a key `arn:...:user/alice#access_key_1` belongs to the user. */
function ownerArn(arn: string): string {
  const hash = arn.indexOf('#');
  return hash < 0 ? arn : arn.slice(0, hash);
}

/** Turns findings that rest on impossible values into `error`, with the value and where it is. */
export function guardFindings(findings: readonly DescribedFinding[], integrity: SnapshotIntegrity): readonly JudgedFinding[] {
  // Nearly every finding passes unchanged: the list is copied only from the first one that does not.
  let guarded: JudgedFinding[] | null = null;
  for (let index = 0; index < findings.length; index += 1) {
    const finding = findings[index] as DescribedFinding;
    const judged = guardFinding(finding, integrity);
    if (guarded === null && judged !== finding) guarded = findings.slice(0, index);
    guarded?.push(judged);
  }
  return guarded ?? findings;
}

function guardFinding(finding: DescribedFinding, integrity: SnapshotIntegrity): JudgedFinding {
  if (integrity.clockProblem !== null && (finding.verdict === 'pass' || finding.verdict === 'not_applicable' || NON_FINITE.test(finding.evidence))) {
    return { ...finding, verdict: 'error', reason: `Not judged: ${integrity.clockProblem}, so no age or expiry can be measured.` };
  }
  if (finding.evidence !== '' && NON_FINITE.test(finding.evidence)) {
    return { ...finding, verdict: 'error', reason: 'Not judged: the evidence rests on a value that is not a number or not a real instant (NaN, Infinity or Invalid Date).' };
  }
  const late = integrity.lateInstants.size === 0 ? undefined : integrity.lateInstants.get(ownerArn(finding.resource.arn));
  if (late !== undefined && (finding.verdict === 'pass' || finding.verdict === 'not_applicable' || late.some((instant) => finding.evidence.includes(instant.text)))) {
    const where = late.map((instant) => `${instant.pointer} = ${instant.text}`).join(', ');
    return {
      ...finding,
      verdict: 'error',
      reason: `Not judged: the snapshot dates a past event of this resource after ${integrity.lateAfter ?? 'the evaluation time'} (${where}); a negative age is never a pass.`,
    };
  }
  const bad = integrity.badInstants.size === 0 ? undefined : integrity.badInstants.get(ownerArn(finding.resource.arn));
  if (bad === undefined) return finding;
  const quoted = bad.some((instant) => instant.text !== '' && finding.evidence.includes(instant.text));
  if (!quoted && finding.verdict !== 'pass' && finding.verdict !== 'not_applicable') return finding;
  const where = bad.map((instant) => `${instant.pointer} = ${JSON.stringify(instant.text)}`).join(', ');
  return { ...finding, verdict: 'error', reason: `Not judged: the snapshot holds an impossible date for this resource (${where}); it is never a pass.` };
}
