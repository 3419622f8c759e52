/**
 * Collecting one account into a snapshot, stage by stage. Start here; each stage is its own
 * module, receives what earlier stages produced and returns its data plus its collection errors:
 *
 *   1. identity.ts          caller identity (sts:GetCallerIdentity): account and partition
 *   2. users-listing.ts     ListUsers, paged to the end (or to the page that failed)
 *   3. user-details.ts      each user's login profile, MFA devices and access keys
 *   4. key-usage.ts         when each key was last used (credential report, else GetAccessKeyLastUsed)
 *   5. account-facts.ts     summary, password policy, alias, virtual MFA devices, server certificates
 *      authorization.ts    GetAccountAuthorizationDetails: policies, groups, roles
 *   6. credential-report.ts the credential report (--source both), for the dates only it has
 *   7. reconcile.ts         cross-checks between the sources: discrepancies, users one source lacks,
 *      populations.ts      and whether each list is complete (expected against collected)
 *   8. assemble.ts, root.ts the snapshot
 *
 * Stages 5 and 6 do not depend on the users, so they run while 2-4 do. Every call that fails for
 * good is a collection error and the facts it would have given become `collection_failed`; the
 * collection goes on. run.ts wraps this for the CLI (connection, progress, writing the file).
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import type { STSClient } from '@aws-sdk/client-sts';
import type { CollectionFacts, Snapshot } from '../snapshot/types.js';
import { UserError } from '../util/errors.js';
import { toIsoUtc } from '../util/time.js';
import { collectAccountFacts } from './account-facts.js';
import { assembleAccountFacts, assembleSnapshot, assembleUser } from './assemble.js';
import { collectAuthorization } from './authorization.js';
import type { ApiCaller } from './caller.js';
import { collectCredentialReport, fetchCredentialReport, staleReportError, type ReportFetchOptions } from './credential-report.js';
import { CallFailure } from './errors.js';
import { identifyCaller, type CallerIdentity } from './identity.js';
import { collectKeyUsage } from './key-usage.js';
import { reconcile } from './reconcile.js';
import { rootFacts } from './root.js';
import { collectUserDetails } from './user-details.js';
import { listUsers } from './users-listing.js';

import type { CollectSource } from './sources.js';
export { COLLECT_SOURCES, type CollectSource } from './sources.js';

export interface CollectorOptions {
  readonly iam: IAMClient;
  readonly sts: STSClient;
  readonly caller: ApiCaller;
  readonly source: CollectSource;
  /** Users collected at once (each makes up to three calls at a time, through the caller's limit). */
  readonly concurrency: number;
  readonly region: string | null;
  readonly report: ReportFetchOptions;
  readonly runSignal: AbortSignal;
  readonly clock: () => Date;
  /** Who runs the collection, where (util/operator.ts); left out of the snapshot when not given. */
  readonly recordedBy?: { readonly user: string | null; readonly host: string | null; readonly note: string | null };
  /** Calls and retries made before the caller existed (AssumeRole). */
  readonly setupCalls?: () => { calls: number; retries: number };
  /** Progress: users listed so far and whether the listing is complete; one user finished. */
  readonly onUsersListed?: (count: number, complete: boolean) => void;
  readonly onUserDone?: () => void;
}

export interface CollectOutcome {
  readonly snapshot: Snapshot;
  readonly warnings: readonly string[];
}

function collectionFacts(options: CollectorOptions, identity: CallerIdentity, startedAt: Date, endedAt: Date): CollectionFacts {
  const setup = options.setupCalls?.() ?? { calls: 0, retries: 0 };
  return {
    startedAt: toIsoUtc(startedAt),
    endedAt: toIsoUtc(endedAt),
    callerArn: identity.callerArn,
    region: options.region,
    apiCalls: options.caller.calls + setup.calls,
    retries: options.caller.retries + setup.retries,
    // AssumeRole is made before the caller exists: counted, its times not recorded.
    apiCallsByOperation: [
      ...(setup.calls > 0 ? [{ api: 'sts:AssumeRole', calls: setup.calls, retries: setup.retries, errors: 0, firstCallAt: null, lastCallAt: null }] : []),
      ...options.caller.operationCalls(),
    ],
    ...(options.recordedBy === undefined ? {} : { recordedBy: options.recordedBy }),
  };
}

