/**
 * Issue 30: the rules of docs/architecture.md, checked over the TypeScript sources of src/ (read
 * with the compiler's parser by test/support/source-rules.ts, so no build is needed and type-only
 * and dynamic imports count like the others):
 *  - which folder may import which (the layers), and within src/app/ which use case may use which;
 *  - no circle of imports between files;
 *  - no function over 80 lines and no file over 400 without a comment saying why it is one piece.
 *    src/generated/ is exempt from the lengths: it is written by scripts/generate-validators.mjs,
 *    not by hand (test/schema-validators.test.ts checks that it is current).
 * The first tests feed the checks made-up sources, so each is seen to fail on a violation.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { packageRoot } from '../src/util/paths.js';
import { importCircles, importEdges, readSources, unjustifiedLengths, type ImportEdge, type Source } from './support/source-rules.js';

const SOURCE_ROOT = join(packageRoot, 'src');

/** The folders of src/ each folder's files may import, besides their own (docs/architecture.md, "Which may import which"). */
const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  util: [],
  generated: ['util'],
  snapshot: ['generated', 'util'],
  rules: ['snapshot', 'util'],
  frameworks: ['rules', 'snapshot', 'util'],
  analyze: ['frameworks', 'rules', 'snapshot', 'util'],
  config: ['analyze', 'frameworks', 'generated', 'rules', 'snapshot', 'util'],
  import: ['snapshot', 'util'],
  collect: ['import', 'snapshot', 'util'],
  render: ['analyze', 'frameworks', 'rules', 'snapshot', 'util'],
  evidence: ['analyze', 'frameworks', 'render', 'rules', 'snapshot', 'util'],
  app: ['analyze', 'collect', 'config', 'evidence', 'frameworks', 'import', 'render', 'rules', 'snapshot', 'util'],
  cli: ['analyze', 'app', 'collect', 'config', 'evidence', 'frameworks', 'import', 'render', 'rules', 'snapshot', 'util'],
};

/** The folders of src/app/ each use case may import, besides its own (docs/architecture.md, "Use cases"). */
const USE_CASE_MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  shared: [],
  import: [],
  rules: [],
  export: [],
  archive: ['shared'],
  notify: ['shared'],
  verify: ['shared'],
  extend: [],
  // --previous: the comparison with an earlier archive.
  report: ['archive', 'shared'],
  // --per-account runs each account's own report; the org report takes its formats and presentation.
  org: ['report', 'shared'],
  // review start --mail sends the workbooks through notify's SMTP path (the same settings and retries).
  review: ['notify', 'shared'],
};

/** The import edges that break the rules above, one line each ("snapshot/io.ts:3 imports render/json.ts"). */
function ruleViolations(edges: readonly ImportEdge[]): string[] {
  const problems: string[] = [];
  for (const edge of edges) {
    // A computed import() or a missing file has no folder; the tree's test names those apart.
    if (edge.to.startsWith('<') || edge.to.endsWith('(missing)')) continue;
    const where = `${edge.from}:${edge.line} imports ${edge.to}`;
    const [fromLayer = '', fromSub = ''] = edge.from.split('/');
    const [toLayer = '', toSub = ''] = edge.to.split('/');
    const allowed = MAY_IMPORT[fromLayer];
    if (allowed === undefined) problems.push(`${where}: src/${fromLayer}/ has no rule (add it to docs/architecture.md and this test)`);
    else if (toLayer !== fromLayer && !allowed.includes(toLayer)) problems.push(`${where}: ${fromLayer}/ may import only ${allowed.join(', ') || 'nothing of the rest'}`);
    if (fromLayer === 'app' && toLayer === 'app' && fromSub !== toSub) {
      const useCaseAllowed = USE_CASE_MAY_IMPORT[fromSub];
      if (useCaseAllowed === undefined) problems.push(`${where}: app/${fromSub} has no rule`);
      else if (!useCaseAllowed.includes(toSub)) problems.push(`${where}: app/${fromSub}/ may use only ${useCaseAllowed.map((name) => `app/${name}/`).join(', ') || 'its own files'}`);
    }
  }
  return problems;
}

function lines(count: number): string {
  return Array.from({ length: count }, (_, index) => `  const line${index} = ${index};`).join('\n');
}

