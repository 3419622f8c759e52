/**
 * `review verify CAMPAIGN LATER`: was what the reviewers decided carried out? Each revoke or reduce
 * decision is checked against a later snapshot (or organisation index): user deleted, console
 * password removed, key deactivated or deleted, policy or group detached, role trust narrowed. What
 * the later snapshot cannot show (a trust policy not collected, other facts not collected) is "not
 * verifiable", never "done".
 * Identities in the later snapshot that the campaign never held appeared since and were never
 * reviewed. Anything outstanding makes the command exit 1.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Campaign, CampaignIdentity, IdentityAccess, RecordedDecision } from '../../config/review-files.js';
import { toCsv } from '../../render/csv-safety.js';
import { readSnapshot } from '../../snapshot/io.js';
import { looksLikeOrgIndex, readOrgIndex } from '../../snapshot/org-index.js';
import type { Snapshot } from '../../snapshot/types.js';
import { InputError, UserError } from '../../util/errors.js';
import { writeOutputs } from '../../util/files.js';
import { fileStamp, toIsoUtc } from '../../util/time.js';
import { escapeForTerminal } from '../../util/terminal-text.js';
import { readCampaign, readDecisions } from './campaign-store.js';
import { accountPopulation, type PopulationMember } from './population.js';

export type FollowUpStatus = 'carried-out' | 'not-carried-out' | 'not-verifiable' | 'appeared-unreviewed';

export interface FollowUpItem {
  readonly key: string;
  readonly accountId: string;
  readonly type: string;
  readonly name: string;
  readonly decision: string;
  readonly status: FollowUpStatus;
  /** What was seen, in words. */
  readonly detail: string;
  /** The later snapshot's capture time when the removal was seen; null otherwise. */
  readonly seenAt: string | null;
}

export interface FollowUp {
  readonly kind: 'iam-audit-access-review-follow-up';
  readonly campaignId: string;
  readonly checkedAt: string;
  readonly later: readonly { readonly accountId: string; readonly capturedAt: string; readonly sha256: string }[];
  readonly items: readonly FollowUpItem[];
  readonly outstanding: number;
}

export interface VerifyFollowUpOptions {
  readonly campaignDir: string;
  readonly laterPath: string;
  readonly outDir: string | null;
  readonly overwrite: boolean;
  readonly now: Date;
  readonly stdout: { write(text: string): unknown };
}

async function laterSnapshots(path: string): Promise<Map<string, { snapshot: Snapshot; sha256: string }>> {
  const head = await readFile(path).catch(() => {
    throw new InputError(path, null, 'no such file');
  });
  const found = new Map<string, { snapshot: Snapshot; sha256: string }>();
  if (!looksLikeOrgIndex(head.subarray(0, 256).toString('utf8'))) {
    const loaded = await readSnapshot(path);
    found.set(loaded.snapshot.account.id, { snapshot: loaded.snapshot, sha256: loaded.sha256 });
    return found;
  }
  const index = await readOrgIndex(path);
  for (const account of index.accounts) {
    if (account.snapshot === null) continue;
    const loaded = await readSnapshot(join(dirname(path), account.snapshot));
    found.set(account.id, { snapshot: loaded.snapshot, sha256: loaded.sha256 });
  }
  return found;
}

const removed = (before: readonly string[] | null, after: readonly string[] | null): string[] | null => (before === null || after === null ? null : before.filter((item) => !after.includes(item)));

/** The access removed between the review and the later snapshot, in words; null when it cannot be told. */
function reductions(before: IdentityAccess, after: IdentityAccess): { changes: string[]; unknown: string[] } {
  const changes: string[] = [];
  const unknown: string[] = [];
  if (before.console === true) {
    if (after.console === false) changes.push('console password removed');
    else if (after.console === null) unknown.push('console access');
  }
  if (before.activeKeys !== null && before.activeKeys > 0) {
    if (after.activeKeys === null) unknown.push('access keys');
    else if (after.activeKeys < before.activeKeys) changes.push(`${before.activeKeys - after.activeKeys} access key(s) deactivated or deleted`);
  }
  for (const [label, list] of [['removed from group', removed(before.groups, after.groups)], ['policy detached', removed(before.attachedPolicies, after.attachedPolicies)], ['inline policy deleted', removed(before.inlinePolicies, after.inlinePolicies)]] as const) {
    if (list === null) continue;
    for (const item of list) changes.push(`${label}: ${item.replace(/^arn:aws[a-z-]*:iam::(aws|\d{12}):policy\//, '')}`);
  }
  // A role's trust: left out (a campaign started before it was collected) or null (not in that snapshot) cannot be compared.
  if (before.trustedPrincipals !== undefined || after.trustedPrincipals !== undefined) {
    const untrusted = removed(before.trustedPrincipals ?? null, after.trustedPrincipals ?? null);
    if (untrusted === null) unknown.push('the role trust policy');
    else for (const principal of untrusted) changes.push(`trust narrowed: ${principal} can no longer assume it`);
  }
  return { changes, unknown };
}

