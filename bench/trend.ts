/**
 * Issue 13 target: `trend` over 50 archived snapshots of 5,000 users each in under 30 s and under
 * 500 MB (it holds one snapshot at a time). The snapshots are one generated credential report
 * imported at 50 capture times a week apart, every other one gzip-compressed (not timed).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importCredentialReport } from '../src/import/credential-report.js';
import { writeSnapshot } from '../src/snapshot/io.js';
import { BENCH_GENERATED_AT, generateCredentialReport } from './generate.js';
import { measureCli } from './measure.js';
import { formatMegabytes, formatSeconds, type BenchRow } from './table.js';

export async function run(): Promise<BenchRow[]> {
  const snapshots = 50;
  const users = 5_000;
  const folder = await mkdtemp(join(tmpdir(), 'iam-audit-bench-trend-'));
  try {
    const archive = join(folder, 'archive');
    const csv = Buffer.from(generateCredentialReport(users));
    for (let index = 0; index < snapshots; index += 1) {
      const capturedAt = new Date(Date.parse(BENCH_GENERATED_AT) + index * 7 * 86_400_000);
      const { snapshot } = importCredentialReport(csv, { generatedAt: capturedAt, fileName: 'bench.csv', displayPath: 'bench.csv' });
      await writeSnapshot(join(archive, `snapshot-${String(index).padStart(2, '0')}.json${index % 2 === 0 ? '' : '.gz'}`), snapshot, false);
    }
    // Without the summary cache (issue 26): this row is the cost of analysing every archive; bench/issue26.ts has both.
    const measured = await measureCli(['trend', archive, '-d', join(folder, 'out'), '--format', 'csv,json'], { env: { IAM_AUDIT_CACHE_DIR: 'off' } });
    if (measured.code !== 0) throw new Error(`bench failed: ${measured.stderr}`);
    return [
      {
        benchmark: 'trend (csv,json)',
        size: `${snapshots} snapshots x ${users.toLocaleString('en')} users`,
        'wall time': formatSeconds(measured.wallMs),
        'peak memory': formatMegabytes(measured.peakRssBytes),
        target: '< 30 s, < 500 MB',
      },
    ];
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
