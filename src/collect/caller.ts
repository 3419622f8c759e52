import { CallFailure, CONNECTION_FAILURE_CODES, errorAttempts, errorCode, errorHttpStatus, errorMessage, MALFORMED_RESPONSE_CODE, redactSecrets, retryKind } from './errors.js';
import type { ConcurrencyLimiter } from './limiter.js';
import { missingRequiredMember, type Checked, type CollectedApi } from './required-members.js';
import type { ApiOperationCalls } from '../snapshot/types.js';
import { toIsoUtc } from '../util/time.js';

/** What every SDK output carries. */
interface WithMetadata {
  readonly $metadata: { readonly attempts?: number; readonly httpStatusCode?: number };
}

export interface CallerOptions {
  readonly limiter: ConcurrencyLimiter;
  /** Time limit for one call: the time its attempts spend on the wire (queueing and backoff excluded). */
  readonly callTimeoutMs: number;
  /** Aborted when the whole run's time limit is reached. */
  readonly runSignal: AbortSignal;
  /** Secrets to strip from every message (access key id, secret key, session token). */
  readonly secrets: readonly string[];
  /** One line per call (--verbose); null when silent. */
  readonly log: ((line: string) => void) | null;
  /** Attempts per call for throttling, server errors and failed connections (default 1: no retry). */
  readonly maxAttempts?: number;
  /** Base of the exponential backoff between attempts (default 100 ms; throttling waits five times longer). */
  readonly retryBaseDelayMs?: number;
  /** Calls in a row that found no endpoint at all before the collection stops calling (default 3). */
  readonly unreachableAfter?: number;
  /** The run clock, for each API's first and last call time (default: the system clock). */
  readonly clock?: () => Date;
}

/** One API's counters while collecting (see ApiOperationCalls in the snapshot). */
interface OperationCounter {
  calls: number;
  retries: number;
  errors: number;
  firstCallAt: Date | null;
  lastCallAt: Date | null;
}

export const CALL_TIME_LIMIT_CODE = 'CallTimeLimitExceeded';
export const RUN_TIME_LIMIT_CODE = 'RunTimeLimitExceeded';
export const ENDPOINT_UNREACHABLE_CODE = 'EndpointUnreachable';

/** Why the caller stopped calling: the endpoint stopped answering altogether. */
export interface Unreachable {
  readonly code: string;
  readonly message: string;
  /** Calls made when it stopped. */
  readonly afterCalls: number;
}

/**
 * Waits `ms`, or less when the run is aborted; never rejects. The abort listener is removed when
 * the timer fires, so a long run's many waits leave no listeners behind on the run's signal.
 */
export const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });

/**
 * Spacing between the starts of one API's calls, widened when that API is throttled and narrowed
 * again as its calls succeed: IAM's limits are per API, so one API slowing down leaves the others
 * at full speed (the SDK's adaptive mode paces the whole client instead).
 */
class ApiPacer {
  private nextStartAt = 0;
  private intervalMs = 0;

  async wait(signal: AbortSignal): Promise<void> {
    const now = performance.now();
    const startAt = Math.max(now, this.nextStartAt);
    this.nextStartAt = startAt + this.intervalMs;
    if (startAt > now) await sleep(startAt - now, signal);
  }

  throttled(): void {
    this.intervalMs = Math.min(Math.max(this.intervalMs * 2, 5), 1_000);
  }

  succeeded(): void {
    this.intervalMs = this.intervalMs < 1 ? 0 : this.intervalMs * 0.95;
  }
}

type AttemptResult<T> = { readonly ok: true; readonly output: T; readonly wireMs: number } | { readonly ok: false; readonly failure: CallFailure; readonly retry: ReturnType<typeof retryKind>; readonly wireMs: number };

/**
 * Every AWS call of a collection goes through here: bounded concurrency, retries with backoff, a
 * time limit per call and per run, counting of calls and retries, a log line per call, and
 * failures turned into CallFailure with IAM's error code and no secret in them, and answers that
 * lack a member their call must return (required-members.ts) refused as `malformed_response`.
 *
 * Retries are made here rather than by the SDK, for two reasons: a call waiting to retry gives
 * its concurrency slot to other calls (the SDK sleeps inside `send`, so a throttled API would hold
 * every slot and stall the others), and the call time limit can count time on the wire only. IAM
 * throttles per API, so the pacing after a throttle is per API too (ApiPacer).
 */