/** A role whose trust policy, in the later snapshot, lets nobody assume it. */
const nobodyTrusted = (access: IdentityAccess): boolean => access.trustedPrincipals !== undefined && access.trustedPrincipals !== null && access.trustedPrincipals.length === 0;

function judge(identity: CampaignIdentity, decision: RecordedDecision, later: ReadonlyMap<string, PopulationMember> | undefined, capturedAt: string | null): FollowUpItem {
  const base = { key: identity.key, accountId: identity.accountId, type: identity.type, name: identity.name, decision: decision.decision };
  if (later === undefined || capturedAt === null) return { ...base, status: 'not-verifiable', detail: `account ${identity.accountId} is not in the later snapshot`, seenAt: null };
  const now = later.get(identity.key);
  if (now === undefined) {
    if (identity.type === 'root') return { ...base, status: 'not-verifiable', detail: 'the later snapshot holds no root user', seenAt: null };
    return { ...base, status: 'carried-out', detail: `${identity.type} deleted`, seenAt: capturedAt };
  }
  const { changes, unknown } = reductions(identity.access, now.access);
  const credentialsGone = now.access.console !== true && (now.access.activeKeys ?? 1) === 0 && now.access.console !== null;
  if (decision.decision === 'revoke' && (identity.type === 'user' || identity.type === 'root')) {
    if (credentialsGone) return { ...base, status: 'carried-out', detail: `no console password and no active key left${changes.length === 0 ? '' : ` (${changes.join('; ')})`}`, seenAt: capturedAt };
    if (unknown.length > 0) return { ...base, status: 'not-verifiable', detail: `the later snapshot does not carry ${unknown.join(', ')}`, seenAt: null };
    return { ...base, status: 'not-carried-out', detail: changes.length === 0 ? 'nothing removed yet' : `partly: ${changes.join('; ')}; console or an active key remains`, seenAt: null };
  }
  if (decision.decision === 'revoke' && identity.type === 'role' && nobodyTrusted(now.access)) return { ...base, status: 'carried-out', detail: `its trust policy lets nobody assume it${changes.length === 0 ? '' : ` (${changes.join('; ')})`}`, seenAt: capturedAt };
  if (decision.decision === 'revoke') return { ...base, status: 'not-carried-out', detail: `the ${identity.type} still exists${changes.length === 0 ? '' : ` (${changes.join('; ')})`}`, seenAt: null };
  if (changes.length > 0) return { ...base, status: 'carried-out', detail: changes.join('; '), seenAt: capturedAt };
  if (identity.type === 'role') {
    const trustBefore = identity.access.trustedPrincipals ?? null;
    if (trustBefore === null) return { ...base, status: 'not-verifiable', detail: 'no policy detached; a narrowed trust policy cannot be seen (the snapshot holds no trust policies)', seenAt: null };
    if (unknown.length > 0) return { ...base, status: 'not-verifiable', detail: `no policy detached; the later snapshot does not carry ${unknown.join(', ')}`, seenAt: null };
    return { ...base, status: 'not-carried-out', detail: 'no policy detached and trust not narrowed', seenAt: null };
  }
  if (unknown.length > 0) return { ...base, status: 'not-verifiable', detail: `the later snapshot does not carry ${unknown.join(', ')}`, seenAt: null };
  return { ...base, status: 'not-carried-out', detail: 'no access removed yet', seenAt: null };
}

