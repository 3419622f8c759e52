/**
 * Issue #3 targets: HTML for 10,000 users < 1 s; 50,000 users completes with peak memory (the CLI
 * and the whole browser process tree) < 2 GB. Issue #11 targets for the PDF (one matrix row per
 * identity, listings shortened in print): 10,000 users in at most 330 pages (a quarter of the
 * 1,323 before), under 10 s wall and 1.2 GB summed RSS with the browser; 1,000 users under 4 s.
 * CPU is user + system time of the CLI and every process it waited for (the browser included).
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
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
  /** User + system CPU seconds of the run and its children (null without /usr/bin/time). */
  readonly cpuSeconds: number | null;
}

/** GNU time reports the CPU of the CLI and of every process it waited for (Chromium and its renderers). */
const GNU_TIME = '/usr/bin/time';
const CPU_MARK = 'IAM-AUDIT-BENCH-CPU';

/**
 * Runs the CLI, sampling the memory of its whole process tree every 100 ms when `sampleMemory`.
 * The sampling reads every process's smaps_rollup, which costs the kernel a walk of Chromium's
 * page tables: on 2 cores it slowed a 1,000-user PDF run by a third, so time is measured by a run
 * of its own.
 */
export function measureTree(args: readonly string[], sampleMemory = true, cli: string = CLI): Promise<TreeMeasurement> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const timed = existsSync(GNU_TIME);
    const command = timed ? GNU_TIME : process.execPath;
    const commandArgs = timed ? ['-f', `${CPU_MARK} %U %S`, process.execPath, cli, ...args] : [cli, ...args];
    const child = spawn(command, commandArgs, { cwd: packageRoot, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let peakPss = 0;
    let peakRssSum = 0;
    let sampling = false;
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setInterval(() => {
      if (!sampleMemory || sampling || child.pid === undefined) return;
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
      const cpu = new RegExp(`^${CPU_MARK} ([\\d.]+) ([\\d.]+)$`, 'm').exec(stderr);
      const cpuSeconds = cpu === null ? null : Number(cpu[1]) + Number(cpu[2]);
      resolve({ wallMs: performance.now() - started, peakPssBytes: peakPss, peakRssSumBytes: peakRssSum, code, stderr: stderr.replace(new RegExp(`^${CPU_MARK}.*\\n?`, 'm'), ''), cpuSeconds });
    });
  });
}

const execute = promisify(execFile);

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  // BENCH_RENDER_USERS=1000,10000 measures only those sizes (the 50,000-user PDF takes minutes).
  const sizes = process.env['BENCH_RENDER_USERS']?.split(',').map(Number).filter((users) => users > 0) ?? [100, 1_000, 10_000, 50_000];
  for (const users of sizes) {
    const folder = await mkdtemp(join(tmpdir(), 'iam-audit-bench-render-'));
    try {
      await writeFile(join(folder, 'report.csv'), generateCredentialReport(users));
      const snapshot = join(folder, 'snapshot.json');
      const imported = await measureCli(['import', join(folder, 'report.csv'), '-o', snapshot, '--generated-at', BENCH_GENERATED_AT]);
      if (imported.code !== 0) throw new Error(`bench import failed: ${imported.stderr}`);
      for (const format of ['html', 'pdf'] as const) {
        const out = join(folder, format);
        const timed = await measureTree(['report', snapshot, '-d', join(folder, `${format}-timed`), '--format', format, '--quiet'], false);
        const measured = await measureTree(['report', snapshot, '-d', out, '--format', format, '--quiet']);
        if (timed.code !== 0 || measured.code !== 0) throw new Error(`bench ${format} for ${users} users failed: ${timed.stderr}${measured.stderr}`);
        const [file] = (await readdir(out)).filter((name) => name.endsWith(`.${format}`));
        if (file === undefined) throw new Error(`bench: no ${format} written`);
        const size = (await stat(join(out, file))).size;
        const pages = format === 'pdf' ? (/^Pages:\s+(\d+)$/m.exec((await execute('pdfinfo', [join(out, file)])).stdout)?.[1] ?? '?') : '';
        const target =
          format === 'html' && users === 10_000
            ? '< 1 s'
            : format === 'pdf' && users === 1_000
              ? '< 4 s'
              : format === 'pdf' && users === 10_000
                ? '<= 330 pages, < 10 s, < 1.2 GB RSS sum'
                : format === 'pdf' && users === 50_000
                  ? 'completes, < 2 GB'
                  : '';
        rows.push({
          benchmark: `report ${format}`,
          size: `${users.toLocaleString('en')} users`,
          'wall time': formatSeconds(timed.wallMs),
          'CPU (user+sys, with browser)': timed.cpuSeconds === null ? '' : `${timed.cpuSeconds.toFixed(2)} s`,
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
