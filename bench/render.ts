/**
 * Issue #3 targets: HTML for 10,000 users < 1 s; PDF for 10,000 users < 25 s; 50,000 users
 * completes with peak memory (the CLI and the whole browser process tree) < 2 GB.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { packageRoot } from '../src/util/paths.js';
import { BENCH_GENERATED_AT, generateCredentialReport } from './generate.js';
import { measureCli } from './measure.js';
import { formatMegabytes, formatSeconds, type BenchRow } from './table.js';

const CLI = join(packageRoot, 'dist', 'src', 'cli', 'main.js');
const PAGE_SIZE = 4096;

interface TreeMemory {
  /** Proportional set size: shared pages divided among the processes sharing them (the honest total). */
  readonly pss: number;
  /** Plain sum of resident sizes: counts Chromium's shared binary and libraries once per process. */
  readonly rssSum: number;
}

/** Memory of `root` and every process descending from it (the browser and its renderers). */
async function treeMemory(root: number): Promise<TreeMemory> {
  const parents = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const statLine = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => null);
    if (statLine === null) continue;
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = statLine.slice(statLine.lastIndexOf(')') + 2).split(' ');
    parents.set(Number(entry), Number(fields[1]));
  }
  const members = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, parent] of parents) {
      if (!members.has(pid) && members.has(parent)) {
        members.add(pid);
        grew = true;
      }
    }
  }
  let pss = 0;
  let rssSum = 0;
  for (const pid of members) {
    const statm = await readFile(`/proc/${pid}/statm`, 'utf8').catch(() => null);
    if (statm !== null) rssSum += Number(statm.split(' ')[1]) * PAGE_SIZE;
    const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => null);
    const kilobytes = rollup === null ? null : /^Pss:\s+(\d+) kB$/m.exec(rollup)?.[1];
    if (kilobytes !== null && kilobytes !== undefined) pss += Number(kilobytes) * 1024;
  }
  return { pss, rssSum };
}

interface TreeMeasurement {
  readonly wallMs: number;
  readonly peakPssBytes: number;
  readonly peakRssSumBytes: number;
  readonly code: number | null;
  readonly stderr: string;
}

/** Runs the CLI, sampling the RSS of its whole process tree every 100 ms. */
export function measureTree(args: readonly string[]): Promise<TreeMeasurement> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [CLI, ...args], { cwd: packageRoot, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let peakPss = 0;
    let peakRssSum = 0;
    let sampling = false;
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setInterval(() => {
      if (sampling || child.pid === undefined) return;
      sampling = true;
      treeMemory(child.pid)
        .then((memory) => {
          peakPss = Math.max(peakPss, memory.pss);
          peakRssSum = Math.max(peakRssSum, memory.rssSum);
        })
        .finally(() => (sampling = false));
    }, 100);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(timer);
      resolve({ wallMs: performance.now() - started, peakPssBytes: peakPss, peakRssSumBytes: peakRssSum, code, stderr });
    });
  });
}

const execute = promisify(execFile);

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const users of [100, 1_000, 10_000, 50_000]) {
    const folder = await mkdtemp(join(tmpdir(), 'iam-audit-bench-render-'));
    try {
      await writeFile(join(folder, 'report.csv'), generateCredentialReport(users));
      const snapshot = join(folder, 'snapshot.json');
      const imported = await measureCli(['import', join(folder, 'report.csv'), '-o', snapshot, '--generated-at', BENCH_GENERATED_AT]);
      if (imported.code !== 0) throw new Error(`bench import failed: ${imported.stderr}`);
      for (const format of ['html', 'pdf'] as const) {
        const out = join(folder, format);
        const measured = await measureTree(['report', snapshot, '-d', out, '--format', format, '--quiet']);
        if (measured.code !== 0) throw new Error(`bench ${format} for ${users} users failed: ${measured.stderr}`);
        const [file] = (await readdir(out)).filter((name) => name.endsWith(`.${format}`));
        if (file === undefined) throw new Error(`bench: no ${format} written`);
        const size = (await stat(join(out, file))).size;
        const pages = format === 'pdf' ? (/^Pages:\s+(\d+)$/m.exec((await execute('pdfinfo', [join(out, file)])).stdout)?.[1] ?? '?') : '';
        const target =
          format === 'html' && users === 10_000 ? '< 1 s' : format === 'pdf' && users === 10_000 ? '< 25 s' : format === 'pdf' && users === 50_000 ? 'completes, < 2 GB' : '';
        rows.push({
          benchmark: `report ${format}`,
          size: `${users.toLocaleString('en')} users`,
          'wall time': formatSeconds(measured.wallMs),
          // CLI and browser tree: PSS is the memory really used; the RSS sum counts shared pages per process.
          'peak memory (PSS)': formatMegabytes(measured.peakPssBytes),
          'peak RSS sum': formatMegabytes(measured.peakRssSumBytes),
          pages,
          'file size': formatMegabytes(size).replace(' MB', '') === '0' ? `${(size / 1024).toFixed(0)} KB` : formatMegabytes(size),
          target,
        });
      }
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  }
  return rows;
}
