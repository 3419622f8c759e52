import {
  GetAccessKeyLastUsedCommand,
  GetAccountAuthorizationDetailsCommand,
  GetAccountPasswordPolicyCommand,
  GetAccountSummaryCommand,
  GetLoginProfileCommand,
  ListAccessKeysCommand,
  ListAccountAliasesCommand,
  ListMFADevicesCommand,
  ListServerCertificatesCommand,
  ListUsersCommand,
  ListVirtualMFADevicesCommand,
  type AccessKeyLastUsed,
  type AccessKeyMetadata,
  type AttachedPolicy,
  type IAMClient,
  type LoginProfile,
  type MFADevice,
  type PolicyDetail,
  type User,
  type UserDetail,
} from '@aws-sdk/client-iam';
import { livePopulations } from './populations.js';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import type { ImportOutcome } from '../import/credential-report.js';
import {
  absent,
  CURRENT_SCHEMA_VERSION,
  known,
  NOT_COLLECTED,
  type AccessKeyFacts,
  type AccountFacts,
  type CollectionError,
  type Fact,
  type GroupFacts,
  type InlinePolicy,
  type ManagedPolicy,
  type MfaDevice,
  type MfaDeviceType,
  type PasswordPolicyState,
  type PolicyAttachment,
  type RoleFacts,
  type RootFacts,
  type ServerCertificateFacts,
  type Snapshot,
  type SourceDiscrepancy,
  type UserFacts,
  type VirtualMfaDevice,
} from '../snapshot/types.js';
import { UserError } from '../util/errors.js';
import { packageInfo } from '../util/paths.js';
import { toIsoUtc } from '../util/time.js';
import { attempt, type ApiCaller, type Outcome } from './caller.js';
import { fetchCredentialReport, type ReportFetchOptions } from './credential-report.js';
import { CallFailure, isAccessDenied } from './errors.js';
import { ConcurrencyLimiter } from './limiter.js';

export const COLLECT_SOURCES = ['api', 'credential-report', 'both'] as const;
export type CollectSource = (typeof COLLECT_SOURCES)[number];

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

/** Everything collected for one listed user, before the facts are assembled. */
interface LiveUser {
  readonly index: number;
  readonly listed: User;
  /** null: NoSuchEntity, i.e. no console password. */
  readonly loginProfile: Outcome<LoginProfile | null>;
  readonly mfaDevices: Outcome<MFADevice[]>;
  readonly accessKeys: Outcome<AccessKeyMetadata[]>;
  /** Set when the user was deleted between ListUsers and its own calls. */
  readonly deleted: CallFailure | null;
}

interface Paged {
  readonly IsTruncated?: boolean;
  readonly Marker?: string;
  readonly $metadata: { readonly attempts?: number };
}

const ARN_PARTITION = /^arn:([^:]+):/;

