/**
 * A long table printed across many pages: the header is repeated on every page and no row is
 * split between two pages. Checked on the user inventory of a generated 400-user account.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { generateCredentialReport } from '../bench/generate.js';
import { runCli, temporaryFolder } from './support/cli.js';

const run = promisify(execFile);
const USERS = 400;

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

  it('repeats the inventory header on every page it spans', () => {
    const start = pages.findIndex((page) => page.includes('Appendix: user inventory'));
    assert.ok(start >= 0, 'the inventory section exists');
    const inventoryPages = pages.slice(start).filter((page) => /user-\d{6}\s+\d{4}-\d\d-\d\dT/.test(page));
    assert.ok(inventoryPages.length >= 5, `the inventory spans several pages (${inventoryPages.length})`);
    for (const [index, page] of inventoryPages.entries()) {
      assert.match(page, /^\s*User\s+Created\s+Console\s+MFA\s+MFA devices\s+Password last used/m, `header on inventory page ${index + 1}`);
    }
  });

  it('keeps every inventory row whole on one page, each user once', () => {
    const start = pages.findIndex((page) => page.includes('Appendix: user inventory'));
    const seen = new Map<string, number>();
    for (const page of pages.slice(start)) {
      for (const line of page.split('\n')) {
        const row = /^\s*(user-\d{6})\s+\d{4}-\d\d-\d\dT/.exec(line);
        if (row === null) continue;
        const name = row[1] ?? '';
        // A whole row ends with the user's ARN; a row cut by a page break would not.
        assert.match(line, new RegExp(`arn:aws:iam::210987654321:user/team-\\d+/${name}\\s*$`), `row of ${name} is whole`);
        seen.set(name, (seen.get(name) ?? 0) + 1);
      }
    }
    assert.equal(seen.size, USERS);
    assert.ok([...seen.values()].every((count) => count === 1));
  });
});
