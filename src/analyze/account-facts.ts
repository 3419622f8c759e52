/**
 * Issue 25 §3: every PASS can be re-performed from paper. The account-level controls (password
 * policy, root's MFA device and certificates, support role, CloudShell, "*:*" policies, server
 * certificates) are judged on facts that are not per user: this puts each fact judged into the
 * analysis result, beside the verdict of every rule that judged it and the controls it decides,
 * for the report's "Account-level facts" appendix. Pure: the snapshot and the catalogue in, data out.
 */
import type { AccountFactSection, AccountFactsReport, AccountFactTable, AccountFactVerdict } from './account-facts-types.js';
import type { CatalogueResult, RuleResult } from './result.js';
import { fullAdminStatements, isAwsManagedPolicy } from '../rules/support/policy-documents.js';
import { rootMfaDeviceSeen } from '../rules/support/root-mfa-device.js';
import type { Fact, PasswordPolicyState, PolicyAttachment, Snapshot } from '../snapshot/types.js';

const STATUS_ORDER = ['fail', 'error', 'not_evaluated', 'excepted', 'pass', 'not_applicable'] as const;

const describe = <T>(fact: Fact<T>, show: (value: T) => string): string => (fact.known ? show(fact.value) : `${fact.reason.replace(/_/g, ' ')}${fact.known === false && fact.detail !== undefined ? ` (${fact.detail})` : ''}`);
const yesNo = (value: boolean): string => (value ? 'yes' : 'no');
const missing = (fact: Fact<unknown>, source: string): string | null => (fact.known ? null : `${fact.reason.replace(/_/g, ' ')}: ${source}`);

function verdicts(catalogue: CatalogueResult, ruleIds: readonly string[], byRule: ReadonlyMap<string, readonly RuleResult[]>): AccountFactVerdict[] {
  return ruleIds.flatMap((ruleId) => {
    const rule = catalogue.rules.find((entry) => entry.id === ruleId);
    if (rule === undefined || !rule.enabled) return [];
    const results = byRule.get(ruleId) ?? [];
    const status = STATUS_ORDER.find((candidate) => results.some((entry) => entry.status === candidate)) ?? 'not_evaluated';
    const counts = STATUS_ORDER.filter((candidate) => rule.counts[candidate] > 0).map((candidate) => `${rule.counts[candidate]} ${candidate.replace('_', ' ')}`).join(', ');
    const account = results.find((entry) => entry.resourceType === 'account' || entry.resourceType === 'root');
    return [
      {
        ruleId,
        title: rule.title,
        status,
        counts: counts === '' ? 'no results' : counts,
        controls: rule.controls.map((control) => `${control.framework} ${control.controlId}`).join(', '),
        evidence: account === undefined ? null : account.evidence !== '' ? account.evidence : account.reason,
      },
    ];
  });
}

function passwordPolicyFacts(policy: PasswordPolicyState): { label: string; value: string }[] {
  if (!policy.present) return [{ label: 'Password policy', value: 'none set (GetAccountPasswordPolicy: NoSuchEntity)' }];
  return [
    { label: 'Minimum length', value: policy.minimumPasswordLength === null ? 'not set' : String(policy.minimumPasswordLength) },
    { label: 'Requires uppercase / lowercase / numbers / symbols', value: [policy.requireUppercaseCharacters, policy.requireLowercaseCharacters, policy.requireNumbers, policy.requireSymbols].map(yesNo).join(' / ') },
    { label: 'Passwords expire', value: policy.expirePasswords ? `after ${policy.maxPasswordAge ?? '?'} days${policy.hardExpiry ? ' (hard expiry)' : ''}` : 'never' },
    { label: 'Passwords remembered (reuse prevention)', value: policy.passwordReusePrevention === null ? 'not set' : String(policy.passwordReusePrevention) },
    { label: 'Users may change their own password', value: yesNo(policy.allowUsersToChangePassword) },
  ];
}

