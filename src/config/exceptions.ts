/**
 * The exceptions file (`--exceptions`): accepted risks, each approved by someone until a date.
 *
 *   exceptions:
 *     - rule: access-keys-rotated
 *       resource: "arn:aws:iam::111122223333:user/ci/*"   # exact ARN, user name, or a glob
 *       justification: CI keys rotate with the pipeline migration (CHG-1234)
 *       approvedBy: Jane Doe (CISO)
 *       expires: 2027-03-31                                # valid through that day (UTC)
 *
 * A bare list of entries is accepted too. Every entry is checked; a malformed one is an error
 * naming its position and field.
 */
import type { ExceptionList, FileIdentity, RuleException } from '../analyze/engine.js';
import type { Rule } from '../rules/rule.js';
import { InputError } from '../util/errors.js';
import { validate as validateExceptionsSchema } from '../generated/exceptions-schema.generated.js';
import { checkAgainstSchema } from './schema-check.js';
import { checkKnownKeys, describeValue, isPlainObject, parseStructuredSource, pathOfField, withPositions, type DataPath } from './structured-file.js';
import { picomatch } from '../util/globs.js';

const FIELDS = ['rule', 'resource', 'justification', 'approvedBy', 'expires'] as const;
/** Optional record-keeping fields, printed in the exceptions register when given. */
const OPTIONAL_FIELDS = ['approvedAt', 'ticket', 'risk'] as const;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** The first instant at which an exception expiring at `expires` no longer applies, or null if unreadable. */
export function expiryInstant(expires: string): number | null {
  const date = DATE.exec(expires);
  if (date !== null) {
    const [year, month, day] = [Number(date[1]), Number(date[2]), Number(date[3])];
    const start = Date.UTC(year, month - 1, day);
    const check = new Date(start);
    // Date.UTC rolls 2027-02-30 over to March: reject dates that do not exist.
    if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return null;
    // A date means "valid through that whole day" (UTC): it stops applying at the next midnight.
    return Date.UTC(year, month - 1, day + 1);
  }
  if (INSTANT.test(expires)) {
    const instant = Date.parse(expires);
    return Number.isNaN(instant) ? null : instant;
  }
  return null;
}

function validateEntry(file: string, index: number, value: unknown, rules: readonly Rule[]): RuleException {
  const where = `exceptions[${index}]`;
  if (!isPlainObject(value)) throw new InputError(file, where, `expected a mapping with ${FIELDS.join(', ')}, got ${describeValue(value)}`);
  checkKnownKeys(file, where, value, [...FIELDS, ...OPTIONAL_FIELDS], 'field');
  const text = (field: (typeof FIELDS)[number]): string => {
    const fieldValue = value[field];
    if (fieldValue === undefined || fieldValue === null) throw new InputError(file, `${where}.${field}`, 'missing; every exception needs ' + FIELDS.join(', '));
    if (typeof fieldValue !== 'string' || fieldValue.trim() === '') throw new InputError(file, `${where}.${field}`, `expected non-empty text, got ${describeValue(fieldValue)}`);
    return fieldValue.trim();
  };
  const ruleId = text('rule');
  if (!rules.some((rule) => rule.id === ruleId)) throw new InputError(file, `${where}.rule`, `unknown rule id "${ruleId}" (run "iam-audit rules" to list them)`);
  const resource = text('resource');
  if (picomatch().scan(resource).isGlob) {
    try {
      picomatch().makeRe(resource);
    } catch (error) {
      throw new InputError(file, `${where}.resource`, `not a valid glob: ${(error as Error).message}`);
    }
  }
  const justification = text('justification');
  const approvedBy = text('approvedBy');
  const expires = text('expires');
  const expiresAtMs = expiryInstant(expires);
  if (expiresAtMs === null) throw new InputError(file, `${where}.expires`, `"${expires}" is not a date (YYYY-MM-DD) or an ISO 8601 time with a zone`);
  const optional = (field: (typeof OPTIONAL_FIELDS)[number]): string | undefined => {
    const fieldValue = value[field];
    if (fieldValue === undefined || fieldValue === null) return undefined;
    if (typeof fieldValue !== 'string' || fieldValue.trim() === '') throw new InputError(file, `${where}.${field}`, `expected non-empty text, got ${describeValue(fieldValue)}`);
    return fieldValue.trim();
  };
  const approvedAt = optional('approvedAt');
  if (approvedAt !== undefined && (!DATE.test(approvedAt) || expiryInstant(approvedAt) === null)) throw new InputError(file, `${where}.approvedAt`, `"${approvedAt}" is not a date (YYYY-MM-DD)`);
  const ticket = optional('ticket');
  const risk = optional('risk');
  return {
    index,
    ruleId,
    resource,
    justification,
    approvedBy,
    expires,
    expiresAtMs,
    ...(approvedAt === undefined ? {} : { approvedAt }),
    ...(ticket === undefined ? {} : { ticket }),
    ...(risk === undefined ? {} : { risk }),
  };
}

export function validateExceptions(data: unknown, file: string, identity: FileIdentity | null, rules: readonly Rule[]): ExceptionList {
  if (data === null || data === undefined) return { file: identity, entries: [] };
  let list: unknown = data;
  if (isPlainObject(data)) {
    checkKnownKeys(file, '', data, ['exceptions'], 'setting');
    list = data['exceptions'] ?? [];
  }
  if (!Array.isArray(list)) throw new InputError(file, 'exceptions', `expected a list of exceptions, got ${describeValue(list)}`);
  return { file: identity, entries: (list as unknown[]).map((entry, index) => validateEntry(file, index, entry, rules)) };
}

export function parseExceptions(text: string, file: string, identity: FileIdentity | null, rules: readonly Rule[]): ExceptionList {
  const source = parseStructuredSource(text, file);
  // The fields are named "exceptions[1].expires" for both layouts; a bare list has no "exceptions" key.
  const toPath = (where: string): DataPath => {
    const path = pathOfField(where);
    return Array.isArray(source.data) && path[0] === 'exceptions' ? path.slice(1) : path;
  };
  return withPositions(
    source,
    file,
    () => {
      const list = validateExceptions(source.data, file, identity, rules);
      checkAgainstSchema(validateExceptionsSchema, source.data, file, (path) => source.position(path), 'exceptions');
      return list;
    },
    toPath,
  );
}
