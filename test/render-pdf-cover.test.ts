/**
 * The cover in every combination of branding (issue 25): {org name, logo, prepared for, prepared
 * by, signing reason and location} x {A4, letter} x {signed, unsigned}, with long values. One
 * browser prints them all, two at a time; each document is the cover and the part after it
 * (contents, scope and time), which is what the cover's length can disturb. Reason and location are
 * one switch (both are lines of the signature box: none and both are its shortest and tallest), and
 * the reviewer is named only in the sign-off, not on the cover: both are in the one real signed run
 * with every option that follows, the whole report, tagged, signed, its pages checked the same way.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFNumber, PDFRef, PDFString } from 'pdf-lib';
import type { AnalysisResult } from '../src/analyze/result.js';
import { findBrowser, withBrowser } from '../src/render/browser.js';
import { ReportTemplates } from '../src/render/html.js';
import { printDocument, type PaperSize } from '../src/render/pdf.js';
import { SIGNATURE_BOX_DESTINATION } from '../src/render/signature-box.js';
import { buildReportModel, NO_BRANDING, type ReportBranding } from '../src/render/report-model.js';
import { runCli, temporaryFolder } from './support/cli.js';
import { makeTestPki, pdfsig, PKI_PASSWORD } from './support/evidence-pki.js';
import { demoResult, DEMO_CREDENTIAL_REPORT } from './render-support.js';

const run = promisify(execFile);

/** A tall logo (an SVG of 300 x 900): shown at the cover's largest logo height, the most room it can take. */
const TALL_LOGO_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="900" viewBox="0 0 300 900"><rect width="300" height="900" fill="#1565c0"/></svg>';
const TALL_LOGO = `data:image/svg+xml;base64,${Buffer.from(TALL_LOGO_SVG).toString('base64')}`;

/** Long values, as a real organisation has them: the worst case for the cover's height. */
const VALUES = {
  orgName: 'Example Corporation International Holdings GmbH & Co. KG, Group Internal Audit and Information Security',
  preparedFor: 'Chief Information Security Officer and the Audit Committee of the Supervisory Board, Example Corporation',
  preparedBy: 'Internal Audit, Jane Q. Auditor (CISA, CISSP), IT Audit Senior Manager, Frankfurt am Main office',
  reviewedBy: 'John Reviewer, Head of Group IT Audit',
  reason: 'Quarterly IAM audit: evidence for SOC 2 Type II CC6.1-CC6.3 and ISO/IEC 27001:2022 A.5.15-A.5.18 sampling-free testing',
  location: 'Frankfurt am Main, Hesse, Germany (Example Corporation headquarters, building C, room 4.12)',
} as const;

const OPTIONS = ['orgName', 'logo', 'preparedFor', 'preparedBy', 'reasonAndLocation'] as const;
type Option = (typeof OPTIONS)[number];

interface Combination {
  readonly options: ReadonlySet<Option>;
  readonly pageSize: PaperSize;
  readonly signed: boolean;
}

function branding(combination: Combination): ReportBranding {
  const has = (option: Option): boolean => combination.options.has(option);
  return {
    ...NO_BRANDING,
    orgName: has('orgName') ? VALUES.orgName : null,
    logoDataUri: has('logo') ? TALL_LOGO : null,
    preparedFor: has('preparedFor') ? VALUES.preparedFor : null,
    preparedBy: has('preparedBy') ? VALUES.preparedBy : null,
    ...(combination.signed
      ? {
          signature: {
            signerName: 'Example Org Audit Signer, Group Internal Audit',
            certificateIssuer: 'CN=Example Issuing CA 2026 G2, OU=Trust Services, O=Example Corporation International Holdings, C=DE',
            signingTime: '2026-11-05T10:00:00Z',
            reason: has('reasonAndLocation') ? VALUES.reason : 'IAM audit evidence',
            location: has('reasonAndLocation') ? VALUES.location : '',
            timestampUrl: 'http://timestamp.example.com/rfc3161',
          },
        }
      : {}),
  };
}

