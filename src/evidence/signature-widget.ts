import {
  beginText,
  endText,
  fill,
  PDFArray,
  PDFDict,
  PDFName,
  PDFNumber,
  PDFPage,
  PDFRef,
  PDFString,
  popGraphicsState,
  pushGraphicsState,
  rectangle,
  setFillingRgbColor,
  setFontAndSize,
  setLineWidth,
  setStrokingRgbColor,
  showText,
  moveText,
  stroke,
  StandardFonts,
  type PDFDocument,
  type PDFOperator,
} from '../render/pdf-library.js';
import { SIGNATURE_BOX_DESTINATION } from '../render/signature-box.js';
import { toIsoUtc } from '../util/time.js';
import { issuerNameOf } from './certificate.js';
import { INFO_SNAPSHOT_SHA256 } from './pdf-evidence.js';
import type { EvidenceSigner } from './signer.js';

/**
 * The signature widget an auditor can click: it sits where the report printed its "Digitally
 * signed" box. The printer records that box, wherever the layout put it, as the named destination
 * SIGNATURE_BOX_DESTINATION (render/signature-box.ts); signing takes the destination away and puts
 * the signature widget, with its own appearance, in its place.
 */
export interface SignatureBox {
  readonly page: PDFPage;
  readonly rect: [number, number, number, number];
}

/** Finds the recorded box (and removes its destination), or null when the PDF has none (a report without the box). */
export function takeSignatureBox(document: PDFDocument): SignatureBox | null {
  const dests = document.catalog.lookupMaybe(PDFName.of('Dests'), PDFDict);
  const key = PDFName.of(SIGNATURE_BOX_DESTINATION);
  const destination = dests?.lookupMaybe(key, PDFArray);
  if (dests === undefined || destination === undefined) return null;
  dests.delete(key);
  const pageRef = destination.get(0);
  const page = document.getPages().find((candidate) => candidate.ref === pageRef);
  const numbers = destination.asArray().slice(2).map((item) => (item instanceof PDFNumber ? item.asNumber() : 0));
  const [x1 = 0, y1 = 0, x2 = 0, y2 = 0] = numbers;
  if (page === undefined || Math.abs(x2 - x1) < 1 || Math.abs(y2 - y1) < 1) return null;
  return { page, rect: [Math.min(x1, x2), Math.min(y1, y2), Math.max(x1, x2), Math.max(y1, y2)] };
}

/** WinAnsi text for the standard font: anything it cannot show becomes '?'. */
function printable(text: string): string {
  return text.replace(/[^\x20-\x7e\u00a0-\u00ff]/g, '?');
}

/** Groups of four, as the report prints hashes. */
function grouped(hex: string): string {
  return hex.replace(/:/g, '').toLowerCase().replace(/(.{4})(?=.)/g, '$1 ');
}

/** Gives the widget placed by the placeholder (the page's last annotation) an appearance showing the signature's facts. */
export async function placeSignatureWidget(
  document: PDFDocument,
  box: SignatureBox,
  signer: EvidenceSigner,
  signerName: string,
  signingTime: Date,
  stated: { readonly reason: string; readonly location: string } = { reason: '', location: '' },
): Promise<void> {
  const annots = box.page.node.lookup(PDFName.of('Annots'), PDFArray);
  const widget = annots.lookup(annots.size() - 1, PDFDict);
  const widgetRef = annots.get(annots.size() - 1);
  if (widgetRef instanceof PDFRef) tagSignatureWidget(document, box.page, widgetRef, widget);
  const font = await document.embedFont(StandardFonts.Helvetica);
  const bold = await document.embedFont(StandardFonts.HelveticaBold);
  const width = box.rect[2] - box.rect[0];
  const height = box.rect[3] - box.rect[1];
  const info = document.context.lookupMaybe(document.context.trailerInfo.Info, PDFDict);
  const snapshot = info?.lookup(PDFName.of(INFO_SNAPSHOT_SHA256));
  const snapshotSha256 = snapshot instanceof PDFString ? snapshot.decodeText() : null;
  const lines: { label: string; value: string }[] = [
    { label: 'Signer', value: signerName },
    { label: 'Signing time', value: toIsoUtc(signingTime) },
    { label: 'Issuer', value: issuerNameOf(signer.certificate) },
    { label: 'Certificate SHA-256', value: grouped(signer.certificate.fingerprint256) },
    ...(snapshotSha256 === null ? [] : [{ label: 'Snapshot SHA-256', value: grouped(snapshotSha256) }]),
    // What the printed box under the widget also says: the widget covers it, so it repeats them.
    ...(stated.reason === '' ? [] : [{ label: 'Reason', value: stated.reason }]),
    ...(stated.location === '' ? [] : [{ label: 'Location', value: stated.location }]),
  ].map((line) => ({ label: printable(line.label), value: printable(line.value) }));
  const title = 'Digitally signed (click to see the signature)';
  const padding = 6;
  const rows = lines.length + 1;
  const labelWidth = (size: number): number => Math.max(...lines.map((line) => bold.widthOfTextAtSize(`${line.label}: `, size)));
  const widest = (size: number): number => Math.max(bold.widthOfTextAtSize(title, size), ...lines.map((line) => labelWidth(size) + font.widthOfTextAtSize(line.value, size)));
  let size = Math.min(9, (height - 2 * padding) / (rows * 1.25));
  while (size > 3 && widest(size) > width - 2 * padding) size -= 0.25;
  const leading = size * 1.25;
  const operators: PDFOperator[] = [
    pushGraphicsState(),
    setFillingRgbColor(1, 1, 1),
    rectangle(0, 0, width, height),
    fill(),
    setStrokingRgbColor(0.106, 0.369, 0.125),
    setLineWidth(1.5),
    rectangle(0.75, 0.75, width - 1.5, height - 1.5),
    stroke(),
    beginText(),
    setFillingRgbColor(0.106, 0.369, 0.125),
    setFontAndSize(PDFName.of('F2'), size),
    moveText(padding, height - padding - size),
    showText(bold.encodeText(title)),
    setFillingRgbColor(0, 0, 0),
  ];
  for (const line of lines) {
    operators.push(moveText(0, -leading), setFontAndSize(PDFName.of('F2'), size), showText(bold.encodeText(`${line.label}: `)));
    operators.push(moveText(labelWidth(size), 0), setFontAndSize(PDFName.of('F1'), size), showText(font.encodeText(line.value)), moveText(-labelWidth(size), 0));
  }
  operators.push(endText(), popGraphicsState());
  const appearance = document.context.formXObject(operators, { BBox: [0, 0, width, height], Resources: { Font: { F1: font.ref, F2: bold.ref } } });
  widget.set(PDFName.of('AP'), document.context.obj({ N: document.context.register(appearance) }));
}

