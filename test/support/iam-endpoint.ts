/**
 * A local IAM + STS endpoint for tests and benchmarks: an HTTP server on 127.0.0.1 (random port)
 * speaking the AWS Query protocol (form-encoded POST with Action=..., XML answers in the IAM
 * 2010-05-08 and STS 2011-06-15 namespaces, ErrorResponse XML with the right HTTP status), driven
 * by a scenario. The real SDK signs, sends, parses and retries against it over HTTP.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScenarioMfaDevice {
  readonly serial: string;
  readonly enabledAt: string;
}

export interface ScenarioAccessKey {
  readonly id: string;
  readonly status: 'Active' | 'Inactive';
  readonly createdAt: string;
  readonly lastUsed?: { readonly date: string; readonly region: string; readonly service: string };
}

export interface ScenarioUser {
  readonly name: string;
  readonly path?: string;
  readonly createdAt?: string;
  readonly passwordLastUsed?: string;
  /** null or absent: no console password (GetLoginProfile answers NoSuchEntity). */
  readonly loginProfile?: { readonly createdAt: string; readonly passwordResetRequired: boolean } | null;
  readonly mfaDevices?: readonly ScenarioMfaDevice[];
  readonly accessKeys?: readonly ScenarioAccessKey[];
  readonly groups?: readonly string[];
  readonly attachedPolicies?: readonly { readonly name: string; readonly arn: string }[];
  readonly inlinePolicies?: readonly { readonly name: string; readonly document: unknown }[];
  readonly tags?: Readonly<Record<string, string>>;
  /** Listed by ListUsers, then deleted: its own calls answer NoSuchEntity ("user ... cannot be found"). */
  readonly deletedAfterListing?: boolean;
}

export interface ScenarioManagedPolicy {
  readonly name: string;
  readonly arn: string;
  readonly attachmentCount: number;
  readonly document: unknown;
}

/**
 * `signature-mismatch` answers as AWS does, echoing the request's credential scope (with the access key id).
 * Answers that are not data (issue 23 §2), each with HTTP 200: `empty-body` (no body at all, as XML),
 * `empty-result` (the action's Response and an empty Result element), `html-page` (a proxy's HTML page).
 * Pages that lie (issue 23 §3, paged actions: ListUsers, GetAccountAuthorizationDetails): `drop-users`
 * (ListUsers leaves out the users named in `users`), `overlapping-pages` (each Marker points at the
 * last entry of its page, which the next page repeats), `repeat-marker` (every page after the first
 * gives back the Marker it was asked with).
 */
export type FaultKind =
  | 'throttle'
  | 'access-denied'
  | 'internal-error'
  | 'hang'
  | 'limit-exceeded'
  | 'report-in-progress'
  | 'signature-mismatch'
  | 'empty-body'
  | 'empty-result'
  | 'html-page'
  | 'drop-users'
  | 'overlapping-pages'
  | 'repeat-marker';

export interface Fault {
  /** The Action the fault applies to (e.g. ListMFADevices). */
  readonly action: string;
  /** Only for this UserName parameter (per-user calls). */
  readonly userName?: string;
  readonly kind: FaultKind;
  /** How many times; undefined = every time. */
  readonly times?: number;
  /** Only for this page (1-based) of a paged action, e.g. page 2 of ListUsers. */
  readonly page?: number;
  /** `drop-users`: the names of the users ListUsers leaves out. */
  readonly users?: readonly string[];
}

