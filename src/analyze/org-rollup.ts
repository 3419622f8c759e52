/**
 * The organisation roll-up: what the organisation report shows, built one account at a time
 * from each account's analysis result (which is then dropped), so memory holds one account's
 * snapshot and result plus this summary. Plain serialisable data; the org renderers read only it.
 */
import type { AnalysisResult, ControlResult, RuleResult, Severity } from './result.js';
import type { OrgAccountStatus } from '../snapshot/org-index.js';

/** 2 (issue 24): rates count unknowns as not passed, control rows say what had data, worst accounts by rate, names. */
export const ORG_REPORT_VERSION = 2;
/** How many identities and accounts the "worst" lists keep. */
export const WORST_LIMIT = 20;

const SEVERITY_WEIGHT: Readonly<Record<Severity, number>> = { critical: 16, high: 8, medium: 4, low: 2, info: 1 };

export interface OrgAccountRow {
  readonly id: string;
  readonly name: string;
  /** The account alias from its snapshot (null when unknown or without a snapshot). */
  readonly alias: string | null;
  readonly status: OrgAccountStatus;
  /** Why the account is failed or partial (from the index). */
  readonly errors: readonly string[];
  readonly snapshot: string | null;
  readonly capturedAt: string | null;
  readonly users: number | null;
  /** Rule results by status; null when the account has no snapshot. */
  readonly results: { readonly pass: number; readonly fail: number; readonly notEvaluated: number; readonly error: number; readonly excepted: number; readonly notApplicable: number } | null;
  /**
   * pass / (pass + fail + not evaluated + error): a result that could not be judged counts as not
   * passed, so a partial account never shows a better rate than its complete data would; the
   * unknowns are `results.notEvaluated + results.error`, printed beside the rate. Null without any.
   */
  readonly passRate: number | null;
  /**
   * Console users with MFA proven / (console users + users whose console access or MFA is unknown):
   * an unknown user counts as not proven, never as a pass. Null when the denominator is zero.
   */
  readonly mfaRate: number | null;
  /** The console MFA counts behind mfaRate: proven, judged (console users known with or without MFA), unknown. */
  readonly mfa: { readonly proven: number; readonly judged: number; readonly unknown: number } | null;
  readonly failedBySeverity: Readonly<Record<Severity, number>> | null;
  /** Severity-weighted failures (critical 16 ... info 1): how the worst accounts are ranked. */
  readonly score: number;
  /** The report framework's controls that fail, and how many pass / are not evaluated. */
  readonly controls: { readonly failing: readonly string[]; readonly pass: number; readonly notEvaluated: number } | null;
  /** Controls passing / (passing + failing + not evaluated): a control not judged counts as not passed. */
  readonly controlPassRate: number | null;
  /** Controls failing / controls judged (passing + failing): how the worst accounts are ranked. */
  readonly controlFailureRate: number | null;
  /** What could not be evaluated and why: results by reason, incomplete lists, collection errors. */
  readonly notEvaluated: { readonly byReason: readonly { readonly reason: string; readonly count: number }[]; readonly incompletePopulations: readonly string[]; readonly collectionErrors: number } | null;
}

export interface OrgControlRow {
  readonly controlId: string;
  readonly title: string;
  readonly failingAccounts: number;
  readonly passingAccounts: number;
  readonly notEvaluatedAccounts: number;
  /** Accounts where the control is a manual check (no automated verdict). */
  readonly manualAccounts: number;
  /** Accounts with no result for it at all: collection failed (no snapshot) or no framework result. */
  readonly notCollectedAccounts: number;
  /** Accounts where the control could be judged: failing + passing ("failing: N of <this> with data"). */
  readonly accountsWithData: number;
  /** Accounts where it could not be judged: not evaluated + not collected (the "no data" column). */
  readonly noDataAccounts: number;
  /** The accounts it fails in (ids). */
  readonly failingIn: readonly string[];
}

