/**
 * Issue 14 targets.
 * - collect --org: 200 accounts x 50 users, 20 ms added to every call (Organizations, STS, IAM),
 *   default --account-concurrency 4 and --concurrency 10, real backoff and report polling:
 *   wall time, calls, peak memory of the CLI.
 * - report INDEX: 500 accounts x 200 users (one collected snapshot cloned per account, each with
 *   its own id and SHA-256 in the index): under 60 s and under 1 GB.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accountListOf, ORG_INDEX_KIND, ORG_INDEX_VERSION, renderOrgIndex, type OrgIndex, type OrgIndexAccount } from '../src/snapshot/org-index.js';
import { collectEnvironment } from '../test/support/collect-scenario.js';
import { startOrgEndpoint, type OrgAccount } from '../test/support/org-endpoint.js';
import { accountIam, accountUsers } from '../test/support/org-scenario.js';
import { measureCli } from './measure.js';
import { formatMegabytes, formatSeconds, type BenchRow } from './table.js';

const LATENCY_MS = 20;
const accountId = (position: number): string => String(100_000_000_000 + position);

function organisation(accounts: number, users: number, latencyMs: number): { accounts: OrgAccount[] } & Parameters<typeof startOrgEndpoint>[0] {
  const list: OrgAccount[] = Array.from({ length: accounts }, (_, position) => {
    const id = accountId(position);
    return { id, name: `account-${position}`, state: 'ACTIVE', parent: 'r-root', iam: { ...accountIam(id, accountUsers(id, users)), latencyMs } };
  });
  return { organizationId: 'o-benchmark01', managementAccountId: accountId(0), rootId: 'r-root', ous: [], accounts: list, pageSize: 20, latencyMs };
}

async function collectRow(accounts: number, users: number): Promise<BenchRow> {
  const endpoint = await startOrgEndpoint(organisation(accounts, users, LATENCY_MS));
  const folder = await mkdtemp(join(tmpdir(), 'iam-audit-bench-org-'));
  try {
    // Real backoff and polling delays; only the credentials are fake (and the clock, fixed two hours
    // after the scenario's credential report, so that the report is fresh).
    const environment = collectEnvironment({ IAM_AUDIT_RETRY_BASE_MS: '', IAM_AUDIT_REPORT_POLL_MS: '' });
    const measured = await measureCli(['collect', '--org', '--endpoint-url', endpoint.url, '-d', folder, '--quiet'], { env: environment });
    if (measured.code !== 0) throw new Error(`collect --org bench failed (exit ${measured.code}): ${measured.stderr}\n${measured.stdout}`);
    const index = JSON.parse(await readFile(join(folder, 'org-index.json'), 'utf8')) as OrgIndex;
    if (index.accounts.length !== accounts || index.accounts.some((account) => account.users !== users)) throw new Error('collect --org bench: not every account complete');
    return {
      benchmark: `collect --org (${LATENCY_MS} ms/call, --account-concurrency 4, --concurrency 10)`,
      size: `${accounts} accounts x ${users} users`,
      'wall time': formatSeconds(measured.wallMs),
      'peak memory': formatMegabytes(measured.peakRssBytes),
      calls: endpoint.requests.length.toLocaleString('en'),
      'calls/account': (endpoint.requests.length / accounts).toFixed(1),
      target: '(informative)',
    };
  } finally {
    await endpoint.close();
    await rm(folder, { recursive: true, force: true });
  }
}

/** One real collected snapshot of `users` users, cloned into `accounts` accounts with an index. */
async function writeClonedOrganisation(folder: string, accounts: number, users: number): Promise<string> {
  const template = join(folder, 'template');
  const endpoint = await startOrgEndpoint(organisation(1, users, 0));
  try {
    const run = await measureCli(['collect', '--org', '--endpoint-url', endpoint.url, '-d', template, '--quiet'], { env: collectEnvironment() });
    if (run.code !== 0) throw new Error(`template collection failed: ${run.stderr}`);
  } finally {
    await endpoint.close();
  }
  const source = accountId(0);
  const templateFile = (await readdir(join(template, source)))[0] ?? '';
  const text = await readFile(join(template, source, templateFile), 'utf8');
  const entries: OrgIndexAccount[] = [];
  const root = join(folder, 'org');
  for (let position = 0; position < accounts; position += 1) {
    const id = accountId(position);
    const bytes = Buffer.from(text.replaceAll(source, id), 'utf8');
    const name = templateFile.replace(source, id);
    await mkdir(join(root, id), { recursive: true });
    await writeFile(join(root, id, name), bytes);
    entries.push({
      id,
      name: `account-${position}`,
      status: 'complete',
      snapshot: `${id}/${name}`,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      size: bytes.length,
      capturedAt: '2026-11-20T12:00:00Z',
      users,
      errors: [],
      startedAt: '2026-11-20T12:00:00Z',
      endedAt: '2026-11-20T12:00:00Z',
    });
  }
  const index: OrgIndex = {
    kind: ORG_INDEX_KIND,
    indexVersion: ORG_INDEX_VERSION,
    tool: { name: 'iam-audit', version: 'bench' },
    organizationId: 'o-benchmark01',
    managementAccountId: accountId(0),
    startedAt: '2026-11-20T12:00:00Z',
    endedAt: '2026-11-20T12:00:00Z',
    selection: { ou: null, accounts: null, roleName: 'OrganizationAccountAccessRole', shard: null },
    accountList: accountListOf(entries.map((entry) => entry.id)),
    changedOrg: null,
    skipped: [],
    accounts: entries,
  };
  await writeFile(join(root, 'org-index.json'), renderOrgIndex(index));
  return join(root, 'org-index.json');
}

async function reportRow(accounts: number, users: number): Promise<BenchRow> {
  const folder = await mkdtemp(join(tmpdir(), 'iam-audit-bench-org-report-'));
  try {
    const indexPath = await writeClonedOrganisation(folder, accounts, users);
    const measured = await measureCli(['report', indexPath, '-d', join(folder, 'out'), '--format', 'csv,json,html', '--quiet']);
    if (measured.code !== 0) throw new Error(`org report bench failed (exit ${measured.code}): ${measured.stderr}`);
    return {
      benchmark: 'report INDEX (csv, json, html + manifest)',
      size: `${accounts} accounts x ${users} users`,
      'wall time': formatSeconds(measured.wallMs),
      'peak memory': formatMegabytes(measured.peakRssBytes),
      calls: '',
      'calls/account': '',
      target: '< 60 s, < 1 GB',
    };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchRow[]> {
  const accounts = Number(process.env['IAM_AUDIT_BENCH_ORG_ACCOUNTS'] ?? 200);
  const rows: BenchRow[] = [];
  // Each row is printed to stderr as soon as it is measured (the collect row takes minutes).
  for (const measure of [() => reportRow(500, 200), () => collectRow(accounts, 50)]) {
    const row = await measure();
    process.stderr.write(`bench org: ${JSON.stringify(row)}\n`);
    rows.push(row);
  }
  return rows;
}
