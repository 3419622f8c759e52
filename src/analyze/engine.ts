/**
 * The rule engine: runs every enabled rule over the snapshot, turns a missing account-level
 * requirement into `not_evaluated` (never `pass`), a throwing rule into an `error` result, applies the exceptions,
 * counts, and rolls the results up into each framework's control status.
 *
 * Pure: no clock (the caller passes `now`, the capture time or --as-of), no I/O. The same input
 * gives the same result, in the same order: rules by id, each rule's results in the order the
 * rule gave them (a pure function of the snapshot), frameworks and controls in their own order.
 */
import type { Snapshot } from '../snapshot/types.js';
import { REQUIREMENTS, type Rule, type RuleFinding, type RuleOptions } from '../rules/rule.js';
import type { Framework, FrameworkControl } from '../frameworks/framework.js';
import type { FileIdentity } from './file-identity.js';
import type {
  AppliedException,
  CatalogueResult,
  ControlResult,
  ControlStatus,
  FrameworkResult,
  RuleResult,
  RuleResultStatus,
  RuleSummary,
  RemediationConfig,
} from './result.js';
import { checkIntegrity, guardFindings, type JudgedFinding, type SnapshotIntegrity } from './integrity.js';
import { projectFindings } from './projection.js';
import { toIsoUtc } from '../util/time.js';
import { applied, ExceptionMatcher, exceptionsReport, NO_EXCEPTIONS, trackExceptions, type ExceptionList, type TrackedException } from './exception-matching.js';
import { accountResource, missingRequirements, incompletePopulations } from './requirements.js';
import { FindingIds } from './finding-id.js';
import { InternalConsistencyError } from '../util/errors.js';

// Re-exported: the configuration, the CLI and the tests name them as parts of the engine's input.
export { NO_EXCEPTIONS, type ExceptionList, type RuleException } from './exception-matching.js';
export { accountResource, describeCounts, incompletePopulations, missingRequirement } from './requirements.js';
export type { FileIdentity } from './file-identity.js';

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
}

export const RESULT_STATUSES: readonly RuleResultStatus[] = ['pass', 'fail', 'not_applicable', 'not_evaluated', 'error', 'excepted'];
const CONTROL_STATUSES: readonly ControlStatus[] = ['pass', 'pass_with_exceptions', 'fail', 'not_evaluated', 'manual'];

