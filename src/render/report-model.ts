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
  MfaFinding,
  MfaStatus,
  RuleResult,
  RuleResultStatus,
} from '../analyze/result.js';
import { toIsoUtc } from '../util/time.js';
import { InternalConsistencyError } from '../util/errors.js';
import { barChart, donutChart, type BarChart, type DonutChart } from './svg-charts.js';
import { displayArn, displayResourceName, failedRuleParts, frameworkPart, SEVERITY_ORDER } from './report-controls.js';
import type { ChangesSincePrevious } from '../analyze/previous.js';
import { compactForPrint, identityMatrixPart } from './report-identities.js';
import { methodologyParts } from './report-methodology.js';
import { parametersPart } from './report-parameters.js';
import { accountFactsPart } from './report-account-facts.js';
import { remediationParts } from './report-remediation.js';
import { scopeStatement, sourceLabel, timeStatement } from './report-scope.js';
import type { ReportMedium, ReportPart, ScopeStatement, TimeStatement } from './report-part.js';

// Re-exported: renderers and tests name them as parts of the report model.
export { displayArn, displayResourceName } from './report-controls.js';
export { scopeStatement, timeStatement } from './report-scope.js';
export { type ReportMedium, type ReportPart, type ScopeStatement, type TimeStatement } from './report-part.js';

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
  /**
   * The digital signature the PDF will carry (--sign-p12), printed on its cover so a paper copy
   * carries the integrity statement; the HTML is not signed and never shows it.
   */
  readonly signature?: SignatureAppearance;
}

export interface SignatureAppearance {
  readonly signerName: string;
  readonly certificateIssuer: string;
  /** The signature's own time (/M), as ISO 8601 UTC. */
  readonly signingTime: string;
  readonly reason: string;
  readonly location: string;
  /** Set when an RFC 3161 timestamp authority will stamp the signature. */
  readonly timestampUrl: string | null;
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
  /** The HTML contents: sections numbered 1, 2, 3 (number null for a subsection). */
  readonly toc: readonly { readonly anchor: string; readonly title: string; readonly level: number; readonly number: number | null }[];
}

export interface ReportModel {
  readonly document: DocumentInfo;
  readonly parts: readonly ReportPart[];
}

const yesNo = (value: boolean | null, unknown = 'not collected'): string => (value === null ? unknown : value ? 'Yes' : 'No');

const STATUS_ORDER: Readonly<Record<MfaStatus, number>> = { FAIL: 0, NOT_EVALUATED: 1, PASS: 2, INFO: 3 };
const STATUS_LABEL: Readonly<Record<MfaStatus, string>> = { FAIL: 'FAIL', NOT_EVALUATED: 'NOT EVALUATED', PASS: 'PASS', INFO: 'INFO' };
/** FAIL first, then NOT EVALUATED, PASS, INFO; the snapshot's order within each status. */
export function sortFindingsForReport(findings: readonly MfaFinding[]): MfaFinding[] {
  return findings
    .map((finding, index) => ({ finding, index }))
    .sort((a, b) => STATUS_ORDER[a.finding.status] - STATUS_ORDER[b.finding.status] || a.index - b.index)
    .map((entry) => entry.finding);
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

/** `report --previous`: "Changes since the previous report" (templates/partials/previous-changes.hbs). */
function previousChangesPart(result: AnalysisResult): ReportPart[] {
  const changes = result.changesSincePrevious;
  if (changes === undefined) return [];
  // Keys by user and slot or key id ("bob.admin, key 1"), under the user's real ARN: never `user#access_key_1` as an ARN.
  const named = (list: ChangesSincePrevious['newlyFailing']) => list.map((entry) => ({ ...entry, resourceName: displayResourceName(entry.resourceName), resourceArn: displayArn(entry.resourceArn) }));
  const shown = { ...changes, newlyFailing: named(changes.newlyFailing), resolved: named(changes.resolved) };
  return [{ partial: 'previous-changes', anchor: 'changes-since-previous', title: 'Changes since the previous report', level: 1, rows: null, context: { changes: shown } }];
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

/** Contents entries, the top-level sections numbered 1, 2, 3 in order and their subsections unnumbered. */
function numberedContents(parts: readonly ReportPart[]): DocumentInfo['toc'] {
  let sections = 0;
  return parts.map((part) => ({ anchor: part.anchor, title: part.title, level: part.level, number: part.level === 1 ? (sections += 1) : null }));
}

export function buildReportModel(result: AnalysisResult, branding: ReportBranding, medium: ReportMedium): ReportModel {
  // A streamed result holds neither its results nor the inventory and identity rows (analyze.ts analyzeStreamed).
  if (result.catalogue?.streamed === true) throw new InternalConsistencyError('the printable report was asked of a streamed result, which holds no results');
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
      // One framework needs no overview page of one row (issue 25): its own section comes first, at the top level.
      if (frameworks.length > 1) catalogueParts.push({
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
      catalogueParts.push(
        ...frameworks.map((framework, index) => {
          const part = frameworkPart(framework, index, catalogue.rules, catalogue.results, ruleAnchors);
          return frameworks.length === 1 ? { ...part, level: 1 as const } : part;
        }),
      );
    }
    catalogueParts.push(...failedRuleParts(catalogue.rules, catalogue.results));
  }
  // Scope and times follow the contents, so the cover is one page with any branding (issue 25).
  const scopeAndTime: ReportPart = { partial: 'scope-time', anchor: 'scope', title: 'Scope and time', level: 1, rows: null, context: {} };
  const parts = compactForPrint([cover, scopeAndTime, summaryPart(result), ...previousChangesPart(result), ...catalogueParts, ...remediationParts(result), mfaPart(result), ...methodologyParts(result), ...parametersPart(result), signOffPart(branding), ...accountFactsPart(result), identityMatrixPart(result)], medium);
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
      toc: numberedContents(parts.filter((part) => part.partial !== 'cover')),
    },
    parts,
  };
}
