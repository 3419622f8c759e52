/**
 * pdf-lib and fontkit, loaded with `require` rather than `import` (issue 26). Both are CommonJS
 * packages: imported as ES modules, Node first runs its CommonJS lexer over pdf-lib's index and
 * every file it re-exports (some 200) and over fontkit's 1.5 MB bundle, to find the names they
 * export; that was a quarter of a second of every PDF run's critical path before the first print.
 * `require` hands over the same module objects (one instance: a test importing pdf-lib gets these
 * classes) without reading the sources twice.
 *
 * Every module of the project that uses pdf-lib at run time takes it from here: one `import
 * 'pdf-lib'` anywhere in a run would bring the lexer's cost back. Each name is exported as a value
 * and, for the classes and enums, as the type of the same name, so callers read as they did.
 */
import { createRequire } from 'node:module';

type PdfLib = typeof import('pdf-lib');
type Fontkit = typeof import('@pdf-lib/fontkit');

const require = createRequire(import.meta.url);
const pdfLib = require('pdf-lib') as PdfLib;

let loadedFontkit: Fontkit | undefined;

/**
 * fontkit, for PDFDocument.registerFontkit (the embedded faces), loaded on first use: its start-up
 * (it inflates its Unicode tables, a fifth of a second) then runs while Chromium prints the cover
 * (render/pdf.ts), not before the cover is sent.
 */
export function loadFontkit(): Fontkit {
  loadedFontkit ??= require('@pdf-lib/fontkit') as Fontkit;
  return loadedFontkit;
}

export const AFRelationship = pdfLib.AFRelationship;
export type AFRelationship = import('pdf-lib').AFRelationship;
export const ParseSpeeds = pdfLib.ParseSpeeds;
export type ParseSpeeds = import('pdf-lib').ParseSpeeds;
export const PDFOperatorNames = pdfLib.PDFOperatorNames;
export type PDFOperatorNames = import('pdf-lib').PDFOperatorNames;
export const StandardFonts = pdfLib.StandardFonts;
export type StandardFonts = import('pdf-lib').StandardFonts;

export const PDFArray = pdfLib.PDFArray;
export type PDFArray = import('pdf-lib').PDFArray;
export const PDFDict = pdfLib.PDFDict;
export type PDFDict = import('pdf-lib').PDFDict;
export const PDFContentStream = pdfLib.PDFContentStream;
export type PDFContentStream = import('pdf-lib').PDFContentStream;
export const PDFDocument = pdfLib.PDFDocument;
export type PDFDocument = import('pdf-lib').PDFDocument;
export const PDFHexString = pdfLib.PDFHexString;
export type PDFHexString = import('pdf-lib').PDFHexString;
export const PDFInvalidObject = pdfLib.PDFInvalidObject;
export type PDFInvalidObject = import('pdf-lib').PDFInvalidObject;
export const PDFName = pdfLib.PDFName;
export type PDFName = import('pdf-lib').PDFName;
export const PDFNumber = pdfLib.PDFNumber;
export type PDFNumber = import('pdf-lib').PDFNumber;
export const PDFObjectCopier = pdfLib.PDFObjectCopier;
export type PDFObjectCopier = import('pdf-lib').PDFObjectCopier;
export const PDFOperator = pdfLib.PDFOperator;
export type PDFOperator = import('pdf-lib').PDFOperator;
export const PDFPage = pdfLib.PDFPage;
export type PDFPage = import('pdf-lib').PDFPage;
export const PDFPageLeaf = pdfLib.PDFPageLeaf;
export type PDFPageLeaf = import('pdf-lib').PDFPageLeaf;
export const PDFRawStream = pdfLib.PDFRawStream;
export type PDFRawStream = import('pdf-lib').PDFRawStream;
export const PDFRef = pdfLib.PDFRef;
export type PDFRef = import('pdf-lib').PDFRef;
export const PDFString = pdfLib.PDFString;
export type PDFString = import('pdf-lib').PDFString;
export type PDFFont = import('pdf-lib').PDFFont;
export type PDFObject = import('pdf-lib').PDFObject;

export const { decodePDFRawStream, rgb } = pdfLib;
// The operators the signature's appearance is drawn with (evidence/signature-widget.ts).
export const { beginText, endText, fill, moveText, popGraphicsState, pushGraphicsState, rectangle, setFillingRgbColor, setFontAndSize, setLineWidth, setStrokingRgbColor, showText, stroke } = pdfLib;
