import { createHash, sign as cryptoSign, verify as cryptoVerify, X509Certificate } from 'node:crypto';
import {
  algorithmIdentifier,
  asn1,
  attribute,
  childAt,
  children,
  encodeDer,
  explicit,
  hashNameForOid,
  implicitSet,
  integer,
  OID,
  octetString,
  oid,
  parseDer,
  readBytes,
  readOid,
  readTime,
  sequence,
  utcOrGeneralizedTime,
  derSet,
  type Asn1,
} from './der.js';
import type { EvidenceSigner } from './signer.js';
import { requestTimestamp } from './tsa.js';

/**
 * CMS SignedData (RFC 5652), detached: what goes into a PDF signature's /Contents and into
 * manifest.json.p7s. Built by hand over node-forge's ASN.1 codec because forge's own PKCS#7 writer
 * cannot add the ESS signing-certificate-v2 attribute PAdES requires, nor a timestamp.
 */

export interface CmsOptions {
  /** Adds the signingTime attribute. PAdES forbids it (the time is the PDF's /M); plain CMS wants it. */
  readonly signingTime?: Date;
  /** RFC 3161 timestamp authority; its token over the signature value goes in as an unsigned attribute. */
  readonly timestampUrl?: string;
}

function certificateParts(certificate: X509Certificate): { issuer: Asn1; serial: Asn1; node: Asn1 } {
  const node = parseDer(certificate.raw);
  const tbs = childAt(node, 0, 'tbsCertificate');
  const fields = children(tbs);
  const offset = fields[0]?.tagClass === asn1.Class.CONTEXT_SPECIFIC ? 1 : 0; // [0] version is optional
  return { serial: childAt(tbs, offset, 'serialNumber'), issuer: childAt(tbs, offset + 2, 'issuer'), node };
}

function signatureAlgorithmFor(signer: EvidenceSigner): Asn1 {
  const type = signer.privateKey.asymmetricKeyType;
  if (type === 'rsa') return algorithmIdentifier(OID.sha256WithRsa, true);
  if (type === 'ec') return algorithmIdentifier(OID.ecdsaWithSha256, false);
  throw new Error(`unsupported signing key type ${type ?? 'unknown'}`);
}

/** Builds a detached CMS SignedData over content whose SHA-256 is `contentDigest`. */
export async function createDetachedCms(contentDigest: Buffer, signer: EvidenceSigner, options: CmsOptions = {}): Promise<Buffer> {
  const signerParts = certificateParts(signer.certificate);
  const signedAttributes = [
    attribute(OID.contentType, [oid(OID.data)]),
    attribute(OID.messageDigest, [octetString(contentDigest)]),
    // ESS signing-certificate-v2: binds the signer's certificate into what is signed (PAdES B-B).
    attribute(OID.signingCertificateV2, [sequence([sequence([sequence([octetString(createHash('sha256').update(signer.certificate.raw).digest())])])])]),
  ];
  if (options.signingTime !== undefined) signedAttributes.push(attribute(OID.signingTime, [utcOrGeneralizedTime(options.signingTime)]));
  // The signature covers the attributes encoded as a SET (tag 0x31), not as the [0] they are stored under.
  const signedAttributesDer = encodeDer(derSet(signedAttributes));
  const signatureValue = cryptoSign('sha256', signedAttributesDer, signer.privateKey);

  const signerInfo = [
    integer(1),
    sequence([signerParts.issuer, signerParts.serial]),
    algorithmIdentifier(OID.sha256, true),
    implicitSet(0, signedAttributes),
    signatureAlgorithmFor(signer),
    octetString(signatureValue),
  ];
  if (options.timestampUrl !== undefined) {
    const token = await requestTimestamp(options.timestampUrl, createHash('sha256').update(signatureValue).digest());
    signerInfo.push(implicitSet(1, [attribute(OID.timeStampToken, [parseDer(token)])]));
  }
  const certificates = [signer.certificate, ...signer.chain].map((certificate) => certificateParts(certificate).node);
  const signedData = sequence([
    integer(1),
    derSet([algorithmIdentifier(OID.sha256, true)]),
    sequence([oid(OID.data)]),
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, certificates),
    derSet([sequence(signerInfo)]),
  ]);
  return encodeDer(sequence([oid(OID.signedData), explicit(0, signedData)]));
}

