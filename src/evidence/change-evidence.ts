import { basename, sep } from 'node:path';
import type { OutputFile, WrittenFile } from '../util/files.js';
import { sha256Hex } from '../util/files.js';
import { toIsoUtc } from '../util/time.js';
import { checkedArtifact, describeArtifact, manifestFileNames, MANIFEST_VERSION, renderManifest, renderSha256Sums, signManifest, type ChangeReportInput, type Manifest, type ManifestArtifact } from './manifest.js';
import { asBytes, insideOutDir, signedWhenAsked, type SigningSettings } from './report-evidence.js';

/**
 * The evidence of a signed `diff` run: the change-report PDF carries NEW (as its snapshot, so
 * `verify` checks it like a report PDF's), OLD and the change report's JSON/CSV, and is signed;
 * the manifest lists the written files and has a `changeReport` section naming OLD and NEW.
 * Knows nothing of the comparison: app/archive/diff.ts hands over files and facts.
 */

/** One compared file as read, with what the manifest says of it. */
export interface ChangeSide {
  readonly path: string;
  readonly bytes: Uint8Array;
  readonly kind: ChangeReportInput['kind'];
  readonly capturedAt: string;
  readonly account: { readonly id: string; readonly partition: string };
  readonly snapshot: { readonly fileName: string; readonly sha256: string };
}

export interface ChangeEvidenceContext {
  readonly old: ChangeSide;
  readonly new: ChangeSide;
  readonly outDir: string;
  readonly now: Date;
  /** Stem of the change report files (iam_audit_changes_<time>). */
  readonly stem: string;
  readonly tool: { readonly name: string; readonly version: string };
  readonly signing?: SigningSettings;
  /** The change report as JSON and CSV, attached inside the PDF. */
  readonly changesJson?: Uint8Array;
  readonly changesCsv?: Uint8Array;
}

/** Attachment names: each file's own name; OLD gets an "old-" prefix when both share one. */
function attachmentNames(context: ChangeEvidenceContext): { old: string; new: string } {
  const newName = basename(context.new.path);
  const oldName = basename(context.old.path);
  return { new: newName, old: oldName === newName ? `old-${oldName}` : oldName };
}

/** Before writing: every change-report PDF gets the evidence embedded and is signed when asked. */
export async function embedChangePdfEvidence(files: readonly OutputFile[], context: ChangeEvidenceContext): Promise<OutputFile[]> {
  const outputs: OutputFile[] = [];
  const names = attachmentNames(context);
  for (const file of files) {
    if (!/\.pdf$/i.test(file.fileName)) {
      outputs.push(file);
      continue;
    }
    const { finalisePdfEvidence } = await import('./pdf-evidence.js');
    const withEvidence = await finalisePdfEvidence(asBytes(file.content), {
      snapshotBytes: context.new.bytes,
      snapshotFileName: names.new,
      snapshotSha256: sha256Hex(context.new.bytes),
      otherSources: [{ fileName: names.old, bytes: context.old.bytes, description: 'OLD: the earlier audit this change report compares against' }],
      ...(context.changesJson === undefined ? {} : { findingsJsonBytes: context.changesJson, findingsFileName: `${context.stem}.json` }),
      dataFiles: context.changesCsv === undefined ? [] : [{ fileName: `${context.stem}.csv`, bytes: context.changesCsv, description: 'every change of this report, as CSV' }],
      metadata: { createdAt: context.now, toolName: context.tool.name, toolVersion: context.tool.version },
    });
    const content = await signedWhenAsked(withEvidence, context.signing, context.now);
    outputs.push({ fileName: file.fileName, content });
  }
  return outputs;
}

function sideOf(side: ChangeSide): ChangeReportInput {
  return { file: basename(side.path), sha256: sha256Hex(side.bytes), kind: side.kind, capturedAt: side.capturedAt, account: side.account, snapshot: side.snapshot };
}

/**
 * After the change report's files were written (staged): the manifest (with its `changeReport`
 * section), SHA256SUMS and, with a certificate, the manifest's detached CMS signature. OLD and NEW
 * are listed as artifacts too when they lie in the output folder.
 */
export async function changeManifestOutputs(written: readonly WrittenFile[], context: ChangeEvidenceContext): Promise<OutputFile[]> {
  const names = manifestFileNames(context.stem);
  const artifacts: ManifestArtifact[] = [];
  for (const side of [context.old, context.new]) {
    const inside = insideOutDir(context.outDir, side.path);
    if (inside !== null && !artifacts.some((artifact) => artifact.name === inside)) artifacts.push(describeArtifact(inside, side.bytes));
  }
  const files = written.map((file) => file.fileName.split(sep).join('/'));
  for (const [index, file] of written.entries()) artifacts.push(checkedArtifact(files[index] ?? file.fileName, file.size, file.sha256));
  const manifest: Manifest = {
    manifestVersion: MANIFEST_VERSION,
    tool: { name: context.tool.name, version: context.tool.version },
    createdAt: toIsoUtc(context.now),
    // The later audit's snapshot: what `verify --snapshot` checks against.
    snapshot: { fileName: context.new.snapshot.fileName, sha256: context.new.snapshot.sha256, capturedAt: context.new.capturedAt, account: context.new.account },
    artifacts,
    changeReport: { old: sideOf(context.old), new: sideOf(context.new), files },
  };
  const manifestText = renderManifest(manifest);
  const outputs: OutputFile[] = [
    { fileName: names.manifest, content: manifestText },
    { fileName: names.sums, content: renderSha256Sums([...artifacts, describeArtifact(names.manifest, manifestText)]) },
  ];
  if (context.signing !== undefined) {
    outputs.push({ fileName: names.signature, content: await signManifest(Buffer.from(manifestText, 'utf8'), context.signing.signer, context.now, context.signing.timestampUrl) });
  }
  return outputs;
}
