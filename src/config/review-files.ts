/**
 * The access review's files (issue 29): the reviewers file (`review start --reviewers`, YAML or
 * JSON), the campaign (campaign.json, written by `review start`) and the decisions recorded by
 * `review collect` (decisions.json). Each is checked against its schema (schema/reviewers.schema.json,
 * schema/campaign.schema.json, with the generated validators) and then for what a schema cannot say
 * (a rule naming an unknown reviewer); every problem names the file, and the line or field.
 */
import { validate as validateCampaignSchema } from '../generated/campaign-schema.generated.js';
import { validate as validateReviewersSchema } from '../generated/reviewers-schema.generated.js';
import { InputError } from '../util/errors.js';
import { checkAgainstSchema } from './schema-check.js';
import { parseStructuredSource, withPositions } from './structured-file.js';

export const REVIEW_SCOPES = ['users', 'root', 'roles', 'groups'] as const;
export type ReviewScope = (typeof REVIEW_SCOPES)[number];
export type IdentityType = 'user' | 'root' | 'role' | 'group';
export const REVIEW_DECISIONS = ['keep', 'revoke', 'reduce'] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];

export interface Reviewer {
  readonly id: string;
  readonly name: string;
  readonly email: string | null;
  /** IAM identities (names or ARNs) this person uses. */
  readonly identities: readonly string[];
  /** Reviewer ids of this person's managers. */
  readonly reportsTo: readonly string[];
}

export interface AssignmentRule {
  readonly reviewer: string;
  readonly name?: string;
  readonly path?: string;
  readonly group?: string;
  readonly owner?: string;
  readonly tag?: string;
  readonly type?: IdentityType;
  readonly account?: string;
}

export interface ReviewersFile {
  readonly reviewers: readonly Reviewer[];
  readonly assign: readonly AssignmentRule[];
  readonly defaultReviewer: string;
  readonly fallback: string;
}

/** What a later snapshot is compared with: the access the reviewer decided on, as data. */
export interface IdentityAccess {
  readonly console: boolean | null;
  readonly activeKeys: number | null;
  readonly groups: readonly string[] | null;
  readonly attachedPolicies: readonly string[] | null;
  readonly inlinePolicies: readonly string[] | null;
  /**
   * A role's trusted principals (keys of app/review/role-trust.ts); null when the snapshot did not
   * carry the trust policy. Left out for other identities and in campaigns started before it existed.
   */
  readonly trustedPrincipals?: readonly string[] | null;
}

export interface CampaignIdentity {
  /** <account id>:<type>:<name>: unique in the campaign. */
  readonly key: string;
  /** HMAC of the campaign id, key and facts with the campaign's secret: the workbook's hidden row key. */
  readonly rowKey: string;
  readonly accountId: string;
  readonly type: IdentityType;
  readonly name: string;
  readonly arn: string;
  /** The facts shown to the reviewer, one per factColumns entry. */
  readonly facts: readonly string[];
  readonly access: IdentityAccess;
  readonly reviewer: string;
  /** Set when segregation of duties moved the identity from its assigned reviewer to the fallback. */
  readonly reassignment: { readonly from: string; readonly reason: string } | null;
}

export interface CampaignAccount {
  readonly id: string;
  readonly name: string | null;
  readonly snapshot: string;
  readonly sha256: string;
  readonly capturedAt: string;
  readonly source: 'aws-api' | 'credential-report';
  readonly populations: readonly { readonly scope: ReviewScope; readonly state: 'complete' | 'incomplete' | 'not_collected'; readonly inSnapshot: number; readonly inPopulation: number }[];
}

export interface Campaign {
  readonly kind: 'iam-audit-access-review';
  readonly campaignVersion: 1;
  readonly id: string;
  readonly createdAt: string;
  readonly dueDate: string | null;
  readonly tool: { readonly name: string; readonly version: string };
  readonly scope: readonly ReviewScope[];
  readonly input: { readonly kind: 'snapshot' | 'org-index'; readonly file: string; readonly sha256: string };
  readonly accounts: readonly CampaignAccount[];
  /** True when a snapshot came from a credential report: only the credential facts were reviewed. */
  readonly credentialFactsOnly: boolean;
  /** What was missing from the population (started with --allow-incomplete); empty when complete. */
  readonly incomplete: readonly string[];
  readonly population: { readonly count: number; readonly sha256: string };
  readonly secret: string;
  readonly reviewers: readonly Reviewer[];
  readonly fallback: string;
  readonly factColumns: readonly string[];
  readonly identities: readonly CampaignIdentity[];
}

