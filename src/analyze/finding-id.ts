/**
 * Stable finding ids (issue 13). A finding is one rule judging one resource; its id is the same in
 * every run over any snapshot of the same account, so a finding can be followed across archived
 * snapshots (`diff`, `trend`, `notify`'s quiet days, a data lake reading OCSF).
 *
 * The id is the first 16 hex characters (64 bits) of the SHA-256 of `<rule id>:<resource ARN>`.
 * The resource ARN already carries the stable identity: the account ARN for account-wide checks,
 * the user's or root's ARN, the policy's owner ARN with `#<policy name>`, and for an access key
 * the user's ARN with `#<key id>` when the key id is known (live collection) or `#access_key_<slot>`
 * (a credential report, which carries no key ids). The account id is part of every ARN, so two
 * accounts never share an id. 64 bits keep the chance of any collision among a million findings
 * near 3 in 10^8.
 */
import { createHash } from 'node:crypto';

export const FINDING_ID_HEX_LENGTH = 16;

/** The readable identity a finding id hashes: `<rule id>:<resource ARN>`. */
export function findingKey(ruleId: string, resourceArn: string): string {
  return `${ruleId}:${resourceArn}`;
}

export function stableFindingId(ruleId: string, resourceArn: string): string {
  return createHash('sha256').update(findingKey(ruleId, resourceArn), 'utf8').digest('hex').slice(0, FINDING_ID_HEX_LENGTH);
}
