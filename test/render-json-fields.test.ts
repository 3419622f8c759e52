/** JSON report: zoned timestamps next to the original's zone-less ones, numeric twins of the rate strings (issue #12). */
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { buildJsonReport } from '../src/render/json.js';
import { temporaryFolder } from './support/cli.js';
import { runExampleReport, writeExampleSnapshot } from './support/report-run.js';

let work: { path: string; cleanup: () => Promise<void> };
before(async () => {
  work = await temporaryFolder('iam-audit-json-');
});
after(async () => {
  await work.cleanup();
});

const ZONED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

it('every metadata time carries its zone; the seed fields stay as they were', async () => {
  const snapshotPath = await writeExampleSnapshot(work.path);
  const { outcome } = await runExampleReport({ snapshotPath, outDir: join(work.path, 'out'), formats: ['json'] });
  const metadata = buildJsonReport(outcome.result)['metadata'] as Record<string, unknown>;
  // SOURCE_DATE_EPOCH 1800000000 fixes the run clock.
  assert.equal(metadata['audit_start'], '2027-01-15T08:00:00.000000', 'the seed field: python isoformat, no zone');
  assert.equal(metadata['audit_start_utc'], '2027-01-15T08:00:00.000Z');
  assert.equal(metadata['audit_end_utc'], '2027-01-15T08:00:00.000Z');
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) && key !== 'audit_start' && key !== 'audit_end') assert.match(value, ZONED, key);
  }
});

it('compliance_rate stays the seed string, with a numeric twin', async () => {
  const snapshotPath = await writeExampleSnapshot(work.path);
  const { outcome } = await runExampleReport({ snapshotPath, outDir: join(work.path, 'out2'), formats: ['json'] });
  const metadata = buildJsonReport(outcome.result)['metadata'] as Record<string, unknown>;
  assert.equal(typeof metadata['compliance_rate'], 'string');
  assert.match(String(metadata['compliance_rate']), /^\d+\.\d%$/);
  assert.equal(metadata['compliance_rate_percent'], Number.parseFloat(String(metadata['compliance_rate'])));
  assert.equal(typeof metadata['compliance_rate_percent'], 'number');

  const empty = join(work.path, 'empty');
  await mkdir(empty, { recursive: true });
  const none = await runExampleReport({ snapshotPath: await writeExampleSnapshot(empty, []), outDir: join(work.path, 'out3'), formats: ['json'] });
  const noUsers = buildJsonReport(none.outcome.result)['metadata'] as Record<string, unknown>;
  assert.equal(noUsers['compliance_rate'], 'n/a');
  assert.equal(noUsers['compliance_rate_percent'], null);
  assert.equal(noUsers['console_compliance_rate_percent'], null);
});
