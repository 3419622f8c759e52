/**
 * The review's population: every identity in scope of a snapshot with the facts a reviewer needs
 * to decide (console, MFA, keys with age and last use, last activity, groups, policies with an
 * administrator flag; for roles who can assume them and their last use), and whether the
 * snapshot's lists it came from were complete. Facts come
 * only from the snapshot; ages are measured at its capture time, never the wall clock.
 */
import type { CampaignAccount, IdentityAccess, IdentityType, ReviewScope } from '../../config/review-files.js';
import type { AccessKeyFacts, Fact, GroupFacts, InlinePolicy, PolicyAttachment, RoleFacts, Snapshot, UserFacts } from '../../snapshot/types.js';
import { MS_PER_DAY } from '../../util/time.js';
import { roleLastUse, roleTrust, roleTrustText } from './role-trust.js';

/** The columns of facts every workbook shows, in order (the workbook adds the decision columns). */
export const FACT_COLUMNS = [
  'Account',
  'Type',
  'Identity',
  'ARN',
  'Console access',
  'MFA',
  'Access keys',
  'Last activity',
  'Groups',
  'Attached policies',
  'Inline policies',
  'Administrator',
  'Who can assume it / last used',
] as const;

/** One identity before it is assigned a reviewer and bound to the campaign. */
export interface PopulationMember {
  readonly key: string;
  readonly accountId: string;
  readonly type: IdentityType;
  readonly name: string;
  readonly arn: string;
  readonly path: string | null;
  readonly groups: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
  readonly facts: readonly string[];
  readonly access: IdentityAccess;
}

export interface AccountPopulation {
  readonly members: PopulationMember[];
  readonly populations: CampaignAccount['populations'];
  /** What is missing, one line each ("account 1111…: roles: …"); empty when complete. */
  readonly missing: string[];
  readonly credentialFactsOnly: boolean;
}

const NOT_COLLECTED = 'not collected';

function factText<T>(fact: Fact<T>, show: (value: T) => string): string {
  if (fact.known) return show(fact.value);
  if (fact.reason === 'not_applicable') return 'none';
  if (fact.reason === 'no_information') return 'no information';
  if (fact.reason === 'collection_failed') return 'collection failed';
  return NOT_COLLECTED;
}

const day = (iso: string): string => iso.slice(0, 10);

function keyText(key: AccessKeyFacts, position: number, capturedAtMs: number): string {
  const label = key.id.known ? key.id.value : `key ${key.slot ?? position + 1}`;
  const age = key.createdAt.known ? `created ${day(key.createdAt.value)} (${Math.max(0, Math.floor((capturedAtMs - Date.parse(key.createdAt.value)) / MS_PER_DAY))} days)` : 'creation unknown';
  const used = key.lastUsed.known ? `last used ${day(key.lastUsed.value)}` : key.lastUsed.reason === 'not_applicable' ? 'never used' : `last use ${factText(key.lastUsed, String)}`;
  return `${label} ${key.active ? 'active' : 'inactive'}, ${age}, ${used}`;
}

function lastActivity(principal: Pick<UserFacts, 'password' | 'accessKeys'>): string {
  const times: string[] = [];
  if (principal.password.lastUsed.known) times.push(principal.password.lastUsed.value);
  if (principal.accessKeys.known) for (const key of principal.accessKeys.value) if (key.lastUsed.known) times.push(key.lastUsed.value);
  if (times.length === 0) return principal.accessKeys.known ? 'none recorded' : NOT_COLLECTED;
  return times.sort().at(-1) ?? '';
}

function statements(document: unknown): Record<string, unknown>[] {
  const body = document as { Statement?: unknown } | null;
  const list = body?.Statement;
  if (Array.isArray(list)) return list.filter((item): item is Record<string, unknown> => typeof item === 'object' && item !== null);
  return typeof list === 'object' && list !== null ? [list as Record<string, unknown>] : [];
}

const hasStar = (value: unknown): boolean => value === '*' || (Array.isArray(value) && value.includes('*'));

/** A policy document allowing every action on every resource. */
export function allowsEverything(document: unknown): boolean {
  return statements(document).some((statement) => statement['Effect'] === 'Allow' && hasStar(statement['Action']) && hasStar(statement['Resource']));
}

const ADMIN_POLICY = /:policy\/AdministratorAccess$/;

