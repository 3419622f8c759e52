/**
 * The CIS AWS Foundations Benchmark's IAM section, shared by the four versions: each topic with
 * its number in every version. v5.0.0 dropped "security questions" (so everything after 1.2
 * moved up by one); v6.0.0 moved IAM to section 2 and kept v5's order. Titles follow each
 * version's wording where it changed. Topics with no rules cannot be judged from IAM data and
 * show as manual.
 *
 * Assessment status (Automated/Manual) per version: the IAM controls reference (iam-controls.md) does not give
 * it, so it was taken from the CIS recommendation titles as published per version, read from
 * Prowler's CIS compliance files (prowler-cloud/prowler, prowler/compliance/aws/cis_{3.0,4.0,5.0,6.0}_aws.json,
 * field AssessmentStatus, commit 3e000faa) and checked for the root hardware-MFA recommendation
 * against Cloudaware's benchmark pages (v4.0.1 1.6, v5.0.0 1.5, v6.0.0 2.5: Manual). It says how
 * CIS classifies the recommendation, not whether this tool judges it: 4.0.1 made root use and
 * keys-at-setup Manual, yet the credential report answers both. A version whose source is silent
 * would carry `unknown` (none today).
 *
 * This file is data for the CIS framework files, not a framework itself.
 */
import type { RuleId } from '../rules/index.js';
import type { AssessmentStatus, FrameworkControl, FrameworkParameter } from './framework.js';

export type CisVersion = '3.0.0' | '4.0.1' | '5.0.0' | '6.0.0';

interface CisIamTopic {
  /** Number per version; absent when the version does not have the recommendation. */
  readonly ids: Readonly<Partial<Record<CisVersion, string>>>;
  readonly title: string;
  /** Title where a version worded it differently. */
  readonly titleIn?: Readonly<Partial<Record<CisVersion, string>>>;
  readonly level: 'Level 1' | 'Level 2';
  /**
   * CIS's assessment status in each version that has the recommendation (see ASSESSMENT below
   * for where it comes from). It may differ between versions: 4.0.1 made several Manual.
   */
  readonly assessment: Readonly<Partial<Record<CisVersion, AssessmentStatus>>>;
  readonly rules: readonly RuleId[];
  /** The benchmark's own thresholds (the same in every version). */
  readonly parameters?: readonly FrameworkParameter[];
}

type A = AssessmentStatus;
/** One status per version, in the order 3.0.0, 4.0.1, 5.0.0, 6.0.0 (undefined: no such recommendation). */
function statuses(v3: A | undefined, v4: A | undefined, v5: A | undefined, v6: A | undefined): Partial<Record<CisVersion, A>> {
  const entries: [CisVersion, A | undefined][] = [['3.0.0', v3], ['4.0.1', v4], ['5.0.0', v5], ['6.0.0', v6]];
  return Object.fromEntries(entries.filter((entry): entry is [CisVersion, A] => entry[1] !== undefined));
}
const AUTO = 'Automated' as const;
const MANUAL = 'Manual' as const;

