/**
 * Issue 11, "done when": the findings JSON and CSV changed layout (format 2: nothing per row that
 * belongs to the rule; the rules section and the rules CSV hold it once), never verdicts or
 * evidence. Format-1 rows are rebuilt from the format-2 outputs (joining the rules back in) and
 * compared with
 *  - the demo's golden outputs as format 1 wrote them (fixtures/golden/format-1/), and
 *  - format 1 as its renderer wrote it (a frozen copy below), on a 10,000-user generated report.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { analyze } from '../src/analyze/analyze.js';
import type { AnalysisResult, AppliedException } from '../src/analyze/result.js';
import { importCredentialReport } from '../src/import/credential-report.js';
import { describeControls, describeExpiredException, describeRemediation } from '../src/render/catalogue-text.js';
import { neutraliseFormula } from '../src/render/csv-safety.js';
import { findingsCsvChunks, renderRulesCsv } from '../src/render/findings-csv.js';
import { renderJsonChunks } from '../src/render/json.js';
import { generateCredentialReport } from '../bench/generate.js';
import { FIXTURES, runCli, temporaryFolder } from './support/cli.js';
import { withFlatResults } from './support/report-json.js';

type Row = Record<string, unknown>;
const STAMP = '2026-01-02T14-30-00';

/** Rows in one order, whatever order they were written in (identity by identity since issue 26). */
function sortedRows(rows: readonly Row[]): Row[] {
  return rows
    .map((row) => ({ row, key: JSON.stringify(row) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(({ row }) => row);
}

/** Format 1's JSON result row, from a format-2 row and the rules section. */
function format1Result(row: Row, severityOf: ReadonlyMap<string, unknown>): Row {
  return {
    rule_id: row['rule_id'],
    severity: severityOf.get(String(row['rule_id'])),
    resource_type: row['resource_type'],
    resource_arn: row['resource_arn'],
    resource_name: row['resource_name'],
    status: row['status'],
    evidence: row['evidence'],
    reason: row['reason'],
    exception: row['exception'] ?? null,
    expired_exception: row['expired_exception'] ?? null,
  };
}

function format1ResultsFromJson(text: string): Row[] {
  // Read through the readers' shared function, whichever format (3 since issue 26) wrote it.
  const report = withFlatResults(JSON.parse(text) as { rules: Row[] });
  const severityOf = new Map(report.rules.map((rule) => [String(rule['id']), rule['severity']]));
  return report.results.map((row) => format1Result({ ...row }, severityOf));
}

/** The JSON report's resource names by type and ARN (the findings CSV has no name column since issue 26). */
function resourcesByArn(jsonText: string): ReadonlyMap<string, unknown> {
  const report = JSON.parse(jsonText) as { resources: { arn: string; type: string; name: unknown }[] };
  return new Map(report.resources.map((resource) => [`${resource.type} ${resource.arn}`, resource.name]));
}

/**
 * Format 1's findings CSV rows (as parsed records), from the findings CSV and the rules CSV of
 * format 2, and the JSON report's resources for the name format 1 had in its own column.
 */
function format1CsvFromCsvs(findingsCsv: string, rulesCsv: string, names: ReadonlyMap<string, unknown>): Row[] {
  const rules = new Map((parse(rulesCsv, { columns: true }) as Row[]).map((rule) => [String(rule['rule_id']), rule]));
  return (parse(findingsCsv, { columns: true }) as Row[]).map((row) => {
    const rule = rules.get(String(row['rule_id']));
    const actionable = row['status'] === 'fail' || row['status'] === 'excepted';
    const name = names.get(`${String(row['resource_type'])} ${String(row['resource_arn'])}`);
    assert.ok(name !== undefined, `no ${String(row['resource_type'])} ${String(row['resource_arn'])} in the JSON report`);
    return {
      rule_id: row['rule_id'],
      title: rule?.['title'] ?? '',
      severity: row['severity'],
      resource_type: row['resource_type'],
      // Format 1's CSV neutralised a name that starts like a formula; the JSON has it as it is.
      resource_name: neutraliseFormula(String(name)),
      resource_arn: row['resource_arn'],
      status: row['status'],
      evidence: row['evidence'],
      reason: row['reason'],
      exception_justification: row['exception_justification'],
      exception_approved_by: row['exception_approved_by'],
      exception_expires: row['exception_expires'],
      framework_controls: rule?.['framework_controls'] ?? '',
      remediation: actionable ? (rule?.['remediation'] ?? '') : '',
    };
  });
}

// ---- Format 1 as its renderers wrote it (frozen copy of render/json.ts and render/findings-csv.ts before format 2).
function format1Exception(exception: AppliedException | null): Row | null {
  return exception === null ? null : { justification: exception.justification, approved_by: exception.approvedBy, expires: exception.expires, resource_pattern: exception.resourcePattern };
}

function format1ResultsRendered(result: AnalysisResult): Row[] {
  return (result.catalogue?.results ?? []).map((item) => ({
    rule_id: item.ruleId,
    severity: item.severity,
    resource_type: item.resourceType,
    resource_arn: item.resourceArn,
    resource_name: item.resourceName,
    status: item.status,
    evidence: item.evidence,
    reason: item.reason,
    exception: format1Exception(item.exception),
    expired_exception: format1Exception(item.expiredException),
  }));
}

function format1CsvRendered(result: AnalysisResult): Row[] {
  const catalogue = result.catalogue;
  if (catalogue === null) return [];
  const rules = new Map(catalogue.rules.map((rule) => [rule.id, rule]));
  return catalogue.results.map((item) => {
    const rule = rules.get(item.ruleId);
    const cells: Row = {
      rule_id: item.ruleId,
      title: rule?.title ?? '',
      severity: item.severity,
      resource_type: item.resourceType,
      resource_name: item.resourceName,
      resource_arn: item.resourceArn,
      status: item.status,
      evidence: item.evidence,
      reason: [item.reason ?? '', describeExpiredException(item)].filter((text) => text !== '').join(' '),
      exception_justification: item.exception?.justification ?? '',
      exception_approved_by: item.exception?.approvedBy ?? '',
      exception_expires: item.exception?.expires ?? '',
      framework_controls: rule === undefined ? '' : describeControls(rule),
      remediation: rule !== undefined && (item.status === 'fail' || item.status === 'excepted') ? describeRemediation(rule) : '',
    };
    return Object.fromEntries(Object.entries(cells).map(([key, value]) => [key, neutraliseFormula(String(value))]));
  });
}

describe('findings format 2 keeps every verdict and all evidence of format 1', () => {
  it('the demo: format-2 outputs joined with their rules give the format-1 golden rows', async () => {
    const work = await temporaryFolder();
    try {
      const run = await runCli(
        ['audit', join(FIXTURES, 'demo', 'credential-report.csv'), '--generated-at', '2026-11-02T08:15:42Z', '-d', 'out', '--format', 'csv,json'],
        { cwd: work.path, env: { SOURCE_DATE_EPOCH: '1767364200' } },
      );
      assert.equal(run.code, 0, run.stderr);
      const out = (name: string): Promise<string> => readFile(join(work.path, 'out', name), 'utf8');
      const reference = (name: string): Promise<string> => readFile(join(FIXTURES, 'golden', 'format-1', name), 'utf8');
      const oldJson = JSON.parse(await reference(`iam_audit_${STAMP}.json`)) as { results: Row[] };
      const newJson = await out(`iam_audit_${STAMP}.json`);
      const newResults = format1ResultsFromJson(newJson);
      assert.ok(newResults.length > 100);
      // Issue 26: results come identity by identity, no longer rule by rule; the same rows in another order.
      assert.deepEqual(sortedRows(newResults), sortedRows(oldJson.results));
      const oldCsv = parse(await reference(`iam_audit_findings_${STAMP}.csv`), { columns: true }) as Row[];
      assert.deepEqual(sortedRows(format1CsvFromCsvs(await out(`iam_audit_findings_${STAMP}.csv`), await out(`iam_audit_rules_${STAMP}.csv`), resourcesByArn(newJson))), sortedRows(oldCsv));
      assert.ok(oldCsv.some((row) => row['status'] === 'fail' && row['remediation'] !== '' && row['framework_controls'] !== ''), 'the rows compared carry rule text');
    } finally {
      await work.cleanup();
    }
  });

  it('10,000 generated users: format-2 outputs joined with their rules give what format 1 rendered', () => {
    const report = generateCredentialReport(10_000);
    const { snapshot } = importCredentialReport(Buffer.from(report), { displayPath: 'report.csv', fileName: 'report.csv', generatedAt: new Date('2026-06-01T12:00:00Z') });
    const run = { startedAt: '2026-06-01T13:00:00.000Z', endedAt: '2026-06-01T13:00:01.000Z', elapsedSeconds: 1 };
    const result = analyze({ snapshot, snapshotFile: { fileName: 'snapshot.json', sha256: 'x', migratedFrom: null }, tool: { name: 'iam-audit', version: '0' }, run });
    const jsonText = [...renderJsonChunks(result)].join('');
    const results = format1ResultsFromJson(jsonText);
    assert.ok(results.length > 80_000, `${results.length} results`);
    // As text: deepEqual over 85,000 objects is slow, and both sides build their keys in one order.
    // Format 3 writes an identity's results resource by resource: the same rows in another order.
    assert.equal(JSON.stringify(sortedRows(results)), JSON.stringify(sortedRows(format1ResultsRendered(result))));
    const csv = format1CsvFromCsvs([...findingsCsvChunks(result)].join(''), renderRulesCsv(result), resourcesByArn(jsonText));
    assert.equal(JSON.stringify(csv), JSON.stringify(format1CsvRendered(result)));
    assert.ok(csv.some((row) => row['status'] === 'fail' && row['remediation'] !== ''));
  });
});
