import { UserError } from '../util/errors.js';

/** Parses a --generated-at / --as-of value: an ISO 8601 instant with a zone (Z or +hh:mm). */
export function parseInstant(flag: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(value)) {
    throw new UserError(`--${flag} "${value}" is not an ISO 8601 time with a zone, such as 2026-01-02T14:30:00Z`);
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new UserError(`--${flag} "${value}" is not a valid time`);
  return date;
}

/** Set by a command handler; main.ts exits with it. */
export const commandOutcome: { exitCode: number } = { exitCode: 0 };
