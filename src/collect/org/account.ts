/**
 * One account of an organisation run: AssumeRole into it, the same collection as `collect`
 * (collect.ts) with its own limiter, pacing and time limit, and its snapshot written under
 * `<dir>/<account>/`. Never throws for the account's own trouble: a denied or throttled
 * AssumeRole, an unidentifiable caller or an unwritable file become a `failed` entry with the
 * reason, collection errors a `partial` one.
 */
import { recordingOperator } from '../../util/operator.js';
import { setMaxListeners } from 'node:events';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { defaultSnapshotFileName } from '../../import/credential-report.js';
import { checkSnapshotBeforeWriting, serializeSnapshotChunks } from '../../snapshot/io.js';
import type { OrgIndexAccount } from '../../snapshot/org-index.js';
import type { Snapshot } from '../../snapshot/types.js';
import { UserError } from '../../util/errors.js';
import { exists, StagedOutput, type WrittenDigest } from '../../util/files.js';
import { toIsoUtc } from '../../util/time.js';
import { ApiCaller, type Unreachable } from '../caller.js';
import { connect, type Connection, type ConnectionOptions } from '../clients.js';
import { collectSnapshot, type CollectSource } from '../collect.js';
import { redactSecrets } from '../errors.js';
import { ConcurrencyLimiter } from '../limiter.js';
import type { OrgAccountEntry } from './organization.js';

export interface AccountRunOptions {
  readonly connection: Omit<ConnectionOptions, 'roleArn'>;
  readonly partition: string;
  readonly roleName: string;
  readonly source: CollectSource;
  readonly concurrency: number;
  readonly retryBaseDelayMs?: number;
  readonly runTimeoutMs: number;
  readonly reportTimeoutMs: number;
  readonly reportPollBaseMs: number;
  readonly outDir: string;
  readonly gzip: boolean;
  readonly overwrite: boolean;
  readonly clock: () => Date;
  /** --verbose: one line per AWS call (already redacted), or null. */
  readonly log: ((line: string) => void) | null;
}

export interface AccountProgress {
  usersDone: number;
  usersTotal: number;
  listingComplete: boolean;
  calls: number;
}

/** How many of an account's collection errors the index names (the snapshot has them all). */
const INDEX_ERRORS = 20;

function errorLines(snapshot: Snapshot, extra: readonly string[]): string[] {
  const counted = new Map<string, number>();
  for (const error of snapshot.collectionErrors) {
    const line = `${error.api} ${error.code}: ${error.message}`;
    counted.set(line, (counted.get(line) ?? 0) + 1);
  }
  const lines = [...counted].map(([line, count]) => (count > 1 ? `${line} (x${count})` : line));
  const shown = lines.slice(0, INDEX_ERRORS);
  if (lines.length > INDEX_ERRORS) shown.push(`... and ${lines.length - INDEX_ERRORS} more (all in the snapshot's collectionErrors)`);
  return [...extra, ...shown];
}

export async function collectAccount(account: OrgAccountEntry, options: AccountRunOptions, progress: AccountProgress): Promise<OrgIndexAccount> {
  const startedAt = toIsoUtc(options.clock());
  const failed = (reason: string): OrgIndexAccount => ({
    id: account.id,
    name: account.name,
    status: 'failed',
    snapshot: null,
    sha256: null,
    size: null,
    capturedAt: null,
    users: null,
    errors: [reason],
    startedAt,
    endedAt: toIsoUtc(options.clock()),
  });
  const roleArn = `arn:${options.partition}:iam::${account.id}:role/${options.roleName}`;
  let connection: Connection;
  try {
    connection = await connect({ ...options.connection, roleArn });
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    const throttled = /: Throttling|ThrottlingException|TooManyRequests/.test(error.message);
    return failed(throttled ? `${error.message} (throttled out: gave up after --max-attempts ${options.connection.maxAttempts})` : error.message);
  }
  let collected: AccountCollection;
  try {
    collected = await collectWithLimits(connection, options, progress, account.id);
  } catch (error) {
    if (error instanceof UserError) return failed(redactSecrets(error.message, connection.secrets));
    throw error;
  }
  const { snapshot, warnings, unreachable } = collected;
  if (snapshot.account.id !== account.id) return failed(`the role ${roleArn} answered for account ${snapshot.account.id}, not ${account.id}; nothing kept`);
  const extra = [
    ...(unreachable === null ? [] : [`the endpoint stopped answering (${unreachable.code}) after ${unreachable.afterCalls} calls`]),
    ...warnings.map((warning) => `warning: ${warning}`),
  ].map((line) => redactSecrets(line, connection.secrets));

  const written = await writeAccountSnapshot(snapshot, account.id, options);
  if ('refused' in written) return failed(`snapshot not written: ${written.refused}`);
  const partial = snapshot.collectionErrors.length > 0 || unreachable !== null;
  return {
    id: account.id,
    name: account.name,
    status: partial ? 'partial' : 'complete',
    snapshot: written.relativePath,
    sha256: written.digest.sha256,
    size: written.digest.size,
    capturedAt: snapshot.capturedAt,
    users: snapshot.users.length,
    errors: partial ? errorLines(snapshot, extra) : extra,
    startedAt,
    endedAt: toIsoUtc(options.clock()),
  };
}

