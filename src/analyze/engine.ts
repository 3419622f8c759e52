/**
 * The rule engine: walks the identities once (identity-walk.ts), every enabled rule judging each
 * user and then the account; turns a missing account-level requirement into `not_evaluated` (never
 * `pass`), a throwing judgement into an `error` result, applies the exceptions, counts, and rolls
 * the counts up into each framework's control status.
 *
 * `runCataloguePass` hands each identity's results to a sink and keeps none of them: what it
 * returns is the catalogue's summary (rules with their counts, frameworks, exceptions). For the
 * callers that need every result in one list (the printable report, `verify --reproduce`,
 * comparisons, tests), `runCatalogue` collects them in the same order.
 *
 * Pure: no clock (the caller passes `now`, the capture time or --as-of), no I/O. The same input
 * gives the same result, in the same order: the users in the snapshot's order, rules by id
 * within an identity, frameworks and controls in their own order.
 */
import type { Snapshot } from '../snapshot/types.js';
import { passedValidation } from '../snapshot/valid-snapshots.js';
import { REQUIREMENTS, type Rule, type RuleOptions } from '../rules/rule.js';
import type { Framework, FrameworkControl } from '../frameworks/framework.js';
import type { FileIdentity } from './file-identity.js';
import type { CatalogueResult, ControlResult, ControlStatus, FrameworkResult, RuleResult, RuleResultStatus, RuleSummary, RemediationConfig } from './result.js';
import { checkIntegrity } from './integrity.js';
import { toIsoUtc } from '../util/time.js';
import { ExceptionMatcher, exceptionsReport, NO_EXCEPTIONS, trackExceptions, type ExceptionList, type TrackedException } from './exception-matching.js';
import { accountBatch, IdentityIds, NoIdentityIds, RuleRun, UniqueIds, userBatch, type ResultSink, type RuleExceptions, type RuleOutcome, type WalkContext } from './identity-walk.js';

// Re-exported: the configuration, the CLI and the tests name them as parts of the engine's input.
export { NO_EXCEPTIONS, type ExceptionList, type RuleException } from './exception-matching.js';
export { accountResource, describeCounts, incompletePopulations, missingRequirement } from './requirements.js';
export type { FileIdentity } from './file-identity.js';
export { assertUniqueFindingIds, type ResultSink } from './identity-walk.js';

/** A framework as the engine reads it: like Framework, but any rule id (tests bring their own rules). */
export type CatalogueFramework = Omit<Framework, 'controls'> & {
  readonly controls: readonly (Omit<FrameworkControl, 'rules'> & { readonly rules: readonly string[] })[];
};

/** One rule's settings from the configuration file; anything left out keeps the rule's default. */
export interface RuleSettings {
  readonly enabled?: boolean;
  readonly options?: RuleOptions;
}

export interface CatalogueConfiguration {
  /** The configuration file, or null for the defaults. */
  readonly file: FileIdentity | null;
  readonly rules: Readonly<Record<string, RuleSettings>>;
  /** Framework ids to report on; null means every framework. */
  readonly frameworks: readonly string[] | null;
  /** Due dates and owner tags for remediation tracking; read by the report use case, not the engine. */
  readonly remediation?: RemediationConfig;
}

export const DEFAULT_CONFIGURATION: CatalogueConfiguration = { file: null, rules: {}, frameworks: null };

export interface CatalogueInput {
  readonly snapshot: Snapshot;
  /** The instant time-based checks measure against (ms): capture time or --as-of. */
  readonly now: number;
  readonly rules: readonly Rule[];
  readonly frameworks: readonly CatalogueFramework[];
  readonly configuration?: CatalogueConfiguration;
  readonly exceptions?: ExceptionList;
  /**
   * False for a pass whose sink only counts (trend points): results get no finding id (empty) and
   * their uniqueness is not checked. Anything that writes, compares or follows results keeps them.
   */
  readonly findingIds?: boolean;
}

