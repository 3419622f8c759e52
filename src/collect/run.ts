import { setMaxListeners } from 'node:events';
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultSnapshotFileName } from '../import/credential-report.js';
import { writeSnapshot, type LoadedSnapshot } from '../snapshot/io.js';
import { POPULATIONS, type PopulationName, type Snapshot } from '../snapshot/types.js';
import { ExitCode, UserError, type ExitCodeValue } from '../util/errors.js';
import { escapeForTerminal } from '../util/terminal-text.js';
import { recordingOperator } from '../util/operator.js';
import { runClock } from '../util/time.js';
import { ApiCaller } from './caller.js';
import type { ConnectionOptions } from './clients.js';
import type { CollectSource } from './sources.js';
import { missingPermissions, redactSecrets } from './errors.js';
import { ConcurrencyLimiter } from './limiter.js';
import { ProgressDisplay } from './progress.js';

export { DEFAULT_CONCURRENCY } from './sources.js';

export interface CollectRunOptions extends Omit<ConnectionOptions, 'callTimeoutMs'> {
  readonly source: CollectSource;
  readonly concurrency: number;
  readonly callTimeoutMs: number;
  /** Base of the retry backoff (tests shorten it); the caller's default when undefined. */
  readonly retryBaseDelayMs?: number;
  readonly runTimeoutMs: number;
  readonly reportTimeoutMs: number;
  readonly reportPollBaseMs: number;
  /** Output file; default snapshot-<account>-<capture time>.json in `defaultDir`. */
  readonly outputPath?: string;
  readonly defaultDir: string;
  readonly overwrite: boolean;
  readonly quiet: boolean;
  readonly verbose: boolean;
  readonly stderr: NodeJS.WriteStream;
  readonly environment?: NodeJS.ProcessEnv;
  /** --clock-skew (ms): how far after the capture time AWS's clock may put a past event; the default when left out. */
  readonly clockSkewMs?: number;
}

export interface CollectRunOutcome {
  readonly snapshot: Snapshot;
  readonly snapshotPath: string;
  /** The snapshot as written (bytes, SHA-256), for `audit` to report on without reading it back. */
  readonly loaded: LoadedSnapshot;
  /** ok, or partial when some calls failed for good. */
  readonly exitCode: ExitCodeValue;
}

async function pathExists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    // ENOENT (or unreadable parent): the writer reports any real problem when it writes
    return false;
  }
}

const POPULATION_LABELS: Readonly<Record<PopulationName, string>> = {
  users: 'IAM users',
  mfaDevices: 'MFA devices in use',
  managedPolicies: 'customer managed policies',
  groups: 'groups',
  roles: 'roles',
  virtualMfaDevices: 'virtual MFA devices',
  serverCertificates: 'server certificates',
};

/**
 * The reconciliation, one line per list: always the users and their MFA devices, the other lists
 * when they are not complete. E.g. "IAM users: expected 14 (iam:GetAccountSummary Users), collected 3: INCOMPLETE (...)".
 * With --source both, a last line gives the count of discrepancies (describeDiscrepancies).
 */
export function describePopulations(snapshot: Snapshot): string[] {
  const lines = POPULATIONS.filter((name) => name === 'users' || name === 'mfaDevices' || snapshot.populations[name].state === 'incomplete').map((name) => {
    const population = snapshot.populations[name];
    const expected = population.expected === null ? 'no independent count' : `expected ${population.expected} (${population.expectedSource ?? '?'})`;
    const state = population.state === 'complete' ? 'complete' : population.state === 'incomplete' ? `INCOMPLETE (${population.reason ?? ''})` : `not collected (${population.reason ?? ''})`;
    return `${POPULATION_LABELS[name]}: ${expected}, collected ${population.collected}: ${state}`;
  });
  const discrepancies = describeDiscrepancies(snapshot);
  return discrepancies === null ? lines : [...lines, discrepancies];
}

/**
 * With --source both, how many discrepancies the live API and the credential report had, and what
 * became of the facts they contradict; null when the two were not compared.
 */
export function describeDiscrepancies(snapshot: Snapshot): string | null {
  if (snapshot.source !== 'aws-api' || snapshot.credentialReport === null) return null;
  const count = snapshot.discrepancies.length;
  if (count === 0) return 'Live API against the credential report: no discrepancies';
  const facts = snapshot.discrepancies.filter((discrepancy) => discrepancy.field !== 'user').length;
  return `Live API against the credential report: ${count} discrepanc${count === 1 ? 'y' : 'ies'}${
    facts === 0 ? '' : `; the ${facts} contradicted fact${facts === 1 ? ' is' : 's are'} unknown (not evaluated), neither side chosen`
  } (snapshot.discrepancies)`;
}

/** The explanation printed when the collection is partial: what failed and which permissions to grant. */
export function describePartialCollection(snapshot: Snapshot): string[] {
  const errors = snapshot.collectionErrors;
  if (errors.length === 0) return [];
  const byCode = new Map<string, number>();
  for (const error of errors) byCode.set(`${error.api} ${error.code}`, (byCode.get(`${error.api} ${error.code}`) ?? 0) + 1);
  const lines = [
    `Collection incomplete: ${errors.length} failure${errors.length === 1 ? '' : 's'}; the affected facts are recorded as collection_failed and the checks that need them will be not evaluated.`,
    ...[...byCode].map(([what, count]) => `  ${what}${count > 1 ? ` (x${count})` : ''}`),
  ];
  const permissions = missingPermissions(errors);
  if (permissions.length > 0) {
    lines.push(`Missing permissions: grant ${permissions.join(', ')} (the AWS managed SecurityAudit policy covers them all; see "Live collection" in docs/user-guide.md).`);
  }
  return lines;
}

