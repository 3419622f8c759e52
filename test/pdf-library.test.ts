/**
 * pdf-lib and fontkit reach the program through render/pdf-library.ts, loaded with `require`
 * (issue 26: importing them as ES modules ran Node's CommonJS lexer over some 200 files on every
 * PDF run). One value import of either package anywhere else in src/ would bring that cost back.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import * as importedPdfLib from 'pdf-lib';
import { loadFontkit, PDFDocument, PDFName } from '../src/render/pdf-library.js';
import { packageRoot } from '../src/util/paths.js';

async function sourceFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true });
  const nested = await Promise.all(entries.map((entry) => (entry.isDirectory() ? sourceFiles(join(folder, entry.name)) : Promise.resolve(entry.name.endsWith('.ts') ? [join(folder, entry.name)] : []))));
  return nested.flat();
}

describe('pdf-lib and fontkit come from render/pdf-library.ts (issue 26)', () => {
  it('no other source file imports them as values (type imports are erased)', async () => {
    const root = join(packageRoot, 'src');
    const offenders: string[] = [];
    for (const file of await sourceFiles(root)) {
      const name = relative(root, file);
      if (name === join('render', 'pdf-library.ts')) continue;
      const text = await readFile(file, 'utf8');
      for (const line of text.split('\n')) {
        if (/^\s*import\s+(?!type\b)[^;]*from\s+['"](pdf-lib|@pdf-lib\/fontkit)['"]/.test(line) || /import\(\s*['"](pdf-lib|@pdf-lib\/fontkit)['"]\s*\)(?!\s*\.)/.test(line.replace(/typeof import\([^)]*\)/g, ''))) offenders.push(`${name}: ${line.trim()}`);
      }
    }
    assert.deepEqual(offenders, []);
  });

  it("hands over pdf-lib's own classes (one instance: a test's `import 'pdf-lib'` sees the same), and fontkit on first use", () => {
    assert.equal(PDFDocument, importedPdfLib.PDFDocument);
    assert.equal(PDFName, importedPdfLib.PDFName);
    const fontkit = loadFontkit();
    assert.equal(typeof fontkit.create, 'function');
    assert.equal(loadFontkit(), fontkit);
  });
});