function zeroCounts<Status extends string>(statuses: readonly Status[]): Record<Status, number> {
  return Object.fromEntries(statuses.map((status) => [status, 0])) as Record<Status, number>;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Effective enabled flag and options for a rule: its defaults, overridden by the configuration. */
export function ruleSettings(rule: Rule, configuration: CatalogueConfiguration): { enabled: boolean; options: RuleOptions } {
  const settings = Object.hasOwn(configuration.rules, rule.id) ? configuration.rules[rule.id] : undefined;
  return { enabled: settings?.enabled ?? true, options: { ...rule.defaultOptions, ...settings?.options } };
}

function evaluateRule(rule: Rule, snapshot: Snapshot, now: number, options: RuleOptions): { findings: readonly RuleFinding[]; error: string | null } {
  const missing = missingRequirements(snapshot, rule.requires);
  if (missing !== null) {
    return { findings: [{ resource: accountResource(snapshot), verdict: 'not_evaluated', evidence: '', reason: `Not evaluated: ${missing}.` }], error: null };
  }
  const incomplete = incompletePopulations(snapshot, rule.requires);
  const populationFindings: RuleFinding[] = incomplete === null ? [] : [{ resource: accountResource(snapshot), verdict: 'not_evaluated', evidence: '', reason: incomplete }];
  try {
    const findings = rule.evaluate(snapshot, { now, options });
    return { findings: populationFindings.length === 0 ? findings : withPopulationFindings(populationFindings, findings), error: null };
  } catch (error) {
    return { findings: populationFindings, error: errorMessage(error) };
  }
}

/**
 * The "population incomplete" findings are on the account's ARN, which is also root's: a rule that
 * judges root or the account itself (root-hardware-mfa, support-role-exists) would give two results
 * with one finding id. Such a finding takes the population's reason instead, and cannot stay clean:
 * pass and not_applicable become not_evaluated (the control's status is what the two results gave).
 */
function withPopulationFindings(population: readonly RuleFinding[], findings: readonly RuleFinding[]): RuleFinding[] {
  const pending = [...population];
  const merged = findings.map((finding): RuleFinding => {
    const index = pending.findIndex((entry) => entry.resource.arn === finding.resource.arn);
    const incomplete = pending[index];
    if (incomplete === undefined) return finding;
    pending.splice(index, 1);
    const clean = finding.verdict === 'pass' || finding.verdict === 'not_applicable';
    return { ...finding, verdict: clean ? 'not_evaluated' : finding.verdict, reason: finding.reason === null ? incomplete.reason : `${finding.reason} ${incomplete.reason ?? ''}`.trim() };
  });
  return pending.length === 0 ? merged : [...pending, ...merged];
}

/**
 * Runs a rule at the evaluation time and, when that is after the capture time, also at the
 * capture time, so that a projection never improves a verdict (see projection.ts). Findings that
 * rest on impossible values become errors (see integrity.ts).
 */
function judgeRule(
  rule: Rule,
  snapshot: Snapshot,
  now: number,
  options: RuleOptions,
  integrity: SnapshotIntegrity,
): { findings: readonly JudgedFinding[]; error: string | null } {
  const atNow = evaluateRule(rule, snapshot, now, options);
  const capturedMs = Date.parse(snapshot.capturedAt);
  if (atNow.error !== null || integrity.clockProblem !== null || !(now > capturedMs)) return { findings: guardFindings(atNow.findings, integrity), error: atNow.error };
  const atCapture = evaluateRule(rule, snapshot, capturedMs, options);
  if (atCapture.error !== null) return { findings: [], error: atCapture.error };
  const projected = projectFindings(guardFindings(atCapture.findings, integrity), guardFindings(atNow.findings, integrity), snapshot.capturedAt, toIsoUtc(new Date(now)));
  return { findings: projected, error: null };
}

/** What a control needs to know of one rule's results, computed once per rule. */
interface RuleOutcome {
  readonly anyFail: boolean;
  /** Every result is pass, not_applicable or excepted (vacuously true without results). */
  readonly allClean: boolean;
  /** Some failure is covered by a valid exception. */
  readonly anyExcepted: boolean;
  readonly count: number;
}

function ruleOutcome(results: readonly RuleResult[]): RuleOutcome {
  let anyFail = false;
  let allClean = true;
  let anyExcepted = false;
  for (const result of results) {
    if (result.status === 'fail') anyFail = true;
    if (result.status === 'excepted') anyExcepted = true;
    if (result.status !== 'pass' && result.status !== 'not_applicable' && result.status !== 'excepted') allClean = false;
  }
  return { anyFail, allClean, anyExcepted, count: results.length };
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

/** The exceptions one rule's failures are matched against. */
interface RuleExceptions {
  readonly active: ExceptionMatcher;
  readonly expired: ExceptionMatcher;
}

function exceptionsForRule(ruleId: string, active: readonly TrackedException[], expired: readonly TrackedException[]): RuleExceptions {
  return {
    active: new ExceptionMatcher(active.filter((exception) => exception.entry.ruleId === ruleId)),
    expired: new ExceptionMatcher(expired.filter((exception) => exception.entry.ruleId === ruleId)),
  };
}

/** A failure an active exception covers becomes `excepted`; one only an expired exception covers says so. */
function resultOf(rule: Rule, finding: JudgedFinding, exceptions: RuleExceptions, ids: FindingIds): RuleResult {
  let exception: AppliedException | null = null;
  let expiredException: AppliedException | null = null;
  if (finding.verdict === 'fail' && !(exceptions.active.empty && exceptions.expired.empty)) {
    const match = exceptions.active.match(finding.resource);
    if (match !== undefined) {
      match.used = true;
      match.covered += 1;
      exception = applied(match.entry);
    } else {
      const lapsed = exceptions.expired.match(finding.resource);
      if (lapsed !== undefined) {
        lapsed.covered += 1;
        expiredException = applied(lapsed.entry);
      }
    }
  }
  return {
    findingId: ids.id(rule.id, finding.resource.arn),
    ruleId: rule.id,
    severity: rule.severity,
    resourceType: finding.resource.type,
    resourceArn: finding.resource.arn,
    resourceName: finding.resource.name,
    status: exception === null ? finding.verdict : 'excepted',
    evidence: finding.evidence,
    reason: finding.reason,
    exception,
    expiredException,
  };
}

/** One enabled rule's results: an `error` result first when it threw, then one result per finding. */
function ruleResults(rule: Rule, snapshot: Snapshot, judged: { findings: readonly JudgedFinding[]; error: string | null }, exceptions: RuleExceptions, ids: FindingIds): RuleResult[] {
  const results: RuleResult[] = [];
  let findings = judged.findings;
  if (judged.error !== null) {
    const resource = accountResource(snapshot);
    // A population finding on the same ARN joins the error's reason (one result per finding id).
    const joined = findings.filter((finding) => finding.resource.arn === resource.arn);
    findings = findings.filter((finding) => finding.resource.arn !== resource.arn);
    const reasons = joined.map((finding) => finding.reason).filter((reason): reason is string => reason !== null);
    results.push({
      findingId: ids.id(rule.id, resource.arn),
      ruleId: rule.id,
      severity: rule.severity,
      resourceType: resource.type,
      resourceArn: resource.arn,
      resourceName: resource.name,
      status: 'error',
      evidence: '',
      reason: [`The rule failed to run: ${judged.error}`, ...reasons].join(' '),
      exception: null,
      expiredException: null,
    });
  }
  for (const finding of findings) results.push(resultOf(rule, finding, exceptions, ids));
  return results;
}

/**
 * Finding ids must be unique within a run: `diff`, `trend` and `notify`'s quiet days follow a
 * finding by its id, and two results under one id would make one of them vanish (issue 23 §4: two
 * keys in one credential-report slot). Two results with one id are a bug, never the user's input:
 * the run stops rather than report them.
 */
export function assertUniqueFindingIds(results: readonly RuleResult[]): void {
  const seen = new Map<string, RuleResult>();
  for (const result of results) {
    const earlier = seen.get(result.findingId);
    if (earlier === undefined) {
      seen.set(result.findingId, result);
      continue;
    }
    throw new InternalConsistencyError(
      `two results have the finding id ${result.findingId}: ${earlier.resourceName} (${earlier.resourceArn}, ${earlier.status}) and ${result.resourceName} (${result.resourceArn}, ${result.status})`,
    );
  }
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

export function runCatalogue(input: CatalogueInput): CatalogueResult {
  const { snapshot, now } = input;
  const configuration = input.configuration ?? DEFAULT_CONFIGURATION;
  const { active, expired } = trackExceptions(input.exceptions ?? NO_EXCEPTIONS, now);
  const selected = configuration.frameworks;
  const frameworks = selected === null ? input.frameworks : input.frameworks.filter((framework) => selected.includes(framework.id));
  // Ordinal comparison, not localeCompare: the order must not depend on the machine's locale.
  const rules = [...input.rules].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const integrity = checkIntegrity(snapshot, now);
  const ids = new FindingIds();

  const results: RuleResult[] = [];
  const summaries: RuleSummary[] = [];
  const outcomes = new Map<string, RuleOutcome>();
  for (const rule of rules) {
    const settings = ruleSettings(rule, configuration);
    const counts = zeroCounts(RESULT_STATUSES);
    if (settings.enabled) {
      const judged = judgeRule(rule, snapshot, now, settings.options, integrity);
      const own = ruleResults(rule, snapshot, judged, exceptionsForRule(rule.id, active, expired), ids);
      for (const result of own) counts[result.status] += 1;
      outcomes.set(rule.id, ruleOutcome(own));
      // One push per result: spreading 100,000 results into push() overflows the call stack.
      for (const result of own) results.push(result);
    }
    summaries.push(ruleSummary(rule, frameworks, settings, counts));
  }
  assertUniqueFindingIds(results);
  return {
    rules: summaries,
    results,
    frameworks: frameworks.map((framework) => frameworkResult(framework, outcomes)),
    exceptions: exceptionsReport(input.exceptions?.file ?? null, active, expired),
    configuration: { file: configuration.file },
  };
}
