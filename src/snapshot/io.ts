import { constants } from 'node:buffer';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { gunzipSync, gzipSync } from 'node:zlib';
import { fileSystemCause, InputError } from '../util/errors.js';
import { explainWriteError, exists, refuseExistingOutput, sha256Hex, StagedOutput, writeOutputs } from '../util/files.js';
import { parseSnapshotJson } from './json-text.js';
import { migrateToCurrent } from './migrate.js';
import { DEFAULT_CLOCK_SKEW_MS, type CaptureTimeOptions } from './capture-times.js';
import type { Snapshot } from './types.js';
import { validateSnapshot } from './validate.js';
import { recordValidSnapshot } from './valid-snapshots.js';

export interface LoadedSnapshot {
  readonly snapshot: Snapshot;
  /** SHA-256 of the file's bytes as read: the evidence's identity. */
  readonly sha256: string;
  readonly bytes: Buffer;
  /** The file's size in bytes, when known without `bytes` (a snapshot this run wrote: its bytes are made again only if asked for). */
  readonly size?: number;
  readonly path: string;
  readonly migratedFrom: number | null;
}

const USERS_PLACEHOLDER = '"@@iam-audit-users@@"';
const USERS_PER_CHUNK = 2000;

/**
 * Serialises a snapshot the one way iam-audit writes it: 2-space indented JSON, except that each
 * user is one line. A file stays readable and diffs per user, at half the size of fully indented
 * JSON. Yields pieces so that a large account is written without building one giant string.
 */
export function* serializeSnapshotChunks(snapshot: Snapshot): Generator<string> {
  for (const piece of serializedPieces(snapshot)) yield piece.text;
}

/** The serialised pieces, each with how many users have been written once it is. */
function* serializedPieces(snapshot: Snapshot): Generator<{ readonly text: string; readonly usersDone: number }> {
  const skeleton = JSON.stringify({ ...snapshot, users: USERS_PLACEHOLDER.slice(1, -1) }, null, 2);
  const at = skeleton.indexOf(USERS_PLACEHOLDER);
  yield { text: skeleton.slice(0, at), usersDone: 0 };
  if (snapshot.users.length === 0) {
    yield { text: '[]', usersDone: 0 };
  } else {
    yield { text: '[\n', usersDone: 0 };
    for (let start = 0; start < snapshot.users.length; start += USERS_PER_CHUNK) {
      const lines = snapshot.users.slice(start, start + USERS_PER_CHUNK).map((user) => `    ${JSON.stringify(user)}`);
      const end = Math.min(start + USERS_PER_CHUNK, snapshot.users.length);
      yield { text: `${lines.join(',\n')}${end < snapshot.users.length ? ',\n' : '\n'}`, usersDone: end };
    }
    yield { text: '  ]', usersDone: snapshot.users.length };
  }
  yield { text: `${skeleton.slice(at + USERS_PLACEHOLDER.length)}\n`, usersDone: snapshot.users.length };
}

/**
 * The same text as serializeSnapshotChunks, a user line at a time: for writing to a file, where
 * each piece is encoded at once and dropped (pieces of 2,000 users were megabyte strings, each
 * garbage in the old generation once written).
 */
function* serializedLines(snapshot: Snapshot): Generator<string> {
  const skeleton = JSON.stringify({ ...snapshot, users: USERS_PLACEHOLDER.slice(1, -1) }, null, 2);
  const at = skeleton.indexOf(USERS_PLACEHOLDER);
  yield skeleton.slice(0, at);
  const users = snapshot.users;
  if (users.length === 0) yield '[]';
  else {
    yield '[\n';
    for (let index = 0; index < users.length; index += 1) yield `    ${JSON.stringify(users[index])}${index + 1 < users.length ? ',\n' : '\n'}`;
    yield '  ]';
  }
  yield `${skeleton.slice(at + USERS_PLACEHOLDER.length)}\n`;
}

export function serializeSnapshot(snapshot: Snapshot): string {
  return [...serializeSnapshotChunks(snapshot)].join('');
}

/**
 * The largest snapshot that can be read: JSON.parse needs the whole text as one JavaScript string,
 * and V8 caps a string at about 512 MiB (roughly two million users in iam-audit's layout).
 */
