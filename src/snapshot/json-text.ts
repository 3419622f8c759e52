/**
 * A snapshot file's JSON, parsed without holding the whole file as one string when it is large:
 * iam-audit writes each user on a line of its own (serializeSnapshotChunks), so the users array is
 * read a line at a time and the rest of the document (small) parsed once. Anything not in that
 * layout, or not valid JSON, is parsed whole as before, so every message about a bad file is the
 * one JSON.parse gives. Facts that repeat in every user (an absent fact and its reason) are shared
 * between users instead of copied, which makes the snapshot in memory about a fifth smaller.
 */

/** Below this size a whole-file JSON.parse costs less than it saves to read by lines. */
export const LINE_PARSE_THRESHOLD_BYTES = 4 * 1024 * 1024;

const UTF8_BOM = '\uFEFF';
/** Where iam-audit's layout opens the users array: a top-level key (two spaces), one user per line after. */
const USERS_OPENING = Buffer.from('\n  "users": [\n', 'utf8');
/** Between two users of that layout (the comma is the one the piece ends before). */
const USER_BOUNDARY = Buffer.from(',\n    {', 'utf8');
/** The array's end in that layout: user lines are indented by four spaces, so this is the first such line. */
const USERS_CLOSING = Buffer.from('\n  ]', 'utf8');
/** About how much of the users array one JSON.parse reads. */
const PIECE_BYTES = 1024 * 1024;
/** Stands in for the users array while the rest of the document is parsed; a JSON string no file holds. */
const USERS_SENTINEL = '\u0000iam-audit-users-read-by-line';

/** Parses the JSON text of a snapshot file (a BOM allowed); throws JSON.parse's SyntaxError for a file that is not JSON. */
export function parseSnapshotJson(bytes: Buffer): unknown {
  const document = bytes.length >= LINE_PARSE_THRESHOLD_BYTES ? parseByLines(bytes) : null;
  if (document !== null) return document;
  const text = bytes.toString('utf8');
  return shareAbsentFacts(JSON.parse(text.startsWith(UTF8_BOM) ? text.slice(1) : text));
}

/**
 * The document with its users array parsed a piece at a time (about a mebibyte of user lines per
 * JSON.parse), or null when the file is not in iam-audit's layout (then it is parsed whole). Sound
 * for any text: a newline cannot occur inside a JSON string, so the opening is structure, and when
 * both the pieces and the rest (with a stand-in at the top-level "users") parse, the whole text
 * parses to the same document.
 */
export function parseByLines(bytes: Buffer): unknown {
  const opening = bytes.indexOf(USERS_OPENING);
  if (opening < 0) return null;
  const start = opening + USERS_OPENING.length;
  const closing = bytes.indexOf(USERS_CLOSING, start);
  if (closing < 0) return null;
  const users: unknown[] = [];
  try {
    for (let at = start; at < closing; ) {
      const boundary = bytes.indexOf(USER_BOUNDARY, Math.min(at + PIECE_BYTES, closing));
      const end = boundary < 0 || boundary > closing ? closing : boundary;
      const piece = JSON.parse(`[${bytes.toString('utf8', at, end)}]`) as unknown[];
      for (const user of piece) users.push(shareAbsentFacts(user));
      at = end + 1;
    }
  } catch {
    return null;
  }
  let head = bytes.toString('utf8', 0, opening);
  if (head.startsWith(UTF8_BOM)) head = head.slice(1);
  let document: unknown;
  try {
    document = JSON.parse(`${head}\n  "users": ${JSON.stringify(USERS_SENTINEL)}${bytes.toString('utf8', closing + USERS_CLOSING.length)}`);
  } catch {
    return null;
  }
  // Only when the array read in pieces is the top-level "users" (not a nested one, nor a key repeated after it).
  if (typeof document !== 'object' || document === null || (document as Record<string, unknown>)['users'] !== USERS_SENTINEL) return null;
  (document as Record<string, unknown>)['users'] = users;
  return document;
}

const MAX_SHARED_REASONS = 32;

/** One shared object per absence reason: `{"known": false, "reason": R}` is the commonest value in a snapshot. */
const absentByReason = new Map<string, { readonly known: false; readonly reason: string }>();

/**
 * Replaces each absent fact (an object of exactly `known: false` and a string `reason`) with the one
 * shared object for its reason, in place. Nothing reads a snapshot to change it, and an equal object
 * serialises and validates the same.
 */
export function shareAbsentFacts(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index += 1) value[index] = shareAbsentFacts(value[index]);
    return value;
  }
  const record = value as Record<string, unknown>;
  if (record['known'] === false && typeof record['reason'] === 'string') {
    const keys = Object.keys(record);
    if (keys.length === 2 && keys[0] === 'known' && keys[1] === 'reason') {
      const reason = record['reason'];
      let shared = absentByReason.get(reason);
      // The schema's reasons are a handful; a file full of made-up ones keeps its own objects.
      if (shared === undefined && absentByReason.size >= MAX_SHARED_REASONS) return record;
      if (shared === undefined) {
        shared = { known: false, reason };
        absentByReason.set(reason, shared);
      }
      return shared;
    }
  }
  for (const key of Object.keys(record)) {
    const child = record[key];
    if (typeof child === 'object' && child !== null) record[key] = shareAbsentFacts(child);
  }
  return record;
}