export interface OrgIdentityRow {
  readonly accountId: string;
  /** The account's name or alias ('' when neither is known). */
  readonly accountName: string;
  /**
   * Root users of further accounts failing exactly the same rules with the same score, merged into
   * this row so the list is not the same root row once per account (empty for IAM users).
   */
  readonly alsoIn: readonly { readonly id: string; readonly name: string }[];
  readonly arn: string;
  readonly name: string;
  readonly failed: number;
  readonly score: number;
  readonly worstSeverity: Severity;
  readonly ruleIds: readonly string[];
}

export interface OrgWorstAccount {
  readonly id: string;
  readonly name: string;
  readonly failureRate: number;
  readonly failingControls: number;
  readonly judgedControls: number;
  readonly notEvaluatedControls: number;
  readonly score: number;
  readonly failed: number;
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
    /** Console MFA over every account, counted as per account (unknowns never a pass). */
    readonly mfa: { readonly proven: number; readonly judged: number; readonly unknown: number; readonly rate: number | null };
    readonly failedBySeverity: Readonly<Record<Severity, number>>;
    /** Accounts failing at least one control of the framework. */
    readonly accountsFailingControls: number;
    /** Accounts where at least one control of the framework could be judged ("failing: N of <this> with data"). */
    readonly accountsWithControlData: number;
  };
  readonly accounts: readonly OrgAccountRow[];
  readonly skipped: readonly { readonly id: string; readonly name: string; readonly state: string }[];
  readonly controls: readonly OrgControlRow[];
  /** Ranked by controlFailureRate (failing controls of those judged), then failing controls, score, id. */
  readonly worstAccounts: readonly OrgWorstAccount[];
  readonly worstIdentities: readonly OrgIdentityRow[];
  /** The index was merged from shards cut from different account lists (merge-index --allow-changed-org): the accounts missing and extra; else null. */
  readonly changedOrg: { readonly missing: readonly string[]; readonly extra: readonly string[]; readonly duplicates: readonly string[] } | null;
}

const emptySeverities = (): Record<Severity, number> => ({ critical: 0, high: 0, medium: 0, low: 0, info: 0 });
const rate = (part: number, whole: number): number | null => (whole === 0 ? null : part / whole);
const IDENTITY_TYPES = new Set(['user', 'root', 'access-key', 'role', 'group']);
const SEVERITY_ORDER: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

type IdentityTally = { name: string; kind: string; failed: number; score: number; worst: Severity; rules: Set<string> };

/** Accumulates the roll-up; `add` takes one account's result and keeps only the summary. */
export class OrgRollupBuilder {
  private readonly accounts: OrgAccountRow[] = [];
  private readonly controls = new Map<string, { title: string; fail: string[]; pass: number; notEvaluated: number; manual: number }>();
  /** The worst IAM users so far (kept to WORST_LIMIT as accounts come). */
  private identities: OrgIdentityRow[] = [];
  /** Root users by what they fail (rules and score): one row per group, however many accounts share it. */
  private readonly roots = new Map<string, OrgIdentityRow>();

  constructor(private readonly frameworkId: string) {}

  /** An account without a snapshot to analyse (collection failed). */
  addWithout(entry: { id: string; name: string; status: OrgAccountStatus; errors: readonly string[] }): void {
    this.accounts.push({ ...entry, alias: null, snapshot: null, capturedAt: null, users: null, results: null, passRate: null, mfaRate: null, mfa: null, failedBySeverity: null, score: 0, controls: null, controlPassRate: null, controlFailureRate: null, notEvaluated: null });
  }

