/**
 * Finding and running the browser that prints the PDF. One browser per run, with a fresh
 * temporary profile, closed and its profile removed on every path: success, error, Ctrl-C.
 */
import { accessSync, constants, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
// puppeteer-core is loaded only when a PDF is printed: it costs a fifth of a second at start-up.
// It never downloads anything; the full `puppeteer` package is an optional dependency whose only
// use here is the browser it downloaded (see findBrowser), so a failed download cannot fail the install.
import type { Browser } from 'puppeteer-core';
import { ExitCode, UserError } from '../util/errors.js';
import { writtenBeforeInterruption } from '../util/files.js';
import { escapeForTerminal } from '../util/terminal-text.js';
import { systemBrowserCandidates } from './browser-candidates.js';
import { PROFILE_PREFIX, profileParent } from './browser-profile.js';

export { SYSTEM_BROWSER_PATHS, systemBrowserCandidates } from './browser-candidates.js';

export const HOW_TO_GET_A_BROWSER =
  'install Chromium (apt-get install chromium) or Google Chrome, run "npx puppeteer browsers install chrome", or name one with --browser PATH / PUPPETEER_EXECUTABLE_PATH';

/**
 * No usable browser: the PDF is skipped, the other formats are still written, and `report` exits 4
 * (an output not produced). `hint` says what to do about it.
 */
export class BrowserNotFoundError extends UserError {
  constructor(detail: string, hint: string = HOW_TO_GET_A_BROWSER) {
    super(`PDF not written: ${detail}; ${hint}`, ExitCode.inputError);
    this.name = 'BrowserNotFoundError';
  }
}

/** How long to wait for one answer of the browser unless told otherwise (issue 23 §5). */
export const DEFAULT_BROWSER_TIMEOUT_SECONDS = 120;
export const BROWSER_TIMEOUT_VARIABLE = 'IAM_AUDIT_BROWSER_TIMEOUT';

/**
 * A browser that started but did not answer in time (a hung or foreign executable): it was killed,
 * and the PDF is skipped like a missing browser (exit 4, the other formats written).
 */
export class BrowserTimeoutError extends BrowserNotFoundError {
  constructor(detail: string) {
    super(detail, `allow it longer with --browser-timeout SECONDS (or ${BROWSER_TIMEOUT_VARIABLE}), or name another browser with --browser`);
    this.name = 'BrowserTimeoutError';
  }
}

/**
 * The browser time-out in milliseconds: `seconds` (--browser-timeout) when given, else
 * IAM_AUDIT_BROWSER_TIMEOUT, else 120 s. A value that is not a positive number is refused.
 */
export function browserTimeoutMs(seconds: number | null | undefined, environment: NodeJS.ProcessEnv = process.env): number {
  const fromVariable = environment[BROWSER_TIMEOUT_VARIABLE];
  const [value, origin] =
    seconds !== null && seconds !== undefined
      ? [seconds, '--browser-timeout']
      : fromVariable !== undefined && fromVariable.trim() !== ''
        ? [Number(fromVariable), BROWSER_TIMEOUT_VARIABLE]
        : [DEFAULT_BROWSER_TIMEOUT_SECONDS, 'default'];
  if (!Number.isFinite(value) || value <= 0 || value > 86_400) {
    throw new UserError(`${origin} must be a number of seconds between 0 and 86400, got ${origin === BROWSER_TIMEOUT_VARIABLE ? JSON.stringify(fromVariable) : String(value)}`);
  }
  return Math.round(value * 1000);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    // Not there or not executable: either way this candidate cannot print.
    return false;
  }
}

export interface FoundBrowser {
  readonly executablePath: string;
  /** How it was found, for messages. */
  readonly origin: '--browser' | 'PUPPETEER_EXECUTABLE_PATH' | 'system' | 'puppeteer download';
}

/** The part of the optional `puppeteer` package that findBrowser uses. */
interface OptionalPuppeteer {
  readonly default: { executablePath(): string };
}

/**
 * The browser, in the documented order: --browser, PUPPETEER_EXECUTABLE_PATH, a system
 * Chrome, Chromium or Edge (systemBrowserCandidates), puppeteer's downloaded browser. A path the user named that does not work is an
 * error, not a reason to silently print with another browser.
 */
