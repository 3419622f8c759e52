/**
 * `iam-audit notify`: tells each owner about their own failing, not excepted findings (one mail
 * each), and sends a summary to --summary-to. See README "Mailing owners".
 *
 * Use case of this folder: notify-input.ts reads a report JSON or analyses a snapshot,
 * notify-state.ts remembers what was sent (quiet days), notify-mail.ts composes with the mail
 * templates (Handlebars), notify-send.ts sends over SMTP (nodemailer). Lower layers: snapshot/,
 * analyze/ (finding ids), render/json (a snapshot's findings as the report JSON has them); owners
 * and catalogue files from shared/.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { ExitCode, UserError, type ExitCodeValue } from '../../util/errors.js';
import { writeOutputs, type OutputFile } from '../../util/files.js';
import { escapeForTerminal } from '../../util/terminal-text.js';
import { fileStamp, runClock } from '../../util/time.js';
import { describeFsError } from '../../snapshot/io.js';
import { loadNotifyInput, type NotifyReport } from './notify-input.js';
import { composeOwnerMail, composeSummaryMail, MailTemplates, type ComposedMail, type OwnedFinding, type OwnerTally } from './notify-mail.js';
import { rawMessage, sendAll, DEFAULT_SEND_LIMITS, type SendLimits, type SendOutcome, type SmtpSettings } from './notify-send.js';
import { findingId, NotifyState } from './notify-state.js';
import { OwnerResolver, OwnersMapping, DEFAULT_OWNER_TAG_KEYS } from '../shared/owners.js';

export const DEFAULT_QUIET_DAYS = 7;
export const DEFAULT_STATE_FILE = 'iam_audit_notify_state.json';

export interface NotifyOptions {
  readonly inputPath: string;
  readonly snapshotPath?: string;
  readonly configPath?: string;
  readonly exceptionsPath?: string;
  readonly ownerTagKeys?: readonly string[];
  readonly ownersPath?: string;
  readonly defaultOwner?: string;
  readonly summaryTo?: string;
  readonly attachPath?: string;
  readonly from: string;
  readonly templateDir?: string;
  /** Set: write .eml files into outDir instead of sending. */
  readonly dryRun: boolean;
  readonly outDir: string;
  /** null when dry-running. */
  readonly smtp: SmtpSettings | null;
  readonly limits?: SendLimits;
  readonly quietDays?: number;
  readonly statePath?: string;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly environment?: NodeJS.ProcessEnv;
}

export interface NotifyOutcome {
  readonly exitCode: ExitCodeValue;
  readonly mails: readonly ComposedMail[];
  readonly outcomes: readonly SendOutcome[];
  readonly writtenFiles: readonly string[];
}

/** A file-name-safe form of an address: alice@example.com stays, anything odd becomes "_". */
function fileSafe(text: string): string {
  return text.replace(/[^A-Za-z0-9@._+-]/g, '_').slice(0, 100);
}

async function readAttachment(path: string): Promise<ComposedMail['attachments'][number]> {
  try {
    const content = await readFile(path);
    const name = basename(path);
    return { filename: name, content, contentType: name.toLowerCase().endsWith('.pdf') ? 'application/pdf' : 'application/octet-stream' };
  } catch (error) {
    throw new UserError(`--attach ${path}: ${describeFsError(error)}`);
  }
}

/** Groups findings by owner address, in order of first appearance (the worst first). */
function groupByOwner(findings: readonly OwnedFinding[]): Map<string, OwnedFinding[]> {
  const groups = new Map<string, OwnedFinding[]>();
  for (const finding of findings) {
    if (finding.owner === null) continue;
    const key = finding.owner.address.toLowerCase();
    groups.set(key, [...(groups.get(key) ?? []), finding]);
  }
  return groups;
}

