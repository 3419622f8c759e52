import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { AnalysisResult } from '../analyze/result.js';
import type { LoadedSnapshot } from '../snapshot/io.js';
import type { OutputContent, OutputFile, WrittenFile } from '../util/files.js';
import { toIsoUtc } from '../util/time.js';
import { checkedArtifact, describeArtifact, manifestFileNames, MANIFEST_VERSION, renderManifest, renderSha256Sums, signManifest, type Manifest, type ManifestArtifact, type ManifestSignOptions } from './manifest.js';
import type { PadesLevel } from './pades.js';
import type { HashName } from './pki-asn1.js';
import type { RevocationSources } from './revocation.js';
import type { EvidenceSigner } from './signer.js';
import type { PdfEvidenceInput } from './pdf-evidence.js';
import type { PDFDocument } from 'pdf-lib';

/** What `report --sign-p12 ...` asks for; the signer is loaded and checked before any work. */
export interface SigningSettings {
  readonly signer: EvidenceSigner;
  readonly reason: string;
  readonly location: string;
  readonly signerName?: string;
  readonly timestampUrl?: string;
  /** PAdES level of the PDF signature (b-t with a timestamp authority, b-b without, by default). */
  readonly level?: PadesLevel;
  /** Digest algorithm of the signatures: SHA-256 by default. */
  readonly hash?: HashName;
  /** Revocation data given as files (--ocsp-response, --crl), used before the network. */
  readonly revocation?: RevocationSources;
}

export interface EvidenceContext {
  readonly result: AnalysisResult;
  readonly loaded: LoadedSnapshot;
  readonly outDir: string;
  /** The run clock's "now" for the evidence: signing time, manifest time (SOURCE_DATE_EPOCH honoured). */
  readonly now: Date;
  /** Stem of the report files (iam_audit_<time>): names the embedded findings JSON. */
  readonly stem: string;
  readonly signing?: SigningSettings;
  /** The configuration and exceptions files used, embedded in the PDF as they were read. */
  readonly config?: { readonly fileName: string; readonly bytes: Uint8Array };
  readonly exceptions?: { readonly fileName: string; readonly bytes: Uint8Array };
  /** The owners mapping and management responses files used (report --owners, --responses). */
  readonly owners?: { readonly fileName: string; readonly bytes: Uint8Array };
  readonly responses?: { readonly fileName: string; readonly bytes: Uint8Array };
}

export function asBytes(content: OutputContent): Uint8Array {
  if (typeof content === 'string') return Buffer.from(content, 'utf8');
  if (content instanceof Uint8Array) return content;
  return Buffer.concat([...content].map((piece) => (typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece)));
}

/** The findings CSV's name beside the report: iam_audit_<time> -> iam_audit_findings_<time>.csv (another stem: <stem>.findings.csv). */
function findingsCsvName(stem: string): string {
  return stem.startsWith('iam_audit_') ? `iam_audit_findings_${stem.slice('iam_audit_'.length)}.csv` : `${stem}.findings.csv`;
}

/**
 * Before anything is written: puts the evidence into every PDF (the exact snapshot, the
 * configuration and exceptions used, the findings JSON) and signs it when asked. Since writing is
 * all-or-nothing, a failed signature leaves no unsigned PDF behind.
 */
export async function embedPdfEvidence(files: readonly OutputFile[], context: EvidenceContext, embedded: ReadonlySet<string> = new Set()): Promise<OutputFile[]> {
  const outputs: OutputFile[] = [];
  for (const file of files) {
    if (!/\.pdf$/i.test(file.fileName)) {
      outputs.push(file);
      continue;
    }
    // A PDF the renderer gave its evidence before saving (reportPdfEvidence) is only signed.
    const withEvidence = embedded.has(file.fileName) ? asBytes(file.content) : await (await import('./pdf-evidence.js')).finalisePdfEvidence(asBytes(file.content), await reportEvidenceInput(context));
    const content = await signedWhenAsked(withEvidence, context.signing, context.now);
    outputs.push({ fileName: file.fileName, content });
  }
  return outputs;
}

/** The report's evidence as the PDF renderer takes it (render/pdf.ts, `whilePrinting` and `beforeSave`). */
export interface ReportPdfEvidence {
  /** Starts rendering the attached files (findings JSON and CSVs): the renderer calls it while Chromium prints. */
  readonly prepare: () => void;
  /** Puts the evidence into the document about to be saved (its one save, as PDF_EVIDENCE_SAVE_OPTIONS say); embedPdfEvidence, told so, only signs. */
  readonly add: (document: PDFDocument) => Promise<void>;
}

export function reportPdfEvidence(context: EvidenceContext): ReportPdfEvidence {
  let input: Promise<PdfEvidenceInput> | null = null;
  const prepared = (): Promise<PdfEvidenceInput> => (input ??= reportEvidenceInput(context));
  return {
    // A failure here is thrown again by `add`, which awaits the same promise.
    prepare: () => void prepared().catch(() => undefined),
    add: async (document) => {
      const { addPdfEvidence } = await import('./pdf-evidence.js');
      await addPdfEvidence(document, await prepared());
    },
  };
}

