/**
 * `review start`: freezes the population of a snapshot (or of every account of an organisation
 * index), assigns each identity a reviewer, and writes the campaign folder: campaign.json, the
 * snapshots' copies and one workbook per reviewer (XLSX and CSV). An incomplete population is
 * refused (exit 3, naming what is missing) unless --allow-incomplete; nothing is written then.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Campaign, CampaignAccount, CampaignIdentity, ReviewersFile, ReviewScope } from '../../config/review-files.js';
import { readOrgIndex, looksLikeOrgIndex } from '../../snapshot/org-index.js';
import { readSnapshot, type LoadedSnapshot } from '../../snapshot/io.js';
import { ExitCode, InputError, UserError } from '../../util/errors.js';
import { sha256Hex, writeOutputs, type OutputFile } from '../../util/files.js';
import { packageInfo } from '../../util/paths.js';
import { toIsoUtc } from '../../util/time.js';
import { escapeForTerminal } from '../../util/terminal-text.js';
import { assignReviewer } from './assign.js';
import { CAMPAIGN_FILE, SNAPSHOT_FOLDER, WORKBOOK_FOLDER } from './campaign-store.js';
import { accountPopulation, FACT_COLUMNS, type PopulationMember } from './population.js';
import { reviewerCsv, reviewerWorkbook } from './workbook.js';

export interface StartOptions {
  readonly inputPath: string;
  readonly reviewers: ReviewersFile;
  readonly dueDate: string | null;
  /** --scope; null for every scope the source carries. */
  readonly scope: readonly ReviewScope[] | null;
  readonly outDir: string;
  readonly allowIncomplete: boolean;
  readonly now: Date;
  readonly stdout: { write(text: string): unknown };
}

export interface StartOutcome {
  readonly campaign: Campaign;
  readonly written: readonly string[];
  /** Workbook files per reviewer id (paths written), for --mail. */
  readonly workbooks: ReadonlyMap<string, readonly string[]>;
}

interface LoadedAccount {
  readonly loaded: LoadedSnapshot;
  readonly name: string | null;
  readonly copyName: string;
}

interface LoadedInput {
  readonly kind: 'snapshot' | 'org-index';
  readonly bytes: Buffer;
  readonly file: string;
  readonly accounts: LoadedAccount[];
  /** Accounts of an organisation index without a usable snapshot, one line each. */
  readonly missing: string[];
}

async function loadInput(path: string): Promise<LoadedInput> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(path, null, code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder; give a snapshot or an org-index.json' : `cannot be read (${code ?? 'error'})`);
  }
  if (!looksLikeOrgIndex(bytes.subarray(0, 256).toString('utf8'))) {
    const loaded = await readSnapshot(path);
    return { kind: 'snapshot', bytes, file: basename(path), accounts: [{ loaded, name: null, copyName: basename(path) }], missing: [] };
  }
  const index = await readOrgIndex(path);
  const accounts: LoadedAccount[] = [];
  const missing: string[] = [];
  for (const account of index.accounts) {
    const label = `account ${account.id} (${account.name})`;
    if (account.snapshot === null) {
      missing.push(`${label}: ${account.status}, no snapshot${account.errors.length === 0 ? '' : `: ${account.errors.join('; ')}`}`);
      continue;
    }
    const loaded = await readSnapshot(join(dirname(path), account.snapshot));
    if (account.sha256 !== null && loaded.sha256 !== account.sha256) throw new InputError(loaded.path, null, `SHA-256 ${loaded.sha256}, but ${path} names ${account.sha256}`);
    if (account.status !== 'complete') missing.push(`${label}: the collection was ${account.status}${account.errors.length === 0 ? '' : `: ${account.errors.join('; ')}`}`);
    accounts.push({ loaded, name: account.name, copyName: `${account.id}-${basename(account.snapshot)}` });
  }
  for (const id of index.changedOrg?.missing ?? []) missing.push(`account ${id}: listed in the organisation but collected by no shard`);
  if (accounts.length === 0) throw new UserError(`${path}: no account of the organisation index has a snapshot; nothing to review`, ExitCode.partial);
  return { kind: 'org-index', bytes, file: basename(path), accounts, missing };
}

/** SHA-256 of the population: every identity's key and facts, in order. */
export function populationSha256(members: readonly Pick<CampaignIdentity, 'key' | 'facts'>[]): string {
  return sha256Hex(JSON.stringify(members.map((member) => [member.key, member.facts])));
}

function rowKeyOf(secret: string, campaignId: string, member: PopulationMember): string {
  return createHmac('sha256', Buffer.from(secret, 'hex')).update(JSON.stringify([campaignId, member.key, member.facts])).digest('hex').slice(0, 32);
}

function buildCampaign(options: StartOptions, input: LoadedInput, members: readonly PopulationMember[], accounts: CampaignAccount[], incomplete: string[], credentialFactsOnly: boolean): Campaign {
  const createdAt = toIsoUtc(options.now);
  const population = populationSha256(members);
  const secret = randomBytes(32).toString('hex');
  const id = `AR-${createdAt.slice(0, 10).replace(/-/g, '')}-${createHash('sha256').update(`${population}${createdAt}${secret}`).digest('hex').slice(0, 8)}`;
  const tool = packageInfo();
  const identities: CampaignIdentity[] = members.map((member) => {
    const assignment = assignReviewer(options.reviewers, member);
    return {
      key: member.key,
      rowKey: rowKeyOf(secret, id, member),
      accountId: member.accountId,
      type: member.type,
      name: member.name,
      arn: member.arn,
      facts: member.facts,
      access: member.access,
      reviewer: assignment.reviewer,
      reassignment: assignment.reassignment,
    };
  });
  return {
    kind: 'iam-audit-access-review',
    campaignVersion: 1,
    id,
    createdAt,
    dueDate: options.dueDate,
    tool: { name: tool.name, version: tool.version },
    // The scopes actually reviewed: a credential report carries only users and root.
    scope: [...new Set(accounts.flatMap((account) => account.populations.map((population) => population.scope)))],
    input: { kind: input.kind, file: input.file, sha256: sha256Hex(input.bytes) },
    accounts,
    credentialFactsOnly,
    incomplete,
    population: { count: identities.length, sha256: population },
    secret,
    reviewers: options.reviewers.reviewers,
    fallback: options.reviewers.fallback,
    factColumns: [...FACT_COLUMNS],
    identities,
  };
}

