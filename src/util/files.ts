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

  /** Writes one file under a temporary name; returns the size and SHA-256 of what was written. */
  async add(finalPath: string, content: OutputContent): Promise<WrittenDigest> {
    await mkdir(dirname(finalPath), { recursive: true });
    const temporary = join(dirname(finalPath), `.${basename(finalPath)}.${randomBytes(6).toString('hex')}.partial`);
    this.staged.push({ temporary, final: finalPath });
    // Hashed on the way to the disk: a manifest of large streamed files needs no second read.
    const hash = createHash('sha256');
    let size = 0;
    const hashed = function* (): Generator<Uint8Array> {
      const pieces = typeof content === 'string' || content instanceof Uint8Array ? [content] : content;
      for (const piece of pieces) {
        const bytes = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
        hash.update(bytes);
        size += bytes.length;
        yield bytes;
      }
    };
    await writeFile(temporary, hashed());
    return { size, sha256: hash.digest('hex') };
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
export type OutputContent = string | Uint8Array | Iterable<string | Uint8Array>;

export interface WrittenDigest {
  readonly size: number;
  readonly sha256: string;
}

/** A file as written: its path relative to the output folder, size and SHA-256. */
export interface WrittenFile extends WrittenDigest {
  readonly fileName: string;
}

export interface OutputFile {
  /** Path of the file, relative to the output folder (or absolute). */
  readonly fileName: string;
  readonly content: OutputContent;
}

/**
 * Writes every output, or none: refuses to overwrite an existing file (unless `overwrite`), stages
 * each file under a temporary name and renames them into place only when all were written.
 * `derived` may add files made from the digests of those written (a manifest); they are staged
 * and committed with the rest.
 */
export async function writeOutputs(
  outDir: string,
  files: readonly OutputFile[],
  overwrite: boolean,
  derived?: (written: readonly WrittenFile[]) => Promise<readonly OutputFile[]>,
): Promise<string[]> {
  const refuseExisting = async (file: OutputFile): Promise<void> => {
    const path = join(outDir, file.fileName);
    if (!overwrite && (await exists(path))) throw new UserError(`${path} already exists; refusing to overwrite it (use --overwrite, or another output path)`);
  };
  for (const file of files) await refuseExisting(file);
  const staged = new StagedOutput();
  try {
    const written: WrittenFile[] = [];
    for (const file of files) written.push({ fileName: file.fileName, ...(await staged.add(join(outDir, file.fileName), file.content)) });
    for (const file of derived === undefined ? [] : await derived(written)) {
      await refuseExisting(file);
      await staged.add(join(outDir, file.fileName), file.content);
    }
    return await staged.commit();
  } catch (error) {
    await staged.discard();
    throw error;
  }
}
