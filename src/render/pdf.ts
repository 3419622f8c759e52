/**
 * The PDF report: the HTML report's parts printed by headless Chromium and merged with pdf-lib.
 *
 * One Chromium print of tens of thousands of table rows fails (or takes minutes and gigabytes), so
 * long tables are printed in chunks of rows; the short parts around them are printed together, a
 * few at a time (every print loads the page and its embedded fonts again, which is what a report of
 * many short sections spent its time on). Where each part starts is read back from the print's
 * named destinations (a hidden link to every part's anchor makes Chromium record them). pdf-lib
 * then merges the pieces, stamps the footer ("Page N of M", account, capture time) across the whole
 * document (so numbering is right however it was cut), adds the outline (bookmarks), the named
 * destinations (so the report's links between sections work across pieces) and the metadata. The
 * cover has no footer.
 *
 * One piece, over 400 lines: the print plan, the prints and the merge share the print jobs, the named destinations and the merged document.
 */
import { SIGNATURE_BOX_DESTINATION } from './signature-box.js';
import { availableParallelism } from 'node:os';
import { deflateSync } from 'node:zlib';
import type { Browser, Page } from 'puppeteer-core';
import Handlebars from 'handlebars';
import { loadFontkit, PDFOperatorNames as Ops, ParseSpeeds, PDFArray, PDFContentStream, PDFDict, PDFDocument, PDFHexString, PDFName, PDFNumber, PDFOperator, PDFRawStream, PDFRef, rgb, type PDFFont, type PDFObject, type PDFPage } from './pdf-library.js';
import type { AnalysisResult } from '../analyze/result.js';
import type { PrintableDocumentInfo, PrintedPart, ReportTemplates } from './html.js';
import { buildReportModel, type DocumentInfo, type ReportBranding, type ReportPart } from './report-model.js';
import { browserTimeoutMs, findBrowser, withBrowser } from './browser.js';
import { footerFontBytes, matrixFontBytes } from './fonts.js';
import { drawIdentityTables, matrixDrawable, matrixShowsKeyIds, type MatrixFonts } from './pdf-matrix.js';
import { DEFAULT_TEMPLATE_DIR } from './html.js';
import { MergedStructure, takeLinkBox } from './pdf-structure.js';
import { writeXmpMetadata } from './pdf-xmp.js';

export type PaperSize = 'a4' | 'letter';

export interface PdfOptions {
  readonly templates: ReportTemplates;
  readonly branding: ReportBranding;
  readonly pageSize: PaperSize;
  readonly browserPath: string | null;
  readonly environment?: NodeJS.ProcessEnv;
  /** Table rows per Chromium print; small enough to print fast, large enough to keep chunks few. */
  readonly rowsPerChunk?: number;
  /** The largest identity matrix drawn while Chromium prints; default DRAWN_AHEAD_MAX_ROWS (a test sets 0 to draw after the prints). */
  readonly drawnAheadMaxRows?: number;
  /** Called after each printed chunk is merged: chunks done, chunks in all, pages so far. */
  readonly onProgress?: (chunksDone: number, chunksTotal: number, pages: number) => void;
  /**
   * The longest wait for one answer of the browser (its start, a page load, one print), in ms;
   * else --browser-timeout's default (IAM_AUDIT_BROWSER_TIMEOUT or 120 s, see browserTimeoutMs).
   */
  readonly browserTimeoutMs?: number;
  /** A browser already running (a test printing many documents): used as it is and left open. */
  readonly runningBrowser?: Browser;
  /**
   * Runs the prints with a browser it closes as soon as they are done (the browser started ahead
   * of the run, browser-in-advance.ts): the rest (the drawn tables, contents, footers, the evidence
   * and the save, where this process peaks) then runs without the browser's memory beside it.
   */
  readonly printWith?: <T>(work: (browser: Browser) => Promise<T>) => Promise<T>;
  /**
   * Called with the finished document just before its one save (the report's evidence is added
   * there, evidence/report-evidence.ts: loading and saving every object again cost as much as the
   * merge); the file is then saved without object streams, as the evidence step saves it, so that a
   * signature appended as an incremental update extends a file of the same kind.
   */
  readonly beforeSave?: (document: PDFDocument) => Promise<void>;
  /** Called once the cover's print is merged, while Chromium prints the rest: work to overlap with it (the evidence's files). */
  readonly whilePrinting?: () => void;
}

export const DEFAULT_ROWS_PER_CHUNK = 1000;

/** Margins leave room at the bottom for the footer pdf-lib stamps. */
const MARGIN = { top: '14mm', bottom: '18mm', left: '12mm', right: '12mm' } as const;
/** Landscape pages hold the long identity matrix: a narrower top, and just room for the footer below. */
const LANDSCAPE_MARGIN = { top: '9mm', bottom: '14mm', left: '10mm', right: '10mm' } as const;
/**
 * The margins Chromium prints the bundled stylesheet's pages with: its `@page { margin: 16mm 14mm
 * 18mm }` wins over the print's own (MARGIN, LANDSCAPE_MARGIN). The drawn identity tables use them,
 * so they line up with the printed pages around them.
 */
const PRINTED_PAGE_MARGIN_MM = { top: 16, side: 14, bottom: 18 } as const;
const FOOTER_BASELINE_PT = 18;
const FOOTER_FONT_SIZE = 7.5;

interface PrintJobPart {
  readonly part: PrintedPart;
  /** Index of the part in the model; the first chunk of each part gets an outline entry. */
  readonly partIndex: number;
}

/** One Chromium print: a chunk of a long table, or a few whole parts of the same orientation. */
interface PrintJob {
  readonly parts: readonly PrintJobPart[];
  readonly landscape: boolean;
}

/**
 * What a part without table rows counts for when short parts are packed into one print: a page or
 * two of text and charts, about as much layout as this many table rows.
 */
const ROWS_PER_TEXT_PART = 40;

/** How much layout one print of packed short parts may hold, in table rows (a part without rows counts ROWS_PER_TEXT_PART). */
const ROWS_PER_PACKED_PRINT = DEFAULT_ROWS_PER_CHUNK;

/**
 * Every part, the cover (the first) alone, long tables cut into chunks of `rowsPerChunk` rows (each
 * chunk a print of its own), and consecutive short parts of the same orientation packed into one print up to about
 * ROWS_PER_PACKED_PRINT rows (or `rowsPerChunk`, when larger).
 */
