import { X509Certificate } from 'node:crypto';
import { decodePDFRawStream, PDFArray, PDFDict, PDFDocument, PDFName, PDFRawStream, PDFRef } from '../render/pdf-library.js';
import { checkCms, type RevocationData } from './cms.js';
import { addObject, appendDocumentTimestamp, markChanged, openForUpdate, rawStream, writeUpdate } from './pdf-incremental.js';
import { isDocumentTimestamp, locateSignatures, type SignatureLocation } from './pdf-signatures.js';
import { digest, isSelfIssued, type HashName } from './pki-asn1.js';
import { collectRevocation, dedupe, issuerIn, type RevocationSources } from './revocation.js';
import { requestTimestamp } from './tsa.js';

/**
 * PAdES long-term levels on top of a signed PDF (ETSI EN 319 142-1): B-LT adds a Document
 * Security Store (DSS) with the certificates of every chain and their OCSP responses and CRLs,
 * B-LTA a document timestamp over all of it; `extend` renews an archive with a fresh DSS for the
 * last timestamp's chain and a new document timestamp. Each step is an incremental update.
 */

export const PADES_LEVELS = ['b-b', 'b-t', 'b-lt', 'b-lta'] as const;
export type PadesLevel = (typeof PADES_LEVELS)[number];

export interface DssContent {
  readonly certificates: readonly X509Certificate[];
  readonly ocspResponses: readonly Buffer[];
  readonly crls: readonly Buffer[];
}

function streamsOf(dss: PDFDict, key: string): Buffer[] {
  const array = dss.lookupMaybe(PDFName.of(key), PDFArray);
  const result: Buffer[] = [];
  for (let index = 0; index < (array?.size() ?? 0); index += 1) {
    const stream = (array as PDFArray).lookup(index);
    if (stream instanceof PDFRawStream) result.push(Buffer.from(decodePDFRawStream(stream).decode()));
  }
  return result;
}

/** The DSS of the latest revision (empty when there is none). */
export function readDss(document: PDFDocument): DssContent {
  const dss = document.catalog.lookupMaybe(PDFName.of('DSS'), PDFDict);
  if (dss === undefined) return { certificates: [], ocspResponses: [], crls: [] };
  return { certificates: streamsOf(dss, 'Certs').map((der) => new X509Certificate(der)), ocspResponses: streamsOf(dss, 'OCSPs'), crls: streamsOf(dss, 'CRLs') };
}

/** The certificates one signature or document timestamp rests on: its signer's and its timestamp's. */
function certificatesOf(location: SignatureLocation): { leaves: X509Certificate[]; pool: X509Certificate[] } {
  const check = checkCms(location.contents, isDocumentTimestamp(location) ? null : Buffer.alloc(0));
  const leaves: X509Certificate[] = [];
  const pool = [...check.certificates];
  if (check.signerCertificate !== null) leaves.push(check.signerCertificate);
  const timestamp = check.timestamp;
  if (timestamp !== null) {
    if (timestamp.check.signerCertificate !== null) leaves.push(timestamp.check.signerCertificate);
    pool.push(...timestamp.check.certificates);
  }
  return { leaves, pool };
}

/** From a leaf up through `pool` to a self-signed root (or as far as the pool goes). */
export function pathOf(leaf: X509Certificate, pool: readonly X509Certificate[]): X509Certificate[] {
  const path = [leaf];
  let current = leaf;
  while (!isSelfIssued(current) && path.length < 10) {
    const issuer = issuerIn(current, pool);
    if (issuer === null) break;
    path.push(issuer);
    current = issuer;
  }
  return path;
}

/** The VRI key of a signature: the SHA-1 of its /Contents (the DER, without padding), upper-case hex. */
export function vriKey(location: SignatureLocation): string {
  return digest('sha1', location.contents).toString('hex').toUpperCase();
}

interface ValidationEntry {
  readonly location: SignatureLocation;
  readonly certificates: readonly X509Certificate[];
  readonly revocation: RevocationData;
}

/**
 * Appends a DSS holding what the earlier DSS held plus, for each of `locations`, the
 * certificates of its chains and their revocation data, with a VRI entry per signature.
 */
