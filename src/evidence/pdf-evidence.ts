import { deflateSync } from 'node:zlib';
import { AFRelationship, decodePDFRawStream, PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFRawStream, PDFString, ParseSpeeds } from '../render/pdf-library.js';
import { writeXmpMetadata } from '../render/pdf-xmp.js';
import { sha256Hex } from '../util/files.js';

/**
 * The evidence a report PDF carries inside itself: the exact snapshot bytes it was made from,
 * the configuration and exceptions used, and the report's findings as JSON, each as a PDF
 * attachment (associated file, PDF/A-3 style), and the snapshot's SHA-256 in the document
 * information. All of it is added before signing, so the signature covers it.
 */

/** Document-information keys iam-audit writes (custom keys are allowed by ISO 32000 14.3.3). */
export const INFO_SNAPSHOT_SHA256 = 'IamAuditSnapshotSha256';
export const INFO_SNAPSHOT_FILE = 'IamAuditSnapshotFile';
export const INFO_FINDINGS_FILE = 'IamAuditFindingsFile';
export const KEYWORD_PREFIX = 'snapshot-sha256:';

export type AttachmentRelationship = 'Source' | 'Data' | 'Supplement';

export interface EvidenceMetadata {
  /** Stamp for the attachments' dates and the document's modification date: the run clock. */
  readonly createdAt: Date;
  readonly toolName: string;
  readonly toolVersion: string;
}

export interface PdfEvidenceInput {
  readonly snapshotBytes: Uint8Array;
  readonly snapshotFileName: string;
  /** The snapshot's SHA-256 as the report states it; checked against the bytes, never trusted blindly. */
  readonly snapshotSha256: string;
  /** The attachment's description when the source is not an account snapshot (an organisation index). */
  readonly snapshotDescription?: string;
  readonly configBytes?: Uint8Array;
  readonly configFileName?: string;
  readonly exceptionsBytes?: Uint8Array;
  readonly exceptionsFileName?: string;
  /** Further input files (owners mapping, management responses), embedded as sources. */
  readonly otherSources?: readonly { readonly fileName: string; readonly bytes: Uint8Array; readonly description: string }[];
  /** The report's JSON (render/json.ts), what `verify --reproduce` compares a re-run against. */
  readonly findingsJsonBytes?: Uint8Array;
  readonly findingsFileName?: string;
  /**
   * More of the report's data, attached as `Data` after the findings JSON: the findings CSV and
   * the MFA CSV, so the printed report's shortened listings have their full rows inside the PDF.
   */
  readonly dataFiles?: readonly { readonly fileName: string; readonly bytes: Uint8Array; readonly description: string }[];
  readonly metadata: EvidenceMetadata;
}

interface Attachment {
  readonly fileName: string;
  readonly bytes: Uint8Array;
  readonly mimeType: string;
  readonly description: string;
  readonly relationship: AttachmentRelationship;
}

function mimeTypeFor(fileName: string): string {
  if (/\.json$/i.test(fileName)) return 'application/json';
  if (/\.ya?ml$/i.test(fileName)) return 'application/yaml';
  if (/\.csv$/i.test(fileName)) return 'text/csv';
  return 'application/octet-stream';
}

function infoDictionary(document: PDFDocument): PDFDict {
  const existing = document.context.lookupMaybe(document.context.trailerInfo.Info, PDFDict);
  if (existing !== undefined) return existing;
  const created = document.context.obj({});
  document.context.trailerInfo.Info = document.context.register(created);
  return created;
}

/**
 * pdf-lib deflates attached files with pako, zlib ported to JavaScript: at 10,000 users the
 * attached snapshot, JSON and CSVs (about 50 MB) took 1.5 s of a PDF run. Node's own zlib writes
 * the same format (FlateDecode) natively, several times faster. Only this document's context is
 * changed, and only the call pdf-lib makes for embedded files and other flate streams it builds.
 */
function compressWithNodeZlib(document: PDFDocument): void {
  const context = document.context;
  context.flateStream = (contents, dictionary = {}) => context.stream(deflateSync(typeof contents === 'string' ? Buffer.from(contents, 'latin1') : contents), { ...dictionary, Filter: 'FlateDecode' });
}

/**
 * Adds the evidence to a rendered PDF and returns the new bytes (unsigned: `signPdf` comes next
 * and last). Deterministic for the same input and `metadata.createdAt`.
 */
