/**
 * `iam-audit report` run in the test's own process, through the same use case the command calls
 * (`runReport`), for tests that need a snapshot's JSON report but are not about the command line:
 * a spawned CLI loads and compiles the whole program each time (about 2 s of CPU), this loads it
 * once per test file. Tests about the process (exit codes of the binary, streams, signals, the
 * console text) keep spawning the CLI with `runCli`.
 */
import { parseFormats } from '../../src/cli/report-options.js';
import { runReport } from '../../src/app/report/report.js';
import { UserError } from '../../src/util/errors.js';
import type { CliRun } from './cli.js';
import { TextSink } from './report-run.js';

export interface InProcessReportOptions {
  /** Formats as on the command line (`--format json`); JSON when left out. */
  readonly formats?: string;
  readonly overwrite?: boolean;
  readonly environment?: NodeJS.ProcessEnv;
}

/** What `iam-audit report <snapshot> -d <outDir> --format <formats> [--overwrite]` gives, as a CliRun. */
export async function reportInProcess(snapshotPath: string, outDir: string, options: InProcessReportOptions = {}): Promise<CliRun> {
  const stdout = new TextSink();
  const stderr = new TextSink();
  try {
    const outcome = await runReport({
      snapshotPath,
      outDir,
      formats: parseFormats([options.formats ?? 'json']),
      quiet: false,
      failOnFindings: false,
      overwrite: options.overwrite ?? false,
      stdout,
      stderr,
      environment: { ...process.env, ...options.environment },
    });
    return { code: outcome.exitCode, stdout: stdout.text, stderr: stderr.text };
  } catch (error) {
    // As the command line reports a known error: one line, its exit code.
    if (!(error instanceof UserError)) throw error;
    return { code: error.exitCode, stdout: stdout.text, stderr: `${stderr.text}iam-audit: ${error.message}\n` };
  }
}