/** Serial numbers say the device type: arn:...:mfa/NAME virtual, arn:...:u2f/... FIDO, else hardware TOTP. */
export function mfaDeviceType(serialNumber: string): MfaDeviceType {
  if (/^arn:[^:]+:iam::[^:]*:mfa\//.test(serialNumber)) return 'virtual';
  if (/^arn:[^:]+:iam::[^:]*:u2f\//.test(serialNumber)) return 'fido';
  if (serialNumber.startsWith('arn:')) return 'unknown';
  return 'hardware-totp';
}

const iso = (date: Date): string => toIsoUtc(date);
const isoFact = (date: Date | undefined, whenAbsent: Fact<string>): Fact<string> => (date === undefined ? whenAbsent : known(iso(date)));
const sameSecond = (a: string, b: string): boolean => Math.floor(Date.parse(a) / 1000) === Math.floor(Date.parse(b) / 1000);

/** Policy documents arrive URL-encoded (RFC 3986) JSON. */
function decodePolicyDocument(encoded: string): unknown {
  return JSON.parse(decodeURIComponent(encoded));
}

/**
 * Collects one account into a snapshot. Every call that fails for good is recorded in
 * collectionErrors and the facts it would have given become `collection_failed`; the collection
 * goes on. Throws UserError only when nothing can be collected (the caller cannot be identified).
 */
export async function collectSnapshot(options: CollectorOptions): Promise<CollectOutcome> {
  const { iam, sts, caller } = options;
  const startedAt = options.clock();
  const errors: CollectionError[] = [];
  const warnings: string[] = [];

  /** Records a failure and gives the absent fact that stands for what it would have given. */
  const failed = (failure: CallFailure, affects: readonly string[]): Fact<never> => {
    errors.push({ api: failure.api, resource: failure.resource, code: failure.code, message: failure.message, affects });
    return absent('collection_failed', `${failure.api}: ${failure.code}`);
  };

  let identity;
  try {
    identity = await caller.call('sts:GetCallerIdentity', null, (abortSignal) => sts.send(new GetCallerIdentityCommand({}), { abortSignal }));
  } catch (error) {
    if (error instanceof CallFailure) throw new UserError(`could not identify the caller (sts:GetCallerIdentity): ${error.code}: ${error.message}`);
    throw error;
  }
  const callerArn = identity.Arn ?? null;
  const accountId = identity.Account;
  const partition = ARN_PARTITION.exec(callerArn ?? '')?.[1];
  if (accountId === undefined || partition === undefined) throw new UserError('sts:GetCallerIdentity returned no account or ARN');

  const collectionFacts = (endedAt: Date) => {
    const setup = options.setupCalls?.() ?? { calls: 0, retries: 0 };
    return {
      startedAt: iso(startedAt),
      endedAt: iso(endedAt),
      callerArn,
      region: options.region,
      apiCalls: caller.calls + setup.calls,
      retries: caller.retries + setup.retries,
    };
  };
  const tool = packageInfo();

  if (options.source === 'credential-report') {
    let imported: ImportOutcome;
    try {
      imported = await fetchCredentialReport(iam, caller, options.report, options.runSignal);
    } catch (error) {
      if (error instanceof CallFailure) throw new UserError(`could not get the credential report (${error.api}): ${error.code}: ${error.message}`);
      throw error;
    }
    const provenance = imported.snapshot.credentialReport;
    if (imported.snapshot.account.id !== accountId) {
      warnings.push(`the credential report names account ${imported.snapshot.account.id}, but the caller is in ${accountId}`);
    }
    return {
      snapshot: {
        ...imported.snapshot,
        collection: collectionFacts(options.clock()),
        credentialReport: provenance === null ? null : { ...provenance, generatedAtSource: 'api', fileName: null },
      },
      warnings: [...warnings, ...imported.warnings],
    };
  }

  /** Calls `fetchPage` with each Marker until IsTruncated is false (pages can be short). */
  const forEachPage = async <T extends Paged>(
    api: string,
    resource: string | null,
    fetchPage: (marker: string | undefined, abortSignal: AbortSignal) => Promise<T>,
    onPage: (page: T) => void,
  ): Promise<void> => {
    let marker: string | undefined;
    do {
      const page = await caller.call(api, resource, (abortSignal) => fetchPage(marker, abortSignal));
      onPage(page);
      if (page.IsTruncated === true) {
        if (page.Marker === undefined || page.Marker === '') {
          throw new CallFailure(api, resource, 'MissingMarker', 'IsTruncated was true but the answer had no Marker to continue from');
        }
        marker = page.Marker;
      } else {
        marker = undefined;
      }
    } while (marker !== undefined);
  };

  // The credential report (for usage dates) is made by IAM while everything else is collected.
  const reportPromise: Promise<Outcome<ImportOutcome> | null> =
    options.source === 'both' ? attempt(() => fetchCredentialReport(iam, caller, options.report, options.runSignal)) : Promise.resolve(null);

  // ---- account-wide facts, concurrently with the users ----
  const aliasPromise = attempt(async () => {
    const aliases: string[] = [];
    await forEachPage('iam:ListAccountAliases', null, (Marker, abortSignal) => iam.send(new ListAccountAliasesCommand({ Marker, MaxItems: 1000 }), { abortSignal }), (page) =>
      aliases.push(...(page.AccountAliases ?? [])),
    );
    return aliases;
  });
  const summaryPromise = attempt(() => caller.call('iam:GetAccountSummary', null, (abortSignal) => iam.send(new GetAccountSummaryCommand({}), { abortSignal })));
  const passwordPolicyPromise = attempt(async (): Promise<PasswordPolicyState> => {
    try {
      const output = await caller.call('iam:GetAccountPasswordPolicy', null, (abortSignal) => iam.send(new GetAccountPasswordPolicyCommand({}), { abortSignal }));
      const policy = output.PasswordPolicy ?? {};
      return {
        present: true,
        minimumPasswordLength: policy.MinimumPasswordLength ?? null,
        requireSymbols: policy.RequireSymbols ?? false,
        requireNumbers: policy.RequireNumbers ?? false,
        requireUppercaseCharacters: policy.RequireUppercaseCharacters ?? false,
        requireLowercaseCharacters: policy.RequireLowercaseCharacters ?? false,
        allowUsersToChangePassword: policy.AllowUsersToChangePassword ?? false,
        expirePasswords: policy.ExpirePasswords ?? false,
        maxPasswordAge: policy.MaxPasswordAge ?? null,
        passwordReusePrevention: policy.PasswordReusePrevention ?? null,
        hardExpiry: policy.HardExpiry ?? false,
      };
    } catch (error) {
      // NoSuchEntity is IAM's way of saying "no policy is set": a fact, not a failure.
      if (error instanceof CallFailure && error.code === 'NoSuchEntity') return { present: false };
      throw error;
    }
  });
  const virtualMfaPromise = attempt(async () => {
    const devices: VirtualMfaDevice[] = [];
    await forEachPage(
      'iam:ListVirtualMFADevices',
      null,
      (Marker, abortSignal) => iam.send(new ListVirtualMFADevicesCommand({ Marker, MaxItems: 1000, AssignmentStatus: 'Any' }), { abortSignal }),
      (page) => {
        for (const device of page.VirtualMFADevices ?? []) {
          if (device.SerialNumber !== undefined) devices.push({ serialNumber: device.SerialNumber, assignedTo: device.User?.Arn ?? null });
        }
      },
    );
    return devices;
  });
  const authorizationPromise = attempt(async () => {
    const users: UserDetail[] = [];
    const groups: GroupFacts[] = [];
    const roles: RoleFacts[] = [];
    const policies: ManagedPolicy[] = [];
    await forEachPage(
      'iam:GetAccountAuthorizationDetails',
      null,
      (Marker, abortSignal) =>
        iam.send(new GetAccountAuthorizationDetailsCommand({ Marker, MaxItems: 1000, Filter: ['User', 'Group', 'Role', 'LocalManagedPolicy', 'AWSManagedPolicy'] }), {
          abortSignal,
        }),
      (page) => {
        users.push(...(page.UserDetailList ?? []));
        for (const group of page.GroupDetailList ?? []) {
          groups.push({
            name: group.GroupName ?? '',
            arn: group.Arn ?? '',
            attachedPolicies: attachments(group.AttachedManagedPolicies),
            inlinePolicies: inlinePolicies(group.GroupPolicyList, `group ${group.Arn ?? ''}`),
          });
        }
        for (const role of page.RoleDetailList ?? []) {
          roles.push({
            name: role.RoleName ?? '',
            arn: role.Arn ?? '',
            attachedPolicies: attachments(role.AttachedManagedPolicies),
            inlinePolicies: inlinePolicies(role.RolePolicyList, `role ${role.Arn ?? ''}`),
          });
        }
        for (const policy of page.Policies ?? []) policies.push(managedPolicy(policy));
      },
    );
    return { users, groups, roles, policies };
  });
  const certificatesPromise = attempt(async () => {
    const certificates: ServerCertificateFacts[] = [];
    await forEachPage(
      'iam:ListServerCertificates',
      null,
      (Marker, abortSignal) => iam.send(new ListServerCertificatesCommand({ Marker, MaxItems: 1000 }), { abortSignal }),
      (page) => {
        for (const certificate of page.ServerCertificateMetadataList ?? []) {
          certificates.push({
            name: certificate.ServerCertificateName ?? '',
            arn: certificate.Arn ?? '',
            expiration: isoFact(certificate.Expiration, absent('not_applicable')),
            uploadedAt: isoFact(certificate.UploadDate, absent('not_applicable')),
          });
        }
      },
    );
    return certificates;
  });

  /** An inline policy whose document is not URL-encoded JSON is recorded, its document left null. */
  function inlinePolicies(list: readonly PolicyDetail[] | undefined, owner: string): InlinePolicy[] {
    return (list ?? []).map((policy) => {
      const name = policy.PolicyName ?? '';
      try {
        return { policyName: name, document: decodePolicyDocument(policy.PolicyDocument ?? '') };
      } catch (error) {
        errors.push({
          api: 'iam:GetAccountAuthorizationDetails',
          resource: owner,
          code: 'InvalidPolicyDocument',
          message: `inline policy ${name}: ${(error as Error).message}`,
          affects: [`${owner} inline policy ${name}`],
        });
        return { policyName: name, document: null };
      }
    });
  }
  function attachments(list: readonly AttachedPolicy[] | undefined): PolicyAttachment[] {
    return (list ?? []).map((policy) => ({ policyName: policy.PolicyName ?? '', policyArn: policy.PolicyArn ?? '' }));
  }
  function managedPolicy(policy: ManagedPolicyDetailLike): ManagedPolicy {
    const arn = policy.Arn ?? '';
    const defaultVersion = (policy.PolicyVersionList ?? []).find((version) => version.IsDefaultVersion === true);
    let document: Fact<unknown>;
    if (defaultVersion?.Document === undefined) {
      document = absent('collection_failed', 'no default version document in GetAccountAuthorizationDetails');
      errors.push({
        api: 'iam:GetAccountAuthorizationDetails',
        resource: arn,
        code: 'MissingPolicyDocument',
        message: `managed policy ${arn} has no default version document`,
        affects: [`accountFacts.managedPolicies[${arn}].document`],
      });
    } else {
      try {
        document = known(decodePolicyDocument(defaultVersion.Document));
      } catch (error) {
        document = failed(new CallFailure('iam:GetAccountAuthorizationDetails', arn, 'InvalidPolicyDocument', (error as Error).message), [
          `accountFacts.managedPolicies[${arn}].document`,
        ]);
      }
    }
    return {
      arn,
      name: policy.PolicyName ?? '',
      attachmentCount: policy.AttachmentCount ?? 0,
      isAwsManaged: arn.startsWith(`arn:${partition}:iam::aws:policy/`),
      document,
    };
  }

  // ---- users: ListUsers page by page; each listed user's own calls start at once ----
  const userTasks: Promise<LiveUser>[] = [];
  // Users in flight are bounded too (their calls are bounded by the caller): thousands of users
  // queued at once would hold thousands of pending calls in memory for no gain in speed.
  const userSlots = new ConcurrencyLimiter(options.concurrency * 2);
  let listingFailure: CallFailure | null = null;
  const collectUser = async (listed: User, index: number): Promise<LiveUser> => {
    const name = listed.UserName ?? '';
    const arn = listed.Arn ?? name;
    const [loginProfile, mfaDevices, accessKeys] = await Promise.all([
      attempt(async (): Promise<LoginProfile | null> => {
        try {
          const output = await caller.call('iam:GetLoginProfile', arn, (abortSignal) => iam.send(new GetLoginProfileCommand({ UserName: name }), { abortSignal }));
          return output.LoginProfile ?? null;
        } catch (error) {
          // NoSuchEntity for the login profile means "no console password"; for the user itself
          // ("The user with name ... cannot be found") it means the user is gone: a failure.
          if (error instanceof CallFailure && error.code === 'NoSuchEntity' && !/user with name/i.test(error.message)) return null;
          throw error;
        }
      }),
      attempt(async () => {
        const devices: MFADevice[] = [];
        await forEachPage('iam:ListMFADevices', arn, (Marker, abortSignal) => iam.send(new ListMFADevicesCommand({ UserName: name, Marker }), { abortSignal }), (page) =>
          devices.push(...(page.MFADevices ?? [])),
        );
        return devices;
      }),
      attempt(async () => {
        const keys: AccessKeyMetadata[] = [];
        await forEachPage('iam:ListAccessKeys', arn, (Marker, abortSignal) => iam.send(new ListAccessKeysCommand({ UserName: name, Marker }), { abortSignal }), (page) =>
          keys.push(...(page.AccessKeyMetadata ?? [])),
        );
        return keys;
      }),
    ]);
    const deleted = [loginProfile, mfaDevices, accessKeys].find((outcome): outcome is { ok: false; failure: CallFailure } => !outcome.ok && outcome.failure.code === 'NoSuchEntity');
    options.onUserDone?.();
    return { index, listed, loginProfile, mfaDevices, accessKeys, deleted: deleted?.failure ?? null };
  };
  const listedUsers: User[] = [];
  try {
    await forEachPage(
      'iam:ListUsers',
      null,
      (Marker, abortSignal) => iam.send(new ListUsersCommand({ Marker, MaxItems: 1000 }), { abortSignal }),
      (page) => {
        for (const user of page.Users ?? []) {
          const index = listedUsers.length;
          userTasks.push(userSlots.run(() => collectUser(user, index)));
          listedUsers.push(user);
        }
        options.onUsersListed?.(listedUsers.length, page.IsTruncated !== true);
      },
    );
  } catch (error) {
    if (!(error instanceof CallFailure)) throw error;
    listingFailure = error;
    options.onUsersListed?.(listedUsers.length, true);
  }
  const liveUsers = await Promise.all(userTasks);
  if (listingFailure !== null) {
    failed(listingFailure, ['users']);
    warnings.push(`the user list is incomplete (${listingFailure.api}: ${listingFailure.code}); ${liveUsers.length} users were listed before it failed`);
  }

  const reportOutcome = await reportPromise;
  let report: ImportOutcome | null = null;
  let reportFailure: Fact<never> | null = null;
  if (reportOutcome !== null) {
    if (reportOutcome.ok) {
      report = reportOutcome.value;
      warnings.push(...reportOutcome.value.warnings);
      if (report.snapshot.account.id !== accountId) {
        warnings.push(`the credential report names account ${report.snapshot.account.id}, not the caller's ${accountId}; it is not used`);
        report = null;
      }
    } else {
      reportFailure = failed(reportOutcome.failure, [
        'credentialReport',
        'users[*].password.lastChanged',
        'users[*].password.nextRotation',
        'users[*].signingCertificates',
        'root',
      ]);
    }
  }
  const reportUsers = new Map((report?.snapshot.users ?? []).map((user) => [user.arn, user]));
  /** Facts only the credential report has: failed with it, or not collected without it. */
  const reportOnly = (detail: string): Fact<never> => reportFailure ?? absent('not_collected', detail);

  // ---- key usage: from the report where it knows the key, else GetAccessKeyLastUsed ----
  interface KeyUsage {
    readonly lastUsed: Fact<string>;
    readonly lastUsedRegion: Fact<string>;
    readonly lastUsedService: Fact<string>;
    readonly slot: 1 | 2 | null;
  }
  const keyUsageTasks = new Map<string, Promise<KeyUsage>>();
  for (const live of liveUsers) {
    if (!live.accessKeys.ok || live.deleted !== null) continue;
    const reportKeys = reportUsers.get(live.listed.Arn ?? '')?.accessKeys;
    for (const [keyIndex, key] of live.accessKeys.value.entries()) {
      const keyId = key.AccessKeyId ?? '';
      const created = key.CreateDate === undefined ? null : iso(key.CreateDate);
      const fromReport =
        created !== null && reportKeys?.known === true ? reportKeys.value.find((reportKey) => reportKey.createdAt.known && sameSecond(reportKey.createdAt.value, created)) : undefined;
      if (fromReport !== undefined) {
        keyUsageTasks.set(keyId, Promise.resolve({ lastUsed: fromReport.lastUsed, lastUsedRegion: fromReport.lastUsedRegion, lastUsedService: fromReport.lastUsedService, slot: fromReport.slot }));
        continue;
      }
      const arn = live.listed.Arn ?? '';
      keyUsageTasks.set(
        keyId,
        attempt(() => caller.call('iam:GetAccessKeyLastUsed', arn, (abortSignal) => iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: keyId }), { abortSignal }))).then(
          (outcome): KeyUsage => {
            if (!outcome.ok) {
              const path = `users[${live.index}].accessKeys[${keyIndex}]`;
              const gone = failed(outcome.failure, [`${path}.lastUsed`, `${path}.lastUsedRegion`, `${path}.lastUsedService`]);
              return { lastUsed: gone, lastUsedRegion: gone, lastUsedService: gone, slot: null };
            }
            return { ...keyUsageFromApi(outcome.value.AccessKeyLastUsed), slot: null };
          },
        ),
      );
    }
  }
  const keyUsage = new Map<string, KeyUsage>();
  for (const [keyId, task] of keyUsageTasks) keyUsage.set(keyId, await task);

  const authorization = await authorizationPromise;
  const authorizationFailure = authorization.ok
    ? null
    : failed(authorization.failure, [
        'users[*].groups',
        'users[*].attachedPolicies',
        'users[*].inlinePolicies',
        'users[*].tags',
        'accountFacts.groups',
        'accountFacts.roles',
        'accountFacts.managedPolicies',
      ]);
  const userDetails = new Map((authorization.ok ? authorization.value.users : []).map((detail) => [detail.Arn ?? '', detail]));

  // ---- assemble the users ----
  const discrepancies: SourceDiscrepancy[] = [];
  const differs = (resource: string, field: string, live: Fact<unknown>, fromReport: Fact<unknown> | undefined): void => {
    if (!live.known || fromReport === undefined || !fromReport.known || live.value === fromReport.value) return;
    discrepancies.push({ resource, field, liveValue: String(live.value), credentialReportValue: String(fromReport.value) });
  };

  const users: UserFacts[] = liveUsers.map((live) => {
    const name = live.listed.UserName ?? '';
    const arn = live.listed.Arn ?? '';
    const path = `users[${live.index}]`;
    const reportUser = reportUsers.get(arn);
    const notInReport = report === null ? null : absent('not_collected', 'the user is not in the credential report (created after it was generated?)');

    let deletedFact: Fact<never> | null = null;
    if (live.deleted !== null) {
      deletedFact = failed(
        new CallFailure(live.deleted.api, arn, live.deleted.code, `the user was deleted during the collection (${live.deleted.message})`),
        [`${path}.password`, `${path}.mfa`, `${path}.accessKeys`],
      );
    }

    let passwordEnabled: Fact<boolean>;
    let resetRequired: Fact<boolean>;
    if (deletedFact !== null) {
      passwordEnabled = deletedFact;
      resetRequired = deletedFact;
    } else if (!live.loginProfile.ok) {
      const gone = failed(live.loginProfile.failure, [`${path}.password.enabled`, `${path}.password.resetRequired`]);
      passwordEnabled = gone;
      resetRequired = gone;
    } else if (live.loginProfile.value === null) {
      passwordEnabled = known(false);
      resetRequired = absent('not_applicable');
    } else {
      passwordEnabled = known(true);
      resetRequired = known(live.loginProfile.value.PasswordResetRequired ?? false);
    }

    let mfaActive: Fact<boolean>;
    let mfaDevices: Fact<readonly MfaDevice[]>;
    if (deletedFact !== null) {
      mfaActive = deletedFact;
      mfaDevices = deletedFact;
    } else if (!live.mfaDevices.ok) {
      const gone = failed(live.mfaDevices.failure, [`${path}.mfa.active`, `${path}.mfa.devices`]);
      mfaActive = gone;
      mfaDevices = gone;
    } else {
      const devices = live.mfaDevices.value.map(
        (device): MfaDevice => ({
          serialNumber: device.SerialNumber ?? '',
          type: mfaDeviceType(device.SerialNumber ?? ''),
          enabledAt: isoFact(device.EnableDate, absent('no_information')),
        }),
      );
      mfaActive = known(devices.length > 0);
      mfaDevices = known(devices);
    }

    let accessKeys: Fact<readonly AccessKeyFacts[]>;
    if (deletedFact !== null) accessKeys = deletedFact;
    else if (!live.accessKeys.ok) accessKeys = failed(live.accessKeys.failure, [`${path}.accessKeys`]);
    else {
      accessKeys = known(
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

    // The report's password dates hold only if the report agrees the password exists.
    const passwordAgrees = reportUser !== undefined && passwordEnabled.known && reportUser.password.enabled.known && reportUser.password.enabled.value === passwordEnabled.value;
    const fromReportPassword = <T>(fact: Fact<T> | undefined): Fact<T> => {
      if (passwordEnabled.known && !passwordEnabled.value) return absent('not_applicable');
      if (reportUser === undefined || fact === undefined) return notInReport ?? reportOnly('only the credential report has it (use --source both)');
      return passwordAgrees ? fact : absent('not_collected', 'the console password changed since the credential report was generated');
    };

    let lastUsed: Fact<string>;
    if (live.listed.PasswordLastUsed !== undefined) lastUsed = known(iso(live.listed.PasswordLastUsed));
    else if (reportUser?.password.lastUsed.known === true) lastUsed = reportUser.password.lastUsed;
    else if (passwordEnabled.known && !passwordEnabled.value) lastUsed = absent('not_applicable');
    else lastUsed = absent('no_information');

    const detail = userDetails.get(arn);
    const missingDetail = authorizationFailure ?? absent('collection_failed', 'not in GetAccountAuthorizationDetails (created during the collection?)');
    if (detail === undefined && authorizationFailure === null) {
      errors.push({
        api: 'iam:GetAccountAuthorizationDetails',
        resource: arn,
        code: 'UserNotListed',
        message: 'the user was listed by ListUsers but not by GetAccountAuthorizationDetails (created or deleted during the collection?)',
        affects: [`${path}.groups`, `${path}.attachedPolicies`, `${path}.inlinePolicies`, `${path}.tags`],
      });
    }

    if (reportUser !== undefined) {
      differs(arn, 'password.enabled', passwordEnabled, reportUser.password.enabled);
      differs(arn, 'mfa.active', mfaActive, reportUser.mfa.active);
      const activeKeys = (fact: Fact<readonly AccessKeyFacts[]>): Fact<number> => (fact.known ? known(fact.value.filter((key) => key.active).length) : fact);
      differs(arn, 'accessKeys.activeCount', activeKeys(accessKeys), activeKeys(reportUser.accessKeys));
    } else if (report !== null) {
      discrepancies.push({ resource: arn, field: 'user', liveValue: 'present', credentialReportValue: 'absent' });
    }

    return {
      name,
      arn,
      userId: live.listed.UserId === undefined ? absent('no_information') : known(live.listed.UserId),
      path: live.listed.Path === undefined ? absent('no_information') : known(live.listed.Path),
      createdAt: isoFact(live.listed.CreateDate, absent('no_information')),
      password: {
        enabled: passwordEnabled,
        lastUsed,
        lastChanged: fromReportPassword(reportUser?.password.lastChanged),
        nextRotation: fromReportPassword(reportUser?.password.nextRotation),
        resetRequired,
      },
      mfa: { active: mfaActive, devices: mfaDevices },
      accessKeys,
      signingCertificates: reportUser?.signingCertificates ?? notInReport ?? reportOnly('only the credential report has it (use --source both)'),
      groups: detail === undefined ? missingDetail : known(detail.GroupList ?? []),
      attachedPolicies: detail === undefined ? missingDetail : known(attachments(detail.AttachedManagedPolicies)),
      inlinePolicies: detail === undefined ? missingDetail : known(inlinePolicies(detail.UserPolicyList, arn)),
      tags: detail === undefined ? missingDetail : known(Object.fromEntries((detail.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? '']))),
    };
  });
  if (report !== null) {
    const liveArns = new Set(users.map((user) => user.arn));
    for (const reportUser of report.snapshot.users) {
      if (!liveArns.has(reportUser.arn) && listingFailure === null) {
        discrepancies.push({ resource: reportUser.arn, field: 'user', liveValue: 'absent', credentialReportValue: 'present' });
      }
    }
  }

  // ---- account facts ----
  const alias = await aliasPromise;
  const summary = await summaryPromise;
  const passwordPolicy = await passwordPolicyPromise;
  const virtualMfa = await virtualMfaPromise;
  const certificates = await certificatesPromise;
  const summaryMap: Fact<Readonly<Record<string, number>>> = summary.ok
    ? known(Object.fromEntries(Object.entries(summary.value.SummaryMap ?? {}).filter((entry): entry is [string, number] => typeof entry[1] === 'number')))
    : failed(summary.failure, ['accountFacts.summary', 'root.mfa.active', 'root.password.enabled']);
  const virtualMfaDevices: Fact<readonly VirtualMfaDevice[]> = virtualMfa.ok ? known(virtualMfa.value) : failed(virtualMfa.failure, ['accountFacts.virtualMfaDevices', 'root.mfa.devices']);
  const accountFacts: AccountFacts = {
    alias: alias.ok ? (alias.value[0] === undefined ? absent('not_applicable') : known(alias.value[0])) : failed(alias.failure, ['accountFacts.alias']),
    summary: summaryMap,
    passwordPolicy: passwordPolicy.ok ? known(passwordPolicy.value) : failed(passwordPolicy.failure, ['accountFacts.passwordPolicy']),
    virtualMfaDevices,
    managedPolicies: authorization.ok ? known(authorization.value.policies) : (authorizationFailure ?? NOT_COLLECTED),
    groups: authorization.ok ? known(authorization.value.groups) : (authorizationFailure ?? NOT_COLLECTED),
    roles: authorization.ok ? known(authorization.value.roles) : (authorizationFailure ?? NOT_COLLECTED),
    serverCertificates: certificates.ok ? known(certificates.value) : failed(certificates.failure, ['accountFacts.serverCertificates']),
  };

  const root = rootFacts({
    arn: `arn:${partition}:iam::${accountId}:root`,
    reportRoot: report?.snapshot.root ?? null,
    summary: summaryMap,
    virtualMfaDevices,
    reportFailure,
    onDiscrepancy: (field, live, fromReport) => differs(`arn:${partition}:iam::${accountId}:root`, field, live, fromReport),
  });

  const endedAt = options.clock();
  const provenance = report?.snapshot.credentialReport ?? null;
  const snapshot: Snapshot = {
    schemaVersion: CURRENT_SCHEMA_VERSION,
    source: 'aws-api',
    capturedAt: iso(endedAt),
    collection: collectionFacts(endedAt),
    credentialReport: provenance === null ? null : { ...provenance, generatedAtSource: 'api', fileName: null },
    account: { id: accountId, partition },
    tool: { name: tool.name, version: tool.version },
    root,
    users,
    accountFacts,
    collectionErrors: errors,
    discrepancies,
    populations: livePopulations(users, accountFacts, errors),
  };
  return { snapshot, warnings };
}

