/**
 * The exceptions file as the engine applies it: entries in file order (the first match wins),
 * split at the evaluation time into active and expired, matched per rule by exact ARN or name or
 * by a glob, and reported at the end (expired, unused).
 */
import type { ResourceRef } from '../rules/rule.js';
import type { FileIdentity } from './file-identity.js';
import type { AppliedException, ExceptionRegisterEntry, ExceptionsReport } from './result.js';
import { picomatch } from '../util/globs.js';

/** One validated entry of the exceptions file. */
export interface RuleException {
  /** Position in the file (0-based), to name the entry in messages. */
  readonly index: number;
  readonly ruleId: string;
  /** Exact ARN, exact resource name, or a picomatch glob over either. */
  readonly resource: string;
  readonly justification: string;
  readonly approvedBy: string;
  /** As written in the file: a date (valid through that whole UTC day) or an ISO instant. */
  readonly expires: string;
  /** The first instant (ms) at which the exception no longer applies. */
  readonly expiresAtMs: number;
  /** Optional record-keeping fields (issue 25 §6), printed when given. */
  readonly approvedAt?: string;
  readonly ticket?: string;
  readonly risk?: string;
}

/** The optional fields an entry carries, only those given (so files without them give the same output as before). */
export function exceptionDetails(entry: Pick<RuleException, 'approvedAt' | 'ticket' | 'risk'>): { approvedAt?: string; ticket?: string; risk?: string } {
  return {
    ...(entry.approvedAt === undefined ? {} : { approvedAt: entry.approvedAt }),
    ...(entry.ticket === undefined ? {} : { ticket: entry.ticket }),
    ...(entry.risk === undefined ? {} : { risk: entry.risk }),
  };
}

export interface ExceptionList {
  readonly file: FileIdentity | null;
  readonly entries: readonly RuleException[];
}

export const NO_EXCEPTIONS: ExceptionList = { file: null, entries: [] };

export function applied(entry: RuleException): AppliedException {
  return { justification: entry.justification, approvedBy: entry.approvedBy, expires: entry.expires, resourcePattern: entry.resource, entryIndex: entry.index, ...exceptionDetails(entry) };
}

export interface TrackedException {
  readonly entry: RuleException;
  used: boolean;
  /** Failed results it matched: excepted (active) or failing again (expired). */
  covered: number;
}

/**
 * One rule's active exceptions, ready to match many results: exact patterns (ARN or name) in a
 * map, globs compiled once to regular expressions. The first matching entry in file order wins.
 */
export class ExceptionMatcher {
  private readonly exact = new Map<string, TrackedException[]>();
  private readonly globs: { readonly exception: TrackedException; readonly pattern: RegExp }[] = [];

  constructor(exceptions: readonly TrackedException[]) {
    for (const exception of exceptions) {
      const resource = exception.entry.resource;
      if (picomatch().scan(resource).isGlob) this.globs.push({ exception, pattern: picomatch().makeRe(resource, { dot: true }) });
      else this.exact.set(resource, [...(this.exact.get(resource) ?? []), exception]);
    }
  }

  get empty(): boolean {
    return this.exact.size === 0 && this.globs.length === 0;
  }

  match(resource: ResourceRef): TrackedException | undefined {
    let best: TrackedException | undefined;
    for (const key of [resource.arn, resource.name]) {
      for (const candidate of this.exact.get(key) ?? []) {
        if (best === undefined || candidate.entry.index < best.entry.index) best = candidate;
      }
    }
    for (const { exception, pattern } of this.globs) {
      if (best !== undefined && exception.entry.index > best.entry.index) break;
      if (pattern.test(resource.arn) || pattern.test(resource.name)) {
        best = exception;
        break;
      }
    }
    return best;
  }
}


/** The entries in file order, split at `now` into the active and the expired. */
export function trackExceptions(list: ExceptionList, now: number): { readonly active: TrackedException[]; readonly expired: TrackedException[] } {
  const tracked: TrackedException[] = [...list.entries].sort((a, b) => a.index - b.index).map((entry) => ({ entry, used: false, covered: 0 }));
  return { active: tracked.filter((exception) => now < exception.entry.expiresAtMs), expired: tracked.filter((exception) => now >= exception.entry.expiresAtMs) };
}

/** The exceptions' own report: which had expired, which matched nothing. Read after every rule ran. */
export function exceptionsReport(file: FileIdentity | null, active: readonly TrackedException[], expired: readonly TrackedException[]): ExceptionsReport {
  return {
    file,
    expired: expired.map(({ entry }) => ({ ruleId: entry.ruleId, resourcePattern: entry.resource, expires: entry.expires, justification: entry.justification })),
    unused: active
      .filter((exception) => !exception.used)
      .map(({ entry }) => ({ ruleId: entry.ruleId, resourcePattern: entry.resource, justification: entry.justification })),
    register: [
      ...active.map((exception) => registerEntry(exception, 'active')),
      ...expired.map((exception) => registerEntry(exception, 'expired')),
    ].sort((a, b) => a.index - b.index),
  };
}

function registerEntry({ entry, covered }: TrackedException, state: 'active' | 'expired'): ExceptionRegisterEntry {
  return {
    index: entry.index,
    ruleId: entry.ruleId,
    resourcePattern: entry.resource,
    justification: entry.justification,
    approvedBy: entry.approvedBy,
    expires: entry.expires,
    ...exceptionDetails(entry),
    state,
    covered,
  };
}
