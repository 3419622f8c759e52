import { createHash } from 'node:crypto';
import { pdflibAddPlaceholder } from '@signpdf/placeholder-pdf-lib';
import { SignPdf } from '@signpdf/signpdf';
import { Signer, SUBFILTER_ETSI_CADES_DETACHED } from '@signpdf/utils';
import { PDFDocument } from 'pdf-lib';
import { createDetachedCms } from './cms.js';
import type { EvidenceSigner } from './signer.js';

export interface PdfSignatureOptions {
  /** The signature's time (/M): the run clock, so SOURCE_DATE_EPOCH gives reproducible files. */
  readonly signingTime: Date;
  readonly reason: string;
  readonly location: string;
  /** Shown as the signer (/Name); defaults to the certificate's common name. */
  readonly signerName?: string;
  readonly contactInfo?: string;
  /** RFC 3161 timestamp authority for a signature timestamp (PAdES B-T). */
  readonly timestampUrl?: string;
}

/** Room reserved for the CMS blob: certificate chain plus a timestamp token fit with margin. */
const SIGNATURE_RESERVED_BYTES = 16_384;

/** @signpdf's hook: turns the bytes outside /Contents into our CMS (PAdES: no signingTime attribute). */
class CadesSigner extends Signer {
  constructor(
    private readonly signer: EvidenceSigner,
    private readonly timestampUrl: string | undefined,
  ) {
    super();
  }

  override async sign(signedBytes: Buffer): Promise<Buffer> {
    const digest = createHash('sha256').update(signedBytes).digest();
    return createDetachedCms(digest, this.signer, this.timestampUrl === undefined ? {} : { timestampUrl: this.timestampUrl });
  }
}

/**
 * Signs a PDF: one approval signature (SubFilter ETSI.CAdES.detached, SHA-256, PAdES B-B, or
 * B-T with a timestamp) whose ByteRange covers the whole file. The last step: nothing may change
 * the bytes after it.
 */
export async function signPdf(pdfBytes: Uint8Array, signer: EvidenceSigner, options: PdfSignatureOptions): Promise<Buffer> {
  const document = await PDFDocument.load(pdfBytes, { updateMetadata: false });
  pdflibAddPlaceholder({
    pdfDoc: document,
    reason: options.reason,
    location: options.location,
    name: options.signerName ?? signer.commonName,
    contactInfo: options.contactInfo ?? '',
    signingTime: options.signingTime,
    signatureLength: SIGNATURE_RESERVED_BYTES,
    subFilter: SUBFILTER_ETSI_CADES_DETACHED,
    appName: 'iam-audit',
  });
  const prepared = await document.save({ useObjectStreams: false });
  return new SignPdf().sign(Buffer.from(prepared), new CadesSigner(signer, options.timestampUrl));
}
