/**
 * Remediation tracking (issue 10), added to the analysis result by the report use case: each failed
 * or excepted result gets its owner (user tags, then the owners file, shared with `notify`), its
 * due date (the configuration's per-severity deadline counted from the capture time, never the
 * clock) and management's response (--responses). Renderers read it from the result only.
 */
import type { FileIdentity } from '../../analyze/engine.js';
import type { AnalysisResult, FindingTracking, ManagementResponse, RemediationConfig, RemediationReport, RuleResult, Severity } from '../../analyze/result.js';
import type { ResponseEntry, ResponseList } from '../../config/responses.js';
import { OwnerResolver, DEFAULT_OWNER_TAG_KEYS, type OwnersMapping, type ResolvedOwner, type TagsByUser } from './owners.js';
import { picomatch } from '../../util/globs.js';
import { isPastDay, utcDayAfter } from '../../util/time.js';

/** Days to fix a finding when the configuration does not say: a common policy (CIS and PCI audits accept it). */
export const DEFAULT_DUE_DAYS: Readonly<Record<Severity, number | null>> = { critical: 7, high: 30, medium: 90, low: 180, info: null };

export interface RemediationInputs {
  readonly configuration: RemediationConfig | undefined;
  readonly mapping: OwnersMapping;
  readonly ownersFile: FileIdentity | null;
  readonly responses: ResponseList;
  readonly responsesFile: FileIdentity | null;
  /** Users' tags from the snapshot; null when it carries none (a credential report import). */
  readonly tags: TagsByUser;
  /** Failures an earlier archive shows failing already (--previous): finding id to the instant failing since. */
  readonly firstDetected?: ReadonlyMap<string, string>;
}

/** The UTC day `days` after `capturedAt`, as YYYY-MM-DD. */
export function dueDateOf(capturedAt: string, days: number): string {
  return utcDayAfter(capturedAt, days);
}

/** True when `asOf` is past the whole due day (UTC): a finding due today is not yet overdue. */
export function isOverdue(dueDate: string, asOf: string): boolean {
  return isPastDay(dueDate, asOf);
}

function describeOwnerSource(owner: ResolvedOwner): string {
  switch (owner.source.kind) {
    case 'tag':
      return `tag ${owner.source.key}`;
    case 'mapping':
      return `owners file (${owner.source.pattern})`;
    default:
      return 'default owner';
  }
}

interface TrackedResponse {
  readonly entry: ResponseEntry;
  used: boolean;
}

/** One rule's responses: exact ARN or name first by file order, globs compiled once; the first entry in file order wins. */
class ResponseMatcher {
  private readonly exact = new Map<string, TrackedResponse[]>();
  private readonly globs: { readonly tracked: TrackedResponse; readonly pattern: RegExp }[] = [];

  constructor(entries: readonly TrackedResponse[]) {
    for (const tracked of entries) {
      const resource = tracked.entry.resource;
      if (picomatch().scan(resource).isGlob) this.globs.push({ tracked, pattern: picomatch().makeRe(resource, { dot: true }) });
      else this.exact.set(resource, [...(this.exact.get(resource) ?? []), tracked]);
    }
  }

  match(arn: string, name: string): TrackedResponse | undefined {
    let best: TrackedResponse | undefined;
    for (const key of [arn, name]) {
      for (const candidate of this.exact.get(key) ?? []) if (best === undefined || candidate.entry.index < best.entry.index) best = candidate;
    }
    for (const { tracked, pattern } of this.globs) {
      if (best !== undefined && tracked.entry.index > best.entry.index) break;
      if (pattern.test(arn) || pattern.test(name)) return tracked;
    }
    return best;
  }
}

const NOT_OVERDUE: readonly [boolean, boolean] = [false, false];

/** Tracks rule results one at a time (a streamed report), and reports the settings and unmatched responses at the end. */
export interface RemediationTracker {
  /** The result with its tracking when failed or excepted; the same object otherwise. */
  track(item: RuleResult): RuleResult;
  /** The settings in effect and the responses no result matched so far. */
  report(): RemediationReport;
}

/** The result with every failed and excepted rule result tracked, and the settings in `remediation`. */
export function withRemediation(result: AnalysisResult, inputs: RemediationInputs): AnalysisResult {
  const tracker = remediationTracker(result, inputs);
  const catalogue = result.catalogue;
  if (catalogue === null) return { ...result, remediation: { ...tracker.report(), unmatchedResponses: [] } };
  const results = catalogue.results.map((item) => tracker.track(item));
  return { ...result, catalogue: { ...catalogue, results }, remediation: tracker.report() };
}

