/**
 * The one pass (issue 26): the engine walks the identities once, and every enabled rule judges
 * each user in turn, then the account once. One identity's results are built, handed to the sink
 * (the writers and the aggregates) and dropped before the next identity is judged: no list of
 * every result exists here. What a rule carries across users is its tally (counts, a few names),
 * what the engine carries is per rule: counts by status and the control outcome.
 *
 * Per rule, as before the one pass: a missing account-level requirement gives one not_evaluated
 * result and the rule is never called; an incomplete population adds its not_evaluated result on
 * the account ARN (joining the rule's own finding there); with --as-of after the capture every
 * judgement is made at both instants and projected (projection.ts); impossible values become
 * errors (integrity.ts); exceptions apply to failures. A judgement that throws gives one `error`
 * result for the identity it was judging (the user, or the account), and the rule goes on with the
 * next identity.
 */
import type { Snapshot, UserFacts } from '../snapshot/types.js';
import { described, isFindingList, type DescribedFinding, type ResourceRef, type Rule, type RuleContext, type RuleFacts, type RuleFinding, type RuleOptions } from '../rules/rule.js';
import type { AppliedException, RuleResult, RuleResultStatus } from './result.js';
import { guardFindings, type JudgedFinding, type SnapshotIntegrity } from './integrity.js';
import { projectFindings } from './projection.js';
import { applied, type ExceptionMatcher } from './exception-matching.js';
import { accountResource, incompletePopulations, missingRequirements } from './requirements.js';
import { FindingIds as IdentityIds } from './finding-id.js';
import { InternalConsistencyError } from '../util/errors.js';

/** Receives one identity's results (then the account's), each batch in rule order; must not keep the array. */
export type ResultSink = (batch: readonly RuleResult[]) => void;

/** The exceptions one rule's failures are matched against. */
export interface RuleExceptions {
  readonly active: ExceptionMatcher;
  readonly expired: ExceptionMatcher;
}

/** What a control needs to know of one rule's results. */
export interface RuleOutcome {
  anyFail: boolean;
  /** Every result is pass, not_applicable or excepted (vacuously true without results). */
  allClean: boolean;
  /** Some failure is covered by a valid exception (the control passes with exceptions). */
  anyExcepted: boolean;
  count: number;
}

/** One enabled rule during the walk: its settings and what it has counted so far. */
export class RuleRun {
  readonly counts: Record<RuleResultStatus, number>;
  readonly outcome: RuleOutcome = { anyFail: false, allClean: true, anyExcepted: false, count: 0 };
  /** Why the rule is not run at all (an account-level requirement missing), or null. */
  readonly missing: string | null;
  /** The "population incomplete" reason on the account ARN, or null. */
  readonly population: string | null;
  private readonly contextNow: RuleContext<RuleOptions>;
  private readonly contextCapture: RuleContext<RuleOptions> | null;
  private readonly tallyNow: unknown;
  private readonly tallyCapture: unknown;

  constructor(
    readonly rule: Rule,
    options: RuleOptions,
    readonly exceptions: RuleExceptions,
    snapshot: Snapshot,
    times: { readonly now: number; readonly capturedMs: number; readonly project: boolean },
    counts: Record<RuleResultStatus, number>,
  ) {
    this.counts = counts;
    this.missing = missingRequirements(snapshot, rule.requires);
    this.population = this.missing === null ? incompletePopulations(snapshot, rule.requires) : null;
    this.contextNow = { now: times.now, options };
    this.contextCapture = times.project ? { now: times.capturedMs, options } : null;
    this.tallyNow = rule.newTally?.();
    this.tallyCapture = times.project ? rule.newTally?.() : undefined;
  }

  get judgesUsers(): boolean {
    return this.missing === null && this.rule.judgeUser !== undefined;
  }

