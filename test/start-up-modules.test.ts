/**
 * Issue 11: each command loads only the code it runs. Start-up is most of a short run's CPU, and
 * one static import can bring back a whole library (yaml, node-forge, the AWS SDK) without any
 * output changing, so these runs record every module the CLI loads and name what must be absent.
 * (The figures themselves are measured by `npm run bench -- audit`, never asserted.)
 */
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { platformShim } from '../src/cli/yargs.js';
import { packageRoot } from '../src/util/paths.js';
import { FIXTURES, runCli, temporaryFolder } from './support/cli.js';

/** Preloaded into the CLI: writes the path of every module loaded, by import or by require, to MODULE_LOG. */
const RECORDER = `
import Module, { register } from 'node:module';
import { appendFileSync } from 'node:fs';
const log = process.env.MODULE_LOG;
register('data:text/javascript,' + encodeURIComponent(\`
import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  if (url.startsWith('file:')) appendFileSync(\${JSON.stringify(log)}, decodeURIComponent(new URL(url).pathname) + '\\\\n');
  return next(url, context);
}\`));
const load = Module._load;
Module._load = function (request, parent, isMain) {
  const exported = load.apply(this, arguments);
  try {
    const path = Module._resolveFilename(request, parent, isMain);
    if (path.startsWith('/')) appendFileSync(log, path + '\\n');
  } catch {}
  return exported;
};
`;

interface LoadedModules {
  readonly code: number | null;
  readonly stderr: string;
  /** Packages loaded from node_modules ("yargs", "@aws-sdk/client-iam"). */
  readonly packages: ReadonlySet<string>;
  /** The project's own modules, relative to dist/src ("rules/index.js"). */
  readonly sources: ReadonlySet<string>;
  readonly paths: readonly string[];
}

let folder: { path: string; cleanup: () => Promise<void> };
let recorder: string;
let runs = 0;

async function modulesLoadedBy(args: readonly string[]): Promise<LoadedModules> {
  runs += 1;
  const log = join(folder.path, `modules-${runs}.log`);
  await writeFile(log, '');
  const run = await runCli(args, { cwd: folder.path, env: { MODULE_LOG: log, NODE_OPTIONS: `--import=${pathToFileURL(recorder).href}` } });
  const paths = (await readFile(log, 'utf8')).split('\n').filter((line) => line !== '');
  const packages = new Set<string>();
  const sources = new Set<string>();
  const sourceRoot = join(packageRoot, 'dist', 'src') + '/';
  for (const path of paths) {
    const inPackage = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*\/node_modules\/)/.exec(path);
    if (inPackage?.[1] !== undefined) packages.add(inPackage[1]);
    else if (path.startsWith(sourceRoot)) sources.add(path.slice(sourceRoot.length));
  }
  return { code: run.code, stderr: run.stderr, packages, sources, paths };
}

/** Libraries no run of `rules`, or of a JSON report, has any use for. */
const HEAVY = ['@aws-sdk/client-iam', '@aws-sdk/client-sts', '@smithy/core', 'puppeteer-core', 'puppeteer', 'pdf-lib', 'handlebars', 'node-forge', 'yaml', 'picomatch', 'cliui', 'string-width', 'csv-stringify'];

function assertAbsent(loaded: LoadedModules, packages: readonly string[]): void {
  assert.deepEqual(
    packages.filter((name) => loaded.packages.has(name)),
    [],
    `loaded: ${[...loaded.packages].sort().join(', ')}`,
  );
}

/** ajv's compiler (the validators are generated ahead of time; only its small runtime helpers load). */
function ajvCompilerLoaded(loaded: LoadedModules): boolean {
  return loaded.paths.some((path) => /\/node_modules\/ajv\/dist\/(core|ajv|2020|compile\/)/.test(path));
}

