/**
 * Delivery: nodemailer's SMTP transport for sending, its stream transport for --dry-run (the raw
 * RFC 5322 message, written as an .eml file). Sending is bounded (messages per second and
 * concurrent connections); a failed recipient is retried with backoff, then reported, and never
 * stops the others. Only a refused login stops the run: every further attempt would be refused
 * too, and repeated bad logins lock accounts.
 */
import nodemailer, { type SendMailOptions } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { ComposedMail } from './notify-mail.js';

export interface SmtpSettings {
  readonly host: string;
  readonly port: number;
  /** Implicit TLS from the first byte (usually port 465). */
  readonly secure: boolean;
  /** Refuse to send unless the server upgrades the connection with STARTTLS. */
  readonly requireStartTls: boolean;
  readonly user: string | null;
  /** Read from the environment variable named by --smtp-pass-env; never printed. */
  readonly password: string | null;
  /** Seconds to wait for a connection, the greeting and each reply. */
  readonly timeoutSeconds: number;
}

export interface SendLimits {
  readonly maxPerSecond: number;
  readonly concurrency: number;
  /** Attempts per mail, the first included. */
  readonly attempts: number;
  /** The wait before the second attempt; doubled for each further one. */
  readonly retryDelayMs: number;
}

export const DEFAULT_SEND_LIMITS: SendLimits = { maxPerSecond: 5, concurrency: 2, attempts: 3, retryDelayMs: 1000 };

/**
 * What happened to one mail: sent; refused by the server (5xx, not retried); deferred (a temporary
 * 4xx reply at any stage, still there after every attempt); failed (no usable connection, TLS, a
 * refused login); not attempted (a refused login stopped the run before this mail).
 */
export type SendStatus = 'sent' | 'refused' | 'deferred' | 'failed' | 'not-attempted';

export interface SendOutcome {
  readonly mail: ComposedMail;
  readonly sent: boolean;
  readonly status: SendStatus;
  /** The server's last reply ("550 5.1.1 mailbox unavailable"), one line, no secret; null when none. */
  readonly reply: string | null;
  /** Why it was not sent, one line, no secret; null when sent. */
  readonly problem: string | null;
  readonly attempts: number;
}

/** What nodemailer builds from a composed mail (the same for sending and for the .eml file). */
function messageOf(mail: ComposedMail, from: string): SendMailOptions {
  return {
    from,
    // The display name an owner tag or file gave ("Bob Admin <bob@example.com>") is kept.
    to: mail.toName === undefined || mail.toName === '' ? mail.to : { name: mail.toName, address: mail.to },
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    attachments: mail.attachments.map((attachment) => ({ filename: attachment.filename, content: attachment.content, contentType: attachment.contentType })),
    headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
  };
}

/** The raw message, as it would go over the wire: for --dry-run's .eml files. */
export async function rawMessage(mail: ComposedMail, from: string): Promise<Buffer> {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  const info = await transport.sendMail(messageOf(mail, from));
  return info.message as Buffer;
}

interface SmtpFailure {
  readonly code?: string;
  readonly responseCode?: number;
  readonly response?: string;
  readonly message?: string;
  /** The SMTP stage nodemailer failed in: "MAIL FROM", "RCPT TO", "DATA", "CONN"... */
  readonly command?: string;
}

/** `text` with the password taken out: a server may echo what it was sent. */
function withoutSecret(text: string, password: string | null): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return password === null || password === '' ? oneLine : oneLine.split(password).join('***');
}