interface AccountCollection {
  readonly snapshot: Snapshot;
  readonly warnings: readonly string[];
  /** The endpoint stopped answering part way (the caller gave up on it), else null. */
  readonly unreachable: Unreachable | null;
}

/** The one-account collection inside the account's role, with its own limiter, time limit and progress counters. */
async function collectWithLimits(connection: Connection, options: AccountRunOptions, progress: AccountProgress, accountId: string): Promise<AccountCollection> {
  const log = options.log;
  const runController = new AbortController();
  setMaxListeners(0, runController.signal);
  const runTimer = setTimeout(() => runController.abort(), options.runTimeoutMs);
  const caller = new ApiCaller({
    limiter: new ConcurrencyLimiter(options.concurrency),
    callTimeoutMs: options.connection.callTimeoutMs,
    runSignal: runController.signal,
    secrets: connection.secrets,
    maxAttempts: options.connection.maxAttempts,
    // The run clock, as the one-account collection uses: the per-API first/last call times in the snapshot.
    clock: options.clock,
    ...(options.retryBaseDelayMs === undefined ? {} : { retryBaseDelayMs: options.retryBaseDelayMs }),
    // --verbose: each call named with its account, as `collect` logs one account's (issue 24).
    log: log === null ? null : (line) => log(`${accountId} ${redactSecrets(line, connection.secrets)}`),
  });
  const countCalls = setInterval(() => (progress.calls = caller.calls + connection.setupCalls), 250);
  countCalls.unref();
  try {
    const { snapshot, warnings } = await collectSnapshot({
      iam: connection.iam,
      sts: connection.sts,
      caller,
      source: options.source,
      concurrency: options.concurrency,
      region: connection.region,
      report: { timeoutMs: options.reportTimeoutMs, pollBaseMs: options.reportPollBaseMs, maxPollDelayMs: Math.max(options.reportPollBaseMs, 8_000) },
      runSignal: runController.signal,
      clock: options.clock,
      recordedBy: recordingOperator(),
      setupCalls: () => ({ calls: connection.setupCalls, retries: connection.setupRetries }),
      onUsersListed: (count, complete) => {
        progress.usersTotal = count;
        progress.listingComplete = complete;
      },
      onUserDone: () => {
        progress.usersDone += 1;
      },
    });
    return { snapshot, warnings, unreachable: caller.unreachable };
  } finally {
    clearTimeout(runTimer);
    clearInterval(countCalls);
    connection.iam.destroy();
    connection.sts.destroy();
  }
}

/** Writes the account's snapshot under `<dir>/<account>/`; a refusal (file exists, not writable) is returned, not thrown. */
async function writeAccountSnapshot(
  snapshot: Snapshot,
  accountId: string,
  options: AccountRunOptions,
): Promise<{ readonly relativePath: string; readonly digest: WrittenDigest } | { readonly refused: string }> {
  const fileName = `${defaultSnapshotFileName(snapshot)}${options.gzip ? '.gz' : ''}`;
  const path = join(options.outDir, accountId, fileName);
  const staged = new StagedOutput();
  try {
    if (!options.overwrite && (await exists(path))) throw new UserError(`${path} already exists; refusing to overwrite it (use --overwrite)`);
    // As a read would validate it (issue #23): a snapshot no command could read is a failed account, not a file.
    checkSnapshotBeforeWriting(snapshot, path);
    const chunks = serializeSnapshotChunks(snapshot);
    const digest = await staged.add(path, options.gzip ? gzipSync(Buffer.concat([...chunks].map((chunk) => Buffer.from(chunk, 'utf8')))) : chunks);
    await staged.commit();
    return { relativePath: `${accountId}/${fileName}`, digest };
  } catch (error) {
    await staged.discard();
    if (error instanceof UserError) return { refused: error.message };
    throw error;
  }
}
