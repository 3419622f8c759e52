/**
 * The CIS AWS Foundations Benchmark's IAM section, shared by the four versions: each topic with
 * its number in every version. v5.0.0 dropped "security questions" (so everything after 1.2
 * moved up by one); v6.0.0 moved IAM to section 2 and kept v5's order. Titles follow each
 * version's wording where it changed. Topics with no rules cannot be judged from IAM data and
 * show as manual.
 *
 * This file is data for the CIS framework files, not a framework itself.
 */
import type { RuleId } from '../rules/index.js';
import type { FrameworkControl } from './framework.js';

export type CisVersion = '3.0.0' | '4.0.1' | '5.0.0' | '6.0.0';

interface CisIamTopic {
  /** Number per version; absent when the version does not have the recommendation. */
  readonly ids: Readonly<Partial<Record<CisVersion, string>>>;
  readonly title: string;
  /** Title where a version worded it differently. */
  readonly titleIn?: Readonly<Partial<Record<CisVersion, string>>>;
  readonly level: 'Level 1' | 'Level 2';
  readonly rules: readonly RuleId[];
}

const TOPICS: readonly CisIamTopic[] = [
  { ids: { '3.0.0': '1.1', '4.0.1': '1.1', '5.0.0': '1.1', '6.0.0': '2.1' }, title: 'Maintain current contact details', level: 'Level 1', rules: [] },
  { ids: { '3.0.0': '1.2', '4.0.1': '1.2', '5.0.0': '1.2', '6.0.0': '2.2' }, title: 'Ensure security contact information is registered', level: 'Level 1', rules: [] },
  { ids: { '3.0.0': '1.3', '4.0.1': '1.3' }, title: 'Ensure security questions are registered in the AWS account', level: 'Level 1', rules: [] },
  { ids: { '3.0.0': '1.4', '4.0.1': '1.4', '5.0.0': '1.3', '6.0.0': '2.3' }, title: "Ensure no 'root' user account access key exists", level: 'Level 1', rules: ['root-access-keys'] },
  { ids: { '3.0.0': '1.5', '4.0.1': '1.5', '5.0.0': '1.4', '6.0.0': '2.4' }, title: "Ensure MFA is enabled for the 'root' user account", level: 'Level 1', rules: ['root-mfa'] },
  { ids: { '3.0.0': '1.6', '4.0.1': '1.6', '5.0.0': '1.5', '6.0.0': '2.5' }, title: "Ensure hardware MFA is enabled for the 'root' user account", level: 'Level 2', rules: ['root-hardware-mfa'] },
  { ids: { '3.0.0': '1.7', '4.0.1': '1.7', '5.0.0': '1.6', '6.0.0': '2.6' }, title: "Eliminate use of the 'root' user for administrative and daily tasks", level: 'Level 1', rules: ['root-recent-use'] },
  { ids: { '3.0.0': '1.8', '4.0.1': '1.8', '5.0.0': '1.7', '6.0.0': '2.7' }, title: 'Ensure IAM password policy requires minimum length of 14 or greater', level: 'Level 1', rules: ['password-policy-min-length'] },
  { ids: { '3.0.0': '1.9', '4.0.1': '1.9', '5.0.0': '1.8', '6.0.0': '2.8' }, title: 'Ensure IAM password policy prevents password reuse', level: 'Level 1', rules: ['password-policy-reuse-prevention'] },
  {
    ids: { '3.0.0': '1.10', '4.0.1': '1.10', '5.0.0': '1.9', '6.0.0': '2.9' },
    title: 'Ensure multi-factor authentication (MFA) is enabled for all IAM users that have a console password',
    level: 'Level 1',
    rules: ['console-users-mfa'],
  },
  {
    ids: { '3.0.0': '1.11', '4.0.1': '1.11', '5.0.0': '1.10', '6.0.0': '2.10' },
    title: 'Do not create access keys during initial setup for IAM users with a console password',
    titleIn: { '3.0.0': 'Do not setup access keys during initial user setup for all IAM users that have a console password' },
    level: 'Level 1',
    rules: ['access-keys-at-initial-setup'],
  },
  {
    ids: { '3.0.0': '1.12', '4.0.1': '1.12', '5.0.0': '1.11', '6.0.0': '2.11' },
    title: 'Ensure credentials unused for 45 days or more are disabled',
    titleIn: { '3.0.0': 'Ensure credentials unused for 45 days or greater are disabled' },
    level: 'Level 1',
    rules: ['unused-credentials'],
  },
  {
    ids: { '3.0.0': '1.13', '4.0.1': '1.13', '5.0.0': '1.12', '6.0.0': '2.12' },
    title: 'Ensure there is only one active access key for any single IAM user',
    titleIn: { '3.0.0': 'Ensure there is only one active access key available for any single IAM user' },
    level: 'Level 1',
    rules: ['multiple-active-access-keys'],
  },
  { ids: { '3.0.0': '1.14', '4.0.1': '1.14', '5.0.0': '1.13', '6.0.0': '2.13' }, title: 'Ensure access keys are rotated every 90 days or less', level: 'Level 1', rules: ['access-key-rotation'] },
  {
    ids: { '3.0.0': '1.15', '4.0.1': '1.15', '5.0.0': '1.14', '6.0.0': '2.14' },
    title: 'Ensure IAM users receive permissions only through groups',
    titleIn: { '3.0.0': 'Ensure IAM Users Receive Permissions Only Through Groups' },
    level: 'Level 1',
    rules: ['user-direct-policies'],
  },
  {
    ids: { '3.0.0': '1.16', '4.0.1': '1.16', '5.0.0': '1.15', '6.0.0': '2.15' },
    title: 'Ensure IAM policies that allow full "*:*" administrative privileges are not attached',
    level: 'Level 1',
    rules: ['full-admin-policies'],
  },
  {
    ids: { '3.0.0': '1.17', '4.0.1': '1.17', '5.0.0': '1.16', '6.0.0': '2.16' },
    title: 'Ensure a support role has been created to manage incidents with AWS Support',
    level: 'Level 1',
    rules: ['support-role-exists'],
  },
  {
    ids: { '3.0.0': '1.18', '4.0.1': '1.18', '5.0.0': '1.17', '6.0.0': '2.17' },
    title: 'Ensure IAM instance roles are used for AWS resource access from instances',
    level: 'Level 2',
    rules: [],
  },
  {
    ids: { '3.0.0': '1.19', '4.0.1': '1.19', '5.0.0': '1.18', '6.0.0': '2.18' },
    title: 'Ensure that all expired SSL/TLS certificates stored in AWS IAM are removed',
    titleIn: { '3.0.0': 'Ensure that all the expired SSL/TLS certificates stored in AWS IAM are removed' },
    level: 'Level 1',
    rules: ['expired-server-certificates'],
  },
  {
    ids: { '3.0.0': '1.20', '4.0.1': '1.20', '5.0.0': '1.19', '6.0.0': '2.19' },
    title: 'Ensure that IAM Access analyzer is enabled for all regions',
    titleIn: { '6.0.0': 'Ensure that IAM External Access Analyzer is enabled for all regions' },
    level: 'Level 1',
    rules: [],
  },
  {
    ids: { '3.0.0': '1.21', '4.0.1': '1.21', '5.0.0': '1.20', '6.0.0': '2.20' },
    title: 'Ensure IAM users are managed centrally via identity federation or AWS Organizations for multi-account environments',
    level: 'Level 2',
    rules: [],
  },
  { ids: { '3.0.0': '1.22', '4.0.1': '1.22', '5.0.0': '1.21', '6.0.0': '2.21' }, title: 'Ensure access to AWSCloudShellFullAccess is restricted', level: 'Level 1', rules: ['cloudshell-full-access'] },
];

/** The IAM section's controls as one CIS version numbers and words them, in order. */
export function cisIamControls(version: CisVersion): FrameworkControl[] {
  return TOPICS.flatMap((topic) => {
    const id = topic.ids[version];
    if (id === undefined) return [];
    return [{ id, title: topic.titleIn?.[version] ?? topic.title, level: topic.level, rules: topic.rules }];
  });
}