/** A failure in words, and whether trying again could help. */
export function describeSmtpFailure(error: unknown, settings: SmtpSettings): { problem: string; retry: boolean; fatal: boolean; status: Exclude<SendStatus, 'sent' | 'not-attempted'>; reply: string | null } {
  const failure = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as SmtpFailure;
  const server = `${settings.host}:${settings.port}`;
  const reply = withoutSecret(failure.response ?? failure.message ?? 'no reply', settings.password);
  const serverReply = failure.response === undefined ? null : withoutSecret(failure.response, settings.password);
  const stage = failure.command === undefined || failure.command === 'CONN' || failure.command === 'API' ? '' : `at ${failure.command}: `;
  if (failure.code === 'EAUTH') {
    return { problem: `the SMTP server ${server} refused the login${settings.user === null ? '' : ` as ${settings.user}`} (${reply})`, retry: false, fatal: true, status: 'failed', reply: serverReply };
  }
  // The reply code decides, whatever the stage (MAIL FROM, RCPT TO, DATA, a 421 greeting or
  // closing): 4xx is temporary (RFC 5321 4.2.1) and is tried again, 5xx is a refusal.
  const code = failure.responseCode;
  if (code !== undefined && code >= 400 && code < 500) {
    return { problem: `the SMTP server ${server} deferred the mail (${stage}${reply})`, retry: true, fatal: false, status: 'deferred', reply: serverReply };
  }
  if (failure.code === 'EENVELOPE' || (code !== undefined && code >= 500)) {
    return { problem: `the SMTP server ${server} refused the mail (${stage}${reply})`, retry: false, fatal: false, status: 'refused', reply: serverReply };
  }
  if (failure.code === 'ECONNECTION' || failure.code === 'ESOCKET' || failure.code === 'ETIMEDOUT' || failure.code === 'EDNS' || failure.code === 'ECONNREFUSED') {
    return { problem: `the connection to the SMTP server ${server} failed (${reply})`, retry: true, fatal: false, status: 'failed', reply: serverReply };
  }
  if (failure.code === 'ETLS') return { problem: `TLS with the SMTP server ${server} failed (${reply})`, retry: false, fatal: true, status: 'failed', reply: serverReply };
  return { problem: `the SMTP server ${server} did not take the mail (${reply})`, retry: true, fatal: false, status: 'failed', reply: serverReply };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Hands out start times no closer than 1/rate seconds apart, across every worker. */
class RateGate {
  private next = 0;
  constructor(private readonly perSecond: number) {}
  async pass(): Promise<void> {
    const now = Date.now();
    const at = Math.max(now, this.next);
    this.next = at + 1000 / this.perSecond;
    if (at > now) await sleep(at - now);
  }
}

/**
 * Sends every mail; the outcome of each, in the order given. `onOutcome` reports each as it is
 * known (the console line), so a long run shows progress.
 */
export async function sendAll(
  mails: readonly ComposedMail[],
  from: string,
  settings: SmtpSettings,
  limits: SendLimits,
  onOutcome: (outcome: SendOutcome) => void,
  /** Shared by the calls of one run: a refused login in one stops the next (no further bad logins). */
  stop: { reason: string | null } = { reason: null },
): Promise<SendOutcome[]> {
  const options: SMTPTransport.Options = {
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    requireTLS: settings.requireStartTls,
    connectionTimeout: settings.timeoutSeconds * 1000,
    greetingTimeout: settings.timeoutSeconds * 1000,
    socketTimeout: settings.timeoutSeconds * 1000,
    logger: false,
    debug: false,
    ...(settings.user === null ? {} : { auth: { user: settings.user, pass: settings.password ?? '' } }),
  };
  // One connection per message: a dropped connection costs only that message's attempt.
  const transport = nodemailer.createTransport(options);
  const gate = new RateGate(limits.maxPerSecond);
  const outcomes: (SendOutcome | undefined)[] = new Array<SendOutcome | undefined>(mails.length);
  let nextIndex = 0;

  const sendOne = async (mail: ComposedMail): Promise<SendOutcome> => {
    for (let attempt = 1; ; attempt += 1) {
      if (stop.reason !== null) return { mail, sent: false, status: 'not-attempted', reply: null, problem: `not attempted: ${stop.reason}`, attempts: attempt - 1 };
      await gate.pass();
      try {
        await transport.sendMail(messageOf(mail, from));
        return { mail, sent: true, status: 'sent', reply: null, problem: null, attempts: attempt };
      } catch (error) {
        const { problem, retry, fatal, status, reply } = describeSmtpFailure(error, settings);
        if (fatal) stop.reason ??= problem;
        if (!retry || attempt >= limits.attempts) {
          return { mail, sent: false, status, reply, problem: attempt > 1 ? `${problem}, after ${attempt} attempts` : problem, attempts: attempt };
        }
        await sleep(limits.retryDelayMs * 2 ** (attempt - 1));
      }
    }
  };

  const worker = async (): Promise<void> => {
    while (nextIndex < mails.length) {
      const index = nextIndex;
      nextIndex += 1;
      const mail = mails[index];
      if (mail === undefined) continue;
      const outcome = await sendOne(mail);
      outcomes[index] = outcome;
      onOutcome(outcome);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(limits.concurrency, mails.length)) }, () => worker()));
  } finally {
    transport.close();
  }
  return outcomes.filter((outcome): outcome is SendOutcome => outcome !== undefined);
}