/** What the report's PDF carries: the exact snapshot, the configuration and other files used, the findings JSON and CSVs. */
async function reportEvidenceInput(context: EvidenceContext): Promise<PdfEvidenceInput> {
  const { result, loaded } = context;
  const tool = result.tool;
  // Loaded only for a PDF: pdf-lib and the signing libraries slow every run that prints none.
  const [{ renderJsonChunks }, { findingsCsvChunks }, { renderMfaCsv }] = await Promise.all([import('../render/json.js'), import('../render/findings-csv.js'), import('../render/mfa-csv.js')]);
  return {
    snapshotBytes: loaded.bytes,
    snapshotFileName: result.snapshot.fileName,
    snapshotSha256: loaded.sha256,
    ...(context.config === undefined ? {} : { configBytes: context.config.bytes, configFileName: context.config.fileName }),
    ...(context.exceptions === undefined ? {} : { exceptionsBytes: context.exceptions.bytes, exceptionsFileName: context.exceptions.fileName }),
    otherSources: [
      ...(context.owners === undefined ? [] : [{ ...context.owners, description: 'owners mapping used for the findings\' owners' }]),
      ...(context.responses === undefined ? [] : [{ ...context.responses, description: 'management responses shown next to the findings' }]),
    ],
    // From the chunks, never one string: a large account's report outgrows what a string can hold.
    findingsJsonBytes: asBytes(renderJsonChunks(result)),
    findingsFileName: `${context.stem}.json`,
    // The full listings the printed report shortens: every rule result with its evidence, every user's MFA verdict.
    dataFiles: [
      { fileName: findingsCsvName(context.stem), bytes: asBytes(findingsCsvChunks(result)), description: 'every rule result of this report with its evidence, as CSV' },
      { fileName: `${context.stem}.csv`, bytes: asBytes(renderMfaCsv(result)), description: "every IAM user's MFA verdict, as CSV" },
    ],
    metadata: { createdAt: context.now, toolName: tool.name, toolVersion: tool.version },
  };
}

/**
 * After the run's files were written (staged): the manifest listing each with its size and
 * SHA-256 (and the snapshot when it lies in the output folder), the SHA256SUMS file, and with a
 * certificate the detached CMS signature of the manifest.
 */
export async function manifestOutputs(written: readonly WrittenFile[], context: EvidenceContext): Promise<OutputFile[]> {
  const { result, loaded, signing } = context;
  const names = manifestFileNames(context.stem);
  const artifacts: ManifestArtifact[] = [];
  const snapshotInOutDir = insideOutDir(context.outDir, loaded.path);
  // The digest taken when the snapshot was read or written: no second pass over its bytes.
  if (snapshotInOutDir !== null) artifacts.push(checkedArtifact(snapshotInOutDir, loaded.size ?? loaded.bytes.length, loaded.sha256));
  for (const file of written) artifacts.push(checkedArtifact(file.fileName.split(sep).join('/'), file.size, file.sha256));
  const manifest: Manifest = {
    manifestVersion: MANIFEST_VERSION,
    tool: { name: result.tool.name, version: result.tool.version },
    createdAt: toIsoUtc(context.now),
    snapshot: {
      fileName: result.snapshot.fileName,
      sha256: result.snapshot.sha256,
      capturedAt: result.snapshot.capturedAt,
      account: { id: result.snapshot.account.id, partition: result.snapshot.account.partition },
    },
    artifacts,
  };
  const manifestText = renderManifest(manifest);
  const outputs: OutputFile[] = [
    { fileName: names.manifest, content: manifestText },
    { fileName: names.sums, content: renderSha256Sums([...artifacts, describeArtifact(names.manifest, manifestText)]) },
  ];
  if (signing !== undefined) {
    const signOptions = manifestSignOptions(signing);
    outputs.push({ fileName: names.signature, content: await signManifest(Buffer.from(manifestText, 'utf8'), signing.signer, context.now, signing.timestampUrl, signOptions) });
    // SHA256SUMS signed too: `openssl cms -verify` on it, then `sha256sum -c`, checks every file with standard tools.
    outputs.push({ fileName: names.sumsSignature, content: await signManifest(Buffer.from(asBytes(outputs[1]?.content ?? '')), signing.signer, context.now, signing.timestampUrl, signOptions) });
  }
  return outputs;
}

/** The PDF signed with the settings given (pdf-sign and node-forge loaded only then), or as it is. */
export async function signedWhenAsked(pdf: Uint8Array, signing: SigningSettings | undefined, signingTime: Date): Promise<Uint8Array> {
  if (signing === undefined) return pdf;
  const { signPdf } = await import('./pdf-sign.js');
  return signPdf(pdf, signing.signer, {
    signingTime,
    reason: signing.reason,
    location: signing.location,
    ...(signing.signerName === undefined ? {} : { signerName: signing.signerName }),
    ...(signing.timestampUrl === undefined ? {} : { timestampUrl: signing.timestampUrl }),
    ...(signing.level === undefined ? {} : { level: signing.level }),
    ...(signing.hash === undefined ? {} : { hash: signing.hash }),
    ...(signing.revocation === undefined ? {} : { revocation: signing.revocation }),
  });
}

/** The manifest signatures follow the PDF's level: revocation values from B-LT on (CAdES-LT style). */
export function manifestSignOptions(signing: SigningSettings): ManifestSignOptions {
  return {
    ...(signing.hash === undefined ? {} : { hash: signing.hash }),
    withRevocation: signing.level === 'b-lt' || signing.level === 'b-lta',
    ...(signing.revocation === undefined ? {} : { revocation: signing.revocation }),
  };
}

/** Where `path` lies inside the output folder ('/'-separated), or null outside it. */
export function insideOutDir(outDir: string, path: string): string | null {
  const inside = relative(resolve(outDir), resolve(path));
  return inside.startsWith('..') || isAbsolute(inside) ? null : inside.split(sep).join('/');
}
