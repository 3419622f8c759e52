import { CallFailure, errorAttempts, errorCode, errorMessage, redactSecrets } from './errors.js';
import type { ConcurrencyLimiter } from './limiter.js';

/** What every SDK output carries: the retry middleware writes the attempt count here. */
interface WithMetadata {
  readonly $metadata: { readonly attempts?: number };
}

export interface CallerOptions {
  readonly limiter: ConcurrencyLimiter;
  /** Time limit for one call, retries included. */
  readonly callTimeoutMs: number;
  /** Aborted when the whole run's time limit is reached. */
  readonly runSignal: AbortSignal;
  /** Secrets to strip from every message (secret key, session token). */
  readonly secrets: readonly string[];
  /** One line per call (--verbose); null when silent. */
  readonly log: ((line: string) => void) | null;
}

export const CALL_TIME_LIMIT_CODE = 'CallTimeLimitExceeded';
export const RUN_TIME_LIMIT_CODE = 'RunTimeLimitExceeded';

/**
 * Every AWS call of a collection goes through here: bounded concurrency, a time limit per call
 * and per run, counting of calls and retries (from the SDK's $metadata.attempts), a log line
 * per call, and failures turned into CallFailure with IAM's error code and no secret in them.
 */
export class ApiCaller {
  calls = 0;
  retries = 0;

  constructor(private readonly options: CallerOptions) {}

  get runAborted(): boolean {
    return this.options.runSignal.aborted;
  }

  /**
   * `api` is the IAM action (iam:ListUsers), which is also the permission the call needs;
   * `resource` names what the call is about (a user ARN) or null for account-wide calls.
   */
  async call<T extends WithMetadata>(api: string, resource: string | null, send: (signal: AbortSignal) => Promise<T>): Promise<T> {
    // Account-wide calls (a few dozen: list pages, report polls) go ahead of the thousands of
    // per-user calls, so the user total is known early and the report polls keep their rhythm.
    const urgent = resource === null;
    return this.options.limiter.run(async () => {
      if (this.options.runSignal.aborted) {
        throw new CallFailure(api, resource, RUN_TIME_LIMIT_CODE, 'not called: the run time limit was reached');
      }
      // A plain controller with a timer cleared at the end, not AbortSignal.timeout/any: those keep
      // every call's signal (and its timer) alive for the whole time limit, i.e. all of them at once.
      const controller = new AbortController();
      let callTimedOut = false;
      const timer = setTimeout(() => {
        callTimedOut = true;
        controller.abort();
      }, this.options.callTimeoutMs);
      const onRunAbort = (): void => controller.abort();
      this.options.runSignal.addEventListener('abort', onRunAbort, { once: true });
      const started = performance.now();
      this.calls += 1;
      try {
        const output = await send(controller.signal);
        const attempts = output.$metadata.attempts ?? 1;
        this.retries += attempts - 1;
        this.logLine(api, resource, `ok, ${attempts} attempt${attempts === 1 ? '' : 's'}`, started);
        return output;
      } catch (error) {
        const attempts = errorAttempts(error);
        this.retries += Math.max(0, attempts - 1);
        let code = errorCode(error);
        let message = redactSecrets(errorMessage(error), this.options.secrets);
        if (code === 'AbortError' || controller.signal.aborted) {
          if (callTimedOut) {
            code = CALL_TIME_LIMIT_CODE;
            message = `no answer within the call time limit of ${this.options.callTimeoutMs / 1000} s`;
          } else {
            code = RUN_TIME_LIMIT_CODE;
            message = 'the run time limit was reached before the call completed';
          }
        }
        this.logLine(api, resource, `failed: ${code}, ${attempts} attempt${attempts === 1 ? '' : 's'}`, started);
        throw new CallFailure(api, resource, code, message);
      } finally {
        clearTimeout(timer);
        this.options.runSignal.removeEventListener('abort', onRunAbort);
      }
    }, urgent);
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