/** Users, groups and roles holding a managed policy (by ARN predicate), as "user alice", "role Admin". */
function holders(snapshot: Snapshot, matches: (attachment: PolicyAttachment) => boolean): string[] {
  const found: string[] = [];
  for (const user of snapshot.users) if (user.attachedPolicies.known && user.attachedPolicies.value.some(matches)) found.push(`user ${user.name}`);
  const { groups, roles } = snapshot.accountFacts;
  if (groups.known) for (const group of groups.value) if (group.attachedPolicies.some(matches)) found.push(`group ${group.name}`);
  if (roles.known) for (const role of roles.value) if (role.attachedPolicies.some(matches)) found.push(`role ${role.name}`);
  return found;
}

function adminPolicies(snapshot: Snapshot): AccountFactTable {
  const rows: string[][] = [];
  const managed = snapshot.accountFacts.managedPolicies;
  if (managed.known) {
    for (const policy of managed.value) {
      if (!policy.document.known) continue;
      const statements = fullAdminStatements(policy.document.value);
      if (statements.length === 0) continue;
      const where = holders(snapshot, (attachment) => attachment.policyArn === policy.arn);
      rows.push([policy.name, policy.isAwsManaged ? 'AWS managed' : 'customer managed', `statement ${statements.join(', ')}`, where.length > 0 ? where.join(', ') : `${policy.attachmentCount} attachment(s), not attached to any collected identity`]);
    }
  }
  const inline = (kind: string, name: string, policies: readonly { policyName: string; document: unknown }[]): void => {
    for (const policy of policies) {
      const statements = fullAdminStatements(policy.document);
      if (statements.length > 0) rows.push([policy.policyName, 'inline', `statement ${statements.join(', ')}`, `${kind} ${name}`]);
    }
  };
  for (const user of snapshot.users) if (user.inlinePolicies.known) inline('user', user.name, user.inlinePolicies.value);
  const { groups, roles } = snapshot.accountFacts;
  if (groups.known) for (const group of groups.value) inline('group', group.name, group.inlinePolicies);
  if (roles.known) for (const role of roles.value) inline('role', role.name, role.inlinePolicies);
  return { columns: ['Policy', 'Kind', 'Allows "*" on "*" in', 'Attached to'], rows, empty: 'No collected policy allows Action "*" on Resource "*".' };
}

function rootSection(snapshot: Snapshot): Pick<AccountFactSection, 'notCollected' | 'facts' | 'table'> {
  const root = snapshot.root;
  if (root === null) return { notCollected: 'the snapshot has no root row', facts: [], table: null };
  const mfaOn = root.mfa.active.known && root.mfa.active.value;
  const keys = root.accessKeys;
  const certificates = root.signingCertificates;
  return {
    notCollected: null,
    facts: [
      { label: 'MFA active', value: describe(root.mfa.active, yesNo) },
      { label: 'MFA device type', value: mfaOn ? rootMfaDeviceSeen(snapshot).replace(/^device type seen: /, '') : 'no MFA device' },
      { label: 'Console password', value: describe(root.password.enabled, (value) => (value ? 'enabled' : 'none')) },
      { label: 'Password last used', value: describe(root.password.lastUsed, (value) => value) },
      { label: 'Active access keys', value: describe(keys, (value) => String(value.filter((key) => key.active).length)) },
      { label: 'Active signing (X.509) certificates', value: describe(certificates, (value) => String(value.filter((certificate) => certificate.active).length)) },
    ],
    table: certificates.known
      ? {
          columns: ['Certificate', 'Active', 'Last rotated'],
          rows: certificates.value.map((certificate, index) => [certificate.slot === null ? `certificate ${index + 1}` : `cert_${certificate.slot}`, yesNo(certificate.active), describe(certificate.lastRotated, (value) => value)]),
          empty: 'Root has no signing certificates.',
        }
      : null,
  };
}

