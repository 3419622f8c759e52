/** Reads the configuration and exceptions files, recording each file's name and SHA-256. */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { CatalogueConfiguration, CatalogueFramework, ExceptionList } from '../../analyze/engine.js';
import { DEFAULT_CONFIGURATION, NO_EXCEPTIONS } from '../../analyze/engine.js';
import type { ResponseList } from '../../config/responses.js';
import { OwnersMapping } from './owners.js';
import type { Rule } from '../../rules/rule.js';
import { describeFsError } from '../../snapshot/io.js';
import { InputError } from '../../util/errors.js';
import { sha256Hex } from '../../util/files.js';

/** A configuration or exceptions file as read: once, so what is analysed is what gets embedded. */
export interface CatalogueFile {
  readonly path: string;
  readonly fileName: string;
  readonly bytes: Buffer;
  readonly sha256: string;
}

async function readCatalogueFile(path: string): Promise<CatalogueFile> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new InputError(path, null, describeFsError(error));
  }
  return { path, fileName: basename(path), bytes, sha256: sha256Hex(bytes) };
}

export async function loadConfiguration(
  path: string | undefined,
  rules: readonly Rule[],
  frameworks: readonly CatalogueFramework[],
): Promise<{ configuration: CatalogueConfiguration; file: CatalogueFile | null }> {
  if (path === undefined) return { configuration: DEFAULT_CONFIGURATION, file: null };
  const file = await readCatalogueFile(path);
  // The file parsers (and their schema validators) load only for a file given: most runs give none.
  const { parseConfiguration } = await import('../../config/configuration.js');
  return { configuration: parseConfiguration(file.bytes.toString('utf8'), path, { name: file.fileName, sha256: file.sha256 }, rules, frameworks), file };
}

export async function loadExceptions(path: string | undefined, rules: readonly Rule[]): Promise<{ exceptions: ExceptionList; file: CatalogueFile | null }> {
  if (path === undefined) return { exceptions: NO_EXCEPTIONS, file: null };
  const file = await readCatalogueFile(path);
  const { parseExceptions } = await import('../../config/exceptions.js');
  return { exceptions: parseExceptions(file.bytes.toString('utf8'), path, { name: file.fileName, sha256: file.sha256 }, rules), file };
}

export async function loadResponses(path: string | undefined, rules: readonly Rule[]): Promise<{ responses: ResponseList; file: CatalogueFile | null }> {
  if (path === undefined) return { responses: { entries: [] }, file: null };
  const file = await readCatalogueFile(path);
  const { parseResponses } = await import('../../config/responses.js');
  return { responses: parseResponses(file.bytes.toString('utf8'), path, rules), file };
}

/** The owners mapping file (--owners), shared with `notify`. */
export async function loadOwners(path: string | undefined): Promise<{ mapping: OwnersMapping; file: CatalogueFile | null }> {
  if (path === undefined) return { mapping: OwnersMapping.empty, file: null };
  const file = await readCatalogueFile(path);
  return { mapping: OwnersMapping.parse(file.bytes.toString('utf8'), path), file };
}
