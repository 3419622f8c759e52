/**
 * CSV cells that a spreadsheet would evaluate after leading whitespace, a line break or an
 * invisible bidi control are neutralised too, and NUL never reaches the CSV or HTML output.
 */
import assert from 'node:assert/strict';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { neutraliseFormula } from '../src/render/csv-safety.js';
import { FIXTURES, runCli, temporaryFolder } from './support/cli.js';

let work: { path: string; cleanup: () => Promise<void> };
before(async () => {
  work = await temporaryFolder();
});
after(async () => {
  await work.cleanup();
});

describe('neutraliseFormula', () => {
  it('prefixes a quote when a formula trigger follows whitespace, a line break or a bidi control', () => {
    for (const cell of [' =1+1', '  +SUM(A1)', '\n=cmd|calc', '\r\n-2+3', '\u202E=HYPERLINK("x")', '\u2066@SUM(1)', '\u200F\u200E-1', '\uFEFF+1', ' \u00A0=1']) {
      assert.equal(neutraliseFormula(cell), `'${cell}`, JSON.stringify(cell));
    }
    for (const cell of ['=1', '+1', '-1', '@x', '\tx', '\rx']) assert.equal(neutraliseFormula(cell), `'${cell}`, `still: ${JSON.stringify(cell)}`);
  });

  it('leaves other cells alone', () => {
    for (const cell of ['alice', ' alice', 'a=b', '1-2', '', 'user+tag@example.com', '\u202Eadmin']) assert.equal(neutraliseFormula(cell), cell, JSON.stringify(cell));
  });

  it('replaces NUL with U+FFFD', () => {
    assert.equal(neutraliseFormula('a\u0000b\u0000'), 'a\uFFFDb\uFFFD');
    assert.equal(neutraliseFormula('\u0000=1'), '\uFFFD=1');
  });
});

describe('report output from hostile names', () => {
  it('the CSV neutralises every hidden formula and neither CSV nor HTML holds a NUL', async () => {
    const snapshot = JSON.parse(await readFile(join(FIXTURES, 'demo', 'snapshot.json'), 'utf8')) as { users: { name: string }[] };
    const hostile = [' =HYPERLINK("http://x","y")', '\n+1', '\u202E=1+1', 'nul\u0000name', '\u0000=2'];
    hostile.forEach((name, index) => {
      const user = snapshot.users[index];
      assert.ok(user !== undefined);
      user.name = name;
    });
    const path = join(work.path, 'hostile.json');
    await writeFile(path, JSON.stringify(snapshot));
    const out = join(work.path, 'out');
    const run = await runCli(['report', path, '-d', out, '--format', 'csv,html', '--quiet']);
    assert.equal(run.code, 0, run.stderr);
    const files = await readdir(out);
    const mfaCsv = files.find((name) => /^iam_audit_[\dT-]+\.csv$/.test(name));
    const html = files.find((name) => name.endsWith('.html'));
    assert.ok(mfaCsv !== undefined && html !== undefined, files.join(', '));
    const csvText = await readFile(join(out, mfaCsv), 'utf8');
    const htmlText = await readFile(join(out, html), 'utf8');
    for (const text of [csvText, htmlText, ...(await Promise.all(files.filter((name) => name.endsWith('.csv')).map((name) => readFile(join(out, name), 'utf8'))))]) {
      assert.ok(!text.includes('\u0000'), 'no NUL');
    }
    assert.ok(csvText.includes(`"' =HYPERLINK(""http://x"",""y"")",`), 'leading space before =');
    assert.ok(csvText.includes(`"'\n+1",`), 'line break before +');
    assert.ok(csvText.includes(`'\u202E=1+1,`), 'bidi override before =');
    assert.ok(csvText.includes(`nul\uFFFDname,`), 'NUL shown as U+FFFD');
    assert.ok(csvText.includes(`\uFFFD=2,`));
    assert.ok(htmlText.includes('nul\uFFFDname'), 'the HTML shows U+FFFD for NUL');
  });
});
