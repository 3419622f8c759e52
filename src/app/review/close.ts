/**
 * `review close CAMPAIGN`: the access-review evidence in the formats asked for (PDF, CSV, JSON),
 * in CAMPAIGN/evidence/ unless -d says otherwise. The PDF carries the snapshot (or organisation
 * index) the population came from, the account snapshots, campaign.json, decisions.json and the
 * evidence JSON and CSV as attachments, and is signed like the audit report (--sign-p12), with a
 * manifest, SHA256SUMS and the manifest's signature. Undecided identities need --allow-incomplete.
 */
import { basename, join } from 'node:path';
import type { Campaign, RecordedDecision } from '../../config/review-files.js';
import type { SigningSettings } from '../../evidence/report-evidence.js';
import type { LoadedSnapshot } from '../../snapshot/io.js';
import { parseOrgIndex } from '../../snapshot/org-index.js';
import { ExitCode, UserError } from '../../util/errors.js';
import { sha256Hex, writeOutputs, type OutputFile, type WrittenFile } from '../../util/files.js';
import { fileStamp, toIsoUtc } from '../../util/time.js';
import { escapeForTerminal } from '../../util/terminal-text.js';
import { CAMPAIGN_FILE, campaignInputCopy, campaignSnapshots, DECISIONS_FILE, readCampaign, readDecisions, renderDecisions } from './campaign-store.js';
import { evidenceDocument, evidenceOf, incompleteBanners, renderEvidenceCsv, renderEvidenceJson, type Reconciliation, type ReviewEvidence } from './evidence-model.js';
import { accountPopulation, type PopulationMember } from './population.js';
import { populationSha256 } from './start.js';

export const CLOSE_FORMATS = ['pdf', 'csv', 'json'] as const;
export type CloseFormat = (typeof CLOSE_FORMATS)[number];

export interface CloseOptions {
  readonly campaignDir: string;
  /** Where the evidence goes; CAMPAIGN/evidence when null. */
  readonly outDir: string | null;
  readonly formats: readonly CloseFormat[];
  readonly allowIncomplete: boolean;
  readonly overwrite: boolean;
  readonly signing?: SigningSettings;
  readonly pageSize: 'a4' | 'letter';
  readonly browserPath: string | null;
  readonly environment?: NodeJS.ProcessEnv;
  readonly now: Date;
  readonly stdout: { write(text: string): unknown };
}

export interface CloseOutcome {
  readonly evidence: ReviewEvidence;
  readonly written: readonly string[];
}

export function parseCloseFormats(text: string): CloseFormat[] {
  const formats = text.split(',').map((item) => item.trim().toLowerCase()).filter((item) => item !== '');
  for (const format of formats) if (!(CLOSE_FORMATS as readonly string[]).includes(format)) throw new UserError(`unknown format "${format}"; choose from ${CLOSE_FORMATS.join(', ')}`);
  if (formats.length === 0) throw new UserError(`--format needs at least one of ${CLOSE_FORMATS.join(', ')}`);
  return [...new Set(formats)] as CloseFormat[];
}

/** The population recomputed from the snapshots, and each list's count against the frozen one. */
function reconcile(campaign: Campaign, snapshots: readonly LoadedSnapshot[]): { sha256: string; items: Reconciliation[] } {
  const members: PopulationMember[] = [];
  const items: Reconciliation[] = [];
  for (const [index, account] of campaign.accounts.entries()) {
    const snapshot = snapshots[index]?.snapshot;
    if (snapshot === undefined) continue;
    const population = accountPopulation(snapshot, account.populations.map((item) => item.scope), true);
    members.push(...population.members);
    for (const frozen of account.populations) {
      const now = population.populations.find((item) => item.scope === frozen.scope);
      const inCampaign = campaign.identities.filter((identity) => identity.accountId === account.id && `${identity.type === 'root' ? 'root' : `${identity.type}s`}` === frozen.scope).length;
      items.push({ account: account.id, scope: frozen.scope, state: frozen.state, inSnapshot: now?.inSnapshot ?? 0, inPopulation: inCampaign, agrees: now?.inSnapshot === inCampaign && frozen.inPopulation === inCampaign });
    }
  }
  return { sha256: populationSha256(members), items };
}

