/**
 * The identity matrix's cells as pdf-matrix.ts draws them: the stylesheet's measures and colours
 * (templates/partials/styles.hbs, `table.matrix`), the faces, line breaking, and each row's cells.
 */
import type { PDFFont } from 'pdf-lib';
import type { MatrixCell, MatrixColumn, MatrixRow } from './report-identities.js';

/** What the partial's context carries for the tables (report-identities.ts, identityMatrixPart). */
export interface MatrixContext {
  readonly rootRow: MatrixRow | null;
  readonly rootColumns: readonly MatrixColumn[];
  readonly userColumns: readonly MatrixColumn[];
}

/** CSS pixels in points (Chromium prints 96 px to the inch). */
export const PX = 0.75;
export const FONT_SIZE = 8;
export const LINE = FONT_SIZE * 1.2;
const MONO_SIZE = 8.5;
const MONO_LINE = MONO_SIZE * 1.2;
export const PAD_Y = PX;
export const PAD_X = 3 * PX;
const MARK_PAD_X = PX;
export const BORDER = PX;
/** IBM Plex (Sans and Mono): ascent 1025, descent 275 per 1000 (typo metrics, no line gap). */
export const ASCENT = 1.025;
export const DESCENT = 0.275;

export const INK = [0.106, 0.122, 0.141] as const;
export const MUTED = [0.357, 0.396, 0.439] as const;
export const RULE = [0.835, 0.855, 0.878] as const;
export const BAND = [0.953, 0.961, 0.969] as const;
const FAIL_BACKGROUND = [0.992, 0.925, 0.918] as const;
export type Colour = readonly [number, number, number];
const MARK_COLOURS: Readonly<Record<string, Colour>> = {
  'mark-pass': [0.18, 0.49, 0.196],
  'mark-fail': [0.776, 0.157, 0.157],
  'mark-excepted': MUTED,
  'mark-not-evaluated': [0.553, 0.431, 0],
  'mark-error': [0.776, 0.157, 0.157],
  'mark-na': MUTED,
};

/** The fact columns and their share of the table's width (styles.hbs); the rule columns share the rest. */
export const FACT_COLUMNS: readonly { readonly header: string; readonly share: number }[] = [
  { header: 'Identity', share: 0.15 },
  { header: 'Console password', share: 0.05 },
  { header: 'MFA', share: 0.055 },
  { header: 'Password last used', share: 0.085 },
  { header: 'Password last changed', share: 0.08 },
  { header: 'Key 1', share: 0.085 },
  { header: 'Key 1 last used', share: 0.07 },
  { header: 'Key 2', share: 0.085 },
  { header: 'Key 2 last used', share: 0.07 },
];

/**
 * A face drawn character by character: each character is shaped by fontkit once (its glyph in the
 * embedded subset, its advance), and a text's encoding and width are those of its characters. Shaping
 * every distinct text (each user name, each date) cost seconds at a thousand rows. The tables' text
 * is plain Latin (matrixDrawable), for which IBM Plex has no ligature; only pair kerning, a fraction
 * of a point, is left out.
 */
export class Face {
  private readonly glyphs = new Map<string, { readonly hex: string; readonly advance: number }>();

  constructor(readonly font: PDFFont) {}

  private glyph(character: string): { readonly hex: string; readonly advance: number } {
    let known = this.glyphs.get(character);
    if (known === undefined) {
      known = { hex: this.font.encodeText(character).toString().slice(1, -1), advance: this.font.widthOfTextAtSize(character, 1) };
      this.glyphs.set(character, known);
    }
    return known;
  }

  /** The text as a hexadecimal string operand of Tj. */
  encode(text: string): string {
    let hex = '';
    for (const character of text) hex += this.glyph(character).hex;
    return `<${hex}>`;
  }

  width(text: string, size: number): number {
    let advance = 0;
    for (const character of text) advance += this.glyph(character).advance;
    return advance * size;
  }
}

export interface Faces {
  readonly regular: Face;
  readonly bold: Face;
  readonly mono: Face;
}

interface Line {
  readonly text: string;
  readonly font: Face;
  readonly size: number;
  readonly height: number;
}

export interface Cell {
  readonly lines: readonly Line[];
  readonly centred: boolean;
  readonly colour: Colour;
  readonly background: Colour | null;
}

/** Every text the tables print, for the check that the embedded faces have all its characters. */
function* matrixTexts(context: MatrixContext, rows: readonly MatrixRow[]): Generator<string> {
  for (const column of [...context.rootColumns, ...context.userColumns]) yield column.label;
  for (const row of context.rootRow === null ? rows : [context.rootRow, ...rows]) {
    yield row.name;
    yield row.console;
    yield row.mfa;
    yield row.passwordLastUsed;
    yield row.passwordLastChanged;
    for (const key of row.keys) yield `${key.state}${key.created}${key.id}${key.lastUsed}`;
  }
}

/**
 * True when every character the tables print is in the embedded faces (the Latin subset): the
 * drawn tables would show "?" where Chromium falls back to a system face, so such a report keeps
 * Chromium's tables. IAM names are ASCII; a hand-edited credential report may not be.
 */
