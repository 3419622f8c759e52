/**
 * Where the cover's printed "Digitally signed" box is, handed from the PDF printer (render/pdf.ts)
 * to the signer (evidence/signature-widget.ts), which puts the clickable signature widget there.
 *
 * The named destination, in the document's /Dests, holds the box as [page /FitR left bottom right
 * top] in the page's default user space (points, origin bottom left). A module of its own so the
 * signer (and `extend`) need not load the printer.
 */
export const SIGNATURE_BOX_DESTINATION = 'iam-audit-signature-box';
