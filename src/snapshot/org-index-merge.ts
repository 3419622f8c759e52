/**
 * `merge-index`: joins the indexes of the shards of one run into the index one unsharded run would
 * have written (accounts in account-id order, the earliest start, the latest end). Refuses, naming
 * each: indexes of another organisation, other options or another shard count, a shard given
 * twice or missing, a shard index that does not hold its slice of its own list, shards cut from
 * different account lists and an account collected twice. With --allow-changed-org the last two
 * are merged anyway and recorded in `changedOrg` (every account missing or extra).
 */
import { UserError } from '../util/errors.js';
import { difference, indexCoverage } from './org-index-coverage.js';
import { accountListOf, type OrgChangedOrg, type OrgIndex, type OrgIndexAccount, type OrgIndexSkipped } from './org-index.js';

export interface ShardInput {
  readonly path: string;
  readonly index: OrgIndex;
}

const shardName = (input: ShardInput): string => {
  const shard = input.index.selection.shard;
  return `${shard === null ? 'index' : `shard ${shard.index}/${shard.count}`} (${input.path})`;
};

/** Problems no flag lets through: another organisation or selection, not a shard, repeated or missing shards, a shard not holding its slice. */
function structuralProblems(inputs: readonly ShardInput[]): string[] {
  const first = inputs[0];
  if (first === undefined) return ['no index given'];
  const problems: string[] = [];
  const count = first.index.selection.shard?.count ?? null;
  const seen = new Map<number, string>();
  const sameOptions = (index: OrgIndex): string => JSON.stringify({ ...index.selection, shard: null });
  for (const input of inputs) {
    const { path, index } = input;
    if (index.organizationId !== first.index.organizationId) problems.push(`${path}: organisation ${index.organizationId}, not ${first.index.organizationId} of ${first.path}`);
    const shard = index.selection.shard;
    if (shard === null) {
      problems.push(`${path}: not a shard index (it already covers a whole run)`);
      continue;
    }
    if (shard.count !== count) problems.push(`${path}: shard ${shard.index}/${shard.count} is not of the same ${count ?? '?'} shards as ${first.path}`);
    const twice = seen.get(shard.index);
    if (twice !== undefined) problems.push(`${path}: shard ${shard.index}/${shard.count} is also ${twice} (a shard given twice)`);
    else seen.set(shard.index, path);
    if (sameOptions(index) !== sameOptions(first.index)) problems.push(`${path}: collected with other options (--ou, --accounts or --role-name) than ${first.path}`);
    if (index.accountList === null) problems.push(`${path}: a version 1 shard index records no account list, so a merge cannot tell whether an account is lost or counted twice; collect the shards again`);
    else for (const failure of indexCoverage(index).failures) problems.push(`${shardName(input)}: ${failure}`);
  }
  const missing = Array.from({ length: count ?? 0 }, (_, position) => position + 1).filter((shard) => !seen.has(shard));
  if (missing.length > 0) problems.push(`shard${missing.length === 1 ? '' : 's'} ${missing.join(', ')} of ${count ?? '?'} missing; give every shard's index`);
  return problems;
}

/** Each shard whose list differs from the first shard's, with the accounts added and removed. */
function listProblems(inputs: readonly ShardInput[]): string[] {
  const first = inputs[0];
  const reference = first?.index.accountList;
  if (first === undefined || reference === undefined || reference === null) return [];
  const problems: string[] = [];
  for (const input of inputs.slice(1)) {
    const list = input.index.accountList;
    if (list === null || (list.sha256 === reference.sha256 && list.count === reference.count)) continue;
    const change = reference.ids !== null && list.ids !== null ? difference(reference.ids, list.ids) : null;
    const named = change === null ? 'the ids are not recorded' : `added ${change.extra.join(', ') || 'none'}; removed ${change.missing.join(', ') || 'none'}`;
    problems.push(`${shardName(input)} was cut from another account list than ${shardName(first)} (${list.count} accounts, SHA-256 ${list.sha256.slice(0, 12)}… against ${reference.count}, ${reference.sha256.slice(0, 12)}…): ${named}`);
  }
  return problems;
}

