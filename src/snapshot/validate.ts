import { join } from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { packageRoot } from '../util/paths.js';
import { validate as generatedValidator } from '../generated/snapshot-schema.generated.js';
import type { Snapshot } from './types.js';

/** The schema the validator is generated from (scripts/generate-validators.mjs); editors use it too. */
export const SNAPSHOT_SCHEMA_PATH = join(packageRoot, 'schema', 'snapshot-v2.schema.json');

// Precompiled from the schema (compiling it took half a second of every run). Its timestamps are
// also checked to be real calendar times: the schema's pattern admits 2026-99-99T99:99:99Z.
// The generated module exports ajv's ValidateFunction; its schema describes a Snapshot.
const schemaValidator = generatedValidator as ValidateFunction<Snapshot>;

/** Describes the first schema violation as "at /users/3/password/enabled: must have required property 'known'". */
function describe(error: ErrorObject, candidate: unknown): string {
  const path = error.instancePath === '' ? '/' : error.instancePath;
  if (error.keyword === 'format' || (error.keyword === 'pattern' && error.schemaPath.includes('timestamp'))) {
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
 * account, and a rule would judge one and hide the other).
 */
function findDuplicateUsers(snapshot: Snapshot): string | null {
  const names = new Map<string, number>();
  const arns = new Map<string, number>();
  for (let index = 0; index < snapshot.users.length; index += 1) {
    const user = snapshot.users[index];
    if (user === undefined) continue;
    const nameKey = user.name;
    const sameName = names.get(nameKey);
    if (sameName !== undefined) return `at /users/${index}/name: user "${user.name}" is already at /users/${sameName}/name; user names must be unique`;
    names.set(nameKey, index);
    const sameArn = arns.get(user.arn);
    if (sameArn !== undefined) return `at /users/${index}/arn: ARN "${user.arn}" is already at /users/${sameArn}/arn; user ARNs must be unique`;
    arns.set(user.arn, index);
  }
  return null;
}

export type ValidationOutcome = { readonly valid: true; readonly snapshot: Snapshot } | { readonly valid: false; readonly problem: string };

export function validateSnapshot(candidate: unknown): ValidationOutcome {
  const validate = schemaValidator;
  if (validate(candidate)) {
    const duplicate = findDuplicateUsers(candidate);
    return duplicate === null ? { valid: true, snapshot: candidate } : { valid: false, problem: duplicate };
  }
  // Combinators report every branch; the deepest path with the plainest keyword (a wrong type, a
  // missing property) explains best what is wrong.
  const plainness = (error: ErrorObject): number => (['type', 'required', 'enum', 'const', 'pattern', 'additionalProperties'].includes(error.keyword) ? 0 : 1);
  const errors = [...(validate.errors ?? [])].sort((a, b) => b.instancePath.length - a.instancePath.length || plainness(a) - plainness(b));
  const first = errors[0];
  return { valid: false, problem: first === undefined ? 'does not match the snapshot schema' : describe(first, candidate) };
}