export function planPrintJobs(parts: readonly ReportPart[], rowsPerChunk: number, alone: ReadonlySet<number> = new Set(), packLimit = Math.max(rowsPerChunk, ROWS_PER_PACKED_PRINT)): PrintJob[] {
  const jobs: PrintJob[] = [];
  let packing: { parts: PrintJobPart[]; landscape: boolean; weight: number } | null = null;
  const closePacking = (): void => {
    if (packing !== null) jobs.push({ parts: packing.parts, landscape: packing.landscape });
    packing = null;
  };
  parts.forEach((part, partIndex) => {
    const rows = part.rows;
    const landscape = part.landscape === true;
    if (rows !== null && rows.length > rowsPerChunk) {
      closePacking();
      for (let start = 0; start < rows.length; start += rowsPerChunk) {
        jobs.push({ parts: [{ part: { ...part, rows: rows.slice(start, start + rowsPerChunk), continued: start > 0 }, partIndex }], landscape });
      }
      return;
    }
    if (partIndex === 0 || alone.has(partIndex)) {
      // The cover is printed alone: it must be exactly one page (printCover), and its signature box is measured there.
      // A part whose tables pdf-lib draws after it is alone too: they follow its last page.
      closePacking();
      jobs.push({ parts: [{ part: { ...part, continued: false }, partIndex }], landscape });
      return;
    }
    const weight = rows === null ? ROWS_PER_TEXT_PART : Math.max(rows.length, ROWS_PER_TEXT_PART);
    if (packing !== null && (packing.landscape !== landscape || packing.weight + weight > packLimit)) closePacking();
    packing ??= { parts: [], landscape, weight: 0 };
    packing.parts.push({ part: { ...part, continued: false }, partIndex });
    packing.weight += weight;
  });
  closePacking();
  return jobs;
}

/**
 * How much one packed print may hold so that the short parts (the narrative: summary, controls,
 * failed rules, methodology...) are shared out over the tabs printing at once rather than printed
 * in one (about 3 s of Chromium's layout on one core while the other had only the cover): their
 * weight divided by PRINT_CONCURRENCY, at most what a print may hold anyway.
 */
function balancedPackLimit(parts: readonly ReportPart[], rowsPerChunk: number, alone: ReadonlySet<number>): number {
  const weight = parts.reduce((sum, part, index) => {
    const rows = part.rows;
    if (index === 0 || alone.has(index) || (rows !== null && rows.length > rowsPerChunk)) return sum;
    return sum + (rows === null ? ROWS_PER_TEXT_PART : Math.max(rows.length, ROWS_PER_TEXT_PART));
  }, 0);
  return Math.min(Math.max(rowsPerChunk, ROWS_PER_PACKED_PRINT), Math.max(2 * ROWS_PER_TEXT_PART, Math.ceil(weight / PRINT_CONCURRENCY)));
}

/** Class of the hidden list of links that makes Chromium record where each part starts. */
const PART_LINKS_CLASS = 'iam-audit-part-links';

/**
 * The print's HTML: the layout's, plus a hidden list of links to every part's anchor just before
 * `</body>`. Chromium writes a named destination (page and position) for each element a link in
 * the document points to, and nothing visible changes. Anchors come from the model, not from
 * user input, and are plain ids; they are escaped all the same, as the templates escape them.
 */
function withPartDestinations(html: string, parts: readonly PrintJobPart[]): string {
  const links = parts.map(({ part }) => `<a href="#${Handlebars.Utils.escapeExpression(part.anchor)}"></a>`).join('');
  const list = `<nav hidden aria-hidden="true" class="${PART_LINKS_CLASS}">${links}</nav>`;
  const end = html.lastIndexOf('</body>');
  return end < 0 ? `${html}${list}` : `${html.slice(0, end)}${list}${html.slice(end)}`;
}

/** A character the embedded footer face lacks becomes "?" rather than an invisible .notdef box. */
function drawable(text: string, characters: ReadonlySet<number>): string {
  return [...text].map((character) => (characters.has(character.codePointAt(0) ?? -1) ? character : '?')).join('');
}

interface OutlineEntry {
  readonly title: string;
  readonly level: 1 | 2;
  readonly pageIndex: number;
}

/** Adds a two-level outline (bookmarks): sections, and under them frameworks, rules, errors. */
function addOutline(document: PDFDocument, entries: readonly OutlineEntry[]): void {
  if (entries.length === 0) return;
  const context = document.context;
  const rootRef = context.nextRef();
  interface Node {
    readonly entry: OutlineEntry;
    readonly ref: PDFRef;
    readonly children: Node[];
  }
  const top: Node[] = [];
  for (const entry of entries) {
    const node: Node = { entry, ref: context.nextRef(), children: [] };
    const parent = top[top.length - 1];
    if (entry.level === 2 && parent !== undefined) parent.children.push(node);
    else top.push(node);
  }
  const pages = document.getPages();
  const assign = (siblings: readonly Node[], parentRef: PDFRef): void => {
    siblings.forEach((node, index) => {
      const page = pages[node.entry.pageIndex];
      if (page === undefined) throw new Error(`outline entry ${node.entry.title} points past the last page`);
      const dictionary = context.obj({
        Title: PDFHexString.fromText(node.entry.title),
        Parent: parentRef,
        Dest: [page.ref, 'XYZ', null, null, null],
      });
      const previous = siblings[index - 1];
      const next = siblings[index + 1];
      if (previous !== undefined) dictionary.set(PDFName.of('Prev'), previous.ref);
      if (next !== undefined) dictionary.set(PDFName.of('Next'), next.ref);
      const first = node.children[0];
      const last = node.children[node.children.length - 1];
      if (first !== undefined && last !== undefined) {
        dictionary.set(PDFName.of('First'), first.ref);
        dictionary.set(PDFName.of('Last'), last.ref);
        // Negative: the subsection list starts closed, keeping the outline short.
        dictionary.set(PDFName.of('Count'), PDFNumber.of(-node.children.length));
        assign(node.children, node.ref);
      }
      context.assign(node.ref, dictionary);
    });
  };
  assign(top, rootRef);
  const firstTop = top[0];
  const lastTop = top[top.length - 1];
  if (firstTop === undefined || lastTop === undefined) return;
  context.assign(rootRef, context.obj({ Type: 'Outlines', First: firstTop.ref, Last: lastTop.ref, Count: top.length }));
  document.catalog.set(PDFName.of('Outlines'), rootRef);
  document.catalog.set(PDFName.of('PageMode'), PDFName.of('UseOutlines'));
}

