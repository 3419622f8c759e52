/**
 * The identity matrix's tables as pdf-lib draws them (render/pdf-matrix.ts), without a browser:
 * one tagged cell per fact and mark, the header row tagged once and repeated as an artifact on
 * every page, no row split, the text as pdftotext reads it, and the fallback to Chromium's tables
 * for characters the embedded faces lack.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import fontkit from '@pdf-lib/fontkit';
import { PDFDict, PDFDocument, PDFName } from 'pdf-lib';
import { footerFontBytes, matrixFontBytes } from '../src/render/fonts.js';
import { drawIdentityTables, matrixDrawable, type MatrixFonts } from '../src/render/pdf-matrix.js';
import { MergedStructure } from '../src/render/pdf-structure.js';
import type { MatrixColumn, MatrixRow } from '../src/render/report-identities.js';

const run = promisify(execFile);

const column = (label: string): MatrixColumn => ({ ruleId: label.toLowerCase().replace(/\W+/g, '-'), label, title: label, controls: '' });
const ROOT_COLUMNS = ['Root keys', 'Root HW MFA', 'Root MFA', 'Root use'].map(column);
const USER_COLUMNS = ['Key age', 'Setup keys', 'User MFA', 'Pwd + keys', 'MFA type', 'Two keys', 'Unused', 'Direct policy'].map(column);

function user(index: number, name = `user-${String(index).padStart(6, '0')}`): MatrixRow {
  const withKey = index % 2 === 0;
  return {
    name,
    root: false,
    console: 'yes',
    mfa: index % 3 === 0 ? 'no' : 'yes',
    passwordLastUsed: '2026-05-30',
    passwordLastChanged: '2025-11-11',
    keys: [withKey ? { state: `active, ${index} d`, created: '2026-05-30', id: '', lastUsed: 'N/A' } : { state: 'none', created: '', id: '', lastUsed: '' }, { state: 'none', created: '', id: '', lastUsed: '' }],
    marks: USER_COLUMNS.map((_, mark) => (mark === index % 8 ? { mark: 'F', className: 'mark-fail' } : { mark: 'P', className: 'mark-pass' })),
  };
}

const ROOT: MatrixRow = { ...user(1, '<root_account>'), root: true, marks: ROOT_COLUMNS.map(() => ({ mark: 'NE', className: 'mark-not-evaluated' })) };

async function fonts(document: PDFDocument): Promise<MatrixFonts> {
  document.registerFontkit(fontkit);
  const regular = await document.embedFont(footerFontBytes(), { subset: true, customName: 'IAMAFT+IBMPlexSans-Regular' });
  const bold = await document.embedFont(matrixFontBytes('bold'), { subset: true, customName: 'IAMAMB+IBMPlexSans-Bold' });
  return { regular, bold, mono: regular };
}

/** Landscape A4 with the stylesheet's print margins (16, 14, 18 mm). */
const BOX = { width: 841.92, height: 595.92, top: 45.35, bottom: 51.02, left: 39.69, right: 39.69 };

function countElements(document: PDFDocument, type: string): number {
  return document.context.enumerateIndirectObjects().filter(([, object]) => object instanceof PDFDict && String(object.get(PDFName.of('S'))) === `/${type}`).length;
}

