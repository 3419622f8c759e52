import type { ImportOutcome } from '../import/credential-report.js';
import {
  absent,
  CURRENT_SCHEMA_VERSION,
  known,
  type AccessKeyFacts,
  type AccountFacts,
  type CollectionError,
  type CollectionFacts,
  type Fact,
  type Populations,
  type RootFacts,
  type Snapshot,
  type SourceDiscrepancy,
  type UserFacts,
} from '../snapshot/types.js';
import { packageInfo } from '../util/paths.js';
import { toIsoUtc } from '../util/time.js';
import type { AccountWideFacts } from './account-facts.js';
import type { AuthorizationStage } from './authorization.js';
import type { CallerIdentity } from './identity.js';
import { isoFact } from './iso.js';
import type { KeyUsage } from './key-usage.js';
import type { LiveUser } from './user-details.js';

/** Stage 8: assembly. Pure: every call is made and every error recorded before this. */
export interface UserSources {
  readonly keyUsage: ReadonlyMap<string, KeyUsage>;
  readonly authorization: AuthorizationStage;
  /** By user ARN; empty without a credential report. */
  readonly reportUsers: ReadonlyMap<string, UserFacts>;
  readonly hasReport: boolean;
  readonly reportFailure: Fact<never> | null;
}

function accessKeyFacts(live: LiveUser, keyUsage: ReadonlyMap<string, KeyUsage>): Fact<readonly AccessKeyFacts[]> {
  if (!live.accessKeys.known) return live.accessKeys;
  return known(
    live.accessKeys.value.map((key): AccessKeyFacts => {
      const usage = keyUsage.get(key.AccessKeyId ?? '');
      const missing = absent('no_information');
      return {
        slot: usage?.slot ?? null,
        id: key.AccessKeyId === undefined ? absent('no_information') : known(key.AccessKeyId),
        active: key.Status === 'Active',
        createdAt: isoFact(key.CreateDate, absent('no_information')),
        lastUsed: usage?.lastUsed ?? missing,
        lastUsedRegion: usage?.lastUsedRegion ?? missing,
        lastUsedService: usage?.lastUsedService ?? missing,
      };
    }),
  );
}

/** One user: live facts win; the credential report adds what only it has, if it agrees the password exists. */
export function assembleUser(live: LiveUser, sources: UserSources): UserFacts {
  const reportUser = sources.reportUsers.get(live.arn);
  const notInReport = sources.hasReport ? absent('not_collected', 'the user is not in the credential report (created after it was generated?)') : null;
  const reportOnly = (): Fact<never> => notInReport ?? sources.reportFailure ?? absent('not_collected', 'only the credential report has it (use --source both)');
  const { passwordEnabled } = live;

  // The report's password dates hold only if the report agrees the password exists.
  const passwordAgrees = reportUser !== undefined && passwordEnabled.known && reportUser.password.enabled.known && reportUser.password.enabled.value === passwordEnabled.value;
  const fromReportPassword = <T>(fact: Fact<T> | undefined): Fact<T> => {
    if (passwordEnabled.known && !passwordEnabled.value) return absent('not_applicable');
    if (reportUser === undefined || fact === undefined) return reportOnly();
    return passwordAgrees ? fact : absent('not_collected', 'the console password changed since the credential report was generated');
  };

  let lastUsed: Fact<string>;
  if (live.listed.PasswordLastUsed !== undefined) lastUsed = known(toIsoUtc(live.listed.PasswordLastUsed));
  else if (reportUser?.password.lastUsed.known === true) lastUsed = reportUser.password.lastUsed;
  else if (passwordEnabled.known && !passwordEnabled.value) lastUsed = absent('not_applicable');
  else lastUsed = absent('no_information');

  const authorization = sources.authorization.users.get(live.arn);
  const missingDetail = sources.authorization.failure ?? absent('collection_failed', 'not in GetAccountAuthorizationDetails (created during the collection?)');
  return {
    name: live.name,
    arn: live.arn,
    userId: live.listed.UserId === undefined ? absent('no_information') : known(live.listed.UserId),
    path: live.listed.Path === undefined ? absent('no_information') : known(live.listed.Path),
    createdAt: isoFact(live.listed.CreateDate, absent('no_information')),
    password: {
      enabled: passwordEnabled,
      lastUsed,
      lastChanged: fromReportPassword(reportUser?.password.lastChanged),
      nextRotation: fromReportPassword(reportUser?.password.nextRotation),
      resetRequired: live.resetRequired,
    },
    mfa: { active: live.mfaActive, devices: live.mfaDevices },
    accessKeys: accessKeyFacts(live, sources.keyUsage),
    signingCertificates: reportUser?.signingCertificates ?? reportOnly(),
    groups: authorization?.groups ?? missingDetail,
    attachedPolicies: authorization?.attachedPolicies ?? missingDetail,
    inlinePolicies: authorization?.inlinePolicies ?? missingDetail,
    tags: authorization?.tags ?? missingDetail,
  };
}

export function assembleAccountFacts(account: AccountWideFacts, authorization: AuthorizationStage): AccountFacts {
  return {
    alias: account.alias,
    summary: account.summary,
    passwordPolicy: account.passwordPolicy,
    virtualMfaDevices: account.virtualMfaDevices,
    managedPolicies: authorization.managedPolicies,
    groups: authorization.groups,
    roles: authorization.roles,
    serverCertificates: account.serverCertificates,
  };
}

export interface SnapshotParts {
  readonly identity: CallerIdentity;
  readonly collection: CollectionFacts;
  readonly report: ImportOutcome | null;
  readonly root: RootFacts;
  readonly users: readonly UserFacts[];
  readonly accountFacts: AccountFacts;
  readonly collectionErrors: readonly CollectionError[];
  readonly discrepancies: readonly SourceDiscrepancy[];
  readonly populations: Populations;
}

export function assembleSnapshot(parts: SnapshotParts): Snapshot {
  const tool = packageInfo();
  const provenance = parts.report?.snapshot.credentialReport ?? null;
  return {
    schemaVersion: CURRENT_SCHEMA_VERSION,
    source: 'aws-api',
    capturedAt: parts.collection.endedAt,
    collection: parts.collection,
    credentialReport: provenance === null ? null : { ...provenance, generatedAtSource: 'api', fileName: null },
    account: { id: parts.identity.accountId, partition: parts.identity.partition },
    tool: { name: tool.name, version: tool.version },
    root: parts.root,
    users: parts.users,
    accountFacts: parts.accountFacts,
    collectionErrors: parts.collectionErrors,
    discrepancies: parts.discrepancies,
    populations: parts.populations,
  };
}