type ManagedPolicyDetailLike = {
  readonly PolicyName?: string;
  readonly Arn?: string;
  readonly AttachmentCount?: number;
  readonly PolicyVersionList?: readonly { readonly Document?: string; readonly IsDefaultVersion?: boolean }[];
};

/** GetAccessKeyLastUsed says "N/A" for the region and service of a key never used. */
function keyUsageFromApi(usage: AccessKeyLastUsed | undefined): { lastUsed: Fact<string>; lastUsedRegion: Fact<string>; lastUsedService: Fact<string> } {
  const text = (value: string | undefined): Fact<string> => (value === undefined || value === '' || value === 'N/A' ? absent('not_applicable') : known(value));
  return {
    lastUsed: isoFact(usage?.LastUsedDate, absent('not_applicable')),
    lastUsedRegion: text(usage?.Region),
    lastUsedService: text(usage?.ServiceName),
  };
}

interface RootInputs {
  readonly arn: string;
  readonly reportRoot: RootFacts | null;
  readonly summary: Fact<Readonly<Record<string, number>>>;
  readonly virtualMfaDevices: Fact<readonly VirtualMfaDevice[]>;
  readonly reportFailure: Fact<never> | null;
  readonly onDiscrepancy: (field: string, live: Fact<unknown>, fromReport: Fact<unknown> | undefined) => void;
}

