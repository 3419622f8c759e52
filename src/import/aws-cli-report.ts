/**
 * The AWS CLI's output of `aws iam get-credential-report`, accepted as an import input: the CSV in
 * base64 and the real generation time, which then is the capture time.
 */
import { InputError } from '../util/errors.js';
import { parseStrictInstant } from '../util/time.js';

/** What `aws iam get-credential-report` prints (the API's response as JSON): the CSV and its time. */
export interface AwsCliReport {
  readonly csv: Buffer;
  readonly generatedAt: Date;
}

/** True when the bytes start (after a BOM and blanks) with `{`: JSON, so not a credential report CSV. */
export function looksLikeJson(bytes: Uint8Array): boolean {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 64)).toString('utf8').replace(/^\uFEFF/, '');
  return text.trimStart().startsWith('{');
}

const BASE64 = /^[A-Za-z0-9+/\r\n]*={0,2}\s*$/;

/**
 * Reads the AWS CLI's output of `aws iam get-credential-report`: `Content` (the CSV, base64),
 * `ReportFormat` (text/csv) and `GeneratedTime`, the report's real generation time. Every problem
 * names the field as a JSON pointer.
 */
export function readAwsCliReport(bytes: Uint8Array, file: string): AwsCliReport {
  let document: unknown;
  try {
    document = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8').replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new InputError(file, null, `not valid JSON (${(error as Error).message.replace(/\s+/g, ' ')}); expected a credential report CSV or the output of aws iam get-credential-report`);
  }
  const fields = typeof document === 'object' && document !== null && !Array.isArray(document) ? (document as Record<string, unknown>) : null;
  if (fields === null || !('Content' in fields)) {
    throw new InputError(file, null, 'not an IAM credential report: a JSON file without Content; expected a credential report CSV or the output of aws iam get-credential-report');
  }
  const content = fields['Content'];
  if (typeof content !== 'string' || content.trim() === '' || !BASE64.test(content)) {
    throw new InputError(file, '/Content', 'expected the credential report as base64 text, as aws iam get-credential-report prints it');
  }
  const format = fields['ReportFormat'];
  if (format !== undefined && format !== 'text/csv') throw new InputError(file, '/ReportFormat', `${JSON.stringify(format)} is not a format this version reads (text/csv)`);
  const generatedTime = fields['GeneratedTime'];
  if (generatedTime === undefined) throw new InputError(file, '/GeneratedTime', 'missing; the capture time comes from it');
  const generatedAt = typeof generatedTime === 'string' ? parseStrictInstant(generatedTime, { offsets: true }) : null;
  if (generatedAt === null) {
    throw new InputError(file, '/GeneratedTime', `${JSON.stringify(generatedTime)} is not an ISO 8601 timestamp (a real calendar time) such as 2026-01-02T14:30:00+00:00`);
  }
  return { csv: Buffer.from(content, 'base64'), generatedAt };
}

