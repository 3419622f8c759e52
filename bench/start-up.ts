/**
 * Issue 11 start-up targets, in CPU seconds (user + system, median of 3): the light commands, and
 * one `report -f json` of the 26-user demo snapshot, the kind of short run the test suite spawns
 * about 230 times (issue 12). `node -e ''` is printed beside them: no command can cost less.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../src/util/paths.js';
import { measureCli, type Measurement } from './measure.js';
import { formatMegabytes, type BenchRow } from './table.js';

const RUNS = 3;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function medianRun(run: () => Promise<Pick<Measurement, 'cpuMs' | 'peakRssBytes' | 'code' | 'stderr'>>): Promise<{ cpuMs: number; peakRssBytes: number }> {
  const runs: Pick<Measurement, 'cpuMs' | 'peakRssBytes'>[] = [];
  for (let index = 0; index < RUNS; index += 1) {
    const measured = await run();
    if (measured.code !== 0) throw new Error(`bench failed: ${measured.stderr}`);
    runs.push(measured);
  }
  return { cpuMs: median(runs.map((entry) => entry.cpuMs)), peakRssBytes: median(runs.map((entry) => entry.peakRssBytes)) };
}

/** `node -e ''` measured as the CLI is (the same exit preamble): the floor under every command. */
function measureBareNode(): Promise<Pick<Measurement, 'cpuMs' | 'peakRssBytes' | 'code' | 'stderr'>> {
  const script = `process.on('exit', () => { const usage = process.resourceUsage(); process.stderr.write('@@maxrss=' + usage.maxRSS + ' cpu=' + (usage.userCPUTime + usage.systemCPUTime)); });`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const match = /@@maxrss=(\d+) cpu=(\d+)/.exec(stderr);
      resolve({ cpuMs: match === null ? 0 : Number(match[2]) / 1000, peakRssBytes: match === null ? 0 : Number(match[1]) * 1024, code, stderr });
    });
  });
}

const cpu = (milliseconds: number): string => `${(milliseconds / 1000).toFixed(2)} s`;

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const row = (benchmark: string, measured: { cpuMs: number; peakRssBytes: number }, target: string): BenchRow => ({
    benchmark,
    size: '',
    'CPU (median of 3)': cpu(measured.cpuMs),
    'peak memory': formatMegabytes(measured.peakRssBytes),
    target,
  });
  rows.push(row("node -e ''", await medianRun(measureBareNode), 'the floor'));
  for (const args of [['--version'], ['--help'], ['rules']]) {
    rows.push(row(`start-up: ${args.join(' ')}`, await medianRun(() => measureCli(args)), '< 0.25 s CPU'));
  }
  const folder = await mkdtemp(join(tmpdir(), 'iam-audit-bench-'));
  try {
    const snapshot = join(packageRoot, 'fixtures', 'demo', 'snapshot.json');
    const measured = await medianRun(() => measureCli(['report', snapshot, '-f', 'json', '-d', folder, '--overwrite', '--quiet']));
    rows.push(row('start-up: report -f json (demo, 26 users)', measured, 'none set; 0.93 s before'));
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
  return rows;
}
