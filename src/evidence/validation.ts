import type { X509Certificate } from 'node:crypto';
import { toIsoUtc } from '../util/time.js';
import { commonNameOf } from './certificate.js';
import type { RevocationData } from './cms.js';
import { isSelfIssued, revocationAddresses } from './pki-asn1.js';
import { fetchRevocation, issuerIn, statusesFrom, type RevocationStatus } from './revocation.js';
import { evaluateChain } from './trust.js';
import type { Verdict } from './verdict.js';

/**
 * Long-term validation of one certificate path (a signer's or a timestamp authority's):
 * trusted at the time it signed, not expired and not revoked at the time the signature is
 * judged at. That time is the check's own time, or the time of the oldest document timestamp
 * that still holds (PAdES B-LTA): a timestamp proves the signature existed then, so a later
 * expiry or revocation no longer touches it.
 */
export interface ValidationContext {
  readonly anchors: readonly X509Certificate[];
  /** The check's own time (--at, else the clock). */
  readonly now: Date;
  readonly offline: boolean;
  /** Revocation data carried by the file (DSS, CMS revocation values). */
  readonly embedded: RevocationData;
}

export interface PathJudgement {
  readonly what: string;
  readonly leaf: X509Certificate;
  readonly pool: readonly X509Certificate[];
  /** When the leaf signed (its timestamp's time, else the claimed one). */
  readonly signedAt: Date;
  /** The time the signature is judged at. */
  readonly validAt: Date;
  /** How `validAt` is named in the verdicts: "the time of the document timestamp", "now". */
  readonly validAtName: string;
}

function describe(status: RevocationStatus, origin: string): string {
  return `${status.source} of ${toIsoUtc(status.issuedAt)} (${origin})`;
}

async function statusesOf(certificate: X509Certificate, issuer: X509Certificate, context: ValidationContext): Promise<{ statuses: { status: RevocationStatus; origin: string }[]; problems: string[] }> {
  const statuses = statusesFrom(context.embedded, certificate, issuer).map((status) => ({ status, origin: 'embedded' }));
  const problems: string[] = [];
  if (!context.offline) {
    try {
      const fetched = await fetchRevocation(certificate, issuer);
      if (fetched !== null) {
        const online = statusesFrom({ ocspResponses: fetched.ocsp === null ? [] : [fetched.ocsp], crls: fetched.crl === null ? [] : [fetched.crl] }, certificate, issuer);
        statuses.push(...online.map((status) => ({ status, origin: 'online' })));
      }
    } catch (error) {
      problems.push(`online check failed (${(error as Error).message})`);
    }
  }
  return { statuses, problems };
}

/** One verdict on the revocation of one certificate of a path. */
async function revocationVerdict(certificate: X509Certificate, pool: readonly X509Certificate[], judgement: PathJudgement, context: ValidationContext): Promise<Verdict> {
  const check = `revocation of "${commonNameOf(certificate)}"`;
  const issuer = issuerIn(certificate, [...pool, ...context.anchors]);
  if (issuer === null) return { ok: false, check, detail: 'its issuer is unknown, so its revocation cannot be checked' };
  const { statuses, problems } = await statusesOf(certificate, issuer, context);
  const revoked = statuses
    .filter((item) => item.status.status === 'revoked' && item.status.revokedAt !== null)
    .sort((left, right) => (left.status.revokedAt as Date).getTime() - (right.status.revokedAt as Date).getTime())[0];
  if (revoked !== undefined) {
    const at = revoked.status.revokedAt as Date;
    const source = describe(revoked.status, revoked.origin);
    if (at <= judgement.signedAt) return { ok: false, check, detail: `revoked on ${toIsoUtc(at)}, before it signed at ${toIsoUtc(judgement.signedAt)} (${source})` };
    if (at <= judgement.validAt) return { ok: false, check, detail: `revoked on ${toIsoUtc(at)}, before ${judgement.validAtName} ${toIsoUtc(judgement.validAt)} (${source})` };
    return { ok: true, check, detail: `revoked on ${toIsoUtc(at)}, after ${judgement.validAtName} ${toIsoUtc(judgement.validAt)}, which proves the signature existed before (${source})` };
  }
  const good = statuses.find((item) => item.status.status === 'good');
  if (good !== undefined) return { ok: true, check, detail: `not revoked: ${statuses.map((item) => `${item.status.status} in ${describe(item.status, item.origin)}`).join(', ')}` };
  if (statuses.length > 0) return { ok: false, check, detail: `status unknown to its ${statuses[0]?.status.source ?? 'responder'}` };
  const addresses = revocationAddresses(certificate);
  if (addresses.ocsp.length + addresses.crl.length === 0 && problems.length === 0) {
    return { ok: null, check, detail: 'not checked: the certificate names no OCSP responder and no CRL, and the file embeds none for it' };
  }
  return { ok: false, check, detail: `no revocation information: none embedded${context.offline ? ' and --offline' : `, ${problems.join('; ') || 'none online'}`}` };
}

/** Chain, expiry at the judging time, and revocation of every certificate but the trust anchor. */
export async function judgePath(judgement: PathJudgement, context: ValidationContext): Promise<Verdict[]> {
  const verdicts: Verdict[] = [];
  const chain = evaluateChain(judgement.leaf, judgement.pool, context.anchors, judgement.signedAt);
  // The chain itself is the caller's verdict; without anchors there is nothing to judge a path by.
  if (context.anchors.length === 0 || !chain.trusted) return verdicts;
  const path = chain.path;
  const expired = path.filter((certificate) => new Date(certificate.validTo) < judgement.validAt);
  verdicts.push(
    expired.length === 0
      ? { ok: true, check: `${judgement.what} validity`, detail: `every certificate of the chain was valid at ${judgement.validAtName} ${toIsoUtc(judgement.validAt)}` }
      : {
          ok: false,
          check: `${judgement.what} validity`,
          detail: `${expired.map((certificate) => `"${commonNameOf(certificate)}" expired on ${toIsoUtc(new Date(certificate.validTo))}`).join('; ')}, before ${judgement.validAtName} ${toIsoUtc(judgement.validAt)}; only a document timestamp (PAdES B-LTA) made before the expiry proves the signature existed while it was valid`,
        },
  );
  for (const certificate of path) {
    if (isSelfIssued(certificate) || context.anchors.some((anchor) => anchor.fingerprint256 === certificate.fingerprint256)) continue;
    verdicts.push(await revocationVerdict(certificate, judgement.pool, judgement, context));
  }
  return verdicts;
}
