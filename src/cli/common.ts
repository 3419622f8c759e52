import { UserError } from '../util/errors.js';
import { parseStrictInstant } from '../util/time.js';
import { DEFAULT_CLOCK_SKEW_MS } from '../snapshot/capture-times.js';

/** The largest --clock-skew: a day covers any time-zone slip; more would wave through a report dated before its data. */
const MAX_CLOCK_SKEW_SECONDS = 86_400;

/** --clock-skew, as `import`, `collect`, `report` and `audit` declare it. */
export const CLOCK_SKEW_OPTION = {
  type: 'number',
  default: DEFAULT_CLOCK_SKEW_MS / 1000,
  requiresArg: true,
  describe: 'seconds a creation, last use, rotation or change may lie after the capture time (clocks that disagree) before the input is refused; 0 to 86400',
} as const;

/** Parses --clock-skew (seconds) into milliseconds. */
export function parseClockSkew(value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_CLOCK_SKEW_SECONDS) {
    throw new UserError(`--clock-skew must be a number of seconds from 0 to ${MAX_CLOCK_SKEW_SECONDS}, got ${String(value)}`);
  }
  return Math.round(value * 1000);
}

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
