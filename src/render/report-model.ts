/**
 * The printable report's view model: the AnalysisResult turned into display-ready strings, cut
 * into parts (cover, summary, tables...). The HTML renderer prints every part into one file; the
 * PDF renderer prints the parts (and long tables in row chunks) separately and merges them, so a
 * part is also the unit of the PDF outline.
 *
 * Nothing here formats HTML: templates do, with Handlebars escaping every value.
 */
import { formatRate } from '../analyze/mfa.js';
import type {
  AnalysisResult,
  ControlStatus,
  FrameworkResult,
  MfaFinding,
  MfaStatus,
  RuleResult,
  RuleResultStatus,
  RuleSummary,
  Severity,
} from '../analyze/result.js';
import { toIsoUtc } from '../util/time.js';
import { barChart, donutChart, type BarChart, type DonutChart } from './svg-charts.js';

/** What a company puts on the cover without forking the templates. */
export interface ReportBranding {
  readonly orgName: string | null;
  /** The logo as a data: URI (the HTML never fetches anything). */
  readonly logoDataUri: string | null;
  readonly preparedFor: string | null;
  readonly preparedBy: string | null;
  /**
   * Frameworks whose control tables the printable report shows (`--framework`), by id; null shows
   * every framework in the result. The JSON and CSV always carry all of them.
   */
  readonly shownFrameworks: readonly string[] | null;
  /** Sign-off block (prepared, reviewed, approved); absent or null fields print as blank lines. */
  readonly signOff?: SignOff;
}

export interface SignOffEntry {
  readonly name: string | null;
  readonly role: string | null;
  readonly date: string | null;
}

export interface SignOff {
  readonly preparedBy: SignOffEntry;
  readonly reviewedBy: SignOffEntry;
  readonly approvedBy: SignOffEntry;
}

const BLANK_ENTRY: SignOffEntry = { name: null, role: null, date: null };

export const NO_BRANDING: ReportBranding = { orgName: null, logoDataUri: null, preparedFor: null, preparedBy: null, shownFrameworks: null };

export type ReportMedium = 'html' | 'pdf';

/** One section of the report; `rows` marks a long table the PDF renderer may print in chunks. */
export interface ReportPart {
  /** Partial that renders it (templates/partials/<partial>.hbs). */
  readonly partial: string;
  /** HTML id of the section. */
  readonly anchor: string;
  /** Title in the table of contents and the PDF outline. */
  readonly title: string;
  /** 1 for sections, 2 for subsections (a framework, a failed rule). */
  readonly level: 1 | 2;
  readonly context: Readonly<Record<string, unknown>>;
  readonly rows: readonly unknown[] | null;
  /** Printed on landscape pages in the PDF (wide tables such as the inventory). */
  readonly landscape?: boolean;
}

/** Values every part may read as @root.document. */
export interface DocumentInfo {
  readonly title: string;
  readonly subject: string;
  readonly keywords: readonly string[];
  readonly author: string;
  readonly creator: string;
  readonly medium: ReportMedium;
  readonly accountId: string;
  readonly accountLabel: string;
  readonly capturedAt: string;
  readonly reportTime: string;
  /** What was audited and what was not: cover, executive summary, footer. */
  readonly scope: ScopeStatement;
  /** Capture, evaluation and report times, each with how it was established. */
  readonly times: TimeStatement;
  /** The two footer lines of every numbered page (scope, then times). */
  readonly footerLines: readonly [string, string];
  readonly branding: ReportBranding;
  readonly toc: readonly { readonly anchor: string; readonly title: string; readonly level: number }[];
}

export interface ScopeStatement {
  readonly account: string;
  readonly identities: string;
  readonly frameworks: readonly { readonly name: string; readonly sections: string }[];
  readonly outOfScope: string;
  /** One line for the footer. */
  readonly short: string;
}

export interface TimeStatement {
  readonly capturedAt: string;
  /** How the capture time was established, in words. */
  readonly captureMethod: string;
  /** Short form of the method for the footer. */
  readonly captureMethodShort: string;
  readonly evaluatedAt: string;
  /** "the capture time" or "projected to --as-of". */
  readonly evaluationMethod: string;
  readonly projected: boolean;
  readonly reportTime: string;
}

