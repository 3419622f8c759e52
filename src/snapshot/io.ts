import { readFile } from 'node:fs/promises';
import { InputError } from '../util/errors.js';
import { sha256Hex, writeOutputs } from '../util/files.js';
import { migrateToCurrent } from './migrate.js';
import type { Snapshot } from './types.js';
import { validateSnapshot } from './validate.js';

export interface LoadedSnapshot {
  readonly snapshot: Snapshot;
  /** SHA-256 of the file's bytes as read: the evidence's identity. */
  readonly sha256: string;
  readonly bytes: Buffer;
  readonly path: string;
  readonly migratedFrom: number | null;
}

/** Serialises a snapshot the one way iam-audit writes it (2-space JSON, trailing newline). */
export function serializeSnapshot(snapshot: Snapshot): string {
  return `${JSON.stringify(snapshot, null, 2)}\n`;
}

export function parseSnapshot(bytes: Buffer, path: string): Omit<LoadedSnapshot, 'bytes' | 'path' | 'sha256'> {
  if (bytes.length === 0) throw new InputError(path, null, 'the file is empty; expected an iam-audit snapshot (JSON)');
  let document: unknown;
  try {
    document = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new InputError(path, null, `not valid JSON (${(error as Error).message}); expected an iam-audit snapshot`);
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new InputError(path, null, 'expected a JSON object (an iam-audit snapshot)');
  }
  const migration = migrateToCurrent(document as Record<string, unknown>);
  if (!migration.ok) throw new InputError(path, null, migration.problem);
  const validation = validateSnapshot(migration.document);
  if (!validation.valid) throw new InputError(path, null, `not a valid snapshot: ${validation.problem}`);
  return { snapshot: validation.snapshot, migratedFrom: migration.migratedFrom };
}

export async function readSnapshot(path: string): Promise<LoadedSnapshot> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new InputError(path, null, describeFsError(error));
  }
  return { ...parseSnapshot(bytes, path), bytes, path, sha256: sha256Hex(bytes) };
}

/**
 * Validates before writing, so an invalid snapshot never reaches the disk; writes atomically and
 * never replaces an existing file unless `overwrite`. Returns the bytes' SHA-256.
 */
export async function writeSnapshot(path: string, snapshot: Snapshot, overwrite: boolean): Promise<string> {
  const text = serializeSnapshot(snapshot);
  const validation = validateSnapshot(JSON.parse(text));
  if (!validation.valid) throw new Error(`internal error: refusing to write an invalid snapshot (${validation.problem})`);
  await writeOutputs('', [{ fileName: path, content: text }], overwrite);
  return sha256Hex(text);
}

export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a folder, not a file';
  if (code === 'EACCES') return 'permission denied';
  return (error as Error).message;
}
