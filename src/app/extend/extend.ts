/**
 * Use case `extend`: the archive-renewal step of a PAdES B-LTA report (ETSI EN 319 142-1 5.5).
 * Before the last document timestamp's certificate expires (or its algorithms weaken), a fresh
 * DSS entry with that timestamp's chain and revocation data and a new document timestamp over
 * the whole file are appended as incremental updates; earlier signatures keep every byte.
 * Uses evidence/ (pades, revocation) only; writes with util/files (all or nothing, no overwrite
 * unless asked: the input itself is replaced only with --in-place).
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { RevocationSources } from '../../evidence/revocation.js';
import type { HashName } from '../../evidence/pki-asn1.js';
import { describeFsError } from '../../snapshot/io.js';
import { InputError } from '../../util/errors.js';
import { writeOutputs } from '../../util/files.js';

export interface ExtendOptions {
  readonly input: string;
  /** The file to write: a new file, or the input itself (in place). */
  readonly output: string;
  readonly overwrite: boolean;
  readonly timestampUrl: string;
  readonly hash: HashName;
  readonly sources: RevocationSources;
  readonly now: Date;
}

export interface ExtendOutcome {
  readonly written: string;
  readonly bytesAdded: number;
}

export async function extendReport(options: ExtendOptions): Promise<ExtendOutcome> {
  let pdf: Buffer;
  try {
    pdf = await readFile(options.input);
  } catch (error) {
    throw new InputError(options.input, null, describeFsError(error));
  }
  if (!pdf.subarray(0, 5).equals(Buffer.from('%PDF-'))) throw new InputError(options.input, null, 'not a PDF (it does not start with %PDF-)');
  const [{ extendArchive }, { locateSignatures, isDocumentTimestamp }] = await Promise.all([import('../../evidence/pades.js'), import('../../evidence/pdf-signatures.js')]);
  const locations = locateSignatures(pdf, options.input);
  if (!locations.some(isDocumentTimestamp)) {
    throw new InputError(options.input, null, locations.length === 0 ? 'not signed: nothing to extend' : 'has no document timestamp (PAdES B-LTA): sign it with --pades-level b-lta first');
  }
  const extended = await extendArchive(pdf, options.input, { hash: options.hash, timestampUrl: options.timestampUrl, sources: options.sources, at: options.now });
  const [written] = await writeOutputs(dirname(options.output), [{ fileName: basename(options.output), content: extended }], options.overwrite);
  return { written: written ?? options.output, bytesAdded: extended.length - pdf.length };
}
