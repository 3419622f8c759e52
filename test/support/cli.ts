import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/util/paths.js';

export const CLI_PATH = join(packageRoot, 'dist', 'src', 'cli', 'main.js');
export const FIXTURES = join(packageRoot, 'fixtures');
export const REAL_WORLD_REPORTS = join(packageRoot, 'fixtures', 'real-world');

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built CLI as a user would, in `cwd`, and collects its output. */
/** `user`: run as another uid/gid (root tests use it to meet a real "permission denied"). */
export function runCli(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; user?: { readonly uid: number; readonly gid: number } } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], {
      cwd: options.cwd ?? packageRoot,
      env: { ...process.env, ...options.env },
      ...options.user,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** A fresh temporary folder, removed by the returned cleanup. */
export async function temporaryFolder(prefix = 'iam-audit-test-'): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

/** True for a run's evidence files (its manifest, SHA256SUMS and the manifest's signature). */
export function isEvidenceFile(name: string): boolean {
  return /\.(manifest\.json|manifest\.json\.p7s|SHA256SUMS)$/.test(name);
}

/** The report files among `names`, without the run's evidence files. */
export function withoutEvidence(names: readonly string[]): string[] {
  return names.filter((name) => !isEvidenceFile(name));
}