/** The identity matrix part whose tables pdf-lib draws (pdf-matrix.ts): the part as printed (the section without its tables), as built, and the faces. */
interface DrawnMatrix {
  readonly partIndex: number;
  readonly printed: ReportPart;
  readonly original: ReportPart;
  readonly fonts: MatrixFonts;
}

/**
 * The identity matrix's tables are drawn by pdf-lib when the bundled partial and stylesheet print
 * them (a --template-dir one keeps Chromium's tables: their look is the template's) and the
 * embedded faces have every character they show. Null: Chromium prints them.
 */
async function drawnMatrix(document: PDFDocument, parts: readonly ReportPart[], templates: ReportTemplates, regular: PDFFont): Promise<DrawnMatrix | null> {
  const partIndex = parts.findIndex((part) => part.partial === 'identity-matrix' && part.rows !== null && part.landscape === true);
  const original = parts[partIndex];
  const bundled = ['partials/identity-matrix', 'partials/styles'].every((name) => templates.files.get(name)?.startsWith(DEFAULT_TEMPLATE_DIR) === true);
  if (original === undefined || !bundled) return null;
  if (!matrixDrawable(original.context, original.rows ?? [], regular)) return null;
  // Fixed names: pdf-lib would otherwise add a random suffix, and the same input must give the same bytes.
  const bold = rememberLayouts(await document.embedFont(matrixFontBytes('bold'), { subset: true, customName: 'IAMAMB+IBMPlexSans-Bold' }));
  // The mono face only prints key ids (live collection): not embedded for a credential report's matrix.
  const mono = matrixShowsKeyIds(original.context, original.rows ?? []) ? rememberLayouts(await document.embedFont(matrixFontBytes('mono'), { subset: true, customName: 'IAMAMM+IBMPlexMono-Regular' })) : regular;
  const fonts = { regular, bold, mono };
  return { partIndex, original, fonts, printed: { ...original, rows: null, context: { ...original.context, tablesDrawn: true } } };
}

/**
 * The matrix's tables on landscape pages the size of the printed ones (Chromium's landscape page
 * is its portrait page turned: the first printed page, turned, gives it), added after the pages so
 * far. Returns how many pages were drawn.
 */
function drawMatrixTables(merged: PDFDocument, structure: MergedStructure, drawn: DrawnMatrix): number {
  const printed = merged.getPage(0).getSize();
  const box = {
    width: Math.max(printed.width, printed.height),
    height: Math.min(printed.width, printed.height),
    top: PRINTED_PAGE_MARGIN_MM.top * MM_TO_PT,
    bottom: PRINTED_PAGE_MARGIN_MM.bottom * MM_TO_PT,
    left: PRINTED_PAGE_MARGIN_MM.side * MM_TO_PT,
    right: PRINTED_PAGE_MARGIN_MM.side * MM_TO_PT,
  };
  return drawIdentityTables(merged, structure, drawn.original.context, drawn.original.rows ?? [], drawn.fonts, box, null);
}

/** The report's own face for what pdf-lib draws (footers, contents), subset and embedded. */
async function embedReportFont(document: PDFDocument): Promise<PDFFont> {
  // A standard (unembedded) Helvetica would depend on the viewer's machine, like the body text did
  // before it carried its fonts.
  document.registerFontkit(loadFontkit());
  // A fixed name: pdf-lib would otherwise add a random suffix, and the same input must give the same bytes.
  return rememberLayouts(await document.embedFont(footerFontBytes(), { subset: true, customName: 'IAMAFT+IBMPlexSans-Regular' }));
}

/**
 * fontkit shapes the text (OpenType lookups) on every width and every draw, and the footer draws
 * the same two lines on every page: at 300 pages that was most of a second. Each distinct text is
 * shaped once; the font's subset still records its glyphs on that first call.
 */
function rememberLayouts(font: PDFFont): PDFFont {
  const encoded = new Map<string, ReturnType<PDFFont['encodeText']>>();
  const encode = font.encodeText.bind(font);
  font.encodeText = (text: string) => {
    const known = encoded.get(text) ?? encode(text);
    encoded.set(text, known);
    return known;
  };
  const widths = new Map<string, number>();
  const measure = font.widthOfTextAtSize.bind(font);
  font.widthOfTextAtSize = (text: string, size: number) => {
    const key = `${size}\u0000${text}`;
    const known = widths.get(key) ?? measure(text, size);
    widths.set(key, known);
    return known;
  };
  return font;
}

const CONTENTS_LINES_PER_PAGE = 40;

/**
 * Inserts the contents pages after the cover: every outline entry with its page number, drawn by
 * pdf-lib once the merge has fixed where each part starts (Chromium prints the parts apart, so it
 * cannot number them). Returns the entries shifted past the inserted pages, "Contents" included.
 */
