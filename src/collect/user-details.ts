import {
  GetLoginProfileCommand,
  ListAccessKeysCommand,
  ListMFADevicesCommand,
  type AccessKeyMetadata,
  type IAMClient,
  type LoginProfile,
  type MFADevice,
  type User,
} from '@aws-sdk/client-iam';
import { absent, known, type CollectionError, type Fact, type MfaDevice, type MfaDeviceType } from '../snapshot/types.js';
import { attempt, type ApiCaller, type Outcome } from './caller.js';
import { CallFailure } from './errors.js';
import { StageFailures } from './failures.js';
import { isoFact } from './iso.js';
import { ConcurrencyLimiter } from './limiter.js';
import { forEachPage, RepeatGuard } from './paging.js';

/** Stage 3: each listed user's own calls (GetLoginProfile, ListMFADevices, ListAccessKeys). */
export interface LiveUser {
  /** Position in the listing, which is the position in the snapshot (`users[index]`). */
  readonly index: number;
  readonly listed: User;
  readonly name: string;
  readonly arn: string;
  readonly passwordEnabled: Fact<boolean>;
  readonly resetRequired: Fact<boolean>;
  readonly mfaActive: Fact<boolean>;
  readonly mfaDevices: Fact<readonly MfaDevice[]>;
  /** The keys as ListAccessKeys gives them; their usage is the key-usage stage's. */
  readonly accessKeys: Fact<readonly AccessKeyMetadata[]>;
}

export interface UserDetails {
  readonly users: readonly LiveUser[];
  /** The MFA devices listed for all users; complete only when every user's ListMFADevices paged to its end. */
  readonly mfaListing: { readonly devices: number; readonly usersNotListed: number };
  readonly errors: readonly CollectionError[];
}

