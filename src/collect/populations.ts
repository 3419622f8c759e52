/**
 * Part of stage 7 (reconciliation): whether each account-wide list is complete. The paging
 * stages say whether they read their list to the end; this is the one place that compares the
 * lists with the independent counts and decides. A count that disagrees with a list read to its
 * end is a collection error (code PopulationMismatch); a list that could not be read to its end is
 * incomplete with the error its stage already recorded.
 *
 * How the counts are taken:
 *  - users: ListUsers against GetAccountSummary `Users`; every user GetAccountAuthorizationDetails
 *    lists must be in ListUsers (an independent list of the same users: a user only it has makes
 *    the list short, as a user only ListUsers has is a UserNotListed error); with --source both,
 *    also every user of the credential report must be in ListUsers (a user created after the report
 *    was generated is only a discrepancy: it cannot make the list short). A ListUsers that gave a
 *    user twice (overlapping pages) is not trusted to be whole: the list is incomplete.
 *  - mfaDevices: the users' devices (ListMFADevices) against `MFADevicesInUse`. IAM does not say
 *    whether that count includes root's devices, and root's hardware and FIDO devices cannot be
 *    listed, so the count is accepted when it equals the users' devices alone or plus root's
 *    (root's virtual devices, or one when AccountMFAEnabled says root has MFA but none is listed).
 *  - managedPolicies (customer managed only), groups, roles: against `Policies`, `Groups`, `Roles`;
 *    serverCertificates against `ServerCertificates`; virtualMfaDevices: paged to the end.
 *  A count the summary lacks (or a failed summary) leaves `expected` null: the list is then
 *  complete when it was read to its end.
 */
import {
  completePopulation,
  incompletePopulation,
  notCollectedPopulation,
  type CollectionError,
  type Fact,
  type ManagedPolicy,
  type PopulationStatus,
  type Populations,
  type RootFacts,
  type UserFacts,
} from '../snapshot/types.js';
import type { UserListing } from './users-listing.js';

export const POPULATION_MISMATCH_CODE = 'PopulationMismatch';
const SUMMARY = 'iam:GetAccountSummary';

export interface PopulationInputs {
  readonly listing: UserListing;
  readonly users: readonly UserFacts[];
  readonly mfaListing: { readonly devices: number; readonly usersNotListed: number };
  readonly root: RootFacts;
  readonly summary: Fact<Readonly<Record<string, number>>>;
  readonly managedPolicies: Fact<readonly ManagedPolicy[]>;
  readonly groups: Fact<readonly unknown[]>;
  readonly roles: Fact<readonly unknown[]>;
  readonly virtualMfaDevices: Fact<readonly unknown[]>;
  readonly serverCertificates: Fact<readonly unknown[]>;
  /** The credential report's user ARNs (--source both, report used); null otherwise. */
  readonly reportUserArns: readonly string[] | null;
  /** The users GetAccountAuthorizationDetails listed, read to its end; null when it failed. */
  readonly authorizationUserArns: readonly string[] | null;
}

export interface PopulationReconciliation {
  readonly populations: Populations;
  readonly errors: readonly CollectionError[];
}

class Decider {
  readonly errors: CollectionError[] = [];

  constructor(private readonly summary: Fact<Readonly<Record<string, number>>>) {}

  expected(key: string): number | null {
    return this.summary.known ? (this.summary.value[key] ?? null) : null;
  }

  /** A list read to its end, checked against the summary's `key` when the summary has it. */
  counted(what: string, collected: number, key: string, affects: string): PopulationStatus {
    const expected = this.expected(key);
    const source = `${SUMMARY} ${key}`;
    if (expected === null || expected === collected) return completePopulation(collected, expected, source);
    return this.mismatch(SUMMARY, `${source} says ${expected} ${what}, ${collected} were collected`, affects, collected, expected, source);
  }

  mismatch(api: string, message: string, affects: string, collected: number, expected: number | null, source: string | null): PopulationStatus {
    this.errors.push({ api, resource: null, code: POPULATION_MISMATCH_CODE, message, affects: [affects] });
    return incompletePopulation(message, collected, expected, source);
  }

  /** An account-wide list held as a Fact: known means its stage paged it to the end. */
  ofFact(what: string, fact: Fact<readonly unknown[]>, key: string | null, affects: string, count: (list: readonly unknown[]) => number = (list) => list.length): PopulationStatus {
    if (fact.known) return key === null ? completePopulation(count(fact.value)) : this.counted(what, count(fact.value), key, affects);
    if (fact.reason === 'collection_failed') {
      const expected = key === null ? null : this.expected(key);
      return incompletePopulation(`the ${what} could not be listed${fact.detail === undefined ? '' : ` (${fact.detail})`}`, 0, expected, expected === null ? null : `${SUMMARY} ${key}`);
    }
    return notCollectedPopulation(`the ${what} were not collected`);
  }
}