export const MAX_SNAPSHOT_BYTES = constants.MAX_STRING_LENGTH;

function tooLarge(path: string, size: number): InputError {
  const mebibytes = Math.round(MAX_SNAPSHOT_BYTES / 1024 / 1024);
  return new InputError(
    path,
    null,
    `the snapshot is too large to read: ${size} bytes, over the limit of ${MAX_SNAPSHOT_BYTES} (about ${mebibytes} MiB, the longest text JavaScript can hold)`,
  );
}

const UTF8_BOM = '\uFEFF';

/** A gzip stream starts with these two bytes (RFC 1952); `.json.gz` archives are read by content, not name. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** True for a path iam-audit writes gzip-compressed (`-o snapshot.json.gz`). */
export function isGzipPath(path: string): boolean {
  return path.toLowerCase().endsWith('.gz');
}

/**
 * The JSON text's bytes: the file's own, or decompressed when it is gzip. A truncated or corrupt
 * archive is one InputError; so is one that expands beyond what JSON.parse can hold.
 */
export function decompressIfGzip(bytes: Buffer, path: string): Buffer {
  if (!isGzip(bytes)) return bytes;
  try {
    return gunzipSync(bytes, { maxOutputLength: MAX_SNAPSHOT_BYTES });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(path, MAX_SNAPSHOT_BYTES + 1);
    const detail = code === 'Z_BUF_ERROR' ? 'the archive is truncated' : (error as Error).message;
    throw new InputError(path, null, `not a readable gzip file (${detail}); expected an iam-audit snapshot (.json or .json.gz)`);
  }
}

export function parseSnapshot(fileBytes: Buffer, path: string, options: CaptureTimeOptions = {}): Omit<LoadedSnapshot, 'bytes' | 'path' | 'sha256'> {
  if (fileBytes.length === 0) throw new InputError(path, null, 'the file is empty; expected an iam-audit snapshot (JSON)');
  if (fileBytes.length > MAX_SNAPSHOT_BYTES) throw tooLarge(path, fileBytes.length);
  const bytes = decompressIfGzip(fileBytes, path);
  if (bytes.length === 0) throw new InputError(path, null, 'the archive is empty; expected an iam-audit snapshot (JSON)');
  let document: unknown;
  try {
    // A byte-order mark (editors on Windows add one) is not part of the JSON; a large file's users are read by lines.
    document = parseSnapshotJson(bytes);
  } catch (error) {
    throw new InputError(path, null, `not valid JSON (${(error as Error).message.replace(/\s+/g, ' ')}); expected an iam-audit snapshot`);
  }
  return snapshotFromDocument(document, path, options);
}

/** A parsed JSON document as a snapshot: migrated to the current schema version and validated. */
export function snapshotFromDocument(document: unknown, path: string, options: CaptureTimeOptions = {}): Omit<LoadedSnapshot, 'bytes' | 'path' | 'sha256'> {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new InputError(path, null, 'expected a JSON object (an iam-audit snapshot)');
  }
  const migration = migrateToCurrent(document as Record<string, unknown>);
  if (!migration.ok) throw new InputError(path, null, migration.problem);
  const validation = validateSnapshot(migration.document, options);
  if (!validation.valid) throw new InputError(path, null, `not a valid snapshot: ${validation.problem}`);
  return { snapshot: validation.snapshot, migratedFrom: migration.migratedFrom };
}

/**
 * The check a snapshot built in this run (import, collect, audit) passes before it is written,
 * streamed or reported on: the same validation every read of a file runs (validateSnapshot), so
 * that no command leaves a snapshot another command refuses. `where` names the input it came from.
 */
export function checkSnapshotBeforeWriting(snapshot: Snapshot, where: string, options: CaptureTimeOptions = {}): void {
  const skew = options.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS;
  // Import checks before it streams, then writes through writeSnapshot: validated once (2 s at 100,000 users).
  if (checkedSnapshots.get(snapshot) === skew) return;
  const validation = validateSnapshot(snapshot, options);
  if (!validation.valid) throw new InputError(where, null, `the snapshot is not valid, nothing written: ${validation.problem}`);
  checkedSnapshots.set(snapshot, skew);
}
/** Snapshots built in this process that passed the check, with the tolerance they passed it with. */
const checkedSnapshots = new WeakMap<Snapshot, number>();

