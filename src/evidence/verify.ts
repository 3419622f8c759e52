import { createHash, type X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { describeFsError } from '../snapshot/io.js';
import { InputError } from '../util/errors.js';
import { sha256Hex } from '../util/files.js';
import { toIsoUtc } from '../util/time.js';
import type { CmsCheck } from './cms.js';
import { parseManifest } from './manifest.js';
import type { EmbeddedFile, PdfEvidence, SignatureDictionary } from './pdf-evidence.js';
import type { Verdict } from './verdict.js';

/**
 * The signature checks and certificate reading (node-forge), loaded for an input that carries a
 * signature; the PDF reader (pdf-lib) is loaded by verifyPdf: an unsigned manifest needs neither.
 */
async function signatureChecks() {
  const [cms, certificate, trust] = await Promise.all([import('./cms.js'), import('./certificate.js'), import('./trust.js')]);
  return {
    checkCms: cms.checkCms,
    commonNameOf: certificate.commonNameOf,
    keyUsageAllowsSigning: certificate.keyUsageAllowsSigning,
    evaluateChain: trust.evaluateChain,
    validityProblem: trust.validityProblem,
  };
}
type SignatureChecks = Awaited<ReturnType<typeof signatureChecks>>;

/**
 * Re-runs the analysis on the embedded snapshot and compares it with the embedded findings. That
 * is a use case (app/verify/reproduce.ts) given by the caller, so evidence/ never imports the analysis.
 */
export type Reproducer = (snapshot: EmbeddedFile, findings: EmbeddedFile, attachments: readonly EmbeddedFile[]) => Verdict[];

export interface VerifyOptions {
  readonly trustAnchors: readonly X509Certificate[];
  readonly snapshotPath?: string;
  /** null: do not reproduce. */
  readonly reproduce: Reproducer | null;
}

async function readInput(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new InputError(path, null, describeFsError(error));
  }
}

interface SignatureLocation {
  readonly byteRange: readonly [number, number, number, number];
  readonly contents: Buffer;
}

/** Length of the DER element at the start of `bytes` (the /Contents hex is zero-padded after it). */
function derElementLength(bytes: Buffer): number {
  const first = bytes[1] ?? 0;
  if (first < 0x80) return 2 + first;
  const lengthBytes = first & 0x7f;
  let length = 0;
  for (let index = 0; index < lengthBytes; index += 1) length = length * 256 + (bytes[2 + index] ?? 0);
  return 2 + lengthBytes + length;
}

/** Finds every signature's /ByteRange and /Contents by the bytes, as pdfsig does. */
function locateSignatures(pdf: Buffer, path: string): SignatureLocation[] {
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
    locations.push({ byteRange, contents: blob.subarray(0, Math.min(blob.length, derElementLength(blob))) });
  }
  return locations;
}

function signedBytes(pdf: Buffer, range: SignatureLocation['byteRange']): Buffer {
  const [start, firstLength, secondStart, secondLength] = range;
  return Buffer.concat([pdf.subarray(start, start + firstLength), pdf.subarray(secondStart, secondStart + secondLength)]);
}

