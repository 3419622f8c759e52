/**
 * Reading the configuration and exceptions files: YAML (which also reads JSON) into plain data,
 * plus the small checks both validators share. Every error names the file and the field.
 */
import { parseDocument } from 'yaml';
import { InputError } from '../util/errors.js';

/** Parses YAML or JSON text; a `.json` file must be strict JSON. An empty file gives null. */
export function parseStructuredText(text: string, file: string): unknown {
  if (file.toLowerCase().endsWith('.json')) {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new InputError(file, null, `not valid JSON: ${(error as Error).message}`);
    }
  }
  const document = parseDocument(text);
  const [first] = document.errors;
  if (first !== undefined) throw new InputError(file, null, `not valid YAML: ${first.message.split('\n')[0] ?? first.message}`);
  return document.toJS() as unknown;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** How a value reads in an error message: its type and, for scalars, the value itself. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the text ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}

/** Rejects keys outside `allowed`, naming the first unknown one and the allowed ones. */
export function checkKnownKeys(file: string, where: string, value: Record<string, unknown>, allowed: readonly string[], what: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      const path = where === '' ? key : `${where}.${key}`;
      throw new InputError(file, path, `unknown ${what} "${key}"${allowed.length === 0 ? '' : `; expected one of: ${allowed.join(', ')}`}`);
    }
  }
}