describe('modules each command loads (issue 11)', () => {
  before(async () => {
    folder = await temporaryFolder();
    recorder = join(folder.path, 'record-modules.mjs');
    await writeFile(recorder, RECORDER);
  });
  after(async () => folder.cleanup());

  it('--version loads no yargs', async () => {
    const loaded = await modulesLoadedBy(['--version']);
    assert.equal(loaded.code, 0);
    assert.ok(loaded.sources.has('cli/main.js'), 'the recorder saw the CLI itself');
    assert.equal(loaded.packages.has('yargs'), false, [...loaded.packages].join(', '));
  });

  it('--help lays out its text with cliui, and loads no command module', async () => {
    const loaded = await modulesLoadedBy(['--help']);
    assert.equal(loaded.code, 0);
    assert.ok(loaded.packages.has('yargs') && loaded.packages.has('cliui'), [...loaded.packages].join(', '));
    assert.deepEqual([...loaded.sources].filter((source) => source === 'rules/index.js' || source.startsWith('app/report') || source.startsWith('cli/report')), []);
  });

  it('rules loads the catalogue but no help layout and no heavy library', async () => {
    const loaded = await modulesLoadedBy(['rules']);
    assert.equal(loaded.code, 0, loaded.stderr);
    assert.ok(loaded.sources.has('rules/index.js'));
    assertAbsent(loaded, HEAVY);
  });

  it('report -f json of the demo snapshot loads no heavy library, no other renderer and no schema compiler', async () => {
    const loaded = await modulesLoadedBy(['report', join(FIXTURES, 'demo', 'snapshot.json'), '-f', 'json', '-d', 'json-report', '--quiet']);
    assert.equal(loaded.code, 0, loaded.stderr);
    assert.ok(loaded.sources.has('render/json.js') && loaded.sources.has('generated/snapshot-schema.generated.js'));
    assertAbsent(loaded, HEAVY);
    assert.deepEqual([...loaded.sources].filter((source) => /^render\/(html|pdf|ocsf|asff|junit|findings-csv|mfa-csv)\.js$|^evidence\/(certificate|signer|cms|pdf-)/.test(source) || source.startsWith('config/')).sort(), [
      // The owners module reads owners files with it; parsing (yaml) loads only for a file given.
      'config/structured-file.js',
    ]);
    assert.equal(ajvCompilerLoaded(loaded), false);
  });

  it('verify of an unsigned manifest loads neither pdf-lib nor node-forge', async () => {
    const manifest = (await readdir(join(folder.path, 'json-report'))).find((name) => name.endsWith('.manifest.json'));
    assert.ok(manifest !== undefined, 'the report test above wrote a manifest');
    const loaded = await modulesLoadedBy(['verify', join('json-report', manifest)]);
    // Exit 1: an unsigned manifest fails its signature check; every listed file matches.
    assert.equal(loaded.code, 1, loaded.stderr);
    assert.ok(loaded.sources.has('evidence/verify.js'));
    assertAbsent(loaded, ['pdf-lib', 'node-forge', ...HEAVY]);
  });

  it('audit of the demo credential report, JSON only, loads no heavy library and no schema compiler', async () => {
    const loaded = await modulesLoadedBy(['audit', join(FIXTURES, 'demo', 'credential-report.csv'), '--generated-at', '2026-11-02T08:15:42Z', '-f', 'json', '-d', 'json-audit', '--quiet']);
    assert.equal(loaded.code, 0, loaded.stderr);
    assert.ok(loaded.packages.has('csv-parse'));
    assertAbsent(loaded, HEAVY);
    assert.equal(ajvCompilerLoaded(loaded), false);
    // Issue 26: neither the live collection, nor the browser finder, nor the signing password reader.
    assert.deepEqual([...loaded.sources].filter((source) => /^collect\/(run|caller|limiter|progress|errors|required-members)\.js$|^render\/browser(-candidates)?\.js$|^evidence\/password\.js$/.test(source)).sort(), []);
  });

  it('report --config reads the file with yaml and checks it with the generated validator, not the compiler', async () => {
    await writeFile(join(folder.path, 'iam-audit.yaml'), 'rules:\n  access-key-rotation:\n    maxAgeDays: 60\n');
    const loaded = await modulesLoadedBy(['report', join(FIXTURES, 'demo', 'snapshot.json'), '-f', 'json', '-d', 'json-config', '--quiet', '--config', 'iam-audit.yaml']);
    assert.equal(loaded.code, 0, loaded.stderr);
    assert.ok(loaded.packages.has('yaml') && loaded.sources.has('generated/config-schema.generated.js'));
    assert.equal(ajvCompilerLoaded(loaded), false);
  });
});

describe("the CLI's yargs platform shim", () => {
  it("has yargs' own shim's members, of the same kinds (checked again whenever yargs changes)", async () => {
    const yargsShimPath = join(dirname(fileURLToPath(import.meta.resolve('yargs'))), 'lib', 'platform-shims', 'esm.mjs');
    const { default: theirs } = (await import(pathToFileURL(yargsShimPath).href)) as { default: object };
    const shape = (value: unknown, depth = 0): unknown =>
      typeof value === 'object' && value !== null && depth < 1 && !Array.isArray(value)
        ? Object.fromEntries(Object.entries(value).map(([key, member]) => [key, shape(member, depth + 1)]).sort(([a], [b]) => String(a).localeCompare(String(b))))
        : typeof value;
    assert.deepEqual(shape(platformShim()), shape(theirs));
  });
});
