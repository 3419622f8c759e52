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

/**
 * Answers of isPastDay and utcDayAfter by their arguments. A report asks them once per failed
 * result (a due date, whether it is overdue) with a handful of distinct arguments: the capture
 * time, the evaluation and report times, a few due days. Each answer is worked out once; the
 * caches are bounded (dropped whole when full: a new Map, not clear(), see docs/performance.md).
 */
const CACHED_ANSWERS = 4096;

/** Answers by two keys, dropped whole when CACHED_ANSWERS are held. */
class BoundedAnswers<Outer, Inner, Answer> {
  private byOuter = new Map<Outer, Map<Inner, Answer>>();
  private size = 0;

  answer(outer: Outer, inner: Inner, work: (outer: Outer, inner: Inner) => Answer): Answer {
    let byInner = this.byOuter.get(outer);
    const cached = byInner?.get(inner);
    if (cached !== undefined) return cached;
    const answer = work(outer, inner);
    if (this.size >= CACHED_ANSWERS) {
      this.byOuter = new Map();
      this.size = 0;
      byInner = undefined;
    }
    if (byInner === undefined) this.byOuter.set(outer, (byInner = new Map()));
    byInner.set(inner, answer);
    this.size += 1;
    return answer;
  }
}

const pastDays = new BoundedAnswers<string, string, boolean>();
const daysAfter = new BoundedAnswers<number, string, string>();

const pastDay = (instant: string, day: string): boolean => Date.parse(instant) >= Date.parse(`${day}T00:00:00Z`) + MS_PER_DAY;
const dayAfter = (days: number, instant: string): string => new Date(Date.parse(instant) + days * MS_PER_DAY).toISOString().slice(0, 10);

/** True when `instant` is past the whole UTC day `day` (YYYY-MM-DD): a finding due today is not yet overdue. */
export function isPastDay(day: string, instant: string): boolean {
  return pastDays.answer(instant, day, pastDay);
}

/** The UTC day `days` after `instant`, as YYYY-MM-DD (a due date: app/shared/remediation.ts, the JSON report's tracking). */
export function utcDayAfter(instant: string, days: number): string {
  return daysAfter.answer(days, instant, dayAfter);
}

/** The snapshot's one instant format: UTC, `T` and `Z` in capitals, optional fraction of a second. */
const UTC_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?Z$/;
/** The same with a numeric offset allowed, as AWS writes credential-report times (`+00:00`). */
const OFFSET_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|([+-])(\d{2}):(\d{2}))$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

/** The fields of a matched instant when they name a real calendar time, else null. */
function calendarFields(match: RegExpExecArray): { year: number; month: number; day: number; hour: number; minute: number; second: number } | null {
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  const hour = Number(match[4]);
  const minute = Number(match[5]);
  const second = Number(match[6]);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const monthDays = month === 2 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
  return day > monthDays ? null : { year, month, day, hour, minute, second };
}

/**
 * Parses an ISO 8601 instant, refusing anything that is not a real calendar time: month 13,
 * February 30, `T24:00`, second 60, a lowercase `t` or `z`. `Date` alone rolls such values over
 * (2025-02-30 becomes March 2; 24:00 the next day) or gives NaN, and either would reach the
 * age checks. With `offsets`, `+hh:mm` / `-hh:mm` are accepted and converted to UTC; without,
 * only `Z` is.
 */
export function parseStrictInstant(text: string, options: { readonly offsets: boolean } = { offsets: false }): Date | null {
  const ms = parseStrictInstantMs(text, options);
  return ms === null ? null : new Date(ms);
}

/**
 * The common forms' instant in ms since 1970, read from the characters: whole seconds in UTC, `Z`
 * (the snapshot's form) or `+00:00` (the credential report's). NaN when the text is not in one of
 * these forms (the general path then decides); null when it is, but names no real calendar time.
 */
function wholeSecondUtcMs(text: string, offsets: boolean): number | null {
  const length = text.length;
  if (length === 20) {
    if (text.charCodeAt(19) !== 90 /* Z */) return Number.NaN;
  } else if (length !== 25 || !offsets || !text.endsWith('+00:00')) return Number.NaN;
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(10) !== 84 || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return Number.NaN;
  return calendarSecondMs(text);
}