/** The ARNs of `others` that ListUsers did not give, with the message naming up to five. */
function usersOnlyIn(listed: ReadonlySet<string>, others: readonly string[], source: string): { readonly missing: readonly string[]; readonly message: string } {
  const missing = [...new Set(others.filter((arn) => !listed.has(arn)))];
  const shown = missing.slice(0, 5).join(', ');
  return { missing, message: `${source} lists ${missing.length} user(s) that ListUsers did not: ${shown}${missing.length > 5 ? ', ...' : ''}` };
}

function usersPopulation(inputs: PopulationInputs, decider: Decider): PopulationStatus {
  const collected = inputs.users.length;
  const expected = decider.expected('Users');
  const source = expected === null ? null : `${SUMMARY} Users`;
  if (inputs.listing.failure !== null) {
    const failure = inputs.listing.failure;
    return incompletePopulation(`iam:ListUsers failed on a page (${failure.code}: ${failure.message}); ${collected} users were listed before it`, collected, expected, source);
  }
  const listed = new Set(inputs.users.map((user) => user.arn));
  // Each independent list of the users is checked, and each that names a user ListUsers did not is an error.
  const shortBy = [
    ...(inputs.reportUserArns === null ? [] : [{ api: 'iam:GetCredentialReport', counted: 'credential report user rows', ...usersOnlyIn(listed, inputs.reportUserArns, 'the credential report') }]),
    ...(inputs.authorizationUserArns === null
      ? []
      : [{ api: 'iam:GetAccountAuthorizationDetails', counted: 'iam:GetAccountAuthorizationDetails UserDetailList', ...usersOnlyIn(listed, inputs.authorizationUserArns, 'GetAccountAuthorizationDetails') }]),
  ].filter((check) => check.missing.length > 0);
  if (shortBy.length > 0) {
    const expectedUsers = collected + new Set(shortBy.flatMap((check) => check.missing)).size;
    const counted = shortBy.map((check) => check.counted).join(' and ');
    for (const check of shortBy) decider.mismatch(check.api, check.message, 'users', collected, expectedUsers, counted);
    return incompletePopulation(shortBy.map((check) => check.message).join('; '), collected, expectedUsers, counted);
  }
  if (inputs.listing.repeated.length > 0) {
    // The repeats are RepeatedUser errors of the listing stage; the list itself is not to be trusted.
    const repeated = [...new Set(inputs.listing.repeated)];
    const shown = repeated.slice(0, 5).join(', ');
    return incompletePopulation(
      `iam:ListUsers gave ${repeated.length} user(s) more than once (overlapping pages: ${shown}${repeated.length > 5 ? ', ...' : ''}), so its pages cannot be trusted to hold every user`,
      collected,
      expected,
      source,
    );
  }
  return decider.counted('users', collected, 'Users', 'users');
}

function mfaPopulation(inputs: PopulationInputs, decider: Decider, users: PopulationStatus): PopulationStatus {
  const { devices, usersNotListed } = inputs.mfaListing;
  const expected = decider.expected('MFADevicesInUse');
  const source = expected === null ? null : `${SUMMARY} MFADevicesInUse`;
  if (users.state !== 'complete') return incompletePopulation('the list of IAM users is incomplete, so is the list of their MFA devices', devices, expected, source);
  if (usersNotListed > 0) return incompletePopulation(`the MFA devices of ${usersNotListed} user(s) could not be listed`, devices, expected, source);
  const rootMfa = inputs.root.mfa;
  const rootDevices = rootMfa.devices.known ? rootMfa.devices.value.length : rootMfa.active.known && rootMfa.active.value ? 1 : 0;
  if (expected === null || expected === devices) return completePopulation(devices, expected, source);
  if (expected === devices + rootDevices) return completePopulation(devices + rootDevices, expected, source);
  return decider.mismatch(SUMMARY, `${SUMMARY} MFADevicesInUse says ${expected} MFA devices in use, the users have ${devices} (root ${rootDevices})`, 'mfaDevices', devices + rootDevices, expected, source);
}

export function reconcilePopulations(inputs: PopulationInputs): PopulationReconciliation {
  const decider = new Decider(inputs.summary);
  const users = usersPopulation(inputs, decider);
  const customerManaged = (list: readonly unknown[]): number => (list as readonly ManagedPolicy[]).filter((policy) => !policy.isAwsManaged).length;
  const populations: Populations = {
    users,
    mfaDevices: mfaPopulation(inputs, decider, users),
    managedPolicies: decider.ofFact('customer managed policies', inputs.managedPolicies, 'Policies', 'accountFacts.managedPolicies', customerManaged),
    groups: decider.ofFact('groups', inputs.groups, 'Groups', 'accountFacts.groups'),
    roles: decider.ofFact('roles', inputs.roles, 'Roles', 'accountFacts.roles'),
    virtualMfaDevices: decider.ofFact('virtual MFA devices', inputs.virtualMfaDevices, null, 'accountFacts.virtualMfaDevices'),
    serverCertificates: decider.ofFact('server certificates', inputs.serverCertificates, 'ServerCertificates', 'accountFacts.serverCertificates'),
  };
  return { populations, errors: decider.errors };
}
