/**
 * Reading the configuration and exceptions files: YAML (which also reads JSON) into plain data,
 * plus the small checks both validators share. Every error names the file and the field.
 */
import type * as Yaml from 'yaml';
import type { Document } from 'yaml';
import { InputError } from '../util/errors.js';
import { onDemand } from '../util/on-demand.js';

// Loaded when a file is parsed: a run given no configuration, exceptions or owners file never needs it.
const yaml = onDemand<typeof Yaml>('yaml');

/** One step into the data: a mapping key or a list index. */
export type DataPath = readonly (string | number)[];

/** A parsed file: its data, and where in the text each value sits (for error messages). */
export interface StructuredSource {
  readonly data: unknown;
  /** "3:5" (line and column, from 1) of the value at `path`, or of its nearest ancestor present; null if unknown. */
  position(path: DataPath): string | null;
}

/** Offset of the node at `path`: the key's when the path ends at a key, else the item's; the deepest found. */
function offsetOf(document: Document, path: DataPath): number | null {
  let node: unknown = document.contents;
  let offset: number | null = (node as { range?: [number, number, number] } | null)?.range?.[0] ?? null;
  for (const step of path) {
    if (yaml().isMap(node)) {
      const pair = node.items.find((candidate) => yaml().isScalar(candidate.key) && String(candidate.key.value) === String(step));
      if (pair === undefined || !yaml().isScalar(pair.key) || pair.key.range === undefined || pair.key.range === null) return offset;
      offset = pair.key.range[0];
      node = pair.value;
    } else if (yaml().isSeq(node) && Number.isInteger(Number(step))) {
      const item: unknown = node.items[Number(step)];
      const range = (item as { range?: [number, number, number] } | null)?.range;
      if (range === undefined) return offset;
      offset = range[0];
      node = item;
    } else {
      return offset;
    }
  }
  return offset;
}

/** Parses YAML or JSON text, keeping the positions of its values. See parseStructuredText. */
export function parseStructuredSource(text: string, file: string): StructuredSource {
  const data = parseStructuredText(text, file);
  // JSON is YAML too: the same parser gives the positions of a JSON file's values.
  const lineCounter = new (yaml().LineCounter)();
  const document = yaml().parseDocument(text, { lineCounter });
  const usable = document.errors.length === 0;
  return {
    data,
    position(path: DataPath): string | null {
      const offset = usable ? offsetOf(document, path) : null;
      if (offset === null) return null;
      const { line, col } = lineCounter.linePos(offset);
      return `${line}:${col}`;
    },
  };
}

