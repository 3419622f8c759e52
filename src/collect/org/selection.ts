/**
 * Which accounts of the organisation to collect: --accounts (a file or a list), --shard I/N.
 * Every problem is a UserError (exit 2) raised before anything is called or written.
 */
import { readFile, stat } from 'node:fs/promises';
import { InputError, UserError } from '../../util/errors.js';
import type { OrgShard } from '../../snapshot/org-index.js';

export { shardSlice } from '../../snapshot/org-index-coverage.js';

const ACCOUNT_ID = /^\d{12}$/;

/** `--shard I/N`: the I-th (1-based) of N slices. */
export function parseShard(spec: string): OrgShard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(spec);
  if (match === null) throw new UserError(`--shard must be I/N (e.g. 2/5: the second of five slices), got "${spec}"`);
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || count > 10_000) throw new UserError(`--shard ${spec}: N must be from 1 to 10000`);
  if (index < 1 || index > count) throw new UserError(`--shard ${spec}: I must be from 1 to ${count} (shards are numbered from 1; a Kubernetes JOB_COMPLETION_INDEX from 0 needs +1)`);
  return { index, count };
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    // Not a file: the value is a list.
    return false;
  }
}

/**
 * `--accounts FILE|LIST`: an existing file holds account ids separated by lines, commas or spaces
 * (`#` starts a comment); anything else is such a list itself. Duplicates are dropped.
 */
export async function parseAccountList(value: string): Promise<string[]> {
  const fromFile = await isFile(value);
  let lines: string[];
  if (fromFile) {
    try {
      lines = (await readFile(value, 'utf8')).split(/\r?\n/);
    } catch (error) {
      throw new InputError(value, null, `cannot read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  } else {
    lines = [value];
  }
  const ids: string[] = [];
  lines.forEach((line, position) => {
    for (const item of line.replace(/#.*$/, '').split(/[\s,]+/)) {
      if (item === '') continue;
      if (!ACCOUNT_ID.test(item)) {
        if (fromFile) throw new InputError(value, `line ${position + 1}`, `"${item}" is not a 12-digit AWS account id`);
        throw new UserError(`--accounts: "${item}" is not a 12-digit AWS account id (nor an existing file)`);
      }
      ids.push(item);
    }
  });
  if (ids.length === 0) throw new UserError(fromFile ? `${value}: the account list is empty` : '--accounts: the account list is empty');
  return [...new Set(ids)];
}
