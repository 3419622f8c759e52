/**
 * Issue 11 targets, in CPU seconds (user + system: a shared machine inflates wall time far more),
 * each the median of 3 runs: `audit --format csv,json` at 5,000 and 100,000 users with its peak
 * memory and the findings' bytes per user. The start-up rows are bench/start-up.ts
 * ("audit-start-up", so `npm run bench -- audit` prints both).
 */
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_GENERATED_AT, generateCredentialReport } from './generate.js';
import { measureCli, type Measurement } from './measure.js';
import { formatMegabytes, type BenchRow } from './table.js';

const RUNS = 3;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function medianRun(run: () => Promise<Measurement>): Promise<{ cpuMs: number; peakRssBytes: number }> {
  const runs: Measurement[] = [];
  for (let index = 0; index < RUNS; index += 1) {
    const measured = await run();
    if (measured.code !== 0 && measured.code !== 1) throw new Error(`bench failed: ${measured.stderr}`);
    runs.push(measured);
  }
  return { cpuMs: median(runs.map((entry) => entry.cpuMs)), peakRssBytes: median(runs.map((entry) => entry.peakRssBytes)) };
}

const cpu = (milliseconds: number): string => `${(milliseconds / 1000).toFixed(2)} s`;

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const [users, target] of [
    [5_000, '< 0.8 s CPU, < 150 MB; output half of 7,041 B/user'],
    [100_000, '< 6 s CPU, < 500 MB'],
  ] as const) {
    const folder = await mkdtemp(join(tmpdir(), 'iam-audit-bench-'));
    try {
      const report = join(folder, 'report.csv');
      await writeFile(report, generateCredentialReport(users));
      let outputBytes = 0;
      const measured = await medianRun(async () => {
        const out = join(folder, 'out');
        await rm(out, { recursive: true, force: true });
        const result = await measureCli(['audit', report, '-d', out, '--format', 'csv,json', '--quiet', '--generated-at', BENCH_GENERATED_AT]);
        // The findings as evidence: the JSON, the findings CSV and the rules CSV (not the MFA CSV, snapshot or manifest).
        outputBytes = 0;
        for (const name of await readdir(out)) {
          if (/^iam_audit_(findings_|rules_)?[\dT-]+\.(json|csv)$/.test(name) && !/^iam_audit_[\dT-]+\.csv$/.test(name)) outputBytes += (await stat(join(out, name))).size;
        }
        return result;
      });
      rows.push({
        benchmark: 'audit --format csv,json',
        size: `${users.toLocaleString('en')} users`,
        'CPU (median of 3)': cpu(measured.cpuMs),
        'peak memory': formatMegabytes(measured.peakRssBytes),
        'output per user': `${Math.round(outputBytes / users).toLocaleString('en')} B (JSON + findings + rules CSV)`,
        target,
      });
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  }
  return rows;
}