/** "rules.example-key-age.maxAge" or "exceptions[1].expires" as path steps. */
export function pathOfField(where: string): DataPath {
  return [...where.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((match) => (match[2] !== undefined ? Number(match[2]) : (match[1] ?? '')));
}

/**
 * Runs a validation over a parsed file and adds the line and column to its error: "file:3:5: field:
 * problem". Errors about other files, or without a field, pass through unchanged.
 */
export function withPositions<T>(source: StructuredSource, file: string, validate: () => T, toPath: (where: string) => DataPath = pathOfField): T {
  try {
    return validate();
  } catch (error) {
    if (!(error instanceof InputError) || error.file !== file || error.where === null) throw error;
    const position = source.position(toPath(error.where));
    if (position === null) throw error;
    throw new InputError(`${file}:${position}`, error.where, error.problem);
  }
}

/*
 * Where strict JSON text first goes wrong, for the error message: JSON.parse's own message differs
 * between Node versions (Node 20 gives an offset for some errors and none for others, with an
 * excerpt of the text), so the position is found by a small scanner of the JSON grammar, run only
 * after JSON.parse has refused the text. It lives in this file because every run that reads a
 * configuration loads this file, and a module of its own would be one more at start-up.
 */

export interface JsonSyntaxProblem {
  /** Character offset of the first character that cannot continue a JSON text. */
  readonly offset: number;
  /** What is wrong there, in words ("unexpected '}'", "unexpected end of the file"). */
  readonly problem: string;
}

class JsonScanError extends Error {
  constructor(readonly offset: number, readonly problem: string) {
    super(problem);
  }
}

const LITERALS = ['true', 'false', 'null'] as const;

class JsonScanner {
  private index = 0;
  constructor(private readonly text: string) {}

  scanDocument(): void {
    this.value();
    this.skipSpace();
    if (this.index < this.text.length) this.fail();
  }

  private fail(expected?: string): never {
    const found = this.text[this.index];
    const what = found === undefined ? 'unexpected end of the file' : `unexpected ${JSON.stringify(found)}`;
    throw new JsonScanError(this.index, expected === undefined ? what : `${what}, expected ${expected}`);
  }

  private skipSpace(): void {
    while (/[ \t\r\n]/.test(this.text[this.index] ?? '')) this.index += 1;
  }

  private expect(character: string, expected: string): void {
    this.skipSpace();
    if (this.text[this.index] !== character) this.fail(expected);
    this.index += 1;
  }

  private value(): void {
    this.skipSpace();
    const character = this.text[this.index];
    if (character === '{') this.object();
    else if (character === '[') this.array();
    else if (character === '"') this.string();
    else if (character !== undefined && /[-0-9]/.test(character)) this.number();
    else {
      const literal = LITERALS.find((word) => this.text.startsWith(word, this.index));
      if (literal === undefined) this.fail('a value');
      this.index += literal.length;
    }
  }

  private object(): void {
    this.index += 1;
    this.skipSpace();
    if (this.text[this.index] === '}') {
      this.index += 1;
      return;
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.index] !== '"') this.fail('a "quoted" key');
      this.string();
      this.expect(':', '":"');
      this.value();
      this.skipSpace();
      if (this.text[this.index] === '}') break;
      this.expect(',', '"," or "}"');
    }
    this.index += 1;
  }

  private array(): void {
    this.index += 1;
    this.skipSpace();
    if (this.text[this.index] === ']') {
      this.index += 1;
      return;
    }
    for (;;) {
      this.value();
      this.skipSpace();
      if (this.text[this.index] === ']') break;
      this.expect(',', '"," or "]"');
    }
    this.index += 1;
  }

  private string(): void {
    this.index += 1;
    for (;;) {
      const character = this.text[this.index];
      if (character === undefined || character === '\n') this.fail('a closing quote');
      if (character === '"') break;
      if (character === '\\') {
        const escaped = /^\\(["\\/bfnrt]|u[0-9a-fA-F]{4})/.exec(this.text.slice(this.index, this.index + 6));
        if (escaped === null) this.fail('a valid escape');
        this.index += escaped[0].length;
      } else if (character < ' ') {
        this.fail('no control character inside a string');
      } else {
        this.index += 1;
      }
    }
    this.index += 1;
  }

  private number(): void {
    const match = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/.exec(this.text.slice(this.index));
    if (match === null) this.fail('a number');
    this.index += match[0].length;
  }
}

/** The first syntax problem of `text` as strict JSON, or null when it is valid JSON. */
export function locateJsonSyntaxError(text: string): JsonSyntaxProblem | null {
  try {
    new JsonScanner(text).scanDocument();
    return null;
  } catch (error) {
    if (error instanceof JsonScanError) return { offset: error.offset, problem: error.problem };
    throw error;
  }
}

/** Line and column (from 1) of a character offset in `text`. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: offset - lineStart + 1 };
}

/**
 * A JSON syntax error as "file:3:7" and "not valid JSON: unexpected ...", the line and column an
 * editor jumps to, like the YAML parser's. JSON.parse's message is kept only when the scanner finds
 * nothing wrong (it should not happen: both read the same grammar).
 */
function jsonSyntaxError(text: string, file: string, error: Error): InputError {
  const located = locateJsonSyntaxError(text);
  if (located === null) return new InputError(file, null, `not valid JSON: ${error.message}`);
  const { line, column } = lineAndColumn(text, located.offset);
  return new InputError(`${file}:${line}:${column}`, null, `not valid JSON: ${located.problem}`);
}

/**
 * Parses YAML or JSON text; a `.json` file must be strict JSON. An empty file gives null. A syntax
 * error names the file, line and column ("owners.yaml:3:1: not valid YAML: ..."), as validation
 * errors do.
 */
export function parseStructuredText(text: string, file: string): unknown {
  if (file.toLowerCase().endsWith('.json')) {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw jsonSyntaxError(text, file, error as Error);
    }
  }
  const document = yaml().parseDocument(text);
  const [first] = document.errors;
  if (first !== undefined) {
    // The parser's message ends its first line with " at line 3, column 1:" (then a code excerpt): the position moves to the front.
    const problem = (first.message.split('\n')[0] ?? first.message).replace(/ at line \d+, column \d+:?$/, '');
    const start = first.linePos?.[0];
    throw new InputError(start === undefined ? file : `${file}:${start.line}:${start.col}`, null, `not valid YAML: ${problem}`);
  }
  return document.toJS() as unknown;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** How a value reads in an error message: its type and, for scalars, the value itself. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the text ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}

/** Rejects keys outside `allowed`, naming the first unknown one and the allowed ones. */
export function checkKnownKeys(file: string, where: string, value: Record<string, unknown>, allowed: readonly string[], what: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      const path = where === '' ? key : `${where}.${key}`;
      throw new InputError(file, path, `unknown ${what} "${key}"${allowed.length === 0 ? '' : `; expected one of: ${allowed.join(', ')}`}`);
    }
  }
}