export async function runNotify(options: NotifyOptions): Promise<NotifyOutcome> {
  const clock = runClock(options.environment);
  const now = clock();
  const quietDays = options.quietDays ?? DEFAULT_QUIET_DAYS;
  // Every input is read and checked before anything is composed, written or sent.
  const mapping = options.ownersPath === undefined ? OwnersMapping.empty : await OwnersMapping.load(options.ownersPath);
  const templates = await MailTemplates.load(options.templateDir ?? null);
  const attachment = options.attachPath === undefined ? null : await readAttachment(options.attachPath);
  const statePath = options.statePath ?? DEFAULT_STATE_FILE;
  const state = await NotifyState.load(statePath);
  const input = await loadNotifyInput({
    inputPath: options.inputPath,
    ...(options.snapshotPath === undefined ? {} : { snapshotPath: options.snapshotPath }),
    ...(options.configPath === undefined ? {} : { configPath: options.configPath }),
    ...(options.exceptionsPath === undefined ? {} : { exceptionsPath: options.exceptionsPath }),
    ...(options.environment === undefined ? {} : { environment: options.environment }),
  });
  const resolver = new OwnerResolver({ tagKeys: options.ownerTagKeys ?? DEFAULT_OWNER_TAG_KEYS, mapping, defaultOwner: options.defaultOwner ?? null }, input.tags);
  resolver.checkTags();
  const report: NotifyReport = input.report;
  const findings: OwnedFinding[] = report.failures.map((failure) => ({ ...failure, id: findingId(failure), owner: resolver.resolve(failure.resourceType, failure.resourceName) }));
  const owned = findings.filter((finding) => finding.owner !== null);
  if (findings.length > 0 && owned.length === 0 && options.summaryTo === undefined) {
    throw new UserError(
      `no owner found for any of the ${findings.length} findings in ${options.inputPath} (${input.tags === null ? 'the input carries no user tags' : `tags ${(options.ownerTagKeys ?? DEFAULT_OWNER_TAG_KEYS).join(', ')}`}${options.ownersPath === undefined ? ', no --owners file' : `, ${options.ownersPath}`}); give --owners, --default-owner or --summary-to`,
    );
  }

  const mails: ComposedMail[] = [];
  const tallies: OwnerTally[] = [];
  for (const [, group] of groupByOwner(findings)) {
    const address = group[0]?.owner?.address ?? '';
    const fresh = group.filter((finding) => !state.isQuiet(finding.id, address, now, quietDays));
    tallies.push({ address, findings: fresh.length, quiet: group.length - fresh.length });
    if (fresh.length > 0) mails.push({ ...composeOwnerMail(report, address, fresh, templates), attachments: [] });
  }
  if (options.summaryTo !== undefined) mails.push(composeSummaryMail(report, options.summaryTo, findings, tallies, templates, attachment));

  const unowned = findings.length - owned.length;
  if (unowned > 0 && options.summaryTo === undefined) {
    options.stderr.write(`warning: ${unowned} findings have no owner and there is no --summary-to: nobody is told about them\n`);
  }
  for (const tally of tallies.filter((item) => item.quiet > 0)) {
    options.stdout.write(`${escapeForTerminal(tally.address)}: ${tally.quiet} findings left out (told within ${quietDays} days)\n`);
  }
  if (mails.length === 0) {
    options.stdout.write(findings.length === 0 ? 'no failing findings; nothing to send\n' : 'nothing new to send\n');
    return { exitCode: ExitCode.ok, mails, outcomes: [], writtenFiles: [] };
  }

  if (options.dryRun) {
    const stamp = fileStamp(now.toISOString());
    const files: OutputFile[] = [];
    for (const [index, mail] of mails.entries()) {
      files.push({ fileName: `iam_audit_mail_${stamp}_${String(index + 1).padStart(3, '0')}_${mail.kind}_${fileSafe(mail.to)}.eml`, content: await rawMessage(mail, options.from) });
    }
    const writtenFiles = await writeOutputs(options.outDir, files, false);
    for (const [index, mail] of mails.entries()) {
      options.stdout.write(`would send to ${escapeForTerminal(mail.to)}: ${escapeForTerminal(mail.description)} -> ${escapeForTerminal(writtenFiles[index] ?? '')}\n`);
    }
    return { exitCode: ExitCode.ok, mails, outcomes: [], writtenFiles };
  }

  if (options.smtp === null) throw new UserError('--smtp-host is needed to send (or use --dry-run)');
  const outcomes = await sendAll(mails, options.from, options.smtp, options.limits ?? DEFAULT_SEND_LIMITS, (outcome) => {
    if (outcome.sent) options.stdout.write(`sent to ${escapeForTerminal(outcome.mail.to)}: ${escapeForTerminal(outcome.mail.description)}\n`);
    else options.stderr.write(`iam-audit: could not send to ${escapeForTerminal(outcome.mail.to)}: ${escapeForTerminal(outcome.problem ?? '')}\n`);
  });
  // Recorded only once sent: a failed mail is tried again on the next run.
  for (const outcome of outcomes.filter((item) => item.sent)) for (const id of outcome.mail.findingIds) state.record(id, outcome.mail.to, now);
  if (outcomes.some((item) => item.sent && item.mail.findingIds.length > 0)) await state.save(statePath);
  const failed = outcomes.filter((item) => !item.sent);
  if (failed.length > 0) {
    options.stderr.write(`iam-audit: ${failed.length} of ${outcomes.length} mails could not be sent: ${failed.map((item) => escapeForTerminal(item.mail.to)).join(', ')}\n`);
    return { exitCode: ExitCode.partial, mails, outcomes, writtenFiles: [] };
  }
  return { exitCode: ExitCode.ok, mails, outcomes, writtenFiles: [] };
}
