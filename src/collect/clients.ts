import { IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { AdaptiveRetryStrategy } from '@smithy/core/retry';
import { UserError } from '../util/errors.js';
import { errorCode, errorMessage, redactSecrets } from './errors.js';

/** The shape of the SDK's credential identity (kept local: @aws-sdk/types is not a direct dependency). */
interface AwsCredentialIdentity {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

export interface ConnectionOptions {
  readonly profile?: string;
  readonly region?: string;
  readonly endpointUrl?: string;
  readonly roleArn?: string;
  readonly externalId?: string;
  readonly roleSessionName?: string;
  readonly maxAttempts: number;
  /** Base of the exponential retry backoff; the SDK's (50 ms, 1 s for throttling) when undefined. */
  readonly retryBaseDelayMs?: number;
  readonly callTimeoutMs: number;
}

export interface Connection {
  readonly iam: IAMClient;
  readonly sts: STSClient;
  readonly region: string;
  /** The resolved secret key and session token, only so that messages can be scrubbed of them. */
  readonly secrets: readonly string[];
  /** Calls and retries spent on AssumeRole (not made through the ApiCaller). */
  readonly setupCalls: number;
  readonly setupRetries: number;
}

/** IAM is a global service; its endpoint lives in us-east-1 (aws partition) whatever the region. */
const FALLBACK_REGION = 'us-east-1';

/**
 * SDK adaptive retries (client-side rate limiting after a throttle, exponential backoff with
 * jitter). The backoff base can be shortened so the tests' throttling scenarios stay fast.
 */
function retryStrategy(options: ConnectionOptions): AdaptiveRetryStrategy {
  const baseDelay = options.retryBaseDelayMs;
  if (baseDelay === undefined) return new AdaptiveRetryStrategy(options.maxAttempts);
  let base = baseDelay;
  return new AdaptiveRetryStrategy(options.maxAttempts, {
    maxAttempts: options.maxAttempts,
    baseDelay,
    backoff: {
      // The SDK asks for a longer base for throttling; keep one fixed base instead.
      setDelayBase: () => {
        base = baseDelay;
      },
      computeNextBackoffDelay: (retryAttempt: number) => Math.floor(Math.random() * Math.min(base * 2 ** retryAttempt, 20_000)),
    },
  });
}

function commonConfig(options: ConnectionOptions, region: string) {
  return {
    region,
    ...(options.profile === undefined ? {} : { profile: options.profile }),
    ...(options.endpointUrl === undefined ? {} : { endpoint: options.endpointUrl }),
    retryStrategy: retryStrategy(options),
    // Socket-level limits; the per-call limit (retries included) is the ApiCaller's abort signal.
    requestHandler: { connectionTimeout: Math.min(options.callTimeoutMs, 10_000), requestTimeout: options.callTimeoutMs },
  };
}

async function resolveRegion(options: ConnectionOptions): Promise<string> {
  if (options.region !== undefined) return options.region;
  // Let the SDK read AWS_REGION or the profile's region; IAM does not need one, so fall back.
  const probe = new STSClient(options.profile === undefined ? {} : { profile: options.profile });
  try {
    return await probe.config.region();
  } catch {
    // "Region is missing": nothing configured. IAM is global, so the aws partition's home region does.
    return FALLBACK_REGION;
  } finally {
    probe.destroy();
  }
}

/** Describes a failure to obtain or use credentials in one line, with no secret in it. */
export function describeCredentialFailure(error: unknown, secrets: readonly string[]): string {
  return redactSecrets(`${errorCode(error)}: ${errorMessage(error)}`, secrets);
}

export async function connect(options: ConnectionOptions): Promise<Connection> {
  // The SDK warns on every run under Node 20 that *future* SDK releases will need Node 22; this
  // package pins its SDK version, so the notice is not actionable for a user of iam-audit.
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  const region = await resolveRegion(options);
  const baseSts = new STSClient(commonConfig(options, region));
  let secrets: string[] = [];
  try {
    const base = await baseSts.config.credentials();
    secrets = [base.secretAccessKey, ...(base.sessionToken === undefined ? [] : [base.sessionToken])];
  } catch (error) {
    baseSts.destroy();
    throw new UserError(`no AWS credentials: ${describeCredentialFailure(error, secrets)} (configure them as for the AWS CLI, or give --profile)`);
  }
  if (options.roleArn === undefined) {
    return { iam: new IAMClient(commonConfig(options, region)), sts: baseSts, region, secrets, setupCalls: 0, setupRetries: 0 };
  }

  const roleArn = options.roleArn;
  const sessionName = options.roleSessionName ?? 'iam-audit';
  let setupCalls = 0;
  let setupRetries = 0;
  const assume = async (): Promise<AwsCredentialIdentity> => {
    setupCalls += 1;
    try {
      const output = await baseSts.send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: sessionName,
          ...(options.externalId === undefined ? {} : { ExternalId: options.externalId }),
        }),
      );
      setupRetries += (output.$metadata.attempts ?? 1) - 1;
      const credentials = output.Credentials;
      if (credentials?.AccessKeyId === undefined || credentials.SecretAccessKey === undefined) {
        throw new UserError(`sts:AssumeRole ${roleArn} returned no credentials`);
      }
      secrets.push(credentials.SecretAccessKey, ...(credentials.SessionToken === undefined ? [] : [credentials.SessionToken]));
      return {
        accessKeyId: credentials.AccessKeyId,
        secretAccessKey: credentials.SecretAccessKey,
        ...(credentials.SessionToken === undefined ? {} : { sessionToken: credentials.SessionToken }),
        ...(credentials.Expiration === undefined ? {} : { expiration: credentials.Expiration }),
      };
    } catch (error) {
      if (error instanceof UserError) throw error;
      throw new UserError(`could not assume ${roleArn}: ${describeCredentialFailure(error, secrets)}`);
    }
  };

  // Assume once now (so a wrong role fails before any collection) and again when the session is
  // about to expire: a large account can take longer than the default one-hour session.
  let current = await assume();
  const refreshing = async (): Promise<AwsCredentialIdentity> => {
    const expiresAt = current.expiration?.getTime();
    if (expiresAt !== undefined && expiresAt - Date.now() < 5 * 60_000) current = await assume();
    return current;
  };
  const assumedConfig = { ...commonConfig(options, region), credentials: refreshing };
  return {
    iam: new IAMClient(assumedConfig),
    sts: new STSClient(assumedConfig),
    region,
    secrets,
    get setupCalls() {
      return setupCalls;
    },
    get setupRetries() {
      return setupRetries;
    },
  };
}