/** Every combination: the options on or off, both papers, signed or not (reason and location exist only when signed). */
function combinations(): Combination[] {
  const all: Combination[] = [];
  for (let mask = 0; mask < 1 << OPTIONS.length; mask += 1) {
    const options = new Set(OPTIONS.filter((_, index) => (mask & (1 << index)) !== 0));
    for (const pageSize of ['a4', 'letter'] as const) {
      for (const signed of [false, true]) {
        if (!signed && options.has('reasonAndLocation')) continue;
        all.push({ options, pageSize, signed });
      }
    }
  }
  return all;
}

const describeCombination = (combination: Combination): string =>
  `${combination.pageSize}, ${combination.signed ? 'signed' : 'unsigned'}, ${[...combination.options].join('+') || 'no branding'}`;

async function pageTexts(file: string, bytes: Uint8Array): Promise<string[]> {
  await writeFile(file, bytes);
  const text = (await run('pdftotext', ['-layout', file, '-'], { maxBuffer: 16 * 1024 * 1024 })).stdout;
  return text.split('\f').slice(0, -1);
}

/** The rectangle of the signature box destination and the index of its page, or null. */
function signatureBox(document: PDFDocument): { page: number; rect: number[] } | null {
  const dests = document.catalog.lookupMaybe(PDFName.of('Dests'), PDFDict);
  const destination = dests?.lookupMaybe(PDFName.of(SIGNATURE_BOX_DESTINATION), PDFArray);
  if (destination === undefined) return null;
  const [page, kind, ...rect] = destination.asArray();
  assert.ok(page instanceof PDFRef);
  assert.equal(String(kind), '/FitR');
  return { page: document.getPages().findIndex((candidate) => candidate.ref === page), rect: rect.map((value) => (value instanceof PDFNumber ? value.asNumber() : Number.NaN)) };
}

/** The checks every printed document must pass: title on page 1, contents next, a footer on every later page. */
function assertPagination(pages: readonly string[], label: string): void {
  const cover = pages[0] ?? '';
  assert.match(cover, /AWS IAM audit report/, `${label}: the title on page 1`);
  assert.match(cover, /Every figure in this report comes from the snapshot/, `${label}: the cover's last line on page 1`);
  assert.doesNotMatch(cover, /Page \d+ of/, `${label}: no footer on the cover`);
  assert.match(pages[1] ?? '', /^\s*Contents\s*$/m, `${label}: page 2 is the contents`);
  assert.match((pages[1] ?? '').trimStart(), /^Contents/, `${label}: page 2 starts with Contents`);
  for (const [index, page] of pages.entries()) {
    if (index === 0) continue;
    assert.match(page, new RegExp(`Page ${index + 1} of ${pages.length}\\b`), `${label}: footer on page ${index + 1}`);
    assert.match(page, /AWS account 111122223333 · /, `${label}: scope line on page ${index + 1}`);
    assert.notEqual(page.replace(/AWS account.*|Captured.*|Page \d+ of \d+/g, '').trim(), '', `${label}: page ${index + 1} is not blank`);
  }
}

interface StructureNode {
  readonly type: string;
  readonly children: StructureNode[];
  readonly texts: string[];
}

/** pdfinfo -struct-text's tree: an element a line ("H2 (block)"), its text in quotes, two spaces of indent a level. */
function parseStructure(output: string): StructureNode {
  const root: StructureNode = { type: 'root', children: [], texts: [] };
  const stack: { depth: number; node: StructureNode }[] = [{ depth: -1, node: root }];
  for (const line of output.split('\n')) {
    const depth = line.length - line.trimStart().length;
    const content = line.trim();
    if (content === '') continue;
    while (stack.length > 1 && (stack[stack.length - 1]?.depth ?? -1) >= depth) stack.pop();
    const parent = stack[stack.length - 1]?.node ?? root;
    if (content.startsWith('"')) {
      parent.texts.push(content.slice(1, -1));
      continue;
    }
    const element = /^([A-Za-z][A-Za-z0-9]*)\b/.exec(content);
    if (element === null || content.startsWith('/')) continue;
    const node: StructureNode = { type: element[1] ?? '', children: [], texts: [] };
    parent.children.push(node);
    stack.push({ depth, node });
  }
  return root.children[0] ?? root;
}