export async function findBrowser(explicitPath: string | null, environment: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): Promise<FoundBrowser> {
  if (explicitPath !== null) {
    if (!isExecutable(explicitPath)) throw new BrowserNotFoundError(`--browser ${explicitPath} is not an executable file`);
    return { executablePath: explicitPath, origin: '--browser' };
  }
  const fromEnvironment = environment['PUPPETEER_EXECUTABLE_PATH'];
  if (fromEnvironment !== undefined && fromEnvironment !== '') {
    if (!isExecutable(fromEnvironment)) throw new BrowserNotFoundError(`PUPPETEER_EXECUTABLE_PATH=${fromEnvironment} is not an executable file`);
    return { executablePath: fromEnvironment, origin: 'PUPPETEER_EXECUTABLE_PATH' };
  }
  const system = systemBrowserCandidates(platform, environment).find(isExecutable);
  if (system !== undefined) return { executablePath: system, origin: 'system' };
  let downloaded: string | null = null;
  try {
    // Optional: absent when its download failed at install time (npm then removes it) or with --omit=optional.
    // Imported by a name held in a variable, with the one call we use typed here: the build must
    // not need puppeteer's types, or `npm ci` in a clone fails to compile exactly when the browser
    // download failed (no system browser, no internet) and npm dropped the package.
    const optionalPackage: string = 'puppeteer';
    const { default: puppeteer } = (await import(optionalPackage)) as OptionalPuppeteer;
    downloaded = puppeteer.executablePath();
  } catch {
    // Not installed, or no browser for this platform in its cache: either way "none found".
    downloaded = null;
  }
  if (downloaded !== null && isExecutable(downloaded)) return { executablePath: downloaded, origin: 'puppeteer download' };
  const cached = await browserInPuppeteerCache(environment);
  if (cached !== null) return { executablePath: cached, origin: 'puppeteer download' };
  throw new BrowserNotFoundError('no Chrome, Chromium or Edge found');
}

/**
 * A browser in puppeteer's cache folder, found without the `puppeteer` package: after a failed
 * install-time download npm removes that package, and "npx puppeteer browsers install chrome"
 * fills the cache without bringing it back. Newest build first; null when there is none.
 */
export async function browserInPuppeteerCache(environment: NodeJS.ProcessEnv): Promise<string | null> {
  const { getInstalledBrowsers } = await import('@puppeteer/browsers');
  const configured = environment['PUPPETEER_CACHE_DIR'];
  const cacheDir = configured !== undefined && configured !== '' ? configured : join(homedir(), '.cache', 'puppeteer');
  // A missing cache folder gives an empty list; an unreadable one is worth saying.
  const installed = await getInstalledBrowsers({ cacheDir }).catch((error: unknown) => {
    throw new BrowserNotFoundError(`puppeteer's browser cache ${cacheDir} could not be read: ${error instanceof Error ? error.message : String(error)}`);
  });
  const usable = installed
    .filter((candidate) => ['chrome', 'chromium', 'chrome-headless-shell'].includes(candidate.browser) && isExecutable(candidate.executablePath))
    .sort((a, b) => b.buildId.localeCompare(a.buildId, 'en', { numeric: true }));
  return usable[0]?.executablePath ?? null;
}

/**
 * Flags for a quiet, offline, throw-away headless browser.
 *
 * Offline for the whole browser, not only for the page (the page is also set offline, see pdf.ts):
 * with the flags below alone Chromium still resolved and connected to clients2.google.com (network
 * time), update.googleapis.com (component updates) and accounts.google.com while printing, and
 * a template's http:// stylesheet or image was fetched. The host resolver rule maps every name,
 * and every address literal, to "not found": no DNS query and no connection leaves the browser,
 * whatever asks for one. Printing needs no network at all: the page is handed over with
 * setContent over the DevTools pipe, its fonts and images are embedded as data: URLs.
 *
 * `oneProcess` (issue 26, Linux, the default there): the browser, its renderer and its GPU work in
 * one process. Each of Chromium's usual processes (browser, two zygotes, GPU, network, storage, a
 * renderer or more per tab) maps the same 200 MB binary and libraries again: at 1,000 users their
 * summed RSS was about 1.3 GB for about 500 MB of memory really used; in one process it is the
 * memory used. The PDF is byte-identical either way. The renderer sandbox goes with it: in one
 * process the page is laid out inside the (never sandboxed) browser process, so the zygote that
 * would start sandboxed renderers is left out (`--no-zygote`, which Chromium allows only with
 * `--no-sandbox`). What is laid out is our own HTML: JavaScript off, offline, every input string
 * escaped by the templates (docs/decisions.md, "Issue 26, the PDF's browser in one process").
 * False: Chromium's usual processes (other systems, and the second start after a failed one).
 */
export function browserArguments(oneProcess: boolean = process.platform === 'linux'): string[] {
  const flags = [
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-default-apps',
    '--disable-extensions',
    '--disable-dev-shm-usage',
    '--disable-domain-reliability',
    '--disable-client-side-phishing-detection',
    '--no-pings',
    '--host-resolver-rules=MAP * ~NOTFOUND',
    '--no-first-run',
    '--no-default-browser-check',
    '--mute-audio',
  ];
  if (oneProcess) {
    flags.push('--single-process', '--no-zygote', '--no-sandbox');
    return flags;
  }
  // Chromium refuses to run as root with its sandbox; containers and CI often run as root.
  if (process.getuid?.() === 0) flags.push('--no-sandbox');
  return flags;
}

