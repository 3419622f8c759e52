/**
 * `review start --mail`: each reviewer gets their workbook (XLSX and CSV) by mail, through the SMTP
 * path `notify` uses (app/notify/notify-send.ts: the same settings, limits, retries and reporting).
 * A reviewer without an address is named, not skipped silently.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Campaign } from '../../config/review-files.js';
import type { ComposedMail } from '../notify/notify-mail.js';
import { DEFAULT_SEND_LIMITS, sendAll, type SendOutcome, type SmtpSettings } from '../notify/notify-send.js';
import { escapeForTerminal } from '../../util/terminal-text.js';

export interface ReviewMailOptions {
  readonly from: string;
  readonly smtp: SmtpSettings;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

async function mailFor(campaign: Campaign, reviewerId: string, paths: readonly string[]): Promise<ComposedMail | null> {
  const reviewer = campaign.reviewers.find((candidate) => candidate.id === reviewerId);
  if (reviewer === undefined || reviewer.email === null) return null;
  const count = campaign.identities.filter((identity) => identity.reviewer === reviewerId).length;
  const due = campaign.dueDate === null ? '' : ` by ${campaign.dueDate}`;
  const text = [
    `Hello ${reviewer.name},`,
    '',
    `You are asked to review ${count} identities in access review ${campaign.id}${due}.`,
    'For each row of the attached workbook, choose keep, revoke or reduce in the Decision column; revoke and reduce need a justification.',
    `Leave "Reviewed by" as ${reviewer.id} and do not change the facts or the hidden row key: edited rows are refused.`,
    'The CSV file holds the same rows, for use without a spreadsheet program. Send the file back when done.',
  ].join('\n');
  const attachments = await Promise.all(
    paths.map(async (path) => ({ filename: basename(path), content: await readFile(path), contentType: path.endsWith('.xlsx') ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' : 'text/csv' })),
  );
  return {
    kind: 'owner',
    to: reviewer.email,
    toName: reviewer.name,
    subject: `Access review ${campaign.id}: ${count} identities to review${due}`,
    text,
    html: `<p>${escapeHtml(text).replace(/\n\n/g, '</p><p>').replace(/\n/g, '<br>')}</p>`,
    findingIds: [],
    description: `${count} identities to review`,
    attachments,
  };
}

/** Sends every reviewer their workbook; returns whether all were sent. */
export async function mailWorkbooks(campaign: Campaign, workbooks: ReadonlyMap<string, readonly string[]>, options: ReviewMailOptions): Promise<boolean> {
  const mails: ComposedMail[] = [];
  let allAddressed = true;
  for (const [reviewerId, paths] of workbooks) {
    const mail = await mailFor(campaign, reviewerId, paths);
    if (mail === null) {
      options.stderr.write(`not mailed: reviewer ${escapeForTerminal(reviewerId)} has no email in the reviewers file\n`);
      allAddressed = false;
    } else {
      mails.push(mail);
    }
  }
  const report = (outcome: SendOutcome): void => {
    if (outcome.sent) options.stdout.write(`mailed ${escapeForTerminal(outcome.mail.to)}: ${escapeForTerminal(outcome.mail.description)}\n`);
    else options.stderr.write(`not mailed ${escapeForTerminal(outcome.mail.to)}: ${escapeForTerminal(outcome.problem ?? outcome.status)}\n`);
  };
  const outcomes = await sendAll(mails, options.from, options.smtp, DEFAULT_SEND_LIMITS, report);
  return allAddressed && outcomes.every((outcome) => outcome.sent);
}
