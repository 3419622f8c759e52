/**
 * The identity matrix's tables (root's row, then one row per IAM user) drawn by pdf-lib straight
 * into the merged PDF (issue 26), in the report's embedded faces and with the stylesheet's look
 * (templates/partials/styles.hbs, `table.matrix`): Chromium spent most of a large report's time
 * laying out and tagging these thousands of rows, and the merge as long again copying its tree.
 * The section's heading, text and legend are still printed by Chromium (the partial, told
 * `tablesDrawn`); the tables follow on pages of their own, tagged here: H3, Table, THead/TBody, TR,
 * TH (scope Column) and TD, each cell's text one marked-content sequence; a header row repeated
 * on a later page, the rules and the backgrounds are pagination artifacts.
 */
import { deflateSync } from 'node:zlib';
import { PDFName, type PDFDocument, type PDFFont, type PDFPage, type PDFRef } from './pdf-library.js';
import type { MergedStructure } from './pdf-structure.js';
import type { MatrixColumn, MatrixRow } from './report-identities.js';
import { ASCENT, BAND, BORDER, DESCENT, Face, FACT_COLUMNS, headerCells, INK, LINE, MUTED, PAD_X, PAD_Y, PX, RULE, fill, number, rowCells, type Cell, type Colour, type Faces, type MatrixContext } from './pdf-matrix-cells.js';

export { matrixDrawable, matrixShowsKeyIds } from './pdf-matrix-cells.js';

export interface MatrixFonts {
  readonly regular: PDFFont;
  readonly bold: PDFFont;
  readonly mono: PDFFont;
}

/** The printable area, in points: the landscape page and Chromium's margins for it. */
export interface MatrixPageBox {
  readonly width: number;
  readonly height: number;
  readonly top: number;
  readonly bottom: number;
  readonly left: number;
  readonly right: number;
}


/** One page's content stream, its fonts and its structure as it is drawn. */
class MatrixPage {
  readonly operators: string[] = [];
  readonly page: PDFPage;
  /** The top of what is left of the page, in points from the bottom. */
  y: number;

  constructor(document: PDFDocument, box: MatrixPageBox, private readonly fonts: Faces) {
    this.page = document.addPage([box.width, box.height]);
    this.y = box.height - box.top;
    for (const [key, face] of this.fontKeys()) this.page.node.setFontDictionary(PDFName.of(key), face.font.ref);
  }

  private fontKeys(): [string, Face][] {
    return [['MxR', this.fonts.regular], ['MxB', this.fonts.bold], ['MxM', this.fonts.mono]];
  }

  fontKey(font: Face): string {
    return this.fontKeys().find(([, candidate]) => candidate === font)?.[0] ?? 'MxR';
  }

  /** Text at (x, baseline); the caller marks it. */
  text(text: string, font: Face, size: number, x: number, baseline: number, colour: Colour): void {
    this.operators.push(`BT /${this.fontKey(font)} ${number(size)} Tf ${fill(colour)} ${number(x)} ${number(baseline)} Td ${font.encode(text)} Tj ET`);
  }

  finish(document: PDFDocument): void {
    const stream = document.context.stream(deflateSync(Buffer.from(this.operators.join('\n'), 'latin1')), { Filter: 'FlateDecode' });
    this.page.node.addContentStream(document.context.register(stream));
  }
}

/** The baseline of a line whose line box starts at `top` (CSS: half the leading above and below the glyphs' box). */
function baseline(top: number, lineHeight: number, size: number): number {
  return top - (lineHeight - (ASCENT + DESCENT) * size) / 2 - ASCENT * size;
}

