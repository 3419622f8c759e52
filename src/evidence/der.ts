import forge from 'node-forge';

/**
 * Small helpers over node-forge's ASN.1 codec, which works on "binary strings" (one char per
 * byte); everything else in iam-audit speaks Buffer, so the conversion lives here only.
 */
export const asn1 = forge.asn1;
export type Asn1 = forge.asn1.Asn1;

export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  timeStampToken: '1.2.840.113549.1.9.16.2.14',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  sha1: '1.3.14.3.2.26',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  sha384WithRsa: '1.2.840.113549.1.1.12',
  sha512WithRsa: '1.2.840.113549.1.1.13',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
} as const;

/** Node's hash name for a digest algorithm OID, or null when we do not accept it. */
export function hashNameForOid(oid: string): 'sha256' | 'sha384' | 'sha512' | 'sha1' | null {
  if (oid === OID.sha256) return 'sha256';
  if (oid === OID.sha384) return 'sha384';
  if (oid === OID.sha512) return 'sha512';
  if (oid === OID.sha1) return 'sha1';
  return null;
}

export function toBinary(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('binary');
}

export function fromBinary(binary: string): Buffer {
  return Buffer.from(binary, 'binary');
}

export function parseDer(bytes: Uint8Array): Asn1 {
  // strict parsing, and keep BIT STRINGs opaque: we re-encode nothing we did not build.
  const fromDer = asn1.fromDer as unknown as (bytes: forge.util.ByteStringBuffer, options: { strict: boolean; decodeBitStrings: boolean }) => Asn1;
  return fromDer(forge.util.createBuffer(toBinary(bytes)), { strict: true, decodeBitStrings: false });
}

export function encodeDer(node: Asn1): Buffer {
  return fromBinary(asn1.toDer(node).getBytes());
}

export function sequence(children: Asn1[]): Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, children);
}

/** A DER SET OF: members sorted by their encodings, as DER requires (signatures depend on it). */
export function derSet(children: Asn1[]): Asn1 {
  const sorted = [...children].sort((left, right) => Buffer.compare(encodeDer(left), encodeDer(right)));
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, sorted);
}

export function oid(value: string): Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(value).getBytes());
}

export function octetString(bytes: Uint8Array): Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, toBinary(bytes));
}

export function integer(value: number): Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(value).getBytes());
}

/** A positive INTEGER from raw big-endian bytes (nonces, serial numbers). */
export function integerFromBytes(bytes: Uint8Array): Asn1 {
  const body = (bytes[0] ?? 0) >= 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : Buffer.from(bytes);
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, toBinary(body));
}

export function explicit(tag: number, child: Asn1): Asn1 {
  return asn1.create(asn1.Class.CONTEXT_SPECIFIC, tag, true, [child]);
}

/** [tag] IMPLICIT SET OF ...: same members as a SET, context tag instead. */
export function implicitSet(tag: number, children: Asn1[]): Asn1 {
  const set = derSet(children);
  return asn1.create(asn1.Class.CONTEXT_SPECIFIC, tag, true, set.value as Asn1[]);
}

export function algorithmIdentifier(algorithm: string, withNullParameters: boolean): Asn1 {
  const children = [oid(algorithm)];
  if (withNullParameters) children.push(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ''));
  return sequence(children);
}

export function attribute(type: string, values: Asn1[]): Asn1 {
  return sequence([oid(type), derSet(values)]);
}

export function utcOrGeneralizedTime(date: Date): Asn1 {
  const year = date.getUTCFullYear();
  if (year >= 1950 && year < 2050) return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTCTIME, false, asn1.dateToUtcTime(date));
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(date));
}

// ---- reading ----

export function children(node: Asn1): Asn1[] {
  return Array.isArray(node.value) ? node.value : [];
}

export function childAt(node: Asn1, index: number, what: string): Asn1 {
  const child = children(node)[index];
  if (child === undefined) throw new Error(`malformed ASN.1: ${what} missing`);
  return child;
}

export function readOid(node: Asn1, what: string): string {
  if (node.tagClass !== asn1.Class.UNIVERSAL || node.type !== asn1.Type.OID || typeof node.value !== 'string') {
    throw new Error(`malformed ASN.1: ${what} is not an object identifier`);
  }
  return asn1.derToOid(forge.util.createBuffer(node.value));
}

export function readBytes(node: Asn1, what: string): Buffer {
  if (typeof node.value === 'string') return fromBinary(node.value);
  // A constructed OCTET STRING (BER): concatenate its pieces.
  if (Array.isArray(node.value)) return Buffer.concat(node.value.map((child) => readBytes(child, what)));
  throw new Error(`malformed ASN.1: ${what} has no bytes`);
}

export function readTime(node: Asn1, what: string): Date {
  if (typeof node.value !== 'string') throw new Error(`malformed ASN.1: ${what} is not a time`);
  if (node.type === asn1.Type.UTCTIME) return asn1.utcTimeToDate(node.value);
  if (node.type === asn1.Type.GENERALIZEDTIME) return asn1.generalizedTimeToDate(node.value);
  throw new Error(`malformed ASN.1: ${what} is not a time`);
}