function insertContents(document: PDFDocument, entries: readonly OutlineEntry[], font: PDFFont, coverPages: number, structure: MergedStructure, structureIndex: number): OutlineEntry[] {
  const characters = new Set(font.getCharacterSet());
  const listed = entries.filter((entry) => entry.pageIndex >= coverPages);
  const pageCount = Math.max(1, Math.ceil(listed.length / CONTENTS_LINES_PER_PAGE));
  const cover = document.getPage(0);
  const { width, height } = cover.getSize();
  const shifted = entries.map((entry) => (entry.pageIndex >= coverPages ? { ...entry, pageIndex: entry.pageIndex + pageCount } : entry));
  const ink = rgb(0.106, 0.122, 0.141);
  // Tagged after the cover: a section with its heading and a table of contents, one item a line.
  const section = structure.group('Sect', null, 'Contents');
  structure.attach(section, null, structureIndex);
  let list: PDFRef | null = null;
  for (let page = 0; page < pageCount; page += 1) {
    const contents = document.insertPage(coverPages + page, [width, height]);
    let y = height - 40 * MM_TO_PT;
    if (page === 0) {
      structure.attach(
        structure.markedContent(contents, 'H1', section, () => contents.drawText('Contents', { x: 12 * MM_TO_PT, y: height - 24 * MM_TO_PT, size: 15, font, color: ink })),
        section,
      );
      asArtifact(contents, 'Header', () => contents.drawLine({ start: { x: 12 * MM_TO_PT, y: height - 26 * MM_TO_PT }, end: { x: width - 12 * MM_TO_PT, y: height - 26 * MM_TO_PT }, thickness: 1.5, color: ink }));
      list = structure.group('TOC', section);
      structure.attach(list, section);
    }
    for (const entry of shifted.filter((candidate) => candidate.pageIndex >= coverPages).slice(page * CONTENTS_LINES_PER_PAGE, (page + 1) * CONTENTS_LINES_PER_PAGE)) {
      const size = entry.level === 1 ? 10.5 : 9.5;
      const x = (entry.level === 1 ? 12 : 18) * MM_TO_PT;
      const number = String(entry.pageIndex + 1);
      const right = width - 12 * MM_TO_PT;
      const room = right - x - font.widthOfTextAtSize(number, size) - 16;
      let title = drawable(entry.title, characters);
      while (title.length > 4 && font.widthOfTextAtSize(title, size) > room) title = `${title.slice(0, -2)}\u2026`.replace(/\u2026\u2026$/, '\u2026');
      // An item: the section's title, then its page number as the item's label.
      const item = structure.group('TOCI', list);
      if (list !== null) structure.attach(item, list);
      structure.attach(structure.markedContent(contents, 'P', item, () => contents.drawText(title, { x, y, size, font, color: ink })), item);
      structure.attach(structure.markedContent(contents, 'Lbl', item, () => contents.drawText(number, { x: right - font.widthOfTextAtSize(number, size), y, size, font, color: ink })), item);
      y -= entry.level === 1 ? 17 : 15;
    }
  }
  const contentsEntry: OutlineEntry = { title: 'Contents', level: 1, pageIndex: coverPages };
  const coverIndex = shifted.findIndex((entry) => entry.pageIndex >= coverPages);
  return coverIndex < 0 ? [...shifted, contentsEntry] : [...shifted.slice(0, coverIndex), contentsEntry, ...shifted.slice(coverIndex)];
}

const MM_TO_PT = 72 / 25.4;

/**
 * Marks what `draw` puts on the page as a pagination artifact (ISO 32000 14.8.2.2): footers and
 * running heads are not part of the tagged content, and assistive technology skips them.
 */
function asArtifact(page: PDFPage, subtype: 'Header' | 'Footer', draw: () => void): void {
  page.pushOperators(PDFOperator.of(Ops.BeginMarkedContentSequence, [PDFName.of('Artifact'), `<< /Type /Pagination /Subtype /${subtype} >>`]));
  draw();
  page.pushOperators(PDFOperator.of(Ops.EndMarkedContent));
}

/**
 * The section's title at the top of each page it continues onto (issue 25): "Title (continued)"
 * in the top margin of every page after a part's first, but for a page that begins a print of its
 * own (a long table's chunk heads itself "(continued)").
 */
function stampContinuationHeads(document: PDFDocument, starts: readonly { readonly title: string; readonly pageIndex: number }[], headed: ReadonlySet<number>, font: PDFFont): void {
  const characters = new Set(font.getCharacterSet());
  const pages = document.getPages();
  const ordered = [...starts].sort((a, b) => a.pageIndex - b.pageIndex);
  const colour = rgb(0.36, 0.4, 0.44);
  ordered.forEach((start, index) => {
    const end = ordered[index + 1]?.pageIndex ?? pages.length;
    for (let pageIndex = start.pageIndex + 1; pageIndex < end; pageIndex += 1) {
      const page = pages[pageIndex];
      if (page === undefined || headed.has(pageIndex)) continue;
      const { width, height } = page.getSize();
      const room = width - 68;
      let text = drawable(`${start.title} (continued)`, characters);
      while (text.length > 12 && font.widthOfTextAtSize(text, FOOTER_FONT_SIZE) > room) text = `${text.slice(0, -13)}… (continued)`;
      // Within the top margin of both orientations (9 mm landscape, 14 mm portrait).
      asArtifact(page, 'Header', () => page.drawText(text, { x: 34, y: height - 17, size: FOOTER_FONT_SIZE, font, color: colour }));
    }
  });
}

function stampFooters(document: PDFDocument, info: PrintableDocumentInfo, firstNumberedPage: number, font: PDFFont): void {
  const characters = new Set(font.getCharacterSet());
  const pages = document.getPages();
  const [scopeLine, timeLine] = info.footerLines.map((line) => drawable(line, characters));
  const colour = rgb(0.36, 0.4, 0.44);
  pages.forEach((page, index) => {
    if (index < firstNumberedPage) return;
    const { width } = page.getSize();
    const right = `Page ${index + 1} of ${pages.length}`;
    // Scope on the upper line, times on the lower; shrunk only if a long alias would overrun.
    const room = width - 68 - font.widthOfTextAtSize(right, FOOTER_FONT_SIZE) - 12;
    asArtifact(page, 'Footer', () => {
      for (const [line, text] of [[0, scopeLine], [1, timeLine]] as const) {
        const size = Math.min(FOOTER_FONT_SIZE, (FOOTER_FONT_SIZE * room) / Math.max(1, font.widthOfTextAtSize(text ?? '', FOOTER_FONT_SIZE)));
        page.drawText(text ?? '', { x: 34, y: FOOTER_BASELINE_PT + (1 - line) * (FOOTER_FONT_SIZE + 3), size, font, color: colour });
      }
      page.drawText(right, { x: width - 34 - font.widthOfTextAtSize(right, FOOTER_FONT_SIZE), y: FOOTER_BASELINE_PT, size: FOOTER_FONT_SIZE, font, color: colour });
    });
  });
}

/** The HTML Chromium prints for one job. */
function jobHtml(job: PrintJob, templates: ReportTemplates, info: PrintableDocumentInfo): string {
  return withPartDestinations(templates.render({ document: info, parts: job.parts.map(({ part }) => part) }), job.parts);
}

async function printJob(page: Page, job: PrintJob, html: string, pageSize: PaperSize, scale = 1): Promise<Uint8Array> {
  // Time-outs: the page's defaults, the browser time-out (preparePage).
  await page.setContent(html, { waitUntil: 'load' });
  // 'load' does not wait for the embedded fonts a layout asks for: on a busy machine a print could
  // start before they are decoded and lay out in a fallback face (a different, larger file). Every
  // face the stylesheet declares is loaded first, not only those the screen layout asked for: the
  // print's own layout could otherwise ask for one more (a bold or Latin Extended face) and, on a
  // busy machine, print before it is decoded (the reproducibility test saw a different file twice under load).
  await page.evaluate('Promise.allSettled(Array.from(document.fonts, (face) => face.load())).then(() => document.fonts.ready).then(() => document.fonts.status)');
  return page.pdf({
    scale,
    format: pageSize === 'a4' ? 'A4' : 'Letter',
    landscape: job.landscape,
    margin: job.landscape ? LANDSCAPE_MARGIN : MARGIN,
    printBackground: true,
    displayHeaderFooter: false,
    // Tagged (issue 25): headings, tables, figures and reading order; pdf-structure.ts merges the pieces' trees.
    tagged: true,
    outline: false,
  });
}

