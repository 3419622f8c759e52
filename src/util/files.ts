import { createHash, randomBytes } from 'node:crypto';
import { access, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UserError } from './errors.js';

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Files staged next to their final names, renamed into place only once every one of them has
 * been written: a run that fails half way leaves no partial output and overwrites nothing.
 */
export class StagedOutput {
  private readonly staged: { temporary: string; final: string }[] = [];

  async add(finalPath: string, content: OutputContent): Promise<void> {
    await mkdir(dirname(finalPath), { recursive: true });
    const temporary = join(dirname(finalPath), `.${basename(finalPath)}.${randomBytes(6).toString('hex')}.partial`);
    this.staged.push({ temporary, final: finalPath });
    await writeFile(temporary, content);
  }

  /** Renames every staged file into place. */
  async commit(): Promise<string[]> {
    for (const { temporary, final } of this.staged) await rename(temporary, final);
    const written = this.staged.map((entry) => entry.final);
    this.staged.length = 0;
    return written;
  }

  /** Removes whatever was staged; call on every failure path. */
  async discard(): Promise<void> {
    await Promise.all(this.staged.map((entry) => rm(entry.temporary, { force: true })));
    this.staged.length = 0;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    // access() rejects exactly when the path is not there (or not reachable): both mean "free".
    return false;
  }
}

/**
 * A file's content: text, bytes, or text in chunks. Chunks let a large account's reports (hundreds
 * of megabytes of findings) be written without ever holding one string longer than V8 allows
 * (about 512 MiB); an iterable is consumed once, when the file is written.
 */
export type OutputContent = string | Uint8Array | Iterable<string>;

export interface OutputFile {
  /** Path of the file, relative to the output folder (or absolute). */
  readonly fileName: string;
  readonly content: OutputContent;
}

/**
 * Writes every output, or none: refuses up front to overwrite an existing file (unless
 * `overwrite`), stages each file under a temporary name and renames them into place only when all
 * were written.
 */
export async function writeOutputs(outDir: string, files: readonly OutputFile[], overwrite: boolean): Promise<string[]> {
  const paths = files.map((file) => join(outDir, file.fileName));
  if (!overwrite) {
    for (const path of paths) {
      if (await exists(path)) throw new UserError(`${path} already exists; refusing to overwrite it (use --overwrite, or another output path)`);
    }
  }
  const staged = new StagedOutput();
  try {
    for (const [index, file] of files.entries()) await staged.add(paths[index] ?? file.fileName, file.content);
    return await staged.commit();
  } catch (error) {
    await staged.discard();
    throw error;
  }
}
