/**
 * Who made a snapshot, and where (issue 25 §5): the operating system's user name and the host name,
 * recorded at import and collection so the report can say who obtained the data. A reproducible
 * run (SOURCE_DATE_EPOCH set, as the tests and golden samples do) records neither, and says why:
 * the same input must give the same bytes on every machine.
 */
import { hostname, userInfo } from 'node:os';

export interface RecordedOperator {
  readonly user: string | null;
  readonly host: string | null;
  /** Why a value is missing; null when both were recorded. */
  readonly note: string | null;
}

export function recordingOperator(environment: NodeJS.ProcessEnv = process.env): RecordedOperator {
  if (environment['SOURCE_DATE_EPOCH'] !== undefined) return { user: null, host: null, note: 'not recorded in a reproducible run (SOURCE_DATE_EPOCH set)' };
  let user: string | null = null;
  let note: string | null = null;
  try {
    user = userInfo().username || null;
  } catch (error) {
    // A user id with no passwd entry (some containers): the host is still worth recording.
    note = `the operating system gave no user name (${error instanceof Error ? error.message : String(error)})`;
  }
  const host = hostname() || null;
  if (host === null) note = [note, 'the operating system gave no host name'].filter((part) => part !== null).join('; ');
  return { user, host, note };
}
