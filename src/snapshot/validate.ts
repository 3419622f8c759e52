import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { packageRoot } from '../util/paths.js';
import { isUtcInstant } from '../util/time.js';
import type { Snapshot } from './types.js';

export const SNAPSHOT_SCHEMA_PATH = join(packageRoot, 'schema', 'snapshot-v2.schema.json');

const UTC_INSTANT_FORMAT = 'iam-audit-utc-instant';

let compiled: ValidateFunction<Snapshot> | undefined;
function validator(): ValidateFunction<Snapshot> {
  if (compiled === undefined) {
    const schema = JSON.parse(readFileSync(SNAPSHOT_SCHEMA_PATH, 'utf8')) as { $defs: { timestamp: Record<string, unknown> } };
    // The schema's pattern admits 2026-99-99T99:99:99Z; every place it uses the timestamp
    // definition is also checked to be a real calendar time, so no instant escapes the check.
    schema.$defs.timestamp['format'] = UTC_INSTANT_FORMAT;
    const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, strictRequired: false, allowUnionTypes: true });
    ajv.addFormat(UTC_INSTANT_FORMAT, { type: 'string', validate: isUtcInstant });
    compiled = ajv.compile<Snapshot>(schema);
  }
  return compiled;
}

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
  const validate = validator();
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