export interface RecordedDecision {
  readonly key: string;
  readonly decision: ReviewDecision;
  readonly justification: string;
  readonly reviewer: string;
  /** When `review collect` first recorded it (the run clock). */
  readonly recordedAt: string;
  /** The returned file and row it came from. */
  readonly file: string;
  readonly row: number;
}

export interface DecisionsFile {
  readonly kind: 'iam-audit-access-review-decisions';
  readonly campaignId: string;
  readonly decisions: readonly RecordedDecision[];
}

interface RawReviewers {
  reviewers: { id: string; name: string; email?: string; identities?: string[]; reportsTo?: string[] }[];
  assign?: AssignmentRule[] | null;
  default: string;
  fallback?: string;
}

/** Parses and checks a reviewers file. */
export function parseReviewersFile(text: string, file: string): ReviewersFile {
  const source = parseStructuredSource(text, file);
  return withPositions(source, file, () => {
    checkAgainstSchema(validateReviewersSchema, source.data, file, (path) => source.position(path));
    const raw = source.data as RawReviewers;
    const ids = new Set<string>();
    raw.reviewers.forEach((reviewer, index) => {
      if (ids.has(reviewer.id)) throw new InputError(file, `reviewers[${index}].id`, `"${reviewer.id}" is listed twice`);
      ids.add(reviewer.id);
    });
    const known = (id: string, where: string): void => {
      if (!ids.has(id)) throw new InputError(file, where, `"${id}" is not one of the reviewers (${[...ids].join(', ')})`);
    };
    raw.reviewers.forEach((reviewer, index) => (reviewer.reportsTo ?? []).forEach((id, position) => known(id, `reviewers[${index}].reportsTo[${position}]`)));
    (raw.assign ?? []).forEach((rule, index) => known(rule.reviewer, `assign[${index}].reviewer`));
    known(raw.default, 'default');
    if (raw.fallback !== undefined) known(raw.fallback, 'fallback');
    return {
      reviewers: raw.reviewers.map((reviewer) => ({ id: reviewer.id, name: reviewer.name, email: reviewer.email ?? null, identities: reviewer.identities ?? [], reportsTo: reviewer.reportsTo ?? [] })),
      assign: raw.assign ?? [],
      defaultReviewer: raw.default,
      fallback: raw.fallback ?? raw.default,
    };
  });
}

/** Parses campaign.json; refuses one that does not match its schema or whose identities repeat. */
export function parseCampaign(text: string, file: string): Campaign {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new InputError(file, null, `not valid JSON (${(error as Error).message}); expected the campaign.json review start wrote`);
  }
  checkAgainstSchema(validateCampaignSchema, data, file, () => null);
  const campaign = data as Campaign;
  const keys = new Set<string>();
  campaign.identities.forEach((identity, index) => {
    if (keys.has(identity.key)) throw new InputError(file, `identities[${index}].key`, `"${identity.key}" is listed twice`);
    keys.add(identity.key);
    if (identity.facts.length !== campaign.factColumns.length) throw new InputError(file, `identities[${index}].facts`, `${identity.facts.length} facts for ${campaign.factColumns.length} columns`);
  });
  if (campaign.population.count !== campaign.identities.length) throw new InputError(file, 'population.count', `${campaign.population.count} but ${campaign.identities.length} identities`);
  return campaign;
}

const isDecision = (value: unknown): value is ReviewDecision => typeof value === 'string' && (REVIEW_DECISIONS as readonly string[]).includes(value);

/** Parses decisions.json (written by review collect) for the campaign `campaignId`. */
export function parseDecisions(text: string, file: string, campaignId: string): DecisionsFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new InputError(file, null, `not valid JSON (${(error as Error).message})`);
  }
  const document = data as Partial<DecisionsFile> | null;
  if (typeof document !== 'object' || document === null || document.kind !== 'iam-audit-access-review-decisions') throw new InputError(file, 'kind', 'not an iam-audit decisions file');
  if (document.campaignId !== campaignId) throw new InputError(file, 'campaignId', `belongs to campaign ${String(document.campaignId)}, not ${campaignId}`);
  if (!Array.isArray(document.decisions)) throw new InputError(file, 'decisions', 'missing or not a list');
  document.decisions.forEach((entry: Partial<RecordedDecision>, index) => {
    const where = `decisions[${index}]`;
    if (typeof entry.key !== 'string' || !isDecision(entry.decision) || typeof entry.justification !== 'string' || typeof entry.reviewer !== 'string') {
      throw new InputError(file, where, 'needs key, decision (keep, revoke or reduce), justification and reviewer');
    }
    if (typeof entry.recordedAt !== 'string' || typeof entry.file !== 'string' || typeof entry.row !== 'number') throw new InputError(file, where, 'needs recordedAt, file and row');
  });
  return document as DecisionsFile;
}