/** Scales tried, in order, until the cover fits one page: the first that fits is used. */
const COVER_SCALES = [1, 0.92, 0.85, 0.78, 0.7, 0.62, 0.55] as const;

/**
 * The cover, exactly one page whatever the branding (issue 25): printed as it is, and while it
 * spills onto a second page, printed again a little smaller. Returns the print and its scale.
 */
async function printCover(page: Page, job: PrintJob, html: string, pageSize: PaperSize): Promise<{ bytes: Uint8Array; scale: number }> {
  let last: { bytes: Uint8Array; scale: number } | null = null;
  for (const scale of COVER_SCALES) {
    const bytes = await printJob(page, job, html, pageSize, scale);
    last = { bytes, scale };
    const printed = await PDFDocument.load(bytes, { updateMetadata: false, parseSpeed: ParseSpeeds.Fastest });
    if (printed.getPageCount() <= 1) return last;
  }
  // Still more than a page at the smallest scale: a cover so long is a template's choice; print it as it is.
  return last ?? { bytes: await printJob(page, job, html, pageSize), scale: 1 };
}

/** A promise settled from outside: one per print job, awaited in document order. */
class Deferred<T> {
  readonly promise: Promise<T>;
  resolve!: (value: T) => void;
  reject!: (error: unknown) => void;
  constructor() {
    this.promise = new Promise<T>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // Marked handled: after a failure nobody awaits the later slots, and that is fine.
    this.promise.catch(() => undefined);
  }
}

/**
 * Tabs printing at once. With Chromium's usual processes each tab is laid out by a renderer of its
 * own; in one process (Linux, browser.ts) they share one layout thread, and two still beat one:
 * our merge of one piece overlaps the other's print (docs/decisions.md).
 */
const PRINT_CONCURRENCY = Math.max(1, Math.min(2, availableParallelism()));

/** A print of at least this many table rows leaves its tab to be closed, not reused (PrintTabs). */
const ROWS_CLOSING_A_TAB = 500;

/**
 * The tabs the prints use, each reused for the next print (issue 26). In one process (browser.ts)
 * Chromium lays every tab out on one thread, and a fresh tab cost that thread its opening and the
 * report's six embedded faces decoded again: about a tenth of a second a print at 1,000 users,
 * where a reused tab finds them decoded. A tab that printed a long table (ROWS_CLOSING_A_TAB rows
 * or more: a chunk of the MFA table of a large account) is closed instead: its renderer keeps what
 * that layout grew, hundreds of MB, and a closed tab gives it back.
 */
export class PrintTabs {
  private readonly idle: Page[] = [];
  private closed = false;

  constructor(
    private readonly browser: Browser,
    private readonly timeoutMs: number,
  ) {}

  /** An idle tab, or a new one. */
  take(): Promise<Page> {
    const page = this.idle.pop();
    return page === undefined ? preparePage(this.browser, this.timeoutMs) : Promise.resolve(page);
  }

  /** Gives a tab back after its print: kept for the next when `reusable` (and the prints go on), else closed. */
  async give(page: Page, reusable: boolean): Promise<void> {
    if (reusable && !this.closed) this.idle.push(page);
    else await page.close().catch(() => undefined);
  }

