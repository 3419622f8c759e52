/**
 * Snapshots that passed validateSnapshot (validate.ts) in this process, or, built by the importer,
 * its equivalent (io.ts, checkImportedSnapshot). What the check guarantees (users unique by name
 * and ARN) lets the engine skip building a set of every user's ARN (analyze/identity-walk.ts,
 * UniqueIds). A module of its own so that the engine does not load the generated validator.
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
