/**
 * The SMTP flags `notify` and `review start --mail` share: declared once, read once, so both
 * commands take the same settings and refuse the same mistakes (the password only from an
 * environment variable, never from a flag).
 */
import type { Argv } from 'yargs';
import type { SmtpSettings } from '../app/notify/notify-send.js';
import { UserError } from '../util/errors.js';

export interface SmtpArguments {
  'smtp-host': string | undefined;
  'smtp-port': number | undefined;
  'smtp-secure': boolean;
  'smtp-starttls': boolean;
  'smtp-user': string | undefined;
  'smtp-pass-env': string | undefined;
  'smtp-timeout': number;
}

/** Adds the --smtp-* flags; `hostNote` follows the host's description ("(--mail)"). */
export function withSmtpOptions<T>(yargs: Argv<T>, hostNote = ''): Argv<T> {
  return yargs
    .option('smtp-host', { type: 'string', requiresArg: true, describe: `SMTP server${hostNote === '' ? '' : ` ${hostNote}`}` })
    .option('smtp-port', { type: 'number', requiresArg: true, describe: 'SMTP port [default: 465 with --smtp-secure, else 587]' })
    .option('smtp-secure', { type: 'boolean', default: false, describe: 'TLS from the start (port 465)' })
    .option('smtp-starttls', { type: 'boolean', default: false, describe: 'refuse to send unless the server upgrades to TLS with STARTTLS' })
    .option('smtp-user', { type: 'string', requiresArg: true, describe: 'SMTP login' })
    .option('smtp-pass-env', { type: 'string', requiresArg: true, describe: 'name of the environment variable holding the SMTP password' })
    .option('smtp-timeout', { type: 'number', default: 30, describe: 'seconds to wait for the server' }) as unknown as Argv<T>;
}

/** The password named by --smtp-pass-env; refuses a missing variable and --smtp-user without a password. */
export function smtpPassword(argv: SmtpArguments, environment: NodeJS.ProcessEnv = process.env): string | null {
  const passEnv = argv['smtp-pass-env'];
  const password = passEnv === undefined ? null : (environment[passEnv] ?? null);
  if (passEnv !== undefined && password === null) throw new UserError(`--smtp-pass-env ${passEnv}: that environment variable is not set`);
  if (argv['smtp-user'] !== undefined && password === null) throw new UserError('--smtp-user needs --smtp-pass-env NAME (the password is read from that environment variable, never from a flag)');
  return password;
}

/** The settings for a server at `host` (checked by the caller, whose message names its own flags). */
export function smtpSettings(argv: SmtpArguments, host: string, password: string | null): SmtpSettings {
  const timeout = argv['smtp-timeout'];
  if (!Number.isFinite(timeout) || timeout <= 0) throw new UserError(`--smtp-timeout must be a positive number, got ${String(timeout)}`);
  return {
    host,
    port: argv['smtp-port'] ?? (argv['smtp-secure'] ? 465 : 587),
    secure: argv['smtp-secure'],
    requireStartTls: argv['smtp-starttls'],
    user: argv['smtp-user'] ?? null,
    password,
    timeoutSeconds: timeout,
  };
}
