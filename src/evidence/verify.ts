import { createHash, type X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { describeFsError } from '../snapshot/io.js';
import { InputError } from '../util/errors.js';
import { sha256Hex } from '../util/files.js';
import { toIsoUtc } from '../util/time.js';
import type { CmsCheck, RevocationData, TimestampInfo } from './cms.js';
import type { SignatureLocation } from './pdf-signatures.js';
import { parseManifest } from './manifest.js';
import type { EmbeddedFile, PdfEvidence, SignatureDictionary } from './pdf-evidence.js';
import type { Verdict } from './verdict.js';

/**
 * The signature checks and certificate reading (node-forge), loaded for an input that carries a
 * signature; the PDF reader (pdf-lib) is loaded by verifyPdf: an unsigned manifest needs neither.
 */
async function signatureChecks() {
  const [cms, certificate, trust, validation, pdfSignatures] = await Promise.all([
    import('./cms.js'),
    import('./certificate.js'),
    import('./trust.js'),
    import('./validation.js'),
    import('./pdf-signatures.js'),
  ]);
  return {
    checkCms: cms.checkCms,
    readTimestamp: cms.readTimestamp,
    commonNameOf: certificate.commonNameOf,
    keyUsageAllowsSigning: certificate.keyUsageAllowsSigning,
    evaluateChain: trust.evaluateChain,
    validityProblem: trust.validityProblem,
    judgePath: validation.judgePath,
    locateSignatures: pdfSignatures.locateSignatures,
    signedBytes: pdfSignatures.signedBytes,
    isDocumentTimestamp: pdfSignatures.isDocumentTimestamp,
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
  /** The check's own time (--at): what "now" is for expiry and revocation. Default: the clock. */
  readonly at?: Date;
  /** No online OCSP/CRL: only the revocation data the file embeds. */
  readonly offline?: boolean;
}

/** The time a signature is judged at, and how the verdicts name it. */
interface JudgingTime {
  readonly time: Date;
  readonly name: string;
}


async function readInput(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new InputError(path, null, describeFsError(error));
  }
}

interface LongTermInput {
  readonly judging: JudgingTime;
  readonly embedded: RevocationData;
  /** Certificates the file carries besides the signature's (the DSS). */
  readonly pool: readonly X509Certificate[];
}

/** Verdicts shared by PDF and manifest signatures: the signer, its certificate and chain, the timestamp, revocation. */
async function signatureVerdicts(checks: SignatureChecks, check: CmsCheck, claimedTime: Date | null, options: VerifyOptions, what: string, longTerm: LongTermInput): Promise<Verdict[]> {
  const { commonNameOf, keyUsageAllowsSigning, evaluateChain, validityProblem, judgePath } = checks;
  const verdicts: Verdict[] = [];
  const signer = check.signerCertificate;
  verdicts.push(
    signer === null || !check.signatureValid
      ? { ok: false, check: `${what} signature`, detail: check.problems.join('; ') || 'does not verify' }
      : { ok: true, check: `${what} signature`, detail: `made by "${commonNameOf(signer)}" (certificate serial ${signer.serialNumber}), ${check.digestAlgorithm.toUpperCase()}, verifies with its key` },
  );
  if (signer === null) return verdicts;
  // The time the certificate must have been valid at: the timestamp's when there is one (a third
  // party's word), else the time the signer claims.
  const timestamp = check.timestamp;
  const at = timestamp?.genTime ?? claimedTime ?? check.signingTime ?? longTerm.judging.time;
  const validity = validityProblem(signer, at);
  const usage = keyUsageAllowsSigning(signer);
  verdicts.push({
    ok: validity === null && usage !== false,
    check: 'signer certificate',
    detail:
      validity ?? (usage === false ? 'its key usage does not allow signing (neither digitalSignature nor nonRepudiation)' : `valid at the signing time ${toIsoUtc(at)}, key usage allows signing`),
  });
  const context = { anchors: options.trustAnchors, now: options.at ?? new Date(), offline: options.offline === true, embedded: longTerm.embedded };
  const pool = [...check.certificates, ...longTerm.pool];
  const chain = evaluateChain(signer, pool, options.trustAnchors, at);
  verdicts.push({ ok: chain.trusted, check: 'certificate chain', detail: chain.detail });
  verdicts.push(...(await judgePath({ what: 'signer', leaf: signer, pool, signedAt: at, validAt: longTerm.judging.time, validAtName: longTerm.judging.name }, context)));
  if (timestamp === null) {
    verdicts.push({ ok: null, check: 'timestamp', detail: `none: the signing time ${claimedTime === null ? 'is unknown' : `${toIsoUtc(claimedTime)} is the signer's own claim`}` });
    return verdicts;
  }
  const tsa = timestamp.check.signerCertificate;
  const problems = [
    ...(timestamp.imprintMatches ? [] : ['it stamps another signature']),
    ...(timestamp.check.digestMatches && timestamp.check.signatureValid ? [] : ['its own signature does not verify']),
  ];
  const tsaPool = [...timestamp.check.certificates, ...longTerm.pool];
  const tsaChain = tsa === null ? null : evaluateChain(tsa, tsaPool, options.trustAnchors, timestamp.genTime);
  if (tsaChain !== null && !tsaChain.trusted) problems.push(`timestamp authority ${tsaChain.detail}`);
  verdicts.push({
    ok: problems.length === 0,
    check: 'timestamp',
    detail: problems.length === 0 ? `RFC 3161 time ${toIsoUtc(timestamp.genTime)} from "${tsa === null ? '?' : commonNameOf(tsa)}"` : problems.join('; '),
  });
  if (tsa !== null) verdicts.push(...(await judgePath({ what: 'signature timestamp', leaf: tsa, pool: tsaPool, signedAt: timestamp.genTime, validAt: longTerm.judging.time, validAtName: longTerm.judging.name }, context)));
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

/**
 * After the last signature only validation data (a DSS, PAdES B-LT) may have been appended: the
 * catalog again with the same page tree, the DSS and its streams; no page, annotation, form
 * field, signature or appearance.
 */
function onlyValidationData(signed: string, tail: string): boolean {
  if (!/\/Type\s*\/DSS\b/.test(tail)) return false;
  if (/\/Type\s*\/(Page|Pages|Annot|Sig|DocTimeStamp|XObject)\b|\/Subtype\s*\/Widget|\/FT\s*\//.test(tail)) return false;
  const pagesOf = (text: string): string | null => [...text.matchAll(/\/Type\s*\/Catalog[\s\S]*?\/Pages\s+(\d+\s+\d+)\s+R|\/Pages\s+(\d+\s+\d+)\s+R[\s\S]*?\/Type\s*\/Catalog/g)].map((match) => match[1] ?? match[2] ?? null).pop() ?? null;
  const before = pagesOf(signed);
  return before !== null && pagesOf(tail) === before;
}

/** A document timestamp's verdicts; `holds` says whether it may serve as proof of existence for what it covers. */
async function documentTimestampVerdicts(checks: SignatureChecks, pdf: Buffer, location: SignatureLocation, number: number, options: VerifyOptions, longTerm: LongTermInput): Promise<{ verdicts: Verdict[]; genTime: Date | null }> {
  const what = `document timestamp ${number}`;
  let timestamp: TimestampInfo;
  try {
    timestamp = checks.readTimestamp(location.contents, checks.signedBytes(pdf, location.byteRange));
  } catch (error) {
    return { verdicts: [{ ok: false, check: what, detail: `unreadable (${(error as Error).message})` }], genTime: null };
  }
  const tsa = timestamp.check.signerCertificate;
  const problems = [
    ...(timestamp.imprintMatches ? [] : ['its hash is not that of the bytes it covers: the document was changed']),
    ...(timestamp.check.signatureValid && tsa !== null ? [] : ['its own signature does not verify']),
  ];
  const verdicts: Verdict[] = [
    {
      ok: problems.length === 0,
      check: what,
      detail: problems.length === 0 ? `RFC 3161 time ${toIsoUtc(timestamp.genTime)} from "${tsa === null ? '?' : checks.commonNameOf(tsa)}" over bytes 0-${location.byteRange[2] + location.byteRange[3]} (ETSI.RFC3161)` : problems.join('; '),
    },
  ];
  if (tsa !== null) {
    const pool = [...timestamp.check.certificates, ...longTerm.pool];
    const chain = checks.evaluateChain(tsa, pool, options.trustAnchors, timestamp.genTime);
    verdicts.push({ ok: chain.trusted, check: `${what} chain`, detail: chain.detail });
    const context = { anchors: options.trustAnchors, now: options.at ?? new Date(), offline: options.offline === true, embedded: longTerm.embedded };
    verdicts.push(...(await checks.judgePath({ what, leaf: tsa, pool, signedAt: timestamp.genTime, validAt: longTerm.judging.time, validAtName: longTerm.judging.name }, context)));
  }
  return { verdicts, genTime: verdicts.every((verdict) => verdict.ok !== false) ? timestamp.genTime : null };
}

/** The DSS (PAdES B-LT): certificates and revocation data the file carries. */
async function longTermData(pdf: Buffer): Promise<{ certificates: X509Certificate[]; embedded: RevocationData }> {
  try {
    const [{ PDFDocument }, { readDss }] = await Promise.all([import('../render/pdf-library.js'), import('./pades.js')]);
    const dss = readDss(await PDFDocument.load(pdf, { updateMetadata: false, ignoreEncryption: true }));
    return { certificates: [...dss.certificates], embedded: { ocspResponses: dss.ocspResponses, crls: dss.crls } };
  } catch {
    // an unreadable structure is reported by the evidence check; no DSS is then used
    return { certificates: [], embedded: { ocspResponses: [], crls: [] } };
  }
}

export async function verifyPdf(path: string, options: VerifyOptions): Promise<Verdict[]> {
  const pdf = await readInput(path);
  if (!pdf.subarray(0, 5).equals(Buffer.from('%PDF-'))) throw new InputError(path, null, 'not a PDF (it does not start with %PDF-)');
  const snapshotFile = options.snapshotPath === undefined ? null : { path: options.snapshotPath, sha256: sha256Hex(await readInput(options.snapshotPath)) };
  const checks = await signatureChecks();
  const locations = checks.locateSignatures(pdf, path);
  if (locations.length === 0) {
    // A cut-off file loses its end first: say "truncated" rather than "unsigned" when %%EOF is gone.
    if (!pdf.subarray(-1024).includes('%%EOF')) throw new InputError(path, null, 'truncated or damaged: no %%EOF at its end and no signature found');
    throw new InputError(path, null, 'not signed: the PDF holds no signature (/ByteRange)');
  }
  const [{ readPdfEvidence, KEYWORD_PREFIX }, dss] = await Promise.all([import('./pdf-evidence.js'), longTermData(pdf)]);
  let evidence: PdfEvidence | null = null;
  let evidenceProblem: string | null = null;
  try {
    evidence = await readPdfEvidence(pdf);
  } catch (error) {
    evidenceProblem = (error as Error).message;
  }
  const now = options.at ?? new Date();
  // Newest first: each valid document timestamp moves the judging time back to its own time.
  let judging: JudgingTime = { time: now, name: options.at === undefined ? 'the time of this check' : 'the time given with --at' };
  const perSignature: Verdict[][] = [];
  const timestampNumbers = new Map(locations.filter(checks.isDocumentTimestamp).map((location, index) => [location, index + 1]));
  for (let index = locations.length - 1; index >= 0; index -= 1) {
    const location = locations[index] as SignatureLocation;
    const longTerm = { judging, embedded: dss.embedded, pool: dss.certificates };
    if (checks.isDocumentTimestamp(location)) {
      const number = timestampNumbers.get(location) ?? 0;
      const result = await documentTimestampVerdicts(checks, pdf, location, number, options, longTerm);
      perSignature[index] = result.verdicts;
      if (result.genTime !== null && result.genTime < judging.time) judging = { time: result.genTime, name: `the time of document timestamp ${number}` };
      continue;
    }
    perSignature[index] = await cmsSignatureVerdicts(checks, pdf, location, evidence?.signatures[index], index, locations.length, longTerm, options);
  }
  const verdicts: Verdict[] = [];
  const last = locations[locations.length - 1] as SignatureLocation;
  const signedEnd = last.byteRange[2] + last.byteRange[3];
  const coversAll = last.byteRange[0] === 0 && signedEnd === pdf.length;
  const validationOnly = !coversAll && onlyValidationData(pdf.subarray(0, signedEnd).toString('latin1'), pdf.subarray(signedEnd).toString('latin1'));
  verdicts.push({
    ok: coversAll || validationOnly,
    check: 'document coverage',
    detail: coversAll
      ? `the ${checks.isDocumentTimestamp(last) ? 'last document timestamp' : 'signature'} covers the whole file (${pdf.length} bytes) except its own /Contents`
      : validationOnly
        ? `the signature covers bytes 0-${signedEnd}; after it only validation data (a DSS, PAdES B-LT) was added`
        : `${pdf.length - signedEnd} bytes were added after the signed range`,
  });
  verdicts.push(...perSignature.flat());
  verdicts.push({ ok: null, check: 'validation time', detail: `valid at ${toIsoUtc(judging.time)}, ${judging.name}`, time: toIsoUtc(judging.time) });
  if (evidence === null) verdicts.push({ ok: false, check: 'embedded snapshot', detail: `the PDF's structure could not be read (${evidenceProblem ?? 'unknown'})` });
  else verdicts.push(...evidenceVerdicts(evidence, snapshotFile, options, KEYWORD_PREFIX));
  return verdicts;
}

async function cmsSignatureVerdicts(
  checks: SignatureChecks,
  pdf: Buffer,
  location: SignatureLocation,
  dictionary: SignatureDictionary | undefined,
  index: number,
  count: number,
  longTerm: LongTermInput,
  options: VerifyOptions,
): Promise<Verdict[]> {
  const what = count === 1 ? 'PDF' : `PDF signature ${index + 1}:`;
  let check: CmsCheck;
  try {
    check = checks.checkCms(location.contents, checks.signedBytes(pdf, location.byteRange));
  } catch (error) {
    return [{ ok: false, check: `${what} signature`, detail: `unreadable signature (${(error as Error).message})` }];
  }
  const hashName = check.digestAlgorithm.toUpperCase().replace('SHA', 'SHA-');
  const verdicts: Verdict[] = [
    {
      ok: check.digestMatches,
      check: 'document digest',
      detail: check.digestMatches ? `${hashName} over the signed byte ranges matches the signature` : `${hashName} over the signed byte ranges does not match the signature: the document was changed after signing`,
    },
  ];
  const embedded = { ocspResponses: [...longTerm.embedded.ocspResponses, ...check.revocationValues.basicOcspResponses], crls: [...longTerm.embedded.crls, ...check.revocationValues.crls] };
  verdicts.push(...(await signatureVerdicts(checks, check, dictionary?.signingTime ?? null, options, what, { ...longTerm, embedded })));
  if (dictionary !== undefined) {
    verdicts.push({
      ok: null,
      check: 'signed',
      detail: `by "${dictionary.signerName ?? '?'}", reason "${dictionary.reason ?? ''}", location "${dictionary.location ?? ''}", at ${dictionary.signingTime === null ? '?' : toIsoUtc(dictionary.signingTime)} (${dictionary.subFilter ?? '?'})`,
    });
  }
  return verdicts;
}

/** A detached CMS over a file (manifest.json, SHA256SUMS): digest, signer, chain, timestamp, revocation (its own values first). */
async function detachedSignatureVerdicts(checks: SignatureChecks, signature: Buffer, content: Buffer, path: string, signaturePath: string, what: string, options: VerifyOptions): Promise<Verdict[]> {
  try {
    const check = checks.checkCms(signature, content);
    const hashName = check.digestAlgorithm.toUpperCase().replace('SHA', 'SHA-');
    const judging = { time: options.at ?? new Date(), name: options.at === undefined ? 'the time of this check' : 'the time given with --at' };
    return [
      {
        ok: check.digestMatches,
        check: `${what} digest`,
        detail: check.digestMatches ? `${hashName} of ${basename(path)} matches ${basename(signaturePath)}` : `${basename(path)} was changed after it was signed`,
      },
      ...(await signatureVerdicts(checks, check, check.signingTime, options, what, { judging, embedded: { ocspResponses: check.revocationValues.basicOcspResponses, crls: check.revocationValues.crls }, pool: [] })),
    ];
  } catch (error) {
    return [{ ok: false, check: `${what} signature`, detail: `${signaturePath} is not a readable CMS signature (${(error as Error).message})` }];
  }
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
    verdicts.push(...(await detachedSignatureVerdicts(checks, signature, manifestBytes, path, signaturePath, 'manifest', options)));
    // The SHA256SUMS file of the same run, when it is signed too (report runs since issue 28).
    const sumsPath = path.replace(/\.manifest\.json$/, '.SHA256SUMS');
    const sums = sumsPath === path ? null : await readFile(sumsPath).catch(() => null);
    const sumsSignature = sums === null ? null : await readFile(`${sumsPath}.p7s`).catch(() => null);
    if (sums !== null && sumsSignature !== null) verdicts.push(...(await detachedSignatureVerdicts(checks, sumsSignature, sums, sumsPath, `${sumsPath}.p7s`, 'SHA256SUMS', options)));
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
