import {
  GetAccountPasswordPolicyCommand,
  GetAccountSummaryCommand,
  ListAccountAliasesCommand,
  ListServerCertificatesCommand,
  ListVirtualMFADevicesCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { absent, known, type CollectionError, type Fact, type PasswordPolicyState, type ServerCertificateFacts, type VirtualMfaDevice } from '../snapshot/types.js';
import { attempt, type ApiCaller } from './caller.js';
import { CallFailure } from './errors.js';
import { StageFailures } from './failures.js';
import { isoFact } from './iso.js';
import { forEachPage, RepeatGuard } from './paging.js';

/** Stage 5a: account-wide facts that are not per user (GetAccountAuthorizationDetails is stage 5b). */
export interface AccountWideFacts {
  readonly alias: Fact<string>;
  readonly summary: Fact<Readonly<Record<string, number>>>;
  readonly passwordPolicy: Fact<PasswordPolicyState>;
  readonly virtualMfaDevices: Fact<readonly VirtualMfaDevice[]>;
  readonly serverCertificates: Fact<readonly ServerCertificateFacts[]>;
  readonly errors: readonly CollectionError[];
}

async function listAliases(iam: IAMClient, caller: ApiCaller): Promise<string[]> {
  const aliases: string[] = [];
  await forEachPage(caller, 'iam:ListAccountAliases', null, (Marker, abortSignal) => iam.send(new ListAccountAliasesCommand({ Marker, MaxItems: 1000 }), { abortSignal }), (page) =>
    aliases.push(...page.AccountAliases),
  );
  return aliases;
}

async function summaryMap(iam: IAMClient, caller: ApiCaller): Promise<Record<string, number>> {
  const output = await caller.call('iam:GetAccountSummary', null, (abortSignal) => iam.send(new GetAccountSummaryCommand({}), { abortSignal }));
  return Object.fromEntries(Object.entries(output.SummaryMap).filter((entry): entry is [string, number] => typeof entry[1] === 'number'));
}

async function passwordPolicy(iam: IAMClient, caller: ApiCaller): Promise<PasswordPolicyState> {
  try {
    const output = await caller.call('iam:GetAccountPasswordPolicy', null, (abortSignal) => iam.send(new GetAccountPasswordPolicyCommand({}), { abortSignal }));
    const policy = output.PasswordPolicy;
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
}

async function virtualMfaDevices(iam: IAMClient, caller: ApiCaller): Promise<VirtualMfaDevice[]> {
  const devices: VirtualMfaDevice[] = [];
  const repeats = new RepeatGuard('iam:ListVirtualMFADevices', null);
  await forEachPage(
    caller,
    'iam:ListVirtualMFADevices',
    null,
    (Marker, abortSignal) => iam.send(new ListVirtualMFADevicesCommand({ Marker, MaxItems: 1000, AssignmentStatus: 'Any' }), { abortSignal }),
    (page, pageNumber) => {
      for (const device of page.VirtualMFADevices) {
        repeats.check('virtual MFA device', device.SerialNumber ?? '', pageNumber);
        if (device.SerialNumber !== undefined) devices.push({ serialNumber: device.SerialNumber, assignedTo: device.User?.Arn ?? null });
      }
    },
  );
  return devices;
}

async function serverCertificates(iam: IAMClient, caller: ApiCaller): Promise<ServerCertificateFacts[]> {
  const certificates: ServerCertificateFacts[] = [];
  const repeats = new RepeatGuard('iam:ListServerCertificates', null);
  await forEachPage(caller, 'iam:ListServerCertificates', null, (Marker, abortSignal) => iam.send(new ListServerCertificatesCommand({ Marker, MaxItems: 1000 }), { abortSignal }), (page, pageNumber) => {
    for (const certificate of page.ServerCertificateMetadataList) {
      repeats.check('server certificate', certificate.Arn ?? '', pageNumber);
      certificates.push({
        name: certificate.ServerCertificateName ?? '',
        arn: certificate.Arn ?? '',
        expiration: isoFact(certificate.Expiration, absent('not_applicable')),
        uploadedAt: isoFact(certificate.UploadDate, absent('not_applicable')),
      });
    }
  });
  return certificates;
}

/** The five calls run at once; each that fails for good becomes `collection_failed` with its error. */
export async function collectAccountFacts(iam: IAMClient, caller: ApiCaller): Promise<AccountWideFacts> {
  const [alias, summary, policy, virtual, certificates] = await Promise.all([
    attempt(() => listAliases(iam, caller)),
    attempt(() => summaryMap(iam, caller)),
    attempt(() => passwordPolicy(iam, caller)),
    attempt(() => virtualMfaDevices(iam, caller)),
    attempt(() => serverCertificates(iam, caller)),
  ]);
  const failures = new StageFailures();
  return {
    alias: alias.ok ? (alias.value[0] === undefined ? absent('not_applicable') : known(alias.value[0])) : failures.failed(alias.failure, ['accountFacts.alias']),
    summary: summary.ok ? known(summary.value) : failures.failed(summary.failure, ['accountFacts.summary', 'root.mfa.active', 'root.password.enabled']),
    passwordPolicy: policy.ok ? known(policy.value) : failures.failed(policy.failure, ['accountFacts.passwordPolicy']),
    virtualMfaDevices: virtual.ok ? known(virtual.value) : failures.failed(virtual.failure, ['accountFacts.virtualMfaDevices', 'root.mfa.devices']),
    serverCertificates: certificates.ok ? known(certificates.value) : failures.failed(certificates.failure, ['accountFacts.serverCertificates']),
    errors: failures.errors,
  };
}
