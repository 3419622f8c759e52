import { createHash, sign as cryptoSign, verify as cryptoVerify, X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Attribute, ContentInfo, type EncapsulatedContent, SignedData } from '@peculiar/asn1-cms';
import { TSTInfo } from '@peculiar/asn1-tsp';
import {
  DER,
  derChildren,
  digest,
  digestOid,
  hashNameForOid,
  hashOfSignatureAlgorithm,
  OID,
  signatureAlgorithmOid,
  toBuffer,
  type HashName,
} from './pki-asn1.js';
import type { EvidenceSigner } from './signer.js';
import { requestTimestamp } from './tsa.js';

/**
 * CMS SignedData (RFC 5652), detached: what goes into a PDF signature's /Contents and into the
 * manifest's .p7s. Written with the @peculiar/asn1 schemas (the codec of pkijs and @peculiar/x509)
 * and node's crypto for the signature itself, RSA or ECDSA with SHA-256/384/512; read back the same way.
 */

/** Revocation data of a chain: full OCSP responses (OCSPResponse DER) and CRLs (DER). */
export interface RevocationData {
  readonly ocspResponses: readonly Buffer[];
  readonly crls: readonly Buffer[];
}

export interface CmsOptions {
  /** Adds the signingTime attribute. PAdES forbids it (the time is the PDF's /M); plain CMS wants it. */
  readonly signingTime?: Date;
  /** RFC 3161 timestamp authority; its token over the signature value goes in as an unsigned attribute. */
  readonly timestampUrl?: string;
  /** The digest algorithm; `contentDigest` must be made with it. SHA-256 by default. */
  readonly hash?: HashName;
  /**
   * CAdES revocation values (and the certificates they speak about), as unsigned attributes;
   * called with the signature timestamp's token, whose authority's chain needs them too.
   */
  readonly revocation?: (timestampToken: Buffer | null) => Promise<RevocationData & { readonly certificates: readonly X509Certificate[] }>;
}

function algorithmIdentifier(oid: string, nullParameters: boolean): Buffer {
  return DER.sequence([Buffer.from(new asn1js.ObjectIdentifier({ value: oid }).toBER()), ...(nullParameters ? [Buffer.from([0x05, 0x00])] : [])]);
}

function attribute(type: string, values: readonly Uint8Array[]): Buffer {
  return DER.sequence([Buffer.from(new asn1js.ObjectIdentifier({ value: type }).toBER()), DER.set(values)]);
}

function timeValue(date: Date): Buffer {
  const year = date.getUTCFullYear();
  const value = year >= 1950 && year < 2050 ? new asn1js.UTCTime({ valueDate: date }) : new asn1js.GeneralizedTime({ valueDate: date });
  return Buffer.from(value.toBER());
}

/** IssuerAndSerialNumber of a certificate: its issuer Name and serial INTEGER, as the certificate encodes them. */
function issuerAndSerial(certificate: X509Certificate): Buffer {
  const tbs = derChildren(derChildren(certificate.raw)[0] ?? Buffer.alloc(0));
  const offset = (tbs[0]?.[0] ?? 0) === 0xa0 ? 1 : 0; // [0] version is optional
  const serial = tbs[offset];
  const issuer = tbs[offset + 2];
  if (serial === undefined || issuer === undefined) throw new Error('unreadable certificate');
  return DER.sequence([issuer, serial]);
}

/** The BasicOCSPResponse inside an OCSPResponse (what CAdES revocation values hold). */
export function basicOcspResponse(ocspResponse: Uint8Array): Buffer {
  // OCSPResponse ::= SEQUENCE { status ENUMERATED, [0] EXPLICIT ResponseBytes { type, OCTET STRING } }
  const responseBytes = derChildren(ocspResponse)[1];
  const inner = responseBytes === undefined ? undefined : derChildren(responseBytes)[0];
  const octets = inner === undefined ? undefined : derChildren(inner)[1];
  if (octets === undefined) throw new Error('the OCSP response holds no response bytes');
  return Buffer.from(octets.subarray(octets.length - contentLengthOf(octets)));
}

function contentLengthOf(element: Buffer): number {
  const first = element[1] ?? 0;
  if (first < 0x80) return first;
  let length = 0;
  for (let index = 0; index < (first & 0x7f); index += 1) length = length * 256 + (element[2 + index] ?? 0);
  return length;
}

