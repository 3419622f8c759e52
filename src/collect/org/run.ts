/**
 * `collect --org`: list the organisation (or an OU, or given accounts), take this shard's slice,
 * collect each active account through AssumeRole with at most --account-concurrency accounts in
 * flight, and write the index. Bad input (no Organizations access, unknown OU, empty list, bad
 * shard, an index already there) stops the run before anything is written (exit 2); an
 * account's own failure is recorded in the index and the others go on (exit 3).
 */
import { join } from 'node:path';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { accountListOf, ORG_INDEX_KIND, ORG_INDEX_VERSION, orgIndexFileName, renderOrgIndex, type OrgIndex, type OrgIndexAccount, type OrgShard } from '../../snapshot/org-index.js';
import { ExitCode, UserError, type ExitCodeValue } from '../../util/errors.js';
import { exists, writeOutputs } from '../../util/files.js';
import { packageInfo } from '../../util/paths.js';
import { escapeForTerminal } from '../../util/terminal-text.js';
import { runClock, toIsoUtc } from '../../util/time.js';
import { ApiCaller } from '../caller.js';
import { baseClientConfig, connect, refuseForeignAnswers } from '../clients.js';
import { redactSecrets } from '../errors.js';
import { ConcurrencyLimiter } from '../limiter.js';
import { formatDuration } from '../progress.js';
import type { CollectRunOptions } from '../run.js';
import { collectAccount, type AccountProgress, type AccountRunOptions } from './account.js';
import { listOrganization, type OrgListing } from './organization.js';
import { shardSlice } from './selection.js';

export const DEFAULT_ROLE_NAME = 'OrganizationAccountAccessRole';
export const DEFAULT_ACCOUNT_CONCURRENCY = 4;

export interface OrgRunOptions extends Omit<CollectRunOptions, 'outputPath' | 'roleArn'> {
  readonly roleName: string;
  readonly roleDurationSeconds?: number;
  readonly ou: string | null;
  readonly accounts: readonly string[] | null;
  readonly shard: OrgShard | null;
  readonly accountConcurrency: number;
  readonly gzip: boolean;
}

export interface OrgRunOutcome {
  readonly index: OrgIndex;
  readonly indexPath: string;
  readonly exitCode: ExitCodeValue;
}

interface Tally {
  done: number;
  failed: number;
  partial: number;
  readonly total: number;
  readonly inFlight: Map<string, AccountProgress>;
}

/** "collecting organisation: accounts 3/12 (1 failed, 0 partial), 222222222222 users 5/7, +1 more in flight, 12s elapsed". */
export function orgProgressLine(tally: Tally, elapsedMs: number): string {
  const current = [...tally.inFlight];
  const first = current[0];
  const account = first === undefined ? '' : `, ${first[0]} users ${first[1].usersDone}/${first[1].usersTotal}${first[1].listingComplete ? '' : '+'}`;
  const more = current.length > 1 ? `, +${current.length - 1} more in flight` : '';
  return `collecting organisation: accounts ${tally.done}/${tally.total} (${tally.failed} failed, ${tally.partial} partial)${account}${more}, ${formatDuration(elapsedMs / 1000)} elapsed`;
}

export async function runOrgCollect(options: OrgRunOptions): Promise<OrgRunOutcome> {
  const environment = options.environment ?? process.env;
  const clock = runClock(environment);
  const indexPath = join(options.defaultDir, orgIndexFileName(options.shard));
  if (!options.overwrite && (await exists(indexPath))) throw new UserError(`${indexPath} already exists; refusing to overwrite it (use --overwrite, or another -d)`);
  const startedAt = toIsoUtc(clock());

  // The caller's own credentials list the organisation; nothing is written before this succeeds.
  const drawing = !options.quiet && options.stderr.isTTY === true;
  // --verbose: one line per call, as `collect` logs one account's; the progress line is cleared first so they do not mix.
  const verboseLog = options.verbose ? (line: string): void => void options.stderr.write(`${drawing ? '\r\x1b[K' : ''}[call] ${escapeForTerminal(line)}\n`) : null;
  const base = await connect(options);
  base.iam.destroy();
  base.sts.destroy();
  const organizations = new OrganizationsClient(baseClientConfig(options, base.region));
  refuseForeignAnswers(organizations, 'json');
  const listingCaller = new ApiCaller({
    limiter: new ConcurrencyLimiter(1),
    callTimeoutMs: options.callTimeoutMs,
    runSignal: new AbortController().signal,
    secrets: base.secrets,
    maxAttempts: options.maxAttempts,
    ...(options.retryBaseDelayMs === undefined ? {} : { retryBaseDelayMs: options.retryBaseDelayMs }),
    log: verboseLog === null ? null : (line) => verboseLog(`organizations ${redactSecrets(line, base.secrets)}`),
  });
  let listing;
  try {
    listing = await listOrganization(organizations, listingCaller, { ou: options.ou, accounts: options.accounts });
  } finally {
    organizations.destroy();
  }
  if (listing.accounts.length === 0 && listing.skipped.length === 0) {
    throw new UserError(`collect --org: no accounts to collect in organisation ${listing.organizationId}${options.ou === null ? '' : ` under ${options.ou}`}`);
  }
  const mine = shardSlice(listing.accounts, options.shard);

  const tally: Tally = { done: 0, failed: 0, partial: 0, total: mine.length, inFlight: new Map() };
  const started = performance.now();
  const draw = (): void => {
    const columns = options.stderr.columns !== undefined && options.stderr.columns > 0 ? options.stderr.columns : 1000;
    options.stderr.write(`\r\x1b[K${orgProgressLine(tally, performance.now() - started).slice(0, columns - 1)}`);
  };
  const timer = drawing ? setInterval(draw, 250) : null;
  timer?.unref();

  const accountOptions = accountRunOptions(options, base.region, listing.partition, clock, verboseLog);
  const results: OrgIndexAccount[] = new Array<OrgIndexAccount>(mine.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < mine.length) {
      const position = next;
      next += 1;
      const account = mine[position];
      if (account === undefined) continue;
      const progress: AccountProgress = { usersDone: 0, usersTotal: 0, listingComplete: false, calls: 0 };
      tally.inFlight.set(account.id, progress);
      const entry = await collectAccount(account, accountOptions, progress);
      tally.inFlight.delete(account.id);
      tally.done += 1;
      if (entry.status === 'failed') tally.failed += 1;
      if (entry.status === 'partial') tally.partial += 1;
      results[position] = entry;
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(options.accountConcurrency, Math.max(1, mine.length)) }, () => worker()));
  } finally {
    if (timer !== null) clearInterval(timer);
    if (drawing) options.stderr.write('\r\x1b[K');
  }

  const index = orgIndexOf(options, listing, startedAt, toIsoUtc(clock()), results);
  await writeOutputs(options.defaultDir, [{ fileName: orgIndexFileName(options.shard), content: renderOrgIndex(index) }], options.overwrite);
  const troubled = results.some((entry) => entry.status !== 'complete');
  return { index, indexPath, exitCode: troubled ? ExitCode.partial : ExitCode.ok };
}