export class ApiCaller {
  calls = 0;
  retries = 0;
  private consecutiveUnreachable = 0;
  private stopped: Unreachable | null = null;
  private readonly pacers = new Map<string, ApiPacer>();
  private readonly operations = new Map<string, OperationCounter>();

  constructor(private readonly options: CallerOptions) {}

  private counter(api: string): OperationCounter {
    let counter = this.operations.get(api);
    if (counter === undefined) this.operations.set(api, (counter = { calls: 0, retries: 0, errors: 0, firstCallAt: null, lastCallAt: null }));
    return counter;
  }

  private now(): Date {
    return this.options.clock?.() ?? new Date();
  }

  /** Calls, retries and errors per API operation, sorted by name: the snapshot's apiCallsByOperation. */
  operationCalls(): ApiOperationCalls[] {
    return [...this.operations.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([api, counter]) => ({
        api,
        calls: counter.calls,
        retries: counter.retries,
        errors: counter.errors,
        firstCallAt: counter.firstCallAt === null ? null : toIsoUtc(counter.firstCallAt),
        lastCallAt: counter.lastCallAt === null ? null : toIsoUtc(counter.lastCallAt),
      }));
  }

  get runAborted(): boolean {
    return this.options.runSignal.aborted;
  }

  /** Set once the endpoint stopped answering altogether; every later call fails at once. */
  get unreachable(): Unreachable | null {
    return this.stopped;
  }

  /**
   * `api` is the IAM action (iam:ListUsers), which is also the permission the call needs;
   * `resource` names what the call is about (a user ARN) or null for account-wide calls. The answer
   * comes back only with every member REQUIRED_MEMBERS declares for `api`.
   */
  async call<Api extends CollectedApi, T extends WithMetadata>(api: Api, resource: string | null, send: (signal: AbortSignal) => Promise<T>): Promise<Checked<Api, T>> {
    const maxAttempts = this.options.maxAttempts ?? 1;
    const started = performance.now();
    let pacer = this.pacers.get(api);
    if (pacer === undefined) this.pacers.set(api, (pacer = new ApiPacer()));
    let wireMs = 0;
    const counter = this.counter(api);
    counter.firstCallAt ??= this.now();
    for (let attempt = 1; ; attempt += 1) {
      await pacer.wait(this.options.runSignal);
      const result = await this.attemptOnce(api, resource, send, this.options.callTimeoutMs - wireMs, attempt === 1);
      wireMs += result.wireMs;
      const attempts = `${attempt} attempt${attempt === 1 ? '' : 's'}`;
      if (result.ok) {
        pacer.succeeded();
        counter.lastCallAt = this.now();
        this.consecutiveUnreachable = 0;
        this.logLine(api, resource, `ok, ${attempts}`, started);
        return result.output;
      }
      const failure = result.failure;
      this.noteConnection(failure);
      if (result.retry === 'throttling') pacer.throttled();
      if (result.retry === null || attempt >= maxAttempts || this.stopped !== null || wireMs >= this.options.callTimeoutMs) {
        this.logLine(api, resource, `failed: ${failure.code}, ${attempts}`, started);
        counter.errors += 1;
        counter.lastCallAt = this.now();
        throw failure;
      }
      this.retries += 1;
      counter.retries += 1;
      await sleep(this.backoffMs(attempt, result.retry), this.options.runSignal);
    }
  }