/**
 * The check for a snapshot whose users were built by the credential-report importer, which makes
 * for every user the checks validateSnapshot would (docs/decisions.md, "Issue 26, the input side"):
 * each value typed by construction, each instant read by the strict parser, names and ARNs
 * unique (names regardless of case), keys in slots 1 and 2, no past event after the capture time
 * beyond the tolerance. Everything else (the head, the root, the provenance) is validated here
 * as a read would; the users are not validated a second time (a second of CPU at 100,000 users).
 * Later checks of the same snapshot with the same tolerance pass at once. Reading a file always
 * validates it whole.
 */
export function checkImportedSnapshot(snapshot: Snapshot, where: string, options: CaptureTimeOptions = {}): void {
  const validation = validateSnapshot({ ...snapshot, users: [] }, options);
  if (!validation.valid) throw new InputError(where, null, `the snapshot is not valid, nothing written: ${validation.problem}`);
  checkedSnapshots.set(snapshot, options.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS);
  recordValidSnapshot(snapshot);
}

/** Refuses a snapshot whose file would be larger than any command can read back. */
function checkWritableSize(bytes: number, path: string): void {
  if (bytes <= MAX_SNAPSHOT_BYTES) return;
  const mebibytes = Math.round(MAX_SNAPSHOT_BYTES / 1024 / 1024);
  throw new InputError(path, null, `the snapshot would be ${bytes} bytes, over the ${MAX_SNAPSHOT_BYTES} (about ${mebibytes} MiB) a snapshot can have to be read back; nothing written`);
}

export async function readSnapshot(path: string, options: CaptureTimeOptions = {}): Promise<LoadedSnapshot> {
  let bytes: Buffer;
  try {
    // Checked before reading: a file over the limit would be read whole only to fail as "not valid JSON".
    const { size } = await stat(path);
    if (size > MAX_SNAPSHOT_BYTES) throw tooLarge(path, size);
    bytes = await readFile(path);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(path, null, describeFsError(error));
  }
  return { ...parseSnapshot(bytes, path, options), bytes, path, sha256: sha256Hex(bytes) };
}

/** The snapshot's file bytes, built from the chunks (never one string of the whole file). */
export function serializeSnapshotBytes(snapshot: Snapshot): Buffer {
  // One buffer written piece by piece, sized from the bytes per user seen so far: a list of pieces
  // joined at the end held the file twice (100,000 users: 557 MB peak instead of about 370).
  let buffer = Buffer.alloc(0);
  let used = 0;
  for (const { text, usersDone } of serializedPieces(snapshot)) {
    const needed = used + Buffer.byteLength(text, 'utf8');
    if (needed > buffer.length) {
      // Before any user is written, only the skeleton is known; after, the bytes per user so far.
      const projected = usersDone === 0 ? 2 * needed : Math.ceil((needed / usersDone) * snapshot.users.length * 1.02) + 64 * 1024;
      const grown = Buffer.alloc(Math.max(needed, projected));
      buffer.copy(grown, 0, 0, used);
      buffer = grown;
    }
    used += buffer.write(text, used, 'utf8');
  }
  return buffer.subarray(0, used);
}

/**
 * Writes a snapshot atomically, never replacing an existing file unless `overwrite`. Returns it
 * as if read back (bytes, SHA-256), so that `audit` analyses what it wrote without reading and
 * parsing the file again. Validated first, as a read of the file would validate it (issue #23:
 * `audit` reported on a snapshot that `report` then refused), and refused when it would be too
 * large to read back: nothing is written either way.
 */