/** The run's index: the organisation, the selection, the accounts skipped and each account's entry. */
function orgIndexOf(options: OrgRunOptions, listing: OrgListing, startedAt: string, endedAt: string, results: OrgIndexAccount[]): OrgIndex {
  const tool = packageInfo();
  return {
    kind: ORG_INDEX_KIND,
    indexVersion: ORG_INDEX_VERSION,
    tool: { name: tool.name, version: tool.version },
    organizationId: listing.organizationId,
    managementAccountId: listing.managementAccountId,
    startedAt,
    endedAt,
    selection: { ou: options.ou, accounts: options.accounts, roleName: options.roleName, shard: options.shard },
    // What this run (or shard) was cut from, so a merge can tell a lost or doubled account (issue 24).
    accountList: accountListOf(listing.accounts.map((entry) => entry.id)),
    changedOrg: null,
    skipped: listing.skipped.map((entry) => ({ id: entry.id, name: entry.name, state: entry.state })),
    accounts: results,
  };
}

/** The run's options as each account's collection takes them (the same for every account). */
function accountRunOptions(options: OrgRunOptions, region: string, partition: string, clock: () => Date, log: ((line: string) => void) | null): AccountRunOptions {
  return {
    connection: {
      ...(options.profile === undefined ? {} : { profile: options.profile }),
      region,
      ...(options.endpointUrl === undefined ? {} : { endpointUrl: options.endpointUrl }),
      ...(options.externalId === undefined ? {} : { externalId: options.externalId }),
      roleSessionName: options.roleSessionName ?? 'iam-audit',
      ...(options.roleDurationSeconds === undefined ? {} : { roleDurationSeconds: options.roleDurationSeconds }),
      maxAttempts: options.maxAttempts,
      callTimeoutMs: options.callTimeoutMs,
    },
    partition,
    roleName: options.roleName,
    source: options.source,
    concurrency: options.concurrency,
    ...(options.retryBaseDelayMs === undefined ? {} : { retryBaseDelayMs: options.retryBaseDelayMs }),
    runTimeoutMs: options.runTimeoutMs,
    reportTimeoutMs: options.reportTimeoutMs,
    reportPollBaseMs: options.reportPollBaseMs,
    outDir: options.defaultDir,
    gzip: options.gzip,
    overwrite: options.overwrite,
    clock,
    log,
  };
}

/** The summary `collect --org` prints: counts, each skipped and each troubled account with its first reason. */
export function describeOrgRun(outcome: OrgRunOutcome): string[] {
  const { index } = outcome;
  const count = (status: string): number => index.accounts.filter((entry) => entry.status === status).length;
  const lines = [
    `Organisation ${index.organizationId}: ${index.accounts.length} account${index.accounts.length === 1 ? '' : 's'} collected${
      index.selection.shard === null ? '' : ` (shard ${index.selection.shard.index}/${index.selection.shard.count})`
    }: ${count('complete')} complete, ${count('partial')} partial, ${count('failed')} failed; ${index.skipped.length} skipped (not active)`,
  ];
  for (const entry of index.skipped) lines.push(`  skipped ${entry.id} ${entry.name} (${entry.state})`);
  for (const entry of index.accounts.filter((account) => account.status !== 'complete')) {
    lines.push(`  ${entry.status.toUpperCase()} ${entry.id} ${entry.name}: ${entry.errors[0] ?? ''}`);
  }
  lines.push(`Index written: ${outcome.indexPath}`);
  return lines.map((line) => escapeForTerminal(line));
}
