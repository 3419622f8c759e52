/**
 * The rule engine: runs every enabled rule over the snapshot, turns a missing account-level
 * requirement into `not_evaluated` (never `pass`), a throwing rule into an `error` result, applies the exceptions,
 * counts, and rolls the results up into each framework's control status.
 *
 * Pure: no clock (the caller passes `now`, the capture time or --as-of), no I/O. The same input
 * gives the same result, in the same order: rules by id, each rule's results in the order the
 * rule gave them (a pure function of the snapshot), frameworks and controls in their own order.
 */
import picomatch from 'picomatch';
import type { Fact, PopulationName, PopulationStatus, Snapshot } from '../snapshot/types.js';
import { REQUIREMENTS, type Requirement, type ResourceRef, type Rule, type RuleFinding, type RuleOptions } from '../rules/rule.js';
import type { Framework, FrameworkControl } from '../frameworks/framework.js';
import type {
  AppliedException,
  CatalogueResult,
  ControlResult,
  ControlStatus,
  ExceptionsReport,
  FrameworkResult,
  RuleResult,
  RuleResultStatus,
  RuleSummary,
} from './result.js';
import { checkIntegrity, guardFindings, type JudgedFinding, type SnapshotIntegrity } from './integrity.js';
import { projectFindings } from './projection.js';
import { toIsoUtc } from '../util/time.js';

/** A framework as the engine reads it: like Framework, but any rule id (tests bring their own rules). */
export type CatalogueFramework = Omit<Framework, 'controls'> & {
  readonly controls: readonly (Omit<FrameworkControl, 'rules'> & { readonly rules: readonly string[] })[];
};

export interface FileIdentity {
  readonly name: string;
  readonly sha256: string;
}

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
}

export const DEFAULT_CONFIGURATION: CatalogueConfiguration = { file: null, rules: {}, frameworks: null };

/** One validated entry of the exceptions file. */
export interface RuleException {
  /** Position in the file (0-based), to name the entry in messages. */
  readonly index: number;
  readonly ruleId: string;
  /** Exact ARN, exact resource name, or a picomatch glob over either. */
  readonly resource: string;
  readonly justification: string;
  readonly approvedBy: string;
  /** As written in the file: a date (valid through that whole UTC day) or an ISO instant. */
  readonly expires: string;
  /** The first instant (ms) at which the exception no longer applies. */
  readonly expiresAtMs: number;
}

export interface ExceptionList {
  readonly file: FileIdentity | null;
  readonly entries: readonly RuleException[];
}

export const NO_EXCEPTIONS: ExceptionList = { file: null, entries: [] };

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
const CONTROL_STATUSES: readonly ControlStatus[] = ['pass', 'fail', 'not_evaluated', 'manual'];

/** The resource a whole-account result is about (missing data, a rule that threw). */
export function accountResource(snapshot: Snapshot): ResourceRef {
  // arn:aws:iam::<id>:root is how IAM policies name the account itself.
  return { type: 'account', arn: `arn:${snapshot.account.partition}:iam::${snapshot.account.id}:root`, name: 'account' };
}

function describeAbsence(fact: Fact<unknown>): string {
  if (fact.known) return 'present';
  if (fact.reason === 'collection_failed') return `its collection failed${fact.detail === undefined ? '' : ` (${fact.detail})`}`;
  return 'it was not collected';
}

const ACCOUNT_FACTS: Partial<Record<Requirement, (snapshot: Snapshot) => Fact<unknown>>> = {
  'account.summary': (snapshot) => snapshot.accountFacts.summary,
  'account.passwordPolicy': (snapshot) => snapshot.accountFacts.passwordPolicy,
  'account.virtualMfaDevices': (snapshot) => snapshot.accountFacts.virtualMfaDevices,
  'account.managedPolicies': (snapshot) => snapshot.accountFacts.managedPolicies,
  'account.groups': (snapshot) => snapshot.accountFacts.groups,
  'account.roles': (snapshot) => snapshot.accountFacts.roles,
  'account.serverCertificates': (snapshot) => snapshot.accountFacts.serverCertificates,
};