describe('the identity matrix drawn by pdf-lib', () => {
  it('tags every cell, the header once, and prints every row whole with the header on every page', async () => {
    const document = await PDFDocument.create({ updateMetadata: false });
    const structure = new MergedStructure(document);
    const rows = Array.from({ length: 120 }, (_, index) => user(index));
    const context = { rootRow: ROOT, rootColumns: ROOT_COLUMNS, userColumns: USER_COLUMNS };
    const pages = drawIdentityTables(document, structure, context, rows, await fonts(document), BOX, null);
    structure.finish('en');
    assert.ok(pages >= 4 && pages <= 7, `${pages} pages`);
    assert.equal(document.getPageCount(), pages);
    // Two tables, each one header row of TH cells (9 facts + marks) and a TD per fact and mark.
    assert.equal(countElements(document, 'Table'), 2);
    assert.equal(countElements(document, 'H3'), 2);
    assert.equal(countElements(document, 'TH'), 9 + ROOT_COLUMNS.length + 9 + USER_COLUMNS.length);
    assert.equal(countElements(document, 'TD'), 9 + ROOT_COLUMNS.length + rows.length * (9 + USER_COLUMNS.length));
    assert.equal(countElements(document, 'TR'), 2 + 1 + rows.length);

    const folder = await mkdtemp(join(tmpdir(), 'iam-audit-matrix-'));
    try {
      const file = join(folder, 'matrix.pdf');
      await writeFile(file, await document.save());
      const text = (await run('pdftotext', ['-layout', file, '-'])).stdout;
      const pageTexts = text.split('\f').filter((page) => page.trim() !== '');
      assert.equal(pageTexts.length, pages);
      for (const [index, page] of pageTexts.entries()) assert.match(page, /^\s*Identity\s+password\s+MFA\s+used\s+changed\s+Key 1\s+used\s+Key 2\s+used\b/m, `header on page ${index + 1}`);
      assert.match(pageTexts[0] ?? '', /^\s*<root_account>\s+yes\s+yes\s+2026-05-30\s+2025-11-11\s+none\s+none\s+NE\s+NE\s+NE\s+NE\s*$/m);
      // Every user once, on one line with its facts and its eight marks; a key's creation date on the line below.
      for (const [index, row] of rows.entries()) {
        const marks = USER_COLUMNS.map((_, mark) => (mark === index % 8 ? 'F' : 'P')).join('\\s+');
        const key = index % 2 === 0 ? `active, ${index} d\\s+N/A` : 'none';
        const lines = text.split('\n').filter((line) => new RegExp(`^\\s*${row.name}\\s`).test(line));
        assert.equal(lines.length, 1, row.name);
        assert.match(lines[0] ?? '', new RegExp(`^\\s*${row.name}\\s+yes\\s+${row.mfa}\\s+2026-05-30\\s+2025-11-11\\s+${key}\\s+none\\s+${marks}\\s*$`), row.name);
      }
      assert.equal(text.match(/created 2026-05-30/g)?.length, rows.filter((_, index) => index % 2 === 0).length);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('wraps a long identity after its separators and keeps the row whole', async () => {
    const document = await PDFDocument.create({ updateMetadata: false });
    const structure = new MergedStructure(document);
    const name = 'a.very.long.service-account.name@example.internal.department';
    drawIdentityTables(document, structure, { rootRow: null, rootColumns: [], userColumns: USER_COLUMNS }, [user(0, name)], await fonts(document), BOX, null);
    const folder = await mkdtemp(join(tmpdir(), 'iam-audit-matrix-'));
    try {
      const file = join(folder, 'matrix.pdf');
      await writeFile(file, await document.save());
      const text = (await run('pdftotext', ['-layout', file, '-'])).stdout;
      assert.match(text, /The snapshot has no root row/);
      const identityLines = text.split('\n').map((line) => line.trim().split(/\s{2,}/)[0] ?? '').filter((cell) => name.includes(cell) && cell.length > 3);
      assert.ok(identityLines.length >= 2, `wrapped: ${identityLines.join(' | ')}`);
      assert.equal(identityLines.join(''), name);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('leaves the tables to Chromium when the embedded faces lack a character', async () => {
    const document = await PDFDocument.create({ updateMetadata: false });
    const { regular } = await fonts(document);
    const context = { rootRow: ROOT, rootColumns: ROOT_COLUMNS, userColumns: USER_COLUMNS };
    assert.equal(matrixDrawable(context, [user(0), user(1, 'josé.garcía')], regular), true);
    assert.equal(matrixDrawable(context, [user(0), user(1, 'Дмитрий')], regular), false);
  });
});
