/**
 * The organisation index: what one `collect --org` run (or one shard of it) produced. One entry
 * per account with its status, its snapshot (path relative to the index's folder, SHA-256, size)
 * and why it is partial or failed; the accounts skipped because they are not active. `report`
 * reads it to build the organisation report, `verify` checks it against the snapshots, and
 * `merge-index` joins the indexes of the shards of one run.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { InputError } from '../util/errors.js';

export const ORG_INDEX_KIND = 'iam-audit-org-index';
/** Version 2 (issue 24) adds `accountList` and `changedOrg`; version 1 indexes are still read (both null). */
export const ORG_INDEX_VERSION = 2;
/** Up to this many ids, an index records the account list itself; beyond it, only its count and SHA-256. */
export const ACCOUNT_LIST_IDS_LIMIT = 10_000;

export type OrgAccountStatus = 'complete' | 'partial' | 'failed';

export interface OrgIndexAccount {
  readonly id: string;
  readonly name: string;
  readonly status: OrgAccountStatus;
  /** The snapshot, relative to the index's folder, '/'-separated; null when none was written. */
  readonly snapshot: string | null;
  readonly sha256: string | null;
  readonly size: number | null;
  readonly capturedAt: string | null;
  readonly users: number | null;
  /** Why the account is partial or failed, one line each (the snapshot holds every collection error). */
  readonly errors: readonly string[];
  readonly startedAt: string;
  readonly endedAt: string;
}

export interface OrgIndexSkipped {
  readonly id: string;
  readonly name: string;
  /** The Organizations account state (SUSPENDED, PENDING_CLOSURE, CLOSED). */
  readonly state: string;
}

export interface OrgShard {
  readonly index: number;
  readonly count: number;
}

/**
 * The sorted active account ids of the selection that the run (or each shard) was cut from: their
 * count, the SHA-256 of the ids each followed by a line feed, and the ids (null over ACCOUNT_LIST_IDS_LIMIT).
 */
export interface OrgAccountList {
  readonly count: number;
  readonly sha256: string;
  readonly ids: readonly string[] | null;
}

/**
 * What `merge-index --allow-changed-org` recorded when the shards were cut from different lists.
 * `accountList` of such a merged index is the union of the shards' lists.
 */
export interface OrgChangedOrg {
  /** Each shard's list: which shard, how many ids, their SHA-256. */
  readonly lists: readonly { readonly shard: number; readonly count: number; readonly sha256: string }[];
  /** Listed by at least one shard, collected by none: not in this index. */
  readonly missing: readonly string[];
  /** Collected, but not listed by every shard (added or removed between the shard runs). */
  readonly extra: readonly string[];
  /** Collected by more than one shard; the entry that ended last is kept. */
  readonly duplicates: readonly string[];
}

export interface OrgIndex {
  readonly kind: typeof ORG_INDEX_KIND;
  /** 1 for indexes written before issue 24 (read back with accountList and changedOrg null). */
  readonly indexVersion: 1 | typeof ORG_INDEX_VERSION;
  readonly tool: { readonly name: string; readonly version: string };
  readonly organizationId: string;
  readonly managementAccountId: string;
  readonly startedAt: string;
  readonly endedAt: string;
  readonly selection: {
    /** --ou, or null for the whole organisation. */
    readonly ou: string | null;
    /** --accounts, or null. */
    readonly accounts: readonly string[] | null;
    readonly roleName: string;
    /** The shard this index covers; null for a whole run (or a merged one). */
    readonly shard: OrgShard | null;
  };
  /** The list the run or shard was cut from; null only in a version 1 index (or a folder of snapshots). */
  readonly accountList: OrgAccountList | null;
  /** Set only by `merge-index --allow-changed-org` when the shards' lists differ. */
  readonly changedOrg: OrgChangedOrg | null;
  /** Accounts of the selection that were not collected because they are not active. */
  readonly skipped: readonly OrgIndexSkipped[];
  readonly accounts: readonly OrgIndexAccount[];
}

/** The SHA-256 of sorted account ids, each followed by a line feed. */
export function accountListSha256(sortedIds: readonly string[]): string {
  return createHash('sha256')
    .update(sortedIds.map((id) => `${id}\n`).join(''), 'utf8')
    .digest('hex');
}

/** The account list record of these ids (sorted and deduplicated here). */
export function accountListOf(ids: readonly string[]): OrgAccountList {
  const sorted = [...new Set(ids)].sort();
  return { count: sorted.length, sha256: accountListSha256(sorted), ids: sorted.length <= ACCOUNT_LIST_IDS_LIMIT ? sorted : null };
}

/** What is wrong with a recorded list (ids unsorted, repeated, or not matching the count or SHA-256); null when it holds. */
export function accountListProblem(list: OrgAccountList): string | null {
  if (list.ids === null) return null;
  const sorted = [...new Set(list.ids)].sort();
  if (sorted.length !== list.ids.length || sorted.some((id, position) => id !== list.ids?.[position])) return 'the ids are not sorted and unique';
  if (list.count !== list.ids.length) return `count ${list.count} but ${list.ids.length} ids`;
  const sha256 = accountListSha256(sorted);
  return sha256 === list.sha256 ? null : `SHA-256 ${list.sha256} but the ids hash to ${sha256}`;
}