/**
 * `iam-audit collect`: connect (default credential chain, profile, assumed role), collect with a
 * progress line, write the snapshot (never over an existing file without --overwrite) and say
 * whether the collection is complete.
 * One piece: the connection, the caller, the progress line and the timers are set up around the one collection and torn down in its `finally`.
 */
export async function runCollect(options: CollectRunOptions): Promise<CollectRunOutcome> {
  const environment = options.environment ?? process.env;
  // Before the first call: a collection of an hour must not end in "already exists".
  if (options.outputPath !== undefined && !options.overwrite && (await pathExists(options.outputPath))) {
    throw new UserError(`${options.outputPath} already exists; refusing to overwrite it (use --overwrite, or another output path)`);
  }
  // Loaded here, not at module top: the AWS SDK is most of a short run's start-up, and `audit` of
  // a credential report CSV (which shares this module's options) never calls AWS.
  const [{ connect }, { collectSnapshot }] = await Promise.all([import('./clients.js'), import('./collect.js')]);
  const connection = await connect(options);
  const counters = { usersDone: 0, usersTotal: 0, listingComplete: false };
  let progress: ProgressDisplay | null = null;
  const runController = new AbortController();
  // Every call in flight listens for the run's abort: up to --concurrency listeners, by design.
  setMaxListeners(0, runController.signal);
  const runTimer = setTimeout(() => runController.abort(), options.runTimeoutMs);
  const caller = new ApiCaller({
    limiter: new ConcurrencyLimiter(options.concurrency),
    callTimeoutMs: options.callTimeoutMs,
    runSignal: runController.signal,
    secrets: connection.secrets,
    maxAttempts: options.maxAttempts,
    clock: runClock(environment),
    ...(options.retryBaseDelayMs === undefined ? {} : { retryBaseDelayMs: options.retryBaseDelayMs }),
    log: options.verbose
      ? (line) => {
          // Clear the progress line first so the log and the progress do not mix.
          options.stderr.write(`${options.stderr.isTTY === true && !options.quiet ? '\r\x1b[K' : ''}[call] ${escapeForTerminal(redactSecrets(line, connection.secrets))}\n`);
        }
      : null,
  });
  progress = ProgressDisplay.for(options.stderr, options.quiet, () => ({
    ...counters,
    calls: caller.calls + connection.setupCalls,
    retries: caller.retries + connection.setupRetries,
  }));
  progress.start();
  let outcome;
  try {
    outcome = await collectSnapshot({
      iam: connection.iam,
      sts: connection.sts,
      caller,
      source: options.source,
      concurrency: options.concurrency,
      region: connection.region,
      report: { timeoutMs: options.reportTimeoutMs, pollBaseMs: options.reportPollBaseMs, maxPollDelayMs: Math.max(options.reportPollBaseMs, 8_000) },
      runSignal: runController.signal,
      clock: runClock(environment),
      recordedBy: recordingOperator(environment),
      setupCalls: () => ({ calls: connection.setupCalls, retries: connection.setupRetries }),
      onUsersListed: (count, complete) => {
        counters.usersTotal = count;
        counters.listingComplete = complete;
      },
      onUserDone: () => {
        counters.usersDone += 1;
      },
    });
  } finally {
    clearTimeout(runTimer);
    progress.stop();
    connection.iam.destroy();
    connection.sts.destroy();
  }
  const { snapshot, warnings } = outcome;
  const unreachable = caller.unreachable;
  if (unreachable !== null) {
    options.stderr.write(
      `iam-audit: the endpoint stopped answering (${unreachable.code}: ${escapeForTerminal(redactSecrets(unreachable.message, connection.secrets))}); stopped after ${unreachable.afterCalls} calls, the snapshot holds what was collected before\n`,
    );
  }
  for (const warning of warnings) options.stderr.write(`warning: ${escapeForTerminal(redactSecrets(warning, connection.secrets))}\n`);
  const discrepancies = describeDiscrepancies(snapshot);
  if (discrepancies !== null && snapshot.discrepancies.length > 0) options.stderr.write(`${escapeForTerminal(discrepancies)}\n`);
  const snapshotPath = options.outputPath ?? join(options.defaultDir, defaultSnapshotFileName(snapshot));
  // Validated as a read would validate it (schema, unique users, no instant after the capture), before it is written.
  const loaded = await writeSnapshot(snapshotPath, snapshot, options.overwrite, options.clockSkewMs === undefined ? {} : { clockSkewMs: options.clockSkewMs });
  const partial = snapshot.collectionErrors.length > 0;
  if (partial) for (const line of describePartialCollection(snapshot)) options.stderr.write(`${escapeForTerminal(line)}\n`);
  return { snapshot, snapshotPath, loaded, exitCode: partial ? ExitCode.partial : ExitCode.ok };
}