export function matrixDrawable(context: Readonly<Record<string, unknown>>, rows: readonly unknown[], regular: PDFFont): boolean {
  // The bold and mono faces are the same Latin subset of the same family: the regular face's characters are theirs.
  const characters = new Set(regular.getCharacterSet());
  for (const text of matrixTexts(context as unknown as MatrixContext, rows as readonly MatrixRow[])) {
    for (const character of text) if (!characters.has(character.codePointAt(0) ?? -1)) return false;
  }
  return true;
}

/** True when a row shows an access key id (live collection), printed in the mono face. */
export function matrixShowsKeyIds(context: Readonly<Record<string, unknown>>, rows: readonly unknown[]): boolean {
  const root = (context as unknown as MatrixContext).rootRow;
  return [...(root === null ? [] : [root]), ...(rows as readonly MatrixRow[])].some((row) => row.keys.some((key) => key.id !== ''));
}

/** Greedy line breaking at `breaks` (the opportunity after each match), a word too long broken anywhere (overflow-wrap: break-word). */
function wrap(text: string, font: Face, size: number, width: number, breaks: RegExp): string[] {
  if (font.width(text, size) <= width) return [text];
  const pieces = text.split(breaks).filter((piece) => piece !== '');
  const lines: string[] = [];
  let current = '';
  for (const piece of pieces) {
    const candidate = current + piece;
    if (font.width(candidate.trimEnd(), size) <= width) {
      current = candidate;
      continue;
    }
    if (current !== '') lines.push(current.trimEnd());
    current = piece;
    while (current.length > 1 && font.width(current.trimEnd(), size) > width) {
      let fit = current.length - 1;
      while (fit > 1 && font.width(current.slice(0, fit), size) > width) fit -= 1;
      lines.push(current.slice(0, fit));
      current = current.slice(fit);
    }
  }
  if (current.trim() !== '') lines.push(current.trimEnd());
  return lines;
}

/** After a space (normal wrapping) or, in an identifier, after a separator as the `breakable` helper allows. */
const AFTER_SPACE = /(?<= )/;
const AFTER_SEPARATOR = /(?<=[/:._@,\- ])/;

const line = (text: string, font: Face): Line => ({ text, font, size: FONT_SIZE, height: LINE });

/** The cells of one row: the facts, then one mark per column (bold and coloured as the stylesheet's classes). */
export function rowCells(row: MatrixRow, widths: readonly number[], fonts: Faces): Cell[] {
  const plain = (lines: readonly Line[]): Cell => ({ lines, centred: false, colour: INK, background: null });
  const wrapped = (text: string, index: number, breaks: RegExp): Cell => plain(wrap(text, fonts.regular, FONT_SIZE, (widths[index] ?? 0) - 2 * PAD_X, breaks).map((text) => line(text, fonts.regular)));
  const cells: Cell[] = [wrapped(row.name, 0, AFTER_SEPARATOR), wrapped(row.console, 1, AFTER_SPACE), wrapped(row.mfa, 2, AFTER_SPACE), plain([line(row.passwordLastUsed, fonts.regular)]), plain([line(row.passwordLastChanged, fonts.regular)])];
  for (const key of row.keys) {
    const lines = [line(key.state, fonts.regular)];
    if (key.created !== '') lines.push(line(`created ${key.created}`, fonts.regular));
    if (key.id !== '') lines.push({ text: key.id, font: fonts.mono, size: MONO_SIZE, height: MONO_LINE });
    cells.push(plain(lines), plain([line(key.lastUsed, fonts.regular)]));
  }
  for (const mark of row.marks) cells.push(markCell(mark, fonts));
  return cells;
}

function markCell(mark: MatrixCell, fonts: Faces): Cell {
  const font = mark.className === 'mark-na' ? fonts.regular : fonts.bold;
  return { lines: mark.mark === '' ? [] : [line(mark.mark, font)], centred: true, colour: MARK_COLOURS[mark.className] ?? INK, background: mark.className === 'mark-fail' ? FAIL_BACKGROUND : null };
}

export function headerCells(columns: readonly MatrixColumn[], widths: readonly number[], fonts: Faces): Cell[] {
  const headers = [...FACT_COLUMNS.map((column) => column.header), ...columns.map((column) => column.label)];
  return headers.map((header, index) => {
    const mark = index >= FACT_COLUMNS.length;
    const room = (widths[index] ?? 0) - 2 * (mark ? MARK_PAD_X : PAD_X);
    // word-break: keep-all, overflow-wrap: normal: a header wraps at spaces only.
    const lines = header.split(' ').reduce<string[]>((kept, word) => {
      const last = kept[kept.length - 1];
      if (last !== undefined && fonts.bold.width(`${last} ${word}`, FONT_SIZE) <= room) kept[kept.length - 1] = `${last} ${word}`;
      else kept.push(word);
      return kept;
    }, []);
    return { lines: lines.map((text) => line(text, fonts.bold)), centred: mark, colour: INK, background: BAND };
  });
}

export const number = (value: number): string => (Math.round(value * 100) / 100).toString();
const fills = new Map<Colour, string>();
/** The fill colour operator; the colours are a few constants, each written once. */
export const fill = (colour: Colour): string => {
  let operator = fills.get(colour);
  if (operator === undefined) {
    operator = `${colour.map(number).join(' ')} rg`;
    fills.set(colour, operator);
  }
  return operator;
};
