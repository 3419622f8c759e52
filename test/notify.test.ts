import assert from 'node:assert/strict';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { simpleParser } from 'mailparser';
import { findingId } from '../src/app/notify/notify-state.js';
import { FIXTURES, runCli, temporaryFolder, type CliRun } from './support/cli.js';
import { startSmtpServer, type ReceivedMail, type TestSmtp } from './notify-smtp.js';
import { withFlatResults } from './support/report-json.js';

const GOLDEN_REPORT = join(FIXTURES, 'golden', 'demo', 'iam_audit_2026-01-02T14-30-00.json');
const OWNERS = join(FIXTURES, 'notify', 'owners.yaml');
const SUMMARY_TO = 'security@example.com';

interface GoldenResult {
  rule_id: string;
  resource_arn: string;
  resource_name: string;
  resource_type: string;
  status: string;
}
const golden = withFlatResults(JSON.parse(await readFile(GOLDEN_REPORT, 'utf8')) as object) as { results: GoldenResult[] };
const failures = golden.results.filter((item) => item.status === 'fail');
const userOf = (item: GoldenResult): string => item.resource_name.split('#')[0] ?? '';

/** Who owns which demo user under fixtures/notify/owners.yaml. */
const EXPECTED_OWNER: Readonly<Record<string, string>> = {
  'bob.admin': 'bob@example.com',
  'ivan.dba': 'ivan@example.com',
  'mallory.old': 'security-team@example.com',
  'svc-backup': 'platform@example.com',
  'svc-ci-deploy': 'platform@example.com',
  'svc-legacy-etl': 'platform@example.com',
  'svc-metrics': 'platform@example.com',
};
const OWNER_ADDRESSES = [...new Set(Object.values(EXPECTED_OWNER))].sort();
const expectedFor = (address: string): GoldenResult[] => failures.filter((item) => EXPECTED_OWNER[userOf(item)] === address);
const unowned = failures.filter((item) => EXPECTED_OWNER[userOf(item)] === undefined);

function mailTo(mails: readonly ReceivedMail[], address: string): ReceivedMail[] {
  return mails.filter((mail) => mail.recipients.includes(address));
}

async function setup(): Promise<{ dir: string; report: string; state: string; cleanup: () => Promise<void> }> {
  const folder = await temporaryFolder('iam-audit-notify-');
  const report = join(folder.path, 'report.json');
  await copyFile(GOLDEN_REPORT, report);
  return { dir: folder.path, report, state: join(folder.path, 'state.json'), cleanup: folder.cleanup };
}

/**
 * `rate`: the default (5 mails a second) spreads a run's 5 mails over most of a second of idle waiting;
 * the demo run keeps the default, the other runs lift the limit: what they test is not the pacing.
 */
function notifyArgs(report: string, state: string, port: number, extra: readonly string[] = [], rate: 'default' | 'fast' = 'fast'): string[] {
  return [
    'notify', report, '--owners', OWNERS, '--summary-to', SUMMARY_TO, '--from', 'iam-audit@example.com',
    '--smtp-host', '127.0.0.1', '--smtp-port', String(port), '--state', state, '--smtp-timeout', '5',
    ...(rate === 'default' ? [] : ['--max-per-second', '1000']), ...extra,
  ];
}

async function everyFileText(dir: string): Promise<string> {
  const names = await readdir(dir, { recursive: true, withFileTypes: true });
  const texts = await Promise.all(names.filter((entry) => entry.isFile()).map((entry) => readFile(join(entry.parentPath, entry.name), 'utf8')));
  return texts.join('\n');
}

