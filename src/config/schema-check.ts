/**
 * The configuration and exceptions files are checked against the JSON Schemas shipped in schema/
 * (config.schema.json, exceptions.schema.json), which also serve editors for completion. The
 * catalogue checks in configuration.ts and exceptions.ts run first (they know the rule and
 * framework ids and give the friendlier messages); the schema adds what the catalogue does not
 * say: each option's allowed range, integer thresholds, text limits.
 */
import { join } from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { InputError } from '../util/errors.js';
import { packageRoot } from '../util/paths.js';
import { describeValue, type DataPath } from './structured-file.js';

// The validators are precompiled from these schemas (scripts/generate-validators.mjs), so no run
// compiles one; each command loads only those of the files it reads.
export const CONFIG_SCHEMA_PATH = join(packageRoot, 'schema', 'config.schema.json');
export const EXCEPTIONS_SCHEMA_PATH = join(packageRoot, 'schema', 'exceptions.schema.json');
export const RESPONSES_SCHEMA_PATH = join(packageRoot, 'schema', 'responses.schema.json');

/** A validator generated from one of the schemas above (an ajv standalone function). */
export type SchemaValidator = ValidateFunction;

function pathOf(instancePath: string): (string | number)[] {
  if (instancePath === '') return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((step) => step.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((step) => (/^\d+$/.test(step) ? Number(step) : step));
}

function valueAt(data: unknown, path: DataPath): unknown {
  let value: unknown = data;
  for (const step of path) value = typeof value === 'object' && value !== null ? (value as Record<string | number, unknown>)[step] : undefined;
  return value;
}

/** "rules.access-key-rotation.maxAgeDays", "exceptions[1].expires": as the catalogue checks name fields. */
export function fieldName(path: DataPath, listName: string | null): string {
  let where = '';
  for (const [index, step] of path.entries()) {
    if (typeof step === 'number') where += `${index === 0 && listName !== null ? listName : ''}[${step}]`;
    else where += where === '' ? step : `.${step}`;
  }
  return where;
}

function problemOf(error: ErrorObject, value: unknown): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `must be ${String(params['comparison'])} ${String(params['limit'])}, got ${describeValue(value)}`;
    case 'type':
      return `expected ${String(params['type']).replace(/,/g, ' or ')}, got ${describeValue(value)}`;
    case 'required':
      return `missing "${String(params['missingProperty'])}"`;
    case 'maxLength':
      return `must not be longer than ${String(params['limit'])} characters, got ${typeof value === 'string' ? value.length : describeValue(value)}`;
    case 'additionalProperties':
      return `unknown setting "${String(params['additionalProperty'])}"`;
    default:
      return `${error.message ?? 'is not allowed'}, got ${describeValue(value)}`;
  }
}

/**
 * Checks `data` against the schema; throws an InputError naming the file, the field and, via
 * `position`, its line and column. `listName` names a top-level list ("exceptions").
 */
export function checkAgainstSchema(validate: SchemaValidator, data: unknown, file: string, position: (path: DataPath) => string | null, listName: string | null = null): void {
  if (validate(data)) return;
  const [error] = validate.errors ?? [];
  if (error === undefined) throw new InputError(file, null, 'does not match its schema');
  const path = pathOf(error.instancePath);
  const extra = error.keyword === 'additionalProperties' ? [String((error.params as Record<string, unknown>)['additionalProperty'])] : [];
  const where = fieldName([...path, ...extra], listName);
  const at = position([...path, ...extra]);
  throw new InputError(at === null ? file : `${file}:${at}`, where === '' ? null : where, problemOf(error, valueAt(data, path)));
}
