/**
 * Population completeness of a live collection, from what the collection saw: a list whose
 * listing call failed is incomplete; a list that paged to its end is complete.
 */
import { populationOfFact } from '../snapshot/populations.js';
import { completePopulation, incompletePopulation, type AccountFacts, type CollectionError, type Populations, type UserFacts } from '../snapshot/types.js';

export function livePopulations(users: readonly UserFacts[], accountFacts: AccountFacts, errors: readonly CollectionError[]): Populations {
  const listUsersFailure = errors.find((error) => error.api === 'iam:ListUsers');
  const devices = users.reduce((sum, user) => sum + (user.mfa.devices.known ? user.mfa.devices.value.length : 0), 0);
  const unlistedDevices = users.filter((user) => !user.mfa.devices.known).length;
  return {
    users:
      listUsersFailure === undefined
        ? completePopulation(users.length)
        : incompletePopulation(`iam:ListUsers failed (${listUsersFailure.code}: ${listUsersFailure.message})`, users.length),
    mfaDevices: unlistedDevices === 0 ? completePopulation(devices) : incompletePopulation(`the MFA devices of ${unlistedDevices} user(s) could not be listed`, devices),
    managedPolicies: populationOfFact(accountFacts.managedPolicies, 'managed policies'),
    groups: populationOfFact(accountFacts.groups, 'groups'),
    roles: populationOfFact(accountFacts.roles, 'roles'),
    virtualMfaDevices: populationOfFact(accountFacts.virtualMfaDevices, 'virtual MFA devices'),
    serverCertificates: populationOfFact(accountFacts.serverCertificates, 'server certificates'),
  };
}
