/** Reads the configuration and exceptions files, recording each file's name and SHA-256. */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { CatalogueConfiguration, CatalogueFramework, ExceptionList } from '../analyze/engine.js';
import { DEFAULT_CONFIGURATION, NO_EXCEPTIONS } from '../analyze/engine.js';
import { parseConfiguration } from '../config/configuration.js';
import { parseExceptions } from '../config/exceptions.js';
import type { Rule } from '../rules/rule.js';
import { describeFsError } from '../snapshot/io.js';
import { InputError } from '../util/errors.js';
import { sha256Hex } from '../util/files.js';

async function readText(path: string): Promise<{ text: string; sha256: string }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new InputError(path, null, describeFsError(error));
  }
  return { text: bytes.toString('utf8'), sha256: sha256Hex(bytes) };
}

export async function loadConfiguration(
  path: string | undefined,
  rules: readonly Rule[],
  frameworks: readonly CatalogueFramework[],
): Promise<CatalogueConfiguration> {
  if (path === undefined) return DEFAULT_CONFIGURATION;
  const { text, sha256 } = await readText(path);
  return parseConfiguration(text, path, { name: basename(path), sha256 }, rules, frameworks);
}

export async function loadExceptions(path: string | undefined, rules: readonly Rule[]): Promise<ExceptionList> {
  if (path === undefined) return NO_EXCEPTIONS;
  const { text, sha256 } = await readText(path);
  return parseExceptions(text, path, { name: basename(path), sha256 }, rules);
}
