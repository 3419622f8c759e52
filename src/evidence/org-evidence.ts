import type { OutputFile } from '../util/files.js';
import { sha256Hex } from '../util/files.js';
import { asBytes, signedWhenAsked, type SigningSettings } from './report-evidence.js';

/**
 * The evidence inside an organisation report PDF (issue 24): the organisation index it was made
 * from (it names every account's snapshot with its SHA-256) in the place an account report carries
 * its snapshot, so `verify` checks it the same way (and `verify --snapshot org-index.json`), and
 * the roll-up as JSON and CSV; then signed like an account report PDF when a certificate is given.
 * Knows nothing of the roll-up: app/org/org-report.ts hands over the bytes.
 */
export interface OrgEvidenceContext {
  /** The index read, or for a folder of snapshots the index made of it (each snapshot's SHA-256 filled in). */
  readonly source: { readonly fileName: string; readonly bytes: Uint8Array };
  readonly now: Date;
  readonly tool: { readonly name: string; readonly version: string };
  readonly signing?: SigningSettings;
  /** The organisation report's own files, attached as data. */
  readonly dataFiles: readonly { readonly fileName: string; readonly bytes: Uint8Array; readonly description: string }[];
}

/** Before writing: every organisation PDF gets the evidence embedded and is signed when asked. */
export async function embedOrgPdfEvidence(files: readonly OutputFile[], context: OrgEvidenceContext): Promise<OutputFile[]> {
  const outputs: OutputFile[] = [];
  for (const file of files) {
    if (!/\.pdf$/i.test(file.fileName)) {
      outputs.push(file);
      continue;
    }
    const { finalisePdfEvidence } = await import('./pdf-evidence.js');
    const withEvidence = await finalisePdfEvidence(asBytes(file.content), {
      snapshotBytes: context.source.bytes,
      snapshotFileName: context.source.fileName,
      snapshotSha256: sha256Hex(context.source.bytes),
      snapshotDescription: `iam-audit organisation index the report was made from, naming every account's snapshot and its SHA-256 (SHA-256 ${sha256Hex(context.source.bytes)})`,
      dataFiles: context.dataFiles,
      metadata: { createdAt: context.now, toolName: context.tool.name, toolVersion: context.tool.version },
    });
    outputs.push({ fileName: file.fileName, content: await signedWhenAsked(withEvidence, context.signing, context.now) });
  }
  return outputs;
}
