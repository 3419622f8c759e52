import { createHash } from 'node:crypto';
import type { EvidenceSigner } from './signer.js';
import { sha256Hex } from '../util/files.js';

/**
 * The manifest: what one report run wrote, so an auditor can check every file with standard tools
 * (the SHA256SUMS file for `sha256sum -c`, the .p7s for `openssl cms -verify`).
 *
 * The names carry the run's stem (iam_audit_<audit start>.manifest.json, .SHA256SUMS,
 * .manifest.json.p7s) like every other file of the run, so monthly runs can share an evidence
 * folder without one run's manifest replacing another's.
 */
export function manifestFileNames(stem: string): { readonly manifest: string; readonly sums: string; readonly signature: string } {
  return { manifest: `${stem}.manifest.json`, sums: `${stem}.SHA256SUMS`, signature: `${stem}.manifest.json.p7s` };
}
export const MANIFEST_VERSION = 1;

export interface ManifestArtifact {
  /** Path relative to the manifest's folder, '/'-separated. */
  readonly name: string;
  readonly size: number;
  readonly sha256: string;
}

export interface Manifest {
  readonly manifestVersion: number;
  readonly tool: { readonly name: string; readonly version: string };
  readonly createdAt: string;
  readonly snapshot: {
    readonly fileName: string;
    readonly sha256: string;
    readonly capturedAt: string;
    readonly account: { readonly id: string; readonly partition: string };
  };
  readonly artifacts: readonly ManifestArtifact[];
  /** A `diff` run's own section: the two audits compared and the change report's files. */
  readonly changeReport?: ChangeReportSection;
}

/** One side of a change report: the snapshot or report JSON file `diff` read. */
export interface ChangeReportInput {
  readonly file: string;
  readonly sha256: string;
  readonly kind: 'snapshot' | 'report-json';
  readonly capturedAt: string;
  readonly account: { readonly id: string; readonly partition: string };
  /** The snapshot behind it (the file itself for a snapshot). */
  readonly snapshot: { readonly fileName: string; readonly sha256: string };
}

export interface ChangeReportSection {
  readonly old: ChangeReportInput;
  readonly new: ChangeReportInput;
  /** The change report's files, as named in `artifacts`. */
  readonly files: readonly string[];
}

export function describeArtifact(name: string, content: string | Uint8Array): ManifestArtifact {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  return checkedArtifact(name, bytes.length, sha256Hex(bytes));
}

/** An artifact whose digest is already known (hashed while it was written). */
export function checkedArtifact(name: string, size: number, sha256: string): ManifestArtifact {
  if (/[\n\r\\]/.test(name)) throw new Error(`internal error: artifact name ${JSON.stringify(name)} cannot go into SHA256SUMS`);
  return { name, size, sha256 };
}

export function renderManifest(manifest: Manifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** GNU coreutils format: "<hex>  <name>" (two spaces: text mode, which is binary-safe on POSIX). */
export function renderSha256Sums(artifacts: readonly ManifestArtifact[]): string {
  return artifacts.map((artifact) => `${artifact.sha256}  ${artifact.name}\n`).join('');
}

/** Detached CMS (DER) over manifest.json's exact bytes, with signingTime: `openssl cms -verify -binary`. */
export async function signManifest(manifestBytes: Uint8Array, signer: EvidenceSigner, signingTime: Date, timestampUrl?: string): Promise<Buffer> {
  const digest = createHash('sha256').update(manifestBytes).digest();
  // Loaded only when signing: the CMS code (node-forge) is no part of an unsigned run.
  const { createDetachedCms } = await import('./cms.js');
  return createDetachedCms(digest, signer, { signingTime, ...(timestampUrl === undefined ? {} : { timestampUrl }) });
}

export function parseManifest(text: string): Manifest {
  const document = JSON.parse(text) as Partial<Manifest>;
  if (typeof document !== 'object' || document === null || document.manifestVersion !== MANIFEST_VERSION || !Array.isArray(document.artifacts)) {
    throw new Error(`not an iam-audit manifest (version ${MANIFEST_VERSION})`);
  }
  for (const artifact of document.artifacts as unknown[]) {
    const candidate = artifact as Partial<ManifestArtifact>;
    if (typeof candidate.name !== 'string' || typeof candidate.sha256 !== 'string' || typeof candidate.size !== 'number') {
      throw new Error('an artifact entry lacks name, size or sha256');
    }
  }
  return document as Manifest;
}