/** Verdicts shared by PDF and manifest signatures: the signer, its certificate and chain, the timestamp. */
function signatureVerdicts({ commonNameOf, keyUsageAllowsSigning, evaluateChain, validityProblem }: SignatureChecks, check: CmsCheck, claimedTime: Date | null, options: VerifyOptions, what: string): Verdict[] {
  const verdicts: Verdict[] = [];
  const signer = check.signerCertificate;
  verdicts.push(
    signer === null || !check.signatureValid
      ? { ok: false, check: `${what} signature`, detail: check.problems.join('; ') || 'does not verify' }
      : { ok: true, check: `${what} signature`, detail: `made by "${commonNameOf(signer)}" (certificate serial ${signer.serialNumber}), verifies with its key` },
  );
  if (signer === null) return verdicts;
  // The time the certificate must have been valid at: the timestamp's when there is one (a third
  // party's word), else the time the signer claims.
  const timestamp = check.timestamp;
  const at = timestamp?.genTime ?? claimedTime ?? check.signingTime ?? new Date();
  const validity = validityProblem(signer, at);
  const usage = keyUsageAllowsSigning(signer);
  verdicts.push({
    ok: validity === null && usage !== false,
    check: 'signer certificate',
    detail:
      validity ?? (usage === false ? 'its key usage does not allow signing (neither digitalSignature nor nonRepudiation)' : `valid at the signing time ${toIsoUtc(at)}, key usage allows signing`),
  });
  const chain = evaluateChain(signer, check.certificates, options.trustAnchors, at);
  verdicts.push({ ok: chain.trusted, check: 'certificate chain', detail: chain.detail });
  if (timestamp === null) {
    verdicts.push({ ok: null, check: 'timestamp', detail: `none: the signing time ${claimedTime === null ? 'is unknown' : `${toIsoUtc(claimedTime)} is the signer's own claim`}` });
  } else {
    const tsa = timestamp.check.signerCertificate;
    const problems = [
      ...(timestamp.imprintMatches ? [] : ['it stamps another signature']),
      ...(timestamp.check.digestMatches && timestamp.check.signatureValid ? [] : ['its own signature does not verify']),
    ];
    const tsaChain = tsa === null ? null : evaluateChain(tsa, timestamp.check.certificates, options.trustAnchors, timestamp.genTime);
    if (tsaChain !== null && !tsaChain.trusted) problems.push(`timestamp authority ${tsaChain.detail}`);
    verdicts.push({
      ok: problems.length === 0,
      check: 'timestamp',
      detail: problems.length === 0 ? `RFC 3161 time ${toIsoUtc(timestamp.genTime)} from "${tsa === null ? '?' : commonNameOf(tsa)}"` : problems.join('; '),
    });
  }
  return verdicts;
}

/** `keywordPrefix`: pdf-evidence.ts's KEYWORD_PREFIX (that module loads with pdf-lib, so it is passed in). */
function evidenceVerdicts(evidence: PdfEvidence, snapshotFile: { path: string; sha256: string } | null, options: VerifyOptions, keywordPrefix: string): Verdict[] {
  const verdicts: Verdict[] = [];
  const { info } = evidence;
  const snapshot = evidence.attachments.find((attachment) => attachment.fileName === info.snapshotFileName && attachment.relationship === 'Source');
  if (info.snapshotSha256 === null || snapshot === undefined) {
    verdicts.push({ ok: false, check: 'embedded snapshot', detail: 'the PDF carries no iam-audit snapshot (no IamAuditSnapshotSha256 / attachment)' });
    return verdicts;
  }
  const embeddedSha256 = sha256Hex(snapshot.bytes);
  const keywordSha256 = info.keywords?.split(/[\s,;]+/).find((word) => word.startsWith(keywordPrefix))?.slice(keywordPrefix.length) ?? null;
  const agree = embeddedSha256 === info.snapshotSha256 && keywordSha256 === info.snapshotSha256;
  verdicts.push({
    ok: agree,
    check: 'embedded snapshot',
    detail: agree
      ? `${snapshot.fileName} (${snapshot.bytes.length} bytes), SHA-256 ${embeddedSha256}, matches the document metadata`
      : `${snapshot.fileName} hashes to ${embeddedSha256}, the metadata states ${info.snapshotSha256} and the keywords ${keywordSha256 ?? 'nothing'}`,
  });
  if (snapshotFile !== null) {
    verdicts.push({
      ok: snapshotFile.sha256 === embeddedSha256,
      check: '--snapshot',
      detail: snapshotFile.sha256 === embeddedSha256 ? `${snapshotFile.path} is byte for byte the embedded snapshot` : `${snapshotFile.path} (SHA-256 ${snapshotFile.sha256}) is not the embedded snapshot`,
    });
  }
  if (options.reproduce !== null) {
    const findings = evidence.attachments.find((attachment) => attachment.fileName === info.findingsFileName && attachment.relationship === 'Data');
    if (findings === undefined) verdicts.push({ ok: false, check: 'reproduce', detail: 'the PDF carries no findings JSON to compare a re-run against' });
    else verdicts.push(...options.reproduce(snapshot, findings, evidence.attachments));
  }
  return verdicts;
}

export async function verifyPdf(path: string, options: VerifyOptions): Promise<Verdict[]> {
  const pdf = await readInput(path);
  if (!pdf.subarray(0, 5).equals(Buffer.from('%PDF-'))) throw new InputError(path, null, 'not a PDF (it does not start with %PDF-)');
  const snapshotFile = options.snapshotPath === undefined ? null : { path: options.snapshotPath, sha256: sha256Hex(await readInput(options.snapshotPath)) };
  const locations = locateSignatures(pdf, path);
  if (locations.length === 0) {
    // A cut-off file loses its end first: say "truncated" rather than "unsigned" when %%EOF is gone.
    if (!pdf.subarray(-1024).includes('%%EOF')) throw new InputError(path, null, 'truncated or damaged: no %%EOF at its end and no signature found');
    throw new InputError(path, null, 'not signed: the PDF holds no signature (/ByteRange)');
  }
  const [{ readPdfEvidence, KEYWORD_PREFIX }, checks] = await Promise.all([import('./pdf-evidence.js'), signatureChecks()]);
  let evidence: PdfEvidence | null = null;
  let evidenceProblem: string | null = null;
  try {
    evidence = await readPdfEvidence(pdf);
  } catch (error) {
    evidenceProblem = (error as Error).message;
  }
  const verdicts: Verdict[] = [];
  for (const [index, location] of locations.entries()) {
    const what = locations.length === 1 ? 'PDF' : `PDF signature ${index + 1}:`;
    const dictionary: SignatureDictionary | undefined = evidence?.signatures[index];
    const [start, , secondStart, secondLength] = location.byteRange;
    const coversAll = start === 0 && secondStart + secondLength === pdf.length;
    // Only the last signature can cover the whole file; earlier ones end where an update begins.
    if (index === locations.length - 1) {
      verdicts.push({
        ok: coversAll,
        check: 'document coverage',
        detail: coversAll ? `the signature covers the whole file (${pdf.length} bytes) except its own /Contents` : `${pdf.length - (secondStart + secondLength)} bytes were added after the signed range`,
      });
    }
    let check: CmsCheck;
    try {
      check = checks.checkCms(location.contents, signedBytes(pdf, location.byteRange));
    } catch (error) {
      verdicts.push({ ok: false, check: `${what} signature`, detail: `unreadable signature (${(error as Error).message})` });
      continue;
    }
    verdicts.push({
      ok: check.digestMatches,
      check: 'document digest',
      detail: check.digestMatches
        ? `${check.digestAlgorithm.toUpperCase().replace("SHA", "SHA-")} over the signed byte ranges matches the signature`
        : `${check.digestAlgorithm.toUpperCase().replace("SHA", "SHA-")} over the signed byte ranges does not match the signature: the document was changed after signing`,
    });
    verdicts.push(...signatureVerdicts(checks, check, dictionary?.signingTime ?? null, options, what));
    if (dictionary !== undefined) {
      verdicts.push({
        ok: null,
        check: 'signed',
        detail: `by "${dictionary.signerName ?? '?'}", reason "${dictionary.reason ?? ''}", location "${dictionary.location ?? ''}", at ${dictionary.signingTime === null ? '?' : toIsoUtc(dictionary.signingTime)} (${dictionary.subFilter ?? '?'})`,
      });
    }
  }
  if (evidence === null) verdicts.push({ ok: false, check: 'embedded snapshot', detail: `the PDF's structure could not be read (${evidenceProblem ?? 'unknown'})` });
  else verdicts.push(...evidenceVerdicts(evidence, snapshotFile, options, KEYWORD_PREFIX));
  return verdicts;
}

export async function verifyManifest(path: string, options: VerifyOptions): Promise<Verdict[]> {
  const manifestBytes = await readInput(path);
  let manifest: ReturnType<typeof parseManifest>;
  try {
    manifest = parseManifest(manifestBytes.toString('utf8'));
  } catch (error) {
    throw new InputError(path, null, (error as Error).message);
  }
  const folder = dirname(path);
  const verdicts: Verdict[] = [];
  // manifest.json -> manifest.json.p7s, as the report run writes it.
  const signaturePath = join(folder, `${basename(path)}.p7s`);
  let signature: Buffer | null = null;
  try {
    signature = await readFile(signaturePath);
  } catch {
    // absent signature: reported as a failed check below, not an input error
    signature = null;
  }
  if (signature === null) {
    verdicts.push({ ok: false, check: 'manifest signature', detail: `${signaturePath} not found: the manifest is unsigned (integrity only, no proof of origin)` });
  } else {
    const checks = await signatureChecks();
    try {
      const check = checks.checkCms(signature, manifestBytes);
      verdicts.push({
        ok: check.digestMatches,
        check: 'manifest digest',
        detail: check.digestMatches ? `SHA-256 of ${basename(path)} matches ${basename(signaturePath)}` : `${basename(path)} was changed after it was signed`,
      });
      verdicts.push(...signatureVerdicts(checks, check, check.signingTime, options, 'manifest'));
    } catch (error) {
      verdicts.push({ ok: false, check: 'manifest signature', detail: `${signaturePath} is not a readable CMS signature (${(error as Error).message})` });
    }
  }
  for (const artifact of manifest.artifacts) {
    let bytes: Buffer;
    try {
      bytes = await readFile(join(folder, artifact.name));
    } catch (error) {
      verdicts.push({ ok: false, check: artifact.name, detail: describeFsError(error) });
      continue;
    }
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const ok = sha256 === artifact.sha256 && bytes.length === artifact.size;
    verdicts.push({ ok, check: artifact.name, detail: ok ? `${bytes.length} bytes, SHA-256 matches` : `changed: ${bytes.length} bytes, SHA-256 ${sha256}; the manifest says ${artifact.size} bytes, ${artifact.sha256}` });
  }
  if (options.snapshotPath !== undefined) {
    const sha256 = sha256Hex(await readInput(options.snapshotPath));
    verdicts.push({ ok: sha256 === manifest.snapshot.sha256, check: '--snapshot', detail: sha256 === manifest.snapshot.sha256 ? `${options.snapshotPath} is the snapshot the manifest names` : `${options.snapshotPath} is not the snapshot the manifest names (${manifest.snapshot.sha256})` });
  }
  return verdicts;
}
