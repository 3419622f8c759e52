/** `iam-audit trend`'s outputs: CSV and JSON time series, and the HTML/PDF page with SVG line charts. */
import type { ControlStatusName } from '../analyze/archive-types.js';
import { TREND_SEVERITIES, type TrendPoint } from '../analyze/trend.js';
import { toCsv } from './csv-safety.js';
import type { PrintableDocumentInfo } from './html.js';
import { lineChart, SEVERITY_COLOURS } from './line-charts.js';
import type { ReportPart } from './report-model.js';

export const TREND_FORMAT_VERSION = 1 as const;

/** Framework ids in order of first appearance. */
function frameworksOf(points: readonly TrendPoint[]): { id: string; name: string }[] {
  const seen = new Map<string, string>();
  for (const point of points) for (const framework of point.frameworks) if (!seen.has(framework.id)) seen.set(framework.id, framework.name);
  return [...seen].map(([id, name]) => ({ id, name }));
}

const rate = (value: number | null): string => (value === null ? '' : (value * 100).toFixed(1));

/**
 * The control statuses a trend shows per framework. A control passed with exceptions (issue 25: a
 * failure covered by a valid exception) is neither pass nor fail: it has its own column, so that
 * pass + pass with exceptions + fail + not evaluated (+ manual) is every control of the framework.
 */
const TREND_CONTROL_STATUSES = ['pass', 'pass_with_exceptions', 'fail', 'not_evaluated'] as const satisfies readonly ControlStatusName[];

/** A status's count; 0 for a point kept before the status existed (a report JSON of format 1 has no such count). */
function controlCount(counts: Readonly<Partial<Record<ControlStatusName, number>>>, status: ControlStatusName): number {
  return counts[status] ?? 0;
}

export function renderTrendCsv(points: readonly TrendPoint[]): string {
  const frameworks = frameworksOf(points);
  const header = [
    'captured_at',
    'file',
    'kind',
    'snapshot_sha256',
    'account_id',
    'users',
    'mfa_compliance_rate_percent',
    'console_mfa_compliance_rate_percent',
    ...TREND_SEVERITIES.map((severity) => `failing_${severity}`),
    'active_keys_over_rotation_limit',
    'rotation_limit_days',
    ...frameworks.flatMap((framework) => TREND_CONTROL_STATUSES.map((status) => `${framework.id}_${status}`)),
  ];
  const rows = points.map((point) => [
    point.capturedAt,
    point.fileName,
    point.kind,
    point.snapshotSha256,
    point.account.id,
    String(point.users),
    rate(point.mfaComplianceRate),
    rate(point.consoleMfaComplianceRate),
    ...TREND_SEVERITIES.map((severity) => String(point.failing[severity])),
    String(point.keysOverRotationLimit),
    point.rotationLimitDays === null ? '' : String(point.rotationLimitDays),
    ...frameworks.flatMap((framework) => {
      const counts = point.frameworks.find((entry) => entry.id === framework.id)?.counts;
      return TREND_CONTROL_STATUSES.map((status) => (counts === undefined ? '' : String(controlCount(counts, status))));
    }),
  ]);
  return toCsv(header, rows);
}

export function renderTrendJson(points: readonly TrendPoint[], tool: { name: string; version: string }, generatedAt: string): string {
  const document = {
    format: 'iam-audit-trend',
    format_version: TREND_FORMAT_VERSION,
    tool,
    generated_at: generatedAt,
    account: points[0]?.account ?? null,
    points: points.map((point) => ({
      captured_at: point.capturedAt,
      file: point.fileName,
      kind: point.kind,
      snapshot_sha256: point.snapshotSha256,
      users: point.users,
      mfa_compliance_rate_percent: point.mfaComplianceRate === null ? null : Number((point.mfaComplianceRate * 100).toFixed(1)),
      console_mfa_compliance_rate_percent: point.consoleMfaComplianceRate === null ? null : Number((point.consoleMfaComplianceRate * 100).toFixed(1)),
      failing_by_severity: point.failing,
      active_keys_over_rotation_limit: point.keysOverRotationLimit,
      rotation_limit_days: point.rotationLimitDays,
      frameworks: point.frameworks.map((framework) => ({
        id: framework.id,
        name: framework.name,
        pass: framework.counts.pass,
        pass_with_exceptions: controlCount(framework.counts, 'pass_with_exceptions'),
        fail: framework.counts.fail,
        not_evaluated: framework.counts.not_evaluated,
        manual: framework.counts.manual,
      })),
    })),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

export function buildTrendModel(points: readonly TrendPoint[], tool: { name: string; version: string }, generatedAt: string, medium: 'html' | 'pdf'): { document: PrintableDocumentInfo; parts: ReportPart[] } {
  const times = points.map((point) => point.capturedAt);
  const account = points[0]?.account ?? { id: '', partition: 'aws', alias: null };
  const label = account.alias === null ? account.id : `${account.id} (${account.alias})`;
  const charts = [
    {
      caption: 'MFA compliance rate',
      chart: lineChart([{ label: 'all users', values: points.map((point) => point.mfaComplianceRate) }, { label: 'console users', values: points.map((point) => point.consoleMfaComplianceRate) }], times, { percent: true }),
    },
    { caption: 'Failing findings by severity', chart: lineChart(TREND_SEVERITIES.map((severity) => ({ label: severity, colour: SEVERITY_COLOURS[severity], values: points.map((point) => point.failing[severity]) })), times) },
    {
      caption: 'Users, and active keys older than the rotation limit',
      chart: lineChart([{ label: 'users', values: points.map((point) => point.users) }, { label: 'keys over limit', values: points.map((point) => point.keysOverRotationLimit) }], times),
    },
    ...frameworksOf(points).map((framework) => ({
      caption: `${framework.name}: controls`,
      chart: lineChart(
        TREND_CONTROL_STATUSES.map((status) => ({
          label: status.replaceAll('_', ' '),
          values: points.map((point) => {
            const counts = point.frameworks.find((entry) => entry.id === framework.id)?.counts;
            return counts === undefined ? null : controlCount(counts, status);
          }),
        })),
        times,
      ),
    })),
  ];
  const rows = points.map((point) => ({
    capturedAt: point.capturedAt,
    fileName: point.fileName,
    users: point.users,
    mfa: rate(point.mfaComplianceRate),
    failing: TREND_SEVERITIES.map((severity) => point.failing[severity]).join(' / '),
    keys: point.keysOverRotationLimit,
  }));
  const first = times[0] ?? '';
  const last = times[times.length - 1] ?? '';
  return {
    document: {
      title: `AWS IAM trend ${first} to ${last}`,
      subject: `Trend of account ${label} over ${points.length} captures`,
      keywords: ['AWS', 'IAM', 'audit', 'trend', account.id],
      author: tool.name,
      creator: `${tool.name} ${tool.version}`,
      medium,
      reportTime: generatedAt,
      footerLines: [`Trend of account ${label}, ${points.length} captures`, `${first} to ${last} · generated ${generatedAt}`],
    },
    parts: [
      { partial: 'trend-cover', anchor: 'cover', title: 'Cover', level: 1, rows: null, context: { label, points: points.length, first, last, tool, generatedAt } },
      { partial: 'trend-charts', anchor: 'charts', title: 'Trend charts', level: 1, rows: null, context: { charts } },
      { partial: 'trend-captures', anchor: 'captures', title: 'Captures', level: 1, rows, context: {} },
    ],
  };
}