export async function finalisePdfEvidence(pdfBytes: Uint8Array, input: PdfEvidenceInput): Promise<Uint8Array> {
  // updateMetadata false: pdf-lib would otherwise stamp the wall clock into the file. parseSpeed
  // Fastest (and objectsPerTick in the save): parsed and written in one go, not with a timer's wait every 50-100 objects.
  const document = await PDFDocument.load(pdfBytes, { updateMetadata: false, parseSpeed: ParseSpeeds.Fastest });
  await addPdfEvidence(document, input);
  return document.save(PDF_EVIDENCE_SAVE_OPTIONS);
}

/**
 * How a PDF with its evidence is saved: without object streams, so that a signature appended as an
 * incremental update (pdf-incremental.ts, a classic cross-reference section) extends a file of the same kind.
 */
export const PDF_EVIDENCE_SAVE_OPTIONS = { useObjectStreams: false, objectsPerTick: Number.POSITIVE_INFINITY } as const;

/**
 * Adds the evidence to a PDF document still being made (the report's renderer calls it before its
 * one save, rather than saving, loading every object again and saving once more here).
 */
export async function addPdfEvidence(document: PDFDocument, input: PdfEvidenceInput): Promise<void> {
  const actualSha256 = sha256Hex(input.snapshotBytes);
  if (actualSha256 !== input.snapshotSha256) {
    throw new Error(`internal error: snapshot bytes hash to ${actualSha256}, not the ${input.snapshotSha256} the report states`);
  }
  const attachments: Attachment[] = [
    {
      fileName: input.snapshotFileName,
      bytes: input.snapshotBytes,
      mimeType: mimeTypeFor(input.snapshotFileName),
      description: input.snapshotDescription ?? `iam-audit snapshot the report was made from (SHA-256 ${actualSha256})`,
      relationship: 'Source',
    },
  ];
  if (input.configBytes !== undefined) {
    const fileName = input.configFileName ?? 'iam-audit-config.yaml';
    attachments.push({ fileName, bytes: input.configBytes, mimeType: mimeTypeFor(fileName), description: 'configuration used for the analysis', relationship: 'Source' });
  }
  if (input.exceptionsBytes !== undefined) {
    const fileName = input.exceptionsFileName ?? 'iam-audit-exceptions.yaml';
    attachments.push({ fileName, bytes: input.exceptionsBytes, mimeType: mimeTypeFor(fileName), description: 'exceptions (accepted risks) applied', relationship: 'Source' });
  }
  for (const source of input.otherSources ?? []) {
    attachments.push({ fileName: source.fileName, bytes: source.bytes, mimeType: mimeTypeFor(source.fileName), description: source.description, relationship: 'Source' });
  }
  if (input.findingsJsonBytes !== undefined) {
    const fileName = input.findingsFileName ?? 'iam-audit-findings.json';
    attachments.push({ fileName, bytes: input.findingsJsonBytes, mimeType: 'application/json', description: 'the findings of this report as JSON', relationship: 'Data' });
  }
  for (const file of input.dataFiles ?? []) {
    attachments.push({ fileName: file.fileName, bytes: file.bytes, mimeType: mimeTypeFor(file.fileName), description: file.description, relationship: 'Data' });
  }
  const names = attachments.map((attachment) => attachment.fileName);
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate !== undefined) throw new Error(`internal error: two attachments named ${duplicate}`);

  compressWithNodeZlib(document);
  for (const attachment of attachments) {
    await document.attach(attachment.bytes, attachment.fileName, {
      mimeType: attachment.mimeType,
      description: attachment.description,
      creationDate: input.metadata.createdAt,
      modificationDate: input.metadata.createdAt,
      afRelationship: AFRelationship[attachment.relationship],
    });
  }
  const existingKeywords = document.getKeywords();
  const keyword = `${KEYWORD_PREFIX}${actualSha256}`;
  document.setKeywords([...(existingKeywords === undefined || existingKeywords === '' ? [] : [existingKeywords]), keyword]);
  document.setModificationDate(input.metadata.createdAt);
  if (document.getCreator() === undefined) document.setCreator(`${input.metadata.toolName} ${input.metadata.toolVersion}`);
  const info = infoDictionary(document);
  info.set(PDFName.of(INFO_SNAPSHOT_SHA256), PDFString.of(actualSha256));
  info.set(PDFName.of(INFO_SNAPSHOT_FILE), PDFHexString.fromText(input.snapshotFileName));
  if (input.findingsJsonBytes !== undefined) info.set(PDFName.of(INFO_FINDINGS_FILE), PDFHexString.fromText(input.findingsFileName ?? 'iam-audit-findings.json'));
  // The XMP again, now with the keywords, the modification date and the snapshot's SHA-256 (issue 25).
  writeXmpMetadata(document);
}

// ---------------------------------------------------------------- reading back

