/**
 * Use case `export securityhub FINDINGS.asff.json` (this folder). Reads the ASFF file that
 * `report --format asff` wrote and the state of the last export (export-files.ts), sends the
 * findings to Security Hub with BatchImportFindings in batches of 100 (the API's limit) with the
 * AWS SDK v3 (the default credential chain, --profile, --region, --endpoint-url; throttling and
 * 5xx answers retried by the SDK's standard retry strategy), archives the findings of the last
 * export that are gone from this one (the same Id and ProductArn, RecordState ARCHIVED), names
 * every finding Security Hub refused (exit 3), and writes the new state. Lower layers: util/
 * (errors, file writing); no analysis: the ASFF file is the rendered result.
 */
import { BatchImportFindingsCommand, SecurityHubClient, type AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { ExitCode, UserError, type ExitCodeValue } from '../../util/errors.js';
import { escapeForTerminal } from '../../util/terminal-text.js';
import { exportedFinding, readAsffFindings, readExportState, writeExportState, type ExportedFinding, type ExportState } from './export-files.js';

/** BatchImportFindings takes at most 100 findings per call. */
export const BATCH_SIZE = 100;
const DEFAULT_REGION = 'us-east-1';
const DEFAULT_MAX_ATTEMPTS = 5;

export interface SecurityHubExportOptions {
  readonly findingsPath: string;
  readonly statePath: string;
  /** --region; else the region of the findings' ProductArn, else us-east-1. */
  readonly region?: string;
  readonly endpointUrl?: string;
  readonly profile?: string;
  /** Attempts per call, the first included (SDK standard retry: throttling, 5xx, time-outs). */
  readonly maxAttempts?: number;
  /** The time an archive's UpdatedAt takes when the findings file is empty (no capture time to take). */
  readonly clock?: () => Date;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

export interface RefusedFinding {
  readonly id: string;
  readonly errorCode: string;
  readonly errorMessage: string;
  /** Whether the refused finding was being archived (else imported). */
  readonly archiving: boolean;
}

export interface SecurityHubExportOutcome {
  readonly exitCode: ExitCodeValue;
  readonly imported: number;
  readonly archived: number;
  readonly refused: readonly RefusedFinding[];
  readonly calls: number;
}

/** The region a ProductArn names (arn:partition:securityhub:REGION:account:product/...), or null. */
function regionOfProductArn(productArn: string | undefined): string | null {
  const region = productArn?.split(':')[3];
  return region === undefined || region === '' ? null : region;
}

/** The findings of the last export that this one no longer holds: resolved, so archived. */
function archivesOf(state: ExportState, findings: readonly AwsSecurityFinding[], updatedAt: string): AwsSecurityFinding[] {
  const current = new Set(findings.map((finding) => finding.Id));
  return [...state.findings.values()]
    .filter((finding) => !current.has(finding.Id))
    .map((finding) => ({ ...finding, UpdatedAt: updatedAt, RecordState: 'ARCHIVED' }));
}

/** The latest UpdatedAt of the findings (their capture time), or the clock when there is none. */
function archiveTime(findings: readonly AwsSecurityFinding[], clock: () => Date): string {
  const times = findings.map((finding) => finding.UpdatedAt ?? '').filter((time) => time !== '').sort();
  return times.at(-1) ?? clock().toISOString();
}

/** Refuses a state of another account, or a report older than the one the state exported last. */
function checkFits(state: ExportState, findings: readonly AwsSecurityFinding[], options: SecurityHubExportOptions): string | null {
  const accountId = findings[0]?.AwsAccountId ?? state.accountId;
  if (state.accountId !== null && accountId !== state.accountId) {
    throw new UserError(
      `${options.statePath}: holds the export state of account ${state.accountId}, but ${options.findingsPath} is account ${String(accountId)}; give each account its own --state`,
    );
  }
  // An older report after a newer one would re-open findings already archived and undo updates.
  const captured = findings.map((finding) => finding.UpdatedAt ?? '').sort().at(-1);
  const exported = [...state.findings.values()].map((finding) => finding.UpdatedAt ?? '').sort().at(-1);
  if (captured !== undefined && exported !== undefined && Date.parse(captured) < Date.parse(exported)) {
    throw new UserError(`${options.findingsPath}: captured ${captured}, before the last export's ${exported} (${options.statePath}); export the newest report, or give another --state`);
  }
  return accountId ?? null;
}

function clientFor(options: SecurityHubExportOptions, region: string): SecurityHubClient {
  return new SecurityHubClient({
    region,
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    credentials: defaultProvider(options.profile === undefined ? {} : { profile: options.profile }),
    ...(options.endpointUrl === undefined ? {} : { endpoint: options.endpointUrl }),
  });
}

/** Sends the findings in batches of 100; returns the refused ones (FailedFindings) and the number of calls. */
async function sendInBatches(client: SecurityHubClient, findings: readonly AwsSecurityFinding[], archiving: ReadonlySet<string>): Promise<{ refused: RefusedFinding[]; calls: number }> {
  const refused: RefusedFinding[] = [];
  let calls = 0;
  for (let start = 0; start < findings.length; start += BATCH_SIZE) {
    const batch = findings.slice(start, start + BATCH_SIZE);
    calls += 1;
    let answer;
    try {
      answer = await client.send(new BatchImportFindingsCommand({ Findings: batch }));
    } catch (error) {
      const sent = start === 0 ? 'no finding was sent' : `findings 1 to ${start} were sent`;
      throw new UserError(`Security Hub BatchImportFindings failed (${errorName(error)}: ${errorText(error)}); ${sent}, the state file is unchanged`);
    }
    for (const failed of answer.FailedFindings ?? []) {
      const id = failed.Id ?? '(no id)';
      refused.push({ id, errorCode: failed.ErrorCode ?? '', errorMessage: failed.ErrorMessage ?? '', archiving: archiving.has(id) });
    }
  }
  return { refused, calls };
}

const errorName = (error: unknown): string => (error instanceof Error ? error.name : 'Error');
const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * The state after the export: this file's findings Security Hub took, plus, still active there,
 * the earlier ones whose archive or update it refused (tried again next time).
 */
function nextState(accountId: string | null, previous: ExportState, findings: readonly AwsSecurityFinding[], refused: readonly RefusedFinding[]): ExportState {
  const refusedIds = new Set(refused.map((item) => item.id));
  const active = new Map<string, ExportedFinding>();
  for (const finding of findings) {
    const id = finding.Id ?? '';
    if (!refusedIds.has(id)) active.set(id, exportedFinding(finding));
    else if (previous.findings.has(id)) active.set(id, previous.findings.get(id) as ExportedFinding);
  }
  for (const [id, finding] of previous.findings) if (refusedIds.has(id) && !active.has(id)) active.set(id, finding);
  return { accountId, findings: active };
}

export async function runSecurityHubExport(options: SecurityHubExportOptions): Promise<SecurityHubExportOutcome> {
  const findings = await readAsffFindings(options.findingsPath);
  const state = await readExportState(options.statePath);
  const accountId = checkFits(state, findings, options);
  const archives = archivesOf(state, findings, archiveTime(findings, options.clock ?? (() => new Date())));
  const region = options.region ?? regionOfProductArn(findings[0]?.ProductArn ?? archives[0]?.ProductArn) ?? DEFAULT_REGION;
  const client = clientFor(options, region);
  let sent;
  try {
    sent = await sendInBatches(client, [...findings, ...archives], new Set(archives.map((finding) => finding.Id ?? '')));
  } finally {
    client.destroy();
  }
  await writeExportState(options.statePath, nextState(accountId, state, findings, sent.refused));
  for (const item of sent.refused) {
    options.stderr.write(`iam-audit: Security Hub refused finding ${escapeForTerminal(item.id)}${item.archiving ? ' (archive)' : ''}: ${escapeForTerminal(item.errorCode)} ${escapeForTerminal(item.errorMessage)}\n`);
  }
  const refusedArchives = sent.refused.filter((item) => item.archiving).length;
  const imported = findings.length - (sent.refused.length - refusedArchives);
  const archived = archives.length - refusedArchives;
  options.stdout.write(
    `Security Hub (${region}): ${imported} of ${findings.length} findings imported, ${archived} of ${archives.length} resolved findings archived, ${sent.refused.length} refused, in ${sent.calls} calls\n`,
  );
  return { exitCode: sent.refused.length > 0 ? ExitCode.partial : ExitCode.ok, imported, archived, refused: sent.refused, calls: sent.calls };
}