export interface Scenario {
  readonly accountId: string;
  readonly partition?: string;
  readonly callerArn?: string;
  readonly alias?: string | null;
  readonly users: readonly ScenarioUser[];
  /** ListUsers answers at most this many users per page (IAM may return short pages). */
  readonly pageSize?: number;
  readonly passwordPolicy?: Readonly<Record<string, number | boolean>> | null;
  readonly summary?: Readonly<Record<string, number>>;
  readonly virtualMfaDevices?: readonly { readonly serial: string; readonly userArn: string | null }[];
  readonly groups?: readonly { readonly name: string; readonly attachedPolicies?: readonly { name: string; arn: string }[] }[];
  readonly roles?: readonly ScenarioRole[];
  readonly managedPolicies?: readonly ScenarioManagedPolicy[];
  readonly serverCertificates?: readonly { readonly name: string; readonly expiration: string; readonly uploadedAt: string }[];
  /** The credential report: its CSV, when IAM generated it, and how many polls it takes. null: never available. */
  readonly credentialReport?: { readonly csv: string; readonly generatedAt: string; readonly pollsUntilReady: number } | null;
  readonly faults?: readonly Fault[];
  /** Throttle above this many requests per second (a token bucket, as IAM's per-API limits are). */
  readonly maxRequestsPerSecond?: number;
  /** Added before every answer (the benchmark's 20 ms). */
  readonly latencyMs?: number;
  /** After this many requests the endpoint stops answering altogether: open connections are cut, new ones refused. */
  readonly stopAnsweringAfter?: number;
  /** The content type every answer is labelled with (default text/xml); some emulators say text/html. */
  readonly contentType?: string;
  /** Credentials AssumeRole hands out. */
  readonly assumedRole?: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken: string };
}

export interface ScenarioRole {
  readonly name: string;
  readonly attachedPolicies?: readonly { name: string; arn: string }[];
  /** The trust policy served URL-encoded; default: EC2 may assume it. null: the member is left out (a malformed answer); a string is served as it is. */
  readonly trustPolicy?: unknown;
  /** RoleLastUsed; left out or null: served empty, as IAM does for a role never used. */
  readonly lastUsed?: { readonly at: string; readonly region?: string } | null;
}

export const DEFAULT_TRUST_POLICY = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] };

export interface RecordedRequest {
  readonly action: string;
  readonly params: Readonly<Record<string, string>>;
  /** The access key id from the SigV4 Authorization header (proves the SDK signed the request). */
  readonly signedWith: string | null;
}

export interface IamEndpoint {
  readonly url: string;
  readonly requests: RecordedRequest[];
  count(action: string): number;
  close(): Promise<void>;
}

const IAM_NS = 'https://iam.amazonaws.com/doc/2010-05-08/';
const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';

/** A map, serialised as IAM does: <entry><key>K</key><value>V</value></entry>. */
class XmlMap {
  constructor(readonly entries: Readonly<Record<string, string | number>>) {}
}
type XmlValue = string | number | boolean | Date | null | undefined | XmlMap | XmlNode | readonly XmlValue[];
interface XmlNode {
  readonly [name: string]: XmlValue;
}

const escapeXml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Objects become elements; arrays become <member> lists (IAM's list serialisation). */
function toXml(value: XmlValue): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map((item: XmlValue) => `<member>${toXml(item)}</member>`).join('');
  if (value instanceof Date) return value.toISOString();
  if (value instanceof XmlMap) {
    return Object.entries(value.entries)
      .map(([key, entry]) => `<entry><key>${escapeXml(key)}</key><value>${escapeXml(String(entry))}</value></entry>`)
      .join('');
  }
  if (typeof value === 'object') {
    return Object.entries(value as XmlNode)
      .filter(([, child]) => child !== undefined)
      .map(([name, child]) => `<${name}>${toXml(child)}</${name}>`)
      .join('');
  }
  return escapeXml(String(value));
}

function successXml(action: string, namespace: string, result: XmlNode | null): string {
  const body = result === null ? '' : `<${action}Result>${toXml(result)}</${action}Result>`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${namespace}">${body}<ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ResponseMetadata></${action}Response>`;
}

class QueryError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const noSuchUser = (name: string): QueryError => new QueryError(404, 'NoSuchEntity', `The user with name ${name} cannot be found.`);

