/**
 * Reading a report JSON's values: each refused, when it does not fit, with one line naming the file
 * and the field (app/shared/report-results.ts and its helpers read through it).
 */
import { InputError } from '../../util/errors.js';

export type Json = Record<string, unknown>;

export const isJsonObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Reads a report JSON's values, refusing what does not fit with the file and the field named. */
export class ReportReader {
  constructor(readonly path: string) {}
  fail(where: string, problem: string): never {
    throw new InputError(this.path, where, problem);
  }
  object(value: unknown, where: string): Json {
    return isJsonObject(value) ? value : this.fail(where, 'expected an object; is this a report JSON written by iam-audit report --format json?');
  }
  array(value: unknown, where: string): unknown[] {
    return Array.isArray(value) ? value : this.fail(where, 'expected a list; is this a report JSON written by iam-audit report --format json?');
  }
  text(value: unknown, where: string): string {
    return typeof value === 'string' ? value : this.fail(where, 'expected text');
  }
  optionalText(value: unknown): string | null {
    return typeof value === 'string' ? value : null;
  }
  number(value: unknown, where: string): number {
    return typeof value === 'number' && Number.isFinite(value) ? value : this.fail(where, 'expected a number');
  }
  time(value: unknown, where: string): string {
    const text = this.text(value, where);
    return Number.isNaN(Date.parse(text)) ? this.fail(where, `${JSON.stringify(text)} is not a time`) : text;
  }
}
