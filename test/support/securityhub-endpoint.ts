/**
 * A local Security Hub endpoint for the export tests: an HTTP server on 127.0.0.1 speaking the
 * restJson1 protocol of BatchImportFindings (POST /findings/import, {"Findings": [...]}), which
 * records every call (with its SigV4 Authorization header, so a test sees the SDK really signed
 * it), keeps the findings it holds by Id, can refuse chosen findings (FailedFindings) and can
 * throttle the first call (HTTP 429 ThrottlingException) or fail it (503), which the SDK retries.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedImport {
  readonly authorization: string;
  readonly findings: readonly Record<string, unknown>[];
  /** The answer's status code (429 for a throttled call). */
  readonly status: number;
}

export interface SecurityHubEndpointOptions {
  /** Finding ids to refuse, with the error code Security Hub would give. */
  readonly refuse?: ReadonlyMap<string, string>;
  /** Answer the first call with 429 ThrottlingException. */
  readonly throttleOnce?: boolean;
  /** Answer the first call with 503 InternalException (a server error, also retried). */
  readonly serverErrorOnce?: boolean;
}

export class SecurityHubEndpoint {
  readonly calls: RecordedImport[] = [];
  /** The findings held, by Id, as last imported (RecordState included). */
  readonly held = new Map<string, Record<string, unknown>>();
  private throttled = false;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly options: SecurityHubEndpointOptions,
  ) {}

  static async start(options: SecurityHubEndpointOptions = {}): Promise<SecurityHubEndpoint> {
    let endpoint: SecurityHubEndpoint | undefined;
    const server = createServer((request, response) => {
      void endpoint?.handle(request, response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    endpoint = new SecurityHubEndpoint(server, `http://127.0.0.1:${port}`, options);
    return endpoint;
  }

  /** The successful calls (a throttled one left out). */
  get imports(): RecordedImport[] {
    return this.calls.filter((call) => call.status === 200);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(JSON.stringify(body));
    };
    if (request.method !== 'POST' || request.url !== '/findings/import') {
      answer(404, { message: `no route ${String(request.method)} ${String(request.url)}` }, { 'x-amzn-errortype': 'ResourceNotFoundException' });
      return;
    }
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Findings?: Record<string, unknown>[] };
    const findings = body.Findings ?? [];
    const authorization = request.headers.authorization ?? '';
    if ((this.options.throttleOnce === true || this.options.serverErrorOnce === true) && !this.throttled) {
      this.throttled = true;
      const status = this.options.throttleOnce === true ? 429 : 503;
      this.calls.push({ authorization, findings, status });
      answer(status, { message: status === 429 ? 'Rate exceeded' : 'Internal service error' }, { 'x-amzn-errortype': status === 429 ? 'ThrottlingException' : 'InternalException' });
      return;
    }
    this.calls.push({ authorization, findings, status: 200 });
    const failed = [];
    for (const finding of findings) {
      const id = String(finding['Id']);
      const code = this.options.refuse?.get(id);
      if (code === undefined) this.held.set(id, finding);
      else failed.push({ Id: id, ErrorCode: code, ErrorMessage: `refused by the test endpoint: ${code}` });
    }
    answer(200, { FailedCount: failed.length, SuccessCount: findings.length - failed.length, FailedFindings: failed });
  }
}
