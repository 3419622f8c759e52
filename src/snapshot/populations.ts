/**
 * Population completeness for the snapshot: the credential report's fixed answer, and what a
 * version 1 snapshot (written before completeness was recorded) can honestly say.
 */
import {
  completePopulation,
  incompletePopulation,
  notCollectedPopulation,
  type Fact,
  type PopulationStatus,
  type Populations,
} from './types.js';

const CREDENTIAL_REPORT_HAS_NO = (what: string): PopulationStatus => notCollectedPopulation(`the credential report carries no ${what}; live collection does`);

/**
 * A credential report lists every IAM user of the account (IAM generates it from the full user
 * list), so its user population is complete; it carries no account-wide list of anything else.
 */
export function credentialReportPopulations(userCount: number): Populations {
  return {
    users: completePopulation(userCount),
    mfaDevices: CREDENTIAL_REPORT_HAS_NO('MFA devices (only whether MFA is active per user)'),
    managedPolicies: CREDENTIAL_REPORT_HAS_NO('managed policies'),
    groups: CREDENTIAL_REPORT_HAS_NO('groups'),
    roles: CREDENTIAL_REPORT_HAS_NO('roles'),
    virtualMfaDevices: CREDENTIAL_REPORT_HAS_NO('virtual MFA devices'),
    serverCertificates: CREDENTIAL_REPORT_HAS_NO('server certificates'),
  };
}

/** The state of an account-wide list held as a Fact: known lists were paged to the end. */
export function populationOfFact(fact: Fact<readonly unknown[]>, what: string): PopulationStatus {
  if (fact.known) return completePopulation(fact.value.length);
  if (fact.reason === 'collection_failed') return incompletePopulation(`the ${what} could not be collected${fact.detail === undefined ? '' : ` (${fact.detail})`}`, 0);
  return notCollectedPopulation(`the ${what} were not collected`);
}
