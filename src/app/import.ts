import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { defaultSnapshotFileName, importCredentialReport } from '../import/credential-report.js';
import { describeFsError, writeSnapshot } from '../snapshot/io.js';
import type { Snapshot } from '../snapshot/types.js';
import { InputError } from '../util/errors.js';
import { escapeForTerminal } from '../util/terminal-text.js';

export interface ImportCommandOptions {
  readonly reportPath: string;
  /** Output file; default snapshot-<account>-<capture time>.json in `defaultDir`. */
  readonly outputPath?: string;
  readonly defaultDir: string;
  readonly generatedAt?: Date;
  readonly overwrite: boolean;
  readonly stderr: NodeJS.WritableStream;
  /** Refuses the snapshot before it is written (audit: an --as-of before its capture time). */
  readonly check?: (snapshot: Snapshot, displayPath: string) => void;
}

export interface ImportCommandOutcome {
  readonly snapshot: Snapshot;
  readonly snapshotPath: string;
}

export async function runImport(options: ImportCommandOptions): Promise<ImportCommandOutcome> {
  let bytes: Buffer;
  try {
    bytes = await readFile(options.reportPath);
  } catch (error) {
    throw new InputError(options.reportPath, null, describeFsError(error));
  }
  const { snapshot, warnings } = importCredentialReport(bytes, {
    displayPath: options.reportPath,
    fileName: basename(options.reportPath),
    ...(options.generatedAt === undefined ? {} : { generatedAt: options.generatedAt }),
  });
  options.check?.(snapshot, options.reportPath);
  for (const warning of warnings) options.stderr.write(`warning: ${escapeForTerminal(warning)}\n`);
  const snapshotPath = options.outputPath ?? join(options.defaultDir, defaultSnapshotFileName(snapshot));
  await writeSnapshot(snapshotPath, snapshot, options.overwrite);
  return { snapshot, snapshotPath };
}