interface EvidenceSources {
  readonly input: Buffer;
  readonly snapshots: readonly LoadedSnapshot[];
  readonly campaignText: Buffer;
  readonly decisionsText: Buffer;
}

async function printedEvidence(evidence: ReviewEvidence, options: CloseOptions): Promise<Uint8Array> {
  const [{ ReportTemplates }, { printDocument }] = await Promise.all([import('../../render/html.js'), import('../../render/pdf.js')]);
  const templates = await ReportTemplates.load(null);
  return printDocument(evidenceDocument(evidence), { templates, pageSize: options.pageSize, browserPath: options.browserPath, ...(options.environment === undefined ? {} : { environment: options.environment }) });
}

/** The PDF with its sources attached (the signature covers them), signed when asked. */
async function finishedPdf(pdf: Uint8Array, evidence: ReviewEvidence, campaign: Campaign, sources: EvidenceSources, stem: string, options: CloseOptions): Promise<Uint8Array> {
  const [{ finalisePdfEvidence }, { signedWhenAsked }] = await Promise.all([import('../../evidence/pdf-evidence.js'), import('../../evidence/report-evidence.js')]);
  const organisation = campaign.input.kind === 'org-index';
  const withEvidence = await finalisePdfEvidence(pdf, {
    snapshotBytes: sources.input,
    snapshotFileName: campaign.input.file,
    snapshotSha256: sha256Hex(sources.input),
    ...(organisation ? { snapshotDescription: `the organisation index the review's population came from (SHA-256 ${campaign.input.sha256})` } : {}),
    otherSources: [
      ...(organisation ? sources.snapshots.map((loaded, index) => ({ fileName: basename(campaign.accounts[index]?.snapshot ?? loaded.path), bytes: loaded.bytes, description: `snapshot of account ${campaign.accounts[index]?.id ?? ''}` })) : []),
      { fileName: CAMPAIGN_FILE, bytes: sources.campaignText, description: 'the campaign: frozen population, facts shown, reviewer assignments (its row-key secret withheld)' },
      { fileName: DECISIONS_FILE, bytes: sources.decisionsText, description: 'the decisions collected from the returned workbooks' },
    ],
    findingsJsonBytes: Buffer.from(renderEvidenceJson(evidence), 'utf8'),
    findingsFileName: `${stem}.json`,
    dataFiles: [{ fileName: `${stem}.csv`, bytes: Buffer.from(renderEvidenceCsv(evidence), 'utf8'), description: 'every identity with its decision, as CSV' }],
    metadata: { createdAt: options.now, toolName: campaign.tool.name, toolVersion: campaign.tool.version },
  });
  return signedWhenAsked(withEvidence, options.signing, options.now);
}

/** After the evidence files were staged: the manifest, SHA256SUMS and, when signing, its signature. */
async function manifestFiles(written: readonly WrittenFile[], campaign: Campaign, snapshot: LoadedSnapshot, stem: string, options: CloseOptions): Promise<OutputFile[]> {
  const { manifestFileNames, MANIFEST_VERSION, renderManifest, renderSha256Sums, describeArtifact, checkedArtifact, signManifest } = await import('../../evidence/manifest.js');
  const names = manifestFileNames(stem);
  const artifacts = written.map((file) => checkedArtifact(file.fileName.split('\\').join('/'), file.size, file.sha256));
  const account = campaign.accounts[0];
  const manifestText = renderManifest({
    manifestVersion: MANIFEST_VERSION,
    tool: campaign.tool,
    createdAt: toIsoUtc(options.now),
    snapshot: { fileName: basename(snapshot.path), sha256: snapshot.sha256, capturedAt: snapshot.snapshot.capturedAt, account: { id: account?.id ?? snapshot.snapshot.account.id, partition: snapshot.snapshot.account.partition } },
    artifacts,
  });
  const files: OutputFile[] = [
    { fileName: names.manifest, content: manifestText },
    { fileName: names.sums, content: renderSha256Sums([...artifacts, describeArtifact(names.manifest, manifestText)]) },
  ];
  if (options.signing !== undefined) files.push({ fileName: names.signature, content: await signManifest(Buffer.from(manifestText, 'utf8'), options.signing.signer, options.now, options.signing.timestampUrl) });
  return files;
}

