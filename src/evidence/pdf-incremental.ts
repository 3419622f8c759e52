import { ParseSpeeds, PDFArray, PDFDict, PDFDocument, PDFInvalidObject, PDFName, PDFNumber, PDFRawStream, PDFRef, type PDFObject } from '../render/pdf-library.js';
import { digest, type HashName } from './pki-asn1.js';

/**
 * Incremental updates (ISO 32000-1 7.5.6): new and changed objects appended after the last
 * %%EOF with their own cross-reference section, so every earlier byte, and with them every
 * earlier signature, stays as it was. pdf-lib reads the file and builds the objects; the bytes
 * of the update are written here, because pdf-lib can only save a whole new file.
 */

export interface PdfUpdate {
  readonly original: Buffer;
  readonly document: PDFDocument;
  /** Objects this update writes: registered after loading, or changed existing ones. */
  readonly refs: PDFRef[];
}

export async function openForUpdate(pdf: Uint8Array): Promise<PdfUpdate> {
  // parseSpeed Fastest: parsed in one go, not with a timer's wait every 100 objects.
  const document = await PDFDocument.load(pdf, { updateMetadata: false, ignoreEncryption: true, parseSpeed: ParseSpeeds.Fastest });
  return { original: Buffer.from(pdf), document, refs: [] };
}

/** Registers a new object and marks it to be written. */
export function addObject(update: PdfUpdate, object: PDFObject): PDFRef {
  const ref = update.document.context.register(object);
  update.refs.push(ref);
  return ref;
}

/** Marks an existing object (looked up by ref) as changed, so the update writes its new state. */
export function markChanged(update: PdfUpdate, ref: PDFRef): void {
  if (!update.refs.some((item) => item.objectNumber === ref.objectNumber)) update.refs.push(ref);
}

export function rawStream(update: PdfUpdate, bytes: Uint8Array): PDFRef {
  return addObject(update, PDFRawStream.of(update.document.context.obj({}), bytes));
}

function serialize(object: PDFObject): Buffer {
  const bytes = new Uint8Array(object.sizeInBytes());
  object.copyBytesInto(bytes, 0);
  return Buffer.from(bytes);
}

function lastStartXref(pdf: Buffer): number {
  const tail = pdf.subarray(Math.max(0, pdf.length - 2048)).toString('latin1');
  const matches = [...tail.matchAll(/startxref\s+(\d+)/g)];
  const last = matches[matches.length - 1];
  if (last === undefined) throw new Error('no startxref at the end of the PDF');
  return Number(last[1]);
}

/** Writes the update: the original bytes, then the objects, a cross-reference section and a trailer pointing back (/Prev). */
export function writeUpdate(update: PdfUpdate): Buffer {
  const { original, document } = update;
  const context = document.context;
  const pieces: Buffer[] = [original];
  let offset = original.length;
  if (original[original.length - 1] !== 0x0a) {
    pieces.push(Buffer.from('\n'));
    offset += 1;
  }
  const offsets = new Map<number, number>();
  const refs = [...update.refs].sort((left, right) => left.objectNumber - right.objectNumber);
  for (const ref of refs) {
    const object = context.lookup(ref);
    if (object === undefined) throw new Error(`internal error: object ${ref.objectNumber} vanished`);
    const bytes = Buffer.concat([Buffer.from(`${ref.objectNumber} ${ref.generationNumber} obj\n`, 'latin1'), serialize(object), Buffer.from('\nendobj\n', 'latin1')]);
    offsets.set(ref.objectNumber, offset);
    pieces.push(bytes);
    offset += bytes.length;
  }
  const xrefOffset = offset;
  const lines = ['xref'];
  for (let index = 0; index < refs.length; ) {
    let end = index;
    while (end + 1 < refs.length && (refs[end + 1] as PDFRef).objectNumber === (refs[end] as PDFRef).objectNumber + 1) end += 1;
    lines.push(`${(refs[index] as PDFRef).objectNumber} ${end - index + 1}`);
    for (let item = index; item <= end; item += 1) {
      const ref = refs[item] as PDFRef;
      lines.push(`${String(offsets.get(ref.objectNumber)).padStart(10, '0')} ${String(ref.generationNumber).padStart(5, '0')} n\r`);
    }
    index = end + 1;
  }
  const trailer = context.obj({});
  trailer.set(PDFName.of('Size'), PDFNumber.of(context.largestObjectNumber + 1));
  const root = context.trailerInfo.Root;
  if (root === undefined) throw new Error('the PDF has no catalog (/Root)');
  trailer.set(PDFName.of('Root'), root);
  if (context.trailerInfo.Info !== undefined) trailer.set(PDFName.of('Info'), context.trailerInfo.Info);
  if (context.trailerInfo.ID !== undefined) trailer.set(PDFName.of('ID'), context.trailerInfo.ID);
  trailer.set(PDFName.of('Prev'), PDFNumber.of(lastStartXref(original)));
  lines.push('trailer', trailer.toString(), 'startxref', String(xrefOffset), '%%EOF', '');
  pieces.push(Buffer.from(lines.join('\n'), 'latin1'));
  return Buffer.concat(pieces);
}

// ---------------------------------------------------------------- a document timestamp (PAdES B-LTA)

const BYTE_RANGE_PLACEHOLDER = '/ByteRange [0 ********** ********** **********]';
/** Hex characters reserved for the timestamp token: its TSA chain fits with margin. */
const DOCUMENT_TIMESTAMP_RESERVED_BYTES = 12_288;

