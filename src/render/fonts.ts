/**
 * The report's own fonts: IBM Plex Sans and IBM Plex Mono, shipped by the @fontsource npm packages
 * (SIL Open Font License) and embedded in the HTML as base64 WOFF2 @font-face rules, so the HTML
 * and the PDF look the same on every machine, including one with no system fonts at all. The PDF
 * footer, stamped by pdf-lib after the merge, embeds the same face (WOFF, read by fontkit).
 *
 * Only the Latin and Latin Extended subsets are embedded (about 130 kB of base64 per printed piece);
 * a character outside them (a Cyrillic user name, say) falls back to whatever the machine has.
 */
import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The family names the stylesheet uses; the embedded faces are registered under these. */
export const SANS_FAMILY = 'IAM Audit Sans';
export const MONO_FAMILY = 'IAM Audit Mono';

const LATIN_RANGE = 'U+0000-00FF,U+0131,U+0152-0153,U+02BB-02BC,U+02C6,U+02DA,U+02DC,U+0304,U+0308,U+0329,U+2000-206F,U+20AC,U+2122,U+2191,U+2193,U+2212,U+2215,U+FEFF,U+FFFD';
const LATIN_EXT_RANGE = 'U+0100-02BA,U+02BD-02C5,U+02C7-02CC,U+02CE-02D7,U+02DD-02FF,U+0304,U+0308,U+0329,U+1D00-1DBF,U+1E00-1E9F,U+1EF2-1EFF,U+2020,U+20A0-20AB,U+20AD-20C0,U+2113,U+2C60-2C7F,U+A720-A7FF';

interface Face {
  readonly family: string;
  readonly packageName: string;
  readonly fileStem: string;
  readonly weight: 400 | 700;
}

const FACES: readonly Face[] = [
  { family: SANS_FAMILY, packageName: '@fontsource/ibm-plex-sans', fileStem: 'ibm-plex-sans', weight: 400 },
  { family: SANS_FAMILY, packageName: '@fontsource/ibm-plex-sans', fileStem: 'ibm-plex-sans', weight: 700 },
  { family: MONO_FAMILY, packageName: '@fontsource/ibm-plex-mono', fileStem: 'ibm-plex-mono', weight: 400 },
];

function fontFile(face: Pick<Face, 'packageName' | 'fileStem' | 'weight'>, subset: 'latin' | 'latin-ext', format: 'woff' | 'woff2'): Buffer {
  return readFileSync(require.resolve(`${face.packageName}/files/${face.fileStem}-${subset}-${face.weight}-normal.${format}`));
}

let cachedCss: string | undefined;

/**
 * The @font-face rules with the fonts inline. Built from files of this package only (never from
 * report data), so the layout may print it unescaped.
 */
export function embeddedFontCss(): string {
  cachedCss ??= FACES.flatMap((face) =>
    (['latin-ext', 'latin'] as const).map((subset) => {
      const data = fontFile(face, subset, 'woff2').toString('base64');
      const range = subset === 'latin' ? LATIN_RANGE : LATIN_EXT_RANGE;
      return `@font-face { font-family: "${face.family}"; font-style: normal; font-weight: ${face.weight}; font-display: block; src: url(data:font/woff2;base64,${data}) format("woff2"); unicode-range: ${range}; }`;
    }),
  ).join('\n');
  return cachedCss;
}

/** The regular sans face as an OpenType file, for pdf-lib (through fontkit) to embed in the footer. */
export function footerFontBytes(): Buffer {
  return sfntOf(fontFile({ packageName: '@fontsource/ibm-plex-sans', fileStem: 'ibm-plex-sans', weight: 400 }, 'latin', 'woff'));
}

/** The faces pdf-lib draws the identity matrix in (pdf-matrix.ts): the stylesheet's, Latin subset, as WOFF for fontkit. */
export function matrixFontBytes(face: 'bold' | 'mono'): Buffer {
  return sfntOf(
    face === 'bold'
      ? fontFile({ packageName: '@fontsource/ibm-plex-sans', fileStem: 'ibm-plex-sans', weight: 700 }, 'latin', 'woff')
      : fontFile({ packageName: '@fontsource/ibm-plex-mono', fileStem: 'ibm-plex-mono', weight: 400 }, 'latin', 'woff'),
  );
}

/**
 * A WOFF 1.0 file unpacked to the OpenType (sfnt) file it wraps: each table inflated by Node's
 * zlib once, here, rather than by fontkit's JavaScript inflater, which decompressed the tables
 * again in every PDF run (about a second for three faces on a busy machine).
 */
export function sfntOf(woff: Buffer): Buffer {
  if (woff.toString('latin1', 0, 4) !== 'wOFF') return woff;
  const numTables = woff.readUInt16BE(12);
  const tables = Array.from({ length: numTables }, (_, index) => {
    const entry = 44 + index * 20;
    const offset = woff.readUInt32BE(entry + 4);
    const compressed = woff.readUInt32BE(entry + 8);
    const length = woff.readUInt32BE(entry + 12);
    const stored = woff.subarray(offset, offset + compressed);
    return { tag: woff.subarray(entry, entry + 4), checksum: woff.readUInt32BE(entry + 16), data: compressed < length ? inflateSync(stored) : stored };
  });
  const entrySelector = Math.floor(Math.log2(numTables));
  const searchRange = 2 ** entrySelector * 16;
  const header = Buffer.alloc(12 + numTables * 16);
  header.writeUInt32BE(woff.readUInt32BE(4), 0);
  header.writeUInt16BE(numTables, 4);
  header.writeUInt16BE(searchRange, 6);
  header.writeUInt16BE(entrySelector, 8);
  header.writeUInt16BE(numTables * 16 - searchRange, 10);
  const parts: Buffer[] = [header];
  let offset = header.length;
  tables.forEach((table, index) => {
    const record = 12 + index * 16;
    table.tag.copy(header, record);
    header.writeUInt32BE(table.checksum, record + 4);
    header.writeUInt32BE(offset, record + 8);
    header.writeUInt32BE(table.data.length, record + 12);
    // Tables start on four-byte boundaries.
    const padded = Buffer.alloc(Math.ceil(table.data.length / 4) * 4);
    table.data.copy(padded);
    parts.push(padded);
    offset += padded.length;
  });
  return Buffer.concat(parts);
}
