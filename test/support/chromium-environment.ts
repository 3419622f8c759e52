/**
 * Runs the built CLI while watching the environments of the Chromium processes it starts (browser,
 * zygote, renderers), read from /proc/<pid>/environ (Linux). A test that already renders a real PDF
 * uses it to check that no secret reaches the browser, without a browser run of its own.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { CLI_PATH, type CliRun } from './cli.js';

/** The parent pid of a process, or null when it is gone. */
function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (2nd field) may hold spaces and parentheses: the fields after the last ")".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[1]);
  } catch {
    return null;
  }
}

function descendsFrom(pid: number, ancestor: number): boolean {
  let current: number | null = pid;
  for (let depth = 0; depth < 16 && current !== null && current > 1; depth += 1) {
    current = parentOf(current);
    if (current === ancestor) return true;
  }
  return false;
}

/** Environments of the Chromium processes below `root` right now, by pid. */
function chromiumEnvironments(root: number, seen: Map<number, string[]>, commandLines: Map<number, string>): void {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    try {
      const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!commandLine.includes('iam-audit-chromium-') || !descendsFrom(pid, root)) continue;
      seen.set(pid, readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter((line) => line !== ''));
      commandLines.set(pid, commandLine.replaceAll('\0', ' ').trim());
    } catch {
      // The process ended between the listing and the read: nothing to check.
    }
  }
}

export interface WatchedRun extends CliRun {
  /** Environment lines of every Chromium process seen below the CLI, by pid. */
  readonly chromium: ReadonlyMap<number, string[]>;
  /** The command line of each of them (arguments joined by spaces), by pid. */
  readonly chromiumCommandLines: ReadonlyMap<number, string>;
}

/** Runs the CLI with `env` added to this process's environment and records its Chromium processes' environments. */
export async function runCliWatchingChromium(args: readonly string[], env: NodeJS.ProcessEnv): Promise<WatchedRun> {
  const child = spawn(process.execPath, [CLI_PATH, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const seen = new Map<number, string[]>();
  const commandLines = new Map<number, string>();
  const root = child.pid;
  const poll = root === undefined || process.platform !== 'linux' ? undefined : setInterval(() => chromiumEnvironments(root, seen, commandLines), 25);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  }).finally(() => clearInterval(poll));
  return { code, stdout, stderr, chromium: seen, chromiumCommandLines: commandLines };
}