/**
 * The instant the first 19 characters name (`YYYY-MM-DDThh:mm:ss`, separators already checked), in
 * ms since 1970 as UTC: NaN when a field is not digits, null when it names no real calendar time.
 */
function calendarSecondMs(text: string): number | null {
  const year = fixedDigits(text, 0, 4);
  const month = fixedDigits(text, 5, 2);
  const day = fixedDigits(text, 8, 2);
  const hour = fixedDigits(text, 11, 2);
  const minute = fixedDigits(text, 14, 2);
  const second = fixedDigits(text, 17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return Number.NaN;
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const monthDays = month === 2 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
  if (day > monthDays) return null;
  return (daysSinceEpoch(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second) * 1000;
}

/** The number `count` decimal digits at `from` write, or -1 when one is not a digit. */
function fixedDigits(text: string, from: number, count: number): number {
  let value = 0;
  for (let index = from; index < from + count; index += 1) {
    const code = text.charCodeAt(index) - 48;
    if (code < 0 || code > 9) return -1;
    value = value * 10 + code;
  }
  return value;
}

/** Days from 1970-01-01 to a day of the proleptic Gregorian calendar (as Date counts them), without a Date. */
function daysSinceEpoch(year: number, month: number, day: number): number {
  const shifted = month <= 2 ? year - 1 : year;
  const era = Math.floor(shifted / 400);
  const yearOfEra = shifted - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** parseStrictInstant's instant in ms since 1970, without a Date for the common forms (the importer reads a million of them). */
export function parseStrictInstantMs(text: string, options: { readonly offsets: boolean } = { offsets: false }): number | null {
  const fast = wholeSecondUtcMs(text, options.offsets);
  if (fast === null || !Number.isNaN(fast)) return fast;
  const match = (options.offsets ? OFFSET_INSTANT : UTC_INSTANT).exec(text);
  if (match === null) return null;
  const fields = calendarFields(match);
  if (fields === null) return null;
  let offsetMinutes = 0;
  if (options.offsets && match[8] !== 'Z') {
    const offsetHours = Number(match[10]);
    const offsetMins = Number(match[11]);
    if (offsetHours > 23 || offsetMins > 59) return null;
    offsetMinutes = (match[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  const calendarDay = new Date(Date.UTC(fields.year, fields.month - 1, fields.day));
  // Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear keeps the year as written.
  if (fields.year < 100) calendarDay.setUTCFullYear(fields.year);
  const fraction = match[7] === undefined ? 0 : Math.floor(Number(`0${match[7]}`) * 1000);
  const ms = calendarDay.getTime() + ((fields.hour * 60 + fields.minute) * 60 + fields.second) * 1000 + fraction - offsetMinutes * 60_000;
  const date = new Date(ms);
  // An offset can carry 9999-12-31 into year 10000, which ISO 8601's four digits cannot write.
  if (!Number.isFinite(date.getTime()) || date.getUTCFullYear() < 0 || date.getUTCFullYear() > 9999) return null;
  return ms;
}

/**
 * True when `text` is an instant in the snapshot's format (UTC with `Z`) and a real calendar
 * time. Checked for every instant on every read (a million on a large account), so it reads the
 * characters directly instead of matching a regular expression and building a Date.
 */
export function isUtcInstant(text: string): boolean {
  const length = text.length;
  if (length < 20 || length > 30 || text.charCodeAt(length - 1) !== 90 /* Z */) return false;
  if (text[4] !== '-' || text[7] !== '-' || text[10] !== 'T' || text[13] !== ':' || text[16] !== ':') return false;
  if (length === 20) {
    if (text[19] !== 'Z') return false;
  } else if (text[19] !== '.' || length < 22 || fixedDigits(text, 20, length - 21) < 0) return false;
  const ms = calendarSecondMs(text);
  return ms !== null && !Number.isNaN(ms);
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
