/**
 * The access-review evidence as data (the JSON file), as CSV, and as the printable document's parts
 * (the layout and the review-* partials, printed by render/pdf.ts like the change report): scope
 * and dates, the population and its reconciliation against the snapshots, every identity with its
 * decision, the segregation-of-duties reassignments, the undecided identities, the access to remove
 * and a sign-off block. A campaign started or closed with --allow-incomplete says so on the cover
 * and in every page's footer.
 */
import type { Campaign, RecordedDecision } from '../../config/review-files.js';
import type { PrintableDocumentInfo } from '../../render/html.js';
import type { ReportPart } from '../../render/report-part.js';
import { toCsv } from '../../render/csv-safety.js';

export interface Reconciliation {
  readonly account: string;
  readonly scope: string;
  readonly state: string;
  readonly inSnapshot: number;
  readonly inPopulation: number;
  readonly agrees: boolean;
}

export interface EvidenceIdentity {
  readonly key: string;
  readonly accountId: string;
  readonly type: string;
  readonly name: string;
  readonly arn: string;
  readonly reviewer: string;
  readonly reassignedFrom: string | null;
  readonly reassignmentReason: string | null;
  readonly decision: 'keep' | 'revoke' | 'reduce' | null;
  readonly justification: string | null;
  readonly decidedBy: string | null;
  readonly recordedAt: string | null;
  readonly source: string | null;
}

export interface ReviewEvidence {
  readonly kind: 'iam-audit-access-review-evidence';
  readonly campaign: Pick<Campaign, 'id' | 'createdAt' | 'dueDate' | 'scope' | 'input' | 'credentialFactsOnly' | 'incomplete' | 'tool'>;
  readonly closedAt: string;
  /** Undecided identities when closed (closed with --allow-incomplete); empty otherwise. */
  readonly closedIncomplete: boolean;
  readonly accounts: readonly { readonly id: string; readonly name: string | null; readonly capturedAt: string; readonly snapshotSha256: string; readonly source: string }[];
  readonly skippedAccounts: readonly SkippedAccount[];
  readonly population: { readonly count: number; readonly sha256: string; readonly recomputedSha256: string; readonly reconciled: boolean; readonly reconciliation: readonly Reconciliation[] };
  readonly reviewers: readonly { readonly id: string; readonly name: string; readonly email: string | null }[];
  readonly identities: readonly EvidenceIdentity[];
}

/** Accounts of the organisation index that were not collected because they are not active (not in the population). */
export type SkippedAccount = { readonly id: string; readonly name: string; readonly state: string };

export function evidenceOf(
  campaign: Campaign,
  decisions: readonly RecordedDecision[],
  closedAt: string,
  recomputedSha256: string,
  reconciliation: readonly Reconciliation[],
  skippedAccounts: readonly SkippedAccount[] = [],
): ReviewEvidence {
  const byKey = new Map(decisions.map((decision) => [decision.key, decision]));
  const identities = campaign.identities.map((identity): EvidenceIdentity => {
    const decision = byKey.get(identity.key);
    return {
      key: identity.key,
      accountId: identity.accountId,
      type: identity.type,
      name: identity.name,
      arn: identity.arn,
      reviewer: identity.reviewer,
      reassignedFrom: identity.reassignment?.from ?? null,
      reassignmentReason: identity.reassignment?.reason ?? null,
      decision: decision?.decision ?? null,
      justification: decision?.justification ?? null,
      decidedBy: decision?.reviewer ?? null,
      recordedAt: decision?.recordedAt ?? null,
      source: decision === undefined ? null : `${decision.file} row ${decision.row}`,
    };
  });
  return {
    kind: 'iam-audit-access-review-evidence',
    campaign: { id: campaign.id, createdAt: campaign.createdAt, dueDate: campaign.dueDate, scope: campaign.scope, input: campaign.input, credentialFactsOnly: campaign.credentialFactsOnly, incomplete: campaign.incomplete, tool: campaign.tool },
    closedAt,
    closedIncomplete: identities.some((identity) => identity.decision === null),
    accounts: campaign.accounts.map((account) => ({ id: account.id, name: account.name, capturedAt: account.capturedAt, snapshotSha256: account.sha256, source: account.source })),
    skippedAccounts,
    population: {
      count: campaign.population.count,
      sha256: campaign.population.sha256,
      recomputedSha256,
      reconciled: recomputedSha256 === campaign.population.sha256 && reconciliation.every((item) => item.agrees),
      reconciliation,
    },
    reviewers: campaign.reviewers.map((reviewer) => ({ id: reviewer.id, name: reviewer.name, email: reviewer.email })),
    identities,
  };
}

