/**
 * What a rule needs from the snapshot, and whether the snapshot can serve it: an account-level
 * fact that is missing stops the rule (not_evaluated, never pass); a population that is known to be
 * incomplete keeps its account-wide verdict open.
 */
import { REQUIREMENTS, type Requirement, type ResourceRef } from '../rules/rule.js';
import type { Fact, PopulationName, PopulationStatus, Snapshot } from '../snapshot/types.js';

/** The resource a whole-account result is about (missing data, a rule that threw). */
export function accountResource(snapshot: Snapshot): ResourceRef {
  // arn:aws:iam::<id>:root is how IAM policies name the account itself.
  return { type: 'account', arn: `arn:${snapshot.account.partition}:iam::${snapshot.account.id}:root`, name: 'account' };
}

function describeAbsence(fact: Fact<unknown>): string {
  if (fact.known) return 'present';
  if (fact.reason === 'collection_failed') return `its collection failed${fact.detail === undefined ? '' : ` (${fact.detail})`}`;
  return 'it was not collected';
}

const ACCOUNT_FACTS: Partial<Record<Requirement, (snapshot: Snapshot) => Fact<unknown>>> = {
  'account.summary': (snapshot) => snapshot.accountFacts.summary,
  'account.passwordPolicy': (snapshot) => snapshot.accountFacts.passwordPolicy,
  'account.virtualMfaDevices': (snapshot) => snapshot.accountFacts.virtualMfaDevices,
  'account.managedPolicies': (snapshot) => snapshot.accountFacts.managedPolicies,
  'account.groups': (snapshot) => snapshot.accountFacts.groups,
  'account.roles': (snapshot) => snapshot.accountFacts.roles,
  'account.serverCertificates': (snapshot) => snapshot.accountFacts.serverCertificates,
};

/**
 * Why the snapshot cannot serve an account-level requirement (`root`, `account.*`), or null when
 * it can. Per-user requirements (`users.*`) never stop a rule: a fact may be missing for one user
 * and present for another, and a rule judging several facts per user (password and keys) still
 * judges the ones it has, so the rule reports each user's missing fact itself, with its source.
 */
export function missingRequirement(snapshot: Snapshot, requirement: Requirement): string | null {
  if (requirement === 'root') return snapshot.root === null ? 'the snapshot has no root user row' : null;
  const accountFact = ACCOUNT_FACTS[requirement];
  if (accountFact === undefined) return null;
  const fact = accountFact(snapshot);
  return fact.known ? null : describeAbsence(fact);
}

/** The account-wide lists each requirement judges "every member" of. */
const POPULATIONS_JUDGED: Readonly<Record<Requirement, readonly PopulationName[]>> = {
  root: [],
  users: ['users'],
  'users.password': ['users'],
  'users.passwordLastUsed': ['users'],
  'users.mfa': ['users', 'mfaDevices'],
  'users.mfaDevices': ['users', 'mfaDevices'],
  'users.accessKeys': ['users'],
  'users.accessKeysLastUsed': ['users'],
  'users.policies': ['users'],
  'account.summary': [],
  'account.passwordPolicy': [],
  'account.virtualMfaDevices': ['virtualMfaDevices'],
  'account.managedPolicies': ['managedPolicies'],
  'account.groups': ['groups'],
  'account.roles': ['roles'],
  'account.serverCertificates': ['serverCertificates'],
};

const POPULATION_NAMES: Readonly<Record<PopulationName, string>> = {
  users: 'the list of IAM users',
  mfaDevices: 'the list of MFA devices in use',
  managedPolicies: 'the list of managed policies',
  groups: 'the list of groups',
  roles: 'the list of roles',
  virtualMfaDevices: 'the list of virtual MFA devices',
  serverCertificates: 'the list of server certificates',
};

/** "expected 14 (iam:GetAccountSummary Users), collected 3" */
export function describeCounts(population: PopulationStatus): string {
  const expected = population.expected === null ? '' : `expected ${population.expected}${population.expectedSource === null ? '' : ` (${population.expectedSource})`}, `;
  return `${expected}collected ${population.collected}`;
}

/**
 * Why a rule cannot pass for the whole account: the populations it judges that are known to be
 * incomplete. A rule judges the members it has (it may still fail on them), but a member that was
 * never listed could fail too, so the account-level verdict stays open.
 */
export function incompletePopulations(snapshot: Snapshot, requires: readonly Requirement[]): string | null {
  const names = [...new Set(requires.flatMap((requirement) => POPULATIONS_JUDGED[requirement]))];
  const problems = names
    .filter((name) => snapshot.populations[name].state === 'incomplete')
    .map((name) => {
      const population = snapshot.populations[name];
      return `${POPULATION_NAMES[name]} is incomplete (${population.reason ?? 'no reason recorded'}; ${describeCounts(population)})`;
    });
  if (problems.length === 0) return null;
  return `Not evaluated for the whole account: ${problems.join('; ')}. The other results of this rule cover only the members collected; an unlisted one could fail.`;
}


/** "needs the account password policy, but it was not collected; evaluated from ..." for each missing requirement, or null. */
export function missingRequirements(snapshot: Snapshot, requires: readonly Requirement[]): string | null {
  const missing = requires
    .map((requirement) => ({ requirement, why: missingRequirement(snapshot, requirement) }))
    .filter((item): item is { requirement: Requirement; why: string } => item.why !== null);
  if (missing.length === 0) return null;
  return missing
    .map(({ requirement, why }) => `needs ${REQUIREMENTS[requirement].description}, but ${why}; evaluated from ${REQUIREMENTS[requirement].source}`)
    .join('; ');
}