describe('the architecture checks themselves (made-up sources)', () => {
  it('find a circle made of a type-only import and a dynamic import()', () => {
    const sources: Source[] = [
      { path: 'analyze/a.ts', text: "import type { B } from './b.js';\nexport type A = B;\n" },
      { path: 'analyze/b.ts', text: "export type B = string;\nexport const load = () => import('./a.js');\n" },
      { path: 'analyze/c.ts', text: "export { load } from './b.js';\n" },
    ];
    assert.deepEqual(importCircles(importEdges(sources)), [['analyze/a.ts', 'analyze/b.ts']]);
  });

  it('find an import against the layers, a type in import() included', () => {
    const sources: Source[] = [
      { path: 'snapshot/io.ts', text: "export type Model = import('../render/model.js').Model;\n" },
      { path: 'render/model.ts', text: "import { x } from '../app/report/report.js';\nexport interface Model { readonly x: typeof x }\n" },
      { path: 'app/report/report.ts', text: "import { y } from '../notify/notify.js';\nexport const x = y;\n" },
      { path: 'app/notify/notify.ts', text: 'export const y = 1;\n' },
    ];
    assert.deepEqual(ruleViolations(importEdges(sources)), [
      'snapshot/io.ts:1 imports render/model.ts: snapshot/ may import only generated, util',
      'render/model.ts:1 imports app/report/report.ts: render/ may import only analyze, frameworks, rules, snapshot, util',
      'app/report/report.ts:1 imports app/notify/notify.ts: app/report/ may use only app/archive/, app/shared/',
    ]);
  });

  it('find a function over 80 lines and a file over 400 lines, unless a comment says why it is one piece', () => {
    const long = `export function long(): void {\n${lines(79)}\n}\n`;
    const justified = `// One piece: made up for the test.\nexport function justified(): void {\n${lines(79)}\n}\n`;
    const arrow = `export const arrow = (): void => {\n${lines(79)}\n};\n`;
    assert.deepEqual(unjustifiedLengths([{ path: 'analyze/x.ts', text: `${long}${justified}${arrow}` }]), ['analyze/x.ts:1 long: 81 lines', 'analyze/x.ts:164 arrow: 81 lines']);
    assert.deepEqual(unjustifiedLengths([{ path: 'analyze/y.ts', text: `export function fine(): void {\n${lines(78)}\n}\n` }]), []);
    const body = Array.from({ length: 401 }, (_, index) => `export const value${index} = ${index};`).join('\n');
    assert.deepEqual(unjustifiedLengths([{ path: 'render/big.ts', text: `${body}\n` }]), ['render/big.ts: 401 lines']);
    assert.deepEqual(unjustifiedLengths([{ path: 'render/big.ts', text: `/** One piece: made up for the test. */\n${body}\n` }]), []);
  });
});

describe('the source tree (docs/architecture.md)', () => {
  let sources: Source[];
  let edges: ImportEdge[];
  before(async () => {
    sources = await readSources(SOURCE_ROOT);
    edges = importEdges(sources);
  });

  it('reads the whole tree', () => {
    assert.ok(sources.length > 150, `${sources.length} files under src/`);
    assert.ok(edges.some((edge) => edge.kind === 'dynamic') && edges.some((edge) => edge.kind === 'type'), 'dynamic and type-only imports are followed');
  });

  it('imports only what the layers allow, and app/ use cases only the use cases they name', () => {
    assert.deepEqual(edges.filter((edge) => edge.to.endsWith('(missing)')).map((edge) => `${edge.from}:${edge.line} ${edge.to}`), []);
    // An import() of a computed name cannot be followed: the one there is loads the optional
    // puppeteer package by a name in a variable (see render/browser.ts), no file of ours.
    assert.deepEqual(edges.filter((edge) => edge.to.startsWith('<')).map((edge) => edge.from), ['render/browser.ts']);
    assert.deepEqual(ruleViolations(edges), []);
  });

  it('has no circle of imports between files', () => {
    assert.deepEqual(importCircles(edges), []);
  });

  it('has no function over 80 lines and no file over 400 lines without a comment saying why it is one piece (src/generated/ exempt)', () => {
    assert.deepEqual(unjustifiedLengths(sources.filter((source) => !source.path.startsWith('generated/'))), []);
  });

  it('keeps src/app/ in use-case folders, and every folder has its rule and its line in docs/architecture.md', async () => {
    assert.deepEqual(sources.filter((source) => /^app\/[^/]+$/.test(source.path)).map((source) => source.path), [], 'files directly in src/app/');
    const folders = (await readdir(SOURCE_ROOT, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
    const useCases = (await readdir(join(SOURCE_ROOT, 'app'), { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
    assert.deepEqual(folders, Object.keys(MAY_IMPORT).sort());
    assert.deepEqual(useCases, Object.keys(USE_CASE_MAY_IMPORT).sort());
    const architecture = await readFile(join(packageRoot, 'docs', 'architecture.md'), 'utf8');
    const listed = (folder: string): boolean => new RegExp(`^\\| \`src/${folder}/\``, 'm').test(architecture);
    assert.deepEqual([...folders, ...useCases.map((name) => `app/${name}`)].filter((folder) => !listed(folder)), [], 'folders without their line in the table of docs/architecture.md');
  });
});
