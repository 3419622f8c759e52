/**
 * `verify org-index.json`: every snapshot the index names is there, byte for byte (size and
 * SHA-256), and each failed account is said to have none. The index itself is covered by the
 * organisation report's manifest (and its signature); this checks what it points to.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describeFsError } from '../snapshot/io.js';
import { readOrgIndex } from '../snapshot/org-index.js';
import { sha256Hex } from '../util/files.js';
import type { Verdict } from './verdict.js';

export async function verifyOrgIndex(path: string): Promise<Verdict[]> {
  const index = await readOrgIndex(path);
  const folder = dirname(path);
  const verdicts: Verdict[] = [
    { ok: true, check: 'index', detail: `organisation ${index.organizationId}, ${index.accounts.length} accounts, ${index.skipped.length} skipped${index.selection.shard === null ? '' : `, shard ${index.selection.shard.index}/${index.selection.shard.count}`}` },
  ];
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