/** "yes (AdministratorAccess)", "no", or not collected. */
function administrator(
  attached: readonly PolicyAttachment[] | null,
  inline: readonly InlinePolicy[] | null,
  groupPolicies: readonly { attached: readonly PolicyAttachment[]; inline: readonly InlinePolicy[]; name: string }[],
  managedDocuments: ReadonlyMap<string, unknown>,
): string {
  if (attached === null || inline === null) return NOT_COLLECTED;
  const reasons: string[] = [];
  const judge = (list: readonly PolicyAttachment[], via: string): void => {
    for (const policy of list) if (ADMIN_POLICY.test(policy.policyArn) || allowsEverything(managedDocuments.get(policy.policyArn))) reasons.push(`${policy.policyName}${via}`);
  };
  const judgeInline = (list: readonly InlinePolicy[], via: string): void => {
    for (const policy of list) if (allowsEverything(policy.document)) reasons.push(`inline ${policy.policyName}${via}`);
  };
  judge(attached, '');
  judgeInline(inline, '');
  for (const group of groupPolicies) {
    judge(group.attached, ` via group ${group.name}`);
    judgeInline(group.inline, ` via group ${group.name}`);
  }
  return reasons.length === 0 ? 'no' : `yes (${reasons.join(', ')})`;
}

const names = (list: readonly { policyName: string }[]): string => (list.length === 0 ? 'none' : list.map((item) => item.policyName).join(', '));

interface AccountContext {
  readonly snapshot: Snapshot;
  readonly capturedAtMs: number;
  readonly groups: ReadonlyMap<string, GroupFacts> | null;
  readonly managedDocuments: ReadonlyMap<string, unknown>;
}

function userMember(context: AccountContext, user: UserFacts): PopulationMember {
  const accountId = context.snapshot.account.id;
  const groups = user.groups.known ? user.groups.value : null;
  const groupPolicies = (groups ?? []).flatMap((name) => {
    const group = context.groups?.get(name);
    return group === undefined ? [] : [{ name, attached: group.attachedPolicies, inline: group.inlinePolicies }];
  });
  const keys = user.accessKeys.known ? user.accessKeys.value : null;
  return {
    key: `${accountId}:user:${user.name}`,
    accountId,
    type: 'user',
    name: user.name,
    arn: user.arn,
    path: user.path.known ? user.path.value : null,
    groups: groups ?? [],
    tags: user.tags.known ? user.tags.value : {},
    facts: [
      accountId,
      'user',
      user.name,
      user.arn,
      factText(user.password.enabled, (enabled) => (enabled ? `yes${user.password.lastUsed.known ? `, last sign-in ${day(user.password.lastUsed.value)}` : ''}` : 'no')),
      factText(user.mfa.active, (active) => (active ? 'yes' : 'no')),
      keys === null ? factText(user.accessKeys, () => '') : keys.length === 0 ? 'none' : keys.map((key, position) => keyText(key, position, context.capturedAtMs)).join('; '),
      lastActivity(user),
      factText(user.groups, (list) => (list.length === 0 ? 'none' : list.join(', '))),
      factText(user.attachedPolicies, names),
      factText(user.inlinePolicies, names),
      administrator(user.attachedPolicies.known ? user.attachedPolicies.value : null, user.inlinePolicies.known ? user.inlinePolicies.value : null, groupPolicies, context.managedDocuments),
      'not applicable (a user)',
    ],
    access: {
      console: user.password.enabled.known ? user.password.enabled.value : null,
      activeKeys: keys === null ? null : keys.filter((key) => key.active).length,
      groups,
      attachedPolicies: user.attachedPolicies.known ? user.attachedPolicies.value.map((policy) => policy.policyArn) : null,
      inlinePolicies: user.inlinePolicies.known ? user.inlinePolicies.value.map((policy) => policy.policyName) : null,
    },
  };
}

function rootMember(context: AccountContext): PopulationMember | null {
  const root = context.snapshot.root;
  if (root === null) return null;
  const accountId = context.snapshot.account.id;
  const keys = root.accessKeys.known ? root.accessKeys.value : null;
  return {
    key: `${accountId}:root:<root_account>`,
    accountId,
    type: 'root',
    name: '<root_account>',
    arn: root.arn,
    path: null,
    groups: [],
    tags: {},
    facts: [
      accountId,
      'root',
      '<root_account>',
      root.arn,
      factText(root.password.enabled, (enabled) => (enabled ? `yes${root.password.lastUsed.known ? `, last sign-in ${day(root.password.lastUsed.value)}` : ''}` : 'no')),
      factText(root.mfa.active, (active) => (active ? 'yes' : 'no')),
      keys === null ? factText(root.accessKeys, () => '') : keys.length === 0 ? 'none' : keys.map((key, position) => keyText(key, position, context.capturedAtMs)).join('; '),
      lastActivity(root),
      'not applicable (root)',
      'not applicable (root)',
      'not applicable (root)',
      'yes (the root user has every permission)',
      'not applicable (root)',
    ],
    access: { console: root.password.enabled.known ? root.password.enabled.value : null, activeKeys: keys === null ? null : keys.filter((key) => key.active).length, groups: null, attachedPolicies: null, inlinePolicies: null },
  };
}