export function followUpOf(campaign: Campaign, decisions: readonly RecordedDecision[], later: ReadonlyMap<string, { snapshot: Snapshot; sha256: string }>, now: Date): FollowUp {
  const members = new Map<string, Map<string, PopulationMember>>();
  const items: FollowUpItem[] = [];
  for (const account of campaign.accounts) {
    const entry = later.get(account.id);
    if (entry === undefined) continue;
    if (Date.parse(entry.snapshot.capturedAt) <= Date.parse(account.capturedAt)) {
      throw new UserError(`the later snapshot of account ${account.id} was captured ${entry.snapshot.capturedAt}, not after the review's ${account.capturedAt}; give a snapshot taken after the review`);
    }
    const population = accountPopulation(entry.snapshot, account.populations.map((item) => item.scope), true);
    members.set(account.id, new Map(population.members.map((member) => [member.key, member])));
    const known = new Set(campaign.identities.map((identity) => identity.key));
    for (const member of population.members) {
      if (!known.has(member.key)) items.push({ key: member.key, accountId: member.accountId, type: member.type, name: member.name, decision: 'never reviewed', status: 'appeared-unreviewed', detail: 'appeared since the review started', seenAt: entry.snapshot.capturedAt });
    }
    for (const line of population.missing) items.push({ key: `${account.id}:incomplete`, accountId: account.id, type: 'population', name: '', decision: '', status: 'not-verifiable', detail: `the later population is incomplete: ${line}`, seenAt: null });
  }
  const byKey = new Map(campaign.identities.map((identity) => [identity.key, identity]));
  const checked: FollowUpItem[] = [];
  for (const decision of decisions) {
    const identity = byKey.get(decision.key);
    if (identity === undefined || decision.decision === 'keep') continue;
    checked.push(judge(identity, decision, members.get(identity.accountId), later.get(identity.accountId)?.snapshot.capturedAt ?? null));
  }
  const all = [...checked, ...items];
  return {
    kind: 'iam-audit-access-review-follow-up',
    campaignId: campaign.id,
    checkedAt: toIsoUtc(now),
    later: [...later.entries()].map(([accountId, entry]) => ({ accountId, capturedAt: entry.snapshot.capturedAt, sha256: entry.sha256 })),
    items: all,
    outstanding: all.filter((item) => item.status !== 'carried-out').length,
  };
}

const STATUS_WORDS: Readonly<Record<FollowUpStatus, string>> = {
  'carried-out': 'carried out',
  'not-carried-out': 'NOT YET carried out',
  'not-verifiable': 'NOT VERIFIABLE',
  'appeared-unreviewed': 'APPEARED SINCE, never reviewed',
};

export async function runVerifyFollowUp(options: VerifyFollowUpOptions): Promise<FollowUp> {
  const campaign = await readCampaign(options.campaignDir);
  const decisions = await readDecisions(options.campaignDir, campaign);
  const later = await laterSnapshots(options.laterPath);
  const followUp = followUpOf(campaign, decisions.decisions, later, options.now);
  const stem = `access_review_${campaign.id}_follow_up_${fileStamp(followUp.checkedAt)}`;
  const csv = toCsv(['account', 'type', 'identity', 'decision', 'status', 'detail', 'seen_at'], followUp.items.map((item) => [item.accountId, item.type, item.name, item.decision, item.status, item.detail, item.seenAt ?? '']));
  const written = await writeOutputs(options.outDir ?? join(options.campaignDir, 'follow-up'), [{ fileName: `${stem}.json`, content: `${JSON.stringify(followUp, null, 2)}\n` }, { fileName: `${stem}.csv`, content: csv }], options.overwrite);
  const lines = [`Follow-up of access review ${campaign.id}:`];
  for (const item of followUp.items) lines.push(`  ${STATUS_WORDS[item.status]}: ${item.name === '' ? item.key : `${item.accountId} ${item.type} ${item.name}`} (${item.decision}): ${item.detail}${item.seenAt === null || item.status !== 'carried-out' ? '' : `, seen ${item.seenAt}`}`);
  const done = followUp.items.filter((item) => item.status === 'carried-out').length;
  lines.push(`${done} carried out, ${followUp.outstanding} outstanding.`);
  options.stdout.write(`${lines.map(escapeForTerminal).join('\n')}\nWritten:\n${written.map((path) => `  - ${escapeForTerminal(path)}`).join('\n')}\n`);
  return followUp;
}
