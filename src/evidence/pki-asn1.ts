import { createHash, verify as cryptoVerify, type KeyObject, type X509Certificate } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  AuthorityInfoAccessSyntax,
  Certificate,
  CRLDistributionPoints,
  id_ad_ocsp,
  id_ce_cRLDistributionPoints,
  id_pe_authorityInfoAccess,
} from '@peculiar/asn1-x509';

/**
 * The ASN.1 pieces signing and verification share, over the maintained @peculiar/asn1-* schemas
 * (the codec pkijs and @peculiar/x509 build on). Certificates themselves stay node's
 * X509Certificate: its chain checks (checkIssued, verify) work for RSA and EC keys alike.
 */

export type HashName = 'sha256' | 'sha384' | 'sha512';

export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  timeStampToken: '1.2.840.113549.1.9.16.2.14',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  /** CAdES: the certificates and the revocation values of the signer's chain (ETSI EN 319 122-1 5.5.2/5.5.3). */
  certValues: '1.2.840.113549.1.9.16.2.23',
  revocationValues: '1.2.840.113549.1.9.16.2.24',
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha1WithRsa: '1.2.840.113549.1.1.5',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  sha384WithRsa: '1.2.840.113549.1.1.12',
  sha512WithRsa: '1.2.840.113549.1.1.13',
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
  ecdsaWithSha512: '1.2.840.10045.4.3.4',
  ocspBasic: '1.3.6.1.5.5.7.48.1.1',
  ocspSigning: '1.3.6.1.5.5.7.3.9',
  ocspNoCheck: '1.3.6.1.5.5.7.48.1.5',
} as const;

const DIGEST_OIDS: Record<HashName | 'sha1', string> = { sha1: OID.sha1, sha256: OID.sha256, sha384: OID.sha384, sha512: OID.sha512 };

/** Node's hash name for a digest algorithm OID, or null when we do not accept it. */
export function hashNameForOid(oid: string): HashName | 'sha1' | null {
  for (const [name, id] of Object.entries(DIGEST_OIDS)) if (id === oid) return name as HashName | 'sha1';
  return null;
}

export function digestOid(hash: HashName | 'sha1'): string {
  return DIGEST_OIDS[hash];
}

/** The hash inside a signature algorithm OID (sha256WithRSA, ecdsa-with-SHA384, ...), or null. */
export function hashOfSignatureAlgorithm(oid: string): HashName | 'sha1' | null {
  const table: Record<string, HashName | 'sha1'> = {
    [OID.sha1WithRsa]: 'sha1',
    [OID.sha256WithRsa]: 'sha256',
    [OID.sha384WithRsa]: 'sha384',
    [OID.sha512WithRsa]: 'sha512',
    [OID.ecdsaWithSha256]: 'sha256',
    [OID.ecdsaWithSha384]: 'sha384',
    [OID.ecdsaWithSha512]: 'sha512',
  };
  return table[oid] ?? null;
}

/** The signature algorithm OID for a key and a hash: RSA PKCS#1 v1.5 or ECDSA. */
export function signatureAlgorithmOid(key: KeyObject, hash: HashName): { oid: string; nullParameters: boolean } {
  if (key.asymmetricKeyType === 'rsa') return { oid: { sha256: OID.sha256WithRsa, sha384: OID.sha384WithRsa, sha512: OID.sha512WithRsa }[hash], nullParameters: true };
  if (key.asymmetricKeyType === 'ec') return { oid: { sha256: OID.ecdsaWithSha256, sha384: OID.ecdsaWithSha384, sha512: OID.ecdsaWithSha512 }[hash], nullParameters: false };
  throw new Error(`unsupported signing key type ${key.asymmetricKeyType ?? 'unknown'} (RSA and ECDSA are supported)`);
}

/** Whether `signature` (DER for ECDSA, as CMS, OCSP and X.509 carry it) over `data` verifies with `key`. */
export function signatureVerifies(algorithmOid: string, data: Uint8Array, signature: Uint8Array, key: KeyObject): boolean {
  const hash = hashOfSignatureAlgorithm(algorithmOid) ?? (algorithmOid === OID.rsaEncryption ? 'sha256' : null);
  if (hash === null) return false;
  try {
    return cryptoVerify(hash, data, key, signature);
  } catch {
    // a key of another type than the algorithm's: simply does not verify
    return false;
  }
}