export const RESULT_STATUSES: readonly RuleResultStatus[] = ['pass', 'fail', 'not_applicable', 'not_evaluated', 'error', 'excepted'];
const CONTROL_STATUSES: readonly ControlStatus[] = ['pass', 'pass_with_exceptions', 'fail', 'not_evaluated', 'manual'];

function zeroCounts<Status extends string>(statuses: readonly Status[]): Record<Status, number> {
  return Object.fromEntries(statuses.map((status) => [status, 0])) as Record<Status, number>;
}

/** Effective enabled flag and options for a rule: its defaults, overridden by the configuration. */
export function ruleSettings(rule: Rule, configuration: CatalogueConfiguration): { enabled: boolean; options: RuleOptions } {
  const settings = Object.hasOwn(configuration.rules, rule.id) ? configuration.rules[rule.id] : undefined;
  return { enabled: settings?.enabled ?? true, options: { ...rule.defaultOptions, ...settings?.options } };
}

/**
 * A control fails when any of its rules has a failure; passes when every one of its rules ran and
 * all their results are pass, not_applicable or excepted, with at least one result in all (with
 * exceptions when any was excepted); is
 * manual when it maps no rule; and is not evaluated otherwise (missing data, an error, a disabled rule).
 */
function controlStatus(ruleIds: readonly string[], outcomes: ReadonlyMap<string, RuleOutcome>): ControlStatus {
  if (ruleIds.length === 0) return 'manual';
  const known = ruleIds.map((ruleId) => outcomes.get(ruleId));
  if (known.some((outcome) => outcome?.anyFail === true)) return 'fail';
  // A disabled (or unknown) rule leaves the control not fully judged.
  const everyRuleClean = known.every((outcome) => outcome?.allClean === true);
  const results = known.reduce((sum, outcome) => sum + (outcome?.count ?? 0), 0);
  if (!(everyRuleClean && results > 0)) return 'not_evaluated';
  return known.some((outcome) => outcome?.anyExcepted === true) ? 'pass_with_exceptions' : 'pass';
}

function exceptionsForRule(ruleId: string, active: readonly TrackedException[], expired: readonly TrackedException[]): RuleExceptions {
  return {
    active: new ExceptionMatcher(active.filter((exception) => exception.entry.ruleId === ruleId)),
    expired: new ExceptionMatcher(expired.filter((exception) => exception.entry.ruleId === ruleId)),
  };
}

function ruleSummary(rule: Rule, frameworks: readonly CatalogueFramework[], settings: { enabled: boolean; options: RuleOptions }, counts: Record<RuleResultStatus, number>): RuleSummary {
  return {
    id: rule.id,
    title: rule.title,
    severity: rule.severity,
    rationale: rule.rationale,
    remediation: { console: [...rule.remediation.console], cli: rule.remediation.cli },
    requires: rule.requires.map((requirement) => ({ requirement, ...REQUIREMENTS[requirement] })),
    controls: frameworks.flatMap((framework) =>
      framework.controls.filter((control) => control.rules.includes(rule.id)).map((control) => ({ framework: framework.id, controlId: control.id })),
    ),
    options: settings.options,
    counts,
    enabled: settings.enabled,
  };
}

function frameworkResult(framework: CatalogueFramework, outcomes: ReadonlyMap<string, RuleOutcome>): FrameworkResult {
  const counts = zeroCounts(CONTROL_STATUSES);
  const controls: ControlResult[] = framework.controls.map((control) => {
    const status = controlStatus(control.rules, outcomes);
    counts[status] += 1;
    return { controlId: control.id, title: control.title, level: control.level ?? null, assessment: control.assessment ?? null, status, ruleIds: [...control.rules] };
  });
  return { id: framework.id, name: framework.name, version: framework.version, controls, counts, ...(framework.statusLabels === undefined ? {} : { statusLabels: framework.statusLabels }) };
}

