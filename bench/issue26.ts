/**
 * Issue 26: every target beside its measured figure, for this build and, when
 * BENCH_BASELINE_CLI names another build's dist/src/cli/main.js (the previous release, built in
 * a temporary folder: docs/development.md), for that build in the same run, interleaved run by run.
 * The peer (CloudSploit's IAM plugins over the same credential report, bench/peer/) is measured
 * in the same run, interleaved run by run with this build, when BENCH_PEER_COMMAND is set: a shell
 * command with {report} for the report's path, {out} for a folder to write its results to and
 * {node} for the Node binary running the bench (docs/development.md says how to set it up). Its
 * published figures stay in the target column.
 *
 * BENCH_RUNS (default 3): runs per audit row, median taken. BENCH_ISSUE26_PDF_USERS (default
 * 1000,5000,10000): the PDF sizes. CPU is user + system of the CLI (with the browser for PDFs);
 * a shared machine inflates both, so the table says under what load it was taken.
 */
import { exec } from 'node:child_process';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { importCredentialReport } from '../src/import/credential-report.js';
import { writeSnapshot } from '../src/snapshot/io.js';
import { BENCH_GENERATED_AT, generateCredentialReport } from './generate.js';
import { measureCli, type Measurement } from './measure.js';
import { measureTree } from './render.js';
import { formatMegabytes, type BenchRow } from './table.js';

const RUNS = Math.max(1, Number(process.env['BENCH_RUNS'] ?? 3));
const BASELINE = process.env['BENCH_BASELINE_CLI'];
const PEER = process.env['BENCH_PEER_COMMAND'];
const execute = promisify(exec);

interface Figures {
  readonly cpuMs: number;
  readonly peakRssBytes: number;
  readonly bytesPerUser?: number;
  readonly wallMs?: number;
}

const median = (values: readonly number[]): number => [...values].sort((left, right) => left - right)[Math.floor(values.length / 2)] ?? 0;
const seconds = (milliseconds: number): string => `${(milliseconds / 1000).toFixed(2)} s`;

function describe(figures: Figures | null, parts: readonly ('cpu' | 'rss' | 'bytes' | 'wall')[]): string {
  if (figures === null) return '';
  const text: string[] = [];
  for (const part of parts) {
    if (part === 'cpu') text.push(`${seconds(figures.cpuMs)} CPU`);
    if (part === 'rss') text.push(formatMegabytes(figures.peakRssBytes));
    if (part === 'bytes' && figures.bytesPerUser !== undefined) text.push(`${Math.round(figures.bytesPerUser).toLocaleString('en')} B/user`);
    if (part === 'wall' && figures.wallMs !== undefined) text.push(`${seconds(figures.wallMs)} wall`);
  }
  return text.join(', ');
}

/** The JSON report and every CSV (not the snapshot, manifest or checksums): the "JSON + CSVs". */
async function outputBytes(folder: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(folder)) if (/^iam_audit_.*\.(json|csv)(\.gz)?$/.test(name) && !name.includes('.manifest.')) total += (await stat(join(folder, name))).size;
  return total;
}

/** The median of RUNS runs of each build (and of the peer, when `withPeer`), interleaved so that all meet the same load. */
async function auditFigures(
  report: string,
  users: number,
  args: readonly string[],
  folder: string,
  withPeer: boolean,
): Promise<{ now: Figures; before: Figures | null; refusedBefore: string | null; peer: Figures | null }> {
  const runs: { now: Measurement[]; before: Measurement[] } = { now: [], before: [] };
  const peerRuns: Figures[] = [];
  let bytesNow = 0;
  let refusedBefore: string | null = null;
  for (let index = 0; index < RUNS; index += 1) {
    for (const build of BASELINE === undefined ? (['now'] as const) : (['now', 'before'] as const)) {
      if (build === 'before' && refusedBefore !== null) continue;
      const out = join(folder, `out-${build}`);
      await rm(out, { recursive: true, force: true });
      const measured = await measureCli(['audit', report, '-d', out, ...args, '--quiet', '--generated-at', BENCH_GENERATED_AT], build === 'before' ? { cli: BASELINE } : {});
      if (measured.code !== 0 && measured.code !== 1) {
        if (build === 'now') throw new Error(`bench failed: ${measured.stderr}`);
        refusedBefore = measured.stderr.split('\n')[0] ?? 'refused';
        continue;
      }
      runs[build].push(measured);
      if (build === 'now') bytesNow = await outputBytes(out);
    }
    if (withPeer) {
      const out = join(folder, 'out-peer');
      await rm(out, { recursive: true, force: true });
      const peer = await peerFigures(report, out);
      if (peer !== null) peerRuns.push(peer);
    }
  }
  const figures = (list: readonly Pick<Figures, 'cpuMs' | 'peakRssBytes'>[]): Figures => ({
    cpuMs: median(list.map((entry) => entry.cpuMs)),
    peakRssBytes: median(list.map((entry) => entry.peakRssBytes)),
  });
  return {
    now: { ...figures(runs.now), bytesPerUser: bytesNow / users },
    before: runs.before.length === 0 ? null : figures(runs.before),
    refusedBefore,
    peer: peerRuns.length === 0 ? null : figures(peerRuns),
  };
}