function roleOrGroupMember(context: AccountContext, entity: RoleFacts | GroupFacts, type: 'role' | 'group', members: readonly string[]): PopulationMember {
  const accountId = context.snapshot.account.id;
  const role: RoleFacts | null = type === 'role' ? entity : null;
  const trust = role === null ? null : roleTrust(role);
  return {
    key: `${accountId}:${type}:${entity.name}`,
    accountId,
    type,
    name: entity.name,
    arn: entity.arn,
    path: null,
    groups: [],
    tags: {},
    facts: [
      accountId,
      type,
      entity.name,
      entity.arn,
      type === 'role' ? 'no (a role)' : 'no (a group)',
      'not applicable',
      'not applicable',
      role === null ? 'not applicable' : roleLastUse(role),
      type === 'group' ? `members: ${members.length === 0 ? 'none' : members.join(', ')}` : 'not applicable',
      names(entity.attachedPolicies),
      names(entity.inlinePolicies),
      administrator(entity.attachedPolicies, entity.inlinePolicies, [], context.managedDocuments),
      role === null ? 'not applicable (a group)' : roleTrustText(role),
    ],
    access: {
      console: null,
      activeKeys: null,
      groups: null,
      attachedPolicies: entity.attachedPolicies.map((policy) => policy.policyArn),
      inlinePolicies: entity.inlinePolicies.map((policy) => policy.policyName),
      ...(role === null ? {} : { trustedPrincipals: trust === null ? null : trust.map((principal) => principal.key) }),
    },
  };
}

/** The scopes a credential report carries; the others are the live collection's. */
const CREDENTIAL_REPORT_SCOPES: readonly ReviewScope[] = ['users', 'root'];

/**
 * The members of one account in `scope`, the state of each list they came from, and what is
 * missing. `explicitScope` false: the scopes a credential report does not carry are left out
 * (the campaign says "credential facts only"), not counted as missing.
 */
export function accountPopulation(snapshot: Snapshot, scope: readonly ReviewScope[], explicitScope: boolean): AccountPopulation {
  const groupList = snapshot.accountFacts.groups.known ? snapshot.accountFacts.groups.value : null;
  const managed = snapshot.accountFacts.managedPolicies.known ? snapshot.accountFacts.managedPolicies.value : [];
  const context: AccountContext = {
    snapshot,
    capturedAtMs: Date.parse(snapshot.capturedAt),
    groups: groupList === null ? null : new Map(groupList.map((group) => [group.name, group])),
    managedDocuments: new Map(managed.flatMap((policy) => (policy.document.known ? [[policy.arn, policy.document.value] as const] : []))),
  };
  const credentialFactsOnly = snapshot.source === 'credential-report';
  const members: PopulationMember[] = [];
  const populations: CampaignAccount['populations'][number][] = [];
  const missing: string[] = [];
  const account = snapshot.account.id;
  for (const item of scope) {
    if (credentialFactsOnly && !explicitScope && !CREDENTIAL_REPORT_SCOPES.includes(item)) continue;
    if (item === 'users') {
      const status = snapshot.populations.users;
      snapshot.users.forEach((user) => members.push(userMember(context, user)));
      populations.push({ scope: item, state: status.state, inSnapshot: snapshot.users.length, inPopulation: snapshot.users.length });
      if (status.state !== 'complete') missing.push(`account ${account}: users: ${status.reason ?? status.state}`);
    } else if (item === 'root') {
      const root = rootMember(context);
      if (root !== null) members.push(root);
      populations.push({ scope: item, state: root === null ? 'not_collected' : 'complete', inSnapshot: root === null ? 0 : 1, inPopulation: root === null ? 0 : 1 });
      if (root === null) missing.push(`account ${account}: root: the snapshot holds no root user`);
    } else {
      const list = item === 'roles' ? snapshot.accountFacts.roles : snapshot.accountFacts.groups;
      const status = snapshot.populations[item];
      const entities: readonly (RoleFacts | GroupFacts)[] = list.known ? list.value : [];
      for (const entity of entities) {
        const groupMembers = item === 'groups' ? snapshot.users.filter((user) => user.groups.known && user.groups.value.includes(entity.name)).map((user) => user.name) : [];
        members.push(roleOrGroupMember(context, entity, item === 'roles' ? 'role' : 'group', groupMembers));
      }
      populations.push({ scope: item, state: status.state, inSnapshot: entities.length, inPopulation: entities.length });
      if (status.state !== 'complete' || !list.known) missing.push(`account ${account}: ${item}: ${status.reason ?? 'not collected'}`);
    }
  }
  return { members, populations, missing, credentialFactsOnly };
}
