import { pdflibAddPlaceholder } from '@signpdf/placeholder-pdf-lib';
import { SignPdf } from '@signpdf/signpdf';
import { Signer, SUBFILTER_ETSI_CADES_DETACHED } from '@signpdf/utils';
import { ParseSpeeds, PDFDocument } from '../render/pdf-library.js';
import { createDetachedCms } from './cms.js';
import { raiseToLevel, type PadesLevel } from './pades.js';
import { digest, type HashName } from './pki-asn1.js';
import { NO_REVOCATION_SOURCES, type RevocationSources } from './revocation.js';
import type { EvidenceSigner } from './signer.js';
import { placeSignatureWidget, takeSignatureBox } from './signature-widget.js';

export interface PdfSignatureOptions {
  /** The signature's time (/M): the run clock, so SOURCE_DATE_EPOCH gives reproducible files. */
  readonly signingTime: Date;
  readonly reason: string;
  readonly location: string;
  /** Shown as the signer (/Name); defaults to the certificate's common name. */
  readonly signerName?: string;
  readonly contactInfo?: string;
  /** RFC 3161 timestamp authority for a signature timestamp (PAdES B-T) and the document timestamp (B-LTA). */
  readonly timestampUrl?: string;
  /** PAdES level: b-t with a timestamp authority, b-b without, by default. */
  readonly level?: PadesLevel;
  /** The digest algorithm: SHA-256 by default. */
  readonly hash?: HashName;
  /** Where B-LT's revocation data comes from: the certificates' own addresses, or files given. */
  readonly revocation?: RevocationSources;
}

/** Room reserved for the CMS blob: certificate chain plus a timestamp token fit with margin. */
const SIGNATURE_RESERVED_BYTES = 16_384;

/** @signpdf's hook: turns the bytes outside /Contents into our CMS (PAdES: no signingTime attribute). */
class CadesSigner extends Signer {
  constructor(
    private readonly signer: EvidenceSigner,
    private readonly timestampUrl: string | undefined,
    private readonly hash: HashName,
  ) {
    super();
  }

  override async sign(signedBytes: Buffer): Promise<Buffer> {
    return createDetachedCms(digest(this.hash, signedBytes), this.signer, { hash: this.hash, ...(this.timestampUrl === undefined ? {} : { timestampUrl: this.timestampUrl }) });
  }
}

export function defaultLevel(timestampUrl: string | undefined): PadesLevel {
  return timestampUrl === undefined ? 'b-b' : 'b-t';
}

/**
 * Signs a PDF: one approval signature (SubFilter ETSI.CAdES.detached, PAdES B-B, or B-T with a
 * timestamp) whose ByteRange covers the whole file, its widget over the cover's printed
 * "Digitally signed" box; then for B-LT the DSS and for B-LTA a document timestamp, each an
 * incremental update. The last step: nothing may change the bytes after it.
 */
export async function signPdf(pdfBytes: Uint8Array, signer: EvidenceSigner, options: PdfSignatureOptions): Promise<Buffer> {
  const level = options.level ?? defaultLevel(options.timestampUrl);
  const hash = options.hash ?? 'sha256';
  if (level !== 'b-b' && options.timestampUrl === undefined) throw new Error(`PAdES ${level.toUpperCase()} needs a timestamp authority (--tsa-url)`);
  // Parsed and saved in one go: pdf-lib otherwise waits for a timer every 50-100 objects (seconds for a large report).
  const document = await PDFDocument.load(pdfBytes, { updateMetadata: false, parseSpeed: ParseSpeeds.Fastest });
  const box = takeSignatureBox(document);
  pdflibAddPlaceholder({
    pdfDoc: document,
    ...(box === null ? {} : { pdfPage: box.page, widgetRect: box.rect }),
    reason: options.reason,
    location: options.location,
    name: options.signerName ?? signer.commonName,
    contactInfo: options.contactInfo ?? '',
    signingTime: options.signingTime,
    signatureLength: SIGNATURE_RESERVED_BYTES,
    subFilter: SUBFILTER_ETSI_CADES_DETACHED,
    appName: 'iam-audit',
  });
  if (box !== null) await placeSignatureWidget(document, box, signer, options.signerName ?? signer.commonName, options.signingTime, { reason: options.reason, location: options.location });
  const prepared = await document.save({ useObjectStreams: false, objectsPerTick: Number.POSITIVE_INFINITY });
  const signed = await new SignPdf().sign(Buffer.from(prepared), new CadesSigner(signer, level === 'b-b' ? undefined : options.timestampUrl, hash));
  return raiseToLevel(signed, level, {
    hash,
    ...(options.timestampUrl === undefined ? {} : { timestampUrl: options.timestampUrl }),
    sources: options.revocation ?? NO_REVOCATION_SOURCES,
    at: options.signingTime,
    extraCertificates: signer.chain,
  });
}
