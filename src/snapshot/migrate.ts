import { CURRENT_SCHEMA_VERSION } from './types.js';

/**
 * Explicit migrations from older snapshot schema versions to the current one. Version 1 is the
 * first, so the table is empty; a v2 adds `1: (v1) => v2` here and a test with an archived v1
 * snapshot. A snapshot is never migrated silently in place: `read` migrates in memory only.
 */
type Migration = (older: Record<string, unknown>) => Record<string, unknown>;
const migrations: Readonly<Record<number, Migration>> = {};

export type MigrationOutcome =
  | { readonly ok: true; readonly document: Record<string, unknown>; readonly migratedFrom: number | null }
  | { readonly ok: false; readonly problem: string };

export function migrateToCurrent(document: Record<string, unknown>): MigrationOutcome {
  const version = document['schemaVersion'];
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    return { ok: false, problem: 'at /schemaVersion: missing or not a positive whole number; is this an iam-audit snapshot?' };
  }
  if (version > CURRENT_SCHEMA_VERSION) {
    return {
      ok: false,
      problem: `written by a newer iam-audit (snapshot schema version ${version}; this version reads up to ${CURRENT_SCHEMA_VERSION}). Upgrade iam-audit to analyse it.`,
    };
  }
  let current = document;
  for (let step = version; step < CURRENT_SCHEMA_VERSION; step += 1) {
    const migration = migrations[step];
    if (migration === undefined) return { ok: false, problem: `no migration from snapshot schema version ${step}` };
    current = migration(current);
  }
  return { ok: true, document: current, migratedFrom: version === CURRENT_SCHEMA_VERSION ? null : version };
}