function collect(node: StructureNode, wanted: (node: StructureNode) => boolean): StructureNode[] {
  return [...(wanted(node) ? [node] : []), ...node.children.flatMap((child) => collect(child, wanted))];
}

const textOf = (node: StructureNode): string => [...node.texts, ...node.children.map(textOf)].join('');
/** Text without white space: a heading wrapped over two lines loses the space at the break. */
const squeeze = (text: string): string => text.replace(/\s+/g, '').replace(/\u2026$/, '');

/** Every outline title, in order, all levels. */
function outlineTitles(document: PDFDocument): string[] {
  const titles: string[] = [];
  const walk = (reference: unknown): void => {
    let node = reference === undefined ? undefined : document.context.lookupMaybe(reference as PDFRef, PDFDict);
    while (node !== undefined) {
      const title = node.get(PDFName.of('Title'));
      if (title instanceof PDFHexString || title instanceof PDFString) titles.push(title.decodeText());
      walk(node.get(PDFName.of('First')));
      const next = node.get(PDFName.of('Next'));
      node = next === undefined ? undefined : document.context.lookupMaybe(next, PDFDict);
    }
  };
  walk(document.catalog.lookup(PDFName.of('Outlines'), PDFDict).get(PDFName.of('First')));
  return titles;
}

/** Every outline entry (all levels, in order) with the page (1-based) it points at. */
function outlineEntries(document: PDFDocument): { title: string; page: number }[] {
  const pageRefs = document.getPages().map((page) => page.ref.toString());
  const entries: { title: string; page: number }[] = [];
  const walk = (reference: unknown): void => {
    let node = reference === undefined ? undefined : document.context.lookupMaybe(reference as PDFRef, PDFDict);
    while (node !== undefined) {
      const title = node.get(PDFName.of('Title'));
      const destination = node.lookupMaybe(PDFName.of('Dest'), PDFArray);
      if ((title instanceof PDFHexString || title instanceof PDFString) && destination !== undefined) entries.push({ title: title.decodeText(), page: pageRefs.indexOf(String(destination.get(0))) + 1 });
      walk(node.get(PDFName.of('First')));
      const next = node.get(PDFName.of('Next'));
      node = next === undefined ? undefined : document.context.lookupMaybe(next, PDFDict);
    }
  };
  walk(document.catalog.lookup(PDFName.of('Outlines'), PDFDict).get(PDFName.of('First')));
  return entries;
}

