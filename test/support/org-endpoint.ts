/**
 * A local AWS Organizations + STS endpoint in front of one local IAM endpoint per member account,
 * for the `collect --org` tests and benchmark. One HTTP server on 127.0.0.1:
 *
 * - Organizations speaks JSON 1.1 (POST /, `X-Amz-Target: AWSOrganizationsV20161128.<Action>`,
 *   JSON in and out, errors as `{"__type": ..., "message": ...}` with status 400): DescribeOrganization,
 *   ListAccounts (paged with NextToken), ListChildren and ListAccountsForParent (paged).
 * - STS AssumeRole (Query protocol) hands out credentials whose access key id names the account
 *   (`ASIA<account id>XXXX`); per account the role can be allowed, denied, or throttled.
 * - Every other request (IAM, and STS GetCallerIdentity) is routed by the access key id it was
 *   signed with: an assumed account's requests go to that account's own IAM endpoint
 *   (test/support/iam-endpoint.ts, started lazily), the base credentials' to the management account.
 *
 * The real SDK signs, sends, parses and retries against it over HTTP.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startIamEndpoint, type IamEndpoint, type Scenario } from './iam-endpoint.js';

export type AccountState = 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE' | 'CLOSED';

/** How AssumeRole into the account answers: `deny` AccessDenied; `throttle` Throttling every time; a number: Throttling that many times, then allowed. */
export type AssumeRoleBehaviour = 'allow' | 'deny' | 'throttle' | number;

export interface OrgAccount {
  readonly id: string;
  readonly name: string;
  readonly state: AccountState;
  /** The root or OU the account sits in. */
  readonly parent: string;
  /** The account's IAM (absent for accounts that cannot be reached anyway). */
  readonly iam?: Scenario;
  readonly assumeRole?: AssumeRoleBehaviour;
}

export interface OrgScenario {
  readonly organizationId: string;
  readonly managementAccountId: string;
  readonly rootId: string;
  readonly ous: readonly { readonly id: string; readonly name: string; readonly parent: string }[];
  readonly accounts: readonly OrgAccount[];
  /** Accounts per ListAccounts / ListAccountsForParent page (Organizations answers at most 20). */
  readonly pageSize?: number;
  /** `denied`: the caller lacks organizations:* (AccessDeniedException); `not-in-organization`: AWSOrganizationsNotInUseException. */
  readonly organizationsAccess?: 'ok' | 'denied' | 'not-in-organization';
  /** Added before every Organizations and STS answer (IAM answers take their scenario's latency). */
  readonly latencyMs?: number;
  /** Organizations answers that are not data, each with HTTP 200 (issue 23 §2): no body, `{}`, or an HTML page. */
  readonly faults?: readonly { readonly action: string; readonly kind: 'empty-body' | 'empty-result' | 'html-page' }[];
}

export interface OrgRequest {
  readonly service: 'organizations' | 'sts' | 'iam';
  readonly action: string;
  /** The account the request was for: the assumed account, or the management account for base credentials. */
  readonly account: string;
  readonly params: Readonly<Record<string, unknown>>;
}

export interface OrgEndpoint {
  readonly url: string;
  readonly requests: OrgRequest[];
  count(action: string, account?: string): number;
  /** The IAM endpoints started so far, by account id. */
  readonly accountEndpoints: ReadonlyMap<string, IamEndpoint>;
  close(): Promise<void>;
}

const ORGANIZATIONS_TARGET = 'AWSOrganizationsV20161128.';
const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const ASSUMED_KEY = /^ASIA(\d{12})XXXX$/;

/** The credentials AssumeRole hands out for an account (the tests look for leaks of the secret). */
export const assumedKeyFor = (account: string): string => `ASIA${account}XXXX`;
export const ASSUMED_SECRET = 'assumedSecretKeyDoNotLeak0000000000000000';
export const ASSUMED_SESSION_TOKEN = 'assumedSessionTokenDoNotLeak';

class ServiceError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const epochSeconds = (iso: string): number => Date.parse(iso) / 1000;

