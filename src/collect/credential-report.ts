import { GenerateCredentialReportCommand, GetCredentialReportCommand, type IAMClient } from '@aws-sdk/client-iam';
import { importCredentialReport, type ImportOutcome } from '../import/credential-report.js';
import { UserError } from '../util/errors.js';
import { absent, type CollectionError, type Fact } from '../snapshot/types.js';
import { toIsoUtc } from '../util/time.js';
import { attempt, sleep, type ApiCaller } from './caller.js';
import { CallFailure } from './errors.js';
import { StageFailures } from './failures.js';

export interface ReportFetchOptions {
  /** Give up waiting for the report after this long. */
  readonly timeoutMs: number;
  /** First wait between polls; doubles up to 8 times the base... capped at `maxPollDelayMs`. */
  readonly pollBaseMs: number;
  readonly maxPollDelayMs: number;
}

export const REPORT_TIMEOUT_CODE = 'CredentialReportTimeout';
export const REPORT_INVALID_CODE = 'InvalidCredentialReport';

/** The report is being made (or was asked for too often): wait and poll again. */
const NOT_READY_CODES = new Set(['ReportInProgress', 'LimitExceeded']);
/** There is no usable report: ask IAM to generate one. */
const REGENERATE_CODES = new Set(['ReportNotPresent', 'ReportExpired']);

/**
 * GenerateCredentialReport, polled with exponential backoff until COMPLETE (LimitExceeded and
 * ReportInProgress mean "wait"), then GetCredentialReport; parsed by the same reader as `import`,
 * with IAM's GeneratedTime as the capture time. Throws CallFailure when it cannot be had in time.
 */
export async function fetchCredentialReport(iam: IAMClient, caller: ApiCaller, options: ReportFetchOptions, runSignal: AbortSignal): Promise<ImportOutcome> {
  const deadline = Date.now() + options.timeoutMs;
  let delay = options.pollBaseMs;
  let lastState = 'not asked';
  for (;;) {
    let complete = false;
    try {
      const generated = await caller.call('iam:GenerateCredentialReport', null, (abortSignal) => iam.send(new GenerateCredentialReportCommand({}), { abortSignal }));
      lastState = generated.State;
      complete = generated.State === 'COMPLETE';
    } catch (error) {
      if (!(error instanceof CallFailure) || !NOT_READY_CODES.has(error.code)) throw error;
      lastState = error.code;
    }
    if (complete) {
      try {
        const report = await caller.call('iam:GetCredentialReport', null, (abortSignal) => iam.send(new GetCredentialReportCommand({}), { abortSignal }));
        try {
          return importCredentialReport(report.Content, {
            generatedAt: report.GeneratedTime,
            fileName: null,
            displayPath: 'credential report (GetCredentialReport)',
          });
        } catch (parseError) {
          if (parseError instanceof UserError) throw new CallFailure('iam:GetCredentialReport', null, REPORT_INVALID_CODE, parseError.message);
          throw parseError;
        }
      } catch (error) {
        if (!(error instanceof CallFailure) || !(NOT_READY_CODES.has(error.code) || REGENERATE_CODES.has(error.code))) throw error;
        lastState = error.code;
      }
    }
    if (Date.now() + delay > deadline) {
      throw new CallFailure(
        'iam:GenerateCredentialReport',
        null,
        REPORT_TIMEOUT_CODE,
        `the credential report was not ready within ${options.timeoutMs / 1000} s (last state: ${lastState})`,
      );
    }
    await sleep(delay, runSignal);
    delay = Math.min(delay * 2, options.maxPollDelayMs);
  }
}

/** Stage 6 (with --source both): the credential report, for the dates only it has. */
export interface ReportStage {
  /** null when it could not be had or names another account. */
  readonly report: ImportOutcome | null;
  /** The absent fact for what only the report has, when getting it failed; null otherwise. */
  readonly failure: Fact<never> | null;
  readonly errors: readonly CollectionError[];
  readonly warnings: readonly string[];
}

export const STALE_REPORT_CODE = 'StaleCredentialReport';
/** IAM regenerates a report older than four hours when asked; one over a day old is not today's account. */
export const MAX_REPORT_AGE_MS = 24 * 3600_000;

/** The collection error for a report generated long before the collection, or null when it is recent. */
export function staleReportError(generatedAt: string, collectionStart: Date, affects: readonly string[]): CollectionError | null {
  const ageMs = collectionStart.getTime() - Date.parse(generatedAt);
  if (!(ageMs > MAX_REPORT_AGE_MS)) return null;
  const days = Math.floor(ageMs / (24 * 3600_000));
  return {
    api: 'iam:GetCredentialReport',
    resource: null,
    code: STALE_REPORT_CODE,
    message: `IAM returned a credential report generated at ${generatedAt}, ${days} day${days === 1 ? '' : 's'} before this collection began (${toIsoUtc(collectionStart)}); its ages and usage dates describe that day, not this one`,
    affects,
  };
}

const REPORT_AFFECTS = ['credentialReport', 'users[*].password.lastChanged', 'users[*].password.nextRotation', 'users[*].signingCertificates', 'root'];

/**
 * `collectionStart` is when the collection began: a report generated more than a day earlier is
 * recorded as a collection error and not used (the facts only it has become collection_failed).
 */
export async function collectCredentialReport(
  iam: IAMClient,
  caller: ApiCaller,
  options: ReportFetchOptions,
  runSignal: AbortSignal,
  accountId: string,
  collectionStart: Date,
): Promise<ReportStage> {
  const outcome = await attempt(() => fetchCredentialReport(iam, caller, options, runSignal));
  if (!outcome.ok) {
    const failures = new StageFailures();
    const failure = failures.failed(outcome.failure, REPORT_AFFECTS);
    return { report: null, failure, errors: failures.errors, warnings: [] };
  }
  const report = outcome.value;
  const generatedAt = report.snapshot.credentialReport?.generatedAt ?? report.snapshot.capturedAt;
  const stale = staleReportError(generatedAt, collectionStart, REPORT_AFFECTS);
  if (stale !== null) {
    const failure = absent('collection_failed', `${stale.api}: ${stale.code}`);
    return { report: null, failure, errors: [stale], warnings: [...report.warnings, `${stale.message}: the report is not used`] };
  }
  if (report.snapshot.account.id !== accountId) {
    return {
      report: null,
      failure: null,
      errors: [],
      warnings: [...report.warnings, `the credential report names account ${report.snapshot.account.id}, not the caller's ${accountId}; it is not used`],
    };
  }
  return { report, failure: null, errors: [], warnings: report.warnings };
}
