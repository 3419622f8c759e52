// `npm ci` in a clone builds dist/ here, so the README's `npx iam-audit ...` works straight after it
// (npm links the project's own bin only when its target exists at install time).
// `npm ci --omit=dev` in a clone installs no development packages, so nothing can be built: this
// skips, says how to build, and does not fail the install. The test is "are this project's own
// development dependencies installed", not "is a TypeScript here": npm may still bring TypeScript in
// through another package (an optional peer of cosmiconfig under puppeteer), and a build with it but
// without the type packages fails with dozens of errors.
// npm never runs `prepare` when the packed package is installed as a dependency; that ships dist/.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// npm runs lifecycle scripts in the project's root.
const manifest = JSON.parse(readFileSync('package.json', 'utf8'));
const missing = Object.keys(manifest.devDependencies ?? {}).filter((name) => !existsSync(join('node_modules', name, 'package.json')));
if (!existsSync('tsconfig.json')) {
  console.log('prepare: no sources here (a packed copy); not building');
} else if (missing.length > 0) {
  console.log(
    `prepare: development packages not installed (${missing.length}, e.g. ${missing[0]}: npm ci --omit=dev?); not building.\n` +
      'prepare: to run from a clone, build first and then drop the development packages: npm ci && npm prune --omit=dev',
  );
} else {
  const result = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
  process.exitCode = result.status ?? 1;
}