export async function startOrgEndpoint(scenario: OrgScenario): Promise<OrgEndpoint> {
  const requests: OrgRequest[] = [];
  const endpoints = new Map<string, IamEndpoint>();
  const starting = new Map<string, Promise<IamEndpoint>>();
  const throttlesLeft = new Map<string, number>();
  const pageSize = scenario.pageSize ?? 20;

  const accountEndpoint = (account: string): Promise<IamEndpoint> => {
    let endpoint = starting.get(account);
    if (endpoint === undefined) {
      const iam = scenario.accounts.find((candidate) => candidate.id === account)?.iam;
      if (iam === undefined) throw new ServiceError(403, 'InvalidClientTokenId', `no IAM scenario for account ${account}`);
      endpoint = startIamEndpoint(iam).then((started) => {
        endpoints.set(account, started);
        return started;
      });
      starting.set(account, endpoint);
    }
    return endpoint;
  };

  const accountJson = (account: OrgAccount): Record<string, unknown> => ({
    Id: account.id,
    Arn: `arn:aws:organizations::${scenario.managementAccountId}:account/${scenario.organizationId}/${account.id}`,
    Email: `aws+${account.id}@example.com`,
    Name: account.name,
    State: account.state,
    JoinedMethod: account.id === scenario.managementAccountId ? 'CREATED' : 'INVITED',
    JoinedTimestamp: epochSeconds('2024-01-01T00:00:00Z'),
  });

  const page = <T>(items: readonly T[], body: Readonly<Record<string, unknown>>): { items: readonly T[]; next: { NextToken?: string } } => {
    const start = typeof body['NextToken'] === 'string' ? Number((body['NextToken'] as string).replace(/^t/, '')) : 0;
    const size = Math.min(pageSize, typeof body['MaxResults'] === 'number' ? (body['MaxResults'] as number) : pageSize);
    const end = start + size;
    return { items: items.slice(start, end), next: end < items.length ? { NextToken: `t${end}` } : {} };
  };

  const parentExists = (id: string): boolean => id === scenario.rootId || scenario.ous.some((ou) => ou.id === id);

  const organizationsAction = (action: string, body: Readonly<Record<string, unknown>>): Record<string, unknown> => {
    if (scenario.organizationsAccess === 'denied') {
      throw new ServiceError(400, 'AccessDeniedException', `You don't have permissions to access this resource. (organizations:${action})`);
    }
    if (scenario.organizationsAccess === 'not-in-organization') {
      throw new ServiceError(400, 'AWSOrganizationsNotInUseException', 'Your account is not a member of an organization.');
    }
    switch (action) {
      case 'DescribeOrganization':
        return {
          Organization: {
            Id: scenario.organizationId,
            Arn: `arn:aws:organizations::${scenario.managementAccountId}:organization/${scenario.organizationId}`,
            FeatureSet: 'ALL',
            MasterAccountArn: `arn:aws:organizations::${scenario.managementAccountId}:account/${scenario.organizationId}/${scenario.managementAccountId}`,
            MasterAccountId: scenario.managementAccountId,
            MasterAccountEmail: `aws+${scenario.managementAccountId}@example.com`,
          },
        };
      case 'ListAccounts': {
        const { items, next } = page(scenario.accounts, body);
        return { Accounts: items.map(accountJson), ...next };
      }
      case 'ListAccountsForParent': {
        const parent = String(body['ParentId']);
        if (!parentExists(parent)) throw new ServiceError(400, 'ParentNotFoundException', `We can't find a root or OU with the ParentId that you specified.`);
        const { items, next } = page(
          scenario.accounts.filter((account) => account.parent === parent),
          body,
        );
        return { Accounts: items.map(accountJson), ...next };
      }
      case 'ListChildren': {
        const parent = String(body['ParentId']);
        if (!parentExists(parent)) throw new ServiceError(400, 'ParentNotFoundException', `We can't find a root or OU with the ParentId that you specified.`);
        const children =
          body['ChildType'] === 'ORGANIZATIONAL_UNIT'
            ? scenario.ous.filter((ou) => ou.parent === parent).map((ou) => ({ Id: ou.id, Type: 'ORGANIZATIONAL_UNIT' }))
            : scenario.accounts.filter((account) => account.parent === parent).map((account) => ({ Id: account.id, Type: 'ACCOUNT' }));
        const { items, next } = page(children, body);
        return { Children: items, ...next };
      }
      default:
        throw new ServiceError(400, 'UnknownOperationException', `Unknown operation ${action}`);
    }
  };

  const assumeRole = (params: Readonly<Record<string, string>>): string => {
    const roleArn = params['RoleArn'] ?? '';
    const account = /^arn:aws:iam::(\d{12}):role\/(.+)$/.exec(roleArn)?.[1];
    const target = scenario.accounts.find((candidate) => candidate.id === account);
    if (target === undefined || target.state !== 'ACTIVE' || target.iam === undefined) {
      throw new ServiceError(403, 'AccessDenied', `User: arn:aws:iam::${scenario.managementAccountId}:user/auditor is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
    }
    const behaviour = target.assumeRole ?? 'allow';
    if (behaviour === 'deny') {
      throw new ServiceError(403, 'AccessDenied', `User: arn:aws:iam::${scenario.managementAccountId}:user/auditor is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
    }
    if (behaviour === 'throttle') throw new ServiceError(400, 'Throttling', 'Rate exceeded');
    if (typeof behaviour === 'number') {
      const left = throttlesLeft.get(target.id) ?? behaviour;
      if (left > 0) {
        throttlesLeft.set(target.id, left - 1);
        throw new ServiceError(400, 'Throttling', 'Rate exceeded');
      }
    }
    const duration = Number(params['DurationSeconds'] ?? 3600);
    const expiration = new Date(Date.now() + duration * 1000).toISOString();
    return `<AssumeRoleResult><Credentials><AccessKeyId>${assumedKeyFor(target.id)}</AccessKeyId><SecretAccessKey>${ASSUMED_SECRET}</SecretAccessKey><SessionToken>${ASSUMED_SESSION_TOKEN}</SessionToken><Expiration>${expiration}</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::${target.id}:assumed-role/${roleArn.split('/').pop() ?? ''}/${params['RoleSessionName'] ?? ''}</Arn><AssumedRoleId>AROAORG:${params['RoleSessionName'] ?? ''}</AssumedRoleId></AssumedRoleUser></AssumeRoleResult>`;
  };

  const sendJson = (response: ServerResponse, status: number, body: unknown, errorType?: string): void => {
    const text = JSON.stringify(body);
    response.writeHead(status, {
      'content-type': 'application/x-amz-json-1.1',
      'content-length': Buffer.byteLength(text),
      ...(errorType === undefined ? {} : { 'x-amzn-errortype': errorType }),
    });
    response.end(text);
  };
  const sendXml = (response: ServerResponse, status: number, text: string): void => {
    response.writeHead(status, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(text) });
    response.end(text);
  };

  /** Passes the request on, unchanged, to the account's own IAM endpoint. */
  const forward = async (request: IncomingMessage, body: Buffer, response: ServerResponse, account: string): Promise<void> => {
    const target = new URL((await accountEndpoint(account)).url);
    await new Promise<void>((resolve, reject) => {
      const upstream = httpRequest(
        { host: target.hostname, port: target.port, method: request.method, path: request.url, headers: { ...request.headers, 'content-length': String(body.length) } },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
          answer.on('end', resolve);
          answer.on('error', reject);
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const signedWith = /Credential=([^/]+)\//.exec(request.headers.authorization ?? '')?.[1] ?? '';
    const account = ASSUMED_KEY.exec(signedWith)?.[1] ?? scenario.managementAccountId;
    const target = request.headers['x-amz-target'];
    const delay = async (): Promise<void> => {
      if (scenario.latencyMs !== undefined && scenario.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, scenario.latencyMs));
    };

    if (typeof target === 'string' && target.startsWith(ORGANIZATIONS_TARGET)) {
      const action = target.slice(ORGANIZATIONS_TARGET.length);
      const params = body.length === 0 ? {} : (JSON.parse(body.toString('utf8')) as Record<string, unknown>);
      requests.push({ service: 'organizations', action, account, params });
      await delay();
      const fault = scenario.faults?.find((candidate) => candidate.action === action);
      if (fault !== undefined) {
        const [type, text] =
          fault.kind === 'html-page'
            ? ['text/html', '<!DOCTYPE html><html><head><title>Proxy error</title></head><body>Sign in</body></html>']
            : ['application/x-amz-json-1.1', fault.kind === 'empty-result' ? '{}' : ''];
        response.writeHead(200, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
        response.end(text);
        return;
      }
      try {
        sendJson(response, 200, organizationsAction(action, params));
      } catch (error) {
        if (!(error instanceof ServiceError)) throw error;
        sendJson(response, error.status, { __type: error.code, message: error.message }, error.code);
      }
      return;
    }

    const params = Object.fromEntries(new URLSearchParams(body.toString('utf8')));
    const action = params['Action'] ?? '';
    if (params['Version'] === '2011-06-15' && action === 'AssumeRole') {
      requests.push({ service: 'sts', action, account, params });
      await delay();
      try {
        sendXml(response, 200, `<?xml version="1.0" encoding="UTF-8"?>\n<AssumeRoleResponse xmlns="${STS_NS}">${assumeRole(params)}<ResponseMetadata><RequestId>0</RequestId></ResponseMetadata></AssumeRoleResponse>`);
      } catch (error) {
        if (!(error instanceof ServiceError)) throw error;
        sendXml(
          response,
          error.status,
          `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${STS_NS}"><Error><Type>Sender</Type><Code>${error.code}</Code><Message>${error.message}</Message></Error><RequestId>1</RequestId></ErrorResponse>`,
        );
      }
      return;
    }
    requests.push({ service: params['Version'] === '2011-06-15' ? 'sts' : 'iam', action, account, params });
    await forward(request, body, response, account);
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500);
      response.end(String(error));
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    count: (action, account) => requests.filter((entry) => entry.action === action && (account === undefined || entry.account === account)).length,
    accountEndpoints: endpoints,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...starting.values()].map(async (endpoint) => (await endpoint).close()));
    },
  };
}
