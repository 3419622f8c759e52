/**
 * The per-identity matrix and the shortened print listings, at the report-model level (no
 * browser): which columns, which mark per identity, root's own row, raw values, and the 50-row
 * cut that applies to the PDF only.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildReportModel, NO_BRANDING, type ReportPart } from '../src/render/report-model.js';
import { compactForPrint, identityMatrixPart, PRINTED_LIST_ROWS, type MatrixColumn, type MatrixRow } from '../src/render/report-identities.js';
import type { AnalysisResult, RuleResult } from '../src/analyze/result.js';
import { demoResult } from './render-support.js';

interface MatrixContext {
  readonly rootRow: MatrixRow | null;
  readonly rootColumns: readonly MatrixColumn[];
  readonly userColumns: readonly MatrixColumn[];
}

function matrix(result: AnalysisResult): { context: MatrixContext; rows: MatrixRow[] } {
  const part = identityMatrixPart(result);
  return { context: part.context as unknown as MatrixContext, rows: (part.rows ?? []) as MatrixRow[] };
}

function marksOf(row: MatrixRow | undefined, columns: readonly MatrixColumn[]): Record<string, string> {
  assert.ok(row !== undefined);
  return Object.fromEntries(columns.map((column, index) => [column.ruleId, row.marks[index]?.mark ?? '?']));
}

describe('identity matrix (report model)', () => {
  it('has root in its own row with the root rules, and every user with the user rules', async () => {
    const result = await demoResult();
    const { context, rows } = matrix(result);
    assert.deepEqual(
      context.rootColumns.map((column) => column.ruleId),
      ['root-access-keys', 'root-hardware-mfa', 'root-mfa', 'root-recent-use'],
    );
    // root-hardware-mfa could not run (no account summary in a credential report): NE on root, not a blank.
    assert.deepEqual(marksOf(context.rootRow ?? undefined, context.rootColumns), { 'root-access-keys': 'P', 'root-hardware-mfa': 'NE', 'root-mfa': 'P', 'root-recent-use': 'F' });
    assert.equal(context.rootRow?.name, '<root_account>');
    assert.equal(rows.length, 26);
    assert.deepEqual(rows.map((row) => row.name), result.inventory.map((row) => row.username));
    assert.ok(!context.userColumns.some((column) => column.ruleId.startsWith('root-')));
    assert.ok(!context.userColumns.some((column) => column.ruleId.startsWith('password-policy')), 'account-wide rules are not identity columns');
  });

  it('marks each rule per user, the worst of a user\'s keys, with raw source values in the fact cells', async () => {
    const { context, rows } = matrix(await demoResult());
    const row = (name: string): MatrixRow | undefined => rows.find((entry) => entry.name === name);
    // ivan.dba: key 1 is 1,391 days old (rotation fails) while key 2 is 123 days: one F for the user.
    assert.equal(marksOf(row('ivan.dba'), context.userColumns)['access-key-rotation'], 'F');
    assert.deepEqual(row('ivan.dba')?.keys, [
      { state: 'active, 1391 d', created: '2023-01-10', id: '', lastUsed: '2026-10-30' },
      { state: 'active, 123 d', created: '2026-07-01', id: '', lastUsed: '2026-11-01' },
    ]);
    // svc-metrics: an active key never used: applicable to rotation and unused credentials (both fail).
    const metrics = marksOf(row('svc-metrics'), context.userColumns);
    assert.equal(metrics['access-key-rotation'], 'F');
    assert.equal(metrics['unused-credentials'], 'F');
    assert.equal(metrics['console-users-mfa'], 'n/a');
    assert.equal(row('svc-metrics')?.keys[0]?.lastUsed, 'N/A');
    assert.equal(row('svc-metrics')?.passwordLastUsed, 'N/A');
    assert.equal(row('heidi.intern')?.passwordLastUsed, 'no_information');
    assert.equal(row('lambda-role-user')?.keys[0]?.state, 'none');
    assert.equal(row('oscar.ops')?.keys[0]?.state, 'inactive, 1944 d');
  });

  it('shows an excepted failure as X, and a failure beats an exception on another key', async () => {
    const demo = await demoResult();
    const catalogue = demo.catalogue;
    assert.ok(catalogue !== null);
    const bob = 'arn:aws:iam::111122223333:user/admins/bob.admin';
    const results: RuleResult[] = catalogue.results.map((entry) =>
      entry.ruleId === 'console-users-mfa' && entry.resourceArn === bob ? { ...entry, status: 'excepted', exception: { justification: 'token on order', approvedBy: 'ciso', expires: '2027-01-01', resourcePattern: '*bob*' } } : entry,
    );
    const { context, rows } = matrix({ ...demo, catalogue: { ...catalogue, results } });
    assert.equal(marksOf(rows.find((row) => row.name === 'bob.admin'), context.userColumns)['console-users-mfa'], 'X');
  });

  it('shortens failed-rule and MFA listings to the first rows in the PDF only, saying how many there are', () => {
    const rows = Array.from({ length: 120 }, (_, index) => ({ index }));
    const parts: ReportPart[] = [
      { partial: 'failed-rule', anchor: 'rule-1', title: 'r', level: 2, context: {}, rows },
      { partial: 'mfa-table', anchor: 'mfa', title: 'm', level: 1, context: {}, rows },
      { partial: 'identity-matrix', anchor: 'identities', title: 'i', level: 1, context: {}, rows },
    ];
    const printed = compactForPrint(parts, 'pdf');
    assert.equal(printed[0]?.rows?.length, PRINTED_LIST_ROWS);
    assert.deepEqual(printed[0]?.context['shortened'], { shown: PRINTED_LIST_ROWS, total: '120' });
    assert.equal(printed[1]?.rows?.length, PRINTED_LIST_ROWS);
    assert.equal(printed[2]?.rows?.length, 120, 'the appendix is never shortened');
    assert.deepEqual(compactForPrint(parts, 'html').map((part) => part.rows?.length), [120, 120, 120]);
  });

  it('is the last part of the report, in HTML and PDF', async () => {
    for (const medium of ['html', 'pdf'] as const) {
      const model = buildReportModel(await demoResult(), NO_BRANDING, medium);
      const last = model.parts[model.parts.length - 1];
      assert.equal(last?.partial, 'identity-matrix');
      assert.equal(last?.landscape, true);
    }
  });
});