export interface EmbeddedFile {
  readonly fileName: string;
  readonly relationship: string | null;
  readonly bytes: Buffer;
}

export interface SignatureDictionary {
  readonly signerName: string | null;
  readonly reason: string | null;
  readonly location: string | null;
  readonly signingTime: Date | null;
  readonly subFilter: string | null;
}

export interface PdfEvidence {
  readonly attachments: readonly EmbeddedFile[];
  readonly signatures: readonly SignatureDictionary[];
  readonly info: {
    readonly snapshotSha256: string | null;
    readonly snapshotFileName: string | null;
    readonly findingsFileName: string | null;
    readonly keywords: string | null;
  };
}

function textOf(dictionary: PDFDict, key: string): string | null {
  const value = dictionary.lookup(PDFName.of(key));
  if (value instanceof PDFString || value instanceof PDFHexString) return value.decodeText();
  return null;
}

/** Reads the attachments and iam-audit's document information back out of a PDF. */
export async function readPdfEvidence(pdfBytes: Uint8Array): Promise<PdfEvidence> {
  const document = await PDFDocument.load(pdfBytes, { updateMetadata: false, ignoreEncryption: true });
  const attachments: EmbeddedFile[] = [];
  const namesTree = document.catalog.lookupMaybe(PDFName.of('Names'), PDFDict)?.lookupMaybe(PDFName.of('EmbeddedFiles'), PDFDict);
  const pending: PDFDict[] = namesTree === undefined ? [] : [namesTree];
  while (pending.length > 0) {
    const node = pending.pop() as PDFDict;
    const kids = node.lookupMaybe(PDFName.of('Kids'), PDFArray);
    if (kids !== undefined) for (let index = 0; index < kids.size(); index += 1) pending.push(kids.lookup(index, PDFDict));
    const pairs = node.lookupMaybe(PDFName.of('Names'), PDFArray);
    if (pairs === undefined) continue;
    for (let index = 0; index + 1 < pairs.size(); index += 2) {
      const fileSpec = pairs.lookup(index + 1, PDFDict);
      const fileName = textOf(fileSpec, 'UF') ?? textOf(fileSpec, 'F') ?? `attachment-${index / 2 + 1}`;
      const stream = fileSpec.lookupMaybe(PDFName.of('EF'), PDFDict)?.lookup(PDFName.of('F'));
      if (!(stream instanceof PDFRawStream)) continue;
      const relationship = fileSpec.lookupMaybe(PDFName.of('AFRelationship'), PDFName)?.asString().slice(1) ?? null;
      attachments.push({ fileName, relationship, bytes: Buffer.from(decodePDFRawStream(stream).decode()) });
    }
  }
  const signatures: SignatureDictionary[] = [];
  const fields = document.catalog.lookupMaybe(PDFName.of('AcroForm'), PDFDict)?.lookupMaybe(PDFName.of('Fields'), PDFArray);
  const fieldQueue: PDFDict[] = [];
  if (fields !== undefined) for (let index = 0; index < fields.size(); index += 1) fieldQueue.push(fields.lookup(index, PDFDict));
  while (fieldQueue.length > 0) {
    const field = fieldQueue.shift() as PDFDict;
    const kids = field.lookupMaybe(PDFName.of('Kids'), PDFArray);
    if (kids !== undefined) for (let index = 0; index < kids.size(); index += 1) fieldQueue.push(kids.lookup(index, PDFDict));
    const value = field.lookup(PDFName.of('V'));
    if (!(value instanceof PDFDict) || field.lookupMaybe(PDFName.of('FT'), PDFName)?.asString() !== '/Sig') continue;
    const time = value.lookup(PDFName.of('M'));
    signatures.push({
      signerName: textOf(value, 'Name'),
      reason: textOf(value, 'Reason'),
      location: textOf(value, 'Location'),
      signingTime: time instanceof PDFString || time instanceof PDFHexString ? time.decodeDate() : null,
      subFilter: value.lookupMaybe(PDFName.of('SubFilter'), PDFName)?.asString().slice(1) ?? null,
    });
  }
  const info = document.context.lookupMaybe(document.context.trailerInfo.Info, PDFDict);
  return {
    attachments,
    signatures,
    info: {
      snapshotSha256: info === undefined ? null : textOf(info, INFO_SNAPSHOT_SHA256),
      snapshotFileName: info === undefined ? null : textOf(info, INFO_SNAPSHOT_FILE),
      findingsFileName: info === undefined ? null : textOf(info, INFO_FINDINGS_FILE),
      keywords: document.getKeywords() ?? null,
    },
  };
}
