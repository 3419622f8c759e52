/**
 * The organisation index: what one `collect --org` run (or one shard of it) produced. One entry
 * per account with its status, its snapshot (path relative to the index's folder, SHA-256, size)
 * and why it is partial or failed; the accounts skipped because they are not active. `report`
 * reads it to build the organisation report, `verify` checks it against the snapshots, and
 * `merge-index` joins the indexes of the shards of one run.
 */
import { readFile } from 'node:fs/promises';
import { InputError } from '../util/errors.js';

export const ORG_INDEX_KIND = 'iam-audit-org-index';
export const ORG_INDEX_VERSION = 1;

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

export interface OrgIndex {
  readonly kind: typeof ORG_INDEX_KIND;
  readonly indexVersion: typeof ORG_INDEX_VERSION;
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
  /** Accounts of the selection that were not collected because they are not active. */
  readonly skipped: readonly OrgIndexSkipped[];
  readonly accounts: readonly OrgIndexAccount[];
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
  if (index.indexVersion !== ORG_INDEX_VERSION) throw new InputError(path, 'indexVersion', `unsupported version ${String(index.indexVersion)}; this iam-audit reads version ${ORG_INDEX_VERSION}`);
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
  return index as OrgIndex;
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

/**
 * Joins the indexes of the shards of one run into the index one unsharded run would have
 * written: accounts in account-id order, the earliest start and the latest end. Refuses indexes
 * of different organisations or shard counts, a shard given twice, and a missing shard.
 */
export function mergeOrgIndexes(indexes: readonly { readonly path: string; readonly index: OrgIndex }[]): OrgIndex {
  const first = indexes[0];
  if (first === undefined) throw new InputError('merge-index', null, 'no index given');
  const count = first.index.selection.shard?.count ?? null;
  const seen = new Map<number, string>();
  for (const { path, index } of indexes) {
    if (index.organizationId !== first.index.organizationId) {
      throw new InputError(path, 'organizationId', `${index.organizationId} is not the organisation of ${first.path} (${first.index.organizationId})`);
    }
    const shard = index.selection.shard;
    if (shard === null) throw new InputError(path, 'selection.shard', 'not a shard index (it already covers a whole run)');
    if (shard.count !== count) throw new InputError(path, 'selection.shard', `shard ${shard.index}/${shard.count} is not of the same ${count ?? '?'} shards as ${first.path}`);
    const twice = seen.get(shard.index);
    if (twice !== undefined) throw new InputError(path, 'selection.shard', `shard ${shard.index}/${shard.count} is also ${twice}`);
    seen.set(shard.index, path);
    if (JSON.stringify({ ...index.selection, shard: null }) !== JSON.stringify({ ...first.index.selection, shard: null })) {
      throw new InputError(path, 'selection', `collected with other options (--ou, --accounts or --role-name) than ${first.path}`);
    }
  }
  const missing = Array.from({ length: count ?? 0 }, (_, position) => position + 1).filter((shard) => !seen.has(shard));
  if (missing.length > 0) throw new InputError(first.path, 'selection.shard', `shard${missing.length === 1 ? '' : 's'} ${missing.join(', ')} of ${count ?? '?'} missing; give every shard's index`);
  const accounts = indexes.flatMap(({ index }) => index.accounts).sort((a, b) => a.id.localeCompare(b.id));
  const skipped = new Map<string, OrgIndexSkipped>();
  for (const { index } of indexes) for (const entry of index.skipped) skipped.set(entry.id, entry);
  const times = indexes.map(({ index }) => index);
  return {
    ...first.index,
    startedAt: times.map((index) => index.startedAt).sort()[0] ?? first.index.startedAt,
    endedAt: times.map((index) => index.endedAt).sort().at(-1) ?? first.index.endedAt,
    selection: { ...first.index.selection, shard: null },
    skipped: [...skipped.values()].sort((a, b) => a.id.localeCompare(b.id)),
    accounts,
  };
}
