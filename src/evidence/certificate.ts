/**
 * Facts read off one X.509 certificate, shared by signing (signer.ts: may this certificate sign?)
 * and verification (trust.ts, verify.ts: did a certificate fit for signing sign this?).
 */
import type { X509Certificate } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate, id_ce_keyUsage, KeyUsage, KeyUsageFlags } from '@peculiar/asn1-x509';

/** The certificate subject's common name (or the whole subject when it has none). */
export function commonNameOf(certificate: X509Certificate): string {
  const match = /(?:^|\n)CN=([^\n]+)/.exec(certificate.subject);
  return match?.[1] ?? certificate.subject.replace(/\n/g, ', ');
}

/** The certificate issuer's name on one line, e.g. "CN=Example CA, O=Example Ltd, C=GB". */
export function issuerNameOf(certificate: X509Certificate): string {
  return certificate.issuer.split('\n').filter((part) => part !== '').reverse().join(', ');
}

/** Whether the key usage allows signatures (null: no key usage extension, so any use). */
export function keyUsageAllowsSigning(certificate: X509Certificate): boolean | null {
  const extension = (AsnConvert.parse(certificate.raw, Certificate).tbsCertificate.extensions ?? []).find((item) => item.extnID === id_ce_keyUsage);
  if (extension === undefined) return null; // no extension: every use is allowed (RFC 5280 4.2.1.3)
  const usage = AsnConvert.parse(extension.extnValue, KeyUsage);
  return (usage.toNumber() & (KeyUsageFlags.digitalSignature | KeyUsageFlags.nonRepudiation)) !== 0;
}