const TOPICS: readonly CisIamTopic[] = [
  { ids: { '3.0.0': '1.1', '4.0.1': '1.1', '5.0.0': '1.1', '6.0.0': '2.1' }, title: 'Maintain current contact details', level: 'Level 1', assessment: statuses(MANUAL, MANUAL, MANUAL, MANUAL), rules: [] },
  { ids: { '3.0.0': '1.2', '4.0.1': '1.2', '5.0.0': '1.2', '6.0.0': '2.2' }, title: 'Ensure security contact information is registered', level: 'Level 1', assessment: statuses(MANUAL, MANUAL, MANUAL, MANUAL), rules: [] },
  { ids: { '3.0.0': '1.3', '4.0.1': '1.3' }, title: 'Ensure security questions are registered in the AWS account', level: 'Level 1', assessment: statuses(MANUAL, MANUAL, undefined, undefined), rules: [] },
  { ids: { '3.0.0': '1.4', '4.0.1': '1.4', '5.0.0': '1.3', '6.0.0': '2.3' }, title: "Ensure no 'root' user account access key exists", level: 'Level 1', assessment: statuses(AUTO, AUTO, AUTO, AUTO), rules: ['root-access-keys'] },
  { ids: { '3.0.0': '1.5', '4.0.1': '1.5', '5.0.0': '1.4', '6.0.0': '2.4' }, title: "Ensure MFA is enabled for the 'root' user account", level: 'Level 1', assessment: statuses(AUTO, AUTO, AUTO, AUTO), rules: ['root-mfa'] },
  { ids: { '3.0.0': '1.6', '4.0.1': '1.6', '5.0.0': '1.5', '6.0.0': '2.5' }, title: "Ensure hardware MFA is enabled for the 'root' user account", level: 'Level 2', assessment: statuses(AUTO, MANUAL, MANUAL, MANUAL), rules: ['root-hardware-mfa'] },
  { ids: { '3.0.0': '1.7', '4.0.1': '1.7', '5.0.0': '1.6', '6.0.0': '2.6' }, title: "Eliminate use of the 'root' user for administrative and daily tasks", level: 'Level 1', assessment: statuses(AUTO, MANUAL, MANUAL, MANUAL), rules: ['root-recent-use'] },
  { ids: { '3.0.0': '1.8', '4.0.1': '1.8', '5.0.0': '1.7', '6.0.0': '2.7' }, title: 'Ensure IAM password policy requires minimum length of 14 or greater', level: 'Level 1', assessment: statuses(AUTO, AUTO, AUTO, AUTO), rules: ['password-policy-min-length'], parameters: [{ rule: 'password-policy-min-length', option: 'minimumLength', value: 14 }] },
  { ids: { '3.0.0': '1.9', '4.0.1': '1.9', '5.0.0': '1.8', '6.0.0': '2.8' }, title: 'Ensure IAM password policy prevents password reuse', level: 'Level 1', assessment: statuses(AUTO, AUTO, AUTO, AUTO), rules: ['password-policy-reuse-prevention'], parameters: [{ rule: 'password-policy-reuse-prevention', option: 'remembered', value: 24 }] },
  {
    ids: { '3.0.0': '1.10', '4.0.1': '1.10', '5.0.0': '1.9', '6.0.0': '2.9' },
    title: 'Ensure multi-factor authentication (MFA) is enabled for all IAM users that have a console password',
    level: 'Level 1', assessment: statuses(AUTO, AUTO, AUTO, AUTO),
    rules: ['console-users-mfa'],
  },
  {
    ids: { '3.0.0': '1.11', '4.0.1': '1.11', '5.0.0': '1.10', '6.0.0': '2.10' },
    title: 'Do not create access keys during initial setup for IAM users with a console password',
    titleIn: { '3.0.0': 'Do not setup access keys during initial user setup for all IAM users that have a console password' },
    level: 'Level 1', assessment: statuses(AUTO, MANUAL, MANUAL, MANUAL),
    rules: ['access-keys-at-initial-setup'],
  },
  {
    ids: { '3.0.0': '1.12', '4.0.1': '1.12', '5.0.0': '1.11', '6.0.0': '2.11' },
    title: 'Ensure credentials unused for 45 days or more are disabled',
    titleIn: { '3.0.0': 'Ensure credentials unused for 45 days or greater are disabled' },
    level: 'Level 1', assessment: statuses(AUTO, AUTO, AUTO, AUTO),
    rules: ['unused-credentials'],
    parameters: [{ rule: 'unused-credentials', option: 'maxUnusedDays', value: 45 }],
  },
  {
    ids: { '3.0.0': '1.13', '4.0.1': '1.13', '5.0.0': '1.12', '6.0.0': '2.12' },
    title: 'Ensure there is only one active access key for any single IAM user',
    titleIn: { '3.0.0': 'Ensure there is only one active access key available for any single IAM user' },
    level: 'Level 1', assessment: statuses(AUTO, AUTO, AUTO, AUTO),
    rules: ['multiple-active-access-keys'],
  },
  { ids: { '3.0.0': '1.14', '4.0.1': '1.14', '5.0.0': '1.13', '6.0.0': '2.13' }, title: 'Ensure access keys are rotated every 90 days or less', level: 'Level 1', assessment: statuses(AUTO, AUTO, AUTO, AUTO), rules: ['access-key-rotation'], parameters: [{ rule: 'access-key-rotation', option: 'maxAgeDays', value: 90 }] },
  {
    ids: { '3.0.0': '1.15', '4.0.1': '1.15', '5.0.0': '1.14', '6.0.0': '2.14' },
    title: 'Ensure IAM users receive permissions only through groups',
    titleIn: { '3.0.0': 'Ensure IAM Users Receive Permissions Only Through Groups' },
    level: 'Level 1', assessment: statuses(AUTO, AUTO, AUTO, AUTO),
    rules: ['user-direct-policies'],
  },
  {
    ids: { '3.0.0': '1.16', '4.0.1': '1.16', '5.0.0': '1.15', '6.0.0': '2.15' },
    title: 'Ensure IAM policies that allow full "*:*" administrative privileges are not attached',
    level: 'Level 1', assessment: statuses(AUTO, AUTO, AUTO, AUTO),
    rules: ['full-admin-policies'],
  },
  {
    ids: { '3.0.0': '1.17', '4.0.1': '1.17', '5.0.0': '1.16', '6.0.0': '2.16' },
    title: 'Ensure a support role has been created to manage incidents with AWS Support',
    level: 'Level 1', assessment: statuses(AUTO, AUTO, AUTO, AUTO),
    rules: ['support-role-exists'],
  },
  {
    ids: { '3.0.0': '1.18', '4.0.1': '1.18', '5.0.0': '1.17', '6.0.0': '2.17' },
    title: 'Ensure IAM instance roles are used for AWS resource access from instances',
    level: 'Level 2', assessment: statuses(MANUAL, AUTO, AUTO, AUTO),
    rules: [],
  },
  {
    ids: { '3.0.0': '1.19', '4.0.1': '1.19', '5.0.0': '1.18', '6.0.0': '2.18' },
    title: 'Ensure that all expired SSL/TLS certificates stored in AWS IAM are removed',
    titleIn: { '3.0.0': 'Ensure that all the expired SSL/TLS certificates stored in AWS IAM are removed' },
    level: 'Level 1', assessment: statuses(AUTO, AUTO, AUTO, AUTO),
    rules: ['expired-server-certificates'],
  },
  {
    ids: { '3.0.0': '1.20', '4.0.1': '1.20', '5.0.0': '1.19', '6.0.0': '2.19' },
    title: 'Ensure that IAM Access analyzer is enabled for all regions',
    titleIn: { '4.0.1': 'Ensure that IAM Access Analyzer is enabled for all regions', '5.0.0': 'Ensure that IAM External Access Analyzer is enabled for all regions', '6.0.0': 'Ensure that IAM External Access Analyzer is enabled for all regions' },
    level: 'Level 1', assessment: statuses(AUTO, AUTO, AUTO, AUTO),
    rules: [],
  },
  {
    ids: { '3.0.0': '1.21', '4.0.1': '1.21', '5.0.0': '1.20', '6.0.0': '2.20' },
    title: 'Ensure IAM users are managed centrally via identity federation or AWS Organizations for multi-account environments',
    level: 'Level 2', assessment: statuses(MANUAL, MANUAL, MANUAL, MANUAL),
    rules: [],
  },
  { ids: { '3.0.0': '1.22', '4.0.1': '1.22', '5.0.0': '1.21', '6.0.0': '2.21' }, title: 'Ensure access to AWSCloudShellFullAccess is restricted', level: 'Level 1', assessment: statuses(MANUAL, MANUAL, MANUAL, MANUAL), rules: ['cloudshell-full-access'] },
];

/** The IAM section's controls as one CIS version numbers and words them, in order. */
export function cisIamControls(version: CisVersion): FrameworkControl[] {
  return TOPICS.flatMap((topic) => {
    const id = topic.ids[version];
    if (id === undefined) return [];
    return [{ id, title: topic.titleIn?.[version] ?? topic.title, level: topic.level, assessment: topic.assessment[version] ?? 'unknown', rules: topic.rules, ...(topic.parameters === undefined ? {} : { parameters: topic.parameters }) }];
  });
}
