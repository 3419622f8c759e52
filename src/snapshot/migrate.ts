import { credentialReportPopulations, populationOfFact } from './populations.js';
import { completePopulation, CURRENT_SCHEMA_VERSION, incompletePopulation, type Fact, type PopulationStatus, type Populations } from './types.js';

/**
 * Explicit migrations from older snapshot schema versions to the current one, one step per
 * version. A snapshot is never migrated in place: `read` migrates in memory only, and the archived
 * file keeps its bytes (and so its SHA-256). Each step reads a document that has not been
 * validated yet (validation is against the current schema, after migration), so it only copies
 * what it finds; anything malformed is left for the validator to name.
 */
type Migration = (older: Record<string, unknown>) => Record<string, unknown>;

const asArray = (value: unknown): readonly unknown[] => (Array.isArray(value) ? value : []);
const asRecord = (value: unknown): Record<string, unknown> => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {});
const isFact = (value: unknown): value is Fact<readonly unknown[]> => {
  const record = asRecord(value);
  return record['known'] === false || (record['known'] === true && Array.isArray(record['value']));
};

/**
 * Version 1 recorded collection errors but not whether each list was complete. What it can honestly
 * say: a credential report lists every user; a live collection's list is incomplete where its
 * call failed, and otherwise complete as far as the paging went, with no independent count
 * (`expected` null: version 1 did not cross-check against GetAccountSummary).
 */
function populationsOfV1(document: Record<string, unknown>): Populations {
  const users = asArray(document['users']);
  if (document['source'] === 'credential-report') return credentialReportPopulations(users.length);
  const errors = asArray(document['collectionErrors']).map(asRecord);
  const listUsersFailure = errors.find((error) => error['api'] === 'iam:ListUsers');
  const userPopulation = listUsersFailure === undefined
    ? completePopulation(users.length)
    : incompletePopulation(`iam:ListUsers failed (${String(listUsersFailure['code'])}: ${String(listUsersFailure['message'])})`, users.length);
  let devices = 0;
  let devicesFailed = 0;
  for (const user of users) {
    const deviceFact = asRecord(asRecord(user)['mfa'])['devices'];
    if (isFact(deviceFact) && deviceFact.known) devices += deviceFact.value.length;
    else if (asRecord(deviceFact)['reason'] === 'collection_failed') devicesFailed += 1;
  }
  const mfaDevices: PopulationStatus = devicesFailed === 0
    ? completePopulation(devices)
    : incompletePopulation(`the MFA devices of ${devicesFailed} user(s) could not be listed`, devices);
  const facts = asRecord(document['accountFacts']);
  const listOf = (key: string, what: string): PopulationStatus => {
    const fact = facts[key];
    return isFact(fact) ? populationOfFact(fact, what) : incompletePopulation(`accountFacts.${key} is not a list fact`, 0);
  };
  return {
    users: userPopulation,
    mfaDevices,
    managedPolicies: listOf('managedPolicies', 'managed policies'),
    groups: listOf('groups', 'groups'),
    roles: listOf('roles', 'roles'),
    virtualMfaDevices: listOf('virtualMfaDevices', 'virtual MFA devices'),
    serverCertificates: listOf('serverCertificates', 'server certificates'),
  };
}

const migrations: Readonly<Record<number, Migration>> = {
  1: (v1) => ({ ...v1, schemaVersion: 2, populations: populationsOfV1(v1) }),
};

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
