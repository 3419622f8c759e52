/**
 * `review collect CAMPAIGN FILES...`: reads returned workbooks (XLSX or CSV, in any order, as often
 * as answers come in) and records their decisions in decisions.json. A row is refused, with one
 * line naming the file and row, when it does not belong to the campaign, a fact was edited, the
 * decision is not keep / revoke / reduce, someone reviewed their own identity, someone other than
 * the assigned reviewer decided, revoke or reduce has no justification, or it contradicts another
 * decision for the same identity. A file with a refused row records nothing (its reviewer fixes and
 * returns it); the other files are recorded. Collecting the same file again changes nothing.
 */
import { basename } from 'node:path';
import { REVIEW_DECISIONS, type Campaign, type CampaignIdentity, type RecordedDecision, type ReviewDecision } from '../../config/review-files.js';
import { neutraliseFormula } from '../../render/csv-safety.js';
import { writeOutputs } from '../../util/files.js';
import { toIsoUtc } from '../../util/time.js';
import { escapeForTerminal } from '../../util/terminal-text.js';
import { peopleUsing } from './assign.js';
import { DECISIONS_FILE, readCampaign, readDecisions, renderDecisions } from './campaign-store.js';
import { readReturnedFile, type ReturnedRow } from './workbook.js';

export interface CollectOptions {
  readonly campaignDir: string;
  readonly files: readonly string[];
  readonly now: Date;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

export interface ReviewerProgress {
  readonly reviewer: string;
  readonly decided: number;
  readonly open: number;
  readonly overdue: number;
}

export interface CollectOutcome {
  /** One line per refused row: "file: row N: problem". */
  readonly refused: readonly string[];
  readonly recorded: number;
  readonly progress: readonly ReviewerProgress[];
}

interface Candidate {
  readonly identity: CampaignIdentity;
  readonly decision: ReviewDecision;
  readonly justification: string;
  readonly reviewer: string;
  readonly file: string;
  readonly row: number;
}

const isDecision = (value: string): value is ReviewDecision => (REVIEW_DECISIONS as readonly string[]).includes(value);

/** The reviewer a "Reviewed by" cell names (by id, mail address or name), or null. */
function reviewerNamed(campaign: Campaign, text: string): string | null {
  const wanted = text.trim().toLowerCase();
  if (wanted === '') return null;
  return campaign.reviewers.find((reviewer) => [reviewer.id, reviewer.email ?? '', reviewer.name].some((name) => name.toLowerCase() === wanted))?.id ?? null;
}

/** Why a row is refused, or its decision (null: the row is still open). */
function judgeRow(campaign: Campaign, byRowKey: ReadonlyMap<string, CampaignIdentity>, row: ReturnedRow): { problem: string } | { candidate: Candidate | null } {
  const identity = byRowKey.get(row.rowKey);
  if (identity === undefined) return { problem: `does not belong to campaign ${campaign.id} (row key "${row.rowKey}" is not one of its rows)` };
  for (const [index, column] of campaign.factColumns.entries()) {
    const frozen = identity.facts[index] ?? '';
    const cell = row.facts.get(column);
    if (cell === undefined) return { problem: `the fact column "${column}" is missing` };
    if (cell !== frozen && cell !== neutraliseFormula(frozen)) return { problem: `the fact "${column}" of ${identity.name} was edited ("${cell}"; the campaign froze "${frozen}")` };
  }
  if (row.decision === '') return { candidate: null };
  if (!isDecision(row.decision)) return { problem: `decision "${row.decision}" for ${identity.name} is not keep, revoke or reduce` };
  const self = peopleUsing(campaign.reviewers, identity).find((person) => reviewerNamed(campaign, row.reviewedBy) === person.id);
  if (self !== undefined) return { problem: `self-review: ${self.id} decided on their own identity ${identity.name} (assigned to ${identity.reviewer})` };
  const decidedBy = reviewerNamed(campaign, row.reviewedBy);
  if (row.reviewedBy === '') return { problem: `no "Reviewed by" for ${identity.name}; write the assigned reviewer's id (${identity.reviewer})` };
  if (decidedBy !== identity.reviewer) {
    return { problem: `decided by "${row.reviewedBy}", but ${identity.name} is assigned to ${identity.reviewer}; only the assigned reviewer decides` };
  }
  if (row.decision !== 'keep' && row.justification === '') return { problem: `"${row.decision}" for ${identity.name} needs a justification` };
  return { candidate: { identity, decision: row.decision, justification: row.justification, reviewer: decidedBy, file: basename(row.file), row: row.row } };
}

/** Decisions per reviewer: decided, open, and open after the due date (the end of that day, UTC). */
export function progressOf(campaign: Campaign, decided: ReadonlySet<string>, now: Date): ReviewerProgress[] {
  const overdue = campaign.dueDate !== null && now.getTime() > Date.parse(`${campaign.dueDate}T23:59:59Z`);
  return campaign.reviewers.flatMap((reviewer) => {
    const assigned = campaign.identities.filter((identity) => identity.reviewer === reviewer.id);
    if (assigned.length === 0) return [];
    const done = assigned.filter((identity) => decided.has(identity.key)).length;
    const open = assigned.length - done;
    return [{ reviewer: reviewer.id, decided: done, open, overdue: overdue ? open : 0 }];
  });
}

export function progressLines(campaign: Campaign, progress: readonly ReviewerProgress[]): string {
  const lines = [`Progress of ${campaign.id}${campaign.dueDate === null ? '' : ` (due ${campaign.dueDate})`}:`];
  for (const item of progress) lines.push(`  ${item.reviewer}: ${item.decided} decided, ${item.open} open, ${item.overdue} overdue`);
  const total = progress.reduce((sum, item) => sum + item.decided, 0);
  lines.push(`  all: ${total} of ${campaign.identities.length} decided`);
  return `${lines.map(escapeForTerminal).join('\n')}\n`;
}

/** The rows of every file, judged; the files with a refused row are set aside whole. */
async function judgeFiles(campaign: Campaign, files: readonly string[]): Promise<{ refused: string[]; candidates: Candidate[]; refusedFiles: Set<string> }> {
  const byRowKey = new Map(campaign.identities.map((identity) => [identity.rowKey, identity]));
  const refused: string[] = [];
  const refusedFiles = new Set<string>();
  const candidates: Candidate[] = [];
  for (const path of files) {
    const { rows, campaignId } = await readReturnedFile(path, campaign.factColumns);
    if (campaignId !== null && campaignId !== campaign.id) {
      refused.push(`${path}: the workbook belongs to campaign ${campaignId}, not ${campaign.id}`);
      refusedFiles.add(basename(path));
      continue;
    }
    for (const row of rows) {
      const verdict = judgeRow(campaign, byRowKey, row);
      if ('problem' in verdict) {
        refused.push(`${path}: row ${row.row}: ${verdict.problem}`);
        refusedFiles.add(basename(row.file));
      } else if (verdict.candidate !== null) {
        candidates.push(verdict.candidate);
      }
    }
  }
  return { refused, candidates, refusedFiles };
}

export async function runCollect(options: CollectOptions): Promise<CollectOutcome> {
  const campaign = await readCampaign(options.campaignDir);
  const existing = await readDecisions(options.campaignDir, campaign);
  const { refused, candidates, refusedFiles } = await judgeFiles(campaign, options.files);
  const recorded = new Map<string, RecordedDecision>(existing.decisions.map((decision) => [decision.key, decision]));
  // Two different decisions for one identity: refused wherever they meet (already recorded, or in this run).
  const byKey = new Map<string, Candidate[]>();
  for (const candidate of candidates) byKey.set(candidate.identity.key, [...(byKey.get(candidate.identity.key) ?? []), candidate]);
  for (const [key, list] of byKey) {
    const before = recorded.get(key);
    const decisions = new Set([...list.map((item) => item.decision), ...(before === undefined ? [] : [before.decision])]);
    if (decisions.size < 2) continue;
    for (const item of list) {
      const other = before !== undefined && before.decision !== item.decision ? `${before.file} row ${before.row} (recorded)` : list.filter((candidate) => candidate.decision !== item.decision).map((candidate) => `${candidate.file} row ${candidate.row}`).join(', ');
      refused.push(`${item.file}: row ${item.row}: two different decisions for ${item.identity.name}: "${item.decision}" here, "${[...decisions].find((decision) => decision !== item.decision) ?? ''}" in ${other}`);
      refusedFiles.add(item.file);
    }
  }
  let added = 0;
  const recordedAt = toIsoUtc(options.now);
  for (const candidate of candidates) {
    if (refusedFiles.has(candidate.file) || recorded.has(candidate.identity.key)) continue;
    recorded.set(candidate.identity.key, { key: candidate.identity.key, decision: candidate.decision, justification: candidate.justification, reviewer: candidate.reviewer, recordedAt, file: candidate.file, row: candidate.row });
    added += 1;
  }
  if (added > 0) {
    const order = new Map(campaign.identities.map((identity, index) => [identity.key, index]));
    const decisions = [...recorded.values()].sort((left, right) => (order.get(left.key) ?? 0) - (order.get(right.key) ?? 0));
    await writeOutputs(options.campaignDir, [{ fileName: DECISIONS_FILE, content: renderDecisions({ kind: 'iam-audit-access-review-decisions', campaignId: campaign.id, decisions }) }], true);
  }
  for (const line of refused) options.stderr.write(`refused: ${escapeForTerminal(line)}\n`);
  if (refusedFiles.size > 0) options.stderr.write(`not recorded (fix the rows above and collect the file again): ${escapeForTerminal([...refusedFiles].join(', '))}\n`);
  const progress = progressOf(campaign, new Set(recorded.keys()), options.now);
  options.stdout.write(`${added} new decision(s) recorded from ${options.files.length - refusedFiles.size} file(s).\n`);
  options.stdout.write(progressLines(campaign, progress));
  return { refused, recorded: added, progress };
}