describe('notify: the demo account mails each owner their own findings', () => {
  let server: TestSmtp;
  let context: Awaited<ReturnType<typeof setup>>;
  let run: CliRun;
  before(async () => {
    server = await startSmtpServer();
    context = await setup();
    run = await runCli(notifyArgs(context.report, context.state, server.port, [], 'default'), { cwd: context.dir });
  });
  after(async () => {
    await server.close();
    await context.cleanup();
  });

  it('sends one mail per owner and the summary, and exits 0', () => {
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '');
    assert.deepEqual(server.received.map((mail) => mail.recipients.join(',')).sort(), [...OWNER_ADDRESSES, SUMMARY_TO].sort());
    for (const mail of server.received) assert.equal(mail.from, 'iam-audit@example.com');
  });

  it("lists exactly each owner's findings and nobody else's", () => {
    for (const address of OWNER_ADDRESSES) {
      const [mail, ...more] = mailTo(server.received, address);
      assert.ok(mail !== undefined && more.length === 0, address);
      const expected = expectedFor(address);
      assert.equal(mail.parsed.subject, `[iam-audit] ${expected.length} finding${expected.length === 1 ? '' : 's'} to fix in AWS account 111122223333`);
      const text = mail.parsed.text ?? '';
      const html = typeof mail.parsed.html === 'string' ? mail.parsed.html : '';
      for (const item of expected) {
        assert.ok(text.includes(`- ${item.resource_name} (${item.resource_type}, ${item.resource_arn})`), `${address}: ${item.resource_name}`);
        assert.ok(html.includes(item.resource_arn), `${address} html: ${item.resource_arn}`);
        assert.ok(text.includes(`Rule: ${item.rule_id}`));
      }
      for (const other of failures.filter((item) => !expected.includes(item))) {
        assert.ok(!text.includes(other.resource_arn + ')') && !html.includes(`${other.resource_arn}<`), `${address} must not see ${other.resource_arn}`);
      }
      assert.match(text, /How to fix it in the console:\n {2}1\. Open the IAM console/);
      // Access keys get their commands per key, indented under the key (issue 24).
      assert.match(text, /With the AWS CLI:\n {2,4}aws iam /);
      assert.match(text, /Criteria: cis-/);
    }
  });

  it('sends the summary with the counts, failing controls and the findings with no owner', () => {
    const [summary] = mailTo(server.received, SUMMARY_TO);
    const text = summary?.parsed.text ?? '';
    // Issue 24: the subject counts failing checks and rules, not every mapped control.
    assert.equal(summary?.parsed.subject, '[iam-audit] Summary for AWS account 111122223333: 34 failed checks of 7 rules');
    assert.equal(failures.length, 34);
    assert.match(text, /Checks: 34 failed, /);
    assert.match(text, /MFA: 8 of 26 users non-compliant/);
    assert.ok(text.includes(`No owner (${unowned.length}):`));
    const noOwnerSection = text.slice(text.indexOf('No owner ('));
    for (const item of unowned) assert.ok(noOwnerSection.includes(`: ${item.resource_name} (`), item.resource_name);
    for (const address of OWNER_ADDRESSES) assert.ok(text.includes(`- ${address}: ${expectedFor(address).length} findings: sent`), address);
    assert.match(text, /Failing controls \([1-9]\d*\):\n- cis-/);
  });

  it('records what was sent in the state file, by finding id and owner', async () => {
    const state = JSON.parse(await readFile(context.state, 'utf8')) as { version: number; sent: Record<string, Record<string, string>> };
    assert.equal(state.version, 1);
    const owned = failures.filter((item) => EXPECTED_OWNER[userOf(item)] !== undefined);
    assert.deepEqual(Object.keys(state.sent).sort(), owned.map((item) => findingId({ ruleId: item.rule_id, resourceArn: item.resource_arn })).sort());
    for (const item of owned) assert.deepEqual(Object.keys(state.sent[findingId({ ruleId: item.rule_id, resourceArn: item.resource_arn })] ?? {}), [EXPECTED_OWNER[userOf(item)]]);
  });

  it('tells no owner about the same finding again within --quiet-days; the summary still goes', async () => {
    const before = server.received.length;
    const again = await runCli(notifyArgs(context.report, context.state, server.port), { cwd: context.dir });
    assert.equal(again.code, 0, again.stderr);
    const fresh = server.received.slice(before);
    assert.deepEqual(fresh.map((mail) => mail.recipients.join(',')), [SUMMARY_TO]);
    assert.match(again.stdout, /bob@example\.com: 3 findings left out \(told within 7 days\)/);
    assert.ok((fresh[0]?.parsed.text ?? '').includes('- bob@example.com: 0 findings (3 left out: told within the quiet days)'));
    // --quiet-days 0: the window is over, everyone is told again.
    const later = server.received.length;
    const noQuiet = await runCli(notifyArgs(context.report, context.state, server.port, ['--quiet-days', '0']), { cwd: context.dir });
    assert.equal(noQuiet.code, 0, noQuiet.stderr);
    assert.deepEqual(server.received.slice(later).map((mail) => mail.recipients.join(',')).sort(), [...OWNER_ADDRESSES, SUMMARY_TO].sort());
  });
});

