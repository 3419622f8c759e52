import { randomBytes } from 'node:crypto';
import { UserError } from '../util/errors.js';
import { algorithmIdentifier, asn1, childAt, children, encodeDer, integer, integerFromBytes, OID, octetString, parseDer, sequence } from './der.js';

/**
 * RFC 3161 client: asks a timestamp authority to stamp a SHA-256 hash and returns the token
 * (a CMS ContentInfo, DER). Plain HTTP POST with application/timestamp-query, as every TSA takes.
 */
export async function requestTimestamp(url: string, sha256: Buffer): Promise<Buffer> {
  const nonce = randomBytes(8);
  const request = encodeDer(
    sequence([
      integer(1),
      sequence([algorithmIdentifier(OID.sha256, true), octetString(sha256)]),
      integerFromBytes(nonce),
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BOOLEAN, false, String.fromCharCode(0xff)), // certReq: include the TSA certificate
    ]),
  );
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/timestamp-query' }, body: request });
  } catch (error) {
    throw new UserError(`--tsa-url ${url}: could not reach the timestamp authority (${(error as Error).message})`);
  }
  if (!response.ok) throw new UserError(`--tsa-url ${url}: the timestamp authority answered HTTP ${response.status}`);
  const body = Buffer.from(await response.arrayBuffer());
  let token: Buffer;
  try {
    const reply = parseDer(body);
    const status = childAt(childAt(reply, 0, 'status'), 0, 'PKIStatus');
    const statusValue = typeof status.value === 'string' ? asn1.derToInteger(status.value) : -1;
    // 0 granted, 1 granted with modifications; anything else is a refusal.
    if (statusValue !== 0 && statusValue !== 1) throw new Error(`the timestamp authority refused the request (PKIStatus ${statusValue})`);
    const tokenNode = children(reply)[1];
    if (tokenNode === undefined) throw new Error('the reply holds no timestamp token');
    token = encodeDer(tokenNode);
  } catch (error) {
    throw new UserError(`--tsa-url ${url}: unusable reply (${(error as Error).message})`);
  }
  return token;
}
