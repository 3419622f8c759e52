/**
 * Does an organisation index hold exactly the accounts of the list it was cut from? A shard index
 * its slice of the list, a whole or merged index the whole list (or, merged with
 * --allow-changed-org, the list less the accounts it records as missing), no account twice.
 * `merge-index` checks each shard with it and `verify org-index.json` the index it is given.
 */
import { accountListProblem, type OrgIndex, type OrgShard } from './org-index.js';

/**
 * The I-th of N slices of the accounts: every N-th account in account-id order, starting with
 * the I-th. Depends only on the list, so every shard of a run computes the same partition.
 */
export function shardSlice<T extends { readonly id: string }>(accounts: readonly T[], shard: OrgShard | null): T[] {
  const sorted = [...accounts].sort((a, b) => a.id.localeCompare(b.id));
  return shard === null ? sorted : sorted.filter((_, position) => position % shard.count === shard.index - 1);
}

export interface Coverage {
  /** What does not hold, one line each, naming the accounts. */
  readonly failures: readonly string[];
  /** What holds but must be said (a version 1 index, a recorded change of the organisation). */
  readonly notes: readonly string[];
}

const listed = (ids: readonly string[]): string => (ids.length === 0 ? 'none' : ids.join(', '));

/** Ids present more than once in the index's accounts, or both collected and skipped. */
export function repeatedAccounts(index: OrgIndex): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const account of index.accounts) {
    if (seen.has(account.id)) repeated.add(account.id);
    seen.add(account.id);
  }
  for (const entry of index.skipped) if (seen.has(entry.id)) repeated.add(entry.id);
  return [...repeated].sort();
}

/** The two sides of a comparison of account id lists: in `expected` only, in `actual` only. */
export function difference(expected: readonly string[], actual: readonly string[]): { readonly missing: string[]; readonly extra: string[] } {
  const want = new Set(expected);
  const have = new Set(actual);
  return { missing: expected.filter((id) => !have.has(id)), extra: actual.filter((id) => !want.has(id)) };
}

// One piece: the cases of the check (version 1, unrecorded ids, shard, whole, merged with changes) side by side.
export function indexCoverage(index: OrgIndex): Coverage {
  const failures: string[] = [];
  const notes: string[] = [];
  // Checked of every index, version 1 too: an account twice is what an unchecked merge produced.
  const repeated = repeatedAccounts(index);
  if (repeated.length > 0) failures.push(`account${repeated.length === 1 ? '' : 's'} present twice: ${listed(repeated)}`);
  const list = index.accountList;
  if (list === null) return { failures, notes: ['a version 1 index records no account list: which accounts it should hold cannot be checked'] };
  const listProblem = accountListProblem(list);
  if (listProblem !== null) failures.push(`the account list is not intact: ${listProblem}`);
  const collected = [...new Set(index.accounts.map((account) => account.id))].sort();
  const shard = index.selection.shard;
  if (list.ids === null) {
    notes.push(`the list of ${list.count} accounts is recorded by count and SHA-256 only; the accounts are counted, not named`);
    const expected = shard === null ? list.count - (index.changedOrg?.missing.length ?? 0) : null;
    if (expected !== null && collected.length !== expected) failures.push(`${collected.length} accounts, but the list it was cut from has ${expected}`);
    return { failures, notes };
  }
  const ids = [...list.ids];
  const changed = index.changedOrg;
  if (shard !== null || changed === null) {
    const expected = shard === null ? ids : shardSlice(ids.map((id) => ({ id })), shard).map((entry) => entry.id);
    const { missing, extra } = difference(expected, collected);
    const what = shard === null ? `the list of ${list.count} accounts it was cut from` : `shard ${shard.index}/${shard.count} of the list of ${list.count} accounts`;
    if (missing.length > 0) failures.push(`missing from ${what}: ${listed(missing)}`);
    if (extra.length > 0) failures.push(`not in ${what}: ${listed(extra)}`);
    return { failures, notes };
  }
  const { missing, extra } = difference(ids, collected);
  if (extra.length > 0) failures.push(`not in the merged list of ${list.count} accounts: ${listed(extra)}`);
  const unrecorded = difference(changed.missing, missing).extra;
  const notMissing = difference(missing, changed.missing).extra;
  if (unrecorded.length > 0) failures.push(`missing but not recorded as missing: ${listed(unrecorded)}`);
  if (notMissing.length > 0) failures.push(`recorded as missing but present: ${listed(notMissing)}`);
  const extraAbsent = difference(collected, changed.extra).extra;
  if (extraAbsent.length > 0) failures.push(`recorded as extra but not present: ${listed(extraAbsent)}`);
  notes.push(
    `merged with --allow-changed-org from shards cut from different lists: missing (collected by no shard) ${listed(changed.missing)}; extra (not listed by every shard) ${listed(changed.extra)}; collected twice ${listed(changed.duplicates)}`,
  );
  return { failures, notes };
}
