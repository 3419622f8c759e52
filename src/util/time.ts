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
