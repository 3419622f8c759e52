import { createHash, randomBytes } from 'node:crypto';
import { closeSync, lstatSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { lstat, mkdir, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { FileSystemError, fileSystemCause, systemErrorCode, UserError } from './errors.js';
import { GzipMembers } from './gzip-members.js';
import { escapeForTerminal } from './terminal-text.js';

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The longest file name (one path component, in bytes) Linux, macOS and Windows file systems take. */
export const MAX_FILE_NAME_BYTES = 255;
/** How much of the final name a temporary name keeps, so that the temporary name fits too. */
const TEMPORARY_NAME_KEEPS_BYTES = MAX_FILE_NAME_BYTES - '..123456789abc.partial'.length;

/**
 * The nearest existing ancestor of `path` that is a file rather than a folder, if any: what an
 * ENOTDIR (or mkdir's EEXIST) really means to the user.
 */
function fileInTheWay(path: string): string | null {
  for (let folder = resolve(path); ; folder = dirname(folder)) {
    try {
      if (!statSync(folder).isDirectory()) return folder;
    } catch {
      // Not there (or not reachable): look further up.
    }
    if (dirname(folder) === folder) return null;
  }
}

/**
 * Turns a failed file operation on `path` into one line naming the path and the cause; anything
 * that is not a file system error is returned unchanged (a bug keeps its stack).
 */
export function explainWriteError(error: unknown, path: string, action = 'write'): unknown {
  if (error instanceof UserError) return error;
  const code = systemErrorCode(error);
  if (code === 'ENOTDIR' || code === 'EEXIST') {
    const file = fileInTheWay(dirname(path));
    if (file !== null) return new FileSystemError(path, action, `${file} is a file, not a folder`);
  }
  const cause = fileSystemCause(error);
  return cause === null ? error : new FileSystemError(path, action, cause);
}

/**
 * The temporary files of every run in flight, so that Ctrl-C, SIGTERM or SIGHUP (and any other
 * exit) removes them: a killed run leaves no hidden `.partial` files behind.
 */
const inFlight = new Set<string>();
const INTERRUPTING_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const SIGNAL_EXIT_CODES: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

function removeInFlight(): void {
  for (const temporary of inFlight) rmSync(temporary, { force: true });
  inFlight.clear();
}

/**
 * The files this process has put in place so far (committed, not staged). `audit` writes its
 * snapshot before its reports: a run stopped while writing the reports has written the snapshot,
 * and must not say "nothing written".
 */
const committedThisRun: string[] = [];

/** What an interrupted run has written: "nothing written", or the files that are in place. */
export function writtenBeforeInterruption(): string {
  if (committedThisRun.length === 0) return 'nothing written';
  return `only ${committedThisRun.join(', ')} written before the interruption; nothing else written`;
}

function onInterrupt(signal: NodeJS.Signals): void {
  removeInFlight();
  // Another handler (the browser's) may own this signal and exit when it is done; else we exit.
  if (process.listenerCount(signal) > 1) return;
  process.stderr.write(`iam-audit: interrupted (${signal}); ${escapeForTerminal(writtenBeforeInterruption())}\n`);
  process.exit(SIGNAL_EXIT_CODES[signal] ?? 1);
}

function track(temporary: string): void {
  if (inFlight.size === 0) {
    for (const signal of INTERRUPTING_SIGNALS) process.on(signal, onInterrupt);
    process.on('exit', removeInFlight);
  }
  inFlight.add(temporary);
}

function untrack(temporary: string): void {
  if (!inFlight.delete(temporary) || inFlight.size > 0) return;
  for (const signal of INTERRUPTING_SIGNALS) process.removeListener(signal, onInterrupt);
  process.removeListener('exit', removeInFlight);
}

/** A temporary name beside `finalPath`: hidden, unique, and no longer than a file name may be. */
function temporaryPath(finalPath: string): string {
  let name = basename(finalPath);
  while (Buffer.byteLength(name) > TEMPORARY_NAME_KEEPS_BYTES) name = name.slice(0, -1);
  return join(dirname(finalPath), `.${name}.${randomBytes(6).toString('hex')}.partial`);
}

/** Refuses a file name no common file system takes, before anything is written. */
function checkNameLength(path: string): void {
  const bytes = Buffer.byteLength(basename(path));
  if (bytes > MAX_FILE_NAME_BYTES) {
    throw new FileSystemError(path, 'write', `the file name is too long (${bytes} bytes; file systems take at most ${MAX_FILE_NAME_BYTES})`);
  }
}

/**
 * Files staged next to their final names, renamed into place only once every one of them has
 * been written: a run that fails half way leaves no partial output and overwrites nothing.
 */
export class StagedOutput {
  private readonly staged: { temporary: string; final: string }[] = [];

  /** Writes one file under a temporary name; returns the size and SHA-256 of what was written. */
  async add(finalPath: string, content: OutputContent, gzip = false): Promise<WrittenDigest> {
    checkNameLength(finalPath);
    try {
      await mkdir(dirname(finalPath), { recursive: true });
    } catch (error) {
      throw explainWriteError(error, finalPath);
    }
    const temporary = temporaryPath(finalPath);
    this.staged.push({ temporary, final: finalPath });
    track(temporary);
    // Hashed on the way to the disk: a manifest of large streamed files needs no second read.
    const hash = createHash('sha256');
    let size = 0;
    const members = gzip ? new GzipMembers() : null;
    const hashed = function* (): Generator<Uint8Array> {
      const pieces = typeof content === 'string' || content instanceof Uint8Array ? [content] : content;
      const text = function* (): Generator<Uint8Array> {
        for (const piece of pieces) yield typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
      };
      const written = members === null ? text() : members.compress(text());
      for (const bytes of written) {
        hash.update(bytes);
        size += bytes.length;
        yield bytes;
      }
    };
    try {
      await writeFile(temporary, hashed());
    } catch (error) {
      throw explainWriteError(error, finalPath);
    }
    return { size, sha256: hash.digest('hex') };
  }

  /**
   * A file written piece by piece while the run goes on (the engine's one pass feeds several such
   * files at once), staged like the others: renamed into place by `commit`, removed by `discard`.
   */
  openStream(finalPath: string, gzip = false): StagedStream {
    checkNameLength(finalPath);
    const temporary = temporaryPath(finalPath);
    let fd: number;
    try {
      mkdirSync(dirname(finalPath), { recursive: true });
      track(temporary);
      this.staged.push({ temporary, final: finalPath });
      fd = openSync(temporary, 'wx');
    } catch (error) {
      throw explainWriteError(error, finalPath);
    }
    return new StagedStream(fd, finalPath, gzip ? new GzipMembers() : null);
  }

  /** Puts the staged files in this order (by final path) for `commit`; the others keep theirs, after them. */
  reorder(finalPaths: readonly string[]): void {
    const rank = (final: string): number => {
      const index = finalPaths.indexOf(final);
      return index === -1 ? finalPaths.length : index;
    };
    this.staged.sort((a, b) => rank(a.final) - rank(b.final));
  }

  /**
   * Renames every staged file into place, all or none. Synchronously, so that no signal handler
   * runs between two renames and sees half a commit. A file about to be replaced (--overwrite) is
   * first moved aside; when a later rename fails (a folder in the way, a permission), the files
   * already placed are taken back and the ones moved aside restored, so a failed run has written
   * nothing and lost nothing.
   */
  async commit(): Promise<string[]> {
    const placed: { final: string; asideAt: string | null }[] = [];
    let current = '';
    try {
      for (const { temporary, final } of this.staged) {
        current = final;
        const asideAt = isReplaceableFile(final) ? `${temporary.slice(0, -'.partial'.length)}.previous` : null;
        if (asideAt !== null) renameSync(final, asideAt);
        try {
          renameSync(temporary, final);
        } catch (error) {
          if (asideAt !== null) renameSync(asideAt, final);
          throw explainWriteError(error, final);
        }
        placed.push({ final, asideAt });
      }
    } catch (error) {
      for (const { final, asideAt } of placed.reverse()) {
        if (asideAt === null) rmSync(final, { force: true });
        else renameSync(asideAt, final);
      }
      throw explainWriteError(error, current);
    }
    for (const { asideAt } of placed) if (asideAt !== null) rmSync(asideAt, { force: true });
    for (const { temporary } of this.staged) untrack(temporary);
    const written = this.staged.map((entry) => entry.final);
    committedThisRun.push(...written);
    this.staged.length = 0;
    return written;
  }

  /** Removes whatever was staged; call on every failure path. */
  async discard(): Promise<void> {
    await Promise.all(this.staged.map((entry) => rm(entry.temporary, { force: true })));
    for (const entry of this.staged) untrack(entry.temporary);
    this.staged.length = 0;
  }
}

/** What a streamed file's writer is given: text, as it comes. */
export interface TextSink {
  write(text: string): void;
}

/**
 * A staged file written synchronously (the engine's pass is synchronous) in pieces of 256 KiB,
 * hashed on the way to the disk. Each text is encoded at once into one reused buffer: text held
 * until a megabyte gathered was promoted to the old generation, which at 100,000 users grew by
 * every output's size (over 500 MB) before a full collection (docs/performance.md).
 */
export class StagedStream implements TextSink {
  private readonly buffer = Buffer.allocUnsafe(STREAM_PIECE);
  private used = 0;
  private readonly hash = createHash('sha256');
  private size = 0;
  private closed = false;

  constructor(
    private readonly fd: number,
    private readonly finalPath: string,
    /** --gzip: the text is written compressed (GzipMembers); null for plain text. */
    private readonly gzip: GzipMembers | null = null,
  ) {}

  write(text: string): void {
    // At most 3 bytes per UTF-16 unit: when that may not fit, flush first.
    if (this.used + text.length * 3 > STREAM_PIECE) this.flush();
    if (text.length <= PIECE_UNITS) {
      this.used += this.buffer.write(text, this.used, 'utf8');
      return;
    }
    // A long text (a snapshot's head, the JSON report's user findings) a buffer's worth at a time, never cutting a surrogate pair.
    for (let start = 0; start < text.length; ) {
      let end = Math.min(start + PIECE_UNITS, text.length);
      const last = text.charCodeAt(end - 1);
      if (end < text.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
      this.used += this.buffer.write(text.slice(start, end), this.used, 'utf8');
      this.flush();
      start = end;
    }
  }

  /** Writes what is pending and closes the file; the size and SHA-256 of all that was written. */
  finish(): WrittenDigest {
    this.flush();
    if (this.gzip !== null) this.writeBytes(this.gzip.end());
    this.close();
    return { size: this.size, sha256: this.hash.digest('hex') };
  }

  /** Closes the file without caring for its content (a failed run: the staged file is discarded). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }

  private flush(): void {
    if (this.used === 0) return;
    const text = this.buffer.subarray(0, this.used);
    this.used = 0;
    // GzipMembers copies what it keeps: the buffer is free to reuse once this returns.
    this.writeBytes(this.gzip === null ? text : this.gzip.push(text));
  }

  private writeBytes(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.hash.update(bytes);
    this.size += bytes.length;
    try {
      for (let offset = 0; offset < bytes.length; ) offset += writeSync(this.fd, bytes, offset);
    } catch (error) {
      throw explainWriteError(error, this.finalPath);
    }
  }
}
/** The buffer each streamed file's text is encoded into: each open output holds one (a megabyte was 3 MB more at 5,000 users). */
const STREAM_PIECE = 1 << 18;
/** The UTF-16 units sure to fit in it (UTF-8 takes at most 3 bytes for one). */
const PIECE_UNITS = Math.floor(STREAM_PIECE / 3);

/** Whether `path` names something other than a folder (a file, or a link, dangling or not), which a commit may move aside. */
function isReplaceableFile(path: string): boolean {
  try {
    return !lstatSync(path).isDirectory();
  } catch {
    // Not there: nothing to move aside (a real problem shows when the file is renamed into place).
    return false;
  }
}

/**
 * Whether a path is there (free to write when not). The path itself, not what a link points to:
 * a symbolic link whose target is gone is still there, and renaming over it would replace it.
 */
export async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    // lstat() rejects when the path is not there (or not reachable): both mean "free".
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
  /** Written gzip-compressed (--gzip; the name ends in .gz); the digest is of the compressed bytes. */
  readonly gzip?: boolean;
}

/** Refuses a file name no file system takes, and an existing file unless `overwrite`: before anything is written. */
export async function refuseExistingOutput(outDir: string, fileName: string, overwrite: boolean): Promise<void> {
  const path = join(outDir, fileName);
  checkNameLength(path);
  if (!overwrite && (await exists(path))) throw new UserError(`${path} already exists; refusing to overwrite it (use --overwrite, or another output path)`);
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
  /** Files already staged by `streamed.staged` (written during the run); `files` names each of them, in its place, with any content. */
  streamed?: { readonly staged: StagedOutput; readonly written: readonly WrittenFile[] },
): Promise<string[]> {
  const refuseExisting = async (file: Pick<OutputFile, 'fileName'>): Promise<void> => refuseExistingOutput(outDir, file.fileName, overwrite);
  const staged = streamed?.staged ?? new StagedOutput();
  try {
    for (const file of files) await refuseExisting(file);
    const written: WrittenFile[] = [];
    for (const file of files) {
      // A file streamed during the run is staged already: it keeps its place among the others.
      const already = streamed?.written.find((entry) => entry.fileName === file.fileName);
      written.push(already ?? { fileName: file.fileName, ...(await staged.add(join(outDir, file.fileName), file.content, file.gzip === true)) });
    }
    for (const file of derived === undefined ? [] : await derived(written)) {
      await refuseExisting(file);
      await staged.add(join(outDir, file.fileName), file.content, file.gzip === true);
    }
    // Files streamed during the run were staged first: commit (and list) them in their places.
    if (streamed !== undefined) staged.reorder(files.map((file) => join(outDir, file.fileName)));
    return await staged.commit();
  } catch (error) {
    await staged.discard();
    throw error;
  }
}
