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
}

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
  readonly branding: ReportBranding;
  readonly toc: readonly { readonly anchor: string; readonly title: string; readonly level: number }[];
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

function summaryPart(result: AnalysisResult): ReportPart {
  const summary = result.mfa.summary;
  const statusChart: DonutChart = donutChart(
    [
      { label: 'PASS: console user with MFA', count: summary.compliant, className: 'status-pass' },
      { label: 'FAIL: console user without MFA', count: summary.nonCompliant, className: 'status-fail' },
      { label: 'INFO: no console access', count: summary.noConsoleAccess, className: 'status-info' },
      { label: 'NOT EVALUATED: data missing', count: summary.notEvaluated, className: 'status-not-evaluated' },
    ],
    formatRate(summary.consoleComplianceRate),
    'console users with MFA',
  );
  const catalogue = result.catalogue;
  let severityChart: BarChart | null = null;
  let ruleFigures: Record<string, number> | null = null;
  if (catalogue !== null) {
    const failures = catalogue.results.filter((entry) => entry.status === 'fail');
    severityChart = barChart(
      SEVERITY_ORDER.map((severity) => ({ label: severity, count: failures.filter((entry) => entry.severity === severity).length, className: `severity-${severity}` })),
    );
    const count = (status: RuleResultStatus): number => catalogue.results.filter((entry) => entry.status === status).length;
    ruleFigures = {
      rules: catalogue.rules.length,
      failedRules: catalogue.rules.filter((rule) => rule.counts.fail > 0).length,
      findings: failures.length,
      excepted: count('excepted'),
      notEvaluated: count('not_evaluated') + count('error'),
    };
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
      frameworks: catalogue?.frameworks.map((framework) => ({ name: framework.name, version: framework.version, counts: framework.counts })) ?? [],
    },
  };
}

function frameworkPart(framework: FrameworkResult, index: number): ReportPart {
  return {
    partial: 'framework-controls',
    anchor: `framework-${index + 1}`,
    title: `${framework.name} ${framework.version}`,
    level: 2,
    context: { framework: { id: framework.id, name: framework.name, version: framework.version, counts: framework.counts } },
    rows: framework.controls.map((control) => ({
      controlId: control.controlId,
      title: control.title,
      level: control.level ?? '',
      status: CONTROL_STATUS_LABEL[control.status],
      statusClass: `status-${control.status.replace('_', '-')}`,
      rules: control.ruleIds.join(', '),
    })),
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
            controls: rule.controls.map((control) => `${control.framework} ${control.controlId}`).join(', '),
            remediationConsole: rule.remediation.console,
            remediationCli: rule.remediation.cli,
            counts: rule.counts,
          },
          excepted: entries
            .filter((entry) => entry.status === 'excepted')
            .map((entry) => ({
              resourceName: entry.resourceName,
              resourceArn: entry.resourceArn,
              justification: entry.exception?.justification ?? '',
              approvedBy: entry.exception?.approvedBy ?? '',
              expires: entry.exception?.expires ?? '',
            })),
        },
        rows: entries
          .filter((entry) => entry.status === 'fail')
          .map((entry) => ({ resourceName: entry.resourceName, resourceType: entry.resourceType, resourceArn: entry.resourceArn, evidence: entry.evidence })),
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
      snapshot,
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
      catalogueParts.push(...frameworks.map(frameworkPart));
    }
    catalogueParts.push(...failedRuleParts(catalogue.rules, catalogue.results));
  }
  const parts = [cover, summaryPart(result), ...catalogueParts, mfaPart(result), ...methodologyParts(result), inventoryPart(result)];
  const title = `IAM audit report: AWS account ${accountLabel}`;
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
      branding,
      toc: parts.filter((part) => part.partial !== 'cover').map((part) => ({ anchor: part.anchor, title: part.title, level: part.level })),
    },
    parts,
  };
}