/** --source credential-report: the report is the snapshot; the caller identity checks its account. */
async function collectReportOnly(options: CollectorOptions, identity: CallerIdentity, startedAt: Date): Promise<CollectOutcome> {
  let imported;
  try {
    imported = await fetchCredentialReport(options.iam, options.caller, options.report, options.runSignal);
  } catch (error) {
    if (error instanceof CallFailure) throw new UserError(`could not get the credential report (${error.api}): ${error.code}: ${error.message}`);
    throw error;
  }
  const warnings = [...imported.warnings];
  if (imported.snapshot.account.id !== identity.accountId) {
    warnings.unshift(`the credential report names account ${imported.snapshot.account.id}, but the caller is in ${identity.accountId}`);
  }
  const provenance = imported.snapshot.credentialReport;
  // The snapshot is the report as of its own generation time, so its ages stay consistent; a stale
  // one is still an error (exit 3) and said, since it is not the account as it is now.
  const stale = staleReportError(imported.snapshot.capturedAt, startedAt, ['capturedAt']);
  if (stale !== null) warnings.push(stale.message);
  const snapshot: Snapshot = {
    ...imported.snapshot,
    collectionErrors: [...imported.snapshot.collectionErrors, ...(stale === null ? [] : [stale])],
    collection: collectionFacts(options, identity, startedAt, options.clock()),
    credentialReport: provenance === null ? null : { ...provenance, generatedAtSource: 'api', fileName: null },
  };
  return { snapshot, warnings };
}

/** Throws UserError only when nothing can be collected (the caller cannot be identified). */
export async function collectSnapshot(options: CollectorOptions): Promise<CollectOutcome> {
  const { iam, sts, caller } = options;
  const startedAt = options.clock();
  const identity = await identifyCaller(sts, caller);
  if (options.source === 'credential-report') return collectReportOnly(options, identity, startedAt);

  // Independent of the users: started now, awaited when needed.
  const reportStage = options.source === 'both' ? collectCredentialReport(iam, caller, options.report, options.runSignal, identity.accountId, startedAt) : Promise.resolve(null);
  const accountStage = collectAccountFacts(iam, caller);
  const authorizationStage = collectAuthorization(iam, caller, identity.partition);

  const listing = await listUsers(iam, caller, options.onUsersListed);
  const details = await collectUserDetails(iam, caller, listing.users, options.concurrency, options.onUserDone);
  const report = await reportStage;
  const reportSnapshot = report?.report?.snapshot ?? null;
  const reportUsers = new Map((reportSnapshot?.users ?? []).map((user) => [user.arn, user]));
  const keyUsage = await collectKeyUsage(iam, caller, details.users, reportUsers);
  const account = await accountStage;
  const authorization = await authorizationStage;

  const sources = { keyUsage: keyUsage.usage, authorization, reportUsers, hasReport: reportSnapshot !== null, reportFailure: report?.failure ?? null };
  const users = details.users.map((live) => assembleUser(live, sources));
  const root = rootFacts({
    arn: `arn:${identity.partition}:iam::${identity.accountId}:root`,
    reportRoot: reportSnapshot?.root ?? null,
    summary: account.summary,
    virtualMfaDevices: account.virtualMfaDevices,
    reportFailure: report?.failure ?? null,
  });
  const reconciliation = reconcile({
    listing,
    mfaListing: details.mfaListing,
    account,
    users,
    root,
    authorization,
    report: reportSnapshot === null ? null : { users: reportSnapshot.users, root: reportSnapshot.root },
  });

  const snapshot = assembleSnapshot({
    identity,
    collection: collectionFacts(options, identity, startedAt, options.clock()),
    report: report?.report ?? null,
    root: reconciliation.root,
    users: reconciliation.users,
    accountFacts: assembleAccountFacts(account, authorization),
    collectionErrors: [
      ...listing.errors,
      ...details.errors,
      ...(report?.errors ?? []),
      ...keyUsage.errors,
      ...authorization.errors,
      ...account.errors,
      ...reconciliation.errors,
    ],
    discrepancies: reconciliation.discrepancies,
    populations: reconciliation.populations,
  });
  return { snapshot, warnings: [...listing.warnings, ...(report?.warnings ?? [])] };
}
