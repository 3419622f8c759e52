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
  const session = withBrowser(found, async (browser) => {
    const work = await handed;
    return work === null ? undefined : work(browser);
  }, undefined, browserTimeoutMs(timeoutSeconds ?? null, environment));
  // Observed by `use` or `release`; never an unhandled rejection while the run is still judging.
  session.catch(() => undefined);
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
