// `npm ci` in a clone builds dist/ here, so the README's `npx iam-audit ...` works straight after it
// (npm links the project's own bin only when its target exists at install time). Under
// `npm ci --omit=dev` the project's own TypeScript is absent: nothing is built and nothing fails.
// npm never runs `prepare` when the packed package is installed as a dependency; that ships dist/.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

// npm runs lifecycle scripts in the project's root. Only this project's TypeScript counts: a
// compiler found further up the folders would be somebody else's.
const compiler = 'node_modules/typescript/bin/tsc';
if (!existsSync(compiler) || !existsSync('tsconfig.json')) {
  console.log('prepare: no TypeScript or sources here (npm ci --omit=dev, or a packed copy); not building');
} else {
  const result = spawnSync(process.execPath, [compiler, '-p', 'tsconfig.json'], { stdio: 'inherit' });
  process.exitCode = result.status ?? 1;
}