const WIDGET_DESCRIPTION = 'Digital signature of this report: select it to see the signer, the signing time and whether the document is unchanged';

/**
 * Puts the widget in the tagged report's structure tree (PDF/UA: every annotation belongs to a
 * structure element): a Form element pointing at it, with a description for screen readers,
 * read right after the content of the page it sits on (the cover). Nothing for an untagged PDF.
 */
export function tagSignatureWidget(document: PDFDocument, page: PDFPage, widgetRef: PDFRef, widget: PDFDict): void {
  const context = document.context;
  const structRoot = document.catalog.lookupMaybe(PDFName.of('StructTreeRoot'), PDFDict);
  const nums = structRoot?.lookupMaybe(PDFName.of('ParentTree'), PDFDict)?.lookupMaybe(PDFName.of('Nums'), PDFArray);
  const documentRef = structRoot?.get(PDFName.of('K'));
  // The printer writes a flat number tree under one Document element; anything else is left as it is.
  if (structRoot === undefined || nums === undefined || !(documentRef instanceof PDFRef)) return;
  const documentElement = context.lookup(documentRef, PDFDict);
  const kids = documentElement.lookupMaybe(PDFName.of('K'), PDFArray);
  if (kids === undefined) return;
  const key = structRoot.lookupMaybe(PDFName.of('ParentTreeNextKey'), PDFNumber)?.asNumber() ?? nums.size() / 2;
  const form = context.register(
    context.obj({ Type: 'StructElem', S: 'Form', P: documentRef, Pg: page.ref, K: context.obj({ Type: 'OBJR', Obj: widgetRef, Pg: page.ref }), Alt: PDFString.of(WIDGET_DESCRIPTION) }),
  );
  kids.insert(Math.min(kids.size(), 1 + lastKidOnPage(document, kids, nums, documentRef, page)), form);
  nums.push(PDFNumber.of(key));
  nums.push(form);
  structRoot.set(PDFName.of('ParentTreeNextKey'), PDFNumber.of(key + 1));
  widget.set(PDFName.of('StructParent'), PDFNumber.of(key));
  widget.set(PDFName.of('TU'), PDFString.of(WIDGET_DESCRIPTION));
}

/**
 * The index among the Document's children of the last one holding content of `page`, or -1: the
 * parent tree lists, per page, the element of each marked content; each is followed up (/P) to
 * the Document's child it belongs to.
 */
function lastKidOnPage(document: PDFDocument, kids: PDFArray, nums: PDFArray, documentRef: PDFRef, page: PDFPage): number {
  const context = document.context;
  const pageKey = page.node.lookupMaybe(PDFName.of('StructParents'), PDFNumber)?.asNumber();
  let elements: readonly unknown[] = [];
  for (let index = 0; index + 1 < nums.size(); index += 2) {
    const key = nums.lookup(index);
    if (key instanceof PDFNumber && key.asNumber() === pageKey) elements = nums.lookupMaybe(index + 1, PDFArray)?.asArray() ?? [];
  }
  const positions = new Map(kids.asArray().map((kid, index) => [kid, index]));
  let last = -1;
  for (const element of elements) {
    let current: unknown = element;
    // Up to the Document's child (a bounded climb: a malformed tree cannot loop it).
    for (let depth = 0; depth < 64 && current instanceof PDFRef; depth += 1) {
      const parent = context.lookupMaybe(current, PDFDict)?.get(PDFName.of('P'));
      if (parent === documentRef) {
        last = Math.max(last, positions.get(current) ?? -1);
        break;
      }
      current = parent;
    }
  }
  return last;
}