// ---------------------------------------------------------------- reading and checking

export interface TimestampInfo {
  readonly genTime: Date;
  /** Whether the token's message imprint is the hash of this signature's value. */
  readonly imprintMatches: boolean;
  readonly check: CmsCheck;
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
  readonly signingTime: Date | null;
  readonly timestamp: TimestampInfo | null;
  readonly encapsulatedContent: Buffer | null;
  readonly problems: readonly string[];
}

function attributeMap(attributes: Asn1[]): Map<string, Asn1[]> {
  const map = new Map<string, Asn1[]>();
  for (const item of attributes) map.set(readOid(childAt(item, 0, 'attribute type'), 'attribute type'), children(childAt(item, 1, 'attribute values')));
  return map;
}

function nodeHashName(algorithm: Asn1): string {
  const id = readOid(childAt(algorithm, 0, 'digest algorithm'), 'digest algorithm');
  const name = hashNameForOid(id);
  if (name === null) throw new Error(`unsupported digest algorithm ${id}`);
  return name;
}

interface SignedAttributes {
  readonly digestMatches: boolean;
  /** What the signature is over: the DER SET of the signed attributes. */
  readonly signedBytes: Buffer;
  readonly signingTime: Date | null;
  /** The ESS signing-certificate-v2 hash (SHA-256) of the certificate the signer meant, if any. */
  readonly boundCertificateHash: Buffer | null;
}

function readSignedAttributes(signedAttributesNode: Asn1, contentDigest: Buffer, problems: string[]): SignedAttributes {
  const attributes = attributeMap(children(signedAttributesNode));
  const digestNode = attributes.get(OID.messageDigest)?.[0];
  if (digestNode === undefined) problems.push('the signature has no message digest attribute');
  const digestMatches = digestNode !== undefined && readBytes(digestNode, 'messageDigest').equals(contentDigest);
  const timeNode = attributes.get(OID.signingTime)?.[0];
  const signingTime = timeNode === undefined ? null : readTime(timeNode, 'signingTime');
  // ESS signing-certificate-v2: SEQUENCE { SEQUENCE OF ESSCertIDv2 { [hashAlgorithm], certHash, ... } }
  let boundCertificateHash: Buffer | null = null;
  const essNode = attributes.get(OID.signingCertificateV2)?.[0];
  const firstCertId = essNode === undefined ? undefined : children(childAt(essNode, 0, 'certs'))[0];
  if (firstCertId !== undefined) {
    const hashNode = children(firstCertId).find((child) => child.type === asn1.Type.OCTETSTRING && child.tagClass === asn1.Class.UNIVERSAL);
    const algorithmNode = children(firstCertId).find((child) => child.type === asn1.Type.SEQUENCE);
    if (hashNode !== undefined && (algorithmNode === undefined || nodeHashName(algorithmNode) === 'sha256')) boundCertificateHash = readBytes(hashNode, 'certHash');
  }
  const signedBytes = encodeDer(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, children(signedAttributesNode)));
  return { digestMatches, signedBytes, signingTime, boundCertificateHash };
}

/**
 * Checks a CMS SignedData. `detachedContent` is the signed bytes for a detached signature (a
 * PDF's byte ranges, manifest.json); without it the encapsulated content is used (timestamp tokens).
 * Throws only on a structure it cannot read; a signature that does not hold comes back as false.
 */