function sections(snapshot: Snapshot, now: number): Omit<AccountFactSection, 'verdicts'>[] {
  const { passwordPolicy, roles, serverCertificates, managedPolicies } = snapshot.accountFacts;
  const support = roles.known ? roles.value.filter((role) => role.attachedPolicies.some((policy) => isAwsManagedPolicy(policy.policyArn, 'AWSSupportAccess'))) : [];
  const cloudshell = holders(snapshot, (attachment) => isAwsManagedPolicy(attachment.policyArn, 'AWSCloudShellFullAccess'));
  return [
    { id: 'password-policy', title: 'Account password policy', notCollected: missing(passwordPolicy, 'live collection (iam:GetAccountPasswordPolicy)'), facts: passwordPolicy.known ? passwordPolicyFacts(passwordPolicy.value) : [], table: null },
    { id: 'root', title: 'Root user', ...rootSection(snapshot) },
    {
      id: 'support-role',
      title: 'Support role (AWSSupportAccess)',
      notCollected: missing(roles, 'live collection (iam:GetAccountAuthorizationDetails)'),
      facts: roles.known ? [{ label: 'Roles collected', value: String(roles.value.length) }] : [],
      table: roles.known ? { columns: ['Role with AWSSupportAccess attached', 'ARN'], rows: support.map((role) => [role.name, role.arn]), empty: 'No role has AWSSupportAccess attached.' } : null,
    },
    {
      id: 'cloudshell',
      title: 'CloudShell (AWSCloudShellFullAccess)',
      notCollected: missing(roles, 'live collection (iam:GetAccountAuthorizationDetails)'),
      facts: [],
      table: roles.known ? { columns: ['Attached to'], rows: cloudshell.map((holder) => [holder]), empty: 'AWSCloudShellFullAccess is attached to no collected user, group or role.' } : null,
    },
    { id: 'full-admin', title: 'Policies allowing "*:*" and where attached', notCollected: missing(managedPolicies, 'live collection (iam:GetAccountAuthorizationDetails)'), facts: [], table: managedPolicies.known ? adminPolicies(snapshot) : null },
    {
      id: 'server-certificates',
      title: 'Server certificates stored in IAM',
      notCollected: missing(serverCertificates, 'live collection (iam:ListServerCertificates)'),
      facts: [],
      table: serverCertificates.known
        ? {
            columns: ['Certificate', 'Expires', 'At the evaluation time', 'Uploaded'],
            rows: serverCertificates.value.map((certificate) => [
              certificate.name,
              describe(certificate.expiration, (value) => value),
              describe(certificate.expiration, (value) => (Date.parse(value) < now ? 'expired' : 'valid')),
              describe(certificate.uploadedAt, (value) => value),
            ]),
            empty: 'No server certificate is stored in IAM.',
          }
        : null,
    },
  ];
}

/** The rules each section's facts decide. */
const SECTION_RULES: Readonly<Record<string, readonly string[]>> = {
  'password-policy': ['password-policy-exists', 'password-policy-min-length', 'password-policy-require-uppercase', 'password-policy-require-lowercase', 'password-policy-require-numbers', 'password-policy-require-symbols', 'password-policy-max-age', 'password-policy-reuse-prevention'],
  root: ['root-mfa', 'root-hardware-mfa', 'root-access-keys', 'root-recent-use'],
  'support-role': ['support-role-exists'],
  cloudshell: ['cloudshell-full-access'],
  'full-admin': ['full-admin-policies'],
  'server-certificates': ['expired-server-certificates'],
};

/** The rules whose results the appendix reads: a streamed analysis keeps just these (a few per account). */
export const ACCOUNT_FACT_RULES: ReadonlySet<string> = new Set(Object.values(SECTION_RULES).flat());

/**
 * The account-level facts of the snapshot, each section with the verdicts of the rules that judged
 * it, at the evaluation time `now` (ms). `results` holds at least those of ACCOUNT_FACT_RULES.
 */
export function accountFacts(snapshot: Snapshot, catalogue: CatalogueResult, results: readonly RuleResult[], now: number): AccountFactsReport {
  const byRule = new Map<string, RuleResult[]>();
  for (const entry of results) {
    if (!ACCOUNT_FACT_RULES.has(entry.ruleId)) continue;
    const list = byRule.get(entry.ruleId) ?? [];
    list.push(entry);
    byRule.set(entry.ruleId, list);
  }
  return { sections: sections(snapshot, now).map((section) => ({ ...section, verdicts: verdicts(catalogue, SECTION_RULES[section.id] ?? [], byRule) })) };
}
