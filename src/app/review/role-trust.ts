/**
 * Who can assume a role, read from its trust policy (AssumeRolePolicyDocument) as the snapshot
 * holds it: the principals of the Allow statements that grant an sts:AssumeRole* action (AWS
 * accounts and ARNs, services, federated providers, canonical users, "*"), each with the
 * conditions that restrict it. A principal's key (kind and value, an account id and its
 * `:root` ARN alike) is what `review verify` compares to tell that trust was narrowed. Deny
 * statements and NotPrincipal are not read: they cannot add anyone, and a condition added to a
 * principal still trusted is not counted as narrowing (see docs/review.md).
 */
import type { Fact, IsoTimestamp, RoleFacts } from '../../snapshot/types.js';

export interface TrustedPrincipal {
  /** "aws account 111122223333", "service ec2.amazonaws.com": the same principal, the same key. */
  readonly key: string;
  /** The key with its conditions, for the reviewer. */
  readonly text: string;
}

type Json = Readonly<Record<string, unknown>>;

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? (value as unknown[]) : value === undefined || value === null ? [] : [value]);

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Whether a statement's Action grants assuming the role (sts:AssumeRole, ...WithSAML, ...WithWebIdentity, sts:*, *). */
function grantsAssume(statement: Json): boolean {
  if (statement['Action'] === undefined) return statement['NotAction'] !== undefined;
  return asList(statement['Action']).some((action) => typeof action === 'string' && (action === '*' || /^sts:(\*|AssumeRole)/i.test(action)));
}

const ACCOUNT_ROOT = /^arn:aws[a-z-]*:iam::(\d{12}):root$/;

/** One principal value as a comparable key: an account id and its root ARN are the same account. */
function principalKey(kind: string, value: string): string {
  const lowerKind = kind.toLowerCase();
  if (lowerKind === 'aws') {
    if (value === '*') return 'anyone (*)';
    const account = /^\d{12}$/.test(value) ? value : (ACCOUNT_ROOT.exec(value)?.[1] ?? null);
    return account === null ? `aws ${value}` : `aws account ${account}`;
  }
  return `${lowerKind} ${value}`;
}

/** "if StringEquals sts:ExternalId=abc; Bool aws:MultiFactorAuthPresent=true", or "" without conditions. */
function conditionText(condition: unknown): string {
  if (!isObject(condition)) return '';
  const parts: string[] = [];
  for (const [operator, tests] of Object.entries(condition)) {
    if (!isObject(tests)) continue;
    for (const [key, values] of Object.entries(tests)) parts.push(`${operator} ${key}=${asList(values).map(String).join('|')}`);
  }
  return parts.length === 0 ? '' : ` if ${parts.join('; ')}`;
}

function statementPrincipals(statement: Json): { kind: string; value: string }[] {
  const principal = statement['Principal'];
  if (principal === '*') return [{ kind: 'AWS', value: '*' }];
  if (!isObject(principal)) return [];
  return Object.entries(principal).flatMap(([kind, values]) => asList(values).flatMap((value) => (typeof value === 'string' ? [{ kind, value }] : [])));
}

/** The principals the trust policy lets assume the role, in the policy's order, each key once (conditions merged). */
export function trustedPrincipals(document: unknown): TrustedPrincipal[] {
  const body = isObject(document) ? document : {};
  const found = new Map<string, string[]>();
  for (const statement of asList(body['Statement'])) {
    if (!isObject(statement) || statement['Effect'] !== 'Allow' || !grantsAssume(statement)) continue;
    const conditions = conditionText(statement['Condition']);
    for (const { kind, value } of statementPrincipals(statement)) {
      const key = principalKey(kind, value);
      const list = found.get(key) ?? [];
      list.push(conditions);
      found.set(key, list);
    }
  }
  // A principal allowed once without a condition is trusted without one, whatever other statements say.
  return [...found.entries()].map(([key, conditions]) => ({ key, text: conditions.includes('') ? key : `${key}${[...new Set(conditions)].join(' or')}` }));
}

/** The snapshot predates trust collection: the words review start used before, kept so such campaigns still reconcile. */
export const ROLE_TRUST_NOT_IN_SNAPSHOT = 'not collected (the snapshot holds no trust policies or role last use)';

function absentText(fact: Fact<unknown>): string {
  if (fact.known) return '';
  if (fact.reason === 'collection_failed') return `collection failed${fact.detail === undefined ? '' : ` (${fact.detail})`}`;
  return 'not collected';
}

/** The role's last use in words: "2026-11-30 in eu-west-1", "none recorded (...)". */
export function roleLastUse(role: RoleFacts): string {
  const lastUsed: Fact<IsoTimestamp> | undefined = role.lastUsed;
  if (lastUsed === undefined) return role.trustPolicy === undefined ? ROLE_TRUST_NOT_IN_SNAPSHOT : 'not collected';
  if (lastUsed.known) return `${lastUsed.value.slice(0, 10)}${role.lastUsedRegion?.known === true ? ` in ${role.lastUsedRegion.value}` : ''}`;
  if (lastUsed.reason === 'no_information') return 'none recorded (never used, or not within IAM\u2019s tracking period)';
  return absentText(lastUsed);
}

/** The principals that can assume the role, or null when the snapshot does not tell (not collected, failed). */
export function roleTrust(role: RoleFacts): TrustedPrincipal[] | null {
  return role.trustPolicy?.known === true ? trustedPrincipals(role.trustPolicy.value) : null;
}

/** The workbook's "Who can assume it / last used" cell of a role. */
export function roleTrustText(role: RoleFacts): string {
  if (role.trustPolicy === undefined) return ROLE_TRUST_NOT_IN_SNAPSHOT;
  const principals = roleTrust(role);
  const who = principals === null ? `who can assume it: ${absentText(role.trustPolicy)}` : principals.length === 0 ? 'nobody (no Allow statement names a principal)' : principals.map((principal) => principal.text).join('; ');
  return `${who}; last used: ${roleLastUse(role)}`;
}
