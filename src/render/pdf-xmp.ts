/**
 * The PDF's XMP metadata stream (issue 25), written from the document information so the two
 * always agree: title, subject, author, keywords, creator tool, producer, creation and modification
 * dates, and, once the evidence is attached, the snapshot's SHA-256. Archival formats (PDF/A) read
 * the XMP; a reader that shows the information dictionary sees the same values. Written again by
 * whoever changes the information afterwards (pdf-evidence.ts), as the last step before saving.
 */
import { PDFDict, PDFDocument, PDFHexString, PDFName, PDFRef, PDFString, type PDFObject } from './pdf-library.js';

/** The namespace of iam-audit's own XMP properties. */
export const IAM_AUDIT_XMP_NAMESPACE = 'https://github.com/iam-audit/iam-audit/ns/xmp/1.0/';

/** The document-information key of the snapshot's SHA-256 (evidence/pdf-evidence.ts writes it). */
const INFO_SNAPSHOT_SHA256 = 'IamAuditSnapshotSha256';

function text(value: PDFObject | undefined): string | null {
  return value instanceof PDFString || value instanceof PDFHexString ? value.decodeText() : null;
}

/** A PDF date (D:YYYYMMDDHHmmSS with a zone) as an XMP date (ISO 8601), or null. */
function xmpDate(value: PDFObject | undefined): string | null {
  if (!(value instanceof PDFString || value instanceof PDFHexString)) return null;
  try {
    const date = value instanceof PDFString ? value.decodeDate() : PDFString.of(value.decodeText()).decodeDate();
    return date.toISOString().replace(/\.000Z$/, 'Z');
  } catch {
    return null;
  }
}

const escapeXml = (value: string): string =>
  value.replace(/[&<>"]/g, (character) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[character] ?? character).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

/** The XMP packet for the given document information (null values are left out). */
export function xmpPacket(info: {
  readonly title: string | null;
  readonly subject: string | null;
  readonly author: string | null;
  readonly keywords: string | null;
  readonly creator: string | null;
  readonly producer: string | null;
  readonly created: string | null;
  readonly modified: string | null;
  readonly snapshotSha256: string | null;
}): string {
  const element = (tag: string, value: string | null): string => (value === null ? '' : `   <${tag}>${escapeXml(value)}</${tag}>\n`);
  const alternative = (tag: string, value: string | null): string =>
    value === null ? '' : `   <${tag}><rdf:Alt><rdf:li xml:lang="x-default">${escapeXml(value)}</rdf:li></rdf:Alt></${tag}>\n`;
  const sequence = (tag: string, value: string | null): string => (value === null ? '' : `   <${tag}><rdf:Seq><rdf:li>${escapeXml(value)}</rdf:li></rdf:Seq></${tag}>\n`);
  return (
    '<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>\n' +
    '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n' +
    ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n' +
    '  <rdf:Description rdf:about=""\n' +
    '    xmlns:dc="http://purl.org/dc/elements/1.1/"\n' +
    '    xmlns:xmp="http://ns.adobe.com/xap/1.0/"\n' +
    '    xmlns:pdf="http://ns.adobe.com/pdf/1.3/"\n' +
    `    xmlns:iamaudit="${IAM_AUDIT_XMP_NAMESPACE}">\n` +
    '   <dc:format>application/pdf</dc:format>\n' +
    alternative('dc:title', info.title) +
    alternative('dc:description', info.subject) +
    sequence('dc:creator', info.author) +
    element('pdf:Keywords', info.keywords) +
    element('pdf:Producer', info.producer) +
    element('xmp:CreatorTool', info.creator) +
    element('xmp:CreateDate', info.created) +
    element('xmp:ModifyDate', info.modified) +
    element('xmp:MetadataDate', info.modified) +
    element('iamaudit:SnapshotSHA256', info.snapshotSha256) +
    '  </rdf:Description>\n' +
    ' </rdf:RDF>\n' +
    '</x:xmpmeta>\n' +
    // Room to edit the packet in place, as XMP writers leave.
    `${' '.repeat(99)}\n`.repeat(20) +
    '<?xpacket end="w"?>'
  );
}

/** Writes (or replaces) the catalog's /Metadata stream from the document's information dictionary. */
export function writeXmpMetadata(document: PDFDocument): void {
  const context = document.context;
  const info = context.lookupMaybe(context.trailerInfo.Info, PDFDict);
  const get = (key: string): PDFObject | undefined => info?.get(PDFName.of(key));
  const packet = xmpPacket({
    title: text(get('Title')),
    subject: text(get('Subject')),
    author: text(get('Author')),
    keywords: text(get('Keywords')),
    creator: text(get('Creator')),
    producer: text(get('Producer')),
    created: xmpDate(get('CreationDate')),
    modified: xmpDate(get('ModDate')),
    snapshotSha256: text(get(INFO_SNAPSHOT_SHA256)),
  });
  // Uncompressed, as PDF/A asks, so any tool can read it.
  const stream = context.stream(Buffer.from(packet, 'utf8'), { Type: 'Metadata', Subtype: 'XML' });
  const existing = document.catalog.get(PDFName.of('Metadata'));
  if (existing instanceof PDFRef) {
    context.assign(existing, stream);
    return;
  }
  document.catalog.set(PDFName.of('Metadata'), context.register(stream));
}