/**
 * Why the snapshot cannot serve an account-level requirement (`root`, `account.*`), or null when
 * it can. Per-user requirements (`users.*`) never stop a rule: a fact may be missing for one user
 * and present for another, and a rule judging several facts per user (password and keys) still
 * judges the ones it has, so the rule reports each user's missing fact itself, with its source.
 */
export function missingRequirement(snapshot: Snapshot, requirement: Requirement): string | null {
  if (requirement === 'root') return snapshot.root === null ? 'the snapshot has no root user row' : null;
  const accountFact = ACCOUNT_FACTS[requirement];
  if (accountFact === undefined) return null;
  const fact = accountFact(snapshot);
  return fact.known ? null : describeAbsence(fact);
}

/** The account-wide lists each requirement judges "every member" of. */
const POPULATIONS_JUDGED: Readonly<Record<Requirement, readonly PopulationName[]>> = {
  root: [],
  users: ['users'],
  'users.password': ['users'],
  'users.passwordLastUsed': ['users'],
  'users.mfa': ['users', 'mfaDevices'],
  'users.mfaDevices': ['users', 'mfaDevices'],
  'users.accessKeys': ['users'],
  'users.accessKeysLastUsed': ['users'],
  'users.policies': ['users'],
  'account.summary': [],
  'account.passwordPolicy': [],
  'account.virtualMfaDevices': ['virtualMfaDevices'],
  'account.managedPolicies': ['managedPolicies'],
  'account.groups': ['groups'],
  'account.roles': ['roles'],
  'account.serverCertificates': ['serverCertificates'],
};

const POPULATION_NAMES: Readonly<Record<PopulationName, string>> = {
  users: 'the list of IAM users',
  mfaDevices: 'the list of MFA devices in use',
  managedPolicies: 'the list of managed policies',
  groups: 'the list of groups',
  roles: 'the list of roles',
  virtualMfaDevices: 'the list of virtual MFA devices',
  serverCertificates: 'the list of server certificates',
};

/** "expected 14 (iam:GetAccountSummary Users), collected 3" */
export function describeCounts(population: PopulationStatus): string {
  const expected = population.expected === null ? '' : `expected ${population.expected}${population.expectedSource === null ? '' : ` (${population.expectedSource})`}, `;
  return `${expected}collected ${population.collected}`;
}

/**
 * Why a rule cannot pass for the whole account: the populations it judges that are known to be
 * incomplete. A rule judges the members it has (it may still fail on them), but a member that was
 * never listed could fail too, so the account-level verdict stays open.
 */
export function incompletePopulations(snapshot: Snapshot, requires: readonly Requirement[]): string | null {
  const names = [...new Set(requires.flatMap((requirement) => POPULATIONS_JUDGED[requirement]))];
  const problems = names
    .filter((name) => snapshot.populations[name].state === 'incomplete')
    .map((name) => {
      const population = snapshot.populations[name];
      return `${POPULATION_NAMES[name]} is incomplete (${population.reason ?? 'no reason recorded'}; ${describeCounts(population)})`;
    });
  if (problems.length === 0) return null;
  return `Not evaluated for the whole account: ${problems.join('; ')}. The other results of this rule cover only the members collected; an unlisted one could fail.`;
}

function applied(entry: RuleException): AppliedException {
  return { justification: entry.justification, approvedBy: entry.approvedBy, expires: entry.expires, resourcePattern: entry.resource };
}

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

interface TrackedException {
  readonly entry: RuleException;
  used: boolean;
}

/**
 * One rule's active exceptions, ready to match many results: exact patterns (ARN or name) in a
 * map, globs compiled once to regular expressions. The first matching entry in file order wins.
 */
class ExceptionMatcher {
  private readonly exact = new Map<string, TrackedException[]>();
  private readonly globs: { readonly exception: TrackedException; readonly pattern: RegExp }[] = [];

