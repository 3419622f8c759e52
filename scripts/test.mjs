// Runs node's own test runner over dist/test/*.test.js (built by `npm test` just before), two files
// at a time, with the longest files first: node starts the files in the order given, and a long
// file started last would run alone at the end while the other core idles. The output, exit code
// and closing summary are node's own. Extra arguments go to node (`npm test -- --test-reporter=tap`).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const folder = join('dist', 'test');

/** The slowest files on 2 cores (CPU and waiting), slowest first; see docs/development.md. */
const LONGEST_FIRST = [
  'package-install',
  'render-pdf',
  'notify',
  'evidence-manifest',
  'cli',
  'render-pdf-pagination',
  'evidence-report-run',
  'write-failures',
  'evidence-timestamp',
  'evidence-pdf',
  'interrupt-cleanup',
  'collect-faults',
  'collect-live-defects',
  'collect-populations',
  'terminal-escape',
  'rules-cli',
  'dates-cli',
  'browser-environment',
  'render-pdf-fonts',
  'cli-streams',
].map((name) => `${name}.test.js`);

const found = readdirSync(join(root, folder)).filter((name) => name.endsWith('.test.js'));
const ordered = [...LONGEST_FIRST.filter((name) => found.includes(name)), ...found.filter((name) => !LONGEST_FIRST.includes(name)).sort()];
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...process.argv.slice(2), ...ordered.map((name) => join(folder, name))], {
  cwd: root,
  stdio: 'inherit',
});
if (result.error !== undefined) throw result.error;
process.exitCode = result.status ?? 1;
