import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { packageRoot } from '../util/paths.js';
import type { Snapshot } from './types.js';

export const SNAPSHOT_SCHEMA_PATH = join(packageRoot, 'schema', 'snapshot-v2.schema.json');

let compiled: ValidateFunction<Snapshot> | undefined;
function validator(): ValidateFunction<Snapshot> {
  if (compiled === undefined) {
    const schema = JSON.parse(readFileSync(SNAPSHOT_SCHEMA_PATH, 'utf8')) as object;
    compiled = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, strictRequired: false, allowUnionTypes: true }).compile<Snapshot>(schema);
  }
  return compiled;
}

/** Describes the first schema violation as "at /users/3/password/enabled: must have required property 'known'". */
function describe(error: ErrorObject): string {
  const path = error.instancePath === '' ? '/' : error.instancePath;
  return `at ${path}: ${error.message ?? 'is invalid'}`;
}

export type ValidationOutcome = { readonly valid: true; readonly snapshot: Snapshot } | { readonly valid: false; readonly problem: string };

export function validateSnapshot(candidate: unknown): ValidationOutcome {
  const validate = validator();
  if (validate(candidate)) return { valid: true, snapshot: candidate };
  // Combinators report every branch; the deepest path with the plainest keyword (a wrong type, a
  // missing property) explains best what is wrong.
  const plainness = (error: ErrorObject): number => (['type', 'required', 'enum', 'const', 'pattern', 'additionalProperties'].includes(error.keyword) ? 0 : 1);
  const errors = [...(validate.errors ?? [])].sort((a, b) => b.instancePath.length - a.instancePath.length || plainness(a) - plainness(b));
  const first = errors[0];
  return { valid: false, problem: first === undefined ? 'does not match the snapshot schema' : describe(first) };
}
