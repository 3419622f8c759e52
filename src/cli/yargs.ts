/**
 * yargs, built from its own factory with a platform shim that loads its help-layout libraries
 * (cliui, string-width) only when a help text is laid out.
 *
 * yargs' ESM entry imports them up front, and they cost more CPU than the rest of yargs together
 * (string-width compiles Unicode emoji property regexes and ICU segmentation data at import:
 * ~0.1 s of every run, issue 11), yet only `--help` uses them. This shim is yargs'
 * lib/platform-shims/esm.mjs member for member (test/start-up-modules.test.ts compares them), with
 * `cliui` and `stringWidth` loaded on first use. yargs is pinned (package.json), since the factory
 * is reached by its file path inside the package.
 */
import { notStrictEqual, strictEqual } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';

export type YargsFactory = (typeof import('yargs'))['default'];

// Resolved from yargs' own folder, so that each dependency is the copy yargs itself would import.
const yargsEntry = fileURLToPath(import.meta.resolve('yargs'));
const requireFromYargs = createRequire(yargsEntry);
// Where yargs' own shim lives: it derives the locales folder and mainFilename from its path.
const yargsShimPath = join(dirname(yargsEntry), 'lib', 'platform-shims', 'esm.mjs');

/** A module loaded with require(): an ES module's namespace, or a CommonJS module's exports. */
function defaultExport<T>(loaded: unknown): T {
  const namespace = loaded as { default?: T };
  return (namespace.default ?? loaded) as T;
}

type Cliui = (options: object) => unknown;
type StringWidth = (text: string) => number;
let cliui: Cliui | undefined;
let stringWidth: StringWidth | undefined;

/** What yargs' own lib/platform-shims/esm.mjs exports, with cliui and string-width loaded on first use. */
export function platformShim(): object {
  const mainFilename = yargsShimPath.substring(0, yargsShimPath.lastIndexOf('node_modules'));
  const getCallerFile = requireFromYargs('get-caller-file') as (position?: number) => string;
  const y18n = defaultExport<(options: object) => object>(requireFromYargs('y18n'));
  const processArgv = requireFromYargs('./build/lib/utils/process-argv.js') as { getProcessArgvBin: () => string[] };
  return {
    assert: { notStrictEqual, strictEqual },
    // Loaded on first use: only laying out a help text calls these two.
    cliui: (options: object) => {
      cliui ??= defaultExport<Cliui>(requireFromYargs('cliui'));
      return cliui(options);
    },
    findUp: defaultExport<unknown>(requireFromYargs('escalade/sync')),
    getEnv: (key: string) => process.env[key],
    inspect,
    getProcessArgvBin: processArgv.getProcessArgvBin,
    mainFilename: mainFilename || process.cwd(),
    Parser: defaultExport<unknown>(requireFromYargs('yargs-parser')),
    path: { basename, dirname, extname, relative, resolve, join },
    process: {
      argv: () => process.argv,
      cwd: process.cwd,
      emitWarning: (warning: string, type: string) => process.emitWarning(warning, type),
      execPath: () => process.execPath,
      exit: (code: number) => {
        process.exit(code);
      },
      nextTick: process.nextTick,
      stdColumns: typeof process.stdout.columns !== 'undefined' ? process.stdout.columns : null,
    },
    readFileSync,
    readdirSync,
    require: requireFromYargs,
    getCallerFile: () => {
      const callerFile = getCallerFile(3);
      return /^file:\/\//.test(callerFile) ? fileURLToPath(callerFile) : callerFile;
    },
    stringWidth: (text: string) => {
      stringWidth ??= defaultExport<StringWidth>(requireFromYargs('string-width'));
      return stringWidth(text);
    },
    y18n: y18n({ directory: resolve(yargsShimPath, '../../../locales'), updateFiles: false }),
  };
}

/** yargs, as `import yargs from 'yargs'` gives it, without its help layout loaded up front. */
export function loadYargs(): YargsFactory {
  const { YargsFactory } = requireFromYargs('./build/lib/yargs-factory.js') as { YargsFactory: (shim: object) => YargsFactory };
  return YargsFactory(platformShim());
}
