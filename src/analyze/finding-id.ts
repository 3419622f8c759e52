/**
 * Stable finding ids (issue 13). A finding is one rule judging one resource; its id is the same in
 * every run over any snapshot of the same account, so a finding can be followed across archived
 * snapshots (`diff`, `trend`, `notify`'s quiet days, a data lake reading OCSF).
 *
 * The id is `<rule id>/<first 16 hex digits of the SHA-256 of the resource ARN>`, e.g.
 * `access-key-rotation/04962a24339353e2`. It depends on nothing else (not the capture time, not
 * the order of users or results). The resource ARN already carries the stable identity: the
 * account ARN for account-wide checks, the user's or root's ARN, a policy's owner ARN with
 * `#<policy name>`, and for an access key the user's ARN with `#<key id>` when the key id is known
 * (live collection) or `#access_key_<slot>` (a credential report, which carries no key ids). The
 * account id is part of every ARN, so two accounts never share an id. Within one rule, 64 bits
 * keep the chance of any collision among a million resources near 3 in 10^8.
 *
 * One hash per resource, not per result: a run hashes each ARN once (FindingIds caches them),
 * since every rule that judges a user shares that user's digest.
 */
import { hash } from 'node:crypto';

export const FINDING_ID_DIGEST_LENGTH = 16;

/** The first 16 hex digits of the SHA-256 of a resource ARN. */
export function resourceDigest(resourceArn: string): string {
  // The one-shot crypto.hash (Node 20.12+): a third of the cost of a Hash object per ARN.
  return hash('sha256', resourceArn, 'hex').slice(0, FINDING_ID_DIGEST_LENGTH);
}

export function stableFindingId(ruleId: string, resourceArn: string): string {
  return `${ruleId}/${resourceDigest(resourceArn)}`;
}

/**
 * Finding ids, hashing each resource ARN once whichever rules judge it. The engine keeps one per
 * identity and clears it after the identity, so the cache never grows with the account.
 */
export class FindingIds {
  private digests = new Map<string, string>();

  id(ruleId: string, resourceArn: string): string {
    let digest = this.digests.get(resourceArn);
    if (digest === undefined) {
      digest = resourceDigest(resourceArn);
      this.digests.set(resourceArn, digest);
    }
    return `${ruleId}/${digest}`;
  }

  clear(): void {
    // A new map, not clear(): see ResourceEntries.flush (render/json-resources.ts).
    this.digests = new Map();
  }
}