  /** Closes the idle tabs; a tab given back later is closed at once. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.idle.splice(0).map((page) => page.close().catch(() => undefined)));
  }
}

/** Whether a tab may print again after `job` (PrintTabs): false after a long table. */
export function tabReusableAfter(job: PrintJob): boolean {
  return job.parts.reduce((rows, { part }) => rows + (part.rows?.length ?? 0), 0) < ROWS_CLOSING_A_TAB;
}

async function preparePage(browser: Browser, timeoutMs: number): Promise<Page> {
  const page = await browser.newPage();
  page.setDefaultTimeout(timeoutMs);
  page.setDefaultNavigationTimeout(timeoutMs);
  // The report needs no script and fetches nothing: turn both off for the print too.
  await page.setJavaScriptEnabled(false);
  await page.setOfflineMode(true);
  return page;
}

/**
 * Prints the jobs in a few tabs at once and merges the pieces into `merged` in document order as
 * they arrive. Returns the index of the first page of each part.
 * One piece: the print workers, the in-order merge and the stop at the first failure share the job slots and the failed flag.
 */
async function printAndMerge(
  tabs: PrintTabs,
  jobs: readonly PrintJob[],
  templates: ReportTemplates,
  info: PrintableDocumentInfo,
  pageSize: PaperSize,
  merged: PDFDocument,
  structure: MergedStructure,
  mergedDestinations: Map<string, MergedDestination>,
  onProgress: PdfOptions['onProgress'],
  /** HTML of the first jobs, rendered while the browser started; taken (and dropped) by their print. */
  prerendered: Map<number, string>,
  /**
   * Called once a part's print is merged (pdf-lib draws the identity tables: once the cover is
   * merged when they end the document, else after their section's print); for the last print's
   * parts by the caller instead, once the browser is no longer needed.
   */
  afterPart: (partIndex: number) => void,
  /** The first job's print, started before the plan was made (printCoverAlone); null: printed here. */
  firstPiece: Promise<PrintedPiece> | null = null,
): Promise<PrintedPlacement> {
  const slots = jobs.map(() => new Deferred<PrintedPiece>());
  let nextJob = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && nextJob < jobs.length) {
      const index = nextJob;
      nextJob += 1;
      const job = jobs[index];
      const slot = slots[index];
      if (job === undefined || slot === undefined) continue;
      let page: Page | null = null;
      let printed = false;
      try {
        if (index === 0 && firstPiece !== null) {
          slot.resolve(await firstPiece);
          continue;
        }
        page = await tabs.take();
        const html = prerendered.get(index) ?? jobHtml(job, templates, info);
        prerendered.delete(index);
        const isCover = job.parts.some(({ partIndex }) => partIndex === 0);
        slot.resolve(isCover ? await printCover(page, job, html, pageSize) : { bytes: await printJob(page, job, html, pageSize), scale: 1 });
        printed = true;
      } catch (error) {
        failed = true;
        slot.reject(error);
      } finally {
        if (page !== null) await tabs.give(page, printed && !failed && tabReusableAfter(job));
      }
    }
  };
  const workers = Array.from({ length: Math.min(PRINT_CONCURRENCY, jobs.length) }, worker);
  const partStartPage = new Map<number, number>();
  const pieceStartPages = new Set<number>();
  let coverStructure = 0;
  /** Merges one printed piece; false (and nothing merged) when a packed piece lacks a part's destination. */
  const mergePiece = async ({ bytes }: PrintedPiece, parts: readonly PrintJobPart[]): Promise<boolean> => {
    // parseSpeed Fastest: parse in one go instead of yielding to the event loop every 100 objects.
    const piece = await PDFDocument.load(bytes, { updateMetadata: false, parseSpeed: ParseSpeeds.Fastest });
    const found = namedDestinations(piece);
    const box = takeLinkBox(piece, SIGNATURE_BOX_ANCHOR);
    found.delete(SIGNATURE_BOX_ANCHOR);
    // A part alone starts on the piece's first page; packed parts need their destinations (a
    // --template-dir partial without the section id has none: those parts are printed apart).
    if (parts.length > 1 && parts.some(({ part }) => !found.has(part.anchor))) return false;
    // Where the piece's pages go: after the pages so far, before tables drawn ahead to end the document.
    const offset = structure.pagesBeforeTrailing;
    const copied = structure.copyPiece(piece);
    if (parts.some(({ partIndex }) => partIndex === 0)) coverStructure = structure.length;
    if (parts.length === 1) pieceStartPages.add(offset);
    const boxPage = box === null ? undefined : copied[box.pageIndex];
    if (box !== null && boxPage !== undefined) mergedDestinations.set(SIGNATURE_BOX_DESTINATION, { page: boxPage.ref, view: [PDFName.of('FitR'), ...box.rect.map((value) => PDFNumber.of(value))] });
    for (const { part, partIndex } of parts) {
      if (partStartPage.has(partIndex)) continue;
      partStartPage.set(partIndex, parts.length === 1 ? offset : offset + (found.get(part.anchor)?.pageIndex ?? 0));
    }
    for (const [name, destination] of found) {
      const page = copied[destination.pageIndex];
      // The first chunk of a long table keeps the name; its continuations repeat the anchor.
      if (page !== undefined && !mergedDestinations.has(name)) mergedDestinations.set(name, { page: page.ref, view: destination.view });
    }
    return true;
  };
  try {
    for (const [index, job] of jobs.entries()) {
      const slot = slots[index];
      if (slot === undefined) continue;
      if (!(await mergePiece(await slot.promise, job.parts))) {
        for (const jobPart of job.parts) {
          const page = await tabs.take();
          const alone: PrintJob = { parts: [jobPart], landscape: job.landscape };
          let printed = false;
          try {
            await mergePiece({ bytes: await printJob(page, alone, jobHtml(alone, templates, info), pageSize), scale: 1 }, [jobPart]);
            printed = true;
          } finally {
            await tabs.give(page, printed && tabReusableAfter(alone));
          }
        }
      }
      if (index < jobs.length - 1) for (const { partIndex } of job.parts) afterPart(partIndex);
      onProgress?.(index + 1, jobs.length, merged.getPageCount());
    }
  } finally {
    failed = true;
    await Promise.all(workers);
  }
  return { partStartPage, pieceStartPages, coverStructure };
}

/** The document's metadata (info dictionary and XMP), language and finished structure tree. */
function setDocumentInfo(merged: PDFDocument, info: PrintableDocumentInfo, structure: MergedStructure): void {
  const reportTime = new Date(info.reportTime);
  merged.setTitle(info.title, { showInWindowTitleBar: true });
  merged.setAuthor(info.author);
  merged.setSubject(info.subject);
  merged.setKeywords([...info.keywords]);
  merged.setCreator(info.creator);
  merged.setProducer(`${info.creator} (Chromium print, pdf-lib merge)`);
  merged.setLanguage('en');
  structure.finish('en');
  writeXmpMetadata(merged);
  merged.setCreationDate(reportTime);
  merged.setModificationDate(reportTime);
}

/**
 * The content streams pdf-lib drew on the pages (footers, running heads, the contents, and the
 * q/Q streams it wraps a printed page's content in) compressed by Node's zlib, before the save:
 * pdf-lib compresses each with pako, a deflate in JavaScript that sets up its window and tables
 * for every stream, some 260 small ones at 1,000 users (issue 26: a tenth of the save).
 */
function compressDrawnContent(document: PDFDocument): void {
  const context = document.context;
  for (const page of document.getPages()) {
    const contents = page.node.get(PDFName.of('Contents'));
    const references = contents instanceof PDFArray ? contents.asArray() : [contents];
    for (const reference of references) {
      if (!(reference instanceof PDFRef)) continue;
      const stream = context.lookup(reference);
      // Only a stream pdf-lib would compress: its dictionary already says /Filter /FlateDecode.
      if (stream instanceof PDFContentStream && stream.dict.get(PDFName.of('Filter')) === PDFName.of('FlateDecode')) context.assign(reference, PDFRawStream.of(stream.dict, deflateSync(stream.getUnencodedContents())));
    }
  }
}

/** Runs work with a browser: one started for it and closed after it, or one running. */
type BrowserSession = <T>(work: (browser: Browser) => Promise<T>) => Promise<T>;

/**
 * Runs `work` in `session` and settles as soon as `work` has, not once the session has closed its
 * browser (a quarter of a second, or more under load): the merge goes on meanwhile, and `closed`
 * settles when the browser is gone. An error of `work` arrives as the session reports it (a
 * time-out as BrowserTimeoutError).
 */
function printedBeforeClose<T>(session: BrowserSession, work: (browser: Browser) => Promise<T>): Promise<{ readonly result: T; readonly closed: Promise<unknown> }> {
  const done = new Deferred<T>();
  const closed = session(async (browser) => {
    const result = await work(browser);
    done.resolve(result);
    return result;
  });
  // A failure before `work` was done rejects `done` too (a later one leaves it resolved).
  closed.catch((error: unknown) => done.reject(error));
  return done.promise.then((result) => ({ result, closed }));
}

