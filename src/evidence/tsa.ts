import { randomBytes } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { MessageImprint, PKIStatus, TimeStampReq, TimeStampResp } from '@peculiar/asn1-tsp';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import { UserError } from '../util/errors.js';
import { derChildren, digestOid, type HashName } from './pki-asn1.js';

/**
 * RFC 3161 client: asks a timestamp authority to stamp a hash and returns the token (a CMS
 * ContentInfo, DER). Plain HTTP POST with application/timestamp-query, as every TSA takes.
 */
export async function requestTimestamp(url: string, hashValue: Buffer, hash: HashName = 'sha256'): Promise<Buffer> {
  const request = timestampQuery(hashValue, hash, randomBytes(8));
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/timestamp-query' }, body: request });
  } catch (error) {
    throw new UserError(`--tsa-url ${url}: could not reach the timestamp authority (${(error as Error).message})`);
  }
  return tokenOf(url, response);
}

/** The DER TimeStampReq for a hash, with `random` (8 bytes) made into its nonce. */
export function timestampQuery(hashValue: Buffer, hash: HashName, random: Buffer): Buffer {
  const nonce = Buffer.from(random);
  // A positive INTEGER in minimal DER: the top bit clear, and never a leading zero byte (the bytes
  // are encoded as given; a 0x00 followed by a byte under 0x80 is not DER, and OpenSSL's TSA then
  // refuses the request, about one run in 256 before this).
  nonce[0] = ((nonce[0] ?? 0) & 0x7f) | 0x40;
  const request = new TimeStampReq({
    messageImprint: new MessageImprint({ hashAlgorithm: new AlgorithmIdentifier({ algorithm: digestOid(hash), parameters: null }), hashedMessage: new OctetString(hashValue) }),
    nonce: nonce.buffer.slice(nonce.byteOffset, nonce.byteOffset + nonce.byteLength),
    certReq: true, // include the TSA certificate
  });
  return Buffer.from(AsnConvert.serialize(request));
}

async function tokenOf(url: string, response: Response): Promise<Buffer> {
  if (!response.ok) throw new UserError(`--tsa-url ${url}: the timestamp authority answered HTTP ${response.status}`);
  const body = Buffer.from(await response.arrayBuffer());
  let reply: TimeStampResp;
  try {
    reply = AsnConvert.parse(body, TimeStampResp);
  } catch (error) {
    throw new UserError(`--tsa-url ${url}: unusable reply (${(error as Error).message})`);
  }
  const status = reply.status.status;
  if (status !== PKIStatus.granted && status !== PKIStatus.grantedWithMods) throw new UserError(`--tsa-url ${url}: the timestamp authority refused the request (PKIStatus ${status})`);
  if (reply.timeStampToken === undefined) throw new UserError(`--tsa-url ${url}: unusable reply (the reply holds no timestamp token)`);
  // The token's own bytes, never re-encoded: its signature covers them.
  const token = derChildren(body)[1];
  if (token === undefined) throw new UserError(`--tsa-url ${url}: unusable reply (the reply holds no timestamp token)`);
  return token;
}