  add(entry: { id: string; name: string; status: OrgAccountStatus; errors: readonly string[]; snapshot: string }, result: AnalysisResult): void {
    const results = result.catalogue?.results ?? [];
    const counts = { pass: 0, fail: 0, notEvaluated: 0, error: 0, excepted: 0, notApplicable: 0 };
    const failedBySeverity = emptySeverities();
    const reasons = new Map<string, number>();
    const identities = new Map<string, IdentityTally>();
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
      if (IDENTITY_TYPES.has(item.resourceType)) noteIdentity(identities, item);
    }
    const score = SEVERITY_ORDER.reduce((sum, severity) => sum + failedBySeverity[severity] * SEVERITY_WEIGHT[severity], 0);
    const framework = result.catalogue?.frameworks.find((candidate) => candidate.id === this.frameworkId) ?? null;
    const controls = framework === null ? null : this.noteControls(framework.controls, entry.id);
    const summary = result.mfa.summary;
    // Unknown users count in the denominator, never the numerator: the rate is what is proven.
    const mfa = { proven: summary.compliant, judged: summary.consoleUsers, unknown: summary.notEvaluated };
    const alias = result.snapshot.account.alias;
    this.accounts.push({
      id: entry.id,
      name: entry.name,
      alias,
      status: entry.status,
      errors: entry.errors,
      snapshot: entry.snapshot,
      capturedAt: result.snapshot.capturedAt,
      users: summary.totalUsers,
      results: counts,
      passRate: rate(counts.pass, counts.pass + counts.fail + counts.notEvaluated + counts.error),
      mfaRate: rate(mfa.proven, mfa.judged + mfa.unknown),
      mfa,
      failedBySeverity,
      score,
      controls,
      controlPassRate: controls === null ? null : rate(controls.pass, controls.pass + controls.failing.length + controls.notEvaluated),
      controlFailureRate: controls === null ? null : rate(controls.failing.length, controls.pass + controls.failing.length),
      notEvaluated: {
        byReason: [...reasons]
          .map(([reason, count]) => ({ reason, count }))
          .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason))
          .slice(0, 10),
        incompletePopulations: result.snapshot.populations.filter((population) => population.state !== 'complete').map((population) => `${population.name}: ${population.state}`),
        collectionErrors: result.snapshot.collectionErrors.length,
      },
    });
    this.noteIdentities(entry.id, displayName(entry.name, alias), identities);
  }

  /** The account's identities into the worst lists: IAM users ranked and cut, root users grouped by what they fail. */
  private noteIdentities(accountId: string, accountName: string, identities: ReadonlyMap<string, IdentityTally>): void {
    const ranked: OrgIdentityRow[] = [];
    for (const [arn, identity] of identities) {
      const row: OrgIdentityRow = { accountId, accountName, alsoIn: [], arn, name: identity.name, failed: identity.failed, score: identity.score, worstSeverity: identity.worst, ruleIds: [...identity.rules].sort() };
      if (identity.kind !== 'root') {
        ranked.push(row);
        continue;
      }
      const key = `${row.score} ${row.ruleIds.join(' ')}`;
      const group = this.roots.get(key);
      this.roots.set(key, group === undefined ? row : { ...group, alsoIn: [...group.alsoIn, { id: accountId, name: accountName }] });
    }
    this.identities = [...this.identities, ...ranked].sort(byScore).slice(0, WORST_LIMIT);
  }

  /** The account's control statuses in the roll-up's framework, counted for the account and into the organisation's rows. */
  private noteControls(controls: readonly ControlResult[], accountId: string): NonNullable<OrgAccountRow['controls']> {
    const failing: string[] = [];
    let pass = 0;
    let notEvaluated = 0;
    for (const control of controls) {
      const row = this.controls.get(control.controlId) ?? { title: control.title, fail: [], pass: 0, notEvaluated: 0, manual: 0 };
      this.controls.set(control.controlId, row);
      if (control.status === 'fail') {
        failing.push(control.controlId);
        row.fail.push(accountId);
      } else if (control.status === 'pass' || control.status === 'pass_with_exceptions') {
        // Met, with accepted risks in the second case: each account's own report shows them apart.
        pass += 1;
        row.pass += 1;
      } else if (control.status === 'not_evaluated') {
        notEvaluated += 1;
        row.notEvaluated += 1;
      } else {
        row.manual += 1;
      }
    }
    return { failing, pass, notEvaluated };
  }

  build(context: Pick<OrgRollup, 'tool' | 'organizationId' | 'managementAccountId' | 'source' | 'generatedAt' | 'framework' | 'skipped' | 'changedOrg'>): OrgRollup {
    const accounts = [...this.accounts].sort((a, b) => a.id.localeCompare(b.id));
    const results = { pass: 0, fail: 0, notEvaluated: 0, error: 0 };
    const mfa = { proven: 0, judged: 0, unknown: 0 };
    const failedBySeverity = emptySeverities();
    for (const account of accounts) {
      if (account.results !== null) {
        results.pass += account.results.pass;
        results.fail += account.results.fail;
        results.notEvaluated += account.results.notEvaluated;
        results.error += account.results.error;
      }
      mfa.proven += account.mfa?.proven ?? 0;
      mfa.judged += account.mfa?.judged ?? 0;
      mfa.unknown += account.mfa?.unknown ?? 0;
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
        passRate: rate(results.pass, results.pass + results.fail + results.notEvaluated + results.error),
        mfa: { ...mfa, rate: rate(mfa.proven, mfa.judged + mfa.unknown) },
        failedBySeverity,
        accountsFailingControls: accounts.filter((account) => (account.controls?.failing.length ?? 0) > 0).length,
        accountsWithControlData: accounts.filter((account) => account.controls !== null && account.controls.pass + account.controls.failing.length > 0).length,
      },
      accounts,
      controls: this.controlRows(accounts.length),
      worstAccounts: worstAccounts(accounts),
      worstIdentities: [...this.identities, ...this.roots.values()].sort(byScore).slice(0, WORST_LIMIT),
    };
  }

  private controlRows(accountCount: number): OrgControlRow[] {
    return [...this.controls]
      .map(([controlId, row]): OrgControlRow => {
        const notCollected = accountCount - row.fail.length - row.pass - row.notEvaluated - row.manual;
        return {
          controlId,
          title: row.title,
          failingAccounts: row.fail.length,
          passingAccounts: row.pass,
          notEvaluatedAccounts: row.notEvaluated,
          manualAccounts: row.manual,
          notCollectedAccounts: notCollected,
          accountsWithData: row.fail.length + row.pass,
          noDataAccounts: row.notEvaluated + notCollected,
          failingIn: [...row.fail].sort(),
        };
      })
      .sort((a, b) => b.failingAccounts - a.failingAccounts || a.controlId.localeCompare(b.controlId, undefined, { numeric: true }));
  }
}

