/**
 * `puppeteer` is an optional dependency: npm drops it when its browser download fails (no system
 * browser, no internet). The build must then still compile, so no source file may import it in a
 * way that needs its types; src/render/browser.ts loads it by a name held in a variable.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

test('no source file imports the optional puppeteer package by a literal name (the build must not need its types)', () => {
  const literalImport = /(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"]puppeteer['"]/;
  const offenders = [...sourceFiles('src'), ...sourceFiles('bench')].filter((path) => literalImport.test(readFileSync(path, 'utf8')));
  assert.deepEqual(offenders, []);
});

test('the check above recognises the import forms it forbids', () => {
  const literalImport = /(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"]puppeteer['"]/;
  assert.equal(literalImport.test("const p = await import('puppeteer');"), true);
  assert.equal(literalImport.test("import puppeteer from \"puppeteer\";"), true);
  assert.equal(literalImport.test("import type { Page } from 'puppeteer-core';"), false);
});