describe('notify --dry-run', () => {
  it('writes each message as an .eml file, prints who would get what, sends and records nothing', async () => {
    const context = await setup();
    try {
      const out = join(context.dir, 'outbox');
      const run = await runCli(['notify', context.report, '--owners', OWNERS, '--summary-to', SUMMARY_TO, '--from', 'iam-audit@example.com', '--dry-run', '-d', out, '--state', context.state], { cwd: context.dir });
      assert.equal(run.code, 0, run.stderr);
      const files = (await readdir(out)).sort();
      assert.equal(files.length, OWNER_ADDRESSES.length + 1);
      const parsed = await Promise.all(files.map(async (name) => simpleParser(await readFile(join(out, name)))));
      const recipients = parsed.map((mail) => (Array.isArray(mail.to) ? '' : (mail.to?.text ?? ''))).sort();
      assert.deepEqual(recipients, [...OWNER_ADDRESSES, SUMMARY_TO].sort());
      assert.match(run.stdout, /^would send to bob@example\.com: 3 findings: console-users-mfa bob\.admin, /m);
      assert.match(run.stdout, /^would send to security@example\.com: summary: 34 failed checks, 4 owners, 15 with no owner/m);
      await assert.rejects(readFile(context.state), { code: 'ENOENT' });
    } finally {
      await context.cleanup();
    }
  });
});

describe('notify: delivery failures', () => {
  it('a rejected recipient is reported, the others still get their mail, exit 3', async () => {
    const server = await startSmtpServer({ rejectRecipient: 'ivan@example.com' });
    const context = await setup();
    try {
      const run = await runCli(notifyArgs(context.report, context.state, server.port), { cwd: context.dir });
      assert.equal(run.code, 3, run.stderr);
      assert.match(run.stderr, /^iam-audit: could not send to ivan@example\.com: the SMTP server 127\.0\.0\.1:\d+ refused the mail \(.*550.*\)$/m);
      assert.match(run.stderr, /^iam-audit: 1 of 5 mails could not be sent: ivan@example\.com$/m);
      assert.deepEqual(server.received.map((mail) => mail.recipients.join(',')).sort(), [...OWNER_ADDRESSES.filter((address) => address !== 'ivan@example.com'), SUMMARY_TO].sort());
      // Not recorded: ivan is told on the next run.
      const state = await readFile(context.state, 'utf8');
      assert.ok(!state.includes('ivan@example.com') && state.includes('bob@example.com'));
    } finally {
      await server.close();
      await context.cleanup();
    }
  });

  it('a dropped connection is retried; once it keeps failing it is reported and the rest still go', async () => {
    const server = await startSmtpServer({ dropFor: { address: 'platform@example.com', times: Number.POSITIVE_INFINITY } });
    const context = await setup();
    try {
      const run = await runCli(notifyArgs(context.report, context.state, server.port, ['--retries', '1']), { cwd: context.dir });
      assert.equal(run.code, 3, run.stderr);
      assert.match(run.stderr, /^iam-audit: could not send to platform@example\.com: the connection to the SMTP server 127\.0\.0\.1:\d+ failed \(.*\), after 2 attempts$/m);
      assert.match(run.stderr, /1 of 5 mails could not be sent: platform@example\.com$/m);
      assert.equal(server.received.length, 4);
    } finally {
      await server.close();
      await context.cleanup();
    }
  });

  it('a connection dropped once is retried and the mail arrives once', async () => {
    const server = await startSmtpServer({ dropFor: { address: 'platform@example.com', times: 1 } });
    const context = await setup();
    try {
      const run = await runCli(notifyArgs(context.report, context.state, server.port), { cwd: context.dir });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(mailTo(server.received, 'platform@example.com').length, 1);
      assert.equal(server.received.length, 5);
    } finally {
      await server.close();
      await context.cleanup();
    }
  });

  it('a refused login is one clear line, stops further attempts, and the password appears nowhere', async () => {
    const wrong = 'wrong-Secret-4711';
    const server = await startSmtpServer({ login: { user: 'audit', password: 'right-Secret-0815' } });
    const context = await setup();
    try {
      const run = await runCli(notifyArgs(context.report, context.state, server.port, ['--smtp-user', 'audit', '--smtp-pass-env', 'NOTIFY_TEST_PASSWORD']), {
        cwd: context.dir,
        env: { NOTIFY_TEST_PASSWORD: wrong },
      });
      assert.equal(run.code, 3, run.stderr);
      assert.match(run.stderr, /could not send to \S+: the SMTP server 127\.0\.0\.1:\d+ refused the login as audit \(.*535.*\)$/m);
      assert.match(run.stderr, /not attempted: the SMTP server .* refused the login/);
      assert.match(run.stderr, /5 of 5 mails could not be sent/);
      assert.equal(server.received.length, 0);
      // The password did reach the server (read from the environment), and nowhere else.
      assert.ok(server.logins.some((login) => login.password === wrong));
      assert.ok(server.logins.length <= 2, `logins: ${server.logins.length}`);
      assert.ok(!run.stdout.includes(wrong) && !run.stderr.includes(wrong));
      assert.ok(!(await everyFileText(context.dir)).includes(wrong));
    } finally {
      await server.close();
      await context.cleanup();
    }
  });

  it('the right login sends, and the password appears in no output or file', async () => {
    const password = 'right-Secret-0815';
    const server = await startSmtpServer({ login: { user: 'audit', password } });
    const context = await setup();
    try {
      const run = await runCli(notifyArgs(context.report, context.state, server.port, ['--smtp-user', 'audit', '--smtp-pass-env', 'NOTIFY_TEST_PASSWORD']), {
        cwd: context.dir,
        env: { NOTIFY_TEST_PASSWORD: password },
      });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(server.received.length, 5);
      assert.ok(!run.stdout.includes(password) && !run.stderr.includes(password));
      assert.ok(!(await everyFileText(context.dir)).includes(password));
      assert.ok(!server.received.some((mail) => mail.raw.includes(password)));
    } finally {
      await server.close();
      await context.cleanup();
    }
  });
});