export interface ReportModel {
  readonly document: DocumentInfo;
  readonly parts: readonly ReportPart[];
}

const yesNo = (value: boolean | null, unknown = 'not collected'): string => (value === null ? unknown : value ? 'Yes' : 'No');

const STATUS_ORDER: Readonly<Record<MfaStatus, number>> = { FAIL: 0, NOT_EVALUATED: 1, PASS: 2, INFO: 3 };
const STATUS_LABEL: Readonly<Record<MfaStatus, string>> = { FAIL: 'FAIL', NOT_EVALUATED: 'NOT EVALUATED', PASS: 'PASS', INFO: 'INFO' };
const SEVERITY_ORDER: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
const CONTROL_STATUS_LABEL: Readonly<Record<ControlStatus, string>> = { pass: 'PASS', fail: 'FAIL', not_evaluated: 'NOT EVALUATED', manual: 'MANUAL' };
const RULE_STATUS_LABEL: Readonly<Record<RuleResultStatus, string>> = {
  pass: 'PASS',
  fail: 'FAIL',
  not_applicable: 'N/A',
  not_evaluated: 'NOT EVALUATED',
  error: 'ERROR',
  excepted: 'EXCEPTED',
};

/** "3 days 4 hours", "5 hours 12 minutes", "40 minutes"; negative ages (report before capture) say so. */
export function describeDuration(milliseconds: number): string {
  const negative = milliseconds < 0;
  const minutes = Math.floor(Math.abs(milliseconds) / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  const plural = (count: number, unit: string): string => `${count} ${unit}${count === 1 ? '' : 's'}`;
  const text = days > 0 ? `${plural(days, 'day')} ${plural(hours, 'hour')}` : hours > 0 ? `${plural(hours, 'hour')} ${plural(rest, 'minute')}` : plural(rest, 'minute');
  return negative ? `${text} before the capture (the report time precedes the data)` : text;
}

/** FAIL first, then NOT EVALUATED, PASS, INFO; the snapshot's order within each status. */
export function sortFindingsForReport(findings: readonly MfaFinding[]): MfaFinding[] {
  return findings
    .map((finding, index) => ({ finding, index }))
    .sort((a, b) => STATUS_ORDER[a.finding.status] - STATUS_ORDER[b.finding.status] || a.index - b.index)
    .map((entry) => entry.finding);
}

function sourceLabel(result: AnalysisResult): string {
  return result.snapshot.source === 'credential-report' ? 'IAM credential report (CSV)' : 'Live collection through the AWS IAM API';
}


/** How the capture time was established, in the words of the analysis result's capture-time source. */
function captureMethod(result: AnalysisResult): { long: string; short: string } {
  switch (result.snapshot.captureTime.source) {
    case 'collection':
      return { long: 'the end of the live collection through the AWS IAM API', short: 'live collection' };
    case 'api':
      return { long: "the credential report's GeneratedTime, returned by the AWS API", short: 'report GeneratedTime' };
    case 'flag':
      return { long: 'the --generated-at option given when the credential report was imported', short: 'set with --generated-at' };
    case 'newest-timestamp-in-file':
      return {
        long: 'inferred from the newest timestamp in the credential report file (the report was generated at or after it; give --generated-at for the exact time)',
        short: 'inferred from newest timestamp',
      };
    case 'unknown':
      return { long: result.snapshot.captureTime.statement, short: 'source not recorded' };
  }
}

export function timeStatement(result: AnalysisResult): TimeStatement {
  const method = captureMethod(result);
  const capturedAt = result.snapshot.capturedAt;
  const projected = result.run.asOf !== capturedAt;
  return {
    capturedAt,
    captureMethod: method.long,
    captureMethodShort: method.short,
    evaluatedAt: result.run.asOf,
    evaluationMethod:
      result.run.projection === null ? 'the capture time: ages and expiry dates are measured against it' : result.run.projection.statement,
    projected,
    reportTime: toIsoUtc(new Date(result.run.startedAt)),
  };
}

/** Sections of a framework this tool judges: CIS's IAM section only; elsewhere its IAM controls. */
function frameworkSections(framework: FrameworkResult): string {
  if (framework.id.startsWith('cis-')) {
    const section = framework.controls[0]?.controlId.split('.')[0] ?? '1';
    return `section ${section} (Identity and Access Management) only, ${framework.controls.length} recommendations; the other sections are out of scope`;
  }
  return `the ${framework.controls.length} identity and access controls mapped in this tool only; the framework's other controls are out of scope`;
}

export function scopeStatement(result: AnalysisResult, frameworks: readonly FrameworkResult[], accountLabel: string): ScopeStatement {
  const live = result.snapshot.source !== 'credential-report';
  const users = result.inventory.length;
  const identities = live
    ? `the root user and all ${users} IAM users; roles, groups and managed policies as collected live (for the policy rules)`
    : `the root user and all ${users} IAM users listed in the credential report; roles and groups are not covered (a credential report lists users only; use live collection to include them)`;
  return {
    account: `AWS account ${accountLabel}`,
    identities,
    frameworks: frameworks.map((framework) => ({ name: `${framework.name} ${framework.version}`, sections: frameworkSections(framework) })),
    outOfScope:
      'other AWS accounts, identities outside IAM (IAM Identity Center, federated users), resource-based policies, and every service other than IAM; a framework verdict in this report covers only the controls listed for it, never the whole framework',
    short: `Scope: ${live ? 'root, IAM users, roles and groups' : 'root and IAM users'}${frameworks.length > 0 ? ` · ${frameworks.map((framework) => (framework.id.startsWith('cis-') ? `CIS ${framework.version} IAM section` : `${framework.name} IAM controls`)).join(', ')}` : ''}`,
  };
}

/** Why checks were not evaluated, most common first, in words an auditor can act on. */
function notEvaluatedExplanation(results: readonly RuleResult[]): { total: number; reasons: { count: number; reason: string; rules: string }[] } {
  const groups = new Map<string, { count: number; rules: Set<string> }>();
  for (const entry of results) {
    if (entry.status !== 'not_evaluated' && entry.status !== 'error') continue;
    const reason = entry.reason ?? 'no reason given';
    const group = groups.get(reason) ?? { count: 0, rules: new Set<string>() };
    group.count += 1;
    group.rules.add(entry.ruleId);
    groups.set(reason, group);
  }
  const reasons = [...groups.entries()]
    .map(([reason, group]) => ({ count: group.count, reason, rules: [...group.rules].join(', ') }))
    .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
  return { total: reasons.reduce((sum, entry) => sum + entry.count, 0), reasons };
}

function summaryPart(result: AnalysisResult): ReportPart {
  const summary = result.mfa.summary;
  // The donut has the headline's denominator: console users (MFA is required of them only).
  const statusChart: DonutChart = donutChart(
    [
      { label: 'PASS: console user with MFA', count: summary.compliant, className: 'status-pass' },
      { label: 'FAIL: console user without MFA', count: summary.nonCompliant, className: 'status-fail' },
    ],
    formatRate(summary.consoleComplianceRate),
    `of ${summary.consoleUsers} console users`,
  );
  const catalogue = result.catalogue;
  let severityChart: BarChart | null = null;
  let ruleFigures: Record<string, number> | null = null;
  let notEvaluated: ReturnType<typeof notEvaluatedExplanation> | null = null;
  if (catalogue !== null) {
    const failures = catalogue.results.filter((entry) => entry.status === 'fail');
    severityChart = barChart(
      SEVERITY_ORDER.map((severity) => ({ label: severity, count: failures.filter((entry) => entry.severity === severity).length, className: `severity-${severity}` })),
    );
    const count = (status: RuleResultStatus): number => catalogue.results.filter((entry) => entry.status === status).length;
    ruleFigures = {
      rules: catalogue.rules.filter((rule) => rule.enabled).length,
      failedRules: catalogue.rules.filter((rule) => rule.counts.fail > 0).length,
      findings: failures.length,
      judged: count('pass') + count('fail') + count('excepted'),
      checks: catalogue.results.length,
      notApplicable: count('not_applicable'),
      excepted: count('excepted'),
      notEvaluated: count('not_evaluated') + count('error'),
    };
    notEvaluated = notEvaluatedExplanation(catalogue.results);
  }
  return {
    partial: 'summary',
    anchor: 'summary',
    title: 'Executive summary',
    level: 1,
    rows: null,
    context: {
      summary,
      complianceRate: formatRate(summary.complianceRate),
      consoleComplianceRate: formatRate(summary.consoleComplianceRate),
      statusChart,
      severityChart,
      ruleFigures,
      projectionStatement: result.run.projection?.statement ?? null,
      inferredCaptureStatement: result.snapshot.captureTime.inferred ? result.snapshot.captureTime.statement : null,
      notEvaluated,
      frameworks: catalogue?.frameworks.map((framework) => ({ name: framework.name, version: framework.version, counts: framework.counts, controls: framework.controls.length })) ?? [],
    },
  };
}

/** "bob.admin#access_key_1" as a reader says it: "bob.admin, key 1" (the suffix is not part of any ARN). */
export function displayResourceName(name: string): string {
  const key = /^(.*)#access_key_(\d+)$/.exec(name);
  if (key !== null) return `${key[1] ?? ''}, key ${key[2] ?? ''}`;
  const other = /^(.*)#(.+)$/.exec(name);
  return other === null ? name : `${other[1] ?? ''}, ${(other[2] ?? '').replace(/_/g, ' ')}`;
}

/** The resource's real ARN: the user's, for a key or other part of a user. */
export function displayArn(arn: string): string {
  const hash = arn.indexOf('#');
  return hash < 0 ? arn : arn.slice(0, hash);
}

/** Evidence as printed: report column names of key slots read as "key 1". */
function displayEvidence(evidence: string): string {
  return evidence.replace(/\b(?:key )?access_key_(\d+)\b/g, 'key $1');
}

type RuleOptions = Readonly<Record<string, number | boolean | string>>;

/**
 * Where a threshold's boundary falls, in words, for the rules that have one; read from the rule's
 * comparison (src/rules) and its options in effect.
 */
const BOUNDARIES: Readonly<Record<string, (options: RuleOptions) => string>> = {
  'access-key-rotation': (o) => `an active key created more than ${String(o['maxAgeDays'])} days before the evaluation time fails; exactly ${String(o['maxAgeDays'])} days passes; inactive keys are not judged`,
  'unused-credentials': (o) =>
    `a console password or active key unused for ${String(o['maxUnusedDays'])} days or more fails (exactly ${String(o['maxUnusedDays'])} days fails); never used: measured from the password change or key creation`,
  'root-recent-use': (o) => `root password or key used within the last ${String(o['days'])} days fails (exactly ${String(o['days'])} days fails); each credential judged on its own`,
  'password-policy-min-length': (o) => `a minimum length of ${String(o['minimumLength'])} or more passes; ${Number(o['minimumLength']) - 1} fails; no policy fails`,
  'password-policy-reuse-prevention': (o) => `remembering ${String(o['remembered'])} or more passwords passes; fewer, or no policy, fails`,
  'password-policy-max-age': (o) => `passwords expiring after ${String(o['maxAgeDays'])} days or fewer pass; longer, never, or no policy fails`,
  'multiple-active-access-keys': () => 'two active keys on one user fails; one or none passes; inactive keys do not count',
  'console-users-mfa': () => 'a user with a console password and no MFA device fails; users without a console password are not applicable',
};

function criterion(rule: RuleSummary): string {
  const boundary = BOUNDARIES[rule.id];
  return boundary === undefined ? rule.title : `${rule.title}: ${boundary(rule.options)}`;
}

function frameworkPart(framework: FrameworkResult, index: number, rules: readonly RuleSummary[], results: readonly RuleResult[], ruleAnchors: ReadonlyMap<string, string>): ReportPart {
  const ruleById = new Map(rules.map((rule) => [rule.id, rule]));
  const resultsByRule = new Map<string, RuleResult[]>();
  for (const entry of results) {
    const list = resultsByRule.get(entry.ruleId) ?? [];
    list.push(entry);
    resultsByRule.set(entry.ruleId, list);
  }
  return {
    partial: 'framework-controls',
    anchor: `framework-${index + 1}`,
    title: `${framework.name} ${framework.version}`,
    level: 2,
    context: { framework: { id: framework.id, name: framework.name, version: framework.version, counts: framework.counts } },
    rows: framework.controls.map((control) => {
      // Resources, not rule results: a resource judged by two rules of one control counts once.
      const tested = new Set<string>();
      const failing = new Set<string>();
      const excepted = new Set<string>();
      const notEvaluated = new Set<string>();
      for (const ruleId of control.ruleIds) {
        for (const entry of resultsByRule.get(ruleId) ?? []) {
          if (entry.status === 'pass' || entry.status === 'fail' || entry.status === 'excepted') tested.add(entry.resourceArn);
          if (entry.status === 'fail') failing.add(entry.resourceArn);
          if (entry.status === 'excepted') excepted.add(entry.resourceArn);
          if (entry.status === 'not_evaluated' || entry.status === 'error') notEvaluated.add(entry.resourceArn);
        }
      }
      const criteria = control.ruleIds.flatMap((ruleId) => {
        const rule = ruleById.get(ruleId);
        return rule === undefined ? [] : [{ ruleId, text: criterion(rule), anchor: ruleAnchors.get(ruleId) ?? null }];
      });
      return {
        controlId: control.controlId,
        title: control.title,
        level: control.level ?? '',
        status: CONTROL_STATUS_LABEL[control.status],
        statusClass: `status-${control.status.replace('_', '-')}`,
        rules: control.ruleIds.join(', '),
        criteria,
        judged: control.ruleIds.length > 0,
        tested: tested.size,
        failing: failing.size,
        excepted: excepted.size,
        notEvaluated: notEvaluated.size,
      };
    }),
  };
}

function failedRuleParts(rules: readonly RuleSummary[], results: readonly RuleResult[]): ReportPart[] {
  const failed = rules
    .filter((rule) => rule.counts.fail > 0)
    .sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) || a.id.localeCompare(b.id));
  if (failed.length === 0) return [];
  const byRule = new Map<string, RuleResult[]>();
  for (const entry of results) {
    if (entry.status !== 'fail' && entry.status !== 'excepted') continue;
    const list = byRule.get(entry.ruleId) ?? [];
    list.push(entry);
    byRule.set(entry.ruleId, list);
  }
  const overview: ReportPart = {
    partial: 'failed-rules-overview',
    anchor: 'failed-rules',
    title: 'Failed rules',
    level: 1,
    rows: null,
    context: {
      rules: failed.map((rule, index) => ({ anchor: `rule-${index + 1}`, id: rule.id, title: rule.title, severity: rule.severity, failures: rule.counts.fail, excepted: rule.counts.excepted })),
    },
  };
  return [
    overview,
    ...failed.map((rule, index): ReportPart => {
      const entries = byRule.get(rule.id) ?? [];
      return {
        partial: 'failed-rule',
        anchor: `rule-${index + 1}`,
        title: `${rule.id}: ${rule.title}`,
        level: 2,
        context: {
          rule: {
            id: rule.id,
            title: rule.title,
            severity: rule.severity,
            rationale: rule.rationale,
            criterion: criterion(rule),
            controls: rule.controls.map((control) => `${control.framework} ${control.controlId}`).join(', '),
            remediationConsole: rule.remediation.console,
            remediationCli: rule.remediation.cli,
            counts: rule.counts,
          },
          excepted: entries
            .filter((entry) => entry.status === 'excepted')
            .map((entry) => ({
              resourceName: displayResourceName(entry.resourceName),
              resourceArn: displayArn(entry.resourceArn),
              justification: entry.exception?.justification ?? '',
              approvedBy: entry.exception?.approvedBy ?? '',
              expires: entry.exception?.expires ?? '',
            })),
        },
        rows: entries
          .filter((entry) => entry.status === 'fail')
          .map((entry) => ({
            resourceName: displayResourceName(entry.resourceName),
            resourceType: entry.resourceType,
            resourceArn: displayArn(entry.resourceArn),
            evidence: displayEvidence(entry.evidence),
            expiredException: entry.expiredException === null ? null : { approvedBy: entry.expiredException.approvedBy, expires: entry.expiredException.expires },
          })),
      };
    }),
  ];
}

