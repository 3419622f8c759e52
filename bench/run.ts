/**
 * `npm run bench`: every benchmark, printed as a table each (their metrics differ). Speed and memory are measured here,
 * never asserted in tests. `npm run bench -- import` runs only benchmarks whose name contains "import"
 * (`-- start-up`: the start-up rows alone).
 */
import { printTable, type BenchRow } from './table.js';
import { run as importReport } from './import-report.js';
import { run as audit } from './audit.js';
import { run as startUp } from './start-up.js';
import { run as rules } from './rules.js';
import { run as evidence } from './evidence.js';
import { run as collect } from './collect.js';
import { run as org } from './org.js';

const benchmarks: ReadonlyArray<{ readonly name: string; readonly run: () => Promise<BenchRow[]> }> = [
  { name: 'audit-start-up', run: startUp },
  { name: 'audit', run: audit },
  { name: 'import-report', run: importReport },
  { name: 'rules', run: rules },
  { name: 'render', run: async () => (await import('./render.js')).run() },
  { name: 'evidence', run: evidence },
  { name: 'collect', run: collect },
  { name: 'trend', run: async () => (await import('./trend.js')).run() },
  { name: 'org', run: org },
  // Every issue-26 target beside its figure (and the previous release's with BENCH_BASELINE_CLI): many minutes.
  { name: 'issue-26', run: async () => (await import('./issue26.js')).run() },
];

const filter = process.argv[2];
const tables: string[] = [];
for (const benchmark of benchmarks) {
  if (filter !== undefined && !benchmark.name.includes(filter)) continue;
  process.stderr.write(`bench: ${benchmark.name}...\n`);
  tables.push(`${benchmark.name}\n\n${printTable(await benchmark.run())}\n`);
}
process.stdout.write(tables.join('\n'));