  /**
   * One user's findings at the evaluation time and, when projecting, at the capture time, each with
   * its evidence formatted once from its facts (the rule's `describe`, with the same context).
   */
  judgeUser(user: UserFacts): { now: readonly DescribedFinding[]; capture: readonly DescribedFinding[] | null } {
    const judge = this.rule.judgeUser;
    if (judge === undefined) return { now: [], capture: null };
    const at = (context: RuleContext<RuleOptions>, tally: unknown): readonly DescribedFinding[] => {
      const judged = judge.call(this.rule, user, context, tally);
      if (!isFindingList(judged)) return [described(this.rule, judged, context)];
      // Pushed into a literal, not mapped: map() gives a holey array and the literal above a packed
      // one, and the first holey list (a user with two keys, hundreds of users in) undid the
      // optimised code of the engine's loop over every list, compiled again at 5,000 users.
      const list: DescribedFinding[] = [];
      for (let index = 0; index < judged.length; index += 1) list.push(described(this.rule, judged[index] as RuleFinding<RuleFacts>, context));
      return list;
    };
    return { now: at(this.contextNow, this.tallyNow), capture: this.contextCapture === null ? null : at(this.contextCapture, this.tallyCapture) };
  }

  /** The account's findings (after every user), described, with the population finding joined in. */
  judgeAccount(snapshot: Snapshot): { now: readonly DescribedFinding[]; capture: readonly DescribedFinding[] | null } {
    const judge = this.rule.judgeAccount;
    const at = (context: RuleContext<RuleOptions>, tally: unknown): readonly DescribedFinding[] =>
      withPopulationFinding(
        this.populationFinding(snapshot),
        judge === undefined ? [] : judge.call(this.rule, snapshot, context, tally).map((finding) => described(this.rule, finding, context)),
      );
    return { now: at(this.contextNow, this.tallyNow), capture: this.contextCapture === null ? null : at(this.contextCapture, this.tallyCapture) };
  }

  populationFinding(snapshot: Snapshot): DescribedFinding | null {
    return this.population === null ? null : { resource: accountResource(snapshot), verdict: 'not_evaluated', facts: null, evidence: '', reason: this.population };
  }

  record(result: RuleResult): void {
    this.counts[result.status] += 1;
    const outcome = this.outcome;
    outcome.count += 1;
    if (result.status === 'fail') outcome.anyFail = true;
    if (result.status === 'excepted') outcome.anyExcepted = true;
    if (result.status !== 'pass' && result.status !== 'not_applicable' && result.status !== 'excepted') outcome.allClean = false;
  }
}

/**
 * The "population incomplete" finding is on the account's ARN, which is also root's: a rule that
 * judges root or the account itself (root-hardware-mfa, support-role-exists) would give two results
 * with one finding id. Such a finding takes the population's reason instead, and cannot stay clean:
 * pass and not_applicable become not_evaluated (the control's status is what the two results gave).
 */