export function renderEvidenceJson(evidence: ReviewEvidence): string {
  return `${JSON.stringify(evidence, null, 2)}\n`;
}

const CSV_HEADER = ['account', 'type', 'identity', 'arn', 'reviewer', 'decision', 'justification', 'decided_by', 'recorded_at', 'source', 'reassigned_from', 'reassignment_reason'];

export function renderEvidenceCsv(evidence: ReviewEvidence): string {
  return toCsv(
    CSV_HEADER,
    evidence.identities.map((identity) => [
      identity.accountId,
      identity.type,
      identity.name,
      identity.arn,
      identity.reviewer,
      identity.decision ?? 'undecided',
      identity.justification ?? '',
      identity.decidedBy ?? '',
      identity.recordedAt ?? '',
      identity.source ?? '',
      identity.reassignedFrom ?? '',
      identity.reassignmentReason ?? '',
    ]),
  );
}

/** The lines every page must carry: the population or the decisions were incomplete. */
export function incompleteBanners(evidence: ReviewEvidence): string[] {
  const banners: string[] = [];
  if (evidence.campaign.incomplete.length > 0) banners.push(`ALLOW-INCOMPLETE: the population was incomplete when the review started (${evidence.campaign.incomplete.join('; ')})`);
  if (evidence.closedIncomplete) banners.push(`ALLOW-INCOMPLETE: closed with ${evidence.identities.filter((identity) => identity.decision === null).length} identities undecided`);
  return banners;
}

function tablePart(anchor: string, title: string, intro: readonly string[], columns: readonly string[], rows: readonly (readonly string[])[], empty: string): ReportPart {
  return { partial: 'review-table', anchor, title, level: 1, context: { intro, columns, empty: rows.length === 0 ? empty : null }, rows: rows.length === 0 ? null : rows };
}

const accountLabel = (evidence: ReviewEvidence, id: string): string => {
  const name = evidence.accounts.find((account) => account.id === id)?.name;
  return name === null || name === undefined ? id : `${id} (${name})`;
};

function decisionParts(evidence: ReviewEvidence): ReportPart[] {
  const columns = ['Type', 'Identity', 'Reviewer', 'Decision', 'Justification', 'Recorded', 'From'];
  const row = (identity: EvidenceIdentity): string[] => [identity.type, identity.name, identity.reviewer, identity.decision ?? 'UNDECIDED', identity.justification ?? '', identity.recordedAt ?? '', identity.source ?? ''];
  // Organisation-wide: one section per account.
  return evidence.accounts.map((account, index) =>
    tablePart(`decisions-${index + 1}`, evidence.accounts.length === 1 ? 'Decisions' : `Decisions: account ${accountLabel(evidence, account.id)}`, [`Every identity of account ${accountLabel(evidence, account.id)} in the population, with its reviewer and decision.`], columns, evidence.identities.filter((identity) => identity.accountId === account.id).map(row), 'No identity of this account is in the population.'),
  );
}

