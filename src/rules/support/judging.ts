/**
 * Small helpers the rules share: naming resources, measuring ages against `context.now`, and
 * explaining in words why a fact is missing. Nothing here reads the clock.
 *
 * This folder is not a rule: rules are the files directly in src/rules/.
 */
import type { Absent, AccessKeyFacts, Fact, PrincipalFacts, Snapshot, UserFacts } from '../../snapshot/types.js';
import { MS_PER_DAY, parseStrictInstant } from '../../util/time.js';
import type { ResourceRef, RuleFacts, RuleFinding, RuleVerdict, SharedFacts } from '../rule.js';

export const ROOT_NAME = '<root_account>';

/**
 * The user's resource reference. Every rule names each user, so on a large account the same
 * reference is shared by all rules' findings (fewer objects for the garbage collector to trace).
 */
export function userResource(user: Pick<UserFacts, 'arn' | 'name'>): ResourceRef {
  // The engine asks for one user's reference from every rule in turn: the last answer first, the map after.
  if (user === lastUser.user) return lastUser.resource;
  let resource = userResources.get(user);
  if (resource === undefined) {
    resource = Object.freeze({ type: 'user', arn: user.arn, name: user.name });
    userResources.set(user, resource);
  }
  lastUser = { user, resource };
  return resource;
}
const userResources = new WeakMap<object, ResourceRef>();
/** The last user asked about and its reference (a placeholder at first, which no user is). */
let lastUser: { readonly user: object; readonly resource: ResourceRef } = { user: {}, resource: Object.freeze({ type: 'user', arn: '', name: '' }) };

export function rootResource(root: Pick<PrincipalFacts, 'arn'>): ResourceRef {
  return { type: 'root', arn: root.arn, name: ROOT_NAME };
}

/** The root ARN of the snapshot's account (also when the snapshot has no root row). */
export function rootArn(snapshot: Snapshot): string {
  return snapshot.root?.arn ?? `arn:${snapshot.account.partition}:iam::${snapshot.account.id}:root`;
}

/** Account-wide settings (password policy, support role...) are judged on the resource `account`. */
export function accountResource(snapshot: Snapshot): ResourceRef {
  return { type: 'account', arn: `arn:${snapshot.account.partition}:iam::${snapshot.account.id}:root`, name: 'account' };
}

/**
 * How a key is named: its id whenever the snapshot has it (a live collection), else its report slot
 * (access_key_1: a credential report has no key ids), else its position. The id first: a slot is
 * reused when a key is rotated, so naming a known key by its slot would hand the old key's finding
 * id to the new one (issue 23 §4).
 */
export function keyLabel(key: AccessKeyFacts, position: number): string {
  if (key.id.known) return key.id.value;
  if (key.slot !== null) return `access_key_${key.slot}`;
  return `key_${position + 1}`;
}

/** A key resource: the owner's ARN and name with `#AKIA...` (or `#access_key_N`). */
export function keyResource(owner: { arn: string; name: string }, key: AccessKeyFacts, position: number): ResourceRef {
  const label = keyLabel(key, position);
  return { type: 'access-key', arn: `${owner.arn}#${label}`, name: `${owner.name}#${label}` };
}

const ABSENCE_WORDS: Readonly<Record<Absent['reason'], string>> = {
  not_applicable: 'not applicable',
  no_information: 'no information',
  not_supported: 'not supported for this principal',
  not_collected: 'not collected',
  collection_failed: 'collection failed',
};

/**
 * Why a needed fact is missing, in words, with where to get it:
 * "MFA devices not collected; collect live (iam:ListMFADevices)".
 */
