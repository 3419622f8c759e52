import { Readable } from 'node:stream';
import { IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { loadSharedConfigFiles } from '@smithy/core/config';
import { UserError } from '../util/errors.js';
import { errorCode, errorMessage, MalformedResponse, redactSecrets } from './errors.js';

/** The shape of the SDK's credential identity (kept local: @aws-sdk/types is not a direct dependency). */
interface AwsCredentialIdentity {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}
type AwsCredentialIdentityProvider = () => Promise<AwsCredentialIdentity>;

export interface ConnectionOptions {
  readonly profile?: string;
  readonly region?: string;
  readonly endpointUrl?: string;
  readonly roleArn?: string;
  readonly externalId?: string;
  readonly roleSessionName?: string;
  /** DurationSeconds of the assumed role's session; the role's default (one hour) when left out. */
  readonly roleDurationSeconds?: number;
  /** For AssumeRole only (the collection's calls are retried by the ApiCaller). */
  readonly maxAttempts: number;
  readonly callTimeoutMs: number;
}

export interface Connection {
  readonly iam: IAMClient;
  readonly sts: STSClient;
  readonly region: string;
  /** The resolved access key id, secret key and session token, only so that messages can be scrubbed of them. */
  readonly secrets: readonly string[];
  /** Calls and retries spent on AssumeRole (not made through the ApiCaller). */
  readonly setupCalls: number;
  readonly setupRetries: number;
}

/** The content types each protocol answers in: IAM and STS (Query) XML, Organizations JSON 1.1. */
const CONTENT_TYPES = {
  xml: { pattern: /^\s*(text|application)\/([\w.+-]+\+)?xml\s*(;|$)/i, name: 'XML' },
  json: { pattern: /^\s*application\/(x-amz-json-1\.[01]|([\w.+-]+\+)?json)\s*(;|$)/i, name: 'JSON' },
} as const;

/** The raw HTTP answer as the SDK's deserialize step holds it (before it is parsed). */
interface RawAnswer {
  readonly statusCode?: number;
  readonly headers?: Readonly<Record<string, string | undefined>>;
  body?: AsyncIterable<Uint8Array> & { resume?: () => unknown };
}
type DeserializeNext = (args: object) => Promise<{ readonly response: unknown }>;
/** What the SDK hands every middleware: the command's name ("ListUsersCommand") among the rest. */
interface HandlerContext {
  readonly commandName?: string;
}
interface DeserializeStack {
  addRelativeTo(
    middleware: (next: DeserializeNext, context: HandlerContext) => DeserializeNext,
    options: { readonly relation: 'after'; readonly toMiddleware: string; readonly name: string; readonly override: boolean },
  ): void;
}

/** The most of a mislabelled answer read to see whether it is the action's own XML (IAM's pages are far smaller). */
const MISLABELLED_ANSWER_LIMIT = 16 * 1024 * 1024;

/**
 * Whether a Query answer labelled with another content type is the action's own XML answer all the
 * same: its root element is `<ActionResponse` or `<ErrorResponse`. Some AWS emulators (moto, older
 * LocalStack) label their XML `text/html`; a proxy's or captive portal's page never has that root.
 * Reads the body and gives it back to the SDK as a stream of the same bytes.
 */
async function isActionsOwnXml(answer: RawAnswer, action: string): Promise<boolean> {
  if (answer.body === undefined || typeof answer.body[Symbol.asyncIterator] !== 'function') return false;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of answer.body) {
    size += chunk.byteLength;
    if (size > MISLABELLED_ANSWER_LIMIT) return false;
    chunks.push(Buffer.from(chunk));
  }
  const bytes = Buffer.concat(chunks);
  answer.body = Readable.from([bytes]);
  const root = /^\uFEFF?\s*(<\?xml[^>]*\?>\s*)?<([A-Za-z]+)[\s>]/.exec(bytes.toString('utf8', 0, Math.min(bytes.length, 512)))?.[2];
  return root === `${action}Response` || root === 'ErrorResponse';
}

/**
 * Refuses an answer whose content type is not the protocol's (a captive portal's or a proxy's HTML
 * page, a bare 200) before the SDK parses it: the SDK would read such a page as an output whose
 * members are all undefined, i.e. as "none". The error (MalformedResponse, code malformed_response)
 * keeps the HTTP status, so a 5xx page is still retried as a server error. Placed after the SDK's
 * deserializer, which puts it nearer the wire: it sees the raw answer first. A Query answer whose
 * label is wrong but whose body is the action's own XML (isActionsOwnXml) is taken: the label alone
 * proves nothing, and refusing it would refuse every answer of the emulators that mislabel.
 */
export function refuseForeignAnswers(client: { readonly middlewareStack: object }, protocol: keyof typeof CONTENT_TYPES): void {
  const expected = CONTENT_TYPES[protocol];
  (client.middlewareStack as DeserializeStack).addRelativeTo(
    (next, context) => async (args) => {
      const result = await next(args);
      const answer = result.response as RawAnswer;
      const header = Object.entries(answer.headers ?? {}).find(([name]) => name.toLowerCase() === 'content-type')?.[1];
      if (header === undefined || !expected.pattern.test(header)) {
        const action = context.commandName?.replace(/Command$/, '');
        if (protocol === 'xml' && action !== undefined && (await isActionsOwnXml(answer, action))) return result;
        // Read and drop the page, so that the connection goes back to the pool.
        answer.body?.resume?.();
        const status = answer.statusCode ?? 0;
        throw new MalformedResponse(
          `the answer (HTTP ${status}) is ${header === undefined ? 'without a content type' : `of content type ${JSON.stringify(header.slice(0, 100))}`}, not ${expected.name}: not an AWS answer, so nothing is concluded from it`,
          answer.statusCode,
        );
      }
      return result;
    },
    { relation: 'after', toMiddleware: 'deserializerMiddleware', name: 'iamAuditContentTypeCheck', override: true },
  );
}

