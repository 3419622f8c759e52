/**
 * `iam-audit notify`: tells each owner about their own failing, not excepted findings (one mail
 * each), and sends a summary to --summary-to. See docs/user-guide.md "Mailing owners".
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
import { composeOwnerMail, composeSummaryMail, describeTally, MailTemplates, plural, type ComposedMail, type OwnedFinding, type OwnerTally } from './notify-mail.js';
import { chooseOwner } from './notify-owners.js';
import { rawMessage, sendAll, DEFAULT_SEND_LIMITS, type SendLimits, type SendOutcome, type SmtpSettings } from './notify-send.js';
import { findingId, NotifyState } from './notify-state.js';
import { OwnerResolver, OwnersMapping, DEFAULT_OWNER_TAG_KEYS, owningUserName } from '../shared/owners.js';

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
  /** Print one JSON summary on stdout; the human text goes to stderr. */
  readonly json?: boolean;
}

export interface NotifyOutcome {
  readonly exitCode: ExitCodeValue;
  readonly mails: readonly ComposedMail[];
  readonly outcomes: readonly SendOutcome[];
  readonly writtenFiles: readonly string[];
  /** Each owner and what happened to their mail (the summary's list). */
  readonly owners: readonly OwnerTally[];
  /** Findings nobody owns. */
  readonly unowned: number;
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

/** Groups findings by owner address (bad addresses apart), in order of first appearance (the worst first). */
function groupByOwner(findings: readonly OwnedFinding[]): Map<string, OwnedFinding[]> {
  const groups = new Map<string, OwnedFinding[]>();
  for (const finding of findings) {
    if (finding.owner === null) continue;
    const key = `${finding.owner.problem === undefined ? 'ok' : 'bad'}:${finding.owner.address.toLowerCase()}`;
    groups.set(key, [...(groups.get(key) ?? []), finding]);
  }
  return groups;
}

/** The findings with their owners; each conflict between the report's and today's owner printed once per user. */
function ownedFindings(report: NotifyReport, resolver: OwnerResolver, tagsKnown: boolean, stderr: NodeJS.WritableStream): OwnedFinding[] {
  const conflicts = new Set<string>();
  return report.failures.map((failure) => {
    const choice = chooseOwner(failure, resolver, tagsKnown);
    const user = owningUserName(failure.resourceType, failure.resourceName) ?? failure.resourceName;
    if (choice.conflict !== null && !conflicts.has(user)) {
      conflicts.add(user);
      stderr.write(`warning: owner of ${escapeForTerminal(user)}: ${escapeForTerminal(choice.conflict)}\n`);
    }
    return { ...failure, id: findingId(failure), owner: choice.owner };
  });
}

interface OwnerPlan {
  readonly tallies: OwnerTally[];
  readonly mails: ComposedMail[];
}

/** One tally per owner (bad address, quiet or to be mailed) and the owner mails to send. */
function planOwnerMails(report: NotifyReport, findings: readonly OwnedFinding[], state: NotifyState, now: Date, quietDays: number, templates: MailTemplates): OwnerPlan {
  const tallies: OwnerTally[] = [];
  const mails: ComposedMail[] = [];
  for (const [, group] of groupByOwner(findings)) {
    const owner = group[0]?.owner;
    if (owner === null || owner === undefined) continue;
    if (owner.problem !== undefined) {
      tallies.push({ address: owner.address, findings: group.length, quiet: 0, status: 'bad-address', detail: owner.problem });
      continue;
    }
    const fresh = group.filter((finding) => !state.isQuiet(finding.id, owner.address, now, quietDays));
    tallies.push({ address: owner.address, findings: fresh.length, quiet: group.length - fresh.length, status: fresh.length === 0 ? 'quiet' : 'written', detail: '' });
    if (fresh.length > 0) mails.push({ ...composeOwnerMail(report, owner, fresh, templates), attachments: [] });
  }
  return { tallies, mails };
}

/** The tallies with what happened to each owner's mail. */
function withOutcomes(tallies: readonly OwnerTally[], outcomes: readonly SendOutcome[]): OwnerTally[] {
  return tallies.map((tally) => {
    const outcome = outcomes.find((item) => item.mail.kind === 'owner' && item.mail.to.toLowerCase() === tally.address.toLowerCase());
    if (outcome === undefined || tally.status !== 'written') return tally;
    const tries = plural(outcome.attempts, 'try', 'tries');
    if (outcome.status === 'sent') return { ...tally, status: 'sent', detail: outcome.attempts > 1 ? `after ${tries}` : '' };
    const reply = outcome.reply ?? outcome.problem ?? '';
    if (outcome.status === 'deferred') return { ...tally, status: 'deferred', detail: `after ${tries}, ${reply}` };
    if (outcome.status === 'refused') return { ...tally, status: 'refused', detail: reply };
    return { ...tally, status: outcome.status, detail: outcome.problem ?? '' };
  });
}

/**
 * `notify`; with `json`, the human lines go to stderr and stdout gets one JSON object: each owner
 * and what happened to their mail, the findings with no owner, the exit code.
 */
export async function runNotify(options: NotifyOptions): Promise<NotifyOutcome> {
  if (options.json !== true) return notifyOnce(options);
  const outcome = await notifyOnce({ ...options, stdout: options.stderr });
  const summary = {
    exit_code: outcome.exitCode,
    dry_run: options.dryRun,
    owners: outcome.owners.map((owner) => ({ address: owner.address, findings: owner.findings, left_out_quiet: owner.quiet, status: owner.status, detail: owner.detail === '' ? null : owner.detail })),
    summary_mail: outcome.outcomes.filter((item) => item.mail.kind === 'summary').map((item) => ({ to: item.mail.to, status: item.status, detail: item.problem }))[0] ?? null,
    unowned_findings: outcome.unowned,
    files: outcome.writtenFiles,
  };
  options.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  return outcome;
}

async function notifyOnce(options: NotifyOptions): Promise<NotifyOutcome> {
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
  const report: NotifyReport = input.report;
  const findings = ownedFindings(report, resolver, input.tags !== null, options.stderr);
  const owned = findings.filter((finding) => finding.owner !== null);
  if (findings.length > 0 && owned.length === 0 && options.summaryTo === undefined) {
    throw new UserError(
      `no owner found for any of the ${findings.length} findings in ${options.inputPath} (${input.tags === null ? 'the input carries no user tags and records no owners' : `tags ${(options.ownerTagKeys ?? DEFAULT_OWNER_TAG_KEYS).join(', ')}`}${options.ownersPath === undefined ? ', no --owners file' : `, ${options.ownersPath}`}); give --owners, --default-owner or --summary-to`,
    );
  }

  const plan = planOwnerMails(report, findings, state, now, quietDays, templates);
  const summaryOf = (tallies: readonly OwnerTally[]): ComposedMail | null =>
    options.summaryTo === undefined ? null : composeSummaryMail(report, options.summaryTo, findings, tallies, templates, attachment);
  const mails: ComposedMail[] = [...plan.mails];
  const tallies = plan.tallies;
  const unowned = findings.length - owned.length;
  if (unowned > 0 && options.summaryTo === undefined) {
    options.stderr.write(`warning: ${unowned} findings have no owner and there is no --summary-to: nobody is told about them\n`);
  }
  for (const tally of tallies.filter((item) => item.quiet > 0)) {
    options.stdout.write(`${escapeForTerminal(tally.address)}: ${plural(tally.quiet, 'finding')} left out (told within ${quietDays} days)\n`);
  }
  const badAddresses = tallies.filter((tally) => tally.status === 'bad-address');
  for (const tally of badAddresses) options.stderr.write(`iam-audit: cannot mail ${plural(tally.findings, 'finding')} to their owner: ${escapeForTerminal(tally.detail)}\n`);
  const partialIfBad = badAddresses.length > 0 ? ExitCode.partial : ExitCode.ok;
  const previewSummary = summaryOf(tallies);
  if (mails.length === 0 && previewSummary === null) {
    options.stdout.write(findings.length === 0 ? 'no failing findings; nothing to send\n' : 'nothing new to send\n');
    return { exitCode: partialIfBad, mails, outcomes: [], writtenFiles: [], owners: tallies, unowned };
  }

  if (options.dryRun) {
    if (previewSummary !== null) mails.push(previewSummary);
    const stamp = fileStamp(now.toISOString());
    const files: OutputFile[] = [];
    for (const [index, mail] of mails.entries()) {
      files.push({ fileName: `iam_audit_mail_${stamp}_${String(index + 1).padStart(3, '0')}_${mail.kind}_${fileSafe(mail.to)}.eml`, content: await rawMessage(mail, options.from) });
    }
    const writtenFiles = await writeOutputs(options.outDir, files, false);
    for (const [index, mail] of mails.entries()) {
      options.stdout.write(`would send to ${escapeForTerminal(mail.to)}: ${escapeForTerminal(mail.description)} -> ${escapeForTerminal(writtenFiles[index] ?? '')}\n`);
    }
    return { exitCode: partialIfBad, mails, outcomes: [], writtenFiles, owners: tallies, unowned };
  }

  if (options.smtp === null) throw new UserError('--smtp-host is needed to send (or use --dry-run)');
  return sendAndReport(options, options.smtp, { mails, tallies, summaryOf, state, statePath, now, partialIfBad, unowned });
}

interface SendPlan {
  readonly mails: ComposedMail[];
  readonly tallies: readonly OwnerTally[];
  readonly summaryOf: (tallies: readonly OwnerTally[]) => ComposedMail | null;
  readonly state: NotifyState;
  readonly statePath: string;
  readonly now: Date;
  readonly partialIfBad: ExitCodeValue;
  readonly unowned: number;
}

/** Sends the owners' mails, then the summary saying what happened to each; records what was sent. */
async function sendAndReport(options: NotifyOptions, smtp: SmtpSettings, plan: SendPlan): Promise<NotifyOutcome> {
  const { mails, tallies, summaryOf, state, statePath, now, partialIfBad, unowned } = plan;
  const printOutcome = (outcome: SendOutcome): void => {
    if (outcome.sent) options.stdout.write(`sent to ${escapeForTerminal(outcome.mail.to)}: ${escapeForTerminal(outcome.mail.description)}\n`);
    else options.stderr.write(`iam-audit: could not send to ${escapeForTerminal(outcome.mail.to)}: ${escapeForTerminal(outcome.problem ?? '')}\n`);
  };
  const limits = options.limits ?? DEFAULT_SEND_LIMITS;
  const stop = { reason: null as string | null };
  // The owners' mails first: the summary then says what really happened to each of them.
  const ownerOutcomes = mails.length === 0 ? [] : await sendAll(mails, options.from, smtp, limits, printOutcome, stop);
  const finalTallies = withOutcomes(tallies, ownerOutcomes);
  const summary = summaryOf(finalTallies);
  const summaryOutcomes = summary === null ? [] : await sendAll([summary], options.from, smtp, limits, printOutcome, stop);
  if (summary !== null) mails.push(summary);
  const outcomes = [...ownerOutcomes, ...summaryOutcomes];
  // Recorded only once sent: a failed mail is tried again on the next run.
  for (const outcome of outcomes.filter((item) => item.sent)) for (const id of outcome.mail.findingIds) state.record(id, outcome.mail.to, now);
  if (outcomes.some((item) => item.sent && item.mail.findingIds.length > 0)) await state.save(statePath);
  for (const tally of finalTallies) options.stdout.write(`owner ${escapeForTerminal(tally.address)}: ${plural(tally.findings, 'finding')}: ${escapeForTerminal(describeTally(tally))}\n`);
  const failed = outcomes.filter((item) => !item.sent);
  if (failed.length > 0) {
    options.stderr.write(`iam-audit: ${failed.length} of ${outcomes.length} mails could not be sent: ${failed.map((item) => escapeForTerminal(item.mail.to)).join(', ')}\n`);
    return { exitCode: ExitCode.partial, mails, outcomes, writtenFiles: [], owners: finalTallies, unowned };
  }
  return { exitCode: partialIfBad, mails, outcomes, writtenFiles: [], owners: finalTallies, unowned };
}