export function checkCms(der: Uint8Array, detachedContent: Uint8Array | null): CmsCheck {
  const contentInfo = parseDer(der);
  const contentType = readOid(childAt(contentInfo, 0, 'contentType'), 'contentType');
  if (contentType !== OID.signedData) throw new Error(`not a CMS SignedData (content type ${contentType})`);
  const signedData = childAt(childAt(contentInfo, 1, 'content'), 0, 'SignedData');
  const fields = children(signedData);
  const encapsulated = childAt(signedData, 2, 'encapContentInfo');
  const eContentWrapper = children(encapsulated)[1];
  const encapsulatedContent = eContentWrapper === undefined ? null : readBytes(childAt(eContentWrapper, 0, 'eContent'), 'eContent');
  const certificates = fields
    .filter((field) => field.tagClass === asn1.Class.CONTEXT_SPECIFIC && field.type === 0)
    .flatMap((field) => children(field))
    .map((node) => new X509Certificate(encodeDer(node)));
  const signerInfos = fields[fields.length - 1];
  const signerInfo = signerInfos === undefined ? undefined : children(signerInfos)[0];
  if (signerInfo === undefined) throw new Error('the CMS SignedData holds no signer');
  const info = children(signerInfo);
  const hashName = nodeHashName(childAt(signerInfo, 2, 'digestAlgorithm'));
  const signedAttributesNode = info.find((node) => node.tagClass === asn1.Class.CONTEXT_SPECIFIC && node.type === 0);
  const unsignedAttributesNode = info.find((node) => node.tagClass === asn1.Class.CONTEXT_SPECIFIC && node.type === 1);
  const afterAttributes = info.indexOf(signedAttributesNode ?? childAt(signerInfo, 2, 'digestAlgorithm')) + 1;
  const signatureValue = readBytes(childAt(signerInfo, afterAttributes + 1, 'signature'), 'signature');
  const content = detachedContent ?? encapsulatedContent;
  if (content === null) throw new Error('no content to check the signature against');
  const contentDigest = createHash(hashName).update(content).digest();
  const problems: string[] = [];

  const signed = signedAttributesNode === undefined ? null : readSignedAttributes(signedAttributesNode, contentDigest, problems);
  // No signed attributes: the signature is directly over the content (rare, old PKCS#7).
  const digestMatches = signed?.digestMatches ?? true;
  const signedBytes = signed?.signedBytes ?? Buffer.from(content);
  const signingTime = signed?.signingTime ?? null;
  const boundCertificateHash = signed?.boundCertificateHash ?? null;
  const signerCertificate =
    certificates.find((certificate) => {
      try {
        return cryptoVerify(hashName, signedBytes, certificate.publicKey, signatureValue);
      } catch {
        // a key of another type than the signature's: simply not this signer
        return false;
      }
    }) ?? null;
  if (signerCertificate === null) problems.push(certificates.length === 0 ? 'the signature carries no certificate' : 'no certificate in the signature verifies it');
  const certificateBound =
    signerCertificate === null || boundCertificateHash === null || boundCertificateHash.equals(createHash('sha256').update(signerCertificate.raw).digest());
  if (!certificateBound) problems.push('the signed signing-certificate attribute names another certificate than the one that verifies');

  let timestamp: TimestampInfo | null = null;
  if (unsignedAttributesNode !== undefined) {
    const token = attributeMap(children(unsignedAttributesNode)).get(OID.timeStampToken)?.[0];
    if (token !== undefined) timestamp = readTimestamp(encodeDer(token), signatureValue);
  }
  return {
    signerCertificate,
    certificates,
    digestMatches,
    digestAlgorithm: hashName,
    signatureValid: signerCertificate !== null && certificateBound,
    signingTime,
    timestamp,
    encapsulatedContent,
    problems,
  };
}

/** Reads an RFC 3161 token: its own CMS signature, its time, and whether it stamps `signatureValue`. */
export function readTimestamp(tokenDer: Buffer, signatureValue: Buffer): TimestampInfo {
  const check = checkCms(tokenDer, null);
  if (check.encapsulatedContent === null) throw new Error('the timestamp token has no TSTInfo');
  const tstInfo = parseDer(check.encapsulatedContent);
  // TSTInfo ::= SEQUENCE { version, policy, messageImprint, serialNumber, genTime, ... }
  const imprint = childAt(tstInfo, 2, 'messageImprint');
  const imprintHash = nodeHashName(childAt(imprint, 0, 'hashAlgorithm'));
  const imprintValue = readBytes(childAt(imprint, 1, 'hashedMessage'), 'hashedMessage');
  return {
    genTime: readTime(childAt(tstInfo, 4, 'genTime'), 'genTime'),
    imprintMatches: imprintValue.equals(createHash(imprintHash).update(signatureValue).digest()),
    check,
  };
}