/** IAM and STS clients whose foreign answers are refused (refuseForeignAnswers). */
function iamClient(config: ReturnType<typeof commonConfig>): IAMClient {
  const client = new IAMClient(config);
  refuseForeignAnswers(client, 'xml');
  return client;
}
function stsClient(config: ReturnType<typeof commonConfig> & { readonly maxAttempts: number }): STSClient {
  const client = new STSClient(config);
  refuseForeignAnswers(client, 'xml');
  return client;
}

/** IAM is a global service; its endpoint lives in us-east-1 (aws partition) whatever the region. */
const FALLBACK_REGION = 'us-east-1';

/**
 * Clients for the collection make one attempt per send: the ApiCaller retries (so that a call
 * waiting to retry does not hold a concurrency slot, see caller.ts). Only AssumeRole, made before
 * the caller exists, keeps the SDK's standard retries.
 */
function commonConfig(options: ConnectionOptions, region: string, credentials: AwsCredentialIdentityProvider) {
  return {
    region,
    ...(options.endpointUrl === undefined ? {} : { endpoint: options.endpointUrl }),
    credentials,
    maxAttempts: 1,
    // Socket-level limits; the per-call limit (time on the wire) is the ApiCaller's abort signal.
    requestHandler: { connectionTimeout: Math.min(options.callTimeoutMs, 10_000), requestTimeout: options.callTimeoutMs },
  };
}

/**
 * The SDK's default credential chain, with --endpoint-url also for the STS client it makes itself
 * when a profile assumes a role (role_arn + source_profile): otherwise that call goes to AWS.
 */
function credentialChain(options: ConnectionOptions, region: string): AwsCredentialIdentityProvider {
  return defaultProvider({
    ...(options.profile === undefined ? {} : { profile: options.profile }),
    clientConfig: { region, ...(options.endpointUrl === undefined ? {} : { endpoint: options.endpointUrl }) },
  });
}

/** --profile (or AWS_PROFILE) must name a profile of the shared config or credentials file. */
async function checkProfileExists(options: ConnectionOptions): Promise<void> {
  const profile = options.profile ?? (process.env['AWS_PROFILE'] === '' ? undefined : process.env['AWS_PROFILE']);
  if (profile === undefined) return;
  const { configFile, credentialsFile } = await loadSharedConfigFiles({ ignoreCache: true });
  if (profile in configFile || profile in credentialsFile) return;
  const configPath = process.env['AWS_CONFIG_FILE'] ?? '~/.aws/config';
  const credentialsPath = process.env['AWS_SHARED_CREDENTIALS_FILE'] ?? '~/.aws/credentials';
  throw new UserError(`the AWS profile "${profile}" does not exist (not in ${configPath} nor ${credentialsPath})`);
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

/** Client settings for another service (Organizations) with the caller's own credentials, as the collection's clients have. */
export function baseClientConfig(options: ConnectionOptions, region: string): ReturnType<typeof commonConfig> {
  return commonConfig(options, region, credentialChain(options, region));
}

export async function connect(options: ConnectionOptions): Promise<Connection> {
  // The SDK warns on every run under Node 20 that *future* SDK releases will need Node 22; this
  // package pins its SDK version, so the notice is not actionable for a user of iam-audit.
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  await checkProfileExists(options);
  const region = await resolveRegion(options);
  const baseCredentials = credentialChain(options, region);
  let secrets: string[] = [];
  try {
    const base = await baseCredentials();
    secrets = [base.accessKeyId, base.secretAccessKey, ...(base.sessionToken === undefined ? [] : [base.sessionToken])];
  } catch (error) {
    throw new UserError(`no AWS credentials: ${describeCredentialFailure(error, secrets)} (configure them as for the AWS CLI, or give --profile)`);
  }
  if (options.roleArn === undefined) {
    const config = commonConfig(options, region, baseCredentials);
    return { iam: iamClient(config), sts: stsClient(config), region, secrets, setupCalls: 0, setupRetries: 0 };
  }
  const baseSts = stsClient({ ...commonConfig(options, region, baseCredentials), maxAttempts: options.maxAttempts });

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
          ...(options.roleDurationSeconds === undefined ? {} : { DurationSeconds: options.roleDurationSeconds }),
        }),
      );
      setupRetries += (output.$metadata.attempts ?? 1) - 1;
      const credentials = output.Credentials;
      if (credentials?.AccessKeyId === undefined || credentials.SecretAccessKey === undefined) {
        throw new UserError(`sts:AssumeRole ${roleArn} returned no credentials`);
      }
      secrets.push(credentials.AccessKeyId, credentials.SecretAccessKey, ...(credentials.SessionToken === undefined ? [] : [credentials.SessionToken]));
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
  const assumedConfig = commonConfig(options, region, refreshing);
  return {
    iam: iamClient(assumedConfig),
    sts: stsClient(assumedConfig),
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