export function toBuffer(value: ArrayBuffer | ArrayBufferView): Buffer {
  return value instanceof ArrayBuffer ? Buffer.from(value) : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

export function digest(hash: HashName | 'sha1', data: Uint8Array): Buffer {
  return createHash(hash).update(data).digest();
}

export function parseCertificate(certificate: X509Certificate): Certificate {
  return AsnConvert.parse(certificate.raw, Certificate);
}

/** The OCSP responder URLs and CRL addresses a certificate names (AIA, CRLDP), http(s) only. */
export function revocationAddresses(certificate: X509Certificate): { ocsp: string[]; crl: string[] } {
  const extensions = parseCertificate(certificate).tbsCertificate.extensions ?? [];
  const ocsp: string[] = [];
  const crl: string[] = [];
  for (const extension of extensions) {
    if (extension.extnID === id_pe_authorityInfoAccess) {
      for (const access of AsnConvert.parse(extension.extnValue, AuthorityInfoAccessSyntax)) {
        const url = access.accessLocation.uniformResourceIdentifier;
        if (access.accessMethod === id_ad_ocsp && url !== undefined) ocsp.push(url);
      }
    }
    if (extension.extnID === id_ce_cRLDistributionPoints) {
      for (const point of AsnConvert.parse(extension.extnValue, CRLDistributionPoints)) {
        for (const name of point.distributionPoint?.fullName ?? []) if (name.uniformResourceIdentifier !== undefined) crl.push(name.uniformResourceIdentifier);
      }
    }
  }
  const http = (url: string): boolean => /^https?:\/\//i.test(url);
  return { ocsp: ocsp.filter(http), crl: crl.filter(http) };
}

export function isSelfIssued(certificate: X509Certificate): boolean {
  return certificate.subject === certificate.issuer && certificate.checkIssued(certificate);
}

/** One DER element: tag byte, definite length, content. */
export function derElement(tag: number, content: Uint8Array): Buffer {
  const length = content.length;
  let header: number[];
  if (length < 0x80) header = [tag, length];
  else {
    const bytes: number[] = [];
    for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
    header = [tag, 0x80 | bytes.length, ...bytes];
  }
  return Buffer.concat([Buffer.from(header), content]);
}

export const DER = {
  sequence: (items: readonly Uint8Array[]): Buffer => derElement(0x30, Buffer.concat(items)),
  /** A DER SET OF: members sorted by their encodings, as DER requires (signatures depend on it). */
  set: (items: readonly Uint8Array[]): Buffer => derElement(0x31, Buffer.concat([...items].map((item) => Buffer.from(item)).sort(Buffer.compare))),
  octetString: (bytes: Uint8Array): Buffer => derElement(0x04, bytes),
  /** [tag] EXPLICIT or a constructed context tag around items. */
  context: (tag: number, items: readonly Uint8Array[]): Buffer => derElement(0xa0 | tag, Buffer.concat(items)),
};

/** Length of the DER element at the start of `bytes` (a PDF's /Contents hex is zero-padded after it). */
export function derElementLength(bytes: Uint8Array): number {
  const first = bytes[1] ?? 0;
  if (first < 0x80) return 2 + first;
  const lengthBytes = first & 0x7f;
  let length = 0;
  for (let index = 0; index < lengthBytes; index += 1) length = length * 256 + (bytes[2 + index] ?? 0);
  return 2 + lengthBytes + length;
}

/** The DER elements directly inside a constructed element (their raw bytes, tags included). */
export function derChildren(element: Uint8Array): Buffer[] {
  const bytes = Buffer.from(element);
  const headerLength = derElementLength(bytes) - contentLength(bytes);
  const result: Buffer[] = [];
  for (let offset = headerLength; offset < bytes.length; ) {
    const length = derElementLength(bytes.subarray(offset));
    result.push(bytes.subarray(offset, offset + length));
    offset += length;
  }
  return result;
}

function contentLength(bytes: Buffer): number {
  const first = bytes[1] ?? 0;
  if (first < 0x80) return first;
  let length = 0;
  for (let index = 0; index < (first & 0x7f); index += 1) length = length * 256 + (bytes[2 + index] ?? 0);
  return length;
}