describe('notify: bad input is one line, exit 2, nothing sent', () => {
  let server: TestSmtp;
  let context: Awaited<ReturnType<typeof setup>>;
  before(async () => {
    server = await startSmtpServer();
    context = await setup();
  });
  after(async () => {
    assert.equal(server.received.length, 0, 'nothing may be sent on bad input');
    await server.close();
    await context.cleanup();
  });

  const oneLineExit2 = (run: CliRun, pattern: RegExp): void => {
    assert.equal(run.code, 2, run.stderr);
    assert.equal(run.stderr.trimEnd().split('\n').length, 1, run.stderr);
    assert.match(run.stderr.trimEnd(), pattern);
  };

  it('no owner resolvable for anything and no --default-owner or --summary-to', async () => {
    const run = await runCli(['notify', context.report, '--from', 'iam-audit@example.com', '--smtp-host', '127.0.0.1', '--smtp-port', String(server.port), '--state', context.state], { cwd: context.dir });
    oneLineExit2(run, /^iam-audit: no owner found for any of the 34 findings in .*report\.json .*give --owners, --default-owner or --summary-to$/);
  });

  it('an invalid address in the owners file names the file and line', async () => {
    const owners = join(context.dir, 'bad-owners.yaml');
    await writeFile(owners, 'bob.admin: bob@example.com\n"svc-*": platform team\n');
    const run = await runCli(notifyArgs(context.report, context.state, server.port).map((arg) => (arg === OWNERS ? owners : arg)), { cwd: context.dir });
    oneLineExit2(run, /^iam-audit: .*bad-owners\.yaml: 2:1: "svc-\*": "platform team" is not an email address/);
  });

  // An invalid owner tag is no longer bad input for everyone (issue 24): see notify-truth.test.ts.

  it('a report JSON of another format version', async () => {
    const report = JSON.parse(await readFile(GOLDEN_REPORT, 'utf8')) as { metadata: Record<string, unknown> };
    report.metadata['result_format_version'] = 99;
    const path = join(context.dir, 'future.json');
    await writeFile(path, JSON.stringify(report));
    const run = await runCli(notifyArgs(path, context.state, server.port), { cwd: context.dir });
    oneLineExit2(run, /^iam-audit: .*future\.json: metadata\.result_format_version: report format 99 .* is not one of the formats 1, 2, 3, 4 /);
  });

  it('an invalid --summary-to', async () => {
    const run = await runCli(notifyArgs(context.report, context.state, server.port).map((arg) => (arg === SUMMARY_TO ? 'security' : arg)), { cwd: context.dir });
    oneLineExit2(run, /^iam-audit: --summary-to "security" is not an email address/);
  });
});