/** Accounts collected by more than one shard, with the shards. */
function duplicateProblems(inputs: readonly ShardInput[]): string[] {
  const where = new Map<string, string[]>();
  for (const input of inputs) for (const account of input.index.accounts) where.set(account.id, [...(where.get(account.id) ?? []), shardName(input)]);
  return [...where]
    .filter(([, shards]) => shards.length > 1)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([id, shards]) => `account ${id} present twice: in ${shards.join(' and ')}`);
}

/** The merged accounts, one per id (the entry that ended last), and the ids collected more than once. */
function joinAccounts(inputs: readonly ShardInput[]): { readonly accounts: OrgIndexAccount[]; readonly duplicates: string[] } {
  const byId = new Map<string, OrgIndexAccount>();
  const duplicates = new Set<string>();
  for (const account of inputs.flatMap(({ index }) => index.accounts)) {
    const kept = byId.get(account.id);
    if (kept !== undefined) duplicates.add(account.id);
    if (kept === undefined || account.endedAt > kept.endedAt) byId.set(account.id, account);
  }
  return { accounts: [...byId.values()].sort((a, b) => a.id.localeCompare(b.id)), duplicates: [...duplicates].sort() };
}

/** What --allow-changed-org records: the union of the lists, each shard's list, the accounts missing, extra and collected twice. */
function changedOrgOf(inputs: readonly ShardInput[], collected: readonly string[], duplicates: readonly string[]): { readonly union: string[]; readonly changedOrg: OrgChangedOrg } {
  const lists = inputs.map(({ path, index }) => {
    const ids = index.accountList?.ids;
    if (ids === null || ids === undefined) throw new UserError(`merge-index --allow-changed-org: ${path} records its account list by count and SHA-256 only, so the accounts missing or extra cannot be named; nothing written`);
    return ids;
  });
  const union = [...new Set(lists.flat())].sort();
  const sets = lists.map((ids) => new Set(ids));
  const inEvery = new Set(union.filter((id) => sets.every((ids) => ids.has(id))));
  return {
    union,
    changedOrg: {
      lists: inputs.map(({ index }) => ({ shard: index.selection.shard?.index ?? 0, count: index.accountList?.count ?? 0, sha256: index.accountList?.sha256 ?? '' })),
      missing: difference(union, collected).missing,
      extra: collected.filter((id) => !inEvery.has(id)),
      duplicates: [...duplicates],
    },
  };
}

export function mergeOrgIndexes(inputs: readonly ShardInput[], options: { readonly allowChangedOrg: boolean } = { allowChangedOrg: false }): OrgIndex {
  const refuse = (problems: readonly string[], hint: string): never => {
    throw new UserError(`merge-index refused, nothing written: ${problems.join('; ')}${hint}`);
  };
  const structural = structuralProblems(inputs);
  if (structural.length > 0) refuse(structural, '');
  const changes = [...listProblems(inputs), ...duplicateProblems(inputs)];
  if (changes.length > 0 && !options.allowChangedOrg) refuse(changes, '. Collect the shards again from one list, or merge anyway with --allow-changed-org (the accounts missing or extra are then recorded)');
  const first = inputs[0] as ShardInput;
  const { accounts, duplicates } = joinAccounts(inputs);
  const collectedIds = new Set(accounts.map((account) => account.id));
  const changed = changes.length === 0 ? null : changedOrgOf(inputs, accounts.map((account) => account.id), duplicates);
  const skipped = new Map<string, OrgIndexSkipped>();
  for (const { index } of inputs) for (const entry of index.skipped) skipped.set(entry.id, entry);
  const times = inputs.map(({ index }) => index);
  return {
    ...first.index,
    startedAt: times.map((index) => index.startedAt).sort()[0] ?? first.index.startedAt,
    endedAt: times.map((index) => index.endedAt).sort().at(-1) ?? first.index.endedAt,
    selection: { ...first.index.selection, shard: null },
    accountList: changed === null ? first.index.accountList : accountListOf(changed.union),
    changedOrg: changed === null ? null : changed.changedOrg,
    // An account skipped by one shard's listing and collected by another's (--allow-changed-org) is collected.
    skipped: [...skipped.values()].filter((entry) => !collectedIds.has(entry.id)).sort((a, b) => a.id.localeCompare(b.id)),
    accounts,
  };
}
