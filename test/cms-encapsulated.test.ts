/** The encapsulated content of a CMS SignedData as src/evidence/cms.ts reads it, in both encodings asn1-cms parses it into. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EncapsulatedContentInfo } from '@peculiar/asn1-cms';
import { AsnConvert } from '@peculiar/asn1-schema';
import { encapsulatedBytes } from '../src/evidence/cms.js';

/** EncapsulatedContentInfo { id-data, [0] EXPLICIT `content` } in DER (short lengths only). */
function encapsulated(content: Buffer): EncapsulatedContentInfo {
  const oid = Buffer.from('06092a864886f70d010701', 'hex');
  const explicit = Buffer.concat([Buffer.from([0xa0, content.length]), content]);
  const body = Buffer.concat([oid, explicit]);
  return AsnConvert.parse(Buffer.concat([Buffer.from([0x30, body.length]), body]), EncapsulatedContentInfo);
}

test('a primitive OCTET STRING gives its contents', () => {
  assert.equal(encapsulatedBytes(encapsulated(Buffer.from('0403616263', 'hex')).eContent)?.toString('latin1'), 'abc');
});

test('another encoding (a constructed OCTET STRING) gives its raw bytes, as asn1-cms keeps them', () => {
  const constructed = Buffer.from('2408040361626304026465', 'hex');
  assert.equal(encapsulatedBytes(encapsulated(constructed).eContent)?.toString('hex'), constructed.toString('hex'));
});

test('no encapsulated content gives null', () => {
  assert.equal(encapsulatedBytes(undefined), null);
});