/** The file name of an index: org-index.json, or org-index-shard-<I>-of-<N>.json for a shard. */
export function orgIndexFileName(shard: OrgShard | null): string {
  return shard === null ? 'org-index.json' : `org-index-shard-${shard.index}-of-${shard.count}.json`;
}

export function renderOrgIndex(index: OrgIndex): string {
  return `${JSON.stringify(index, null, 2)}\n`;
}

/** True when the file's first bytes say it is an organisation index (not a snapshot). */
export function looksLikeOrgIndex(head: string): boolean {
  return /^\s*\{\s*"kind"\s*:\s*"iam-audit-org-index"/.test(head);
}

const isString = (value: unknown): value is string => typeof value === 'string';
const isStringOrNull = (value: unknown): boolean => value === null || typeof value === 'string';

/** Parses and checks an index; every problem names the file and the field. */
export function parseOrgIndex(text: string, path: string): OrgIndex {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new InputError(path, null, `not valid JSON (${(error as Error).message}); expected an iam-audit organisation index`);
  }
  const index = document as Partial<OrgIndex> | null;
  if (typeof index !== 'object' || index === null || index.kind !== ORG_INDEX_KIND) throw new InputError(path, null, `not an iam-audit organisation index (no "kind": "${ORG_INDEX_KIND}")`);
  if (index.indexVersion !== 1 && index.indexVersion !== ORG_INDEX_VERSION) {
    throw new InputError(path, 'indexVersion', `unsupported version ${String(index.indexVersion)}; this iam-audit reads versions 1 to ${ORG_INDEX_VERSION}`);
  }
  for (const field of ['organizationId', 'managementAccountId', 'startedAt', 'endedAt'] as const) {
    if (!isString(index[field])) throw new InputError(path, field, 'missing or not a string');
  }
  if (typeof index.selection !== 'object' || index.selection === null || !isString(index.selection.roleName)) throw new InputError(path, 'selection', 'missing or incomplete');
  if (!Array.isArray(index.skipped)) throw new InputError(path, 'skipped', 'missing or not a list');
  if (!Array.isArray(index.accounts)) throw new InputError(path, 'accounts', 'missing or not a list');
  index.accounts.forEach((account: Partial<OrgIndexAccount>, position) => {
    const where = `accounts[${position}]`;
    if (!isString(account.id) || !/^\d{12}$/.test(account.id)) throw new InputError(path, `${where}.id`, 'not a 12-digit account id');
    if (account.status !== 'complete' && account.status !== 'partial' && account.status !== 'failed') throw new InputError(path, `${where}.status`, 'must be complete, partial or failed');
    if (!isStringOrNull(account.snapshot) || !isStringOrNull(account.sha256)) throw new InputError(path, `${where}.snapshot`, 'snapshot and sha256 must be strings or null');
    if (account.snapshot !== null && account.snapshot !== undefined && (account.snapshot.includes('..') || account.snapshot.startsWith('/'))) {
      throw new InputError(path, `${where}.snapshot`, 'must be a path inside the index folder');
    }
    if (!Array.isArray(account.errors)) throw new InputError(path, `${where}.errors`, 'missing or not a list');
  });
  if (index.indexVersion === 1) return { ...(index as OrgIndex), accountList: null, changedOrg: null };
  checkAccountList(index.accountList, path);
  checkChangedOrg(index.changedOrg, path);
  return index as OrgIndex;
}

const isAccountId = (value: unknown): boolean => typeof value === 'string' && /^\d{12}$/.test(value);
const isIdList = (value: unknown): boolean => Array.isArray(value) && value.every(isAccountId);

function checkAccountList(list: unknown, path: string): void {
  const candidate = list as Partial<OrgAccountList> | null | undefined;
  if (typeof candidate !== 'object' || candidate === null) throw new InputError(path, 'accountList', 'missing or not an object (version 2 indexes record the account list they were cut from)');
  if (!Number.isInteger(candidate.count) || (candidate.count ?? -1) < 0) throw new InputError(path, 'accountList.count', 'not a whole number');
  if (typeof candidate.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(candidate.sha256)) throw new InputError(path, 'accountList.sha256', 'not a SHA-256 in hex');
  if (candidate.ids !== null && !isIdList(candidate.ids)) throw new InputError(path, 'accountList.ids', 'neither null nor a list of 12-digit account ids');
}

function checkChangedOrg(changed: unknown, path: string): void {
  if (changed === null) return;
  const candidate = changed as Partial<OrgChangedOrg> | undefined;
  if (typeof candidate !== 'object') throw new InputError(path, 'changedOrg', 'missing (null when the shards agreed) or not an object');
  for (const field of ['missing', 'extra', 'duplicates'] as const) {
    if (!isIdList(candidate[field])) throw new InputError(path, `changedOrg.${field}`, 'not a list of 12-digit account ids');
  }
  if (!Array.isArray(candidate.lists)) throw new InputError(path, 'changedOrg.lists', 'not a list');
}

export async function readOrgIndex(path: string): Promise<OrgIndex> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(path, null, code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not an index file' : `cannot read (${code ?? 'error'})`);
  }
  return parseOrgIndex(text, path);
}