function revocationAttributes(revocation: RevocationData & { readonly certificates: readonly X509Certificate[] }): Buffer[] {
  const values: Buffer[] = [];
  if (revocation.crls.length > 0) values.push(DER.context(0, [DER.sequence(revocation.crls)]));
  if (revocation.ocspResponses.length > 0) values.push(DER.context(1, [DER.sequence(revocation.ocspResponses.map(basicOcspResponse))]));
  const attributes = [attribute(OID.revocationValues, [DER.sequence(values)])];
  if (revocation.certificates.length > 0) attributes.push(attribute(OID.certValues, [DER.sequence(revocation.certificates.map((certificate) => certificate.raw))]));
  return attributes;
}

/** Builds a detached CMS SignedData over content whose digest (options.hash, SHA-256 by default) is `contentDigest`. */
export async function createDetachedCms(contentDigest: Buffer, signer: EvidenceSigner, options: CmsOptions = {}): Promise<Buffer> {
  const hash = options.hash ?? 'sha256';
  const signedAttributes = [
    attribute(OID.contentType, [Buffer.from(new asn1js.ObjectIdentifier({ value: OID.data }).toBER())]),
    attribute(OID.messageDigest, [DER.octetString(contentDigest)]),
    // ESS signing-certificate-v2: binds the signer's certificate into what is signed (PAdES B-B).
    // The hash algorithm is omitted for SHA-256 (its DEFAULT) and written otherwise.
    attribute(OID.signingCertificateV2, [
      DER.sequence([DER.sequence([DER.sequence([...(hash === 'sha256' ? [] : [algorithmIdentifier(digestOid(hash), false)]), DER.octetString(digest(hash, signer.certificate.raw))])])]),
    ]),
  ];
  if (options.signingTime !== undefined) signedAttributes.push(attribute(OID.signingTime, [timeValue(options.signingTime)]));
  // The signature covers the attributes encoded as a SET (tag 0x31), not as the [0] they are stored under.
  const signedAttributesSet = DER.set(signedAttributes);
  const signatureValue = cryptoSign(hash, signedAttributesSet, signer.privateKey);
  const algorithm = signatureAlgorithmOid(signer.privateKey, hash);

  const unsigned: Buffer[] = [];
  let token: Buffer | null = null;
  if (options.timestampUrl !== undefined) {
    token = await requestTimestamp(options.timestampUrl, digest(hash, signatureValue), hash);
    unsigned.push(attribute(OID.timeStampToken, [token]));
  }
  if (options.revocation !== undefined) unsigned.push(...revocationAttributes(await options.revocation(token)));
  const signerInfo = DER.sequence([
    Buffer.from([0x02, 0x01, 0x01]),
    issuerAndSerial(signer.certificate),
    algorithmIdentifier(digestOid(hash), true),
    Buffer.concat([Buffer.from([0xa0]), signedAttributesSet.subarray(1)]),
    algorithmIdentifier(algorithm.oid, algorithm.nullParameters),
    DER.octetString(signatureValue),
    ...(unsigned.length === 0 ? [] : [Buffer.concat([Buffer.from([0xa1]), DER.set(unsigned).subarray(1)])]),
  ]);
  const certificates = [signer.certificate, ...signer.chain].map((certificate) => certificate.raw);
  const signedData = DER.sequence([
    Buffer.from([0x02, 0x01, 0x01]),
    DER.set([algorithmIdentifier(digestOid(hash), true)]),
    DER.sequence([Buffer.from(new asn1js.ObjectIdentifier({ value: OID.data }).toBER())]),
    Buffer.concat([Buffer.from([0xa0]), DER.set(certificates).subarray(1)]),
    DER.set([signerInfo]),
  ]);
  return DER.sequence([Buffer.from(new asn1js.ObjectIdentifier({ value: OID.signedData }).toBER()), DER.context(0, [signedData])]);
}

// ---------------------------------------------------------------- reading and checking

export interface TimestampInfo {
  readonly genTime: Date;
  /** Whether the token's message imprint is the hash of what it should stamp. */
  readonly imprintMatches: boolean;
  readonly check: CmsCheck;
  readonly token: Buffer;
}

export interface CmsCheck {
  /** The signer's certificate: the one whose key verifies the signature (null when none does). */
  readonly signerCertificate: X509Certificate | null;
  readonly certificates: readonly X509Certificate[];
  /** The content digest stated inside the signature equals the digest of the content given. */
  readonly digestMatches: boolean;
  readonly digestAlgorithm: string;
  /** The signature over the signed attributes verifies with the signer certificate's key. */
  readonly signatureValid: boolean;
  readonly signatureValue: Buffer;
  readonly signingTime: Date | null;
  readonly timestamp: TimestampInfo | null;
  readonly encapsulatedContent: Buffer | null;
  /** CAdES revocation values carried as unsigned attributes: BasicOCSPResponses and CRLs (DER). */
  readonly revocationValues: { readonly basicOcspResponses: readonly Buffer[]; readonly crls: readonly Buffer[] };
  readonly problems: readonly string[];
}

