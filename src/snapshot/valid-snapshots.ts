/**
 * Snapshots that passed validateSnapshot (validate.ts) in this process, or, built by the importer,
 * its equivalent (io.ts, checkImportedSnapshot). What the check guarantees (users unique by name
 * and ARN) lets the engine skip building a set of every user's ARN (analyze/identity-walk.ts,
 * UniqueIds). A module of its own so that the engine does not load the generated validator.
 *
 * And, for a snapshot the credential-report importer built, the newest instant of a past event it
 * holds: the importer read every instant with the strict parser, so the engine's integrity check
 * (analyze/integrity.ts) knows without looking at each user that none is impossible, and that
 * none is late when this one is not.
 */
import type { Snapshot } from './types.js';

const validSnapshots = new WeakSet<Snapshot>();

/** Records a snapshot (this very object) as valid. */
export function recordValidSnapshot(snapshot: Snapshot): void {
  validSnapshots.add(snapshot);
}

/** True when this very object passed the validation in this process: its users' names and ARNs are unique. */
export function passedValidation(snapshot: Snapshot): boolean {
  return validSnapshots.has(snapshot);
}

const newestPastEvents = new WeakMap<Snapshot, number>();

/**
 * Records that every instant of this very object's principals (users and root) is a real UTC
 * instant, read by the importer's strict parser, the newest past event among them being
 * `newestMs` (-Infinity for none). Only the importer, which read each one, may say so.
 */
export function recordImportedInstants(snapshot: Snapshot, newestMs: number): void {
  newestPastEvents.set(snapshot, newestMs);
}

/** recordImportedInstants' newest past event for this very object; undefined when nothing was recorded. */
export function importedNewestPastEvent(snapshot: Snapshot): number | undefined {
  return newestPastEvents.get(snapshot);
}
