/**
 * The files of `export securityhub`: the ASFF findings file that `report --format asff` wrote
 * (read and checked: an array of findings with the members BatchImportFindings needs), and the
 * state file of what the last export sent, so that a finding gone from the next report is archived.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { describeFsError } from '../../snapshot/io.js';
import { InputError } from '../../util/errors.js';
import { writeOutputs } from '../../util/files.js';

export const STATE_KIND = 'iam-audit securityhub export state';
export const DEFAULT_STATE_FILE = 'iam_audit_securityhub_state.json';

/** The members BatchImportFindings requires of every finding (AwsSecurityFinding in the service model). */
const REQUIRED_STRINGS = ['SchemaVersion', 'Id', 'ProductArn', 'GeneratorId', 'AwsAccountId', 'CreatedAt', 'UpdatedAt', 'Title', 'Description'] as const;

/** What an archive needs of a finding exported earlier: its required members, sent again with RecordState ARCHIVED. */
export type ExportedFinding = Pick<AwsSecurityFinding, (typeof REQUIRED_STRINGS)[number] | 'Resources'>;

export interface ExportState {
  /** The account whose findings the state holds; null before the first export. */
  readonly accountId: string | null;
  /** The findings active in Security Hub after the last export, by Id. */
  readonly findings: ReadonlyMap<string, ExportedFinding>;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError(path, null, describeFsError(error));
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InputError(path, null, `not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The problem with one finding, or null when it has what BatchImportFindings requires. */
function findingProblem(value: unknown): string | null {
  if (!isObject(value)) return 'not an object';
  const missing = REQUIRED_STRINGS.filter((name) => typeof value[name] !== 'string' || value[name] === '');
  if (missing.length > 0) return `missing ${missing.join(', ')}`;
  if (!Array.isArray(value['Resources']) || value['Resources'].length === 0) return 'missing Resources';
  return null;
}

/** Reads the ASFF file: a JSON array of findings, ids unique, all of one account. */
export async function readAsffFindings(path: string): Promise<AwsSecurityFinding[]> {
  const document = await readJson(path);
  if (!Array.isArray(document)) {
    const hint = isObject(document) && 'catalogue' in document ? ' (this is a report JSON; write the findings with "report --format asff")' : '';
    throw new InputError(path, null, `not an ASFF findings file: expected a JSON array of findings${hint}`);
  }
  const seen = new Set<string>();
  document.forEach((value, index) => {
    const problem = findingProblem(value);
    if (problem !== null) throw new InputError(path, `finding ${index + 1}`, problem);
    const finding = value as AwsSecurityFinding;
    const id = finding.Id ?? '';
    if (seen.has(id)) throw new InputError(path, `finding ${index + 1}`, `Id ${id} appears twice`);
    seen.add(id);
    if (finding.AwsAccountId !== (document[0] as AwsSecurityFinding).AwsAccountId) {
      throw new InputError(path, `finding ${index + 1}`, `account ${String(finding.AwsAccountId)} differs from the first finding's ${String((document[0] as AwsSecurityFinding).AwsAccountId)}; export one account per file`);
    }
  });
  return document as AwsSecurityFinding[];
}

/** Reads the state file; a state file that does not exist yet is an empty state. */
export async function readExportState(path: string): Promise<ExportState> {
  let document: unknown;
  try {
    document = JSON.parse(await readFile(path, 'utf8')) as unknown;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { accountId: null, findings: new Map() };
    if (error instanceof SyntaxError) throw new InputError(path, null, `not JSON: ${error.message}`);
    throw new InputError(path, null, describeFsError(error));
  }
  if (!isObject(document) || document['kind'] !== STATE_KIND || document['version'] !== 1 || !Array.isArray(document['findings'])) {
    throw new InputError(path, null, `not an export state file (kind "${STATE_KIND}", version 1, findings)`);
  }
  const accountId = document['accountId'];
  if (accountId !== null && typeof accountId !== 'string') throw new InputError(path, 'accountId', 'expected a string or null');
  const findings = new Map<string, ExportedFinding>();
  document['findings'].forEach((value, index) => {
    const problem = findingProblem(value);
    if (problem !== null) throw new InputError(path, `findings[${index}]`, problem);
    findings.set(String((value as Json)['Id']), value as ExportedFinding);
  });
  return { accountId, findings };
}

/** What an archive needs of a finding: its required members only (the state stays small). */
export function exportedFinding(finding: AwsSecurityFinding): ExportedFinding {
  const { SchemaVersion, Id, ProductArn, GeneratorId, AwsAccountId, CreatedAt, UpdatedAt, Title, Description, Resources } = finding;
  return { SchemaVersion, Id, ProductArn, GeneratorId, AwsAccountId, CreatedAt, UpdatedAt, Title, Description, Resources };
}

/** Writes the state file (replacing the earlier one in one step: never half written). */
export async function writeExportState(path: string, state: ExportState): Promise<void> {
  const findings = [...state.findings.values()].sort((a, b) => String(a.Id).localeCompare(String(b.Id)));
  const text = `${JSON.stringify({ kind: STATE_KIND, version: 1, accountId: state.accountId, findings }, null, 1)}\n`;
  await writeOutputs(dirname(path), [{ fileName: basename(path), content: text }], true);
}