/** The printable evidence: the cover, population, decisions per account, reassignments, undecided, removals, sign-off. */
export function evidenceDocument(evidence: ReviewEvidence): { document: PrintableDocumentInfo; parts: ReportPart[] } {
  const banners = incompleteBanners(evidence);
  const counts = {
    keep: evidence.identities.filter((identity) => identity.decision === 'keep').length,
    revoke: evidence.identities.filter((identity) => identity.decision === 'revoke').length,
    reduce: evidence.identities.filter((identity) => identity.decision === 'reduce').length,
    undecided: evidence.identities.filter((identity) => identity.decision === null).length,
    reassigned: evidence.identities.filter((identity) => identity.reassignedFrom !== null).length,
  };
  const scope = `${evidence.campaign.scope.join(', ')}${evidence.campaign.credentialFactsOnly ? ' (from a credential report: credential facts only; groups, policies and roles are not in it)' : ''}`;
  const cover: ReportPart = {
    partial: 'review-cover',
    anchor: 'cover',
    title: 'Cover',
    level: 1,
    context: {
      campaign: evidence.campaign,
      banners,
      scope,
      accounts: evidence.accounts.map((account) => `${accountLabel(evidence, account.id)}, captured ${account.capturedAt}`).join('; '),
      reviewers: evidence.reviewers
        .flatMap((reviewer) => {
          const count = evidence.identities.filter((identity) => identity.reviewer === reviewer.id).length;
          return count === 0 ? [] : [`${reviewer.name} (${reviewer.id}): ${count}`];
        })
        .join('; '),
      due: evidence.campaign.dueDate ?? 'none set', closedAt: evidence.closedAt, population: evidence.population, counts },
    rows: null,
  };
  const reconciliation = tablePart(
    'population',
    'Population',
    [
      `${evidence.population.count} identities, frozen with SHA-256 ${evidence.population.sha256}; recomputed from the snapshots at closing: ${evidence.population.recomputedSha256} (${evidence.population.reconciled ? 'reconciled' : 'DOES NOT RECONCILE'}).`,
      ...evidence.accounts.map((account) => `Account ${accountLabel(evidence, account.id)}: snapshot captured ${account.capturedAt} (${account.source}), SHA-256 ${account.snapshotSha256}.`),
      ...(evidence.skippedAccounts.length === 0
        ? []
        : [`Not in the population, as the organisation index records them not active: ${evidence.skippedAccounts.map((account) => `${account.id} (${account.name}, ${account.state})`).join(', ')}.`]),
    ],
    ['Account', 'Scope', 'List in the snapshot', 'In the snapshot', 'In the population', 'Reconciles'],
    evidence.population.reconciliation.map((item) => [item.account, item.scope, item.state, String(item.inSnapshot), String(item.inPopulation), item.agrees ? 'yes' : 'NO']),
    'Nothing in scope.',
  );
  const reassigned = evidence.identities.filter((identity) => identity.reassignedFrom !== null);
  const undecided = evidence.identities.filter((identity) => identity.decision === null);
  const removals = evidence.identities.filter((identity) => identity.decision === 'revoke' || identity.decision === 'reduce');
  const parts: ReportPart[] = [
    cover,
    reconciliation,
    ...decisionParts(evidence),
    tablePart('segregation', 'Segregation of duties', ['Identities moved from the reviewer the rules chose, because that reviewer uses the identity or reports to the person who does.'], ['Account', 'Identity', 'Assigned to', 'Reviewed by', 'Reason'], reassigned.map((identity) => [identity.accountId, identity.name, identity.reassignedFrom ?? '', identity.reviewer, identity.reassignmentReason ?? '']), 'No identity needed reassigning.'),
    tablePart('undecided', 'Undecided', undecided.length === 0 ? [] : ['ALLOW-INCOMPLETE: the campaign was closed before these identities were decided.'], ['Account', 'Type', 'Identity', 'Reviewer'], undecided.map((identity) => [identity.accountId, identity.type, identity.name, identity.reviewer]), 'Every identity was decided.'),
    tablePart('removals', 'Access to remove', ['Every revoke and reduce decision: what `iam-audit review verify` checks against a later snapshot.'], ['Account', 'Type', 'Identity', 'Decision', 'Justification', 'Reviewer'], removals.map((identity) => [identity.accountId, identity.type, identity.name, identity.decision ?? '', identity.justification ?? '', identity.reviewer]), 'Nothing to remove: every decision was keep.'),
    { partial: 'review-sign-off', anchor: 'sign-off', title: 'Sign-off', level: 1, context: { campaignId: evidence.campaign.id, entries: ['Review owner', 'Reviewed by', 'Approved by'] }, rows: null },
  ];
  const accounts = evidence.accounts.map((account) => account.id).join(', ');
  return {
    document: {
      title: `User access review ${evidence.campaign.id}`,
      subject: `Access review of account(s) ${accounts}`,
      keywords: ['iam-audit', 'access review', evidence.campaign.id],
      author: evidence.campaign.tool.name,
      creator: `${evidence.campaign.tool.name} ${evidence.campaign.tool.version}`,
      medium: 'pdf',
      reportTime: evidence.closedAt,
      footerLines: [
        `${banners.length > 0 ? 'ALLOW-INCOMPLETE · ' : ''}Access review ${evidence.campaign.id} · account(s) ${accounts}`,
        `started ${evidence.campaign.createdAt} · closed ${evidence.closedAt} · population ${evidence.population.count}, SHA-256 ${evidence.population.sha256.slice(0, 16)}…`,
      ],
    },
    parts,
  };
}