export async function writeSnapshot(path: string, snapshot: Snapshot, overwrite: boolean, options: CaptureTimeOptions = {}): Promise<LoadedSnapshot> {
  checkSnapshotBeforeWriting(snapshot, path, options);
  if (isGzipPath(path)) return writeGzipSnapshot(path, snapshot, overwrite);
  // Written as serialised, hashed on the way; the bytes are not kept (106 MB at 100,000 users):
  // a PDF that embeds them serialises the same snapshot again, to the same bytes.
  const loadedAs = (digest: { readonly size: number; readonly sha256: string }): LoadedSnapshot => ({
    snapshot,
    sha256: digest.sha256,
    size: digest.size,
    path,
    migratedFrom: null,
    get bytes(): Buffer {
      return serializeSnapshotBytes(snapshot);
    },
  });
  if (!overwrite && (await exists(path))) {
    // Importing the same report twice gives the same snapshot: keeping the existing file then
    // loses nothing, and lets a command be run again without --overwrite.
    const digest = snapshotDigest(snapshot);
    checkWritableSize(digest.size, path);
    if (await fileHasDigest(path, digest)) return loadedAs(digest);
    await refuseExistingOutput('', path, overwrite);
  }
  const staged = new StagedOutput();
  try {
    // Written asynchronously, a piece at a time: Ctrl-C while a large snapshot is written still removes the staged file.
    const digest = await staged.add(path, inPieces(serializedLines(snapshot)));
    checkWritableSize(digest.size, path);
    await staged.commit();
    return loadedAs(digest);
  } catch (error) {
    await staged.discard();
    throw error;
  }
}

/** Texts encoded into buffers of PIECE_BYTES (each a new one: the writer may still hold the last). */
function* inPieces(texts: Iterable<string>): Generator<Buffer> {
  let buffer = Buffer.allocUnsafe(PIECE_BYTES);
  let used = 0;
  for (const text of texts) {
    // A UTF-16 unit is at most 3 bytes of UTF-8: a text that surely fits is written without being measured first.
    if (buffer.length - used < text.length * 3) {
      const bytes = Buffer.byteLength(text, 'utf8');
      if (used + bytes > buffer.length) {
        if (used > 0) yield buffer.subarray(0, used);
        buffer = Buffer.allocUnsafe(Math.max(PIECE_BYTES, bytes));
        used = 0;
      }
    }
    used += buffer.write(text, used, 'utf8');
  }
  if (used > 0) yield buffer.subarray(0, used);
}
/** As StagedStream's pieces (util/files.ts): a snapshot's pieces wait for their write and then for a collection, a few at a time. */
const PIECE_BYTES = 1 << 18;

/** The size and SHA-256 the snapshot's file has, without holding its bytes. */
function snapshotDigest(snapshot: Snapshot): { readonly size: number; readonly sha256: string } {
  const hash = createHash('sha256');
  let size = 0;
  for (const piece of serializedLines(snapshot)) {
    const bytes = Buffer.from(piece, 'utf8');
    size += bytes.length;
    hash.update(bytes);
  }
  return { size, sha256: hash.digest('hex') };
}

/** Whether the file at `path` has this size and SHA-256 (read as a stream). */
async function fileHasDigest(path: string, digest: { readonly size: number; readonly sha256: string }): Promise<boolean> {
  try {
    if ((await stat(path)).size !== digest.size) return false;
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
    return hash.digest('hex') === digest.sha256;
  } catch (error) {
    // A dangling link: nothing to compare with (refused as existing, like any file in the way).
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw explainWriteError(error, path);
  }
}

/**
 * `-o snapshot.json.gz`: the same text, gzip-compressed (node's zlib, default level; the header
 * carries no time or name, so the same snapshot gives the same bytes). Compressed whole: the
 * text is built in chunks first, then deflated once.
 */
async function writeGzipSnapshot(path: string, snapshot: Snapshot, overwrite: boolean): Promise<LoadedSnapshot> {
  const text = serializeSnapshotBytes(snapshot);
  checkWritableSize(text.length, path);
  const compressed = gzipSync(text);
  // As a read of the file would give it: the SHA-256 and bytes of the file as written (compressed).
  const loaded: LoadedSnapshot = { snapshot, sha256: sha256Hex(compressed), bytes: compressed, path, migratedFrom: null };
  if (!overwrite) {
    const existing = await readFile(path).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw explainWriteError(error, path);
    });
    if (existing !== null && existing.equals(compressed)) return loaded;
  }
  await writeOutputs('', [{ fileName: path, content: compressed }], overwrite);
  return loaded;
}

export function describeFsError(error: unknown): string {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'no such file';
  return fileSystemCause(error) ?? (error as Error).message;
}