function mfaPart(result: AnalysisResult): ReportPart {
  return {
    partial: 'mfa-table',
    anchor: 'mfa',
    title: 'MFA compliance',
    level: 1,
    context: { summary: result.mfa.summary },
    rows: sortFindingsForReport(result.mfa.findings).map((finding) => ({
      username: finding.username,
      arn: finding.arn,
      status: STATUS_LABEL[finding.status],
      statusClass: `status-${finding.status.toLowerCase().replace('_', '-')}`,
      consoleAccess: yesNo(finding.hasConsoleAccess),
      mfa: yesNo(finding.mfaEnabled),
      detail: finding.message,
    })),
  };
}

function methodologyParts(result: AnalysisResult): ReportPart[] {
  const snapshot = result.snapshot;
  const ageMs = Date.parse(result.run.startedAt) - Date.parse(snapshot.capturedAt);
  const notEvaluatedUsers = new Map<string, { reason: string; count: number; examples: string[] }>();
  for (const finding of result.mfa.findings) {
    if (finding.status !== 'NOT_EVALUATED') continue;
    const group = notEvaluatedUsers.get(finding.message) ?? { reason: finding.message, count: 0, examples: [] };
    group.count += 1;
    if (group.examples.length < 5) group.examples.push(finding.username);
    notEvaluatedUsers.set(finding.message, group);
  }
  const notEvaluatedRules = new Map<string, { ruleId: string; status: string; reason: string; count: number }>();
  for (const entry of result.catalogue?.results ?? []) {
    if (entry.status !== 'not_evaluated' && entry.status !== 'error') continue;
    const reason = entry.reason ?? 'no reason given';
    const key = `${entry.ruleId}\u0000${entry.status}\u0000${reason}`;
    const group = notEvaluatedRules.get(key) ?? { ruleId: entry.ruleId, status: RULE_STATUS_LABEL[entry.status], reason, count: 0 };
    group.count += 1;
    notEvaluatedRules.set(key, group);
  }
  const catalogue = result.catalogue;
  const methodology: ReportPart = {
    partial: 'methodology',
    anchor: 'methodology',
    title: 'Methodology',
    level: 1,
    rows: null,
    context: {
      source: sourceLabel(result),
      populationUsers: result.inventory.length,
      snapshot,
      liveCollection: snapshot.source === 'aws-api',
      credentialReport: snapshot.credentialReport,
      missingColumns: snapshot.credentialReport?.missingColumns.join(', ') ?? '',
      capturedAt: snapshot.capturedAt,
      reportTime: toIsoUtc(new Date(result.run.startedAt)),
      asOf: result.run.asOf,
      asOfDiffers: result.run.asOf !== snapshot.capturedAt,
      dataAge: describeDuration(ageMs),
      notEvaluatedUsers: [...notEvaluatedUsers.values()].map((group) => ({ ...group, examples: group.examples.join(', ') })),
      notEvaluatedRules: [...notEvaluatedRules.values()],
      collectionErrorCount: snapshot.collectionErrors.length,
      discrepancies: snapshot.discrepancies,
      populations: snapshot.populations.filter((population) => population.state !== 'not_collected'),
      populationsNotCollected: snapshot.populations.filter((population) => population.state === 'not_collected').map((population) => population.label).join(', '),
      catalogue:
        catalogue === null
          ? null
          : {
              configuration: catalogue.configuration.file,
              exceptionsFile: catalogue.exceptions.file,
              expiredExceptions: catalogue.exceptions.expired,
              unusedExceptions: catalogue.exceptions.unused,
            },
    },
  };
  if (snapshot.collectionErrors.length === 0) return [methodology];
  return [
    methodology,
    {
      partial: 'collection-errors',
      anchor: 'collection-errors',
      title: 'Collection errors',
      level: 2,
      context: {},
      rows: snapshot.collectionErrors.map((error) => ({ api: error.api, resource: error.resource ?? 'account-wide', code: error.code, message: error.message, affects: error.affects.join(', ') })),
    },
  ];
}

