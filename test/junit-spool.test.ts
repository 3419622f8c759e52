/**
 * Issue 26: the streamed JUnit file (app/report/junit-spool.ts) is the rendered one, byte for byte,
 * when cases with multi-byte characters straddle the spools' write and read pieces, a rule maps to
 * two controls, and a control has no rule (manual).
 */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { it } from 'node:test';
import type { AnalysisResult, RuleResult } from '../src/analyze/result.js';
import { JunitSpool } from '../src/app/report/junit-spool.js';
import { junitStream, renderJunit } from '../src/render/junit.js';

const STATUSES = ['fail', 'pass', 'not_evaluated', 'excepted', 'not_applicable', 'error'] as const;

function resultOf(index: number): RuleResult {
  const status = STATUSES[index % STATUSES.length] ?? 'fail';
  return {
    ruleId: index % 3 === 0 ? 'rule-b' : 'rule-a',
    resourceArn: `arn:aws:iam::111122223333:user/${'ü'.repeat(index % 7)}-${index}`,
    resourceName: `nom-é-${index}`,
    status,
    evidence: `clé 🔑 ${'à'.repeat(index % 13)} <${index}> & "quoted"`,
    reason: status === 'fail' || status === 'pass' ? null : `raison ${index}`,
    exception: status === 'excepted' ? { justification: 'approuvé', approvedBy: 'Zoë', expires: '2027-01-01', resourcePattern: '*' } : null,
    expiredException: null,
  } as unknown as RuleResult;
}

it('the spooled JUnit file is the rendered one, with multi-byte text across pieces', async () => {
  const results = Array.from({ length: 30_000 }, (_, index) => resultOf(index));
  const rule = (id: string) => ({ id, remediation: { console: [`ouvrir ${id}`, 'cliquer'], cli: `aws iam ${id}` } });
  const result = {
    tool: { name: 'iam-audit', version: '0' },
    run: { startedAt: '2026-12-07T09:00:00.000Z' },
    catalogue: {
      rules: [rule('rule-a'), rule('rule-b')],
      results,
      frameworks: [
        { id: 'fw-1', name: 'Cadre', version: '1.0', controls: [{ controlId: '1.1', title: 'un', ruleIds: ['rule-a'] }, { controlId: '1.2', title: 'manuel <m>', ruleIds: [] }, { controlId: '1.3', title: 'trois', ruleIds: ['rule-b', 'rule-a'] }] },
        { id: 'fw-2', name: 'Autre', version: '2', controls: [{ controlId: 'X', title: 'x', ruleIds: ['rule-b'] }] },
      ],
    },
  } as unknown as AnalysisResult;
  const before = (await readdir(tmpdir())).filter((name) => name.startsWith('iam-audit-junit-'));
  const spool = new JunitSpool(junitStream, new Map(result.catalogue?.rules.map((entry) => [entry.id, junitStream.remediationOf(entry)]) ?? []));
  for (let offset = 0; offset < results.length; offset += 7) spool.add(results.slice(offset, offset + 7));
  let written = '';
  spool.writeTo({ write: (text: string) => void (written += text) }, result);
  const rendered = renderJunit(result);
  assert.ok(rendered.length > 2 << 20, `${rendered.length} characters: several read pieces`);
  assert.equal(written, rendered);
  assert.deepEqual((await readdir(tmpdir())).filter((name) => name.startsWith('iam-audit-junit-')), before, 'spools removed');
});