/** One run of the peer over the same report, writing to `out`: GNU time's user + system and maximum RSS. */
async function peerFigures(report: string, out: string): Promise<Figures | null> {
  if (PEER === undefined || PEER === '') return null;
  // {node}: the runtime running this bench, so that the peer and this build meet the same Node.
  const command = PEER.replaceAll('{node}', JSON.stringify(process.execPath)).replaceAll('{report}', report).replaceAll('{out}', out);
  const { stderr } = await execute(`/usr/bin/time -f 'PEER %U %S %M' sh -c ${JSON.stringify(command)} > /dev/null`, { maxBuffer: 64 * 1024 * 1024 });
  const match = /^PEER ([\d.]+) ([\d.]+) (\d+)$/m.exec(stderr);
  if (match === null) throw new Error(`BENCH_PEER_COMMAND gave no figures: ${stderr.trim().split('\n').pop() ?? ''}`);
  return { cpuMs: (Number(match[1]) + Number(match[2])) * 1000, peakRssBytes: Number(match[3]) * 1024 };
}

async function auditRows(rows: BenchRow[]): Promise<void> {
  const cases = [
    { users: 5_000, args: ['--format', 'csv,json'], work: 'audit --format csv,json', target: "CPU <= peer's (0.72 s); < 120 MB; <= 3,000 B/user", parts: ['cpu', 'rss', 'bytes'] as const },
    { users: 100_000, args: ['--format', 'csv,json'], work: 'audit --format csv,json', target: "CPU <= peer's (5.5-5.9 s); < 500 MB (peer 484 MB); <= 3,000 B/user", parts: ['cpu', 'rss', 'bytes'] as const },
    { users: 50_000, args: ['--format', 'ocsf', '--status', 'fail'], work: 'audit --format ocsf --status fail', target: '< 1 GB', parts: ['cpu', 'rss'] as const },
  ];
  for (const entry of cases) {
    const folder = await mkdtemp(join(tmpdir(), 'iam-audit-bench-26-'));
    try {
      const report = join(folder, 'report.csv');
      await writeFile(report, generateCredentialReport(entry.users));
      let measured: Awaited<ReturnType<typeof auditFigures>> | null = null;
      let refused = '';
      // The peer writes every result (no status filter): it does the csv,json rows' work, not OCSF's.
      const withPeer = !entry.args.includes('ocsf');
      try {
        measured = await auditFigures(report, entry.users, entry.args, folder, withPeer);
      } catch (error) {
        refused = `not measurable in this build (${(error as Error).message.split('\n').find((line) => /error|unknown/i.test(line)) ?? 'refused'})`;
      }
      rows.push({
        benchmark: entry.work,
        size: `${entry.users.toLocaleString('en')} users`,
        target: entry.target,
        'this build': measured === null ? refused : describe(measured.now, entry.parts),
        'previous release': measured === null ? '' : measured.refusedBefore !== null ? `refused (${measured.refusedBefore})` : describe(measured.before, entry.parts),
        'peer, same run': describe(measured?.peer ?? null, ['cpu', 'rss']),
      });
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  }
}

async function pdfRows(rows: BenchRow[]): Promise<void> {
  const sizes = (process.env['BENCH_ISSUE26_PDF_USERS'] ?? '1000,5000,10000').split(',').map(Number).filter((users) => users > 0);
  const targets: Readonly<Record<number, string>> = { 1_000: '< 4 s wall', 5_000: '< 10 s wall', 10_000: '< 15 s wall' };
  for (const users of sizes) {
    const folder = await mkdtemp(join(tmpdir(), 'iam-audit-bench-26-pdf-'));
    try {
      await writeFile(join(folder, 'report.csv'), generateCredentialReport(users));
      const snapshot = join(folder, 'snapshot.json');
      const imported = await measureCli(['import', join(folder, 'report.csv'), '-o', snapshot, '--generated-at', BENCH_GENERATED_AT]);
      if (imported.code !== 0) throw new Error(`bench import failed: ${imported.stderr}`);
      const cells: string[] = [];
      for (const cli of BASELINE === undefined ? [undefined] : [undefined, BASELINE]) {
        const args = ['report', snapshot, '--format', 'pdf', '--quiet'];
        // Timed without memory sampling (sampling Chromium's page tables slows it), then sampled.
        const timed = await measureTree([...args, '-d', join(folder, 'timed')], false, cli);
        const sampled = await measureTree([...args, '-d', join(folder, 'sampled')], true, cli);
        await rm(join(folder, 'timed'), { recursive: true, force: true });
        await rm(join(folder, 'sampled'), { recursive: true, force: true });
        cells.push(timed.code !== 0 ? `failed: ${timed.stderr.split('\n')[0] ?? ''}` : `${seconds(timed.wallMs)} wall, ${timed.cpuSeconds?.toFixed(2) ?? '?'} s CPU, ${formatMegabytes(sampled.peakRssSumBytes)} RSS sum (${formatMegabytes(sampled.peakPssBytes)} PSS)`);
      }
      rows.push({ benchmark: 'report --format pdf', size: `${users.toLocaleString('en')} users`, target: `${targets[users] ?? ''}; < 1 GB RSS summed with the browser`, 'this build': cells[0] ?? '', 'previous release': cells[1] ?? '', 'peer, same run': 'no PDF' });
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  }
}

async function trendRows(rows: BenchRow[]): Promise<void> {
  const folder = await mkdtemp(join(tmpdir(), 'iam-audit-bench-26-trend-'));
  try {
    const archive = join(folder, 'archive');
    const csv = Buffer.from(generateCredentialReport(5_000));
    for (let index = 0; index < 50; index += 1) {
      const capturedAt = new Date(Date.parse(BENCH_GENERATED_AT) + index * 7 * 86_400_000);
      const { snapshot } = importCredentialReport(csv, { generatedAt: capturedAt, fileName: 'bench.csv', displayPath: 'bench.csv' });
      await writeSnapshot(join(archive, `snapshot-${String(index).padStart(2, '0')}.json${index % 2 === 0 ? '' : '.gz'}`), snapshot, false);
    }
    const cache = join(folder, 'cache');
    const trend = async (name: string, cacheDir: string, cli?: string): Promise<string> => {
      const measured = await measureCli(['trend', archive, '-d', join(folder, name), '--format', 'csv,json'], { env: { IAM_AUDIT_CACHE_DIR: cacheDir }, ...(cli === undefined ? {} : { cli }) });
      if (measured.code !== 0) return `failed: ${measured.stderr.split('\n')[0] ?? ''}`;
      return describe({ cpuMs: measured.cpuMs, peakRssBytes: measured.peakRssBytes }, ['cpu', 'rss']);
    };
    const before = BASELINE === undefined ? '' : await trend('out-before', 'off', BASELINE);
    rows.push({ benchmark: 'trend --format csv,json, first run (nothing cached)', size: '50 archives x 5,000 users', target: '< 10 s CPU', 'this build': await trend('out-cold', cache), 'previous release': before, 'peer, same run': '' });
    rows.push({ benchmark: 'trend --format csv,json, the same archives again (points cached)', size: '50 archives x 5,000 users', target: '< 10 s CPU', 'this build': await trend('out-warm', cache), 'previous release': '', 'peer, same run': '' });
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const load = loadavg()[0]?.toFixed(1) ?? '?';
  const only = process.env['BENCH_ISSUE26_PARTS']?.split(',') ?? ['audit', 'trend', 'pdf'];
  if (only.includes('audit')) await auditRows(rows);
  if (only.includes('trend')) await trendRows(rows);
  if (only.includes('pdf')) await pdfRows(rows);
  rows.push({ benchmark: `(load average ${load} at the start; ${RUNS} run(s) per audit row)`, size: '', target: '', 'this build': '', 'previous release': BASELINE === undefined ? 'BENCH_BASELINE_CLI not set' : BASELINE, 'peer, same run': PEER === undefined ? 'BENCH_PEER_COMMAND not set' : '' });
  return rows;
}