function inventoryPart(result: AnalysisResult): ReportPart {
  return {
    partial: 'inventory',
    anchor: 'inventory',
    title: 'Appendix: user inventory',
    level: 1,
    landscape: true,
    context: { count: result.inventory.length },
    rows: result.inventory.map((row) => ({
      username: row.username,
      arn: row.arn,
      createdAt: row.createdAt ?? 'not collected',
      consoleAccess: yesNo(row.consoleAccess),
      mfa: yesNo(row.mfaActive),
      mfaDevices: row.mfaDeviceTypes === null ? 'not collected' : row.mfaDeviceTypes.length === 0 ? 'none' : row.mfaDeviceTypes.join(', '),
      passwordLastUsed: row.passwordLastUsed,
      activeAccessKeys: row.activeAccessKeys === null ? 'not collected' : String(row.activeAccessKeys),
      accessKeysLastUsed: row.accessKeysLastUsed,
    })),
  };
}

function signOffPart(branding: ReportBranding): ReportPart {
  const signOff = branding.signOff;
  const preparedBy = signOff?.preparedBy ?? { ...BLANK_ENTRY, name: branding.preparedBy };
  return {
    partial: 'sign-off',
    anchor: 'sign-off',
    title: 'Sign-off',
    level: 1,
    rows: null,
    context: {
      entries: [
        { label: 'Prepared by', ...preparedBy },
        { label: 'Reviewed by', ...(signOff?.reviewedBy ?? BLANK_ENTRY) },
        { label: 'Approved by', ...(signOff?.approvedBy ?? BLANK_ENTRY) },
      ],
    },
  };
}

