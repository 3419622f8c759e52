import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package's root folder (the one holding package.json), found from this compiled file's
 * location (dist/src/util/paths.js), so templates and schemas resolve wherever the tool is installed.
 */
export const packageRoot: string = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

interface PackageJson {
  readonly name: string;
  readonly version: string;
}

let cachedPackageJson: PackageJson | undefined;
export function packageInfo(): PackageJson {
  cachedPackageJson ??= JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as PackageJson;
  return cachedPackageJson;
}
