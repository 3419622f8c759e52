// Puppeteer reads this at `npm ci` time and at run time, in a clone of this repository only: once
// iam-audit is installed as a package, puppeteer (an optional dependency) is hoisted and never
// sees this file; a failed download there merely drops the optional package (see README, Install).
// Where a system Chrome/Chromium exists (CI, Debian servers, sandboxes without internet) we skip
// puppeteer's own browser download, which cannot work offline and would fail `npm ci`. On a laptop
// without a system browser the normal download still happens. src/render/browser.ts finds the
// browser at run time in the same order (flag, env, system, downloaded).
const fs = require('node:fs');

const path = require('node:path');

// The fixed places of systemBrowserCandidates in src/render/browser.ts (not the PATH names).
const windowsInstalls = [
  ['ProgramFiles', 'Google\\Chrome\\Application\\chrome.exe'],
  ['ProgramFiles(x86)', 'Google\\Chrome\\Application\\chrome.exe'],
  ['LOCALAPPDATA', 'Google\\Chrome\\Application\\chrome.exe'],
  ['LOCALAPPDATA', 'Chromium\\Application\\chrome.exe'],
  ['ProgramFiles(x86)', 'Microsoft\\Edge\\Application\\msedge.exe'],
  ['ProgramFiles', 'Microsoft\\Edge\\Application\\msedge.exe'],
  ['LOCALAPPDATA', 'Microsoft\\Edge\\Application\\msedge.exe'],
];
const systemBrowsers =
  process.platform === 'win32'
    ? windowsInstalls.filter(([name]) => Boolean(process.env[name])).map(([name, relative]) => path.win32.join(process.env[name], relative))
    : [
        '/usr/lib/chromium/chromium',
        '/usr/bin/chromium',
        '/usr/bin/chromium-browser',
        '/usr/bin/google-chrome',
        '/usr/bin/google-chrome-stable',
        '/opt/google/chrome/chrome',
        '/usr/bin/microsoft-edge',
        '/usr/bin/microsoft-edge-stable',
        '/opt/microsoft/msedge/msedge',
        '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
        '/Applications/Chromium.app/Contents/MacOS/Chromium',
        '/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge',
      ];

const hasSystemBrowser =
  Boolean(process.env.PUPPETEER_EXECUTABLE_PATH) || systemBrowsers.some((candidate) => fs.existsSync(candidate));

module.exports = {
  skipDownload: hasSystemBrowser || process.env.PUPPETEER_SKIP_DOWNLOAD === 'true',
};
