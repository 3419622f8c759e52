import { createHash } from 'node:crypto';
import type { HashName } from './pki-asn1.js';
import type { RevocationSources } from './revocation.js';
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
export function manifestFileNames(stem: string): { readonly manifest: string; readonly sums: string; readonly signature: string; readonly sumsSignature: string } {
  return { manifest: `${stem}.manifest.json`, sums: `${stem}.SHA256SUMS`, signature: `${stem}.manifest.json.p7s`, sumsSignature: `${stem}.SHA256SUMS.p7s` };
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

export interface ManifestSignOptions {
  readonly hash?: HashName;
  /** Embed the revocation values of the signer's chain (CAdES revocation-values attribute). */
  readonly withRevocation?: boolean;
  readonly revocation?: RevocationSources;
}

/**
 * Detached CMS (DER) over a file's exact bytes (the manifest, SHA256SUMS), with signingTime:
 * `openssl cms -verify -binary`. With a timestamp authority CAdES-T; with revocation CAdES
 * revocation values for the signer's chain too.
 */
export async function signManifest(manifestBytes: Uint8Array, signer: EvidenceSigner, signingTime: Date, timestampUrl?: string, options: ManifestSignOptions = {}): Promise<Buffer> {
  const hash = options.hash ?? 'sha256';
  const digest = createHash(hash).update(manifestBytes).digest();
  // Loaded only when signing: the CMS code is no part of an unsigned run.
  const [{ createDetachedCms, checkCms }, revocation, pades] = await Promise.all([
    import('./cms.js'),
    options.withRevocation === true ? import('./revocation.js') : Promise.resolve(null),
    options.withRevocation === true ? import('./pades.js') : Promise.resolve(null),
  ]);
  // CAdES revocation values for the signer's chain and the timestamp authority's, as of signing.
  const collect =
    revocation === null || pades === null
      ? undefined
      : async (token: Buffer | null) => {
          const stamp = token === null ? null : checkCms(token, null);
          const pool = [...signer.chain, ...(stamp?.certificates ?? [])];
          const leaves = [signer.certificate, ...(stamp?.signerCertificate === null || stamp === null ? [] : [stamp.signerCertificate])];
          const chain = leaves.flatMap((leaf) => pades.pathOf(leaf, pool)).filter((certificate, index, all) => all.findIndex((other) => other.fingerprint256 === certificate.fingerprint256) === index);
          const values = await revocation.collectRevocation(chain, pool, options.revocation ?? revocation.NO_REVOCATION_SOURCES, signingTime);
          return { ...values, certificates: chain };
        };
  return createDetachedCms(digest, signer, {
    signingTime,
    hash,
    ...(timestampUrl === undefined ? {} : { timestampUrl }),
    ...(collect === undefined ? {} : { revocation: collect }),
  });
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
