/** The options of a one-account collection, shared by `collect`, `collect --org` and `audit` (without a CSV). */
import type { Argv } from 'yargs';
import { COLLECT_SOURCES, DEFAULT_CONCURRENCY, type CollectSource } from '../collect/sources.js';
import type { CollectRunOptions } from '../collect/run.js';
import { UserError } from '../util/errors.js';

export interface CollectOptionArguments {
  profile: string | undefined;
  region: string | undefined;
  'role-arn': string | undefined;
  'external-id': string | undefined;
  'role-session-name': string | undefined;
  'endpoint-url': string | undefined;
  concurrency: number;
  source: string;
  'call-timeout': number;
  'time-limit': number;
  'report-timeout': number;
  'max-attempts': number;
  verbose: boolean;
}

/** The options `collect` and `audit` (without a CSV) share. */
export function withCollectOptions<T>(yargs: Argv<T>): Argv<T & CollectOptionArguments> {
  return yargs
    .option('profile', { type: 'string', describe: 'AWS shared config/credentials profile (default: the SDK credential chain)' })
    .option('region', { type: 'string', describe: 'AWS region for STS and the IAM endpoint (IAM is global) [default: from the environment or profile, else us-east-1]' })
    .option('role-arn', { type: 'string', describe: 'assume this (read-only audit) role with STS AssumeRole first' })
    .option('external-id', { type: 'string', describe: 'ExternalId for --role-arn' })
    .option('role-session-name', { type: 'string', describe: 'session name for --role-arn [default: iam-audit]' })
    .option('endpoint-url', { type: 'string', describe: 'send IAM and STS calls to this endpoint instead of AWS' })
    .option('concurrency', { type: 'number', default: DEFAULT_CONCURRENCY, describe: 'AWS calls in flight at once' })
    .option('source', {
      type: 'string',
      choices: COLLECT_SOURCES,
      default: 'both',
      describe: 'api: live calls only; credential-report: the report only; both: live facts win, the report adds usage dates',
    })
    .option('call-timeout', { type: 'number', default: 60, describe: 'time limit of one call, retries included (seconds)' })
    .option('time-limit', { type: 'number', default: 3600, describe: 'time limit of the whole collection (seconds); what is left is recorded as failed' })
    .option('report-timeout', { type: 'number', default: 300, describe: 'how long to wait for IAM to generate the credential report (seconds)' })
    .option('max-attempts', { type: 'number', default: 5, describe: 'attempts per call for throttling and server errors (SDK adaptive retry)' })
    .option('verbose', { type: 'boolean', default: false, describe: 'log each AWS call to stderr (never credentials)' }) as unknown as Argv<
    T & CollectOptionArguments
  >;
}

function positiveSeconds(flag: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new UserError(`--${flag} must be a positive number of seconds, got ${value}`);
  return Math.round(value * 1000);
}

function positiveInteger(flag: string, value: number, maximum: number): number {
  if (!Number.isInteger(value) || value < 1 || value > maximum) throw new UserError(`--${flag} must be a whole number from 1 to ${maximum}, got ${value}`);
  return value;
}

/**
 * Undocumented knobs for tests and benchmarks: shorter retry backoff and credential-report polling
 * (milliseconds), so a throttling scenario takes milliseconds instead of seconds.
 */
function hiddenMilliseconds(environment: NodeJS.ProcessEnv, name: string): number | undefined {
  const value = environment[name];
  if (value === undefined || value === '') return undefined;
  if (!/^\d+$/.test(value)) throw new UserError(`${name} must be whole milliseconds, got "${value}"`);
  return Number(value);
}

export function collectRunOptions(
  argv: CollectOptionArguments & { quiet: boolean },
  output: { outputPath?: string; defaultDir: string; overwrite: boolean },
): CollectRunOptions {
  const environment = process.env;
  // yargs does not enforce `choices` here (the handler runs first), so check it ourselves.
  if (!(COLLECT_SOURCES as readonly string[]).includes(argv.source)) {
    throw new UserError(`--source must be one of ${COLLECT_SOURCES.join(', ')}, got "${argv.source}"`);
  }
  const retryBaseDelayMs = hiddenMilliseconds(environment, 'IAM_AUDIT_RETRY_BASE_MS');
  return {
    ...(argv.profile === undefined ? {} : { profile: argv.profile }),
    ...(argv.region === undefined ? {} : { region: argv.region }),
    ...(argv['endpoint-url'] === undefined ? {} : { endpointUrl: argv['endpoint-url'] }),
    ...(argv['role-arn'] === undefined ? {} : { roleArn: argv['role-arn'] }),
    ...(argv['external-id'] === undefined ? {} : { externalId: argv['external-id'] }),
    ...(argv['role-session-name'] === undefined ? {} : { roleSessionName: argv['role-session-name'] }),
    ...(retryBaseDelayMs === undefined ? {} : { retryBaseDelayMs }),
    maxAttempts: positiveInteger('max-attempts', argv['max-attempts'], 20),
    source: argv.source as CollectSource,
    concurrency: positiveInteger('concurrency', argv.concurrency, 100),
    callTimeoutMs: positiveSeconds('call-timeout', argv['call-timeout']),
    runTimeoutMs: positiveSeconds('time-limit', argv['time-limit']),
    reportTimeoutMs: positiveSeconds('report-timeout', argv['report-timeout']),
    reportPollBaseMs: hiddenMilliseconds(environment, 'IAM_AUDIT_REPORT_POLL_MS') ?? 2_000,
    ...output,
    quiet: argv.quiet,
    verbose: argv.verbose,
    stderr: process.stderr,
    environment,
  };
}
