/**
 * A browser started ahead of the print that will use it (issue 26): Chromium takes a second or
 * more to come up in its own processes, and a PDF run spends about as long reading the snapshot
 * and judging it. Started first, the browser is ready when the report is; on two cores the wait
 * disappears from the wall time. Every guarantee of `withBrowser` holds (its signal handlers,
 * the allowlisted environment, the clean-up of the profile), since the browser runs inside it.
 */
import type { Browser } from 'puppeteer-core';
import { browserTimeoutMs, findBrowser, withBrowser } from './browser.js';

type Work = (browser: Browser) => Promise<unknown>;

export interface BrowserInAdvance {
  /** Hands the browser its work (once); settles as `withBrowser` would have with that work. */
  use<T>(work: (browser: Browser) => Promise<T>): Promise<T>;
  /** Closes the browser unused (the run failed or printed nothing); harmless after `use`. */
  release(): Promise<void>;
}

/**
 * Starts the browser a PDF run will print with, or returns null when none is found: the print then
 * looks for one again and reports it as it always did (no PDF, exit 4). A browser that fails to
 * start is reported the same way, by `use`.
 */
export async function startBrowserInAdvance(browserPath: string | null, timeoutSeconds: number | null | undefined, environment: NodeJS.ProcessEnv): Promise<BrowserInAdvance | null> {
  let found: Awaited<ReturnType<typeof findBrowser>>;
  try {
    found = await findBrowser(browserPath, environment);
  } catch {
    // No browser: not this module's to report; the print path finds the same and says so.
    return null;
  }
  let hand: (work: Work | null) => void = () => undefined;
  const handed = new Promise<Work | null>((resolve) => {
    hand = resolve;
  });
  // puppeteer's modules are loaded first, and this returns once the launch is under way: loaded
  // lazily inside the session, they waited behind the snapshot's reading, the analysis and the PDF
  // renderer's own modules (pdf-lib, fontkit, Handlebars), which yield to nothing, and the browser
  // started only after all of them, a second or more late (issue 26).
  // A failure to load is reported by the session below, as it always was (no PDF, exit 4).
  await import('puppeteer-core').catch(() => undefined);
  let launched: () => void = () => undefined;
  const launching = new Promise<void>((resolve) => {
    launched = resolve;
  });
  const session = withBrowser(found, async (browser) => {
    const work = await handed;
    return work === null ? undefined : work(browser);
  }, launched, browserTimeoutMs(timeoutSeconds ?? null, environment));
  // Observed by `use` or `release`; never an unhandled rejection while the run is still judging.
  session.catch(() => undefined);
  await Promise.race([launching, session.then(() => undefined, () => undefined)]);
  return {
    async use<T>(work: (browser: Browser) => Promise<T>): Promise<T> {
      hand(work);
      return (await session) as T;
    },
    async release(): Promise<void> {
      hand(null);
      await session.catch(() => undefined);
    },
  };
}