/** Draws the section's tables on new pages after the document's last, tagged under `section` (the Document when null). Returns the pages added. */
export function drawIdentityTables(document: PDFDocument, structure: MergedStructure, context: Readonly<Record<string, unknown>>, rows: readonly unknown[], fonts: MatrixFonts, box: MatrixPageBox, section: PDFRef | null): number {
  const matrix = context as unknown as MatrixContext;
  const regular = new Face(fonts.regular);
  const faces: Faces = { regular, bold: new Face(fonts.bold), mono: fonts.mono === fonts.regular ? regular : new Face(fonts.mono) };
  const drawer = new TableDrawer(document, structure, faces, box, section);
  if (matrix.rootRow !== null) drawer.table('Root user', matrix.rootColumns, [matrix.rootRow], true);
  else drawer.note('The snapshot has no root row, so the root rules are not evaluated (see the framework controls).');
  drawer.table('IAM users', matrix.userColumns, rows as readonly MatrixRow[], false);
  return drawer.finish();
}

/** Lays the tables out page after page: a row never split, the header row on every page, a heading kept with the table's first row. */
class TableDrawer {
  private current: MatrixPage;
  private readonly pages: MatrixPage[] = [];
  private readonly contentWidth: number;
  /** The bottom margin of the last block, collapsed with the next block's top margin (CSS). */
  private pendingMargin = 0;

  constructor(
    private readonly document: PDFDocument,
    private readonly structure: MergedStructure,
    private readonly fonts: Faces,
    private readonly box: MatrixPageBox,
    private readonly section: PDFRef | null,
  ) {
    this.contentWidth = box.width - box.left - box.right;
    this.current = this.newPage();
  }

  private newPage(): MatrixPage {
    const page = new MatrixPage(this.document, this.box, this.fonts);
    this.pages.push(page);
    this.current = page;
    // A margin at the top of a page is dropped (CSS fragmentation).
    this.pendingMargin = 0;
    return page;
  }

  private atTop(): boolean {
    return this.current.y === this.box.height - this.box.top;
  }

  private room(): number {
    return this.current.y - this.pendingMargin - this.box.bottom;
  }

  /** A heading (h3: 12pt bold, line-height 1.4, margins 16px above and 6px below), kept with what follows (`following` points). */
  private heading(text: string, following: number): void {
    const height = 12 * 1.4;
    this.pendingMargin = this.atTop() ? 0 : Math.max(this.pendingMargin, 16 * PX);
    if (this.room() < height + 6 * PX + following) this.newPage();
    const top = this.current.y - this.pendingMargin;
    const { mcid, element } = this.structure.tag(this.current.page, 'H3', this.section);
    this.structure.attach(element, this.section);
    this.current.operators.push(`/H3 <</MCID ${mcid}>> BDC`);
    this.current.text(text, this.fonts.bold, 12, this.box.left, baseline(top, height, 12), INK);
    this.current.operators.push('EMC');
    this.current.y = top - height;
    this.pendingMargin = 6 * PX;
  }

  /** The note the partial prints when there is no root row (p.note: 9pt, muted). */
  note(text: string): void {
    this.pendingMargin = Math.max(this.pendingMargin, 4 * PX);
    const top = this.current.y - this.pendingMargin;
    const { mcid, element } = this.structure.tag(this.current.page, 'P', this.section);
    this.structure.attach(element, this.section);
    this.current.operators.push(`/P <</MCID ${mcid}>> BDC`);
    this.current.text(text, this.fonts.regular, 9, this.box.left, baseline(top, 9 * 1.4, 9), MUTED);
    this.current.operators.push('EMC');
    this.current.y = top - 9 * 1.4;
    this.pendingMargin = 8 * PX;
  }

  private widths(columns: readonly MatrixColumn[]): number[] {
    const facts = FACT_COLUMNS.map((column) => column.share * this.contentWidth);
    const rest = (this.contentWidth - facts.reduce((sum, width) => sum + width, 0)) / Math.max(1, columns.length);
    return [...facts, ...columns.map(() => rest)];
  }

  private static height(cells: readonly Cell[]): number {
    return Math.max(LINE, ...cells.map((cell) => cell.lines.reduce((sum, entry) => sum + entry.height, 0))) + 2 * PAD_Y + BORDER;
  }

