/**
 * The PDF as an archivable file (issue 25): an XMP metadata stream that agrees with the document
 * information (title, subject, creator tool, dates, snapshot SHA-256), and the attachments declared
 * as associated files with their MIME type and relationship (the snapshot and the inputs Source,
 * the JSON and the CSVs Data). No browser: a stand-in page goes through the same finishing steps.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { decodePDFRawStream, PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFRawStream, PDFString } from 'pdf-lib';
import { finalisePdfEvidence } from '../src/evidence/pdf-evidence.js';
import { writeXmpMetadata } from '../src/render/pdf-xmp.js';
import { sha256Hex } from '../src/util/files.js';
import { temporaryFolder } from './support/cli.js';

const run = promisify(execFile);
const CREATED = new Date('2026-11-05T10:00:00Z');
const EVIDENCE_TIME = new Date('2026-11-05T10:00:07Z');

/** What printDocument leaves: one page, the information dictionary and the XMP written from it. */
async function printedStandIn(): Promise<Uint8Array> {
  const document = await PDFDocument.create({ updateMetadata: false });
  document.addPage();
  document.setTitle('IAM audit report: AWS account 111122223333 <& "quoted">');
  document.setSubject('Identity and access audit of AWS account 111122223333, data captured 2026-11-02T08:15:42Z');
  document.setAuthor('Internal Audit');
  document.setKeywords(['AWS', 'IAM', 'audit']);
  document.setCreator('iam-audit 0.1.0');
  document.setProducer('iam-audit 0.1.0 (Chromium print, pdf-lib merge)');
  document.setCreationDate(CREATED);
  document.setModificationDate(CREATED);
  writeXmpMetadata(document);
  return document.save();
}

function xmpOf(document: PDFDocument): string {
  const stream = document.catalog.lookup(PDFName.of('Metadata'));
  assert.ok(stream instanceof PDFRawStream, 'a /Metadata stream');
  assert.equal(String(stream.dict.get(PDFName.of('Subtype'))), '/XML');
  assert.equal(stream.dict.get(PDFName.of('Filter')), undefined, 'uncompressed');
  return Buffer.from(decodePDFRawStream(stream).decode()).toString('utf8');
}

const unescapeXml = (value: string): string => value.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
const xmpValue = (xmp: string, tag: string): string | null => {
  const match = new RegExp(`<${tag}>(?:<rdf:(?:Alt|Seq)><rdf:li(?: xml:lang="x-default")?>)?([^<]*)<`).exec(xmp);
  return match === null ? null : unescapeXml(match[1] ?? '');
};
const infoText = (info: PDFDict, key: string): string | null => {
  const value = info.get(PDFName.of(key));
  return value instanceof PDFString || value instanceof PDFHexString ? value.decodeText() : null;
};

describe('XMP metadata and associated files', () => {
  let folder: { path: string; cleanup: () => Promise<void> };
  let document: PDFDocument;
  let pdfPath: string;
  const snapshotBytes = Buffer.from('{"schemaVersion":1}\n');

  before(async () => {
    folder = await temporaryFolder('iam-audit-xmp-');
    const bytes = await finalisePdfEvidence(await printedStandIn(), {
      snapshotBytes,
      snapshotFileName: 'snapshot.json',
      snapshotSha256: sha256Hex(snapshotBytes),
      configBytes: Buffer.from('rules: {}\n'),
      configFileName: 'iam-audit.yaml',
      findingsJsonBytes: Buffer.from('{}'),
      findingsFileName: 'report.json',
      dataFiles: [{ fileName: 'report_findings.csv', bytes: Buffer.from('a,b\n'), description: 'findings CSV' }],
      metadata: { createdAt: EVIDENCE_TIME, toolName: 'iam-audit', toolVersion: '0.1.0' },
    });
    pdfPath = join(folder.path, 'report.pdf');
    await writeFile(pdfPath, bytes);
    document = await PDFDocument.load(bytes, { updateMetadata: false });
  });
  after(() => folder.cleanup());

  it('writes an XMP stream that agrees with the document information, the snapshot SHA-256 included', async () => {
    const xmp = xmpOf(document);
    const info = document.context.lookup(document.context.trailerInfo.Info, PDFDict);
    assert.equal(xmpValue(xmp, 'dc:title'), infoText(info, 'Title'));
    assert.equal(xmpValue(xmp, 'dc:title'), 'IAM audit report: AWS account 111122223333 <& "quoted">');
    assert.equal(xmpValue(xmp, 'dc:description'), infoText(info, 'Subject'));
    assert.equal(xmpValue(xmp, 'dc:creator'), 'Internal Audit');
    assert.equal(xmpValue(xmp, 'xmp:CreatorTool'), infoText(info, 'Creator'));
    assert.equal(xmpValue(xmp, 'pdf:Producer'), infoText(info, 'Producer'));
    assert.equal(xmpValue(xmp, 'pdf:Keywords'), infoText(info, 'Keywords'));
    assert.match(xmpValue(xmp, 'pdf:Keywords') ?? '', new RegExp(`snapshot-sha256:${sha256Hex(snapshotBytes)}$`));
    assert.equal(xmpValue(xmp, 'xmp:CreateDate'), '2026-11-05T10:00:00Z');
    // The evidence step changed the modification date: the XMP follows it.
    assert.equal(xmpValue(xmp, 'xmp:ModifyDate'), '2026-11-05T10:00:07Z');
    assert.equal(xmpValue(xmp, 'iamaudit:SnapshotSHA256'), sha256Hex(snapshotBytes));
    assert.equal(xmpValue(xmp, 'iamaudit:SnapshotSHA256'), infoText(info, 'IamAuditSnapshotSha256'));
    const pdfinfo = (await run('pdfinfo', [pdfPath])).stdout;
    assert.match(pdfinfo, /^Metadata Stream:\s+yes$/m);
    const meta = (await run('pdfinfo', ['-meta', pdfPath])).stdout;
    assert.match(meta, /<xmp:CreatorTool>iam-audit 0\.1\.0<\/xmp:CreatorTool>/);
  });

  it('declares every attachment in the catalog /AF with its MIME type and relationship', () => {
    const associated = document.catalog.lookup(PDFName.of('AF'), PDFArray).asArray().map((reference) => document.context.lookup(reference, PDFDict));
    const declared = associated.map((fileSpec) => {
      const name = fileSpec.get(PDFName.of('UF'));
      const embedded = fileSpec.lookup(PDFName.of('EF'), PDFDict).lookup(PDFName.of('F'));
      assert.ok(embedded instanceof PDFRawStream);
      return {
        name: name instanceof PDFHexString || name instanceof PDFString ? name.decodeText() : '',
        relationship: String(fileSpec.get(PDFName.of('AFRelationship'))),
        mimeType: embedded.dict.lookup(PDFName.of('Subtype'), PDFName).decodeText(),
      };
    });
    assert.deepEqual(declared, [
      { name: 'snapshot.json', relationship: '/Source', mimeType: 'application/json' },
      { name: 'iam-audit.yaml', relationship: '/Source', mimeType: 'application/yaml' },
      { name: 'report.json', relationship: '/Data', mimeType: 'application/json' },
      { name: 'report_findings.csv', relationship: '/Data', mimeType: 'text/csv' },
    ]);
  });
});