export function missingReason(what: string, fact: Absent, source: string): string {
  if (fact.detail !== undefined) return `${what} ${ABSENCE_WORDS[fact.reason]} (${fact.detail}); ${source}`;
  // The same few reasons repeat for every user of a large account: build each once. Looked up by
  // its three parts, which are the rules' own constants: a key joined from them was a new string
  // to hash on every call (a tenth of the rules' time at 5,000 users).
  let byReason = reasonCache.get(what);
  if (byReason === undefined) reasonCache.set(what, (byReason = new Map()));
  let bySource = byReason.get(fact.reason);
  if (bySource === undefined) byReason.set(fact.reason, (bySource = new Map()));
  let reason = bySource.get(source);
  if (reason === undefined) {
    reason = `${what} ${ABSENCE_WORDS[fact.reason]}; ${source}`;
    bySource.set(source, reason);
  }
  return reason;
}
/** Reason texts by what is missing, why, and where to get it. */
const reasonCache = new Map<string, Map<Absent['reason'], Map<string, string>>>();

/** True when the absence means "the source did not tell us", not a meaningful placeholder. */
export function isUnknown(fact: Fact<unknown>): boolean {
  return !fact.known && (fact.reason === 'not_collected' || fact.reason === 'collection_failed');
}

/**
 * The age of an instant at `now` (ms; negative when the instant is later), or why there is none.
 * A typed failure rather than NaN: `NaN > limit` is false, which reads as "recent enough", so a
 * rule must handle `ok: false` (as not evaluated) before it can compare anything.
 */
export type Age = { readonly ok: true; readonly ms: number } | { readonly ok: false; readonly problem: string };

export function ageAt(iso: string, now: number): Age {
  const at = instantMs(iso);
  if (at === null) return { ok: false, problem: `${JSON.stringify(iso)} is not a real UTC instant` };
  if (!Number.isFinite(now)) return { ok: false, problem: 'the evaluation time is not a valid instant' };
  return { ok: true, ms: now - at };
}

/**
 * An instant in ms, or null when it is not a real UTC instant. A rule measures an age when it
 * judges and its `describe` measures it again from the facts: the few instants of the identity
 * being judged are remembered, so the strict parse runs once per instant, not twice.
 */
function instantMs(iso: string): number | null {
  const cached = recentInstants.get(iso);
  if (cached !== undefined) return cached;
  const at = parseStrictInstant(iso);
  const ms = at === null ? null : at.getTime();
  // A new map, not clear(): a cleared map's table stays linked to the next one (render/json-resources.ts ResourceEntries.flush).
  if (recentInstants.size >= RECENT_INSTANTS) recentInstants = new Map();
  recentInstants.set(iso, ms);
  return ms;
}
const RECENT_INSTANTS = 256;
let recentInstants = new Map<string, number | null>();

/** The not_evaluated finding for an age that could not be measured. */
export function unmeasurable(resource: ResourceRef, what: string, age: Extract<Age, { ok: false }>): RuleFinding<never> {
  // The evidence quotes the bad value, so the engine reports the finding as an error (integrity.ts).
  return notEvaluated<never>(resource, `${what} cannot be measured: ${age.problem}`, { shared: 'unmeasurable', problem: age.problem });
}

/**
 * For a rule's `describe`: the age of the instant its facts give at the evaluation time, in words
 * ("2 days 12:00:00 before evaluation": the evaluation time itself is in every report's metadata,
 * so the sentence does not repeat it on every row). The judgement measured the same age (a finding
 * whose age cannot be measured is `unmeasurable`, without these facts); the problem, should it not.
 */
export function describeAgeAt(iso: string, now: number): string {
  const age = ageAt(iso, now);
  return age.ok ? describeAgeMs(age.ms) : age.problem;
}

/** describeAge for an age already measured (ms from the instant to the evaluation time). */
export function describeAgeMs(ms: number): string {
  if (ms < 0) return `${describeDuration(-ms)} after evaluation`;
  return `${describeDuration(ms)} before evaluation`;
}

