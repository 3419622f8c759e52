/**
 * The campaign folder: campaign.json (frozen by review start), decisions.json (what review collect
 * recorded), the snapshots' copies, the workbooks and the evidence. Reading checks each file (the
 * schema validators live in config/review-files.ts) and that the snapshots are still the bytes the
 * campaign names.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCampaign, parseDecisions, parseReviewersFile, type Campaign, type DecisionsFile, type ReviewersFile } from '../../config/review-files.js';
import { readSnapshot, type LoadedSnapshot } from '../../snapshot/io.js';
import { InputError } from '../../util/errors.js';
import { sha256Hex } from '../../util/files.js';

export const CAMPAIGN_FILE = 'campaign.json';
export const DECISIONS_FILE = 'decisions.json';
export const WORKBOOK_FOLDER = 'workbooks';
export const SNAPSHOT_FOLDER = 'snapshots';

async function readText(path: string, what: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw new InputError(path, null, `cannot read the ${what} (${code ?? 'error'})`);
  }
}

export async function readCampaign(folder: string): Promise<Campaign> {
  const path = join(folder, CAMPAIGN_FILE);
  const text = await readText(path, 'campaign');
  if (text === null) throw new InputError(folder, null, `no ${CAMPAIGN_FILE}: not a campaign folder written by review start`);
  return parseCampaign(text, path);
}

export async function readDecisions(folder: string, campaign: Campaign): Promise<DecisionsFile> {
  const path = join(folder, DECISIONS_FILE);
  const text = await readText(path, 'decisions');
  if (text === null) return { kind: 'iam-audit-access-review-decisions', campaignId: campaign.id, decisions: [] };
  return parseDecisions(text, path, campaign.id);
}

export function renderDecisions(decisions: DecisionsFile): string {
  return `${JSON.stringify(decisions, null, 2)}\n`;
}

/** Each account's snapshot copy, read and checked against the SHA-256 the campaign froze. */
export async function campaignSnapshots(folder: string, campaign: Campaign): Promise<LoadedSnapshot[]> {
  const loaded: LoadedSnapshot[] = [];
  for (const account of campaign.accounts) {
    const snapshot = await readSnapshot(join(folder, account.snapshot));
    if (snapshot.sha256 !== account.sha256) throw new InputError(join(folder, account.snapshot), null, `changed since review start: SHA-256 ${snapshot.sha256}, the campaign froze ${account.sha256}`);
    loaded.push(snapshot);
  }
  return loaded;
}

/** The input file's copy (the organisation index of an organisation-wide campaign), checked. */
export async function campaignInputCopy(folder: string, campaign: Campaign): Promise<Buffer> {
  const path = join(folder, SNAPSHOT_FOLDER, campaign.input.file);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    throw new InputError(path, null, 'missing: review start copied the input here');
  }
  if (sha256Hex(bytes) !== campaign.input.sha256) throw new InputError(path, null, `changed since review start (the campaign froze SHA-256 ${campaign.input.sha256})`);
  return bytes;
}

/** The reviewers file (review start --reviewers), read and checked. */
export async function readReviewersFile(path: string): Promise<ReviewersFile> {
  const text = await readText(path, 'reviewers file');
  if (text === null) throw new InputError(path, null, 'no such file');
  return parseReviewersFile(text, path);
}
