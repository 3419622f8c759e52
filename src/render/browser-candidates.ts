/**
 * Where a system Chrome, Chromium or Edge may be installed, per platform: the candidates findBrowser
 * (browser.ts) tries in order. The platform and environment are parameters, so every platform's
 * list can be checked on any machine.
 */
import { posix, win32 } from 'node:path';

/**
 * Where system browsers live on Linux, in the order we prefer them: Chromium (the real binary
 * before Debian's wrapper script), Google Chrome, then Microsoft Edge (Chromium too, and prints the same).
 */
export const SYSTEM_BROWSER_PATHS: readonly string[] = [
  '/usr/lib/chromium/chromium',
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/opt/google/chrome/chrome',
  '/usr/bin/microsoft-edge',
  '/usr/bin/microsoft-edge-stable',
  '/opt/microsoft/msedge/msedge',
];
/** The same browsers' names, looked for in each PATH folder after the fixed places. */
const BROWSER_NAMES_ON_PATH = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome', 'microsoft-edge', 'microsoft-edge-stable', 'msedge'];
const WINDOWS_BROWSER_NAMES_ON_PATH = ['chrome.exe', 'msedge.exe', 'chromium.exe'];

/** macOS applications, inside /Applications or the user's ~/Applications. */
const MACOS_APPLICATIONS = ['Google Chrome.app/Contents/MacOS/Google Chrome', 'Chromium.app/Contents/MacOS/Chromium', 'Microsoft Edge.app/Contents/MacOS/Microsoft Edge'];

/**
 * Windows installs, under the folder each variable names: Chrome's system-wide installs (64-bit,
 * then 32-bit) and per-user install, Chromium's per-user install, then Edge (installed 32-bit path first).
 */
const WINDOWS_INSTALLS: readonly (readonly [variable: string, relative: string])[] = [
  ['ProgramFiles', 'Google\\Chrome\\Application\\chrome.exe'],
  ['ProgramFiles(x86)', 'Google\\Chrome\\Application\\chrome.exe'],
  ['LocalAppData', 'Google\\Chrome\\Application\\chrome.exe'],
  ['LocalAppData', 'Chromium\\Application\\chrome.exe'],
  ['ProgramFiles(x86)', 'Microsoft\\Edge\\Application\\msedge.exe'],
  ['ProgramFiles', 'Microsoft\\Edge\\Application\\msedge.exe'],
  ['LocalAppData', 'Microsoft\\Edge\\Application\\msedge.exe'],
];

/** An environment variable the way the platform reads it: Windows names ignore case. */
function variable(environment: NodeJS.ProcessEnv, name: string, platform: NodeJS.Platform): string | undefined {
  if (platform !== 'win32') return environment[name];
  const key = Object.keys(environment).find((candidate) => candidate.toUpperCase() === name.toUpperCase());
  return key === undefined ? undefined : environment[key];
}

/**
 * Every place a system Chrome, Chromium or Edge may be, in the order they are tried, for the given
 * platform and environment (parameters so that a test can check the Windows and macOS candidates
 * anywhere): the platform's fixed install places first, then the browsers' names in each PATH folder.
 */
export function systemBrowserCandidates(platform: NodeJS.Platform, environment: NodeJS.ProcessEnv): string[] {
  const paths = platform === 'win32' ? win32 : posix;
  const home = variable(environment, 'HOME', platform);
  const fixed =
    platform === 'win32'
      ? WINDOWS_INSTALLS.flatMap(([name, relative]) => {
          const folder = variable(environment, name, platform);
          return folder === undefined || folder === '' ? [] : [paths.join(folder, relative)];
        })
      : platform === 'darwin'
        ? [...MACOS_APPLICATIONS.map((app) => paths.join('/Applications', app)), ...(home === undefined || home === '' ? [] : MACOS_APPLICATIONS.map((app) => paths.join(home, 'Applications', app)))]
        : SYSTEM_BROWSER_PATHS;
  const names = platform === 'win32' ? WINDOWS_BROWSER_NAMES_ON_PATH : BROWSER_NAMES_ON_PATH;
  const onPath = (variable(environment, 'PATH', platform) ?? '')
    .split(paths.delimiter)
    .filter((folder) => folder !== '')
    .flatMap((folder) => names.map((name) => paths.join(folder, name)));
  return [...new Set([...fixed, ...onPath])];
}