function describeDuration(ms: number): string {
  const days = Math.floor(ms / MS_PER_DAY);
  const rest = ms - days * MS_PER_DAY;
  const dayText = `${days} day${days === 1 ? '' : 's'}`;
  if (rest === 0) return dayText;
  const totalSeconds = Math.floor(rest / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const pad = (value: number): string => String(value).padStart(2, '0');
  return `${dayText} ${pad(hours)}:${pad(minutes)}:${pad(seconds)}`;
}

export function finding<const Facts extends RuleFacts = never>(resource: ResourceRef, verdict: 'pass' | 'fail', facts: Facts | SharedFacts): RuleFinding<Facts> {
  return { resource, verdict, facts, reason: null };
}

export function notApplicable<const Facts extends RuleFacts = never>(resource: ResourceRef, reason: string, facts: Facts | SharedFacts | null = null): RuleFinding<Facts> {
  return { resource, verdict: 'not_applicable', facts, reason };
}

export function notEvaluated<const Facts extends RuleFacts = never>(resource: ResourceRef, reason: string, facts: Facts | SharedFacts | null = null): RuleFinding<Facts> {
  return { resource, verdict: 'not_evaluated', facts, reason };
}

/**
 * The gate every console-user rule starts with: not evaluated when the password status is
 * missing, not applicable without a console password; null when the user has one (judge on).
 */
export function consoleUserGate(user: UserFacts, resource: ResourceRef): RuleFinding<never> | null {
  const password = user.password.enabled;
  if (!password.known) return notEvaluated(resource, missingReason('console password status', password, SOURCES.password));
  if (!password.value) return notApplicable(resource, 'no console password');
  return null;
}

/**
 * For the rules on console users' keys: the finding when the user has no console password, no
 * known keys or no active key (a pass), else the user's active keys to judge.
 */
export function consoleUserActiveKeys(user: UserFacts, resource: ResourceRef): RuleFinding<never> | { key: AccessKeyFacts; position: number }[] {
  const gate = consoleUserGate(user, resource);
  if (gate !== null) return gate;
  if (!user.accessKeys.known) return notEvaluated<never>(resource, missingReason('access keys', user.accessKeys, SOURCES.accessKeys), { shared: 'console-password-enabled' });
  const active = activeKeys(user.accessKeys.value);
  return active.length === 0 ? finding<never>(resource, 'pass', { shared: 'console-password-no-active-keys' }) : active;
}

export function verdictOf(failed: boolean): RuleVerdict {
  return failed ? 'fail' : 'pass';
}

/** The active keys of a principal whose keys are known. */
export function activeKeys(keys: readonly AccessKeyFacts[]): { key: AccessKeyFacts; position: number }[] {
  const active: { key: AccessKeyFacts; position: number }[] = [];
  for (let position = 0; position < keys.length; position += 1) {
    const key = keys[position];
    if (key !== undefined && key.active) active.push({ key, position });
  }
  return active;
}

/** Where each missing input comes from, for reasons. */
export const SOURCES = {
  password: 'import a credential report or collect live (iam:GetLoginProfile)',
  passwordLastUsed: 'import a credential report',
  mfa: 'import a credential report or collect live (iam:ListMFADevices)',
  mfaDevices: 'collect live (iam:ListMFADevices)',
  accessKeys: 'import a credential report or collect live (iam:ListAccessKeys)',
  accessKeysLastUsed: 'import a 22-column credential report or collect live (iam:GetAccessKeyLastUsed)',
  userPolicies: 'collect live (iam:GetAccountAuthorizationDetails)',
  summary: 'collect live (iam:GetAccountSummary)',
  passwordPolicy: 'collect live (iam:GetAccountPasswordPolicy)',
  virtualMfaDevices: 'collect live (iam:ListVirtualMFADevices)',
  managedPolicies: 'collect live (iam:GetAccountAuthorizationDetails)',
  groups: 'collect live (iam:GetAccountAuthorizationDetails)',
  roles: 'collect live (iam:GetAccountAuthorizationDetails)',
  serverCertificates: 'collect live (iam:ListServerCertificates)',
  root: 'import a credential report that has the <root_account> row, or collect live',
} as const;
