import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { AnalysisResult } from '../analyze/result.js';
import { renderJson } from '../render/json.js';
import type { LoadedSnapshot } from '../snapshot/io.js';
import type { OutputFile } from '../util/files.js';
import { toIsoUtc } from '../util/time.js';
import { describeArtifact, MANIFEST_FILE, MANIFEST_SIGNATURE_FILE, MANIFEST_VERSION, renderManifest, renderSha256Sums, SHA256SUMS_FILE, signManifest, type Manifest, type ManifestArtifact } from './manifest.js';
import { finalisePdfEvidence } from './pdf-evidence.js';
import { signPdf } from './pdf-sign.js';
import type { EvidenceSigner } from './signer.js';

/** What `report --sign-p12 ...` asks for; the signer is loaded and checked before any work. */
export interface SigningSettings {
  readonly signer: EvidenceSigner;
  readonly reason: string;
  readonly location: string;
  readonly signerName?: string;
  readonly timestampUrl?: string;
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
}

function asBytes(content: string | Uint8Array): Uint8Array {
  return typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
}

/**
 * The last step of a report run, before anything is written: puts the evidence into every PDF
 * (and signs it when asked), then appends manifest.json, SHA256SUMS and, when signing,
 * manifest.json.p7s. Returns the full list to write; since writing is all-or-nothing, a failed
 * signature leaves no unsigned PDF behind.
 */
export async function addEvidenceOutputs(files: readonly OutputFile[], context: EvidenceContext): Promise<OutputFile[]> {
  const { result, loaded, signing } = context;
  const tool = result.tool;
  const outputs: OutputFile[] = [];
  for (const file of files) {
    if (!/\.pdf$/i.test(file.fileName)) {
      outputs.push(file);
      continue;
    }
    const withEvidence = await finalisePdfEvidence(asBytes(file.content), {
      snapshotBytes: loaded.bytes,
      snapshotFileName: result.snapshot.fileName,
      snapshotSha256: loaded.sha256,
      ...(context.config === undefined ? {} : { configBytes: context.config.bytes, configFileName: context.config.fileName }),
      ...(context.exceptions === undefined ? {} : { exceptionsBytes: context.exceptions.bytes, exceptionsFileName: context.exceptions.fileName }),
      findingsJsonBytes: Buffer.from(renderJson(result), 'utf8'),
      findingsFileName: `${context.stem}.json`,
      metadata: { createdAt: context.now, toolName: tool.name, toolVersion: tool.version },
    });
    const content =
      signing === undefined
        ? withEvidence
        : await signPdf(withEvidence, signing.signer, {
            signingTime: context.now,
            reason: signing.reason,
            location: signing.location,
            ...(signing.signerName === undefined ? {} : { signerName: signing.signerName }),
            ...(signing.timestampUrl === undefined ? {} : { timestampUrl: signing.timestampUrl }),
          });
    outputs.push({ fileName: file.fileName, content });
  }

  const artifacts: ManifestArtifact[] = [];
  const snapshotInOutDir = relative(resolve(context.outDir), resolve(loaded.path));
  if (!snapshotInOutDir.startsWith('..') && !isAbsolute(snapshotInOutDir)) artifacts.push(describeArtifact(snapshotInOutDir.split(sep).join('/'), loaded.bytes));
  for (const output of outputs) artifacts.push(describeArtifact(output.fileName.split(sep).join('/'), output.content));
  const manifest: Manifest = {
    manifestVersion: MANIFEST_VERSION,
    tool: { name: tool.name, version: tool.version },
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
  outputs.push({ fileName: MANIFEST_FILE, content: manifestText });
  outputs.push({ fileName: SHA256SUMS_FILE, content: renderSha256Sums([...artifacts, describeArtifact(MANIFEST_FILE, manifestText)]) });
  if (signing !== undefined) {
    outputs.push({ fileName: MANIFEST_SIGNATURE_FILE, content: await signManifest(Buffer.from(manifestText, 'utf8'), signing.signer, context.now, signing.timestampUrl) });
  }
  return outputs;
}