/** Where the prints landed in the merged document. */
interface PrintedPlacement {
  /** The index of the first page of each part, by the part's index in the model. */
  readonly partStartPage: Map<number, number>;
  /** The first page of every print of a single part (a part, or a chunk of a long table, which heads itself "(continued)"). */
  readonly pieceStartPages: Set<number>;
  /** How many top-level structure elements the cover has: the contents' structure goes after them. */
  readonly coverStructure: number;
}

/** One print's bytes, and the scale it was printed at (1 but for a cover shrunk to fit its page). */
interface PrintedPiece {
  readonly bytes: Uint8Array;
  readonly scale: number;
}

/** A named destination of the merged document: its page there, and the view as Chromium wrote it. */
interface MergedDestination {
  readonly page: PDFRef;
  readonly view: readonly PDFObject[];
}

interface NamedDestination {
  /** Index of the page in the document the destination was read from. */
  readonly pageIndex: number;
  /** The rest of the destination array after the page: /XYZ left top zoom, as Chromium wrote it. */
  readonly view: readonly PDFObject[];
}

/** The anchor the cover's signature box links to (templates/partials/signature-appearance.hbs): the link marks the box. */
const SIGNATURE_BOX_ANCHOR = 'signature-box';

/** A piece's named destinations (the catalog's /Dests dictionary, which is where Chromium writes them). */
function namedDestinations(document: PDFDocument): Map<string, NamedDestination> {
  const found = new Map<string, NamedDestination>();
  const dests = document.catalog.lookupMaybe(PDFName.of('Dests'), PDFDict);
  if (dests === undefined) return found;
  const pageIndexByRef = new Map(document.getPages().map((page, index) => [page.ref.toString(), index]));
  for (const [key, value] of dests.entries()) {
    const array = document.context.lookupMaybe(value, PDFArray);
    const target = array?.get(0);
    if (array === undefined || !(target instanceof PDFRef)) continue;
    const pageIndex = pageIndexByRef.get(target.toString());
    if (pageIndex !== undefined) found.set(key.decodeText(), { pageIndex, view: array.asArray().slice(1) });
  }
  return found;
}

/** Writes the merged document's /Dests: the report's internal links (/Dest /name) resolve across pieces. */
function addNamedDestinations(document: PDFDocument, destinations: ReadonlyMap<string, MergedDestination>): void {
  if (destinations.size === 0) return;
  const dests = document.context.obj({});
  for (const [name, { page, view }] of destinations) dests.set(PDFName.of(name), document.context.obj([page, ...view]));
  document.catalog.set(PDFName.of('Dests'), document.context.register(dests));
}

