/**
 * `verify org-index.json`: the index holds exactly the accounts of the list it was cut from (its
 * slice for a shard; the accounts recorded as missing by `merge-index --allow-changed-org` aside),
 * none twice; every snapshot the index names is there, byte for byte (size and SHA-256), and each
 * failed account is said to have none. The index itself is covered by the
 * organisation report's manifest (and its signature); this checks what it points to.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describeFsError } from '../snapshot/io.js';
import { indexCoverage } from '../snapshot/org-index-coverage.js';
import { readOrgIndex } from '../snapshot/org-index.js';
import { sha256Hex } from '../util/files.js';
import type { Verdict } from './verdict.js';

export async function verifyOrgIndex(path: string): Promise<Verdict[]> {
  const index = await readOrgIndex(path);
  const folder = dirname(path);
  const verdicts: Verdict[] = [
    { ok: true, check: 'index', detail: `organisation ${index.organizationId}, ${index.accounts.length} accounts, ${index.skipped.length} skipped${index.selection.shard === null ? '' : `, shard ${index.selection.shard.index}/${index.selection.shard.count}`}` },
  ];
  const coverage = indexCoverage(index);
  const list = index.accountList;
  const listed = list === null ? 'the account list it was cut from' : `the list of ${list.count} accounts it was cut from (SHA-256 ${list.sha256})`;
  for (const failure of coverage.failures) verdicts.push({ ok: false, check: 'accounts', detail: failure });
  if (coverage.failures.length === 0 && list !== null) verdicts.push({ ok: true, check: 'accounts', detail: `each account once, as ${listed} says` });
  for (const note of coverage.notes) verdicts.push({ ok: null, check: 'accounts', detail: note });
  for (const account of index.accounts) {
    if (account.snapshot === null || account.sha256 === null) {
      verdicts.push({ ok: account.status === 'failed', check: account.id, detail: account.status === 'failed' ? `failed, no snapshot: ${account.errors[0] ?? ''}` : `${account.status} but no snapshot or SHA-256 recorded` });
      continue;
    }
    let bytes: Buffer;
    try {
      bytes = await readFile(join(folder, account.snapshot));
    } catch (error) {
      verdicts.push({ ok: false, check: `${account.id} ${account.snapshot}`, detail: describeFsError(error) });
      continue;
    }
    const sha256 = sha256Hex(bytes);
    const ok = sha256 === account.sha256 && (account.size === null || bytes.length === account.size);
    verdicts.push({
      ok,
      check: `${account.id} ${account.snapshot}`,
      detail: ok ? `${bytes.length} bytes, SHA-256 matches the index` : `changed: ${bytes.length} bytes, SHA-256 ${sha256}; the index says ${account.size ?? '?'} bytes, ${account.sha256}`,
    });
  }
  return verdicts;
}
