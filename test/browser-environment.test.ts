/**
 * The browser that prints the PDF sees only the environment it needs: no signing password (the
 * variable --sign-pass-env names) and no AWS secrets. Read from /proc/<pid>/environ of the real
 * Chromium processes (browser, zygote, renderers) while a real signed PDF is rendered.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { browserEnvironment } from '../src/render/browser.js';
import { CLI_PATH, FIXTURES, temporaryFolder } from './support/cli.js';
import { makeTestPki, PKI_PASSWORD, type TestPki } from './support/evidence-pki.js';

const SECRETS: Readonly<Record<string, string>> = {
  IAM_AUDIT_TEST_SIGNING_PASSWORD: PKI_PASSWORD,
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  AWS_SESSION_TOKEN: 'FwoGZXIvYXdzEXAMPLESESSIONTOKEN',
  AWS_PROFILE: 'audit-profile-example',
};

let work: { path: string; cleanup: () => Promise<void> };
let pki: TestPki;
before(async () => {
  work = await temporaryFolder();
  pki = await makeTestPki(work.path);
});
after(async () => {
  await work.cleanup();
});

/** The parent pid of a process, or null when it is gone. */
function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (2nd field) may hold spaces and parentheses: the fields after the last ")".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[1]);
  } catch {
    return null;
  }
}

function descendsFrom(pid: number, ancestor: number): boolean {
  let current: number | null = pid;
  for (let depth = 0; depth < 16 && current !== null && current > 1; depth += 1) {
    current = parentOf(current);
    if (current === ancestor) return true;
  }
  return false;
}

/** Environments of the Chromium processes below `root` right now, by pid. */
function chromiumEnvironments(root: number, seen: Map<number, string[]>): void {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    try {
      const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!commandLine.includes('iam-audit-chromium-') || !descendsFrom(pid, root)) continue;
      seen.set(pid, readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter((line) => line !== ''));
    } catch {
      // The process ended between the listing and the read: nothing to check.
    }
  }
}

describe('the browser environment', () => {
  it('keeps what the browser needs and nothing else', () => {
    const environment = browserEnvironment({ PATH: '/usr/bin', HOME: '/root', LANG: 'C.UTF-8', TZ: 'UTC', ...SECRETS, NODE_OPTIONS: '--x' }, '/tmp/profile');
    assert.deepEqual(environment, { PATH: '/usr/bin', HOME: '/root', LANG: 'C.UTF-8', TZ: 'UTC', TMPDIR: '/tmp/profile' });
  });

  it('no signing password and no AWS secret reaches the Chromium processes of a real signed PDF render', { skip: process.platform !== 'linux' && 'reads /proc' }, async () => {
    const out = join(work.path, 'out');
    const child = spawn(
      process.execPath,
      [CLI_PATH, 'report', join(FIXTURES, 'demo', 'snapshot.json'), '-d', out, '--format', 'pdf', '--sign-p12', pki.signerP12, '--sign-pass-env', 'IAM_AUDIT_TEST_SIGNING_PASSWORD'],
      { env: { ...process.env, ...SECRETS }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdout.resume();
    const seen = new Map<number, string[]>();
    const root = child.pid;
    assert.ok(root !== undefined);
    const poll = setInterval(() => chromiumEnvironments(root, seen), 25);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearInterval(poll);
    assert.equal(code, 0, stderr);
    assert.ok(seen.size >= 2, `the browser and at least one of its helpers were seen (${seen.size})`);
    for (const [pid, environment] of seen) {
      for (const [name, value] of Object.entries(SECRETS)) {
        assert.ok(!environment.some((line) => line.startsWith(`${name}=`)), `process ${pid} has ${name}`);
        assert.ok(!environment.some((line) => line.includes(value)), `process ${pid} holds the value of ${name}`);
      }
    }
    // Chromium rewrites some helpers' process titles over their environment's memory; the others
    // show the environment it was given, which proves these reads saw real environments.
    const withProfileTmp = [...seen.values()].filter((environment) => environment.some((line) => line.startsWith('TMPDIR=') && line.includes('iam-audit-chromium-')));
    assert.ok(withProfileTmp.length >= 1, 'at least one process shows the environment the browser was given');
    for (const environment of withProfileTmp) assert.ok(environment.every((line) => /^(PATH|HOME|USER|LOGNAME|LANG|LANGUAGE|LC_[A-Z]+|TZ|FONTCONFIG_\w+|XDG_\w+|TMPDIR|CHROME_[A-Z_]+|GOOGLE_[A-Z_]+)=/.test(line)), environment.join('\n'));
  });
});