/**
 * The variables the browser may see: where programs, fonts and locale data are, the language and
 * time zone, and on Windows the system folders. Nothing else: the environment of an audit run holds
 * secrets (AWS_* credentials, the variable --sign-pass-env names), and a browser that renders
 * input has no business with them. An allowlist, so that a secret under a name we did not think
 * of is not passed on either.
 */
const BROWSER_ENVIRONMENT_NAMES =
  /^(PATH|HOME|USER|LOGNAME|LANG|LANGUAGE|LC_[A-Z]+|TZ|FONTCONFIG_FILE|FONTCONFIG_PATH|XDG_(CONFIG|CACHE|DATA)_HOME|XDG_DATA_DIRS|XDG_RUNTIME_DIR|SYSTEMROOT|SYSTEMDRIVE|WINDIR|PROGRAMFILES|PROGRAMFILES\(X86\)|LOCALAPPDATA|APPDATA|USERPROFILE)$/i;

/** The browser's environment: the allowed variables of `source`, and TMPDIR inside the profile. */
export function browserEnvironment(source: NodeJS.ProcessEnv, profile: string): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const [name, value] of Object.entries(source)) {
    if (value !== undefined && BROWSER_ENVIRONMENT_NAMES.test(name)) environment[name] = value;
  }
  // Chromium keeps its singleton socket under TMPDIR; inside the profile it goes with it.
  environment['TMPDIR'] = profile;
  return environment;
}

const CLOSE_TIMEOUT_MS = 5_000;

/** Whether a running process names `profile` on its command line (Linux: /proc; a zombie names nothing). */
function profileInUse(profile: string): boolean {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(profile)) return true;
    } catch {
      // Gone between the listing and the read.
    }
  }
  return false;
}

/**
 * Waits (at most `ms`) until no process of the killed browser is left: its renderers, SIGKILLed
 * with the group, take a moment to go on a loaded machine (freeing a large page's memory), and
 * the run must not end while they still hold the profile. Linux only; elsewhere the group kill is all.
 */
async function profileProcessesGone(profile: string, ms: number): Promise<void> {
  if (process.platform !== 'linux') return;
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && profileInUse(profile)) await new Promise((resolve) => setTimeout(resolve, 25));
}

const firstLine = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';

/** The browser's connection closed during the start: it exited (a crash), rather than not starting at all. */
function closedWhileStarting(error: unknown): boolean {
  return error instanceof Error && /Target closed|Connection closed|Session closed/i.test(error.message);
}

/** puppeteer's TimeoutError, or a protocol call that timed out (protocolTimeout). */
function isTimeout(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return error.name === 'TimeoutError' || (error.name === 'ProtocolError' && /timed out/i.test(error.message));
}

/** Never settles: the normal path waits here while a signal handler cleans up and exits. */
const STAND_STILL = new Promise<never>(() => undefined);

/**
 * Runs `work` with one headless browser and removes every trace afterwards; `whileStarting` runs
 * (synchronously) once the browser's process is starting, before `work`. Ctrl-C (SIGINT),
 * SIGTERM and SIGHUP kill the browser's whole process group and remove the profile before exiting.
 *
 * One piece, longer than our usual 80 lines, on purpose: the launch, the signal handlers and the clean-up share
 * the browser and profile as they change, and keeping them in one closure is what makes it plain
 * that every path (normal end, error, signal mid-launch, process exit) removes both.
 */
