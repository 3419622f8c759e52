/**
 * JSON text written by hand for the report's hot lines (issue 26: an object per line, then
 * JSON.stringify, was a second of a 100,000-user run): strings quoted without JSON.stringify when
 * they need no escaping, a result's flat facts, and format 4's table of reason texts.
 */
import type { ResultFacts } from '../analyze/result.js';
import { rememberedPerText } from '../util/remembered.js';

/** Strings JSON.stringify writes as they are, between quotes (no quote, backslash, control character or surrogate). */
const PLAIN_STRING = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;

/** JSON.stringify(text): a string with nothing to escape is only quoted (checked with a regular expression, twice as fast). */
export function jsonString(text: string): string {
  return PLAIN_STRING.test(text) ? `"${text}"` : JSON.stringify(text);
}

/**
 * jsonString(name) for names that recur on every line (rule ids, statuses, fact keys: a few dozen,
 * fixed by the catalogue), quoted once: a map lookup is cheaper than the escaping check. Only for
 * the catalogue's own names, never for data (the map would grow with it).
 */
export const jsonName: (name: string) => string = rememberedPerText(jsonString);

/**
 * JSON.stringify(facts) for a rule's flat facts (text, finite numbers, booleans, null, lists of
 * text; anything else through JSON.stringify), or null when a number is one JSON cannot carry (NaN,
 * Infinity would come back as null: such a result keeps its sentence instead).
 */
export function factsJson(facts: ResultFacts): string | null {
  let text = '{';
  for (const key in facts) {
    const value: unknown = facts[key];
    let written: string;
    if (typeof value === 'string') written = jsonString(value);
    else if (typeof value === 'number') {
      if (!Number.isFinite(value)) return null;
      // Number-to-text is the same algorithm in String() and JSON.stringify (-0 is "0" in both).
      written = String(value);
    } else if (typeof value === 'boolean') written = value ? 'true' : 'false';
    else if (value === null) written = 'null';
    else if (value === undefined) continue;
    else if (Array.isArray(value) && (value as readonly unknown[]).every((part) => typeof part === 'string')) written = `[${(value as readonly string[]).map(jsonString).join(',')}]`;
    else written = JSON.stringify(value) ?? 'null';
    text += `${text.length === 1 ? '' : ','}${jsonName(key)}:${written}`;
  }
  return `${text}}`;
}

/**
 * Format 4's `reasons`: each distinct reason text once, in the order first met; a result carries
 * its index. Most reasons are one sentence on every user ("no console password", "MFA devices not
 * collected; ..."). A run whose reasons are mostly distinct (an error message naming each user)
 * would grow the table with the account: past MAX_REASONS texts, a new text is written in the
 * result itself (the reader takes an index or a text), so a streamed run holds at most that many.
 */
export class ReasonTable {
  static readonly MAX_REASONS = 4096;
  private readonly indexes = new Map<string, number>();
  private readonly list: string[] = [];

  /** The reason as written in a result: its index in the table, or the text itself when the table is full. */
  reference(text: string): number | string {
    const known = this.indexes.get(text);
    if (known !== undefined) return known;
    if (this.list.length >= ReasonTable.MAX_REASONS) return text;
    const index = this.list.length;
    this.indexes.set(text, index);
    this.list.push(text);
    return index;
  }

  /** The table so far (complete once every result is written). */
  texts(): readonly string[] {
    return this.list;
  }
}
