/**
 * Where strict JSON text first goes wrong, for the error message: JSON.parse's own message differs
 * between Node versions (Node 20 gives an offset for some errors and none for others, with an
 * excerpt of the text), so the position is found here, by a small scanner of the JSON grammar,
 * run only after JSON.parse has refused the text.
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