function attributeValues(attributes: readonly Attribute[] | undefined, type: string): Buffer[] {
  return (attributes ?? []).filter((item) => item.attrType === type).flatMap((item) => item.attrValues.map((value) => toBuffer(value)));
}

function readTime(der: Buffer): Date {
  const parsed = asn1js.fromBER(new Uint8Array(der)).result;
  if (parsed instanceof asn1js.UTCTime || parsed instanceof asn1js.GeneralizedTime) return parsed.toDate();
  throw new Error('malformed time');
}

/** The hash of the ESS signing-certificate-v2 (algorithm and value) of the certificate the signer meant, when it names one. */
function boundCertificate(attributes: readonly Attribute[] | undefined): { hash: string; value: Buffer } | null {
  const ess = attributeValues(attributes, OID.signingCertificateV2)[0];
  if (ess === undefined) return null;
  const certs = derChildren(ess)[0];
  const first = certs === undefined ? undefined : derChildren(certs)[0];
  if (first === undefined) return null;
  const parts = derChildren(first);
  const hasAlgorithm = parts[0]?.[0] === 0x30;
  const algorithm = hasAlgorithm ? hashNameForOid(readOidOf(derChildren(parts[0] as Buffer)[0])) : 'sha256';
  const value = parts[hasAlgorithm ? 1 : 0];
  if (algorithm === null || value === undefined) return null;
  return { hash: algorithm, value: value.subarray(value.length - contentLengthOf(value)) };
}

function readOidOf(der: Buffer | undefined): string {
  if (der === undefined) return '';
  const parsed = asn1js.fromBER(new Uint8Array(der)).result;
  return parsed instanceof asn1js.ObjectIdentifier ? parsed.valueBlock.toString() : '';
}

function readRevocationValues(attributes: readonly Attribute[] | undefined): CmsCheck['revocationValues'] {
  const basicOcspResponses: Buffer[] = [];
  const crls: Buffer[] = [];
  for (const value of attributeValues(attributes, OID.revocationValues)) {
    for (const tagged of derChildren(value)) {
      const list = derChildren(tagged)[0];
      if (list === undefined) continue;
      if (tagged[0] === 0xa0) crls.push(...derChildren(list));
      if (tagged[0] === 0xa1) basicOcspResponses.push(...derChildren(list));
    }
  }
  return { basicOcspResponses, crls };
}

function verifiesWith(certificate: X509Certificate, hash: string, data: Buffer, signature: Buffer): boolean {
  try {
    return cryptoVerify(hash, data, certificate.publicKey, signature);
  } catch {
    // a key of another type than the signature's: simply not this signer
    return false;
  }
}

/** The certificates of a SignedData, as their original bytes (never re-encoded). */
function certificatesOf(signedDataDer: Buffer): X509Certificate[] {
  const field = derChildren(signedDataDer).find((child) => child[0] === 0xa0);
  return field === undefined ? [] : derChildren(field).filter((child) => child[0] === 0x30).map((child) => new X509Certificate(child));
}

/** The first signer's signed attributes exactly as encoded ([0] IMPLICIT SET): what its signature covers. */
function signedAttributesAsEncoded(signedDataDer: Buffer): Buffer | undefined {
  const fields = derChildren(signedDataDer);
  const signerInfos = fields[fields.length - 1];
  const signerInfo = signerInfos === undefined ? undefined : derChildren(signerInfos)[0];
  return signerInfo === undefined ? undefined : derChildren(signerInfo).find((child) => child[0] === 0xa0);
}

/**
 * The encapsulated content's bytes: asn1-cms gives an OCTET STRING as `single`, and keeps the raw
 * bytes of every other encoding under the one other field of its CHOICE (found by type, not by name).
 */
export function encapsulatedBytes(content: EncapsulatedContent | undefined): Buffer | null {
  if (content === undefined) return null;
  if (content.single !== undefined) return toBuffer(content.single.buffer);
  const { single: _octetString, ...otherEncodings } = content;
  const raw = Object.values(otherEncodings).find((value): value is ArrayBuffer => value instanceof ArrayBuffer);
  return raw === undefined ? null : toBuffer(raw);
}

