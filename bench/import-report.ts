import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_GENERATED_AT, generateCredentialReport } from './generate.js';
import { measureCli } from './measure.js';
import { formatMegabytes, formatSeconds, type BenchRow } from './table.js';

/** Issue #2 target: 100,000 users imported and reported (CSV + JSON) in under 3 s, under 500 MB. */
export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const users of [1_000, 10_000, 100_000]) {
    const folder = await mkdtemp(join(tmpdir(), 'iam-audit-bench-'));
    try {
      const report = join(folder, 'report.csv');
      await writeFile(report, generateCredentialReport(users));
      const imported = await measureCli(['import', report, '-o', join(folder, 'snapshot.json'), '--generated-at', BENCH_GENERATED_AT]);
      const reported = await measureCli(['report', join(folder, 'snapshot.json'), '-d', folder, '--format', 'csv,json', '--quiet']);
      if (imported.code !== 0 || reported.code !== 0) throw new Error(`bench failed: ${imported.stderr}${reported.stderr}`);
      rows.push({
        benchmark: 'import + report (csv,json)',
        size: `${users.toLocaleString('en')} users`,
        'wall time': formatSeconds(imported.wallMs + reported.wallMs),
        'import time': formatSeconds(imported.wallMs),
        'report time': formatSeconds(reported.wallMs),
        'peak memory': formatMegabytes(Math.max(imported.peakRssBytes, reported.peakRssBytes)),
        target: users === 100_000 ? '< 3 s, < 500 MB' : '',
      });
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  }
  return rows;
}