/**
 * The root user: the API has no per-user calls for it, so live facts come from GetAccountSummary
 * (AccountMFAEnabled, AccountPasswordPresent, AccountAccessKeysPresent) and ListVirtualMFADevices
 * (a virtual device assigned to the root ARN); the credential report's root row adds the dates.
 */
function rootFacts(inputs: RootInputs): RootFacts {
  const { summary, reportRoot } = inputs;
  const flag = (key: string): Fact<boolean> => {
    if (!summary.known) return summary;
    const value = summary.value[key];
    return value === undefined ? absent('no_information', `GetAccountSummary has no ${key}`) : known(value > 0);
  };
  const mfaActive = flag('AccountMFAEnabled');
  const passwordPresent = flag('AccountPasswordPresent');
  const keysPresent = flag('AccountAccessKeysPresent');

  let devices: Fact<readonly MfaDevice[]>;
  if (!inputs.virtualMfaDevices.known) devices = inputs.virtualMfaDevices;
  else if (mfaActive.known && !mfaActive.value) devices = known([]);
  else {
    const virtual = inputs.virtualMfaDevices.value.filter((device) => device.assignedTo === inputs.arn);
    devices =
      virtual.length > 0
        ? known(virtual.map((device): MfaDevice => ({ serialNumber: device.serialNumber, type: 'virtual', enabledAt: absent('no_information') })))
        : absent('not_collected', 'root MFA is not a virtual device; the API does not list root hardware or FIDO devices');
  }

  inputs.onDiscrepancy('mfa.active', mfaActive, reportRoot?.mfa.active);
  if (reportRoot?.password.enabled.known === true) inputs.onDiscrepancy('password.enabled', passwordPresent, reportRoot.password.enabled);

  const fromReport = <T>(fact: Fact<T> | undefined): Fact<T> =>
    fact ?? inputs.reportFailure ?? absent('not_collected', 'only the credential report has it (use --source both)');
  let accessKeys: Fact<readonly AccessKeyFacts[]>;
  if (keysPresent.known && !keysPresent.value) accessKeys = known([]);
  else if (reportRoot !== null) accessKeys = reportRoot.accessKeys;
  else if (!keysPresent.known) accessKeys = keysPresent;
  else accessKeys = fromReport<readonly AccessKeyFacts[]>(undefined);

  return {
    arn: inputs.arn,
    createdAt: fromReport(reportRoot?.createdAt),
    password: {
      // Live facts that failed stay failed: a stale report value must not hide a failed collection.
      enabled: passwordPresent,
      lastUsed: fromReport(reportRoot?.password.lastUsed),
      lastChanged: fromReport(reportRoot?.password.lastChanged),
      nextRotation: fromReport(reportRoot?.password.nextRotation),
      resetRequired: absent('not_supported'),
    },
    mfa: { active: mfaActive, devices },
    accessKeys,
    signingCertificates: fromReport(reportRoot?.signingCertificates),
  };
}

/** IAM actions a failed collection needed, for the "missing permissions" message. */
export function missingPermissions(errors: readonly CollectionError[]): string[] {
  return [...new Set(errors.filter((error) => isAccessDenied(error.code)).map((error) => error.api))].sort();
}
