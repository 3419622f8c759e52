/**
 * Issue 23 §5, the browser that prints the PDF:
 *  - one that starts but never answers is given up after --browser-timeout, killed, and the PDF
 *    skipped (exit 4) while the other formats are written;
 *  - one that exits while it starts is started once more (a one-off crash under load), and
 *    reported after the second;
 *  - the real Chromium prints with no network at all: no DNS query and no connection leaves it,
 *    traced with Chromium's own network log (--log-net-log) while it prints a report whose
 *    template asks for http://example.invalid/ resources.
 */
import assert from 'node:assert/strict';
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BROWSER_TIMEOUT_VARIABLE, browserTimeoutMs, SYSTEM_BROWSER_PATHS } from '../src/render/browser.js';
import { FIXTURES, runCli, temporaryFolder } from './support/cli.js';
import { existsSync } from 'node:fs';

const DEMO_SNAPSHOT = join(FIXTURES, 'demo', 'snapshot.json');
const TEMPLATES = join(FIXTURES, '..', 'templates');

let work: { path: string; cleanup: () => Promise<void> };
before(async () => {
  work = await temporaryFolder();
});
after(async () => {
  await work.cleanup();
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    // ESRCH: no such process.
    return false;
  }
}

describe('--browser-timeout', () => {
  it('is 120 s by default, else IAM_AUDIT_BROWSER_TIMEOUT, else the flag; nonsense is refused', () => {
    assert.equal(browserTimeoutMs(null, {}), 120_000);
    assert.equal(browserTimeoutMs(null, { [BROWSER_TIMEOUT_VARIABLE]: '30' }), 30_000);
    assert.equal(browserTimeoutMs(2.5, { [BROWSER_TIMEOUT_VARIABLE]: '30' }), 2_500);
    assert.throws(() => browserTimeoutMs(null, { [BROWSER_TIMEOUT_VARIABLE]: 'soon' }), /^UserError: IAM_AUDIT_BROWSER_TIMEOUT must be a number of seconds between 0 and 86400, got "soon"$/);
    assert.throws(() => browserTimeoutMs(0, {}), /--browser-timeout must be a number of seconds/);
  });

  it('a browser that starts and never answers: given up after the time-out, killed, PDF skipped (exit 4), the other formats written', async () => {
    const folder = join(work.path, 'hung');
    await mkdir(folder);
    const pidFile = join(folder, 'browser.pid');
    const fake = join(folder, 'fake-chromium');
    // Starts, keeps the DevTools pipe open, and never says a word.
    await writeFile(fake, `#!/bin/sh\necho $$ > '${pidFile}'\nexec sleep 600\n`);
    await chmod(fake, 0o755);
    const out = join(folder, 'out');
    const run = await runCli(['report', DEMO_SNAPSHOT, '-d', out, '--format', 'csv,json,html,pdf', '--browser', fake, '--browser-timeout', '2', '--quiet']);
    assert.equal(run.code, 4, run.stderr);
    assert.match(run.stderr, new RegExp(`iam-audit: PDF not written: the browser ${fake} \\(found by --browser\\) started but did not answer within 2 s; it was stopped; allow it longer with --browser-timeout SECONDS`));
    assert.doesNotMatch(run.stderr, /internal error|\n\s+at /);
    const written = await readdir(out);
    assert.ok(written.some((name) => name.endsWith('.html')), written.join(', '));
    assert.ok(written.some((name) => /^iam_audit_[\dT-]+\.json$/.test(name)), written.join(', '));
    assert.ok(written.some((name) => name.endsWith('.csv')), written.join(', '));
    assert.equal(written.some((name) => name.endsWith('.pdf')), false, written.join(', '));
    const pid = Number((await readFile(pidFile, 'utf8')).trim());
    assert.ok(pid > 0);
    // SIGKILL is delivered at once; the parent's reaping of the zombie may lag a moment behind.
    for (let wait = 0; wait < 50 && alive(pid); wait += 1) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(alive(pid), false, `the browser ${pid} was stopped`);
  });
});

