/**
 * The published package, installed as a user installs it: `npm pack`, then `npm install` of the
 * tarball into a fresh folder where puppeteer's browser download cannot work (its base URL points
 * at a closed loopback port and its cache is empty), then the demo audit run from there with the
 * system Chromium. Also `npm ci --omit=dev` in a copy of the clone under the same conditions.
 * The registry is reachable here; the npm cache keeps the installs local.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { browserInPuppeteerCache, findBrowser } from '../src/render/browser.js';
import { packageRoot } from '../src/util/paths.js';
import { FIXTURES, temporaryFolder } from './support/cli.js';

const run = promisify(execFile);

/**
 * The environment of a user's shell: none of the npm_* variables `npm test` sets (they would
 * point the inner npm at this clone), a puppeteer download that fails fast, an empty browser cache.
 */
function userEnvironment(browserCache: string): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^npm_/i.test(key) && key !== 'INIT_CWD' && key !== 'PUPPETEER_EXECUTABLE_PATH') environment[key] = value;
  }
  return { ...environment, PUPPETEER_DOWNLOAD_BASE_URL: 'http://127.0.0.1:9/', PUPPETEER_CACHE_DIR: browserCache };
}

async function npm(args: readonly string[], cwd: string, environment: NodeJS.ProcessEnv): Promise<{ stdout: string; stderr: string }> {
  return run('npm', [...args], { cwd, env: environment, maxBuffer: 64 * 1024 * 1024 });
}

async function filesUnder(folder: string): Promise<string[]> {
  if (!existsSync(join(packageRoot, folder))) return [];
  const entries = await readdir(join(packageRoot, folder), { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => relative(packageRoot, join(entry.parentPath, entry.name)));
}

let work: { path: string; cleanup: () => Promise<void> };
let environment: NodeJS.ProcessEnv;
let tarball: string;
let packedFiles: string[];
/** The two installs run side by side (each mostly waits on the file system); each test awaits its own. */
let tarballInstall: Promise<string>;
let cloneInstall: Promise<{ clone: string; output: string }>;

/** `npm install <tarball>` in a fresh project folder, as a user adds the package; resolves to that folder. */
async function installTarball(): Promise<string> {
  const project = join(work.path, 'fresh-project');
  await mkdir(project);
  await writeFile(join(project, 'package.json'), `${JSON.stringify({ name: 'fresh-project', version: '1.0.0', private: true }, null, 2)}\n`);
  await npm(['install', tarball, '--no-audit', '--no-fund', '--prefer-offline'], project, environment);
  return project;
}

/**
 * `npm ci --omit=dev` in a real clone: every file git tracks (as the working tree has it, so a change
 * under test is in it), with tsconfig.json and the sources, as `git clone` leaves it. An earlier
 * version copied only the manifest and the install-time files, and passed while the real clone
 * failed to build. Resolves to the folder and what the install printed.
 */
async function installClone(): Promise<{ clone: string; output: string }> {
  const clone = join(work.path, 'clone');
  const { stdout: tracked } = await run('git', ['ls-files', '-z'], { cwd: packageRoot, maxBuffer: 16 * 1024 * 1024 });
  for (const file of tracked.split('\0').filter((name) => name !== '')) {
    // A file deleted in the working tree but not yet from the index is not in the clone either.
    if (!existsSync(join(packageRoot, file))) continue;
    await mkdir(dirname(join(clone, file)), { recursive: true });
    await copyFile(join(packageRoot, file), join(clone, file));
  }
  // Its own empty browser cache: the tarball test's "the download was attempted" must see only its own attempt.
  await mkdir(join(work.path, 'clone-browser-cache'));
  const { stdout, stderr } = await npm(['ci', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], clone, userEnvironment(join(work.path, 'clone-browser-cache')));
  return { clone, output: `${stdout}${stderr}` };
}

/** Started now, awaited by a test later: a failure before then is that test's failure, not an unhandled rejection. */
function started<T>(pending: Promise<T>): Promise<T> {
  pending.catch(() => undefined);
  return pending;
}

before(async () => {
  work = await temporaryFolder('iam-audit-install-');
  await mkdir(join(work.path, 'browser-cache'));
  environment = userEnvironment(join(work.path, 'browser-cache'));
  // The lock-file install needs no tarball: it starts at once.
  cloneInstall = started(installClone());
  // dist/ is built by `npm test` before the tests run; prepack would rebuild it under the other tests' feet.
  const { stdout } = await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work.path], packageRoot, environment);
  const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  assert.ok(packed !== undefined);
  tarball = join(work.path, packed.filename);
  packedFiles = packed.files.map((file) => file.path);
  tarballInstall = started(installTarball());
});
after(async () => {
  // Never remove the folder under a running npm (a failed test may not have awaited its install).
  await Promise.allSettled([cloneInstall, tarballInstall]);
  await work.cleanup();
});