describe('the cover in every combination of branding, paper and signing (real Chromium)', () => {
  let folder: { path: string; cleanup: () => Promise<void> };
  let result: AnalysisResult;

  before(async () => {
    folder = await temporaryFolder('iam-audit-cover-');
    result = await demoResult();
  });
  after(() => folder.cleanup());

  it('keeps the cover to one page, the contents on page 2 and a footer on every later page', { timeout: 600_000 }, async () => {
    const templates = await ReportTemplates.load(null);
    const all = combinations();
    assert.equal(all.length, 2 * (16 + 32), 'every combination');
    await withBrowser(await findBrowser(null), async (browser) => {
      const check = async (combination: Combination, slot: number): Promise<void> => {
        const label = describeCombination(combination);
        const model = buildReportModel(result, branding(combination), 'pdf');
        // The cover and what follows it: the contents, then scope and time.
        const parts = model.parts.filter((part) => ['cover', 'scope-time'].includes(part.partial));
        const bytes = await printDocument({ document: model.document, parts }, { templates, pageSize: combination.pageSize, browserPath: null, runningBrowser: browser });
        const pages = await pageTexts(join(folder.path, `slot-${slot}.pdf`), bytes);
        assertPagination(pages, label);
        const cover = pages[0] ?? '';
        if (combination.options.has('orgName')) assert.match(cover, /Example Corporation International Holdings/, label);
        if (combination.options.has('reasonAndLocation')) assert.match(cover.replace(/\s+/g, ' '), /Frankfurt am Main, Hesse, Germany/, label);
        const document = await PDFDocument.load(bytes, { updateMetadata: false });
        const box = signatureBox(document);
        if (!combination.signed) {
          assert.equal(box, null, `${label}: no signature box`);
          return;
        }
        assert.match(cover, /Digitally signed/, label);
        // The hash as eight groups of eight, all on one line: never broken.
        const groups = (result.snapshot.sha256.match(/.{8}/g) ?? []).join(' ');
        assert.equal(cover.split('\n').filter((line) => line.includes(groups)).length, 2, `${label}: the hash whole on the cover and in the box`);
        assert.ok(box !== null, `${label}: the signature box is exposed`);
        assert.equal(box.page, 0, `${label}: the box is on the cover`);
        const [left = 0, bottom = 0, right = 0, top = 0] = box.rect;
        const { width, height } = document.getPage(0).getSize();
        assert.ok(left >= 0 && bottom >= 0 && right <= width && top <= height, `${label}: box inside the page: ${box.rect.join(' ')}`);
        assert.ok(right - left > 300 && top - bottom > 60, `${label}: box of a real size: ${box.rect.join(' ')}`);
      };
      // Two documents at a time: one prints while the other is merged and read back.
      for (let index = 0; index < all.length; index += 2) {
        await Promise.all(all.slice(index, index + 2).map((combination, slot) => check(combination, slot)));
      }
    });
  });

  it('signs a whole report with every option: one-page cover, footers, tagged, signature valid over the whole file', { timeout: 180_000 }, async () => {
    const pki = await makeTestPki(folder.path);
    const logo = join(folder.path, 'logo.svg');
    await writeFile(logo, TALL_LOGO_SVG);
    const out = join(folder.path, 'signed');
    const reported = await runCli(
      [
        'audit', DEMO_CREDENTIAL_REPORT, '--generated-at', '2026-11-02T08:15:42Z', '-d', out, '--quiet', '--format', 'pdf', '--page-size', 'letter',
        '--org-name', VALUES.orgName, '--logo', logo, '--prepared-for', VALUES.preparedFor, '--prepared-by', VALUES.preparedBy, '--reviewed-by', VALUES.reviewedBy,
        '--sign-p12', pki.signerP12, '--sign-pass-env', 'P12_PASS', '--sign-reason', VALUES.reason, '--sign-location', VALUES.location,
      ],
      // The run clock is the wall clock: the test certificate was issued a moment ago.
      { env: { P12_PASS: PKI_PASSWORD } },
    );
    assert.equal(reported.code, 0, reported.stderr);
    const pdfName = (await readdir(out)).find((name) => name.endsWith('.pdf'));
    assert.ok(pdfName !== undefined);
    const pdfPath = join(out, pdfName);
    const text = (await run('pdftotext', ['-layout', pdfPath, '-'], { maxBuffer: 64 * 1024 * 1024 })).stdout;
    const pages = text.split('\f').slice(0, -1);
    assertPagination(pages, 'signed run');
    const document = await PDFDocument.load(await readFile(pdfPath), { updateMetadata: false });
    assert.match(pages.join('\n'), /John Reviewer, Head of Group IT Audit/, 'the reviewer in the sign-off');
    const info = (await run('pdfinfo', [pdfPath])).stdout;
    assert.match(info, /^Tagged:\s+yes$/m);
    assert.match(info, /^Page size:\s+612 x 792 pts \(letter\)/m);
    const signature = await pdfsig(pdfPath);
    assert.match(signature, /Total document signed/);
    assert.match(signature, /Signature Validation: Signature is Valid/);

    // Every page that continues a section says so at its top: "<section title> (continued)".
    const starts = outlineEntries(document).filter((entry) => entry.title !== 'Cover' && entry.title !== 'Contents');
    let continuations = 0;
    for (let page = 3; page <= pages.length; page += 1) {
      const current = starts.filter((entry) => entry.page <= page).at(-1);
      if (current === undefined || starts.some((entry) => entry.page === page)) continue;
      const firstLine = (pages[page - 1] ?? '').split('\n').find((line) => line.trim() !== '')?.trim() ?? '';
      assert.ok(firstLine.endsWith('(continued)') && squeeze(current.title).startsWith(squeeze(firstLine.replace(/(\u2026)? \(continued\)$/, ''))), `page ${page} continues "${current.title}": ${firstLine}`);
      continuations += 1;
    }
    assert.ok(continuations >= 3, `continuation pages: ${continuations}`);

    // The structure tree, walked (pdfinfo -struct-text prints it with each element's text).
    const tree = parseStructure((await run('pdfinfo', ['-struct-text', pdfPath], { maxBuffer: 64 * 1024 * 1024 })).stdout);
    assert.equal(tree.type, 'Document');
    const headings = collect(tree, (node) => /^H[1-6]?$/.test(node.type)).map((node) => squeeze(textOf(node)));
    const titles = outlineTitles(document).filter((title) => title !== 'Cover');
    assert.ok(titles.length >= 15, `outline: ${titles.join(' | ')}`);
    assert.ok(headings.includes(squeeze('AWS IAM audit report')), 'the cover title is a heading');
    for (const title of titles) assert.ok(headings.includes(squeeze(title)), `section heading "${title}" in the structure tree`);
    // Reading order: the headings in the tree follow the outline's order.
    const positions = titles.map((title) => headings.indexOf(squeeze(title)));
    assert.deepEqual([...positions].sort((a, b) => a - b), positions, 'headings in reading order');
    // The identity matrix's header row: header cells, in a table.
    const headerRows = collect(tree, (node) => node.type === 'TR' && node.children.some((cell) => cell.type === 'TH')).map((row) => row.children.filter((cell) => cell.type === 'TH').map((cell) => squeeze(textOf(cell))));
    const matrixHeader = ['Identity', 'Console password', 'MFA', 'Password last used', 'Password last changed', 'Key 1', 'Key 1 last used', 'Key 2', 'Key 2 last used'].map(squeeze);
    assert.ok(headerRows.some((row) => matrixHeader.every((cell, index) => row[index] === cell)), 'the identity table has its header row of TH cells');
    // Figures carry their alternative text; the catalog says the file is marked, and its language.
    const alternatives = document.context
      .enumerateIndirectObjects()
      .flatMap(([, object]) => (object instanceof PDFDict && String(object.get(PDFName.of('S'))) === '/Figure' ? [object.lookupMaybe(PDFName.of('Alt'), PDFString, PDFHexString)?.decodeText() ?? null] : []))
      .filter((alternative): alternative is string => alternative !== null);
    assert.ok(alternatives.some((alternative) => alternative.startsWith('PASS: console user with MFA')), `the donut's alternative text: ${alternatives.join(' | ')}`);
    assert.ok(alternatives.some((alternative) => alternative.startsWith('critical: ')), 'the bar chart\'s alternative text');
    assert.ok(alternatives.some((alternative) => alternative.includes('logo')), 'the logo\'s alternative text');
    assert.equal(String(document.catalog.lookup(PDFName.of('MarkInfo'), PDFDict).get(PDFName.of('Marked'))), 'true');
    assert.equal(document.catalog.lookup(PDFName.of('Lang'), PDFString).decodeText(), 'en');
  });
});
