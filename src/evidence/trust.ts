import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { describeFsError } from '../snapshot/io.js';
import { InputError } from '../util/errors.js';
import { toIsoUtc } from '../util/time.js';
import { commonNameOf } from './certificate.js';

/** Reads every certificate of a PEM file (a CA bundle) given with --trust. */
export async function loadTrustAnchors(path: string): Promise<X509Certificate[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError(path, null, describeFsError(error));
  }
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new InputError(path, null, 'holds no PEM certificate (-----BEGIN CERTIFICATE-----)');
  return blocks.map((block, index) => {
    try {
      return new X509Certificate(block);
    } catch (error) {
      throw new InputError(path, `certificate ${index + 1}`, `unreadable (${(error as Error).message})`);
    }
  });
}

export interface ChainVerdict {
  readonly trusted: boolean;
  readonly detail: string;
  /** The certificates from the leaf up to the anchor (as far as they were found). */
  readonly path: readonly X509Certificate[];
}

function issuedBy(certificate: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return certificate.checkIssued(issuer) && certificate.verify(issuer.publicKey);
  } catch {
    // keys of a type node cannot use for this check: not the issuer
    return false;
  }
}

function validAt(certificate: X509Certificate, at: Date): string | null {
  const from = new Date(certificate.validFrom);
  const to = new Date(certificate.validTo);
  if (at < from) return `"${commonNameOf(certificate)}" was not valid yet at ${toIsoUtc(at)} (valid from ${toIsoUtc(from)})`;
  if (at > to) return `"${commonNameOf(certificate)}" had expired at ${toIsoUtc(at)} (valid until ${toIsoUtc(to)})`;
  return null;
}

/**
 * Builds the path from `leaf` to one of `anchors` through `pool` (the certificates the signature
 * carries), checking each link's signature and each certificate's validity at `at`.
 */
export function evaluateChain(leaf: X509Certificate, pool: readonly X509Certificate[], anchors: readonly X509Certificate[], at: Date): ChainVerdict {
  const selfSigned = issuedBy(leaf, leaf);
  if (anchors.length === 0) {
    return {
      trusted: false,
      path: [leaf],
      detail: selfSigned
        ? `not trusted: self-signed certificate "${commonNameOf(leaf)}" and no --trust given`
        : `not checked: no --trust CA.pem given (issuer "${leaf.issuer.replace(/\n/g, ', ')}")`,
    };
  }
  const path: X509Certificate[] = [leaf];
  let current = leaf;
  for (let depth = 0; depth < 10; depth += 1) {
    const anchor = anchors.find((candidate) => candidate.fingerprint256 === current.fingerprint256 || issuedBy(current, candidate));
    if (anchor !== undefined) {
      if (anchor.fingerprint256 !== current.fingerprint256) path.push(anchor);
      const expired = path.map((certificate) => validAt(certificate, at)).filter((problem): problem is string => problem !== null);
      if (expired.length > 0) return { trusted: false, path, detail: `chain to trusted "${commonNameOf(anchor)}" but ${expired.join('; ')}` };
      return { trusted: true, path, detail: `trusted: ${path.map((certificate) => `"${commonNameOf(certificate)}"`).join(' <- ')}` };
    }
    if (issuedBy(current, current)) {
      return {
        trusted: false,
        path,
        detail: `not trusted: ${current === leaf ? 'self-signed certificate' : 'root'} "${commonNameOf(current)}" is not among the --trust certificates`,
      };
    }
    const issuer = pool.find((candidate) => candidate.fingerprint256 !== current.fingerprint256 && candidate.ca && issuedBy(current, candidate));
    if (issuer === undefined) {
      return { trusted: false, path, detail: `not trusted: the issuer of "${commonNameOf(current)}" is neither in the signature nor among the --trust certificates` };
    }
    path.push(issuer);
    current = issuer;
  }
  return { trusted: false, path, detail: 'not trusted: certificate chain longer than 10' };
}

export function validityProblem(certificate: X509Certificate, at: Date): string | null {
  return validAt(certificate, at);
}
