import { X509Certificate } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { BasicOCSPResponse, CertID, OCSPRequest, OCSPResponse, OCSPResponseStatus, Request, TBSRequest } from '@peculiar/asn1-ocsp';
import { AlgorithmIdentifier, CertificateList, ExtendedKeyUsage, id_ce_extKeyUsage, id_kp_OCSPSigning } from '@peculiar/asn1-x509';
import { UserError } from '../util/errors.js';
import { toIsoUtc } from '../util/time.js';
import { commonNameOf } from './certificate.js';
import { basicOcspResponse, type RevocationData } from './cms.js';
import { derChildren, digest, digestOid, isSelfIssued, parseCertificate, revocationAddresses, signatureVerifies, toBuffer } from './pki-asn1.js';

/**
 * Revocation: OCSP responses (RFC 6960) and CRLs (RFC 5280) for the certificates of a chain,
 * fetched from the addresses the certificates name (AIA, CRL distribution points) or given as
 * files, and read back to a status at a time. What signing embeds (PAdES B-LT's DSS, the
 * manifest's revocation values) and what verification judges.
 */

export interface RevocationStatus {
  readonly status: 'good' | 'revoked' | 'unknown';
  readonly revokedAt: Date | null;
  /** When the answer was made: OCSP producedAt / CRL thisUpdate. */
  readonly issuedAt: Date;
  readonly source: 'OCSP' | 'CRL';
}

/** Where revocation data may come from: files given on the command line, and the network unless offline. */
export interface RevocationSources {
  readonly offline: boolean;
  readonly ocspResponses: readonly Buffer[];
  readonly crls: readonly Buffer[];
}

export const NO_REVOCATION_SOURCES: RevocationSources = { offline: false, ocspResponses: [], crls: [] };

function issuerParts(issuer: X509Certificate): { nameHash: Buffer; keyHash: Buffer } {
  const tbs = derChildren(derChildren(issuer.raw)[0] ?? Buffer.alloc(0));
  const offset = (tbs[0]?.[0] ?? 0) === 0xa0 ? 1 : 0;
  const subject = tbs[offset + 4];
  const spki = tbs[offset + 5];
  const bitString = spki === undefined ? undefined : derChildren(spki)[1];
  if (subject === undefined || bitString === undefined) throw new Error(`unreadable certificate "${commonNameOf(issuer)}"`);
  const key = bitString.subarray(bitString.length - contentLength(bitString) + 1); // after the unused-bits byte
  return { nameHash: digest('sha1', subject), keyHash: digest('sha1', key) };
}

function contentLength(element: Buffer): number {
  const first = element[1] ?? 0;
  if (first < 0x80) return first;
  let length = 0;
  for (let index = 0; index < (first & 0x7f); index += 1) length = length * 256 + (element[2 + index] ?? 0);
  return length;
}

function serialOf(certificate: X509Certificate): string {
  return certificate.serialNumber.replace(/^(00)+/, '').toUpperCase();
}

function serialFromBytes(bytes: ArrayBuffer): string {
  return Buffer.from(bytes).toString('hex').replace(/^(00)+/, '').toUpperCase();
}

export function ocspRequestFor(certificate: X509Certificate, issuer: X509Certificate): Buffer {
  const { nameHash, keyHash } = issuerParts(issuer);
  const serial = Buffer.from(certificate.serialNumber.length % 2 === 0 ? certificate.serialNumber : `0${certificate.serialNumber}`, 'hex');
  const certId = new CertID({
    hashAlgorithm: new AlgorithmIdentifier({ algorithm: digestOid('sha1'), parameters: null }),
    issuerNameHash: new OctetString(nameHash),
    issuerKeyHash: new OctetString(keyHash),
    serialNumber: new Uint8Array((serial[0] ?? 0) >= 0x80 ? Buffer.concat([Buffer.from([0]), serial]) : serial).buffer,
  });
  const request = new OCSPRequest({ tbsRequest: new TBSRequest({ requestList: [new Request({ reqCert: certId })] }) });
  return Buffer.from(AsnConvert.serialize(request));
}

