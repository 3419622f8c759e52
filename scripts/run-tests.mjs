// `npm test` after the build: runs the compiled test files, the slowest first, a few at a time.
// `node --test` sorts its files by name, so a slow file late in the alphabet (render-pdf) started
// near the end and the run finished on one busy core. Started first, the long files overlap the
// many short ones and both cores stay busy to the end. Files not named below run after, by name.
// Usage: node scripts/run-tests.mjs [dist/test/x.test.js ...]   (TEST_CONCURRENCY=n to change n)
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from 'node:test';
import { spec, tap } from 'node:test/reporters';

/** The longest files of a full run, longest first (seconds on a quiet 2-core machine, docs/development.md). */
const SLOWEST_FIRST = [
  'render-pdf',
  'package-install',
  'render-pdf-pagination',
  'cli',
  'diff',
  'evidence-manifest',
  'render-pdf-fonts',
  'evidence-report-run',
  'diff-signed',
  'org-report',
  'evidence-pdf',
  'evidence-timestamp',
  'notify',
  'collect-faults',
  'interrupt-cleanup',
  'rules-cli',
  'write-failures',
];

function defaultFiles() {
  const folder = join('dist', 'test');
  const names = readdirSync(folder).filter((name) => name.endsWith('.test.js')).sort();
  const rank = (name) => {
    const index = SLOWEST_FIRST.indexOf(name.slice(0, -'.test.js'.length));
    return index === -1 ? SLOWEST_FIRST.length : index;
  };
  // A stable sort: the unnamed files keep their alphabetical order after the named ones.
  return names.sort((a, b) => rank(a) - rank(b)).map((name) => join(folder, name));
}

const files = process.argv.length > 2 ? process.argv.slice(2) : defaultFiles();
const concurrency = Number(process.env.TEST_CONCURRENCY ?? 2);
if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`TEST_CONCURRENCY must be a whole number of at least 1, not ${process.env.TEST_CONCURRENCY}`);

// One throwaway PKI for the whole run (test/support/evidence-pki.ts): six files would each make
// five RSA keys of their own. The files copy it; each still gets its own folder to write in.
const { makeTestPki, SHARED_PKI_VARIABLE } = await import('../dist/test/support/evidence-pki.js');
const sharedPki = mkdtempSync(join(tmpdir(), 'iam-audit-test-pki-'));
await makeTestPki(sharedPki);
process.env[SHARED_PKI_VARIABLE] = sharedPki;

// trend keeps a cache of its points in the user's cache folder; the suite's runs use a throwaway
// one so testing never leaves files in the home folder (a test that sets its own keeps it).
const cacheFolder = mkdtempSync(join(tmpdir(), 'iam-audit-test-cache-'));
process.env.IAM_AUDIT_CACHE_DIR ??= cacheFolder;

const stream = run({ files, concurrency });
stream.on('close', () => {
  rmSync(sharedPki, { recursive: true, force: true });
  rmSync(cacheFolder, { recursive: true, force: true });
});
// As `node --test` does: any failed test (not a todo) fails the run.
stream.on('test:fail', (event) => {
  if (event.todo === undefined || event.todo === false) process.exitCode = 1;
});
// As `node --test` does on Node 20: the spec reporter on a terminal, TAP otherwise.
stream.compose(process.stdout.isTTY ? new spec() : tap).pipe(process.stdout);