async function appendDss(pdf: Buffer, entries: readonly ValidationEntry[]): Promise<Buffer> {
  const update = await openForUpdate(pdf);
  const { document } = update;
  const context = document.context;
  const earlier = readDss(document);
  const refsByHash = new Map<string, PDFRef>();
  const refFor = (bytes: Buffer): PDFRef => {
    const key = digest('sha256', bytes).toString('hex');
    const known = refsByHash.get(key);
    if (known !== undefined) return known;
    const ref = rawStream(update, bytes);
    refsByHash.set(key, ref);
    return ref;
  };
  const certificates = dedupe([...earlier.certificates.map((certificate) => certificate.raw), ...entries.flatMap((entry) => entry.certificates.map((certificate) => certificate.raw))]);
  const ocsps = dedupe([...earlier.ocspResponses, ...entries.flatMap((entry) => entry.revocation.ocspResponses)]);
  const crls = dedupe([...earlier.crls, ...entries.flatMap((entry) => entry.revocation.crls)]);
  const vri = document.catalog.lookupMaybe(PDFName.of('DSS'), PDFDict)?.lookupMaybe(PDFName.of('VRI'), PDFDict)?.clone(context) ?? context.obj({});
  for (const entry of entries) {
    vri.set(
      PDFName.of(vriKey(entry.location)),
      context.obj({
        Cert: entry.certificates.map((certificate) => refFor(certificate.raw)),
        OCSP: entry.revocation.ocspResponses.map(refFor),
        CRL: entry.revocation.crls.map(refFor),
      }),
    );
  }
  const dss = context.obj({ Type: 'DSS', Certs: certificates.map(refFor), OCSPs: ocsps.map(refFor), CRLs: crls.map(refFor), VRI: vri });
  document.catalog.set(PDFName.of('DSS'), addObject(update, dss));
  // The ETSI extension level says a reader may meet a DSS and document timestamps (PAdES).
  document.catalog.set(PDFName.of('Extensions'), context.obj({ ESIC: { BaseVersion: PDFName.of('1.7'), ExtensionLevel: 5 } }));
  const root = context.trailerInfo.Root;
  if (root instanceof PDFRef) markChanged(update, root);
  return writeUpdate(update);
}

async function validationEntry(location: SignatureLocation, extraPool: readonly X509Certificate[], sources: RevocationSources, at: Date): Promise<ValidationEntry> {
  const { leaves, pool } = certificatesOf(location);
  const everything = [...pool, ...extraPool];
  const paths = leaves.map((leaf) => pathOf(leaf, everything));
  const chain = paths.flat().filter((certificate, index, all) => all.findIndex((other) => other.fingerprint256 === certificate.fingerprint256) === index);
  const revocation = await collectRevocation(chain, everything, sources, at);
  return { location, certificates: chain, revocation };
}

export interface LongTermOptions {
  readonly hash: HashName;
  readonly timestampUrl?: string;
  readonly sources: RevocationSources;
  /** The signing time: a certificate revoked by then refuses the step. */
  readonly at: Date;
  /** Certificates given besides the ones the signature carries (the signer's P12 chain). */
  readonly extraCertificates?: readonly X509Certificate[];
}

/** Raises a freshly signed PDF (B-B or B-T, one signature) to B-LT or B-LTA. */
export async function raiseToLevel(signedPdf: Buffer, level: PadesLevel, options: LongTermOptions): Promise<Buffer> {
  if (level === 'b-b' || level === 'b-t') return signedPdf;
  const locations = locateSignatures(signedPdf, 'signed PDF');
  const entries = [];
  for (const location of locations) entries.push(await validationEntry(location, options.extraCertificates ?? [], options.sources, options.at));
  const withDss = await appendDss(signedPdf, entries);
  if (level === 'b-lt') return withDss;
  return stampDocument(withDss, options);
}

function stampDocument(pdf: Buffer, options: LongTermOptions): Promise<Buffer> {
  const url = options.timestampUrl;
  if (url === undefined) throw new Error('internal error: a document timestamp needs a timestamp authority');
  return appendDocumentTimestamp(pdf, options.hash, (hashValue) => requestTimestamp(url, hashValue, options.hash));
}

/**
 * The archive-renewal step: a fresh DSS entry for the last document timestamp's chain (its
 * revocation data as of now), then a new document timestamp over everything.
 */
export async function extendArchive(pdf: Buffer, path: string, options: LongTermOptions): Promise<Buffer> {
  const locations = locateSignatures(pdf, path);
  const last = [...locations].reverse().find(isDocumentTimestamp) ?? locations[locations.length - 1];
  if (last === undefined) throw new Error('not signed');
  const document = await PDFDocument.load(pdf, { updateMetadata: false, ignoreEncryption: true });
  const dss = readDss(document);
  // Offline, the revocation data the file already holds is all there is (the files given first).
  const sources = options.sources.offline
    ? { ...options.sources, ocspResponses: [...options.sources.ocspResponses, ...dss.ocspResponses], crls: [...options.sources.crls, ...dss.crls] }
    : options.sources;
  const entry = await validationEntry(last, dss.certificates, sources, options.at);
  const withDss = await appendDss(pdf, [entry]);
  return stampDocument(withDss, options);
}
