import { UserError } from '../util/errors.js';
import { parseStrictInstant } from '../util/time.js';

/** Parses a --generated-at / --as-of value: an ISO 8601 instant with a zone (Z or +hh:mm). */
export function parseInstant(flag: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const parts = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(:\d{2}(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/.exec(value);
  if (parts === null) {
    throw new UserError(`--${flag} "${value}" is not an ISO 8601 time with a zone, such as 2026-01-02T14:30:00Z`);
  }
  // Seconds may be left out and the offset written +hhmm; the calendar check is the importer's.
  const [, minutes = '', seconds = ':00', zone = ''] = parts;
  const offset = zone === 'Z' || zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const date = parseStrictInstant(`${minutes}${seconds}${offset}`, { offsets: true });
  if (date === null) throw new UserError(`--${flag} "${value}" is not a real calendar time (month 1-12, a day the month has, hours 00-23)`);
  return date;
}

/** Set by a command handler; main.ts exits with it. */
export const commandOutcome: { exitCode: number } = { exitCode: 0 };