export function buildReportModel(result: AnalysisResult, branding: ReportBranding, medium: ReportMedium): ReportModel {
  const snapshot = result.snapshot;
  const accountLabel = snapshot.account.alias === null ? snapshot.account.id : `${snapshot.account.id} (${snapshot.account.alias})`;
  const cover: ReportPart = {
    partial: 'cover',
    anchor: 'cover',
    title: 'Cover',
    level: 1,
    rows: null,
    context: {
      snapshot,
      source: sourceLabel(result),
      tool: result.tool,
      reportTime: toIsoUtc(new Date(result.run.startedAt)),
    },
  };
  const catalogue = result.catalogue;
  const shown = branding.shownFrameworks;
  const frameworks = catalogue === null ? [] : shown === null ? catalogue.frameworks : catalogue.frameworks.filter((framework) => shown.includes(framework.id));
  const catalogueParts: ReportPart[] = [];
  if (catalogue !== null) {
    if (frameworks.length > 0) {
      catalogueParts.push({
        partial: 'frameworks-overview',
        anchor: 'frameworks',
        title: 'Framework controls',
        level: 1,
        rows: null,
        context: {
          frameworks: frameworks.map((framework, index) => ({ anchor: `framework-${index + 1}`, name: framework.name, version: framework.version, counts: framework.counts })),
        },
      });
      const failedOrder = catalogue.rules
        .filter((rule) => rule.counts.fail > 0)
        .sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) || a.id.localeCompare(b.id));
      const ruleAnchors = new Map(failedOrder.map((rule, index) => [rule.id, `rule-${index + 1}`]));
      catalogueParts.push(...frameworks.map((framework, index) => frameworkPart(framework, index, catalogue.rules, catalogue.results, ruleAnchors)));
    }
    catalogueParts.push(...failedRuleParts(catalogue.rules, catalogue.results));
  }
  const parts = [cover, summaryPart(result), ...catalogueParts, mfaPart(result), ...methodologyParts(result), signOffPart(branding), inventoryPart(result)];
  const title = `IAM audit report: AWS account ${accountLabel}`;
  const scope = scopeStatement(result, frameworks, accountLabel);
  const times = timeStatement(result);
  const footerLines: [string, string] = [
    `AWS account ${accountLabel} · ${scope.short.replace(/^Scope: /, '')}`,
    `Captured ${times.capturedAt} (${times.captureMethodShort}) · evaluated as of ${times.evaluatedAt}${times.projected ? ' (--as-of)' : ''} · report ${times.reportTime}`,
  ];
  return {
    document: {
      title,
      subject: `Identity and access audit of AWS account ${snapshot.account.id}, data captured ${snapshot.capturedAt}`,
      keywords: ['AWS', 'IAM', 'audit', 'MFA', snapshot.account.id, ...frameworks.map((framework) => `${framework.name} ${framework.version}`)],
      author: branding.preparedBy ?? branding.orgName ?? result.tool.name,
      creator: `${result.tool.name} ${result.tool.version}`,
      medium,
      accountId: snapshot.account.id,
      accountLabel,
      capturedAt: snapshot.capturedAt,
      reportTime: toIsoUtc(new Date(result.run.startedAt)),
      scope,
      times,
      footerLines,
      branding,
      toc: parts.filter((part) => part.partial !== 'cover').map((part) => ({ anchor: part.anchor, title: part.title, level: part.level })),
    },
    parts,
  };
}
