import { InputError } from '../util/errors.js';
import { derElementLength } from './pki-asn1.js';

/**
 * Every signature of a PDF found by its bytes, as pdfsig does: /ByteRange, /Contents and
 * /SubFilter, in the order they appear (a later revision's signature comes later in the file).
 */
export interface SignatureLocation {
  readonly byteRange: readonly [number, number, number, number];
  /** The DER in /Contents, without the zero padding after it. */
  readonly contents: Buffer;
  /** ETSI.CAdES.detached, adbe.pkcs7.detached, ETSI.RFC3161 (a document timestamp), ... */
  readonly subFilter: string | null;
}

export function locateSignatures(pdf: Buffer, path: string): SignatureLocation[] {
  const text = pdf.toString('latin1');
  const locations: SignatureLocation[] = [];
  for (const match of text.matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)) {
    const byteRange = [Number(match[1]), Number(match[2]), Number(match[3]), Number(match[4])] as const;
    const [start, firstLength, secondStart, secondLength] = byteRange;
    if (secondStart + secondLength > pdf.length) {
      throw new InputError(path, null, `truncated: the signature covers bytes up to ${secondStart + secondLength} but the file has ${pdf.length}`);
    }
    const hex = text.slice(start + firstLength, secondStart);
    if (!/^<[0-9a-fA-F\s]*>$/.test(hex)) throw new InputError(path, null, 'damaged: the signature /Contents is not where its /ByteRange says');
    const blob = Buffer.from(hex.slice(1, -1).replace(/\s/g, ''), 'hex');
    const objectStart = text.lastIndexOf(' obj', match.index);
    const objectEnd = text.indexOf('endobj', match.index);
    const dictionary = text.slice(objectStart < 0 ? match.index : objectStart, objectEnd < 0 ? match.index : objectEnd).replace(hex, '');
    const subFilter = /\/SubFilter\s*\/([A-Za-z0-9.#_-]+)/.exec(dictionary)?.[1] ?? null;
    locations.push({ byteRange, contents: blob.subarray(0, Math.min(blob.length, derElementLength(blob))), subFilter });
  }
  return locations;
}

export function signedBytes(pdf: Buffer, range: SignatureLocation['byteRange']): Buffer {
  const [start, firstLength, secondStart, secondLength] = range;
  return Buffer.concat([pdf.subarray(start, start + firstLength), pdf.subarray(secondStart, secondStart + secondLength)]);
}

export function isDocumentTimestamp(location: SignatureLocation): boolean {
  return location.subFilter === 'ETSI.RFC3161';
}
