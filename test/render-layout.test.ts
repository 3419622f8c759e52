/**
 * The printable report's layout items of issue 25 that need no browser: the HTML contents
 * numbered 1, 2, 3; no one-row "Framework controls" overview; scope and time after the cover;
 * instants and hashes kept whole; a chart kept with its legend.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReportTemplates, renderDefaultHtml } from '../src/render/html.js';
import { buildReportModel, NO_BRANDING } from '../src/render/report-model.js';
import { demoResult, SMALL_CATALOGUE } from './render-support.js';

describe('report layout (issue 25)', () => {
  it('numbers the HTML contents 1, 2, 3 over the sections, subsections unnumbered', async () => {
    const result = await demoResult();
    const html = await renderDefaultHtml(result);
    const toc = /<nav class="toc">([\s\S]*?)<\/nav>/.exec(html)?.[1] ?? '';
    const items = [...toc.matchAll(/<li class="level-(\d)">(?:<span class="number">(\d+)\.<\/span>)?<a href="#([^"]+)">/g)].map((match) => ({ level: Number(match[1]), number: match[2] === undefined ? null : Number(match[2]), anchor: match[3] }));
    assert.ok(items.length >= 10, `contents entries: ${items.length}`);
    const sections = items.filter((item) => item.level === 1);
    assert.deepEqual(sections.map((item) => item.number), sections.map((_, index) => index + 1));
    for (const item of items.filter((entry) => entry.level === 2)) assert.equal(item.number, null, `${item.anchor} unnumbered`);
    assert.equal(items[0]?.anchor, 'scope', 'scope and time come first after the cover');
  });

  it('drops the one-row framework overview: the only framework shown is a section of its own', async () => {
    const result = await demoResult();
    const frameworks = (result.catalogue ?? SMALL_CATALOGUE).frameworks.map((framework) => framework.id);
    assert.ok(frameworks.length >= 2);
    const model = buildReportModel(result, { ...NO_BRANDING, shownFrameworks: frameworks.slice(0, 1) }, 'pdf');
    const shown = model.parts.filter((part) => part.partial === 'framework-controls');
    assert.equal(shown.length, 1);
    assert.equal(shown[0]?.level, 1);
    assert.equal(model.parts.some((part) => part.partial === 'frameworks-overview'), false);
    assert.deepEqual(model.parts.slice(0, 3).map((part) => part.partial), ['cover', 'scope-time', 'summary']);
    // Two frameworks shown: the overview lists them, each a subsection under it.
    const both = buildReportModel(result, { ...NO_BRANDING, shownFrameworks: frameworks.slice(0, 2) }, 'pdf').parts;
    assert.equal(both.filter((part) => part.partial === 'frameworks-overview').length, 1);
    assert.deepEqual(both.filter((part) => part.partial === 'framework-controls').map((part) => part.level), [2, 2]);
  });

  it('keeps instants whole, and prints a hash as eight fixed groups (whole on screen)', async () => {
    const result = await demoResult();
    const templates = await ReportTemplates.load(null);
    const model = buildReportModel(result, NO_BRANDING, 'pdf');
    const print = templates.render({ document: model.document, parts: model.parts.map((part) => ({ ...part, continued: false })) });
    const body = print.slice(print.indexOf('<body'));
    // Every instant in the text is inside one unbreakable span.
    const text = body.replace(/<svg[\s\S]*?<\/svg>/g, '');
    const instants = [...text.matchAll(/(<span class="instant">)?\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?Z/g)];
    assert.ok(instants.length >= 5, `instants: ${instants.length}`);
    for (const instant of instants) assert.ok(instant[1] !== undefined, `wrapped: ${instant[0]}`);
    const groups = (result.snapshot.sha256.match(/.{8}/g) ?? []).map((group) => `<span>${group}</span>`).join(' ');
    assert.ok(body.includes(`<span class="hash">${groups}</span>`), 'the snapshot hash in eight groups');
    assert.equal(body.includes(result.snapshot.sha256), false, 'never whole (breakable) in print');
    const screen = await renderDefaultHtml(result);
    assert.ok(screen.includes(`<span class="hash">${result.snapshot.sha256}</span>`), 'one word on screen');
    // The head (title, style) is left alone.
    assert.equal(/<title>[^<]*<span/.test(print), false);
  });

  it('keeps a chart with its legend and a section heading with what follows', async () => {
    const html = await renderDefaultHtml(await demoResult());
    assert.match(html, /\.chart \{ break-inside: avoid; page-break-inside: avoid; \}/);
    assert.match(html, /<figure class="chart">\s*<figcaption>MFA among console users<\/figcaption>[\s\S]*?<ul class="legend">/);
  });
});