/** Lets the browser's answers through between two steps of synchronous work (the prints wait on them). */
function yieldToBrowser(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * The largest identity matrix whose tables are drawn while Chromium prints (prepareDocument). Drawn
 * then, they are held in this process's memory beside the browser's: at 1,000 users the run is 0.3 s
 * shorter and the summed RSS 80 MB higher (770 MB); at 10,000 users the sum went over the 1 GB
 * target (1,085 MB against 826 MB drawn after the prints, 2026-12-07), for a run already well
 * under its time. Larger matrices are drawn after the last print, once the browser is closing.
 */
const DRAWN_AHEAD_MAX_ROWS = 2_000;

/** The merged document before the prints: its faces, the drawn matrix, the print plan and the structure the pieces join. */
interface PreparedDocument {
  readonly merged: PDFDocument;
  readonly font: PDFFont;
  readonly jobs: readonly PrintJob[];
  readonly structure: MergedStructure;
  readonly destinations: Map<string, MergedDestination>;
  /** Called once a part's print is merged (see printAndMerge). */
  readonly afterPart: (partIndex: number) => void;
}

/**
 * The document the pieces are merged into, its faces and the print plan. Objects are created in the
 * same order whenever this runs (the same input gives the same bytes); it yields between its steps
 * so that the cover's print, under way meanwhile, goes on.
 */
async function prepareDocument(modelParts: readonly ReportPart[], options: Omit<PdfOptions, 'branding'>): Promise<PreparedDocument> {
  // updateMetadata: false keeps pdf-lib from stamping its own name and the current time.
  const merged = await PDFDocument.create({ updateMetadata: false });
  await yieldToBrowser();
  const font = await embedReportFont(merged);
  await yieldToBrowser();
  const drawn = await drawnMatrix(merged, modelParts, options.templates, font);
  const parts = drawn === null ? modelParts : modelParts.map((part, index) => (index === drawn.partIndex ? drawn.printed : part));
  const rowsPerChunk = options.rowsPerChunk ?? DEFAULT_ROWS_PER_CHUNK;
  const alone = new Set(drawn === null ? [] : [drawn.partIndex]);
  const jobs = planPrintJobs(parts, rowsPerChunk, alone, balancedPackLimit(parts, rowsPerChunk, alone));
  const structure = new MergedStructure(merged);
  let tablesDrawn = false;
  const afterPart = (partIndex: number): void => {
    if (partIndex === 0) options.whilePrinting?.();
    if (drawn === null || tablesDrawn) return;
    if (partIndex === 0 && drawn.partIndex === parts.length - 1 && (drawn.original.rows?.length ?? 0) <= (options.drawnAheadMaxRows ?? DRAWN_AHEAD_MAX_ROWS)) {
      // The matrix ends the document: its tables are drawn once the cover is merged, while Chromium
      // prints the rest (this process waited for it, idle, and drew them only after the last print).
      // They stay the last pages: every later print's pages and structure go before them.
      structure.drawTrailing(() => drawMatrixTables(merged, structure, drawn));
      tablesDrawn = true;
    } else if (partIndex === drawn.partIndex) {
      drawMatrixTables(merged, structure, drawn);
      tablesDrawn = true;
    }
  };
  return { merged, font, jobs, structure, destinations: new Map(), afterPart };
}

/** The cover's job as planPrintJobs makes it (the first part, alone), or null when the first part has rows (then it is planned like the rest). */
export function coverPrintJob(parts: readonly ReportPart[]): PrintJob | null {
  const cover = parts[0];
  if (cover === undefined || cover.rows !== null) return null;
  return { parts: [{ part: { ...cover, continued: false }, partIndex: 0 }], landscape: cover.landscape === true };
}

/**
 * Starts the cover's print (null: no cover job); `sent` settles once its HTML has left (a tab
 * opened, its content sent) or the print has failed. The setup waits for it: run at once, its
 * synchronous steps (fontkit's start-up above all) held back the browser's answers to the cover.
 */
function startCoverPrint(tabs: PrintTabs, job: PrintJob | null, html: string | null, pageSize: PaperSize): { readonly piece: Promise<PrintedPiece> | null; readonly sent: Promise<void> } {
  if (job === null || html === null) return { piece: null, sent: Promise.resolve() };
  const sent = new Deferred<void>();
  const piece = printCoverAlone(tabs, job, html, pageSize, () => sent.resolve());
  // Observed by the merge; a failure before it (the plan's) must not leave it unhandled.
  piece.catch(() => undefined);
  const settled = Promise.race([sent.promise, piece.then(() => undefined, () => undefined)]);
  return { piece, sent: settled.then(yieldToBrowser) };
}

/** The cover printed in a tab of its own, given back for the next print after; `sent` is called once its HTML is on its way to the tab. */
async function printCoverAlone(tabs: PrintTabs, job: PrintJob, html: string, pageSize: PaperSize, sent: () => void): Promise<PrintedPiece> {
  const page = await tabs.take();
  let printed = false;
  try {
    const printing = printCover(page, job, html, pageSize);
    sent();
    const piece = await printing;
    printed = true;
    return piece;
  } finally {
    await tabs.give(page, printed);
  }
}

/** The PDF report's bytes. Throws BrowserNotFoundError when no browser can print it. */
export async function renderPdf(result: AnalysisResult, options: PdfOptions): Promise<Uint8Array> {
  const found = await findBrowser(options.browserPath, options.environment);
  return printDocument(buildReportModel(result, options.branding, 'pdf'), options, found);
}

/**
 * Prints any document made of report parts (the audit report, the change report): parts printed
 * apart and merged, contents after the cover (the first part), footers, outline, metadata.
 */
export async function printDocument(
  model: { readonly document: PrintableDocumentInfo; readonly parts: readonly ReportPart[] },
  options: Omit<PdfOptions, 'branding'>,
  browser?: Awaited<ReturnType<typeof findBrowser>>,
): Promise<Uint8Array> {
  const timeoutMs = options.browserTimeoutMs ?? browserTimeoutMs(null, options.environment);
  const coverJob = coverPrintJob(model.parts);
  let coverHtml: string | null = null;
  const renderCover = (): string | null => {
    if (coverJob !== null) coverHtml ??= jobHtml(coverJob, options.templates, model.document);
    return coverHtml;
  };
  let preparing: Promise<PreparedDocument> | null = null;
  const prepared = (): Promise<PreparedDocument> => (preparing ??= prepareDocument(model.parts, options));
  // The first prints' HTML (the first render also compiles the templates) is made while Chromium starts.
  const prerendered = new Map<number, string>();
  const prerender = (): void => {
    renderCover();
    // The fonts and the plan too; an error is reported where the print awaits them.
    prepared().catch(() => undefined);
  };
  const print = async (browser: Browser): Promise<PrintedPlacement> => {
    // The cover goes to Chromium first: its print (the cover is always printed alone, planPrintJobs)
    // needs neither the fonts nor the plan, so Chromium lays it out while this process loads fontkit,
    // embeds the faces and plans the rest (issue 26: a third of a second at 1,000 users).
    const tabs = new PrintTabs(browser, timeoutMs);
    try {
      const cover = startCoverPrint(tabs, coverJob, renderCover(), options.pageSize);
      await cover.sent;
      const document = await prepared();
      return await printAndMerge(tabs, document.jobs, options.templates, model.document, options.pageSize, document.merged, document.structure, document.destinations, options.onProgress, prerendered, document.afterPart, cover.piece);
    } finally {
      await tabs.close();
    }
  };
  const running = options.runningBrowser;
  const session: BrowserSession =
    running !== undefined
      ? (work) => work(running)
      : (options.printWith ?? (async (work) => withBrowser(browser ?? (await findBrowser(options.browserPath, options.environment)), work, prerender, timeoutMs)));
  const { result: placement, closed } = await printedBeforeClose(session, print);
  const { merged, structure, destinations, font, jobs, afterPart } = await prepared();
  const { partStartPage, pieceStartPages, coverStructure } = placement;
  // What follows the last print (the drawn identity tables, when they end the document) is ours alone.
  for (const { partIndex } of jobs[jobs.length - 1]?.parts ?? []) afterPart(partIndex);

  const coverPages = partStartPage.get(1) ?? 1;
  const printedPages = merged.getPageCount();
  const entries = insertContents(
    merged,
    model.parts.flatMap((part, index) => {
      const pageIndex = partStartPage.get(index);
      return pageIndex === undefined ? [] : [{ title: part.title, level: part.level, pageIndex }];
    }),
    font,
    coverPages,
    structure,
    coverStructure,
  );
  const contentsPages = merged.getPageCount() - printedPages;
  const shift = (pageIndex: number): number => (pageIndex >= coverPages ? pageIndex + contentsPages : pageIndex);
  stampContinuationHeads(
    merged,
    model.parts.flatMap((part, index) => {
      const pageIndex = partStartPage.get(index);
      return index === 0 || pageIndex === undefined ? [] : [{ title: part.title, pageIndex: shift(pageIndex) }];
    }),
    new Set([...pieceStartPages].map(shift)),
    font,
  );
  // The contents follow the cover; the footer starts with them.
  stampFooters(merged, model.document, coverPages, font);
  addOutline(merged, entries);
  addNamedDestinations(merged, destinations);
  setDocumentInfo(merged, model.document, structure);
  // The browser is closed (and its profile removed) before the evidence and the save, where this process peaks.
  await closed;
  return saveDocument(merged, options.beforeSave);
}

/** The merged document's bytes, with the evidence `beforeSave` adds (then without object streams: see PdfOptions). */
async function saveDocument(merged: PDFDocument, beforeSave: PdfOptions['beforeSave']): Promise<Uint8Array> {
  // objectsPerTick: pdf-lib otherwise waits for a timer (at least a millisecond) every 50 objects:
  // at 10,000 users, some 250,000 objects, that was more than five seconds of waiting.
  if (beforeSave === undefined) {
    compressDrawnContent(merged);
    return merged.save({ useObjectStreams: true, objectsPerTick: Number.POSITIVE_INFINITY });
  }
  await beforeSave(merged);
  // Last before the save: a page drawn on after this would write into the stream replaced here.
  compressDrawnContent(merged);
  return merged.save({ useObjectStreams: false, objectsPerTick: Number.POSITIVE_INFINITY });
}
