/**
 * A report JSON's rule results as format 2 wrote them (one object per result: finding_id, rule_id,
 * resource_type, resource_arn, resource_name, status, evidence, reason, and exception,
 * expired_exception, tracking where present), whatever format the report is in, read through the
 * readers' one shared function (src/app/shared/report-results.ts). Tests look results up here
 * instead of knowing the layout.
 */
import { flatResultFields, ReportReader, reportResults } from '../../src/app/shared/report-results.js';
import type { RuleResult } from '../../src/analyze/result.js';
import { allRules } from '../../src/rules/index.js';
import { exampleRules } from './example-rule.js';

/** The rules whose facts the tests' reports carry: the catalogue and the tests' example rules. */
const KNOWN_RULES = [...allRules, ...exampleRules];

/** A passing result of an example rule on alice, for tests of how one result is written and read. */
export const EXAMPLE_RESULT: RuleResult = {
  findingId: 'rule-a/0123456789abcdef',
  ruleId: 'rule-a',
  severity: 'low',
  resourceType: 'user',
  resourceArn: 'arn:aws:iam::123456789012:user/alice',
  resourceName: 'alice',
  status: 'pass',
  evidence: 'fine',
  reason: null,
  exception: null,
  expiredException: null,
};

export interface FlatResult {
  readonly finding_id: string;
  readonly rule_id: string;
  readonly resource_type: string;
  readonly resource_arn: string;
  readonly resource_name: string;
  readonly status: string;
  readonly evidence: string;
  readonly reason: string | null;
  readonly exception?: Record<string, unknown>;
  readonly expired_exception?: Record<string, unknown>;
  readonly tracking?: Record<string, unknown>;
}

export function flatReportResults(report: unknown, path = 'report.json'): FlatResult[] {
  return [...reportResults(report as Record<string, unknown>, new ReportReader(path), KNOWN_RULES)].map((item) => ({
    ...flatResultFields(item),
    ...(item.exception === null ? {} : { exception: item.exception }),
    ...(item.expiredException === null ? {} : { expired_exception: item.expiredException }),
    ...(item.tracking === null ? {} : { tracking: item.tracking }),
  }));
}

/** The report with its results flat under `results` (format 2's key), beside everything else it has. */
export function withFlatResults<Report>(report: Report, path = 'report.json'): Report & { results: FlatResult[] } {
  return { ...report, results: flatReportResults(report, path) };
}

/** The report as format 2 wrote it (`results` flat, `resources` gone): to test that readers still read it, or to edit results one by one. */
export function asFormat2(report: unknown): Record<string, unknown> {
  const document = report as Record<string, unknown>;
  const { resources: _resources, ...rest } = document;
  const metadata = { ...(document['metadata'] as Record<string, unknown>), result_format_version: 2 };
  const entries = Object.entries(rest).map(([key, value]): [string, unknown] => [key, key === 'metadata' ? metadata : value]);
  // `results` where format 2 wrote it: after the original script's keys and the snapshot, before `rules`.
  const at = entries.findIndex(([key]) => key === 'rules');
  entries.splice(at < 0 ? entries.length : at, 0, ['results', flatReportResults(report)]);
  return Object.fromEntries(entries);
}