describe('a browser that exits while it starts', () => {
  const chromium = SYSTEM_BROWSER_PATHS.find((path) => path.startsWith('/') && existsSync(path));

  it('is started once more: a one-off crash at start still gives the PDF', { skip: chromium === undefined ? 'no system Chromium' : false }, async () => {
    const folder = join(work.path, 'crash-once');
    await mkdir(folder);
    const starts = join(folder, 'starts');
    const flaky = join(folder, 'flaky-chromium');
    // The first start exits at once (as a crash does: puppeteer sees "Target closed"); the second is the real browser.
    await writeFile(flaky, `#!/bin/sh
echo start >> '${starts}'
[ "$(wc -l < '${starts}')" -gt 1 ] || exit 1
exec '${chromium ?? ''}' "$@"
`);
    await chmod(flaky, 0o755);
    const out = join(folder, 'out');
    const run = await runCli(['report', DEMO_SNAPSHOT, '-d', out, '--format', 'pdf', '--browser', flaky, '--quiet']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal((await readFile(starts, 'utf8')).trim().split('\n').length, 2);
    assert.ok((await readdir(out)).some((name) => name.endsWith('.pdf')));
  });

  it('that always exits is reported after the second start (exit 4, one line)', async () => {
    const folder = join(work.path, 'crash-always');
    await mkdir(folder);
    const starts = join(folder, 'starts');
    const broken = join(folder, 'broken-chromium');
    await writeFile(broken, `#!/bin/sh
echo start >> '${starts}'
exit 1
`);
    await chmod(broken, 0o755);
    const run = await runCli(['report', DEMO_SNAPSHOT, '-d', join(folder, 'out'), '--format', 'json,pdf', '--browser', broken, '--quiet']);
    assert.equal(run.code, 4, run.stderr);
    assert.match(run.stderr, new RegExp(`iam-audit: PDF not written: the browser ${broken} \\(found by --browser\\) did not start: .*Target closed`));
    assert.equal((await readFile(starts, 'utf8')).trim().split('\n').length, 2);
  });
});

/** Chromium's network log: its constants and events, as written by --log-net-log. */
interface NetLog {
  readonly constants: { readonly logEventTypes: Record<string, number>; readonly logSourceType: Record<string, number> };
  readonly events: readonly { readonly type: number; readonly source: { readonly id: number; readonly type: number }; readonly params?: Record<string, unknown> }[];
}

function readNetLog(text: string): NetLog {
  try {
    return JSON.parse(text) as NetLog;
  } catch {
    // A log whose browser was killed before closing it lacks its last brackets.
    return JSON.parse(`${text.trimEnd().replace(/,$/, '')}]}`) as NetLog;
  }
}

const LOOPBACK = /^(127\.|\[::1\]|localhost)/;

/** What left (or would have left) the browser: name resolutions, and connections or bytes to non-loopback addresses. */
function outgoing(log: NetLog): string[] {
  const names = new Map(Object.entries(log.constants.logEventTypes).map(([name, value]) => [value, name]));
  const remoteSockets = new Map<number, string>();
  const found: string[] = [];
  for (const event of log.events) {
    const name = names.get(event.type) ?? '';
    const address = typeof event.params?.['address'] === 'string' ? event.params['address'] : null;
    if (/^(HOST_RESOLVER_DNS_TASK|HOST_RESOLVER_SYSTEM_TASK|DNS_TRANSACTION|HOST_RESOLVER_MDNS_TASK)/.test(name)) found.push(`${name} ${JSON.stringify(event.params ?? {})}`);
    if (address !== null && !LOOPBACK.test(address)) {
      remoteSockets.set(event.source.id, address);
      // A TCP connection is traffic; a UDP "connect" only picks a route (Chromium's IPv6 reachability probe) until bytes are sent.
      if (/^TCP_CONNECT/.test(name)) found.push(`${name} ${address}`);
    }
    if (/BYTES_SENT$/.test(name) && remoteSockets.has(event.source.id)) found.push(`${name} to ${remoteSockets.get(event.source.id) ?? ''}`);
  }
  return found;
}

describe('the browser prints offline', () => {
  const chromium = SYSTEM_BROWSER_PATHS.find((path) => path.startsWith('/') && existsSync(path));

  it('no DNS query and no connection leave Chromium while it prints a template that asks for http://example.invalid/', { skip: chromium === undefined ? 'no system Chromium' : false }, async () => {
    const folder = join(work.path, 'offline');
    const templates = join(folder, 'templates');
    await mkdir(templates, { recursive: true });
    const layout = await readFile(join(TEMPLATES, 'layout.hbs'), 'utf8');
    const remote =
      '<link rel="preconnect" href="http://preconnect.example.invalid/"><link rel="stylesheet" href="http://style.example.invalid/report.css">' +
      '<img src="http://image.example.invalid/logo.png" alt=""><img src="http://192.0.2.7/pixel.png" alt="">';
    // Before the bundled template's Content-Security-Policy, which would stop the page's own loads: a
    // template of the user's own need not have that policy.
    assert.ok(layout.includes('<head>'));
    await writeFile(join(templates, 'layout.hbs'), layout.replace('<head>', `<head>${remote}`));
    // The real Chromium, with its network log: the wrapper adds the log to whatever iam-audit asks for.
    const netLog = join(folder, 'net-log.json');
    const wrapper = join(folder, 'chromium-with-net-log');
    await writeFile(wrapper, `#!/bin/sh\nexec '${chromium ?? ''}' "$@" --log-net-log='${netLog}' --net-log-capture-mode=Everything\n`);
    await chmod(wrapper, 0o755);
    const out = join(folder, 'out');
    const run = await runCli(['report', DEMO_SNAPSHOT, '-d', out, '--format', 'pdf', '--template-dir', templates, '--browser', wrapper, '--quiet']);
    assert.equal(run.code, 0, run.stderr);
    assert.ok((await readdir(out)).some((name) => name.endsWith('.pdf')));
    const text = await readFile(netLog, 'utf8');
    // The test sees what it must: the page did ask for the template's resources.
    assert.match(text, /style\.example\.invalid/);
    assert.deepEqual(outgoing(readNetLog(text)), []);
  });
});