async function campaignFiles(campaign: Campaign, input: LoadedInput): Promise<OutputFile[]> {
  const files: OutputFile[] = [{ fileName: CAMPAIGN_FILE, content: `${JSON.stringify(campaign, null, 2)}\n` }];
  if (input.kind === 'org-index') files.push({ fileName: join(SNAPSHOT_FOLDER, input.file), content: input.bytes });
  for (const account of input.accounts) files.push({ fileName: join(SNAPSHOT_FOLDER, account.copyName), content: account.loaded.bytes });
  for (const reviewer of campaign.reviewers) {
    const identities = campaign.identities.filter((identity) => identity.reviewer === reviewer.id);
    if (identities.length === 0) continue;
    files.push({ fileName: join(WORKBOOK_FOLDER, `${reviewer.id}.xlsx`), content: await reviewerWorkbook(campaign, reviewer, identities) });
    files.push({ fileName: join(WORKBOOK_FOLDER, `${reviewer.id}.csv`), content: reviewerCsv(campaign, identities) });
  }
  return files;
}

function summary(campaign: Campaign): string {
  const lines = [`Access review ${campaign.id}: ${campaign.population.count} identities in ${campaign.accounts.length} account(s), population SHA-256 ${campaign.population.sha256}`];
  if (campaign.credentialFactsOnly) lines.push('From a credential report: only the credential facts (console, MFA, keys, last use) are reviewed; groups, policies and roles are not in it.');
  if (campaign.incomplete.length > 0) lines.push(`ALLOW-INCOMPLETE: the population is incomplete (printed on every page of the evidence):`, ...campaign.incomplete.map((line) => `  - ${line}`));
  for (const reviewer of campaign.reviewers) {
    const count = campaign.identities.filter((identity) => identity.reviewer === reviewer.id).length;
    if (count > 0) lines.push(`  ${reviewer.id} (${reviewer.name}): ${count} to review`);
  }
  for (const identity of campaign.identities) {
    if (identity.reassignment !== null) lines.push(`  segregation of duties: ${identity.key} goes to ${identity.reviewer}, not ${identity.reassignment.from} (${identity.reassignment.reason})`);
  }
  return `${lines.map(escapeForTerminal).join('\n')}\n`;
}

export async function runStart(options: StartOptions): Promise<StartOutcome> {
  if (options.dueDate !== null && (!/^\d{4}-\d{2}-\d{2}$/.test(options.dueDate) || Number.isNaN(Date.parse(`${options.dueDate}T00:00:00Z`)))) {
    throw new UserError(`--due "${options.dueDate}" is not a date (YYYY-MM-DD)`);
  }
  if (options.dueDate !== null && options.dueDate < toIsoUtc(options.now).slice(0, 10)) {
    throw new UserError(`--due ${options.dueDate} is before the campaign starts (${toIsoUtc(options.now).slice(0, 10)}); give a date to come`);
  }
  const input = await loadInput(options.inputPath);
  const scope = options.scope ?? ['users', 'root', 'roles', 'groups'];
  const members: PopulationMember[] = [];
  const accounts: CampaignAccount[] = [];
  const incomplete = [...input.missing];
  let credentialFactsOnly = false;
  for (const account of input.accounts) {
    const population = accountPopulation(account.loaded.snapshot, scope, options.scope !== null);
    members.push(...population.members);
    incomplete.push(...population.missing);
    credentialFactsOnly ||= population.credentialFactsOnly;
    const { snapshot } = account.loaded;
    accounts.push({ id: snapshot.account.id, name: account.name, snapshot: `${SNAPSHOT_FOLDER}/${account.copyName}`, sha256: account.loaded.sha256, capturedAt: snapshot.capturedAt, source: snapshot.source, populations: population.populations });
  }
  if (incomplete.length > 0 && !options.allowIncomplete) {
    throw new UserError(`${options.inputPath}: the population is incomplete, so no review can show it whole (use --allow-incomplete to review it anyway, printed on every page): ${incomplete.join('; ')}`, ExitCode.partial);
  }
  const campaign = buildCampaign(options, input, members, accounts, options.allowIncomplete ? incomplete : [], credentialFactsOnly);
  const files = await campaignFiles(campaign, input);
  // Never replaces a campaign: its row keys are in reviewers' hands.
  const written = await writeOutputs(options.outDir, files, false);
  options.stdout.write(summary(campaign));
  options.stdout.write(`Campaign written to ${escapeForTerminal(options.outDir)}: ${CAMPAIGN_FILE} and ${files.filter((file) => file.fileName.startsWith(WORKBOOK_FOLDER)).length} workbook file(s) in ${WORKBOOK_FOLDER}/\n`);
  const workbooks = new Map<string, string[]>();
  for (const reviewer of campaign.reviewers) {
    const paths = written.filter((path) => basename(dirname(path)) === WORKBOOK_FOLDER && (basename(path) === `${reviewer.id}.xlsx` || basename(path) === `${reviewer.id}.csv`));
    if (paths.length > 0) workbooks.set(reviewer.id, paths);
  }
  return { campaign, written, workbooks };
}
