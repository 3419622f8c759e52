/**
 * The organisation roll-up: what the organisation report shows, built one account at a time
 * from each account's analysis result (which is then dropped), so memory holds one account's
 * snapshot and result plus this summary. Plain serialisable data; the org renderers read only it.
 */
import type { AnalysisResult, ControlResult, RuleResult, Severity } from './result.js';
import type { OrgAccountStatus } from '../snapshot/org-index.js';

export const ORG_REPORT_VERSION = 1;
/** How many identities and accounts the "worst" lists keep. */
export const WORST_LIMIT = 20;

const SEVERITY_WEIGHT: Readonly<Record<Severity, number>> = { critical: 16, high: 8, medium: 4, low: 2, info: 1 };

export interface OrgAccountRow {
  readonly id: string;
  readonly name: string;
  readonly status: OrgAccountStatus;
  /** Why the account is failed or partial (from the index). */
  readonly errors: readonly string[];
  readonly snapshot: string | null;
  readonly capturedAt: string | null;
  readonly users: number | null;
  /** Rule results by status; null when the account has no snapshot. */
  readonly results: { readonly pass: number; readonly fail: number; readonly notEvaluated: number; readonly error: number; readonly excepted: number; readonly notApplicable: number } | null;
  /** pass / (pass + fail) of the rule results; null without any. */
  readonly passRate: number | null;
  /** Console users with MFA / console users; null without console users. */
  readonly mfaRate: number | null;
  readonly failedBySeverity: Readonly<Record<Severity, number>> | null;
  /** Severity-weighted failures (critical 16 ... info 1): how the worst accounts are ranked. */
  readonly score: number;
  /** The report framework's controls that fail, and how many pass / are not evaluated. */
  readonly controls: { readonly failing: readonly string[]; readonly pass: number; readonly notEvaluated: number } | null;
  readonly controlPassRate: number | null;
  /** What could not be evaluated and why: results by reason, incomplete lists, collection errors. */
  readonly notEvaluated: { readonly byReason: readonly { readonly reason: string; readonly count: number }[]; readonly incompletePopulations: readonly string[]; readonly collectionErrors: number } | null;
}

export interface OrgControlRow {
  readonly controlId: string;
  readonly title: string;
  readonly failingAccounts: number;
  readonly passingAccounts: number;
  readonly notEvaluatedAccounts: number;
  /** The accounts it fails in (ids). */
  readonly failingIn: readonly string[];
}

export interface OrgIdentityRow {
  readonly accountId: string;
  readonly arn: string;
  readonly name: string;
  readonly failed: number;
  readonly score: number;
  readonly worstSeverity: Severity;
  readonly ruleIds: readonly string[];
}

export interface OrgRollup {
  readonly orgReportVersion: typeof ORG_REPORT_VERSION;
  readonly tool: { readonly name: string; readonly version: string };
  readonly organizationId: string;
  readonly managementAccountId: string | null;
  /** The index (or folder) the report was made from, and the index's SHA-256 (null for a folder). */
  readonly source: { readonly path: string; readonly sha256: string | null; readonly collectedFrom: string; readonly collectedTo: string };
  readonly generatedAt: string;
  readonly framework: { readonly id: string; readonly name: string };
  readonly totals: {
    readonly accounts: number;
    readonly complete: number;
    readonly partial: number;
    readonly failed: number;
    readonly skipped: number;
    readonly users: number;
    readonly results: { readonly pass: number; readonly fail: number; readonly notEvaluated: number; readonly error: number };
    readonly passRate: number | null;
    readonly failedBySeverity: Readonly<Record<Severity, number>>;
    /** Accounts failing at least one control of the framework. */
    readonly accountsFailingControls: number;
  };
  readonly accounts: readonly OrgAccountRow[];
  readonly skipped: readonly { readonly id: string; readonly name: string; readonly state: string }[];
  readonly controls: readonly OrgControlRow[];
  readonly worstAccounts: readonly { readonly id: string; readonly name: string; readonly score: number; readonly failed: number }[];
  readonly worstIdentities: readonly OrgIdentityRow[];
  /** The index was merged from shards cut from different account lists (merge-index --allow-changed-org): the accounts missing and extra; else null. */
  readonly changedOrg: { readonly missing: readonly string[]; readonly extra: readonly string[]; readonly duplicates: readonly string[] } | null;
}