function signatureFieldName(document: PDFDocument, prefix: string): string {
  const fields = document.catalog.lookupMaybe(PDFName.of('AcroForm'), PDFDict)?.lookupMaybe(PDFName.of('Fields'), PDFArray);
  const taken = new Set<string>();
  for (let index = 0; index < (fields?.size() ?? 0); index += 1) {
    const title = (fields as PDFArray).lookupMaybe(index, PDFDict)?.get(PDFName.of('T'));
    if (title !== undefined) taken.add(title.toString());
  }
  let number = 1;
  while (taken.has(`(${prefix}${number})`)) number += 1;
  return `${prefix}${number}`;
}

/** Adds an invisible signature field whose value is `signatureRef` to the AcroForm and the first page. */
export function addSignatureField(update: PdfUpdate, signatureRef: PDFRef, namePrefix: string): void {
  const { document } = update;
  const context = document.context;
  const page = document.getPages()[0];
  if (page === undefined) throw new Error('the PDF has no page');
  const widget = addObject(
    update,
    context.obj({ Type: 'Annot', Subtype: 'Widget', FT: 'Sig', Rect: [0, 0, 0, 0], F: 132, T: PDFStringOf(signatureFieldName(document, namePrefix)), V: signatureRef, P: page.ref }),
  );
  const annots = page.node.get(PDFName.of('Annots'));
  if (annots instanceof PDFRef) {
    context.lookup(annots, PDFArray).push(widget);
    markChanged(update, annots);
  } else {
    const array = annots instanceof PDFArray ? annots : context.obj([]);
    array.push(widget);
    page.node.set(PDFName.of('Annots'), array);
    markChanged(update, page.ref);
  }
  const acroFormEntry = document.catalog.get(PDFName.of('AcroForm'));
  const catalogRef = context.trailerInfo.Root as PDFRef;
  let acroForm: PDFDict;
  if (acroFormEntry instanceof PDFRef) {
    acroForm = context.lookup(acroFormEntry, PDFDict);
    markChanged(update, acroFormEntry);
  } else {
    acroForm = acroFormEntry instanceof PDFDict ? acroFormEntry : context.obj({ Fields: [] });
    document.catalog.set(PDFName.of('AcroForm'), acroForm);
    markChanged(update, catalogRef);
  }
  const fieldsEntry = acroForm.get(PDFName.of('Fields'));
  if (fieldsEntry instanceof PDFRef) {
    context.lookup(fieldsEntry, PDFArray).push(widget);
    markChanged(update, fieldsEntry);
  } else {
    const fields = fieldsEntry instanceof PDFArray ? fieldsEntry : context.obj([]);
    fields.push(widget);
    acroForm.set(PDFName.of('Fields'), fields);
  }
  const flags = acroForm.lookupMaybe(PDFName.of('SigFlags'), PDFNumber)?.asNumber() ?? 0;
  acroForm.set(PDFName.of('SigFlags'), PDFNumber.of(flags | 3)); // SignaturesExist | AppendOnly
}

function PDFStringOf(text: string): PDFObject {
  return PDFInvalidObject.of(Buffer.from(`(${text.replace(/[()\\]/g, '\\$&')})`, 'latin1'));
}

/**
 * Appends a document timestamp (PAdES B-LTA, ISO 32000-2 12.8.5): a signature of /Type
 * /DocTimeStamp, SubFilter ETSI.RFC3161, whose /Contents is an RFC 3161 token over every byte of
 * the file but itself. `stamp` gets the hash of those bytes and returns the token.
 */
export async function appendDocumentTimestamp(pdf: Uint8Array, hash: HashName, stamp: (hashValue: Buffer) => Promise<Buffer>): Promise<Buffer> {
  const update = await openForUpdate(pdf);
  const placeholder = `<${'0'.repeat(DOCUMENT_TIMESTAMP_RESERVED_BYTES * 2)}>`;
  const signature = addObject(
    update,
    PDFInvalidObject.of(Buffer.from(`<< /Type /DocTimeStamp /Filter /Adobe.PPKLite /SubFilter /ETSI.RFC3161 ${BYTE_RANGE_PLACEHOLDER} /Contents ${placeholder} >>`, 'latin1')),
  );
  addSignatureField(update, signature, 'DocumentTimestamp');
  const written = writeUpdate(update);
  const rangeAt = written.lastIndexOf(BYTE_RANGE_PLACEHOLDER);
  const contentsAt = written.indexOf(placeholder, rangeAt);
  if (rangeAt < update.original.length || contentsAt < 0) throw new Error('internal error: the timestamp placeholder was not written');
  const afterContents = contentsAt + placeholder.length;
  const byteRange = `/ByteRange [0 ${contentsAt} ${afterContents} ${written.length - afterContents}]`;
  if (byteRange.length > BYTE_RANGE_PLACEHOLDER.length) throw new Error('internal error: the byte range does not fit its placeholder');
  written.write(byteRange.padEnd(BYTE_RANGE_PLACEHOLDER.length, ' '), rangeAt, 'latin1');
  const covered = Buffer.concat([written.subarray(0, contentsAt), written.subarray(afterContents)]);
  const token = await stamp(digest(hash, covered));
  if (token.length > DOCUMENT_TIMESTAMP_RESERVED_BYTES) throw new Error(`the timestamp token (${token.length} bytes) does not fit the ${DOCUMENT_TIMESTAMP_RESERVED_BYTES} bytes reserved`);
  written.write(token.toString('hex').toUpperCase(), contentsAt + 1, 'latin1');
  return written;
}
