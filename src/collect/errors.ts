/**
 * Mapping SDK errors to what the snapshot records. The SDK names modeled errors by their shape
 * (NoSuchEntityException) and unmodeled ones by the wire code (AccessDenied, Throttling); the
 * snapshot records IAM's wire code, which is what the AWS documentation and CloudTrail show.
 */

/** A call that failed for good (after the SDK's retries). */
export class CallFailure extends Error {
  constructor(
    readonly api: string,
    readonly resource: string | null,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'CallFailure';
  }
}

/**
 * Our code for an answer that is not data (issue 23 §2): a content type that is not the service's
 * (an HTML page from a proxy), or an answer without a member the call must return (an empty body,
 * an empty result element). Lower case, unlike IAM's codes, so that it is never taken for one.
 */
export const MALFORMED_RESPONSE_CODE = 'malformed_response';

/** Thrown by the content-type check on the clients (clients.ts) before the SDK parses an answer. */
export class MalformedResponse extends Error {
  readonly Code = MALFORMED_RESPONSE_CODE;
  /** The HTTP status, so that a 5xx or 429 page from a proxy is still retried as such. */
  readonly $metadata: { readonly httpStatusCode?: number; readonly attempts?: number };
  constructor(message: string, httpStatusCode: number | undefined) {
    super(message);
    this.name = 'MalformedResponse';
    this.$metadata = httpStatusCode === undefined ? {} : { httpStatusCode };
  }
}

/** SDK exception names whose wire code differs. */
const WIRE_CODES: Readonly<Record<string, string>> = {
  NoSuchEntityException: 'NoSuchEntity',
  ServiceFailureException: 'ServiceFailure',
  LimitExceededException: 'LimitExceeded',
  CredentialReportNotPresentException: 'ReportNotPresent',
  CredentialReportExpiredException: 'ReportExpired',
  CredentialReportNotReadyException: 'ReportInProgress',
  InvalidInputException: 'InvalidInput',
};

interface ErrorLike {
  readonly name?: unknown;
  readonly Code?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly $metadata?: { readonly attempts?: number; readonly httpStatusCode?: number };
}

function asErrorLike(error: unknown): ErrorLike {
  return typeof error === 'object' && error !== null ? (error as ErrorLike) : {};
}

export function errorCode(error: unknown): string {
  const like = asErrorLike(error);
  if (typeof like.Code === 'string' && like.Code !== '') return like.Code;
  // A failed connection is a plain Node error ("Error"); its system code (ECONNREFUSED, ENOTFOUND)
  // is what says what happened.
  if (typeof like.code === 'string' && /^E[A-Z0-9_]+$/.test(like.code)) return like.code;
  const name = typeof like.name === 'string' ? like.name : 'UnknownError';
  return WIRE_CODES[name] ?? name;
}

export function errorHttpStatus(error: unknown): number | null {
  return asErrorLike(error).$metadata?.httpStatusCode ?? null;
}

/** The connection itself failed (refused, reset, name not resolved, timed out): no answer at all. */
export const CONNECTION_FAILURE_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'TimeoutError',
]);

/** IAM's (and the SDK's) throttling codes: wait and try again. */
const THROTTLING_CODES: ReadonlySet<string> = new Set(['Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'TooManyRequestsException', 'RequestThrottled', 'RequestThrottledException']);

export type RetryKind = 'throttling' | 'transient' | null;

/** Whether another attempt may succeed: throttling, a server error (5xx), or a failed connection. */
export function retryKind(code: string, httpStatus: number | null): RetryKind {
  if (THROTTLING_CODES.has(code) || httpStatus === 429) return 'throttling';
  if (CONNECTION_FAILURE_CODES.has(code) || (httpStatus !== null && httpStatus >= 500)) return 'transient';
  return null;
}

export function errorMessage(error: unknown): string {
  const like = asErrorLike(error);
  return typeof like.message === 'string' && like.message !== '' ? like.message : String(error);
}

export function errorAttempts(error: unknown): number {
  return asErrorLike(error).$metadata?.attempts ?? 1;
}

export const isAccessDenied = (code: string): boolean =>
  code === 'AccessDenied' || code === 'AccessDeniedException' || code === 'UnauthorizedOperation' || code === 'UnauthorizedAccess';

/**
 * Removes the given secrets (secret access key, session token) from a text. Nothing in the SDK puts
 * them into an error message today; this keeps it so if a server or proxy echoes a request back.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length >= 8) result = result.split(secret).join('[REDACTED]');
  }
  // The signature header names the access key id and signs with the secret; never echo it.
  return result.replace(/Signature=[0-9a-f]{64}/g, 'Signature=[REDACTED]');
}

/** IAM actions a failed collection needed, for the "missing permissions" message. */
export function missingPermissions(errors: readonly { readonly api: string; readonly code: string }[]): string[] {
  return [...new Set(errors.filter((error) => isAccessDenied(error.code)).map((error) => error.api))].sort();
}