export async function runClose(options: CloseOptions): Promise<CloseOutcome> {
  const campaign = await readCampaign(options.campaignDir);
  const decisions = await readDecisions(options.campaignDir, campaign);
  const snapshots = await campaignSnapshots(options.campaignDir, campaign);
  const input = await campaignInputCopy(options.campaignDir, campaign);
  const decided = new Set(decisions.decisions.map((decision: RecordedDecision) => decision.key));
  const undecided = campaign.identities.filter((identity) => !decided.has(identity.key));
  if (undecided.length > 0 && !options.allowIncomplete) {
    const names = undecided.slice(0, 10).map((identity) => `${identity.name} (${identity.reviewer})`);
    throw new UserError(`${options.campaignDir}: ${undecided.length} identities are undecided: ${names.join(', ')}${undecided.length > 10 ? ', ...' : ''}; collect their workbooks, or close with --allow-incomplete (printed on every page)`, ExitCode.partial);
  }
  const closedAt = toIsoUtc(options.now);
  const { sha256, items } = reconcile(campaign, snapshots);
  const skipped = campaign.input.kind === 'org-index' ? parseOrgIndex(input.toString('utf8'), campaign.input.file).skipped : [];
  const evidence = evidenceOf(campaign, decisions.decisions, closedAt, sha256, items, skipped.map((account) => ({ id: account.id, name: account.name, state: account.state })));
  const stem = `access_review_${campaign.id}_${fileStamp(closedAt)}`;
  // The row keys' secret stays in the campaign folder: whoever holds the evidence cannot make rows.
  const campaignText = Buffer.from(`${JSON.stringify({ ...campaign, secret: 'withheld from the evidence' }, null, 2)}\n`, 'utf8');
  const sources: EvidenceSources = { input, snapshots, campaignText, decisionsText: Buffer.from(renderDecisions(decisions), 'utf8') };
  const files: OutputFile[] = [];
  if (options.formats.includes('json')) files.push({ fileName: `${stem}.json`, content: renderEvidenceJson(evidence) });
  if (options.formats.includes('csv')) files.push({ fileName: `${stem}.csv`, content: renderEvidenceCsv(evidence) });
  if (options.formats.includes('pdf')) files.push({ fileName: `${stem}.pdf`, content: await finishedPdf(await printedEvidence(evidence, options), evidence, campaign, sources, stem, options) });
  const outDir = options.outDir ?? join(options.campaignDir, 'evidence');
  const first = snapshots[0];
  const written = await writeOutputs(outDir, files, options.overwrite, first === undefined ? undefined : (staged) => manifestFiles(staged, campaign, first, stem, options));
  for (const banner of incompleteBanners(evidence)) options.stdout.write(`${escapeForTerminal(banner)}\n`);
  const removals = evidence.identities.filter((identity) => identity.decision === 'revoke' || identity.decision === 'reduce').length;
  options.stdout.write(`Access review ${campaign.id} closed: ${evidence.identities.length - undecided.length} decided, ${undecided.length} undecided, ${removals} to remove; population ${evidence.population.reconciled ? 'reconciled' : 'DOES NOT RECONCILE'} with the snapshots.\n`);
  options.stdout.write(`Evidence written:\n${written.map((path) => `  - ${escapeForTerminal(path)}`).join('\n')}\n`);
  return { evidence, written };
}
