import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../src/util/paths.js';

const CLI = join(packageRoot, 'dist', 'src', 'cli', 'main.js');

export interface Measurement {
  readonly wallMs: number;
  /** Peak resident memory of the CLI process (and, with the browser, see render benches). */
  readonly peakRssBytes: number;
  /** CPU time of the CLI process, user + system (what a shared machine does not inflate the way it inflates wall time). */
  readonly cpuMs: number;
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the built CLI in a child process and reports its wall time and peak RSS. The child loads a
 * tiny preamble that prints process.resourceUsage().maxRSS on exit, so no external `time` is needed.
 */
/** `cli`: another build's main.js (the previous release, for the issue-26 comparison); default this build's. */
export function measureCli(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; cli?: string } = {}): Promise<Measurement> {
  const preamble = `process.on('exit', () => { const usage = process.resourceUsage(); process.stderr.write('\\n@@maxrss=' + usage.maxRSS + ' cpu=' + (usage.userCPUTime + usage.systemCPUTime) + '\\n'); });`;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(preamble)}`, options.cli ?? CLI, ...args], {
      cwd: options.cwd ?? packageRoot,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      const match = /@@maxrss=(\d+) cpu=(\d+)/.exec(stderr);
      resolve({
        wallMs,
        peakRssBytes: match === null ? 0 : Number(match[1]) * 1024,
        cpuMs: match === null ? 0 : Number(match[2]) / 1000,
        code,
        stdout,
        stderr: stderr.replace(/\n@@maxrss=\d+ cpu=\d+\n/, ''),
      });
    });
  });
}