/** The catalogue without its results: what the engine keeps after the pass. */
export type CatalogueSummary = Omit<CatalogueResult, 'results'>;

/**
 * The one pass: every identity's results go to `sink` as soon as they are judged (the users in
 * the snapshot's order, then the account), and are not kept here. Throws InternalConsistencyError
 * when two results would share a finding id.
 */
export function runCataloguePass(input: CatalogueInput, sink: ResultSink): CatalogueSummary {
  const { snapshot, now } = input;
  const configuration = input.configuration ?? DEFAULT_CONFIGURATION;
  const { active, expired } = trackExceptions(input.exceptions ?? NO_EXCEPTIONS, now);
  const selected = configuration.frameworks;
  const frameworks = selected === null ? input.frameworks : input.frameworks.filter((framework) => selected.includes(framework.id));
  // Ordinal comparison, not localeCompare: the order must not depend on the machine's locale.
  const rules = [...input.rules].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const integrity = checkIntegrity(snapshot, now);
  const capturedMs = Date.parse(snapshot.capturedAt);
  // Judged at the capture time too when --as-of is later, so that a projection never improves a verdict.
  const project = integrity.clockProblem === null && now > capturedMs;
  const walk: WalkContext = { snapshot, integrity, capturedAt: snapshot.capturedAt, asOfIso: project ? toIsoUtc(new Date(now)) : null };

  const summaries: { rule: Rule; settings: { enabled: boolean; options: RuleOptions }; counts: Record<RuleResultStatus, number> }[] = [];
  const runs: RuleRun[] = [];
  for (const rule of rules) {
    const settings = ruleSettings(rule, configuration);
    const counts = zeroCounts(RESULT_STATUSES);
    summaries.push({ rule, settings, counts });
    if (settings.enabled) runs.push(new RuleRun(rule, settings.options, exceptionsForRule(rule.id, active, expired), snapshot, { now, capturedMs, project }, counts));
  }
  const counting = input.findingIds === false;
  const unique = counting ? null : new UniqueIds(snapshot.users, passedValidation(snapshot));
  const ids = counting ? new NoIdentityIds() : new IdentityIds();
  const runOf = new Map(runs.map((run) => [run.rule.id, run]));
  const emit = (batch: readonly RuleResult[]): void => {
    for (const result of batch) runOf.get(result.ruleId)?.record(result);
    sink(batch);
  };
  if (runs.some((run) => run.judgesUsers)) {
    for (const user of snapshot.users) {
      const batch = userBatch(walk, runs, user, ids);
      ids.clear();
      unique?.checkUser(batch);
      emit(batch);
    }
  }
  const batch = accountBatch(walk, runs, ids);
  ids.clear();
  unique?.checkAccount(batch, new Set(runs.filter((run) => run.judgesUsers).map((run) => run.rule.id)));
  emit(batch);

  const outcomes = new Map<string, RuleOutcome>(runs.map((run) => [run.rule.id, run.outcome]));
  return {
    rules: summaries.map(({ rule, settings, counts }) => ruleSummary(rule, frameworks, settings, counts)),
    frameworks: frameworks.map((framework) => frameworkResult(framework, outcomes)),
    exceptions: exceptionsReport(input.exceptions?.file ?? null, active, expired),
    configuration: { file: configuration.file },
  };
}

/**
 * The whole catalogue with every result in one list, in the order the engine judges them (each
 * user in the snapshot's order with its results rule by rule, then the account's): the order a
 * streamed report writes, so both give the same files. For callers that need the list.
 */
export function runCatalogue(input: CatalogueInput): CatalogueResult {
  const results: RuleResult[] = [];
  // One push per result: spreading 100,000 results into push() overflows the call stack.
  const summary = runCataloguePass(input, (batch) => {
    for (const result of batch) results.push(result);
  });
  return { ...summary, results };
}
