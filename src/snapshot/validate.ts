import { join } from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { packageRoot } from '../util/paths.js';
import { validate as generatedValidator, TIMESTAMP_PATTERN } from '../generated/snapshot-schema.generated.js';
import type { Snapshot } from './types.js';
import { findInstantAfterCapture, type CaptureTimeOptions } from './capture-times.js';
import { recordValidSnapshot } from './valid-snapshots.js';

/** The schema the validator is generated from (scripts/generate-validators.mjs); editors use it too. */
export const SNAPSHOT_SCHEMA_PATH = join(packageRoot, 'schema', 'snapshot-v2.schema.json');

// Precompiled from the schema (compiling it took half a second of every run). Its timestamps are
// also checked to be real calendar times: the schema's pattern admits 2026-99-99T99:99:99Z.
// The generated module exports ajv's ValidateFunction; its schema describes a Snapshot.
const schemaValidator = generatedValidator as ValidateFunction<Snapshot>;

/** Describes the first schema violation as "at /users/3/password/enabled: must have required property 'known'". */
function describe(error: ErrorObject, candidate: unknown): string {
  const path = error.instancePath === '' ? '/' : error.instancePath;
  if (error.keyword === 'format' || (error.keyword === 'pattern' && (error.params as { pattern?: unknown }).pattern === TIMESTAMP_PATTERN)) {
    return `at ${path}: ${JSON.stringify(valueAt(candidate, error.instancePath))} is not a real UTC time in the form 2026-01-02T14:30:00Z`;
  }
  return `at ${path}: ${error.message ?? 'is invalid'}`;
}

/** The value a JSON pointer names (for messages). */
function valueAt(document: unknown, pointer: string): unknown {
  let node = document;
  for (const token of pointer.split('/').slice(1)) {
    const key = token.replace(/~1/g, '/').replace(/~0/g, '~');
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;
  }
  return node;
}

/**
 * What the schema cannot say: two users with the same name or ARN (IAM names are unique in an
 * account, and a rule would judge one and hide the other). IAM does not distinguish names by
 * case (it refuses to create "Alice" beside "alice"), so neither does this check.
 */
function findDuplicateUsers(snapshot: Snapshot): string | null {
  const names = new Map<string, number>();
  const arns = new Map<string, number>();
  for (let index = 0; index < snapshot.users.length; index += 1) {
    const user = snapshot.users[index];
    if (user === undefined) continue;
    const nameKey = user.name.toLowerCase();
    const sameName = names.get(nameKey);
    if (sameName !== undefined) {
      const other = snapshot.users[sameName]?.name ?? '';
      return other === user.name
        ? `at /users/${index}/name: user "${user.name}" is already at /users/${sameName}/name; user names must be unique`
        : `at /users/${index}/name: user "${user.name}" differs only in case from "${other}" at /users/${sameName}/name; IAM user names are unique regardless of case`;
    }
    names.set(nameKey, index);
    const sameArn = arns.get(user.arn);
    if (sameArn !== undefined) return `at /users/${index}/arn: ARN "${user.arn}" is already at /users/${sameArn}/arn; user ARNs must be unique`;
    arns.set(user.arn, index);
  }
  return null;
}

/**
 * Two keys of one principal under one name: the same key id, or (without ids) the same report
 * slot. Each key is judged on its own resource, named by its id or else its slot; two keys under
 * one name would be two results with one finding id.
 */
function findDuplicateKeys(snapshot: Snapshot): string | null {
  const principals = [...(snapshot.root === null ? [] : [{ facts: snapshot.root, path: '/root' }]), ...snapshot.users.map((facts, index) => ({ facts, path: `/users/${index}` }))];
  for (const { facts, path } of principals) {
    if (!facts.accessKeys.known) continue;
    const seen = new Map<string, number>();
    for (const [index, key] of facts.accessKeys.value.entries()) {
      const name = key.id.known ? `id:${key.id.value}` : key.slot === null ? null : `slot:${key.slot}`;
      if (name === null) continue;
      const earlier = seen.get(name);
      const where = `${path}/accessKeys/value/${index}/${key.id.known ? 'id/value' : 'slot'}`;
      const what = key.id.known ? `key id "${key.id.value}"` : `a key without an id in slot ${key.slot}`;
      if (earlier !== undefined) return `at ${where}: ${what} is already at ${path}/accessKeys/value/${earlier}; each key of a principal needs its own id or slot`;
      seen.set(name, index);
    }
  }
  return null;
}

export type ValidationOutcome = { readonly valid: true; readonly snapshot: Snapshot } | { readonly valid: false; readonly problem: string };

/**
 * The one check every snapshot passes, whoever made it: a file read by any command, the snapshot
 * `import` produces, the one `collect` assembles and the one `audit` reports on, each before it is
 * written or analysed. The schema; users unique by name (regardless of case) and ARN; each key of a
 * principal under its own id or slot; and no instant of a past event after the capture time (beyond
 * the clock-skew tolerance).
 */
export function validateSnapshot(candidate: unknown, options: CaptureTimeOptions = {}): ValidationOutcome {
  const validate = schemaValidator;
  if (validate(candidate)) {
    const problem = findDuplicateUsers(candidate) ?? findDuplicateKeys(candidate) ?? findInstantAfterCapture(candidate, options);
    if (problem !== null) return { valid: false, problem };
    recordValidSnapshot(candidate);
    return { valid: true, snapshot: candidate };
  }
  // Combinators report every branch; the deepest path with the plainest keyword (a wrong type, a
  // missing property) explains best what is wrong.
  const plainness = (error: ErrorObject): number => (['type', 'required', 'enum', 'const', 'pattern', 'additionalProperties'].includes(error.keyword) ? 0 : 1);
  const errors = [...(validate.errors ?? [])].sort((a, b) => b.instancePath.length - a.instancePath.length || plainness(a) - plainness(b));
  const first = errors[0];
  return { valid: false, problem: first === undefined ? 'does not match the snapshot schema' : describe(first, candidate) };
}
