/**
 * The merged structure tree's ids do not depend on Chromium's DOM node numbers: the same report
 * printed twice gives the same bytes even when Chromium numbered its nodes differently (seen on a
 * loaded machine: `node00000059` in one print, `node00000020` in the next, for the same cell).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFString } from 'pdf-lib';
import { MergedStructure } from '../src/render/pdf-structure.js';

/** A one-page tagged print: Document > Table > TR > (TH with an id, TD naming it in /Headers). */
async function printedPiece(headerId: string): Promise<PDFDocument> {
  const piece = await PDFDocument.create({ updateMetadata: false });
  const page = piece.addPage([200, 200]);
  const context = piece.context;
  const root = context.nextRef();
  const documentElement = context.nextRef();
  const table = context.nextRef();
  const row = context.nextRef();
  const header = context.register(context.obj({ Type: 'StructElem', S: 'TH', P: row, Pg: page.ref, ID: PDFString.of(headerId), K: 0 }));
  const cell = context.register(context.obj({ Type: 'StructElem', S: 'TD', P: row, Pg: page.ref, A: context.obj({ O: 'Table', Headers: [PDFString.of(headerId)] }), K: 1 }));
  context.assign(row, context.obj({ Type: 'StructElem', S: 'TR', P: table, K: [header, cell] }));
  context.assign(table, context.obj({ Type: 'StructElem', S: 'Table', P: documentElement, K: [row] }));
  context.assign(documentElement, context.obj({ Type: 'StructElem', S: 'Document', P: root, K: [table] }));
  context.assign(root, context.obj({ Type: 'StructTreeRoot', K: documentElement, ParentTree: context.register(context.obj({ Nums: [0, context.obj([header, cell])] })), ParentTreeNextKey: 1 }));
  page.node.set(PDFName.of('StructParents'), context.obj(0));
  piece.catalog.set(PDFName.of('StructTreeRoot'), root);
  return piece;
}

async function merged(headerId: string): Promise<{ bytes: Uint8Array; document: PDFDocument }> {
  const document = await PDFDocument.create({ updateMetadata: false });
  const structure = new MergedStructure(document);
  structure.copyPiece(await printedPiece(headerId));
  structure.finish('en');
  return { bytes: await document.save({ useObjectStreams: false }), document };
}

describe('the merged structure tree', () => {
  it('names ids by the piece and the order of the tree, not by Chromium\'s node numbers: the same bytes either way', async () => {
    const first = await merged('node00000059');
    const again = await merged('node00000020');
    assert.ok(Buffer.from(first.bytes).equals(Buffer.from(again.bytes)), 'the same structure gives the same bytes');
    // The cell still names its header, by the new id.
    const ids = first.document.catalog.lookup(PDFName.of('StructTreeRoot'), PDFDict).lookup(PDFName.of('IDTree'), PDFDict).lookup(PDFName.of('Names'), PDFArray).asArray();
    const headerId = ids[0] instanceof PDFString ? ids[0].asString() : '';
    assert.equal(headerId, 'p1-id000001');
    const text = Buffer.from(first.bytes).toString('latin1');
    assert.match(text, /\/Headers \[ \(p1-id000001\) \]/);
    assert.doesNotMatch(text, /node000000/);
  });
});