  constructor(exceptions: readonly TrackedException[]) {
    for (const exception of exceptions) {
      const resource = exception.entry.resource;
      if (picomatch.scan(resource).isGlob) this.globs.push({ exception, pattern: picomatch.makeRe(resource, { dot: true }) });
      else this.exact.set(resource, [...(this.exact.get(resource) ?? []), exception]);
    }
  }

  get empty(): boolean {
    return this.exact.size === 0 && this.globs.length === 0;
  }

  match(resource: ResourceRef): TrackedException | undefined {
    let best: TrackedException | undefined;
    for (const key of [resource.arn, resource.name]) {
      for (const candidate of this.exact.get(key) ?? []) {
        if (best === undefined || candidate.entry.index < best.entry.index) best = candidate;
      }
    }
    for (const { exception, pattern } of this.globs) {
      if (best !== undefined && exception.entry.index > best.entry.index) break;
      if (pattern.test(resource.arn) || pattern.test(resource.name)) {
        best = exception;
        break;
      }
    }
    return best;
  }
}

function evaluateRule(rule: Rule, snapshot: Snapshot, now: number, options: RuleOptions): { findings: readonly RuleFinding[]; error: string | null } {
  const missing = rule.requires
    .map((requirement) => ({ requirement, why: missingRequirement(snapshot, requirement) }))
    .filter((item): item is { requirement: Requirement; why: string } => item.why !== null);
  if (missing.length > 0) {
    const reason = missing
      .map(({ requirement, why }) => `needs ${REQUIREMENTS[requirement].description}, but ${why}; evaluated from ${REQUIREMENTS[requirement].source}`)
      .join('; ');
    return { findings: [{ resource: accountResource(snapshot), verdict: 'not_evaluated', evidence: '', reason: `Not evaluated: ${reason}.` }], error: null };
  }
  const incomplete = incompletePopulations(snapshot, rule.requires);
  const populationFindings: RuleFinding[] = incomplete === null ? [] : [{ resource: accountResource(snapshot), verdict: 'not_evaluated', evidence: '', reason: incomplete }];
  try {
    const findings = rule.evaluate(snapshot, { now, options });
    return { findings: populationFindings.length === 0 ? findings : populationFindings.concat(findings), error: null };
  } catch (error) {
    return { findings: populationFindings, error: errorMessage(error) };
  }
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
  readonly count: number;
}

function ruleOutcome(results: readonly RuleResult[]): RuleOutcome {
  let anyFail = false;
  let allClean = true;
  for (const result of results) {
    if (result.status === 'fail') anyFail = true;
    if (result.status !== 'pass' && result.status !== 'not_applicable' && result.status !== 'excepted') allClean = false;
  }
  return { anyFail, allClean, count: results.length };
}

/**
 * A control fails when any of its rules has a failure; passes when every one of its rules ran and
 * all their results are pass, not_applicable or excepted, with at least one result in all; is
 * manual when it maps no rule; and is not evaluated otherwise (missing data, an error, a disabled rule).
 */
function controlStatus(ruleIds: readonly string[], outcomes: ReadonlyMap<string, RuleOutcome>): ControlStatus {
  if (ruleIds.length === 0) return 'manual';
  const known = ruleIds.map((ruleId) => outcomes.get(ruleId));
  if (known.some((outcome) => outcome?.anyFail === true)) return 'fail';
  // A disabled (or unknown) rule leaves the control not fully judged.
  const everyRuleClean = known.every((outcome) => outcome?.allClean === true);
  const results = known.reduce((sum, outcome) => sum + (outcome?.count ?? 0), 0);
  return everyRuleClean && results > 0 ? 'pass' : 'not_evaluated';
}

