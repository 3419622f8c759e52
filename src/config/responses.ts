/**
 * The management responses file (`--responses`): management's answer to findings, printed next to
 * each finding in the report and carried in the findings CSV/JSON.
 *
 *   responses:
 *     - rule: access-key-rotation
 *       resource: bob.admin                # exact ARN, resource name, or a glob
 *       response: Key rotation moves to the vault pipeline (CHG-2211)
 *       owner: Platform team
 *       targetDate: 2026-12-15
 *
 * A bare list of entries is accepted too. Checked like the exceptions file: the catalogue (rule
 * ids, globs, dates) first, then schema/responses.schema.json; an error names file, line, column
 * and field.
 */
import type { Rule } from '../rules/rule.js';
import { InputError } from '../util/errors.js';
import { validate as validateResponsesSchema } from '../generated/responses-schema.generated.js';
import { checkAgainstSchema } from './schema-check.js';
import { checkKnownKeys, describeValue, isPlainObject, parseStructuredSource, pathOfField, withPositions, type DataPath } from './structured-file.js';
import { picomatch } from '../util/globs.js';

const REQUIRED = ['rule', 'resource', 'response'] as const;
const OPTIONAL = ['owner', 'targetDate'] as const;
const FIELDS = [...REQUIRED, ...OPTIONAL] as const;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** One validated entry of the responses file. */
export interface ResponseEntry {
  /** Position in the file (0-based). */
  readonly index: number;
  readonly ruleId: string;
  /** Exact ARN, exact resource name, or a picomatch glob over either. */
  readonly resource: string;
  readonly response: string;
  readonly owner: string | null;
  readonly targetDate: string | null;
}

export interface ResponseList {
  readonly entries: readonly ResponseEntry[];
}

export const NO_RESPONSES: ResponseList = { entries: [] };

function isRealDate(text: string): boolean {
  const match = DATE.exec(text);
  if (match === null) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function validateEntry(file: string, index: number, value: unknown, rules: readonly Rule[]): ResponseEntry {
  const where = `responses[${index}]`;
  if (!isPlainObject(value)) throw new InputError(file, where, `expected a mapping with ${REQUIRED.join(', ')} (and optionally ${OPTIONAL.join(', ')}), got ${describeValue(value)}`);
  checkKnownKeys(file, where, value, FIELDS, 'field');
  const text = (field: (typeof FIELDS)[number], required: boolean): string | null => {
    const fieldValue = value[field];
    if (fieldValue === undefined || fieldValue === null) {
      if (required) throw new InputError(file, `${where}.${field}`, `missing; every response needs ${REQUIRED.join(', ')}`);
      return null;
    }
    // YAML reads an unquoted 2026-12-15 as text here (the parser keeps dates as strings); a number is a mistake.
    if (typeof fieldValue !== 'string' || fieldValue.trim() === '') throw new InputError(file, `${where}.${field}`, `expected non-empty text, got ${describeValue(fieldValue)}`);
    return fieldValue.trim();
  };
  const ruleId = text('rule', true) ?? '';
  if (!rules.some((rule) => rule.id === ruleId)) throw new InputError(file, `${where}.rule`, `unknown rule id "${ruleId}" (run "iam-audit rules" to list them)`);
  const resource = text('resource', true) ?? '';
  if (picomatch().scan(resource).isGlob) {
    try {
      picomatch().makeRe(resource);
    } catch (error) {
      throw new InputError(file, `${where}.resource`, `not a valid glob: ${(error as Error).message}`);
    }
  }
  const response = text('response', true) ?? '';
  const owner = text('owner', false);
  const targetDate = text('targetDate', false);
  if (targetDate !== null && !isRealDate(targetDate)) throw new InputError(file, `${where}.targetDate`, `"${targetDate}" is not a date (YYYY-MM-DD)`);
  return { index, ruleId, resource, response, owner, targetDate };
}

export function validateResponses(data: unknown, file: string, rules: readonly Rule[]): ResponseList {
  if (data === null || data === undefined) return NO_RESPONSES;
  let list: unknown = data;
  if (isPlainObject(data)) {
    checkKnownKeys(file, '', data, ['responses'], 'setting');
    list = data['responses'] ?? [];
  }
  if (!Array.isArray(list)) throw new InputError(file, 'responses', `expected a list of responses, got ${describeValue(list)}`);
  return { entries: (list as unknown[]).map((entry, index) => validateEntry(file, index, entry, rules)) };
}

export function parseResponses(text: string, file: string, rules: readonly Rule[]): ResponseList {
  const source = parseStructuredSource(text, file);
  // Fields are named "responses[1].targetDate" for both layouts; a bare list has no "responses" key.
  const toPath = (where: string): DataPath => {
    const path = pathOfField(where);
    return Array.isArray(source.data) && path[0] === 'responses' ? path.slice(1) : path;
  };
  return withPositions(
    source,
    file,
    () => {
      const list = validateResponses(source.data, file, rules);
      checkAgainstSchema(validateResponsesSchema, source.data, file, (path) => source.position(path), 'responses');
      return list;
    },
    toPath,
  );
}