export function remediationTracker(result: Pick<AnalysisResult, 'snapshot' | 'run'>, inputs: RemediationInputs): RemediationTracker {
  const dueDays: Record<Severity, number | null> = { ...DEFAULT_DUE_DAYS, ...(inputs.configuration?.dueDays ?? {}) };
  const ownerTagKeys = inputs.configuration?.ownerTags ?? DEFAULT_OWNER_TAG_KEYS;
  const resolver = new OwnerResolver({ tagKeys: ownerTagKeys, mapping: inputs.mapping, defaultOwner: null }, inputs.tags);
  const capturedAt = result.snapshot.capturedAt;
  const asOf = result.run.asOf;
  const tracked: TrackedResponse[] = [...inputs.responses.entries].sort((a, b) => a.index - b.index).map((entry) => ({ entry, used: false }));
  const matchers = new Map<string, ResponseMatcher>();
  const matcherFor = (ruleId: string): ResponseMatcher => {
    let matcher = matchers.get(ruleId);
    if (matcher === undefined) matchers.set(ruleId, (matcher = new ResponseMatcher(tracked.filter((item) => item.entry.ruleId === ruleId))));
    return matcher;
  };
  // Due dates depend on the severity and the first detection only: worked out once each (no key string per failure).
  const dueBySeverity = new Map<Severity, Map<string, string | null>>();
  const dueFor = (severity: Severity, since: string): string | null => {
    let bySince = dueBySeverity.get(severity);
    if (bySince === undefined) dueBySeverity.set(severity, (bySince = new Map()));
    let due = bySince.get(since);
    if (due === undefined) {
      const days = dueDays[severity];
      bySince.set(since, (due = days === null || days === undefined ? null : dueDateOf(since, days)));
    }
    return due;
  };
  const reportTime = result.run.startedAt;
  // Whether a due date is past at the evaluation time and at the report's time: a handful of due dates, asked once per failure.
  const overdueByDate = new Map<string, readonly [boolean, boolean]>();
  const overdueOf = (dueDate: string): readonly [boolean, boolean] => {
    let known = overdueByDate.get(dueDate);
    if (known === undefined) overdueByDate.set(dueDate, (known = [isOverdue(dueDate, asOf), isOverdue(dueDate, reportTime)]));
    return known;
  };
  let detectedEarlier = 0;
  // The first detection: an earlier archive's time when it is before this capture; never later than the capture.
  const firstDetectedOf = (findingId: string): string => {
    const earlier = inputs.firstDetected?.get(findingId);
    return earlier !== undefined && Date.parse(earlier) < Date.parse(capturedAt) ? earlier : capturedAt;
  };
  const trackingOf = (owner: ResolvedOwner | null, response: ManagementResponse | null, dueDate: string | null, firstDetected: string): FindingTracking => {
    const [overdue, pastDueAtReport] = dueDate === null ? NOT_OVERDUE : overdueOf(dueDate);
    return { owner: owner?.address ?? null, ownerSource: owner === null ? null : describeOwnerSource(owner), dueDate, overdue, firstDetected, pastDueAtReport, response };
  };
  // Most failures have no owner and no response, and were first detected now: their tracking
  // depends on the due date alone, and one frozen object per due date serves them all.
  const unownedTracking = new Map<string | null, FindingTracking>();
  const track = (item: RuleResult): RuleResult => {
    if (item.status !== 'fail' && item.status !== 'excepted') return item;
    const owner = resolver.resolve(item.resourceType, item.resourceName);
    const matched = tracked.length === 0 ? undefined : matcherFor(item.ruleId).match(item.resourceArn, item.resourceName);
    if (matched !== undefined) matched.used = true;
    const response: ManagementResponse | null = matched === undefined ? null : { response: matched.entry.response, owner: matched.entry.owner, targetDate: matched.entry.targetDate };
    const firstDetected = firstDetectedOf(item.findingId);
    if (item.status === 'fail' && firstDetected !== capturedAt) detectedEarlier += 1;
    // An accepted risk is due when its exception expires, not by the severity's deadline.
    const dueDate = item.status === 'excepted' ? null : dueFor(item.severity, firstDetected);
    if (owner !== null || response !== null || firstDetected !== capturedAt) return { ...item, tracking: trackingOf(owner, response, dueDate, firstDetected) };
    let tracking = unownedTracking.get(dueDate);
    if (tracking === undefined) unownedTracking.set(dueDate, (tracking = Object.freeze(trackingOf(null, null, dueDate, capturedAt))));
    return { ...item, tracking };
  };
  const settings: Omit<RemediationReport, 'unmatchedResponses' | 'detectedEarlier'> = {
    dueDays,
    dueFrom: capturedAt,
    ownerTagKeys,
    tagsCollected: inputs.tags !== null,
    ownersFile: inputs.ownersFile,
    responsesFile: inputs.responsesFile,
  };
  return {
    track,
    report: () => ({
      ...settings,
      detectedEarlier,
      unmatchedResponses: tracked.filter((item) => !item.used).map(({ entry }) => ({ ruleId: entry.ruleId, resource: entry.resource, response: entry.response })),
    }),
  };
}