const emptySeverities = (): Record<Severity, number> => ({ critical: 0, high: 0, medium: 0, low: 0, info: 0 });
const rate = (part: number, whole: number): number | null => (whole === 0 ? null : part / whole);
const IDENTITY_TYPES = new Set(['user', 'root', 'access-key', 'role', 'group']);
const SEVERITY_ORDER: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

/** Accumulates the roll-up; `add` takes one account's result and keeps only the summary. */
export class OrgRollupBuilder {
  private readonly accounts: OrgAccountRow[] = [];
  private readonly controls = new Map<string, { title: string; fail: string[]; pass: number; notEvaluated: number }>();
  private identities: OrgIdentityRow[] = [];

  constructor(private readonly frameworkId: string) {}

  /** An account without a snapshot to analyse (collection failed). */
  addWithout(entry: { id: string; name: string; status: OrgAccountStatus; errors: readonly string[] }): void {
    this.accounts.push({ ...entry, snapshot: null, capturedAt: null, users: null, results: null, passRate: null, mfaRate: null, failedBySeverity: null, score: 0, controls: null, controlPassRate: null, notEvaluated: null });
  }

  add(entry: { id: string; name: string; status: OrgAccountStatus; errors: readonly string[]; snapshot: string }, result: AnalysisResult): void {
    const results = result.catalogue?.results ?? [];
    const counts = { pass: 0, fail: 0, notEvaluated: 0, error: 0, excepted: 0, notApplicable: 0 };
    const failedBySeverity = emptySeverities();
    const reasons = new Map<string, number>();
    const identities = new Map<string, { name: string; failed: number; score: number; worst: Severity; rules: Set<string> }>();
    for (const item of results) {
      if (item.status === 'pass') counts.pass += 1;
      else if (item.status === 'fail') counts.fail += 1;
      else if (item.status === 'not_evaluated') counts.notEvaluated += 1;
      else if (item.status === 'error') counts.error += 1;
      else if (item.status === 'excepted') counts.excepted += 1;
      else counts.notApplicable += 1;
      if (item.status === 'not_evaluated' || item.status === 'error') {
        const reason = `${item.ruleId}: ${item.reason ?? item.status}`;
        reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      }
      if (item.status !== 'fail') continue;
      failedBySeverity[item.severity] += 1;
      if (IDENTITY_TYPES.has(item.resourceType)) this.noteIdentity(identities, item);
    }
    const score = SEVERITY_ORDER.reduce((sum, severity) => sum + failedBySeverity[severity] * SEVERITY_WEIGHT[severity], 0);
    const framework = result.catalogue?.frameworks.find((candidate) => candidate.id === this.frameworkId) ?? null;
    const controls = framework === null ? null : this.noteControls(framework.controls, entry.id);
    const summary = result.mfa.summary;
    this.accounts.push({
      id: entry.id,
      name: entry.name,
      status: entry.status,
      errors: entry.errors,
      snapshot: entry.snapshot,
      capturedAt: result.snapshot.capturedAt,
      users: summary.totalUsers,
      results: counts,
      passRate: rate(counts.pass, counts.pass + counts.fail),
      // The MFA summary keeps the original script's percentages (0-100); the roll-up uses fractions.
      mfaRate: summary.consoleComplianceRate === null ? null : summary.consoleComplianceRate / 100,
      failedBySeverity,
      score,
      controls,
      controlPassRate: controls === null ? null : rate(controls.pass, controls.pass + controls.failing.length),
      notEvaluated: {
        byReason: [...reasons]
          .map(([reason, count]) => ({ reason, count }))
          .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason))
          .slice(0, 10),
        incompletePopulations: result.snapshot.populations.filter((population) => population.state !== 'complete').map((population) => `${population.name}: ${population.state}`),
        collectionErrors: result.snapshot.collectionErrors.length,
      },
    });
    const ranked = [...identities].map(([arn, identity]): OrgIdentityRow => ({
      accountId: entry.id,
      arn,
      name: identity.name,
      failed: identity.failed,
      score: identity.score,
      worstSeverity: identity.worst,
      ruleIds: [...identity.rules].sort(),
    }));
    this.identities = [...this.identities, ...ranked].sort(byScore).slice(0, WORST_LIMIT);
  }

  /** The account's control statuses in the roll-up's framework, counted for the account and into the organisation's rows. */
  private noteControls(controls: readonly ControlResult[], accountId: string): NonNullable<OrgAccountRow['controls']> {
    const failing: string[] = [];
    let pass = 0;
    let notEvaluated = 0;
    for (const control of controls) {
      const row = this.controls.get(control.controlId) ?? { title: control.title, fail: [], pass: 0, notEvaluated: 0 };
      this.controls.set(control.controlId, row);
      if (control.status === 'fail') {
        failing.push(control.controlId);
        row.fail.push(accountId);
      } else if (control.status === 'pass') {
        pass += 1;
        row.pass += 1;
      } else if (control.status === 'not_evaluated') {
        notEvaluated += 1;
        row.notEvaluated += 1;
      }
    }
    return { failing, pass, notEvaluated };
  }

  private noteIdentity(identities: Map<string, { name: string; failed: number; score: number; worst: Severity; rules: Set<string> }>, item: RuleResult): void {
    const arn = item.resourceArn.replace(/#.*$/, '');
    const identity = identities.get(arn) ?? { name: item.resourceName.replace(/#.*$/, ''), failed: 0, score: 0, worst: 'info' as Severity, rules: new Set<string>() };
    identity.failed += 1;
    identity.score += SEVERITY_WEIGHT[item.severity];
    if (SEVERITY_WEIGHT[item.severity] > SEVERITY_WEIGHT[identity.worst]) identity.worst = item.severity;
    identity.rules.add(item.ruleId);
    identities.set(arn, identity);
  }

  build(context: Pick<OrgRollup, 'tool' | 'organizationId' | 'managementAccountId' | 'source' | 'generatedAt' | 'framework' | 'skipped' | 'changedOrg'>): OrgRollup {
    const accounts = [...this.accounts].sort((a, b) => a.id.localeCompare(b.id));
    const results = { pass: 0, fail: 0, notEvaluated: 0, error: 0 };
    const failedBySeverity = emptySeverities();
    for (const account of accounts) {
      if (account.results !== null) {
        results.pass += account.results.pass;
        results.fail += account.results.fail;
        results.notEvaluated += account.results.notEvaluated;
        results.error += account.results.error;
      }
      for (const severity of SEVERITY_ORDER) failedBySeverity[severity] += account.failedBySeverity?.[severity] ?? 0;
    }
    const count = (status: OrgAccountStatus): number => accounts.filter((account) => account.status === status).length;
    return {
      orgReportVersion: ORG_REPORT_VERSION,
      ...context,
      totals: {
        accounts: accounts.length,
        complete: count('complete'),
        partial: count('partial'),
        failed: count('failed'),
        skipped: context.skipped.length,
        users: accounts.reduce((sum, account) => sum + (account.users ?? 0), 0),
        results,
        passRate: rate(results.pass, results.pass + results.fail),
        failedBySeverity,
        accountsFailingControls: accounts.filter((account) => (account.controls?.failing.length ?? 0) > 0).length,
      },
      accounts,
      controls: [...this.controls]
        .map(([controlId, row]) => ({ controlId, title: row.title, failingAccounts: row.fail.length, passingAccounts: row.pass, notEvaluatedAccounts: row.notEvaluated, failingIn: [...row.fail].sort() }))
        .sort((a, b) => b.failingAccounts - a.failingAccounts || a.controlId.localeCompare(b.controlId, undefined, { numeric: true })),
      worstAccounts: accounts
        .filter((account) => account.score > 0)
        .sort((a, b) => b.score - a.score || a.id.localeCompare(b.id))
        .slice(0, WORST_LIMIT)
        .map((account) => ({ id: account.id, name: account.name, score: account.score, failed: account.results?.fail ?? 0 })),
      worstIdentities: this.identities,
    };
  }
}

function byScore(a: OrgIdentityRow, b: OrgIdentityRow): number {
  return b.score - a.score || b.failed - a.failed || a.accountId.localeCompare(b.accountId) || a.arn.localeCompare(b.arn);
}
