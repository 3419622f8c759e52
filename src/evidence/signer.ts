import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import forge from 'node-forge';
import { commonNameOf, keyUsageAllowsSigning } from './certificate.js';
import { describeFsError } from '../snapshot/io.js';
import { InputError } from '../util/errors.js';
import { toIsoUtc } from '../util/time.js';

/** The organisation's signing identity, loaded from a PKCS#12 file and checked for use. */
export interface EvidenceSigner {
  readonly certificate: X509Certificate;
  /** Further certificates from the P12 (intermediates, CA), embedded so verifiers can build the chain. */
  readonly chain: readonly X509Certificate[];
  readonly privateKey: KeyObject;
  /** The certificate subject's common name (or the whole subject when it has none). */
  readonly commonName: string;
}

function sameKey(left: KeyObject, right: KeyObject): boolean {
  return left.export({ type: 'spki', format: 'der' }).equals(right.export({ type: 'spki', format: 'der' }));
}

/**
 * Parses a PKCS#12 file. node-forge reads the PBES2/AES files OpenSSL 3 writes as well as the
 * legacy ones (no maintained PKI library reads both); RSA and EC keys are handed to node's crypto.
 */
export function parseP12(bytes: Uint8Array, password: string, fileName: string): { privateKey: KeyObject; certificates: X509Certificate[] } {
  let pfx: forge.pkcs12.Pkcs12Pfx;
  try {
    const der = forge.asn1.fromDer(forge.util.createBuffer(Buffer.from(bytes).toString('binary')), true);
    pfx = forge.pkcs12.pkcs12FromAsn1(der, true, password);
  } catch (error) {
    const message = (error as Error).message;
    if (/mac could not be verified|invalid password/i.test(message)) throw new InputError(fileName, null, 'wrong password for this PKCS#12 file');
    throw new InputError(fileName, null, `not a readable PKCS#12 (.p12/.pfx) file (${message})`);
  }
  const keyBags = [
    ...(pfx.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag })[forge.pki.oids.pkcs8ShroudedKeyBag ?? ''] ?? []),
    ...(pfx.getBags({ bagType: forge.pki.oids.keyBag })[forge.pki.oids.keyBag ?? ''] ?? []),
  ];
  const certBags = pfx.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag ?? ''] ?? [];
  const keyBag = keyBags[0];
  if (keyBag === undefined) throw new InputError(fileName, null, 'holds no private key');
  // forge turns RSA keys and certificates into its own objects; an EC key or certificate it
  // cannot read stays as its ASN.1 (bag.asn1), which node's crypto reads as PKCS#8 / X.509 DER.
  const privateKey =
    keyBag.key !== undefined && keyBag.key !== null
      ? createPrivateKey(forge.pki.privateKeyToPem(keyBag.key))
      : createPrivateKey({ key: bagDer(keyBag, fileName, 'private key'), format: 'der', type: 'pkcs8' });
  const certificates = certBags.map((bag) =>
    bag.cert !== undefined && bag.cert !== null ? new X509Certificate(forge.pki.certificateToPem(bag.cert)) : new X509Certificate(bagDer(bag, fileName, 'certificate')),
  );
  const keyType = privateKey.asymmetricKeyType;
  if (keyType !== 'rsa' && keyType !== 'ec') throw new InputError(fileName, null, `holds a ${keyType ?? 'unknown'} private key; RSA and ECDSA (P-256, P-384) keys are supported`);
  return { privateKey, certificates };
}

/** The DER of a bag forge left unparsed (an EC key or certificate). */
function bagDer(bag: forge.pkcs12.Bag, fileName: string, what: string): Buffer {
  const asn1 = (bag as forge.pkcs12.Bag & { asn1?: forge.asn1.Asn1 }).asn1;
  if (asn1 === undefined) throw new InputError(fileName, null, `holds a ${what} that cannot be read`);
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}

/** Throws unless the certificate may sign evidence at `at`: within its validity and meant for signing. */
export function checkSigningCertificate(certificate: X509Certificate, at: Date, fileName: string): void {
  const notBefore = new Date(certificate.validFrom);
  const notAfter = new Date(certificate.validTo);
  const name = commonNameOf(certificate);
  if (at < notBefore) {
    throw new InputError(fileName, null, `certificate "${name}" is not valid yet at the signing time ${toIsoUtc(at)} (valid from ${toIsoUtc(notBefore)})`);
  }
  if (at > notAfter) throw new InputError(fileName, null, `certificate "${name}" expired on ${toIsoUtc(notAfter)} (signing time ${toIsoUtc(at)})`);
  if (keyUsageAllowsSigning(certificate) === false) {
    throw new InputError(fileName, null, `certificate "${name}" is not meant for signing (its key usage has neither digitalSignature nor nonRepudiation)`);
  }
}

export function signerFromP12(bytes: Uint8Array, password: string, fileName: string, at: Date): EvidenceSigner {
  const { privateKey, certificates } = parseP12(bytes, password, fileName);
  const publicKey = createPublicKey(privateKey);
  const certificate = certificates.find((candidate) => sameKey(candidate.publicKey, publicKey));
  if (certificate === undefined) throw new InputError(fileName, null, 'holds no certificate for its private key');
  checkSigningCertificate(certificate, at, fileName);
  return {
    certificate,
    chain: certificates.filter((candidate) => candidate !== certificate),
    privateKey,
    commonName: commonNameOf(certificate),
  };
}

export async function loadP12Signer(path: string, password: string, at: Date): Promise<EvidenceSigner> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new InputError(path, null, describeFsError(error));
  }
  return signerFromP12(bytes, password, path, at);
}