  /** One attempt inside a concurrency slot; its timer covers only this attempt's time on the wire. */
  private attemptOnce<Api extends CollectedApi, T extends WithMetadata>(
    api: Api,
    resource: string | null,
    send: (signal: AbortSignal) => Promise<T>,
    budgetMs: number,
    first: boolean,
  ): Promise<AttemptResult<Checked<Api, T>>> {
    // Account-wide calls (a few dozen: list pages, report polls) go ahead of the thousands of
    // per-user calls, so the user total is known early and the report polls keep their rhythm.
    const urgent = resource === null;
    return this.options.limiter.run(async (): Promise<AttemptResult<Checked<Api, T>>> => {
      if (this.options.runSignal.aborted) {
        return { ok: false, failure: new CallFailure(api, resource, RUN_TIME_LIMIT_CODE, 'not called: the run time limit was reached'), retry: null, wireMs: 0 };
      }
      if (this.stopped !== null) {
        return { ok: false, failure: new CallFailure(api, resource, ENDPOINT_UNREACHABLE_CODE, `not called: the endpoint stopped answering (${this.stopped.code})`), retry: null, wireMs: 0 };
      }
      // A plain controller with a timer cleared at the end, not AbortSignal.timeout/any: those keep
      // every call's signal (and its timer) alive for the whole time limit, i.e. all of them at once.
      const controller = new AbortController();
      let callTimedOut = false;
      const timer = setTimeout(() => {
        callTimedOut = true;
        controller.abort();
      }, Math.max(1, budgetMs));
      const onRunAbort = (): void => controller.abort();
      this.options.runSignal.addEventListener('abort', onRunAbort, { once: true });
      const wireStarted = performance.now();
      // A call is counted once, however many attempts it takes (those are `retries`).
      if (first) {
        this.calls += 1;
        this.counter(api).calls += 1;
      }
      try {
        const output = await send(controller.signal);
        const wireMs = performance.now() - wireStarted;
        const missing = missingRequiredMember(api, output);
        if (missing !== null) {
          // Not retried: a well-formed error would have been; an answer without its data is not throttling.
          const status = output.$metadata.httpStatusCode ?? 'no status';
          const failure = new CallFailure(api, resource, MALFORMED_RESPONSE_CODE, `the answer (HTTP ${status}) has no ${missing}: not data, so nothing is concluded from it`);
          return { ok: false, failure, retry: null, wireMs };
        }
        return { ok: true, output: output as Checked<Api, T>, wireMs };
      } catch (error) {
        const sdkRetries = Math.max(0, errorAttempts(error) - 1);
        this.retries += sdkRetries;
        this.counter(api).retries += sdkRetries;
        let code = errorCode(error);
        let message = redactSecrets(errorMessage(error), this.options.secrets);
        let retry = retryKind(code, errorHttpStatus(error));
        if (code === 'AbortError' || controller.signal.aborted) {
          retry = null;
          if (callTimedOut) {
            code = CALL_TIME_LIMIT_CODE;
            message = `no answer within the call time limit of ${this.options.callTimeoutMs / 1000} s`;
          } else {
            code = RUN_TIME_LIMIT_CODE;
            message = 'the run time limit was reached before the call completed';
          }
        }
        return { ok: false, failure: new CallFailure(api, resource, code, message), retry, wireMs: performance.now() - wireStarted };
      } finally {
        clearTimeout(timer);
        this.options.runSignal.removeEventListener('abort', onRunAbort);
      }
    }, urgent);
  }

  /** Exponential backoff; throttling starts from a five times longer base (the SDK's 500 ms against 100 ms). */
  private backoffMs(attempt: number, kind: 'throttling' | 'transient'): number {
    const base = (this.options.retryBaseDelayMs ?? 100) * (kind === 'throttling' ? 5 : 1);
    const ceiling = Math.min(base * 2 ** (attempt - 1), 20_000);
    // Half fixed, half random: spread out, yet never a retry storm of zero waits.
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }

  /** Counts calls in a row that reached no endpoint; enough of them stop all further calls. */
  private noteConnection(failure: CallFailure): void {
    if (!CONNECTION_FAILURE_CODES.has(failure.code)) {
      if (failure.code !== ENDPOINT_UNREACHABLE_CODE) this.consecutiveUnreachable = 0;
      return;
    }
    this.consecutiveUnreachable += 1;
    if (this.stopped === null && this.consecutiveUnreachable >= (this.options.unreachableAfter ?? 3)) {
      this.stopped = { code: failure.code, message: failure.message, afterCalls: this.calls };
    }
  }

  private logLine(api: string, resource: string | null, outcome: string, started: number): void {
    if (this.options.log === null) return;
    const elapsed = Math.round(performance.now() - started);
    this.options.log(`${api}${resource === null ? '' : ` ${resource}`}: ${outcome}, ${elapsed} ms`);
  }
}

/** Outcome of a call that may fail for good without stopping the collection. */
export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: CallFailure };

export async function attempt<T>(work: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    // Only failures of AWS calls are data; anything else is a bug and must surface.
    if (error instanceof CallFailure) return { ok: false, failure: error };
    throw error;
  }
}