async function httpFetch(url: string, init: RequestInit, what: string): Promise<Buffer> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
  } catch (error) {
    throw new UserError(`${what} ${url}: could not be reached (${(error as Error).message})`);
  }
  if (!response.ok) throw new UserError(`${what} ${url}: answered HTTP ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

export function fetchOcsp(url: string, certificate: X509Certificate, issuer: X509Certificate): Promise<Buffer> {
  return httpFetch(url, { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body: ocspRequestFor(certificate, issuer) }, 'OCSP responder');
}

export function fetchCrl(url: string): Promise<Buffer> {
  return httpFetch(url, { method: 'GET' }, 'CRL');
}

function issuedBy(certificate: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return certificate.checkIssued(issuer) && certificate.verify(issuer.publicKey);
  } catch {
    // keys of a type node cannot use for this check: not the issuer
    return false;
  }
}

function mayAnswerOcsp(responder: X509Certificate, issuer: X509Certificate): boolean {
  if (responder.fingerprint256 === issuer.fingerprint256) return true;
  if (!issuedBy(responder, issuer)) return false;
  const extension = (parseCertificate(responder).tbsCertificate.extensions ?? []).find((item) => item.extnID === id_ce_extKeyUsage);
  return extension !== undefined && AsnConvert.parse(extension.extnValue, ExtendedKeyUsage).includes(id_kp_OCSPSigning);
}

/**
 * What an OCSP response (OCSPResponse DER, or the BasicOCSPResponse inside) says about
 * `certificate`, or null when it says nothing about it or its signature does not hold.
 */
export function ocspStatus(response: Buffer, certificate: X509Certificate, issuer: X509Certificate): RevocationStatus | null {
  let basicDer: Buffer;
  try {
    const outer = AsnConvert.parse(response, OCSPResponse);
    if (outer.responseStatus !== OCSPResponseStatus.successful) return null;
    basicDer = basicOcspResponse(response);
  } catch {
    // not an OCSPResponse: perhaps the BasicOCSPResponse itself (CAdES revocation values)
    basicDer = response;
  }
  let basic: BasicOCSPResponse;
  try {
    basic = AsnConvert.parse(basicDer, BasicOCSPResponse);
  } catch {
    // unreadable: says nothing
    return null;
  }
  const parts = derChildren(basicDer);
  const tbs = parts[0];
  const certsField = parts.find((part) => part[0] === 0xa0);
  const carried = certsField === undefined ? [] : derChildren(derChildren(certsField)[0] ?? Buffer.alloc(2)).map((der) => new X509Certificate(der));
  const rawSignature = parts[2] === undefined ? Buffer.alloc(0) : parts[2].subarray(parts[2].length - contentLength(parts[2]) + 1);
  const responder = [issuer, ...carried].find((candidate) => tbs !== undefined && signatureVerifies(basic.signatureAlgorithm.algorithm, tbs, rawSignature, candidate.publicKey));
  if (responder === undefined || !mayAnswerOcsp(responder, issuer)) return null;
  const { keyHash } = issuerParts(issuer);
  const single = basic.tbsResponseData.responses.find(
    (item) => serialFromBytes(item.certID.serialNumber) === serialOf(certificate) && toBuffer(item.certID.issuerKeyHash.buffer).equals(keyHash),
  );
  if (single === undefined) return null;
  const status = single.certStatus.revoked !== undefined ? 'revoked' : single.certStatus.good !== undefined ? 'good' : 'unknown';
  return { status, revokedAt: single.certStatus.revoked?.revocationTime ?? null, issuedAt: basic.tbsResponseData.producedAt, source: 'OCSP' };
}

/** What a CRL says about `certificate`, or null when `issuer` did not sign it. */
export function crlStatus(crl: Buffer, certificate: X509Certificate, issuer: X509Certificate): RevocationStatus | null {
  let list: CertificateList;
  try {
    list = AsnConvert.parse(crl, CertificateList);
  } catch {
    // unreadable: says nothing
    return null;
  }
  const parts = derChildren(crl);
  const tbs = parts[0];
  const signature = parts[2];
  if (tbs === undefined || signature === undefined) return null;
  if (!signatureVerifies(list.signatureAlgorithm.algorithm, tbs, signature.subarray(signature.length - contentLength(signature) + 1), issuer.publicKey)) return null;
  const entry = (list.tbsCertList.revokedCertificates ?? []).find((item) => serialFromBytes(item.userCertificate) === serialOf(certificate));
  return { status: entry === undefined ? 'good' : 'revoked', revokedAt: entry?.revocationDate.getTime() ?? null, issuedAt: list.tbsCertList.thisUpdate.getTime(), source: 'CRL' };
}

/** Every status the data holds about `certificate` (several answers may speak of it). */
export function statusesFrom(data: RevocationData, certificate: X509Certificate, issuer: X509Certificate): RevocationStatus[] {
  return [
    ...data.ocspResponses.map((response) => ocspStatus(response, certificate, issuer)),
    ...data.crls.map((crl) => crlStatus(crl, certificate, issuer)),
  ].filter((status): status is RevocationStatus => status !== null);
}

/** The issuer of `certificate` among `pool`, or null. */
export function issuerIn(certificate: X509Certificate, pool: readonly X509Certificate[]): X509Certificate | null {
  return pool.find((candidate) => candidate.fingerprint256 !== certificate.fingerprint256 && issuedBy(certificate, candidate)) ?? null;
}

/** Online: an OCSP answer from the certificate's responder, else its CRL; null when it names neither. */
export async function fetchRevocation(certificate: X509Certificate, issuer: X509Certificate): Promise<{ ocsp: Buffer | null; crl: Buffer | null } | null> {
  const addresses = revocationAddresses(certificate);
  const failures: string[] = [];
  for (const url of addresses.ocsp) {
    try {
      const response = await fetchOcsp(url, certificate, issuer);
      if (ocspStatus(response, certificate, issuer) !== null) return { ocsp: response, crl: null };
      failures.push(`OCSP responder ${url}: its answer does not speak for "${commonNameOf(certificate)}" or does not verify`);
    } catch (error) {
      failures.push((error as Error).message);
    }
  }
  for (const url of addresses.crl) {
    try {
      const crl = await fetchCrl(url);
      if (crlStatus(crl, certificate, issuer) !== null) return { ocsp: null, crl };
      failures.push(`CRL ${url}: not signed by the issuer of "${commonNameOf(certificate)}"`);
    } catch (error) {
      failures.push((error as Error).message);
    }
  }
  if (failures.length > 0) throw new UserError(`revocation of "${commonNameOf(certificate)}": ${failures.join('; ')}`);
  return null;
}

/**
 * Signing B-LT: revocation data for every certificate of `chain` but the self-signed root, from
 * the files given first, else the network; refuses a certificate revoked at `at` or one with no
 * data at all (a B-LT file must carry it for every certificate).
 */
export async function collectRevocation(chain: readonly X509Certificate[], pool: readonly X509Certificate[], sources: RevocationSources, at: Date): Promise<RevocationData> {
  const ocspResponses: Buffer[] = [];
  const crls: Buffer[] = [];
  for (const certificate of chain) {
    if (isSelfIssued(certificate)) continue;
    const issuer = issuerIn(certificate, pool);
    if (issuer === null) throw new UserError(`"${commonNameOf(certificate)}": its issuer's certificate is missing, so its revocation cannot be checked`);
    const givenOcsp = sources.ocspResponses.filter((response) => ocspStatus(response, certificate, issuer) !== null);
    const givenCrls = sources.crls.filter((crl) => crlStatus(crl, certificate, issuer) !== null);
    let found = { ocsp: givenOcsp, crl: givenCrls };
    if (givenOcsp.length + givenCrls.length === 0) {
      if (sources.offline) throw new UserError(`"${commonNameOf(certificate)}": no --ocsp-response or --crl given speaks for it`);
      const fetched = await fetchRevocation(certificate, issuer);
      if (fetched === null) throw new UserError(`"${commonNameOf(certificate)}" names no OCSP responder and no CRL address; give its status with --ocsp-response or --crl`);
      found = { ocsp: fetched.ocsp === null ? [] : [fetched.ocsp], crl: fetched.crl === null ? [] : [fetched.crl] };
    }
    const statuses = statusesFrom({ ocspResponses: found.ocsp, crls: found.crl }, certificate, issuer);
    const revoked = statuses.find((status) => status.status === 'revoked' && status.revokedAt !== null && status.revokedAt <= at);
    if (revoked !== undefined) throw new UserError(`"${commonNameOf(certificate)}" was revoked on ${toIsoUtc(revoked.revokedAt as Date)} (${revoked.source}): it cannot sign`);
    if (statuses.every((status) => status.status === 'unknown')) throw new UserError(`"${commonNameOf(certificate)}": its OCSP responder does not know it`);
    ocspResponses.push(...found.ocsp);
    crls.push(...found.crl);
  }
  return { ocspResponses: dedupe(ocspResponses), crls: dedupe(crls) };
}

export function dedupe(items: readonly Buffer[]): Buffer[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = digest('sha256', item).toString('hex');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