function withPopulationFinding(population: DescribedFinding | null, findings: readonly DescribedFinding[]): readonly DescribedFinding[] {
  if (population === null) return findings;
  let pending = true;
  const merged = findings.map((finding): DescribedFinding => {
    if (!pending || finding.resource.arn !== population.resource.arn) return finding;
    pending = false;
    const clean = finding.verdict === 'pass' || finding.verdict === 'not_applicable';
    return { ...finding, verdict: clean ? 'not_evaluated' : finding.verdict, reason: finding.reason === null ? population.reason : `${finding.reason} ${population.reason ?? ''}`.trim() };
  });
  return pending ? [population, ...merged] : merged;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Everything the walk shares across rules for one run. */
export interface WalkContext {
  readonly snapshot: Snapshot;
  readonly integrity: SnapshotIntegrity;
  readonly capturedAt: string;
  /** The evaluation time as ISO, when projecting; null otherwise. */
  readonly asOfIso: string | null;
}

/** Guarded and, when projecting, projected findings. */
function judged(walk: WalkContext, findings: { now: readonly DescribedFinding[]; capture: readonly DescribedFinding[] | null }): readonly JudgedFinding[] {
  const now = guardFindings(findings.now, walk.integrity);
  if (findings.capture === null || walk.asOfIso === null) return now;
  return projectFindings(guardFindings(findings.capture, walk.integrity), now, walk.capturedAt, walk.asOfIso);
}

/** Finding ids of one identity (finding-id.ts): cleared after each identity. */
export { IdentityIds };

/**
 * For a pass that only counts (`trend`'s points): no finding id is computed (each is a SHA-256 of
 * the resource ARN), every result's id is empty, and the engine skips the uniqueness check, which
 * needs them. Counts and control statuses do not depend on the ids.
 */
export class NoIdentityIds extends IdentityIds {
  override id(): string {
    return '';
  }
}

/** A failure an active exception covers becomes `excepted`; one only an expired exception covers says so. */
function resultOf(run: RuleRun, finding: JudgedFinding, ids: IdentityIds): RuleResult {
  let exception: AppliedException | null = null;
  let expiredException: AppliedException | null = null;
  const { active, expired } = run.exceptions;
  if (finding.verdict === 'fail' && !(active.empty && expired.empty)) {
    const match = active.match(finding.resource);
    if (match !== undefined) {
      match.used = true;
      match.covered += 1;
      exception = applied(match.entry);
    } else {
      const lapsed = expired.match(finding.resource);
      if (lapsed !== undefined) {
        lapsed.covered += 1;
        expiredException = applied(lapsed.entry);
      }
    }
  }
  return {
    findingId: ids.id(run.rule.id, finding.resource.arn),
    ruleId: run.rule.id,
    severity: run.rule.severity,
    resourceType: finding.resource.type,
    resourceArn: finding.resource.arn,
    resourceName: finding.resource.name,
    status: exception === null ? finding.verdict : 'excepted',
    facts: finding.facts,
    evidence: finding.evidence,
    reason: finding.reason,
    exception,
    expiredException,
  };
}

function errorResult(run: RuleRun, resource: ResourceRef, reason: string, ids: IdentityIds): RuleResult {
  return {
    findingId: ids.id(run.rule.id, resource.arn),
    ruleId: run.rule.id,
    severity: run.rule.severity,
    resourceType: resource.type,
    resourceArn: resource.arn,
    resourceName: resource.name,
    status: 'error',
    facts: null,
    evidence: '',
    reason,
    exception: null,
    expiredException: null,
  };
}

/** One user, every rule that judges users: the user's batch of results. */
export function userBatch(walk: WalkContext, runs: readonly RuleRun[], user: UserFacts, ids: IdentityIds): RuleResult[] {
  const batch: RuleResult[] = [];
  for (const run of runs) {
    if (!run.judgesUsers) continue;
    let findings: readonly JudgedFinding[];
    try {
      findings = judged(walk, run.judgeUser(user));
    } catch (error) {
      batch.push(errorResult(run, { type: 'user', arn: user.arn, name: user.name }, `The rule failed to run on this user: ${errorMessage(error)}`, ids));
      continue;
    }
    for (const finding of findings) batch.push(resultOf(run, finding, ids));
  }
  return batch;
}

/** The account, every rule: a missing requirement's result, the account-level judgements, errors. */
export function accountBatch(walk: WalkContext, runs: readonly RuleRun[], ids: IdentityIds): RuleResult[] {
  const batch: RuleResult[] = [];
  const account = accountResource(walk.snapshot);
  for (const run of runs) {
    if (run.missing !== null) {
      batch.push(resultOf(run, { resource: account, verdict: 'not_evaluated', facts: null, evidence: '', reason: `Not evaluated: ${run.missing}.` }, ids));
      continue;
    }
    let findings: readonly JudgedFinding[];
    try {
      findings = judged(walk, run.judgeAccount(walk.snapshot));
    } catch (error) {
      // A population finding on the same ARN joins the error's reason (one result per finding id).
      const population = run.population === null ? [] : [run.population];
      batch.push(errorResult(run, account, [`The rule failed to run: ${errorMessage(error)}`, ...population].join(' '), ids));
      continue;
    }
    for (const finding of findings) batch.push(resultOf(run, finding, ids));
  }
  return batch;
}

/**
 * Finding ids must be unique within a run: `diff`, `trend` and `notify`'s quiet days follow a
 * finding by its id, and two results under one id would make one of them vanish (issue 23 §4: two
 * keys in one credential-report slot). Two results with one id are a bug, never the user's input:
 * the run stops rather than report them.
 */
export function assertUniqueFindingIds(results: readonly RuleResult[]): void {
  // One identity's batch (a dozen results): compared pairwise, no map built per identity.
  if (results.length <= SMALL_BATCH) {
    for (let later = 1; later < results.length; later += 1) {
      const id = (results[later] as RuleResult).findingId;
      for (let earlier = 0; earlier < later; earlier += 1) if ((results[earlier] as RuleResult).findingId === id) duplicate(results[earlier] as RuleResult, results[later] as RuleResult);
    }
    return;
  }
  const seen = new Map<string, RuleResult>();
  for (const result of results) {
    const earlier = seen.get(result.findingId);
    if (earlier === undefined) {
      seen.set(result.findingId, result);
      continue;
    }
    duplicate(earlier, result);
  }
}
const SMALL_BATCH = 32;

function duplicate(earlier: RuleResult, result: RuleResult): never {
  throw new InternalConsistencyError(
    `two results have the finding id ${result.findingId}: ${earlier.resourceName} (${earlier.resourceArn}, ${earlier.status}) and ${result.resourceName} (${result.resourceArn}, ${result.status})`,
  );
}

/** The ARN a resource belongs to: a key `arn:...:user/alice#access_key_1` belongs to the user. */
function ownerArn(arn: string): string {
  const hash = arn.indexOf('#');
  return hash < 0 ? arn : arn.slice(0, hash);
}

/**
 * The uniqueness check without holding every id: within a batch exactly; across batches, two
 * identities' results can share an id only when they share an owner ARN (a finding id is the rule
 * and the resource ARN), so only the results of users whose ARN repeats in the snapshot are
 * remembered. An account-wide result about a user's ARN from a rule that also judges users could
 * repeat one of that user's ids, which are no longer held: the run stops on it (no rule does that).
 */
export class UniqueIds {
  /** Every user's ARN, made only when an account-wide result could name one (none does today). */
  private userArnSet: Set<string> | null = null;
  private readonly repeatedArns = new Set<string>();
  private readonly remembered = new Map<string, RuleResult>();

  /** `unique`: the users' ARNs are known to be unique (a validated snapshot), so none is looked for twice. */
  constructor(
    private readonly users: readonly UserFacts[],
    unique: boolean,
  ) {
    if (unique) return;
    const seen = new Set<string>();
    for (const user of users) {
      if (seen.has(user.arn)) this.repeatedArns.add(user.arn);
      else seen.add(user.arn);
    }
    this.userArnSet = seen;
  }

  private get userArns(): Set<string> {
    this.userArnSet ??= new Set(this.users.map((user) => user.arn));
    return this.userArnSet;
  }

  checkUser(batch: readonly RuleResult[]): void {
    assertUniqueFindingIds(batch);
    if (this.repeatedArns.size === 0) return;
    for (const result of batch) {
      if (!this.repeatedArns.has(ownerArn(result.resourceArn))) continue;
      const earlier = this.remembered.get(result.findingId);
      if (earlier !== undefined) assertUniqueFindingIds([earlier, result]);
      this.remembered.set(result.findingId, result);
    }
  }

  checkAccount(batch: readonly RuleResult[], userRuleIds: ReadonlySet<string>): void {
    assertUniqueFindingIds(batch);
    for (const result of batch) {
      if (!userRuleIds.has(result.ruleId) || !this.userArns.has(ownerArn(result.resourceArn))) continue;
      throw new InternalConsistencyError(
        `rule ${result.ruleId} judges users one by one but also named ${result.resourceName} (${result.resourceArn}) account-wide, which could repeat a finding id`,
      );
    }
  }
}
