/**
 * The controls whose rules judge every IAM user: an incomplete user list must keep each of them
 * from passing. CIS v5: 1.9 MFA for console users, 1.10 keys at initial setup, 1.11 unused
 * credentials, 1.12 one active key, 1.13 rotation, 1.14 permissions through groups only. FSBP:
 * IAM.2 direct policies, IAM.3 rotation, IAM.8 and IAM.22 unused credentials.
 */
export const USER_POPULATION_CONTROLS: readonly (readonly [string, string])[] = [
  ['cis-5.0', '1.9'],
  ['cis-5.0', '1.10'],
  ['cis-5.0', '1.11'],
  ['cis-5.0', '1.12'],
  ['cis-5.0', '1.13'],
  ['cis-5.0', '1.14'],
  ['fsbp', 'IAM.2'],
  ['fsbp', 'IAM.3'],
  ['fsbp', 'IAM.8'],
  ['fsbp', 'IAM.22'],
];