describe('package manifest', () => {
  it('builds before packing, never at install time, and keeps puppeteer optional', async () => {
    const manifest = JSON.parse(await readFile(join(packageRoot, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
      dependencies: Record<string, string>;
      optionalDependencies?: Record<string, string>;
      license: string;
    };
    for (const lifecycle of ['preinstall', 'install', 'postinstall']) assert.equal(manifest.scripts[lifecycle], undefined, `no ${lifecycle} script`);
    // prepare builds a clone after `npm ci` and skips without TypeScript (npm never runs it for an installed tarball).
    assert.equal(manifest.scripts['prepare'], 'node scripts/prepare.mjs');
    assert.match(manifest.scripts['prepack'] ?? '', /tsc -p tsconfig\.json/);
    assert.equal(manifest.dependencies['puppeteer'], undefined);
    assert.ok(manifest.dependencies['puppeteer-core'] !== undefined);
    assert.equal(manifest.optionalDependencies?.['puppeteer'], manifest.dependencies['puppeteer-core']);
    assert.equal(manifest.license, 'Apache-2.0');
    const license = await readFile(join(packageRoot, 'LICENSE'), 'utf8');
    assert.match(license, /^\s*Apache License\s+Version 2\.0, January 2004/);
    assert.match(license, /END OF TERMS AND CONDITIONS/);
  });

  it('packs the built code and every file it reads at run time, and no tests, fixtures, sources or maps', async () => {
    for (const required of ['package.json', 'LICENSE', 'README.md', 'CHANGELOG.md', 'dist/src/cli/main.js', 'dist/src/render/browser.js']) {
      assert.ok(packedFiles.includes(required), `${required} is packed`);
    }
    const runtimeFiles = [...(await filesUnder('templates')), ...(await filesUnder('schema')), ...(await filesUnder('fonts'))];
    assert.ok(runtimeFiles.includes('schema/snapshot-v2.schema.json'));
    for (const file of runtimeFiles) assert.ok(packedFiles.includes(file), `${file} is packed`);
    const unwanted = packedFiles.filter((file) => /^(test|fixtures|bench|src|dist\/test|dist\/bench|\.ci)\//.test(file) || file.endsWith('.map') || file.endsWith('.ts') || file === '.puppeteerrc.cjs');
    assert.deepEqual(unwanted, []);
  });
});

describe('installing the packed tarball without a browser download', () => {
  let project: string;

  it('installs: the failed download of the optional puppeteer does not fail npm install', async () => {
    project = await tarballInstall;
    assert.ok(existsSync(join(project, 'node_modules', 'iam-audit', 'dist', 'src', 'cli', 'main.js')));
    assert.ok(existsSync(join(project, 'node_modules', 'puppeteer-core', 'package.json')));
    // puppeteer's postinstall ran and failed (no browser could be downloaded), so npm dropped it.
    assert.equal(existsSync(join(project, 'node_modules', 'puppeteer')), false);
    assert.ok(existsSync(join(work.path, 'browser-cache', 'chrome')), 'the download was attempted');
    assert.equal(await browserInPuppeteerCache(environment), null, 'and brought no browser');
    assert.equal(existsSync(join(project, 'node_modules', 'typescript')), false, 'no development packages');
  });

  it('runs the demo audit from the installed package with the system browser', async () => {
    const demo = join(FIXTURES, 'demo', 'credential-report.csv');
    await run('npx', ['--no-install', 'iam-audit', 'audit', demo, '--generated-at', '2026-11-02T08:15:42Z', '-d', 'out', '--format', 'csv,json,html,pdf'], {
      cwd: project,
      env: environment,
      maxBuffer: 16 * 1024 * 1024,
    });
    const written = await readdir(join(project, 'out'));
    for (const extension of ['.json', '.csv', '.html', '.pdf']) assert.ok(written.some((name) => name.startsWith('iam_audit_') && name.endsWith(extension)), `a ${extension} report in ${written.join(', ')}`);
    assert.ok(written.some((name) => name.startsWith('snapshot-111122223333-')));
    const pdf = written.find((name) => name.endsWith('.pdf'));
    assert.ok(pdf !== undefined);
    const { stdout: text } = await run('pdftotext', [join(project, 'out', pdf), '-'], { maxBuffer: 64 * 1024 * 1024 });
    assert.match(text, /111122223333/);
  });
});

describe('npm ci --omit=dev in a clone', () => {
  it('installs the production dependencies and skips the build, saying how to build', async () => {
    // npm ci exits non-zero when prepare fails, so reaching here means the install succeeded.
    const { clone, output } = await cloneInstall;
    assert.ok(existsSync(join(clone, 'node_modules', 'puppeteer-core', 'package.json')));
    assert.equal(existsSync(join(clone, 'node_modules', '@types', 'yargs')), false, 'no development packages');
    assert.ok(existsSync(join(clone, 'tsconfig.json')) && existsSync(join(clone, 'src', 'cli', 'main.ts')), 'a whole clone, sources and tsconfig included');
    // Nothing was compiled, although TypeScript may be present through another package's dependencies.
    assert.equal(existsSync(join(clone, 'dist')), false);
    assert.match(output, /prepare: development packages not installed .*not building/);
    assert.match(output, /npm ci && npm prune --omit=dev/);
  });
});

describe('browser lookup', () => {
  it("finds a browser in puppeteer's cache folder without the puppeteer package", async () => {
    const cache = join(work.path, 'fake-cache');
    const build = join(cache, 'chrome', 'linux-131.0.6778.85', 'chrome-linux64');
    await mkdir(build, { recursive: true });
    const system = await findBrowser(null, { PATH: '' });
    await symlink(system.executablePath, join(build, 'chrome'));
    assert.equal(await browserInPuppeteerCache({ PUPPETEER_CACHE_DIR: cache }), join(build, 'chrome'));
    assert.equal(await browserInPuppeteerCache({ PUPPETEER_CACHE_DIR: join(work.path, 'browser-cache') }), null);
  });
});