export function runCatalogue(input: CatalogueInput): CatalogueResult {
  const { snapshot, now } = input;
  const configuration = input.configuration ?? DEFAULT_CONFIGURATION;
  // In file order, so that the first matching entry wins.
  const exceptions: TrackedException[] = [...(input.exceptions ?? NO_EXCEPTIONS).entries]
    .sort((a, b) => a.index - b.index)
    .map((entry) => ({ entry, used: false }));
  const expired = exceptions.filter((exception) => now >= exception.entry.expiresAtMs);
  const active = exceptions.filter((exception) => now < exception.entry.expiresAtMs);

  const selected = configuration.frameworks;
  const frameworks = selected === null ? input.frameworks : input.frameworks.filter((framework) => selected.includes(framework.id));
  // Ordinal comparison, not localeCompare: the order must not depend on the machine's locale.
  const rules = [...input.rules].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const integrity = checkIntegrity(snapshot, now);

  const results: RuleResult[] = [];
  const summaries: RuleSummary[] = [];
  const outcomes = new Map<string, RuleOutcome>();
  for (const rule of rules) {
    const { enabled, options } = ruleSettings(rule, configuration);
    const counts = zeroCounts(RESULT_STATUSES);
    if (enabled) {
      const ruleResults: RuleResult[] = [];
      const { findings, error } = judgeRule(rule, snapshot, now, options, integrity);
      if (error !== null) {
        const resource = accountResource(snapshot);
        ruleResults.push({
          ruleId: rule.id,
          severity: rule.severity,
          resourceType: resource.type,
          resourceArn: resource.arn,
          resourceName: resource.name,
          status: 'error',
          evidence: '',
          reason: `The rule failed to run: ${error}`,
          exception: null,
          expiredException: null,
        });
      }
      const matcher = new ExceptionMatcher(active.filter((exception) => exception.entry.ruleId === rule.id));
      const expiredMatcher = new ExceptionMatcher(expired.filter((exception) => exception.entry.ruleId === rule.id));
      for (const finding of findings) {
        let exception: AppliedException | null = null;
        let expiredException: AppliedException | null = null;
        if (finding.verdict === 'fail' && !(matcher.empty && expiredMatcher.empty)) {
          const match = matcher.match(finding.resource);
          if (match !== undefined) {
            match.used = true;
            exception = applied(match.entry);
          } else {
            const lapsed = expiredMatcher.match(finding.resource);
            if (lapsed !== undefined) expiredException = applied(lapsed.entry);
          }
        }
        ruleResults.push({
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
        });
      }
      for (const result of ruleResults) counts[result.status] += 1;
      outcomes.set(rule.id, ruleOutcome(ruleResults));
      // One push per result: spreading 100,000 results into push() overflows the call stack.
      for (const result of ruleResults) results.push(result);
    }
    summaries.push({
      id: rule.id,
      title: rule.title,
      severity: rule.severity,
      rationale: rule.rationale,
      remediation: { console: [...rule.remediation.console], cli: rule.remediation.cli },
      requires: rule.requires.map((requirement) => ({ requirement, ...REQUIREMENTS[requirement] })),
      controls: frameworks.flatMap((framework) =>
        framework.controls.filter((control) => control.rules.includes(rule.id)).map((control) => ({ framework: framework.id, controlId: control.id })),
      ),
      options,
      counts,
      enabled,
    });
  }

  const frameworkResults: FrameworkResult[] = frameworks.map((framework) => {
    const counts = zeroCounts(CONTROL_STATUSES);
    const controls: ControlResult[] = framework.controls.map((control) => {
      const status = controlStatus(control.rules, outcomes);
      counts[status] += 1;
      return { controlId: control.id, title: control.title, level: control.level ?? null, status, ruleIds: [...control.rules] };
    });
    return { id: framework.id, name: framework.name, version: framework.version, controls, counts };
  });

  const exceptionsReport: ExceptionsReport = {
    file: input.exceptions?.file ?? null,
    expired: expired.map(({ entry }) => ({ ruleId: entry.ruleId, resourcePattern: entry.resource, expires: entry.expires, justification: entry.justification })),
    unused: active
      .filter((exception) => !exception.used)
      .map(({ entry }) => ({ ruleId: entry.ruleId, resourcePattern: entry.resource, justification: entry.justification })),
  };

  return { rules: summaries, results, frameworks: frameworkResults, exceptions: exceptionsReport, configuration: { file: configuration.file } };
}