/** How an account is called in lists: its Organizations name, else its alias, else '' (the id is always shown beside). */
export function displayName(name: string, alias: string | null): string {
  return name !== '' ? name : (alias ?? '');
}

/**
 * The accounts failing controls, worst first by failure rate (failing controls of those judged), so
 * a small account failing most of what could be judged ranks above a big one failing a little.
 */
function worstAccounts(accounts: readonly OrgAccountRow[]): OrgWorstAccount[] {
  return accounts
    .filter((account) => account.controls !== null && account.controls.failing.length > 0 && account.controlFailureRate !== null)
    .map((account): OrgWorstAccount => ({
      id: account.id,
      name: displayName(account.name, account.alias),
      failureRate: account.controlFailureRate ?? 0,
      failingControls: account.controls?.failing.length ?? 0,
      judgedControls: (account.controls?.failing.length ?? 0) + (account.controls?.pass ?? 0),
      notEvaluatedControls: account.controls?.notEvaluated ?? 0,
      score: account.score,
      failed: account.results?.fail ?? 0,
    }))
    .sort((a, b) => b.failureRate - a.failureRate || b.failingControls - a.failingControls || b.score - a.score || a.id.localeCompare(b.id))
    .slice(0, WORST_LIMIT);
}

function noteIdentity(identities: Map<string, IdentityTally>, item: RuleResult): void {
  const arn = item.resourceArn.replace(/#.*$/, '');
  const kind = /:root$/.test(arn) || item.resourceType === 'root' ? 'root' : item.resourceType;
  const identity = identities.get(arn) ?? { name: item.resourceName.replace(/#.*$/, ''), kind, failed: 0, score: 0, worst: 'info' as Severity, rules: new Set<string>() };
  identity.failed += 1;
  identity.score += SEVERITY_WEIGHT[item.severity];
  if (SEVERITY_WEIGHT[item.severity] > SEVERITY_WEIGHT[identity.worst]) identity.worst = item.severity;
  identity.rules.add(item.ruleId);
  identities.set(arn, identity);
}

function byScore(a: OrgIdentityRow, b: OrgIdentityRow): number {
  return b.score - a.score || b.failed - a.failed || a.accountId.localeCompare(b.accountId) || a.arn.localeCompare(b.arn);
}