  /** One table under its heading; `root` rows on the band colour. */
  table(title: string, columns: readonly MatrixColumn[], rows: readonly MatrixRow[], root: boolean): void {
    const widths = this.widths(columns);
    const header = headerCells(columns, widths, this.fonts);
    const headerHeight = TableDrawer.height(header);
    const first = rows[0];
    this.heading(title, headerHeight + (first === undefined ? 0 : TableDrawer.height(rowCells(first, widths, this.fonts))));
    const table = this.structure.group('Table', this.section);
    this.structure.attach(table, this.section);
    const head = this.structure.group('THead', table);
    this.structure.attach(head, table);
    const body = this.structure.group('TBody', table);
    this.structure.attach(body, table);
    this.pendingMargin = Math.max(this.pendingMargin, 6 * PX);
    this.current.y -= this.pendingMargin;
    this.pendingMargin = 0;
    this.row(header, widths, headerHeight, null, head, 'TH');
    for (const row of rows) {
      const cells = rowCells(row, widths, this.fonts);
      const height = TableDrawer.height(cells);
      if (this.current.y - height < this.box.bottom) {
        this.newPage();
        // The header row again on the new page: a pagination artifact, the table's header is tagged once.
        this.row(header, widths, headerHeight, null, null, 'TH');
      }
      this.row(cells, widths, height, root ? BAND : null, body, 'TD');
    }
    this.pendingMargin = 12 * PX;
  }

  /** Draws a row at the current position: backgrounds and rule as an artifact, each cell's text tagged (untagged when `group` is null). */
  private row(cells: readonly Cell[], widths: readonly number[], height: number, band: Colour | null, group: PDFRef | null, type: 'TH' | 'TD'): void {
    const page = this.current;
    const top = page.y;
    const bottom = top - height;
    const artifact: string[] = [];
    let x = this.box.left;
    cells.forEach((cell, index) => {
      const width = widths[index] ?? 0;
      const background = cell.background ?? band;
      if (background !== null) artifact.push(`${fill(background)} ${number(x)} ${number(bottom + BORDER)} ${number(width)} ${number(height - BORDER)} re f`);
      x += width;
    });
    artifact.push(`${RULE.map(number).join(' ')} RG ${number(BORDER)} w ${number(this.box.left)} ${number(bottom + BORDER / 2)} m ${number(x)} ${number(bottom + BORDER / 2)} l S`);
    page.operators.push(`/Artifact <</Type /Pagination>> BDC ${artifact.join(' ')} EMC`);
    const tableRow = group === null ? null : this.structure.group('TR', group);
    if (tableRow !== null && group !== null) this.structure.attach(tableRow, group);
    x = this.box.left;
    cells.forEach((cell, index) => {
      const width = widths[index] ?? 0;
      const textHeight = cell.lines.reduce((sum, entry) => sum + entry.height, 0);
      // Header cells sit at the bottom of their row (vertical-align: bottom), data cells at the top.
      let lineTop = type === 'TH' ? bottom + BORDER + PAD_Y + textHeight : top - PAD_Y;
      if (tableRow !== null) {
        const attributes = type === 'TH' ? this.document.context.obj({ O: 'Table', Scope: 'Column' }) : undefined;
        const { mcid, element } = this.structure.tag(page.page, type, tableRow, attributes);
        this.structure.attach(element, tableRow);
        page.operators.push(`/${type} <</MCID ${mcid}>> BDC`);
      } else page.operators.push('/Artifact <</Type /Pagination>> BDC');
      for (const entry of cell.lines) {
        const textWidth = entry.font.width(entry.text, entry.size);
        const left = cell.centred ? x + (width - textWidth) / 2 : x + PAD_X;
        page.text(entry.text, entry.font, entry.size, left, baseline(lineTop, entry.height, entry.size), cell.colour);
        lineTop -= entry.height;
      }
      page.operators.push('EMC');
      x += width;
    });
    page.y = bottom;
  }

  finish(): number {
    for (const page of this.pages) page.finish(this.document);
    return this.pages.length;
  }
}