export async function withBrowser<T>(found: FoundBrowser, work: (browser: Browser) => Promise<T>, whileStarting?: () => void, timeoutMs: number = DEFAULT_BROWSER_TIMEOUT_SECONDS * 1000): Promise<T> {
  const profile = await mkdtemp(join(profileParent(), PROFILE_PREFIX));
  let browser: Browser | null = null;
  /** Set while puppeteer starts the browser, whose process we only get once it is up. */
  let launching: Promise<Browser> | null = null;
  /** Set by a signal: the handler owns the clean-up and exits; the normal path must stand still. */
  let interrupted = false;

  const killGroup = (): void => {
    const child = browser?.process() ?? null;
    if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        // puppeteer starts the browser as a process-group leader: kill the renderers with it.
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // No group (already gone, or not detached): kill the main process itself.
        child.kill('SIGKILL');
      }
    }
  };
  /** Last resort when the process exits some other way: synchronous, as 'exit' handlers must be. */
  const killNow = (): void => {
    killGroup();
    rmSync(profile, { recursive: true, force: true, maxRetries: 3 });
  };
  const killAndWait = async (): Promise<void> => {
    if (browser === null && launching !== null) {
      // Interrupted mid-start: wait for the browser to be up (or to fail) so it can be killed.
      browser = await launching.catch(() => null);
    }
    const child = browser?.process() ?? null;
    const exited = child === null || child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => child.once('exit', () => resolve()));
    killGroup();
    await Promise.race([exited, new Promise<void>((resolve) => setTimeout(resolve, CLOSE_TIMEOUT_MS).unref())]);
    await profileProcessesGone(profile, CLOSE_TIMEOUT_MS);
    // Renderers may still be flushing into the profile for a moment after the main process died.
    await rm(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    interrupted = true;
    void killAndWait().finally(() => {
      process.stderr.write(`iam-audit: interrupted (${signal}); browser closed, ${escapeForTerminal(writtenBeforeInterruption())}\n`);
      process.exit(signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 129);
    });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('SIGHUP', onSignal);
  process.once('exit', killNow);
  try {
    /** An error of `whileStarting` (a template that fails to render, say) is the run's, not the browser's. */
    let startingError: { readonly error: unknown } | null = null;
    // A browser that starts but never answers: the launch is aborted after `timeoutMs`, which
    // makes puppeteer kill the browser's process group (it started it; we have no pid until the
    // launch resolves). Every later call (a page, a load, a print) has the same time-out.
    const launchAbort = new AbortController();
    const launchTimer = setTimeout(() => launchAbort.abort(), timeoutMs);
    const seconds = `${timeoutMs / 1000} s`;
    try {
      const { default: puppeteer } = await import('puppeteer-core');
      const launch = (oneProcess?: boolean): Promise<Browser> =>
        puppeteer.launch({
          executablePath: found.executablePath,
          headless: true,
          pipe: true,
          userDataDir: profile,
          args: browserArguments(oneProcess),
          handleSIGINT: false,
          handleSIGTERM: false,
          handleSIGHUP: false,
          timeout: timeoutMs,
          protocolTimeout: timeoutMs,
          signal: launchAbort.signal,
          env: browserEnvironment(process.env, profile),
        });
      // A browser that exits while it starts ("Target closed") is started once more, on an emptied
      // profile and with Chromium's usual processes (a build that refuses to run in one): seen once
      // on a machine loaded far beyond its cores, never twice in a row. A broken executable fails
      // the second time too and is reported as before.
      launching = launch().catch(async (error: unknown) => {
        if (interrupted || launchAbort.signal.aborted || !closedWhileStarting(error)) throw error;
        await rm(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
        await mkdir(profile, { recursive: true });
        return launch(false);
      });
      // Settles as soon as the time is up, whatever the launch is still waiting for.
      const gaveUp = new Promise<never>((_resolve, reject) => launchAbort.signal.addEventListener('abort', () => reject(new Error('timed out')), { once: true }));
      gaveUp.catch(() => undefined);
      // The browser takes about half a second to come up in its own processes: node's share of
      // the work (building the report, compiling templates) fits in that wait.
      try {
        whileStarting?.();
      } catch (error) {
        // Not thrown here: the browser is starting and must be awaited, then closed below.
        startingError = { error };
      }
      const starting = launching;
      starting.catch(() => undefined);
      browser = await Promise.race([starting, gaveUp]);
    } catch (error) {
      if (interrupted) await STAND_STILL;
      if (launchAbort.signal.aborted) {
        throw new BrowserTimeoutError(`the browser ${found.executablePath} (found by ${found.origin}) started but did not answer within ${seconds}; it was stopped`);
      }
      throw new BrowserNotFoundError(
        `the browser ${found.executablePath} (found by ${found.origin}) did not start: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
      );
    } finally {
      clearTimeout(launchTimer);
    }
    // Thrown once the browser is up, so that the clean-up below closes it.
    if (startingError !== null) throw startingError.error;
    try {
      return await work(browser);
    } catch (error) {
      // The signal handler killed the browser under our feet; it reports and exits, not us.
      if (interrupted) await STAND_STILL;
      // A page, a load or a print that got no answer in time: the browser hangs (closed below).
      if (isTimeout(error)) throw new BrowserTimeoutError(`the browser ${found.executablePath} stopped answering: ${firstLine(error)}; it was stopped`);
      throw error;
    }
  } finally {
    if (browser !== null) {
      const closing = browser.close().then(
        () => true,
        () => false,
      );
      const closed = await Promise.race([closing, new Promise<false>((resolve) => setTimeout(() => resolve(false), CLOSE_TIMEOUT_MS).unref())]);
      if (!closed) await killAndWait();
    }
    await rm(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGHUP', onSignal);
    process.removeListener('exit', killNow);
  }
}
