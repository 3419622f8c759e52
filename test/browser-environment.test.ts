/**
 * The browser that prints the PDF sees only the environment it needs: no signing password (the
 * variable --sign-pass-env names) and no AWS secrets. The environment passed to Chromium is checked
 * here; the environments of the real Chromium processes of a signed PDF render are read from /proc
 * in test/evidence-report-run.test.ts, whose signed run serves both (one browser run, not two).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SYSTEM_BROWSER_PATHS, systemBrowserCandidates } from '../src/render/browser-candidates.js';
import { browserArguments, browserEnvironment } from '../src/render/browser.js';
import { MAX_PROFILE_PARENT_LENGTH, profileParent } from '../src/render/browser-profile.js';

describe('the browser environment', () => {
  it('keeps what the browser needs and nothing else', () => {
    const secrets = {
      IAM_AUDIT_TEST_SIGNING_PASSWORD: 'correct horse battery staple',
      AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      AWS_SESSION_TOKEN: 'FwoGZXIvYXdzEXAMPLESESSIONTOKEN',
      AWS_PROFILE: 'audit-profile-example',
    };
    const environment = browserEnvironment({ PATH: '/usr/bin', HOME: '/root', LANG: 'C.UTF-8', TZ: 'UTC', ...secrets, NODE_OPTIONS: '--x' }, '/tmp/profile');
    assert.deepEqual(environment, { PATH: '/usr/bin', HOME: '/root', LANG: 'C.UTF-8', TZ: 'UTC', TMPDIR: '/tmp/profile' });
  });
});

describe("where the browser's profile is made (Chromium's socket path holds 108 bytes)", () => {
  it('under the temporary folder when its path is short enough, else under /tmp; on Windows always the temporary folder', () => {
    const short = `/${'t'.repeat(MAX_PROFILE_PARENT_LENGTH - 1)}`;
    const long = `${short}x`;
    assert.equal(MAX_PROFILE_PARENT_LENGTH, 36);
    assert.equal(profileParent('/tmp', 'linux'), '/tmp');
    assert.equal(profileParent(short, 'linux'), short);
    assert.equal(profileParent(long, 'linux'), '/tmp');
    // macOS's usual TMPDIR.
    assert.equal(profileParent('/var/folders/zz/zyxvpxvq6csfxvn_n0000000000000/T', 'darwin'), '/tmp');
    assert.equal(profileParent(long, 'linux', () => false), long, 'no /tmp: the temporary folder, as before');
    assert.equal(profileParent('C:\\Users\\someone\\AppData\\Local\\Temp\\a-long-folder-name-here', 'win32'), 'C:\\Users\\someone\\AppData\\Local\\Temp\\a-long-folder-name-here');
  });
});

describe('the browser flags (issue 26: one process on Linux)', () => {
  it('in one process: --single-process, no zygote and so no sandbox (the page is laid out in the browser process anyway), offline as ever', () => {
    const flags = browserArguments(true);
    for (const flag of ['--single-process', '--no-zygote', '--no-sandbox', '--disable-gpu', '--host-resolver-rules=MAP * ~NOTFOUND', '--disable-background-networking']) {
      assert.ok(flags.includes(flag), `${flag} in ${flags.join(' ')}`);
    }
  });
  it("with Chromium's usual processes (other systems, the second start): no --single-process, no --no-zygote, the sandbox as before (off only for root)", () => {
    const flags = browserArguments(false);
    assert.equal(flags.includes('--single-process'), false);
    assert.equal(flags.includes('--no-zygote'), false);
    assert.equal(flags.includes('--no-sandbox'), process.getuid?.() === 0);
    assert.ok(flags.includes('--host-resolver-rules=MAP * ~NOTFOUND'));
  });
  it('defaults to one process on Linux only', () => {
    assert.equal(browserArguments().includes('--single-process'), process.platform === 'linux');
  });
});

describe('where a system browser is looked for, per platform', () => {
  it('Linux: the real Chromium binary first, then Chrome and Edge, then the names on PATH', () => {
    const candidates = systemBrowserCandidates('linux', { PATH: '/usr/local/bin::/snap/bin' });
    assert.deepEqual(candidates.slice(0, SYSTEM_BROWSER_PATHS.length), [
      '/usr/lib/chromium/chromium',
      '/usr/bin/chromium',
      '/usr/bin/chromium-browser',
      '/usr/bin/google-chrome',
      '/usr/bin/google-chrome-stable',
      '/opt/google/chrome/chrome',
      '/usr/bin/microsoft-edge',
      '/usr/bin/microsoft-edge-stable',
      '/opt/microsoft/msedge/msedge',
    ]);
    assert.deepEqual(candidates.slice(SYSTEM_BROWSER_PATHS.length), [
      ...['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome', 'microsoft-edge', 'microsoft-edge-stable', 'msedge'].map((name) => `/usr/local/bin/${name}`),
      ...['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome', 'microsoft-edge', 'microsoft-edge-stable', 'msedge'].map((name) => `/snap/bin/${name}`),
    ]);
    // No macOS or Windows place is tried on Linux.
    assert.ok(candidates.every((path) => !path.startsWith('/Applications') && !path.includes('\\')));
  });

  it('Windows: Chrome (64-bit, 32-bit, per user), Chromium, Edge from the install variables in any case, then PATH with .exe names', () => {
    const environment = {
      ProgramFiles: 'C:\\Program Files',
      'PROGRAMFILES(X86)': 'C:\\Program Files (x86)',
      localappdata: 'C:\\Users\\auditor\\AppData\\Local',
      Path: 'C:\\Windows\\system32;C:\\Tools',
    };
    assert.deepEqual(systemBrowserCandidates('win32', environment), [
      'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
      'C:\\Program Files (x86)\\Google\\Chrome\\Application\\chrome.exe',
      'C:\\Users\\auditor\\AppData\\Local\\Google\\Chrome\\Application\\chrome.exe',
      'C:\\Users\\auditor\\AppData\\Local\\Chromium\\Application\\chrome.exe',
      'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe',
      'C:\\Program Files\\Microsoft\\Edge\\Application\\msedge.exe',
      'C:\\Users\\auditor\\AppData\\Local\\Microsoft\\Edge\\Application\\msedge.exe',
      'C:\\Windows\\system32\\chrome.exe',
      'C:\\Windows\\system32\\msedge.exe',
      'C:\\Windows\\system32\\chromium.exe',
      'C:\\Tools\\chrome.exe',
      'C:\\Tools\\msedge.exe',
      'C:\\Tools\\chromium.exe',
    ]);
    // A variable that is not set gives no candidate (not a path relative to the working folder).
    assert.deepEqual(systemBrowserCandidates('win32', { ProgramFiles: 'D:\\Apps' }), ['D:\\Apps\\Google\\Chrome\\Application\\chrome.exe', 'D:\\Apps\\Microsoft\\Edge\\Application\\msedge.exe']);
  });

  it('macOS: Chrome, Chromium and Edge in /Applications, then in ~/Applications, then PATH', () => {
    const apps = ['Google Chrome.app/Contents/MacOS/Google Chrome', 'Chromium.app/Contents/MacOS/Chromium', 'Microsoft Edge.app/Contents/MacOS/Microsoft Edge'];
    const candidates = systemBrowserCandidates('darwin', { HOME: '/Users/auditor', PATH: '/opt/homebrew/bin' });
    assert.deepEqual(candidates.slice(0, 6), [...apps.map((app) => `/Applications/${app}`), ...apps.map((app) => `/Users/auditor/Applications/${app}`)]);
    assert.deepEqual(candidates.slice(6, 8), ['/opt/homebrew/bin/chromium', '/opt/homebrew/bin/chromium-browser']);
    assert.equal(candidates.length, 6 + 8);
    // No Linux install place is tried on macOS.
    assert.ok(!candidates.includes('/usr/bin/chromium'));
  });
});