describe('notify: owners from user tags', () => {
  it('a snapshot is analysed first and its tags name the owner before the owners file', async () => {
    const server = await startSmtpServer();
    const context = await setup();
    try {
      const snapshot = JSON.parse(await readFile(join(FIXTURES, 'demo', 'snapshot.json'), 'utf8')) as { users: { name: string; tags: unknown }[] };
      for (const user of snapshot.users) user.tags = { known: true, value: user.name === 'bob.admin' ? { owner: 'bob.tagged@example.com' } : {} };
      const path = join(context.dir, 'tagged-snapshot.json');
      await writeFile(path, JSON.stringify(snapshot));
      const run = await runCli(notifyArgs(path, context.state, server.port), { cwd: context.dir });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(mailTo(server.received, 'bob@example.com').length, 0);
      const [bob] = mailTo(server.received, 'bob.tagged@example.com');
      assert.ok((bob?.parsed.text ?? '').includes('- bob.admin (user, arn:aws:iam::111122223333:user/admins/bob.admin)'));
      assert.equal(mailTo(server.received, 'ivan@example.com').length, 1);
    } finally {
      await server.close();
      await context.cleanup();
    }
  });
});

describe('notify: attachments and the report\'s snapshot', () => {
  it('--attach puts the PDF on the summary only', async () => {
    const context = await setup();
    try {
      const pdf = join(context.dir, 'iam_audit_report.pdf');
      const bytes = Buffer.from('%PDF-1.7\n% not a real report, bytes to compare\n%%EOF\n');
      await writeFile(pdf, bytes);
      const out = join(context.dir, 'outbox');
      const run = await runCli(['notify', context.report, '--owners', OWNERS, '--summary-to', SUMMARY_TO, '--from', 'iam-audit@example.com', '--dry-run', '-d', out, '--attach', pdf, '--state', context.state], { cwd: context.dir });
      assert.equal(run.code, 0, run.stderr);
      const files = await readdir(out);
      for (const name of files) {
        const mail = await simpleParser(await readFile(join(out, name)));
        if (name.includes('_summary_')) {
          assert.deepEqual(mail.attachments.map((item) => [item.filename, item.contentType, item.content.equals(bytes)]), [['iam_audit_report.pdf', 'application/pdf', true]]);
          assert.ok((mail.text ?? '').includes('The full report is attached: iam_audit_report.pdf'));
        } else {
          assert.equal(mail.attachments.length, 0, name);
        }
      }
    } finally {
      await context.cleanup();
    }
  });

  it('refuses a --snapshot that is not the one the report was made from', async () => {
    const context = await setup();
    try {
      const snapshot = JSON.parse(await readFile(join(FIXTURES, 'golden', 'demo', 'snapshot-111122223333-2026-11-02T08-15-42Z.json'), 'utf8')) as { users: { name: string; tags: unknown }[] };
      for (const user of snapshot.users) user.tags = { known: true, value: {} };
      const other = join(context.dir, 'other-snapshot.json');
      await writeFile(other, JSON.stringify(snapshot));
      const run = await runCli(['notify', context.report, '--snapshot', other, '--owners', OWNERS, '--from', 'iam-audit@example.com', '--dry-run', '-d', join(context.dir, 'out'), '--state', context.state], { cwd: context.dir });
      assert.equal(run.code, 2);
      assert.match(run.stderr.trimEnd(), /^iam-audit: .*other-snapshot\.json is not the snapshot .*report\.json was made from \(SHA-256 differs\); give the right one with --snapshot$/);
      await assert.rejects(readdir(join(context.dir, 'out')), { code: 'ENOENT' });
    } finally {
      await context.cleanup();
    }
  });
});

describe('notify --template-dir', () => {
  it('a template of the same name replaces the bundled one; the others stay', async () => {
    const context = await setup();
    try {
      const templates = join(context.dir, 'mail-templates');
      await mkdir(templates);
      await writeFile(join(templates, 'owner.text.hbs'), 'Dear {{owner}}: {{#each rules}}{{#each findings}}[{{resource}}]{{/each}}{{/each}}\n');
      const out = join(context.dir, 'outbox');
      const run = await runCli(['notify', context.report, '--owners', OWNERS, '--from', 'iam-audit@example.com', '--dry-run', '-d', out, '--template-dir', templates, '--state', context.state], { cwd: context.dir });
      assert.equal(run.code, 0, run.stderr);
      const bob = (await readdir(out)).find((name) => name.includes('_owner_bob@'));
      assert.ok(bob !== undefined);
      const mail = await simpleParser(await readFile(join(out, bob)));
      assert.equal((mail.text ?? '').trim(), 'Dear bob@example.com: [bob.admin][bob.admin#access_key_1][bob.admin]');
      assert.match(typeof mail.html === 'string' ? mail.html : '', /How to fix it in the console:/);
    } finally {
      await context.cleanup();
    }
  });
});