/**
 * Checks a CMS SignedData. `detachedContent` is the signed bytes for a detached signature (a
 * PDF's byte ranges, manifest.json); without it the encapsulated content is used (timestamp tokens).
 * Throws only on a structure it cannot read; a signature that does not hold comes back as false.
 */
export function checkCms(der: Uint8Array, detachedContent: Uint8Array | null): CmsCheck {
  const contentInfo = AsnConvert.parse(der, ContentInfo);
  if (contentInfo.contentType !== OID.signedData) throw new Error(`not a CMS SignedData (content type ${contentInfo.contentType})`);
  const signedData = AsnConvert.parse(contentInfo.content, SignedData);
  const encapsulatedContent = encapsulatedBytes(signedData.encapContentInfo.eContent);
  const certificates = certificatesOf(toBuffer(contentInfo.content));
  const signerInfo = signedData.signerInfos[0];
  if (signerInfo === undefined) throw new Error('the CMS SignedData holds no signer');
  const hashName = hashNameForOid(signerInfo.digestAlgorithm.algorithm);
  if (hashName === null) throw new Error(`unsupported digest algorithm ${signerInfo.digestAlgorithm.algorithm}`);
  const signatureValue = toBuffer(signerInfo.signature.buffer);
  const content = detachedContent ?? encapsulatedContent;
  if (content === null) throw new Error('no content to check the signature against');
  const contentDigest = createHash(hashName).update(content).digest();
  const problems: string[] = [];

  let digestMatches = true;
  let signedBytes = Buffer.from(content); // no signed attributes: the signature is over the content (old PKCS#7)
  let signingTime: Date | null = null;
  if (signerInfo.signedAttrs !== undefined) {
    const stated = attributeValues(signerInfo.signedAttrs, OID.messageDigest)[0];
    if (stated === undefined) problems.push('the signature has no message digest attribute');
    digestMatches = stated !== undefined && stated.subarray(stated.length - contentLengthOf(stated)).equals(contentDigest);
    const raw = signedAttributesAsEncoded(toBuffer(contentInfo.content));
    if (raw === undefined) throw new Error('the signed attributes could not be read as they were encoded');
    signedBytes = Buffer.concat([Buffer.from([0x31]), raw.subarray(1)]);
    const time = attributeValues(signerInfo.signedAttrs, OID.signingTime)[0];
    signingTime = time === undefined ? null : readTime(time);
  }
  const signatureHash = hashOfSignatureAlgorithm(signerInfo.signatureAlgorithm.algorithm) ?? hashName;
  const signerCertificate = certificates.find((certificate) => verifiesWith(certificate, signatureHash, signedBytes, signatureValue)) ?? null;
  if (signerCertificate === null) problems.push(certificates.length === 0 ? 'the signature carries no certificate' : 'no certificate in the signature verifies it');
  const bound = boundCertificate(signerInfo.signedAttrs);
  const certificateBound = signerCertificate === null || bound === null || bound.value.equals(createHash(bound.hash).update(signerCertificate.raw).digest());
  if (!certificateBound) problems.push('the signed signing-certificate attribute names another certificate than the one that verifies');

  const token = attributeValues(signerInfo.unsignedAttrs, OID.timeStampToken)[0];
  const timestamp = token === undefined ? null : readTimestamp(token, signatureValue);
  return {
    signerCertificate,
    certificates,
    digestMatches,
    digestAlgorithm: hashName,
    signatureValid: signerCertificate !== null && certificateBound,
    signatureValue,
    signingTime,
    timestamp,
    encapsulatedContent,
    revocationValues: readRevocationValues(signerInfo.unsignedAttrs),
    problems,
  };
}

/** Reads an RFC 3161 token: its own CMS signature, its time, and whether it stamps `stamped` (hashed with the imprint's algorithm). */
export function readTimestamp(tokenDer: Buffer, stamped: Uint8Array): TimestampInfo {
  const check = checkCms(tokenDer, null);
  if (check.encapsulatedContent === null) throw new Error('the timestamp token has no TSTInfo');
  const tstInfo = AsnConvert.parse(check.encapsulatedContent, TSTInfo);
  const imprintHash = hashNameForOid(tstInfo.messageImprint.hashAlgorithm.algorithm);
  const imprintValue = toBuffer(tstInfo.messageImprint.hashedMessage.buffer);
  return {
    genTime: tstInfo.genTime,
    imprintMatches: imprintHash !== null && imprintValue.equals(createHash(imprintHash).update(stamped).digest()),
    check,
    token: tokenDer,
  };
}