/** Encodes a policy document the way IAM does: URL-encoded JSON. */
const encodePolicy = (document: unknown): string => encodeURIComponent(JSON.stringify(document));

/** The page the Marker asks for; `lie` makes the next Marker overlap (`overlapping-pages`) or repeat (`repeat-marker`). */
function paginate<T>(items: readonly T[], params: Readonly<Record<string, string>>, pageSize: number, lie: FaultKind | null = null): { page: readonly T[]; next: XmlNode } {
  const start = params['Marker'] === undefined ? 0 : Number(params['Marker'].replace(/^m/, ''));
  const maxItems = params['MaxItems'] === undefined ? 100 : Number(params['MaxItems']);
  const size = Math.min(maxItems, pageSize);
  const page = items.slice(start, start + size);
  const truncated = start + size < items.length;
  let marker = `m${start + size}`;
  if (lie === 'overlapping-pages') marker = `m${start + size - 1}`;
  if (lie === 'repeat-marker' && params['Marker'] !== undefined) marker = params['Marker'];
  return { page, next: truncated ? { IsTruncated: true, Marker: marker } : { IsTruncated: false } };
}

/** Starts the endpoint; `scenario` may be changed by the test between runs (it is read on every request). */
export async function startIamEndpoint(scenario: Scenario): Promise<IamEndpoint> {
  const partition = scenario.partition ?? 'aws';
  const accountArn = (resource: string): string => `arn:${partition}:iam::${scenario.accountId}:${resource}`;
  const userArn = (user: ScenarioUser): string => accountArn(`user${user.path ?? '/'}${user.name}`);
  const requests: RecordedRequest[] = [];
  const faultUses = new Map<Fault, number>();
  let reportPolls = 0;
  const hung: ServerResponse[] = [];

  const findUser = (name: string | undefined): ScenarioUser => {
    const user = scenario.users.find((candidate) => candidate.name === name);
    if (user === undefined || user.deletedAfterListing === true) throw noSuchUser(name ?? '');
    return user;
  };

  const iamAction = (action: string, params: Readonly<Record<string, string>>, fault: Fault | null): XmlNode | null => {
    const lie = fault?.kind === 'overlapping-pages' || fault?.kind === 'repeat-marker' ? fault.kind : null;
    switch (action) {
      case 'ListUsers': {
        const dropped = new Set(fault?.kind === 'drop-users' ? (fault.users ?? []) : []);
        const listed = scenario.users.filter((user) => !dropped.has(user.name));
        const { page, next } = paginate(listed, params, scenario.pageSize ?? 1000, lie);
        return {
          Users: page.map((user) => ({
            Path: user.path ?? '/',
            UserName: user.name,
            UserId: `AIDA${user.name.toUpperCase().replace(/[^A-Z0-9]/g, '').padEnd(17, 'X').slice(0, 17)}`,
            Arn: userArn(user),
            CreateDate: user.createdAt ?? '2025-01-01T00:00:00Z',
            PasswordLastUsed: user.passwordLastUsed,
          })),
          ...next,
        };
      }
      case 'GetLoginProfile': {
        const user = findUser(params['UserName']);
        if (user.loginProfile === undefined || user.loginProfile === null) {
          throw new QueryError(404, 'NoSuchEntity', `Login Profile for User ${user.name} cannot be found.`);
        }
        return { LoginProfile: { UserName: user.name, CreateDate: user.loginProfile.createdAt, PasswordResetRequired: user.loginProfile.passwordResetRequired } };
      }
      case 'ListMFADevices': {
        const user = findUser(params['UserName']);
        return { MFADevices: (user.mfaDevices ?? []).map((device) => ({ UserName: user.name, SerialNumber: device.serial, EnableDate: device.enabledAt })), IsTruncated: false };
      }
      case 'ListAccessKeys': {
        const user = findUser(params['UserName']);
        return {
          AccessKeyMetadata: (user.accessKeys ?? []).map((key) => ({ UserName: user.name, AccessKeyId: key.id, Status: key.status, CreateDate: key.createdAt })),
          IsTruncated: false,
        };
      }
      case 'GetAccessKeyLastUsed': {
        for (const user of scenario.users) {
          const key = (user.accessKeys ?? []).find((candidate) => candidate.id === params['AccessKeyId']);
          if (key === undefined) continue;
          return {
            UserName: user.name,
            AccessKeyLastUsed:
              key.lastUsed === undefined
                ? { ServiceName: 'N/A', Region: 'N/A' }
                : { LastUsedDate: key.lastUsed.date, ServiceName: key.lastUsed.service, Region: key.lastUsed.region },
          };
        }
        throw new QueryError(403, 'AccessDenied', 'The access key does not exist.');
      }
      case 'ListAccountAliases':
        return { AccountAliases: scenario.alias === undefined || scenario.alias === null ? [] : [scenario.alias], IsTruncated: false };
      case 'GetAccountSummary': {
        const summary = scenario.summary ?? { Users: scenario.users.length, AccountMFAEnabled: 1, AccountAccessKeysPresent: 0, AccountPasswordPresent: 1 };
        return { SummaryMap: new XmlMap(summary) };
      }
      case 'GetAccountPasswordPolicy':
        if (scenario.passwordPolicy === undefined || scenario.passwordPolicy === null) {
          throw new QueryError(404, 'NoSuchEntity', `The Password Policy with domain name ${scenario.accountId} cannot be found.`);
        }
        return { PasswordPolicy: scenario.passwordPolicy };
      case 'ListVirtualMFADevices':
        return {
          VirtualMFADevices: (scenario.virtualMfaDevices ?? []).map((device) => ({
            SerialNumber: device.serial,
            User: device.userArn === null ? undefined : { Arn: device.userArn, UserName: device.userArn.split('/').pop() ?? '', UserId: 'AIDAEXAMPLE', Path: '/', CreateDate: '2025-01-01T00:00:00Z' },
          })),
          IsTruncated: false,
        };
      case 'GetAccountAuthorizationDetails': {
        // One list of everything, paged across all kinds as IAM does (a page may hold users only).
        type Entry = { kind: 'user'; user: ScenarioUser } | { kind: 'group'; name: string; attached: readonly { name: string; arn: string }[] } | { kind: 'role'; role: ScenarioRole } | { kind: 'policy'; policy: ScenarioManagedPolicy };
        const entries: Entry[] = [
          ...scenario.users.filter((user) => user.deletedAfterListing !== true).map((user): Entry => ({ kind: 'user', user })),
          ...(scenario.groups ?? []).map((group): Entry => ({ kind: 'group', name: group.name, attached: group.attachedPolicies ?? [] })),
          ...(scenario.roles ?? []).map((role): Entry => ({ kind: 'role', role })),
          ...(scenario.managedPolicies ?? []).map((policy): Entry => ({ kind: 'policy', policy })),
        ];
        const { page, next } = paginate(entries, params, scenario.pageSize ?? 1000, lie);
        const attached = (list: readonly { name: string; arn: string }[]) => list.map((policy) => ({ PolicyName: policy.name, PolicyArn: policy.arn }));
        const roleDetail = (role: ScenarioRole): XmlNode => {
          const trust = role.trustPolicy === undefined ? DEFAULT_TRUST_POLICY : role.trustPolicy;
          return {
            Path: '/',
            RoleName: role.name,
            RoleId: 'AROAEXAMPLE',
            Arn: accountArn(`role/${role.name}`),
            CreateDate: '2025-01-01T00:00:00Z',
            AssumeRolePolicyDocument: trust === null ? undefined : typeof trust === 'string' ? trust : encodePolicy(trust),
            RolePolicyList: [],
            AttachedManagedPolicies: attached(role.attachedPolicies ?? []),
            RoleLastUsed: role.lastUsed === undefined || role.lastUsed === null ? {} : { LastUsedDate: role.lastUsed.at, Region: role.lastUsed.region },
          };
        };
        return {
          UserDetailList: page.flatMap((entry) =>
            entry.kind === 'user'
              ? [
                  {
                    Path: entry.user.path ?? '/',
                    UserName: entry.user.name,
                    UserId: 'AIDAEXAMPLE',
                    Arn: userArn(entry.user),
                    CreateDate: entry.user.createdAt ?? '2025-01-01T00:00:00Z',
                    UserPolicyList: (entry.user.inlinePolicies ?? []).map((policy) => ({ PolicyName: policy.name, PolicyDocument: encodePolicy(policy.document) })),
                    GroupList: entry.user.groups ?? [],
                    AttachedManagedPolicies: attached(entry.user.attachedPolicies ?? []),
                    Tags: Object.entries(entry.user.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
                  },
                ]
              : [],
          ),
          GroupDetailList: page.flatMap((entry) =>
            entry.kind === 'group' ? [{ Path: '/', GroupName: entry.name, GroupId: 'AGPAEXAMPLE', Arn: accountArn(`group/${entry.name}`), GroupPolicyList: [], AttachedManagedPolicies: attached(entry.attached) }] : [],
          ),
          RoleDetailList: page.flatMap((entry) =>
            entry.kind === 'role' ? [roleDetail(entry.role)] : [],
          ),
          Policies: page.flatMap((entry) =>
            entry.kind === 'policy'
              ? [
                  {
                    PolicyName: entry.policy.name,
                    PolicyId: 'ANPAEXAMPLE',
                    Arn: entry.policy.arn,
                    Path: '/',
                    DefaultVersionId: 'v2',
                    AttachmentCount: entry.policy.attachmentCount,
                    IsAttachable: true,
                    PolicyVersionList: [
                      { Document: encodePolicy({ Version: '2012-10-17', Statement: [] }), VersionId: 'v1', IsDefaultVersion: false },
                      { Document: encodePolicy(entry.policy.document), VersionId: 'v2', IsDefaultVersion: true },
                    ],
                  },
                ]
              : [],
          ),
          ...next,
        };
      }
      case 'ListServerCertificates':
        return {
          ServerCertificateMetadataList: (scenario.serverCertificates ?? []).map((certificate) => ({
            Path: '/',
            ServerCertificateName: certificate.name,
            ServerCertificateId: 'ASCAEXAMPLE',
            Arn: accountArn(`server-certificate/${certificate.name}`),
            UploadDate: certificate.uploadedAt,
            Expiration: certificate.expiration,
          })),
          IsTruncated: false,
        };
      case 'GenerateCredentialReport': {
        const report = scenario.credentialReport;
        if (report === undefined || report === null) return { State: 'STARTED', Description: 'No report exists. Starting a new report generation task' };
        reportPolls += 1;
        return { State: reportPolls > report.pollsUntilReady ? 'COMPLETE' : reportPolls === 1 ? 'STARTED' : 'INPROGRESS' };
      }
      case 'GetCredentialReport': {
        const report = scenario.credentialReport;
        if (report === undefined || report === null) throw new QueryError(410, 'ReportNotPresent', 'Credential report not present');
        if (reportPolls <= report.pollsUntilReady) throw new QueryError(404, 'ReportInProgress', 'Credential report is being generated');
        return { Content: Buffer.from(report.csv).toString('base64'), ReportFormat: 'text/csv', GeneratedTime: report.generatedAt };
      }
      default:
        throw new QueryError(400, 'InvalidAction', `Could not find operation ${action} for version 2010-05-08`);
    }
  };

  const stsAction = (action: string): XmlNode => {
    if (action === 'GetCallerIdentity') {
      return { Arn: scenario.callerArn ?? accountArn('user/auditor'), UserId: 'AIDAAUDITOR', Account: scenario.accountId };
    }
    if (action === 'AssumeRole') {
      const role = scenario.assumedRole ?? { accessKeyId: 'ASIAASSUMEDROLEKEY01', secretAccessKey: 'assumedSecretKeyDoNotLeak0000000000000000', sessionToken: 'assumedSessionTokenDoNotLeak' };
      return {
        Credentials: { AccessKeyId: role.accessKeyId, SecretAccessKey: role.secretAccessKey, SessionToken: role.sessionToken, Expiration: new Date(Date.now() + 3_600_000) },
        AssumedRoleUser: { Arn: `arn:${partition}:sts::${scenario.accountId}:assumed-role/Audit/iam-audit`, AssumedRoleId: 'AROAAUDIT:iam-audit' },
      };
    }
    throw new QueryError(400, 'InvalidAction', `Could not find operation ${action} for version 2011-06-15`);
  };

  const pageNumber = (params: Readonly<Record<string, string>>): number => {
    const start = params['Marker'] === undefined ? 0 : Number(params['Marker'].replace(/^m/, ''));
    return Math.floor(start / (scenario.pageSize ?? 1000)) + 1;
  };
  const activeFault = (action: string, params: Readonly<Record<string, string>>): Fault | null => {
    for (const fault of scenario.faults ?? []) {
      if (fault.action !== action) continue;
      if (fault.userName !== undefined && fault.userName !== params['UserName']) continue;
      if (fault.page !== undefined && fault.page !== pageNumber(params)) continue;
      const used = faultUses.get(fault) ?? 0;
      if (fault.times !== undefined && used >= fault.times) continue;
      faultUses.set(fault, used + 1);
      return fault;
    }
    return null;
  };

  let tokens = scenario.maxRequestsPerSecond ?? 0;
  let refilledAt = performance.now();
  const takeRateToken = (): boolean => {
    const limit = scenario.maxRequestsPerSecond;
    if (limit === undefined) return true;
    const now = performance.now();
    tokens = Math.min(limit, tokens + ((now - refilledAt) / 1000) * limit);
    refilledAt = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };

  const send = (response: ServerResponse, status: number, body: string): void => {
    response.writeHead(status, { 'content-type': scenario.contentType ?? 'text/xml', 'content-length': Buffer.byteLength(body) });
    response.end(body);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    const action = params['Action'] ?? '';
    const isSts = params['Version'] === '2011-06-15';
    const namespace = isSts ? STS_NS : IAM_NS;
    const signedWith = /Credential=([^/]+)\//.exec(request.headers.authorization ?? '')?.[1] ?? null;
    requests.push({ action, params, signedWith });
    if (scenario.stopAnsweringAfter !== undefined && requests.length > scenario.stopAnsweringAfter) {
      stopAnswering();
      return;
    }
    if (scenario.latencyMs !== undefined && scenario.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, scenario.latencyMs));

    try {
      const fault = activeFault(action, params);
      if (fault?.kind === 'hang') {
        hung.push(response);
        return;
      }
      if (!takeRateToken()) throw new QueryError(400, 'Throttling', 'Rate exceeded');
      if (fault?.kind === 'throttle') throw new QueryError(400, 'Throttling', 'Rate exceeded');
      if (fault?.kind === 'limit-exceeded') throw new QueryError(409, 'LimitExceeded', 'Cannot exceed quota for ReportGenerationRequests');
      if (fault?.kind === 'report-in-progress') throw new QueryError(404, 'ReportInProgress', 'Credential report is being generated');
      if (fault?.kind === 'signature-mismatch') {
        const scope = /Credential=([^,]+)/.exec(request.headers.authorization ?? '')?.[1] ?? '';
        throw new QueryError(403, 'SignatureDoesNotMatch', `The request signature we calculated does not match the signature you provided. Credential=${scope}`);
      }
      if (fault?.kind === 'internal-error') throw new QueryError(500, 'ServiceFailure', 'Request processing has failed due to some unknown error, exception or failure.');
      if (fault?.kind === 'access-denied') {
        throw new QueryError(403, 'AccessDenied', `User: ${scenario.callerArn ?? accountArn('user/auditor')} is not authorized to perform: iam:${action} on resource: ${params['UserName'] === undefined ? '*' : accountArn(`user/${params['UserName']}`)}`);
      }
      if (fault?.kind === 'empty-body') return send(response, 200, '');
      if (fault?.kind === 'empty-result') return send(response, 200, successXml(action, namespace, {}));
      if (fault?.kind === 'html-page') {
        const page = '<!DOCTYPE html>\n<html><head><title>Access to this site is blocked</title></head><body><h1>Proxy authentication required</h1><p>Sign in to continue.</p></body></html>';
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(page) });
        response.end(page);
        return;
      }
      const result = isSts ? stsAction(action) : iamAction(action, params, fault);
      send(response, 200, successXml(action, namespace, result));
    } catch (error) {
      if (!(error instanceof QueryError)) throw error;
      const type = error.status >= 500 ? 'Receiver' : 'Sender';
      send(
        response,
        error.status,
        `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${namespace}"><Error><Type>${type}</Type><Code>${error.code}</Code><Message>${escapeXml(error.message)}</Message></Error><RequestId>00000000-0000-0000-0000-000000000001</RequestId></ErrorResponse>`,
      );
    }
  };

  let stopped = false;
  /** The endpoint goes away: no answer to what is open, and nothing listening any more. */
  const stopAnswering = (): void => {
    if (stopped) return;
    stopped = true;
    server.close();
    server.closeAllConnections();
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(500).end(String(error));
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    count: (action) => requests.filter((request) => request.action === action).length,
    close: async () => {
      for (const response of hung) response.destroy();
      server.closeAllConnections();
      if (!stopped) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A credential report for a scenario's users, as IAM would generate it at `generatedAt`. */
export function credentialReportCsv(
  scenario: Pick<Scenario, 'accountId' | 'users'>,
  options: { rootMfa?: boolean; overrides?: Readonly<Record<string, Partial<Record<'password_enabled' | 'mfa_active', string>>>> } = {},
): string {
  const header =
    'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';
  const rows = [
    `<root_account>,arn:aws:iam::${scenario.accountId}:root,2020-01-01T00:00:00+00:00,true,2026-10-01T00:00:00+00:00,not_supported,not_supported,${options.rootMfa ?? true},false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`,
  ];
  for (const user of scenario.users) {
    const override = options.overrides?.[user.name] ?? {};
    const hasPassword = user.loginProfile !== undefined && user.loginProfile !== null;
    const keyCells = [0, 1].flatMap((slot) => {
      const key = user.accessKeys?.[slot];
      if (key === undefined) return ['false', 'N/A', 'N/A', 'N/A', 'N/A'];
      return [String(key.status === 'Active'), key.createdAt, key.lastUsed?.date ?? 'N/A', key.lastUsed?.region ?? 'N/A', key.lastUsed?.service ?? 'N/A'];
    });
    rows.push(
      [
        user.name,
        `arn:aws:iam::${scenario.accountId}:user${user.path ?? '/'}${user.name}`,
        user.createdAt ?? '2025-01-01T00:00:00Z',
        override.password_enabled ?? String(hasPassword),
        hasPassword ? (user.passwordLastUsed ?? 'no_information') : 'N/A',
        hasPassword ? (user.loginProfile?.createdAt ?? 'N/A') : 'N/A',
        'N/A',
        override.mfa_active ?? String((user.mfaDevices ?? []).length > 0),
        ...keyCells,
        'false',
        'N/A',
        'false',
        'N/A',
      ].join(','),
    );
  }
  return `${header}\n${rows.join('\n')}\n`;
}
