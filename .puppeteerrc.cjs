// Puppeteer reads this at `npm ci` time and at run time, in a clone of this repository only: once
// iam-audit is installed as a package, puppeteer (an optional dependency) is hoisted and never
// sees this file; a failed download there merely drops the optional package (see README, Install).
// Where a system Chrome/Chromium exists (CI, Debian servers, sandboxes without internet) we skip
// puppeteer's own browser download, which cannot work offline and would fail `npm ci`. On a laptop
// without a system browser the normal download still happens. src/render/browser.ts finds the
// browser at run time in the same order (flag, env, system, downloaded).
const fs = require('node:fs');

const systemBrowsers = [
  '/usr/lib/chromium/chromium',
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];

const hasSystemBrowser =
  Boolean(process.env.PUPPETEER_EXECUTABLE_PATH) || systemBrowsers.some((candidate) => fs.existsSync(candidate));

module.exports = {
  skipDownload: hasSystemBrowser || process.env.PUPPETEER_SKIP_DOWNLOAD === 'true',
};
