import { absent, known, type AccessKeyFacts, type Fact, type MfaDevice, type RootFacts, type VirtualMfaDevice } from '../snapshot/types.js';

export interface RootInputs {
  readonly arn: string;
  readonly reportRoot: RootFacts | null;
  readonly summary: Fact<Readonly<Record<string, number>>>;
  readonly virtualMfaDevices: Fact<readonly VirtualMfaDevice[]>;
  readonly reportFailure: Fact<never> | null;
}

/** A GetAccountSummary flag (AccountMFAEnabled, ...) as a fact: failed with the summary, unknown when absent. */
export function summaryFlag(summary: Fact<Readonly<Record<string, number>>>, key: string): Fact<boolean> {
  if (!summary.known) return summary;
  const value = summary.value[key];
  return value === undefined ? absent('no_information', `GetAccountSummary has no ${key}`) : known(value > 0);
}

/**
 * The root user: the API has no per-user calls for it, so live facts come from GetAccountSummary
 * (AccountMFAEnabled, AccountPasswordPresent, AccountAccessKeysPresent) and ListVirtualMFADevices
 * (a virtual device assigned to the root ARN); the credential report's root row adds the dates.
 */
export function rootFacts(inputs: RootInputs): RootFacts {
  const { summary, reportRoot } = inputs;
  const mfaActive = summaryFlag(summary, 'AccountMFAEnabled');
  const passwordPresent = summaryFlag(summary, 'AccountPasswordPresent');
  const keysPresent = summaryFlag(summary, 'AccountAccessKeysPresent');

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
