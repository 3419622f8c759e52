/** Runs the report in-process with the example catalogue, writing real files to a folder. */
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { runReport, type ReportOptions, type ReportOutcome } from '../../src/app/report/report.js';
import { writeSnapshot } from '../../src/snapshot/io.js';
import { exampleFrameworks, exampleRules, exampleSnapshot, type ExampleUser } from './example-rule.js';

export class TextSink extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

export const EXAMPLE_USERS: readonly ExampleUser[] = [
  { name: 'alice', keyAgeDays: 100 },
  { name: 'bob', keyAgeDays: 10 },
  { name: 'carol' },
  { name: '=evil', keyAgeDays: 300 },
];

export async function writeExampleSnapshot(folder: string, users: readonly ExampleUser[] = EXAMPLE_USERS): Promise<string> {
  const path = join(folder, 'snapshot.json');
  await writeSnapshot(path, exampleSnapshot(users), true);
  return path;
}

export interface ReportRun {
  readonly outcome: ReportOutcome;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runExampleReport(options: Partial<ReportOptions> & Pick<ReportOptions, 'snapshotPath' | 'outDir'>): Promise<ReportRun> {
  const stdout = new TextSink();
  const stderr = new TextSink();
  const outcome = await runReport({
    formats: ['csv', 'json', 'ocsf'],
    quiet: true,
    failOnFindings: false,
    overwrite: false,
    catalogue: { rules: exampleRules, frameworks: exampleFrameworks },
    environment: { SOURCE_DATE_EPOCH: '1800000000' },
    ...options,
    stdout,
    stderr,
  });
  return { outcome, stdout: stdout.text, stderr: stderr.text };
}
