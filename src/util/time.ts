import { UserError } from './errors.js';

/**
 * Time helpers. Nothing here reads the clock except `runClock`, which the CLI uses for the run's
 * own timestamps (audit start and end); analysis only ever sees the snapshot's capture time.
 */

/** Normalises an instant to UTC with a `Z` suffix, dropping milliseconds when they are zero. */
export function toIsoUtc(date: Date): string {
  const iso = date.toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

export const MS_PER_DAY = 86_400_000;

/** The snapshot's one instant format: UTC, `T` and `Z` in capitals, optional fraction of a second. */
const UTC_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?Z$/;
/** The same with a numeric offset allowed, as AWS writes credential-report times (`+00:00`). */
const OFFSET_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|([+-])(\d{2}):(\d{2}))$/;

/**
 * Parses an ISO 8601 instant, refusing anything that is not a real calendar time: month 13,
 * February 30, `T24:00`, second 60, a lowercase `t` or `z`. `Date` alone rolls such values over
 * (2025-02-30 becomes March 2; 24:00 the next day) or gives NaN, and either would reach the
 * age checks. With `offsets`, `+hh:mm` / `-hh:mm` are accepted and converted to UTC; without,
 * only `Z` is.
 */
export function parseStrictInstant(text: string, options: { readonly offsets: boolean } = { offsets: false }): Date | null {
  const match = (options.offsets ? OFFSET_INSTANT : UTC_INSTANT).exec(text);
  if (match === null) return null;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const calendarDay = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear keeps the year as written.
  calendarDay.setUTCFullYear(year);
  if (calendarDay.getUTCDate() !== day || calendarDay.getUTCMonth() !== month - 1) return null;
  let offsetMinutes = 0;
  if (options.offsets && match[8] !== 'Z') {
    const offsetHours = Number(match[10]);
    const offsetMins = Number(match[11]);
    if (offsetHours > 23 || offsetMins > 59) return null;
    offsetMinutes = (match[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  const fraction = match[7] === undefined ? 0 : Math.floor(Number(`0${match[7]}`) * 1000);
  const ms = calendarDay.getTime() + ((hour * 60 + minute) * 60 + second) * 1000 + fraction - offsetMinutes * 60_000;
  const date = new Date(ms);
  // An offset can carry 9999-12-31 into year 10000, which ISO 8601's four digits cannot write.
  if (!Number.isFinite(date.getTime()) || date.getUTCFullYear() < 0 || date.getUTCFullYear() > 9999) return null;
  return date;
}

/** True when `text` is an instant in the snapshot's format (UTC with `Z`) and a real calendar time. */
export function isUtcInstant(text: string): boolean {
  return parseStrictInstant(text) !== null;
}

/**
 * The original script's timestamp style (Python's isoformat with microseconds), in UTC:
 * 2026-01-02T14:30:00.123456. JavaScript clocks have millisecond precision, so the last three
 * digits are zero.
 */
export function pythonIsoformat(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 23)}000`;
}

/** The original script's file-name stamp: 2026-01-02T14-30-00. */
export function fileStamp(iso: string): string {
  return new Date(iso).toISOString().slice(0, 19).replace(/:/g, '-');
}

/**
 * The run's clock. `SOURCE_DATE_EPOCH` (seconds since 1970, as in reproducible builds) fixes it so
 * that two runs produce byte-identical files.
 */
export function runClock(environment: NodeJS.ProcessEnv = process.env): () => Date {
  const epoch = environment['SOURCE_DATE_EPOCH'];
  if (epoch !== undefined && epoch !== '') {
    if (!/^\d+$/.test(epoch)) throw new UserError(`SOURCE_DATE_EPOCH must be whole seconds since 1970, got "${epoch}"`);
    const fixed = Number(epoch) * 1000;
    return () => new Date(fixed);
  }
  return () => new Date();
}