/** Serial numbers say the device type: arn:...:mfa/NAME virtual, arn:...:u2f/... FIDO, else hardware TOTP. */
export function mfaDeviceType(serialNumber: string): MfaDeviceType {
  if (/^arn:[^:]+:iam::[^:]*:mfa\//.test(serialNumber)) return 'virtual';
  if (/^arn:[^:]+:iam::[^:]*:u2f\//.test(serialNumber)) return 'fido';
  if (serialNumber.startsWith('arn:')) return 'unknown';
  return 'hardware-totp';
}

interface RawUser {
  /** null: NoSuchEntity, i.e. no console password. */
  readonly loginProfile: Outcome<LoginProfile | null>;
  readonly mfaDevices: Outcome<MFADevice[]>;
  readonly accessKeys: Outcome<AccessKeyMetadata[]>;
}

async function fetchUser(iam: IAMClient, caller: ApiCaller, name: string, arn: string): Promise<RawUser> {
  const [loginProfile, mfaDevices, accessKeys] = await Promise.all([
    attempt(async (): Promise<LoginProfile | null> => {
      try {
        const output = await caller.call('iam:GetLoginProfile', arn, (abortSignal) => iam.send(new GetLoginProfileCommand({ UserName: name }), { abortSignal }));
        return output.LoginProfile;
      } catch (error) {
        // NoSuchEntity for the login profile means "no console password"; for the user itself
        // ("The user with name ... cannot be found") it means the user is gone: a failure.
        if (error instanceof CallFailure && error.code === 'NoSuchEntity' && !/user with name/i.test(error.message)) return null;
        throw error;
      }
    }),
    attempt(async () => {
      const devices: MFADevice[] = [];
      const repeats = new RepeatGuard('iam:ListMFADevices', arn);
      await forEachPage(caller, 'iam:ListMFADevices', arn, (Marker, abortSignal) => iam.send(new ListMFADevicesCommand({ UserName: name, Marker }), { abortSignal }), (page, pageNumber) => {
        for (const device of page.MFADevices) repeats.check('MFA device', device.SerialNumber ?? '', pageNumber);
        devices.push(...page.MFADevices);
      });
      return devices;
    }),
    attempt(async () => {
      const keys: AccessKeyMetadata[] = [];
      const repeats = new RepeatGuard('iam:ListAccessKeys', arn);
      await forEachPage(caller, 'iam:ListAccessKeys', arn, (Marker, abortSignal) => iam.send(new ListAccessKeysCommand({ UserName: name, Marker }), { abortSignal }), (page, pageNumber) => {
        for (const key of page.AccessKeyMetadata) repeats.check('access key', key.AccessKeyId ?? '', pageNumber);
        keys.push(...page.AccessKeyMetadata);
      });
      return keys;
    }),
  ]);
  return { loginProfile, mfaDevices, accessKeys };
}

/** Turns one user's call outcomes into facts; a failed call becomes `collection_failed` and an error. */
function userFacts(listed: User, index: number, raw: RawUser): { user: LiveUser; errors: readonly CollectionError[] } {
  const failures = new StageFailures();
  const name = listed.UserName ?? '';
  const arn = listed.Arn ?? '';
  const path = `users[${index}]`;
  const deleted = [raw.loginProfile, raw.mfaDevices, raw.accessKeys].find((outcome): outcome is { ok: false; failure: CallFailure } => !outcome.ok && outcome.failure.code === 'NoSuchEntity');
  if (deleted !== undefined) {
    // One error for the user, not three: it was deleted between ListUsers and its own calls.
    const gone = failures.failed(new CallFailure(deleted.failure.api, arn, deleted.failure.code, `the user was deleted during the collection (${deleted.failure.message})`), [
      `${path}.password`,
      `${path}.mfa`,
      `${path}.accessKeys`,
    ]);
    const user = { index, listed, name, arn, passwordEnabled: gone, resetRequired: gone, mfaActive: gone, mfaDevices: gone, accessKeys: gone };
    return { user, errors: failures.errors };
  }

  let passwordEnabled: Fact<boolean>;
  let resetRequired: Fact<boolean>;
  if (!raw.loginProfile.ok) {
    passwordEnabled = resetRequired = failures.failed(raw.loginProfile.failure, [`${path}.password.enabled`, `${path}.password.resetRequired`]);
  } else if (raw.loginProfile.value === null) {
    passwordEnabled = known(false);
    resetRequired = absent('not_applicable');
  } else {
    passwordEnabled = known(true);
    resetRequired = known(raw.loginProfile.value.PasswordResetRequired ?? false);
  }

  let mfaActive: Fact<boolean>;
  let mfaDevices: Fact<readonly MfaDevice[]>;
  if (!raw.mfaDevices.ok) {
    mfaActive = mfaDevices = failures.failed(raw.mfaDevices.failure, [`${path}.mfa.active`, `${path}.mfa.devices`]);
  } else {
    const devices = raw.mfaDevices.value.map(
      (device): MfaDevice => ({ serialNumber: device.SerialNumber ?? '', type: mfaDeviceType(device.SerialNumber ?? ''), enabledAt: isoFact(device.EnableDate, absent('no_information')) }),
    );
    mfaActive = known(devices.length > 0);
    mfaDevices = known(devices);
  }

  const accessKeys = raw.accessKeys.ok ? known(raw.accessKeys.value) : failures.failed(raw.accessKeys.failure, [`${path}.accessKeys`]);
  return { user: { index, listed, name, arn, passwordEnabled, resetRequired, mfaActive, mfaDevices, accessKeys }, errors: failures.errors };
}

/**
 * Users are collected `concurrency * 2` at a time (their calls are bounded by the caller): thousands
 * of users queued at once would hold thousands of pending calls in memory for no gain in speed.
 */
export async function collectUserDetails(
  iam: IAMClient,
  caller: ApiCaller,
  listed: readonly User[],
  concurrency: number,
  onUserDone?: () => void,
): Promise<UserDetails> {
  const userSlots = new ConcurrencyLimiter(concurrency * 2);
  const results = await Promise.all(
    listed.map((user, index) =>
      userSlots.run(async () => {
        const raw = await fetchUser(iam, caller, user.UserName ?? '', user.Arn ?? user.UserName ?? '');
        onUserDone?.();
        return userFacts(user, index, raw);
      }),
    ),
  );
  const users = results.map((result) => result.user);
  const mfaListing = {
    devices: users.reduce((sum, user) => sum + (user.mfaDevices.known ? user.mfaDevices.value.length : 0), 0),
    usersNotListed: users.filter((user) => !user.mfaDevices.known).length,
  };
  return { users, mfaListing, errors: results.flatMap((result) => result.errors) };
}
