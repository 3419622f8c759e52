/**
 * The reconciliation of each account-wide list, in the words every renderer prints: how many
 * members were collected, how many an independent source says exist, and whether the list can
 * support an account-wide verdict.
 */
import { POPULATIONS, type PopulationName, type PopulationState, type Populations } from '../snapshot/types.js';

export interface PopulationReport {
  readonly name: PopulationName;
  /** "IAM users", "MFA devices in use". */
  readonly label: string;
  readonly state: PopulationState;
  readonly collected: number;
  readonly expected: number | null;
  readonly expectedSource: string | null;
  readonly reason: string | null;
  /** One sentence: "26 IAM users collected; complete (the credential report lists every user)." */
  readonly statement: string;
}

const LABELS: Readonly<Record<PopulationName, string>> = {
  users: 'IAM users',
  mfaDevices: 'MFA devices in use',
  managedPolicies: 'managed policies',
  groups: 'groups',
  roles: 'roles',
  virtualMfaDevices: 'virtual MFA devices',
  serverCertificates: 'server certificates',
};

function statementOf(name: PopulationName, populations: Populations, source: 'credential-report' | 'aws-api'): string {
  const population = populations[name];
  const label = LABELS[name];
  if (population.state === 'not_collected') return `${label}: not collected (${population.reason ?? 'the source does not carry them'}).`;
  const expected = population.expected === null ? '' : ` of ${population.expected} expected (${population.expectedSource ?? 'independent count'})`;
  const counted = `${population.collected} ${label} collected${expected}`;
  if (population.state === 'incomplete') return `${counted}; INCOMPLETE: ${population.reason ?? 'no reason recorded'}. Account-wide checks over them are not evaluated.`;
  if (population.expected !== null) return `${counted}; complete, the counts agree.`;
  // A credential report lists every user AWS knew when it was generated, but the tool cannot verify the file (issue 25 §5).
  const why =
    name === 'users' && source === 'credential-report'
      ? 'every user in the credential report file; the tool cannot verify that the file is unedited: compare with the Users figure of aws iam get-account-summary'
      : 'listed to the last page; no independent count was available';
  return `${counted}; complete (${why}).`;
}

export function reportPopulations(populations: Populations, source: 'credential-report' | 'aws-api'): PopulationReport[] {
  return POPULATIONS.map((name) => {
    const population = populations[name];
    return {
      name,
      label: LABELS[name],
      state: population.state,
      collected: population.collected,
      expected: population.expected,
      expectedSource: population.expectedSource,
      reason: population.reason,
      statement: statementOf(name, populations, source),
    };
  });
}
