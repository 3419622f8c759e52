/**
 * A long table printed across many pages: the per-identity matrix of a generated 400-user
 * account. The header is repeated on every page, no row is split between two pages, every user
 * has exactly one whole row (one line), and the failed-rule listings stay short in print.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { generateCredentialReport } from '../bench/generate.js';
import { PRINTED_LIST_ROWS } from '../src/render/report-identities.js';
import { runCli, temporaryFolder } from './support/cli.js';

const run = promisify(execFile);
const USERS = 400;
/** The header row of the users' matrix as pdftotext -layout prints its last line. */
const MATRIX_HEADER = /^\s*Identity\s+password\s+MFA\s+used\s+changed\s+Key 1\s+used\s+Key 2\s+used\b/m;
/** A user's matrix row: name, console, MFA, password last used, then key and verdict cells. */
const MATRIX_ROW = /^\s*(user-\d{6})\s+(yes|no)\s+(yes|no)\s+(\d{4}-\d\d-\d\d|N\/A|no_information)\s+(.*)$/;

describe('PDF pagination of long tables (real Chromium)', () => {
  let folder: { path: string; cleanup: () => Promise<void> };
  let pages: string[];

  before(async () => {
    folder = await temporaryFolder('iam-audit-pagination-');
    await writeFile(join(folder.path, 'report.csv'), generateCredentialReport(USERS));
    const imported = await runCli(['import', 'report.csv', '-o', 'snapshot.json', '--generated-at', '2026-06-01T12:00:00Z'], { cwd: folder.path });
    assert.equal(imported.code, 0, imported.stderr);
    const reported = await runCli(['report', 'snapshot.json', '-d', 'out', '--format', 'pdf', '--quiet'], { cwd: folder.path, env: { SOURCE_DATE_EPOCH: '1780315200' } });
    assert.equal(reported.code, 0, reported.stderr);
    const text = (await run('pdftotext', ['-layout', join(folder.path, 'out', 'iam_audit_2026-06-01T12-00-00.pdf'), '-'], { maxBuffer: 64 * 1024 * 1024 })).stdout;
    pages = text.split('\f');
  });
  after(() => folder.cleanup());

  const matrixStart = (): number => pages.findIndex((page) => page.includes('Appendix: every identity tested') && page.includes('One row per identity'));

  it('repeats the matrix header on every page it spans', () => {
    const start = matrixStart();
    assert.ok(start >= 0, 'the appendix exists');
    const matrixPages = pages.slice(start).filter((page) => page.split('\n').some((line) => MATRIX_ROW.test(line)));
    // 400 rows at about 27 a page (a user with a key has a second line, the key's creation date):
    // fifteen pages or so, never one row per page pair.
    assert.ok(matrixPages.length >= 10 && matrixPages.length <= 18, `the matrix spans ${matrixPages.length} pages`);
    for (const [index, page] of matrixPages.entries()) assert.match(page, MATRIX_HEADER, `header on matrix page ${index + 1}`);
  });

  it('gives every user one whole row on one line, once, with a mark in every user-rule column', () => {
    const seen = new Map<string, number>();
    for (const page of pages.slice(matrixStart())) {
      for (const line of page.split('\n')) {
        const row = MATRIX_ROW.exec(line);
        if (row === null) continue;
        const name = row[1] ?? '';
        // Eight user-rule columns, each P, F, X, NE, ERR or n/a: a row cut or wrapped would lack them.
        const marks = (row[5] ?? '').trim().split(/\s+/).slice(-8);
        assert.equal(marks.length, 8, `row of ${name}: ${line}`);
        for (const mark of marks) assert.match(mark, /^(P|F|X|NE|ERR|n\/a)$/, `row of ${name}: ${line}`);
        seen.set(name, (seen.get(name) ?? 0) + 1);
      }
    }
    assert.equal(seen.size, USERS);
    assert.ok([...seen.values()].every((count) => count === 1));
  });

  it('prints the root user in the appendix with the root rules', () => {
    const appendix = pages.slice(matrixStart()).join('\f');
    // "Root HW MFA" may wrap onto two header lines now that the matrix has a password-changed column.
    assert.match(appendix, /Root HW/);
    assert.match(appendix, /Root keys\s+(?:Root HW\s+)?MFA\s+Root MFA\s+Root use/);
    assert.match(appendix, /^\s*<root_account>\s+yes\s+yes\s+2026-05-29\s+\d{4}-\d\d-\d\d\s+none\s+none\s+P\s+NE\s+P\s+F\s*$/m);
  });

  it('keeps failed-rule listings to their first rows in print and points to the appendix and the attachments', () => {
    const body = pages.slice(0, matrixStart()).join('\f');
    // unused-credentials fails for about 250 of the 400 users: the PDF lists the first few.
    const notes = body.match(/The first (\d+) of (\d+) failing resources/g) ?? [];
    assert.ok(notes.length >= 1, 'a shortened listing says so');
    for (const note of notes) assert.match(note, new RegExp(`The first ${PRINTED_LIST_ROWS} of \\d+ failing`));
    assert.match(body.replace(/\s+/g, ' '), /marked F in this rule's column of the appendix "Every identity tested"/);
  });
});
