/**
 * Issue 24 §4: notify tells the truth and helps. Against the local SMTP server (smtp-server), with
 * the received mails parsed (mailparser): refused (550) and deferred (451) recipients and what the
 * summary says about them, a malformed owner tag that stops nobody else, display-name addresses,
 * owners recorded in the report JSON, and owner mails one can act on.
 */
import assert from 'node:assert/strict';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FIXTURES, runCli, temporaryFolder } from './support/cli.js';
import { describeSmtpFailure } from '../src/app/notify/notify-send.js';
import { OwnersMapping, parseMailbox } from '../src/app/shared/owners.js';
import { consoleLink } from '../src/app/notify/notify-actions.js';
import { startSmtpServer, type ReceivedMail, type TestSmtp, type TestSmtpOptions } from './notify-smtp.js';
import { asFormat2 } from './support/report-json.js';

const GOLDEN_REPORT = join(FIXTURES, 'golden', 'demo', 'iam_audit_2026-01-02T14-30-00.json');
const OWNERS = join(FIXTURES, 'notify', 'owners.yaml');
const SUMMARY_TO = 'security@example.com';

interface ReportResult {
  rule_id: string;
  resource_name: string;
  resource_arn: string;
  resource_type: string;
  status: string;
  evidence: string;
  tracking?: { owner: string | null; owner_source: string | null; due_date: string | null; overdue: boolean };
}
interface ReportJson {
  snapshot: { account: { alias: string | null } };
  results: ReportResult[];
  rules: { id: string; options?: Record<string, unknown> }[];
}

function mailTo(mails: readonly ReceivedMail[], address: string): ReceivedMail[] {
  return mails.filter((mail) => mail.recipients.includes(address));
}

async function withServer(options: TestSmtpOptions, body: (server: TestSmtp, dir: string) => Promise<void>): Promise<void> {
  const server = await startSmtpServer(options);
  const folder = await temporaryFolder('iam-audit-notify-truth-');
  try {
    await body(server, folder.path);
  } finally {
    await server.close();
    await folder.cleanup();
  }
}

function args(input: string, dir: string, port: number, extra: readonly string[] = []): string[] {
  return ['notify', input, '--summary-to', SUMMARY_TO, '--from', 'iam-audit@example.com', '--smtp-host', '127.0.0.1', '--smtp-port', String(port), '--state', join(dir, 'state.json'), '--smtp-timeout', '5', '--max-per-second', '1000', ...extra];
}

async function reportCopy(dir: string, change: (report: ReportJson) => void): Promise<string> {
  // Edited result by result: as format 2 wrote it (notify reads every format).
  const report = asFormat2(JSON.parse(await readFile(GOLDEN_REPORT, 'utf8'))) as unknown as ReportJson;
  change(report);
  const path = join(dir, 'report.json');
  await writeFile(path, JSON.stringify(report));
  return path;
}

describe('notify: the summary says what happened to each owner mail', () => {
  it('550 is refused (not retried), 451 is retried and then reported as deferred; exit 3', async () => {
    const deferred = { address: 'platform@example.com', times: Number.POSITIVE_INFINITY, tries: 0 };
    await withServer({ rejectRecipient: 'ivan@example.com', deferRecipient: deferred }, async (server, dir) => {
      const report = join(dir, 'report.json');
      await copyFile(GOLDEN_REPORT, report);
      const run = await runCli(args(report, dir, server.port, ['--owners', OWNERS, '--retries', '1']), { cwd: dir });
      assert.equal(run.code, 3, run.stderr);
      assert.equal(deferred.tries, 2, 'the 451 at RCPT TO is tried again once (--retries 1)');
      assert.match(run.stderr, /could not send to platform@example\.com: the SMTP server 127\.0\.0\.1:\d+ deferred the mail \(at RCPT TO: 451 4\.2\.1 mailbox busy, try again later\), after 2 attempts$/m);
      assert.match(run.stdout, /^owner ivan@example\.com: 5 findings: NOT SENT, refused by the server: 550 5\.1\.1 mailbox unavailable$/m);
      assert.match(run.stdout, /^owner bob@example\.com: 3 findings: sent$/m);
      const [summary, ...more] = mailTo(server.received, SUMMARY_TO);
      assert.ok(summary !== undefined && more.length === 0);
      assert.equal(summary.parsed.subject, '[iam-audit] Summary for AWS account 111122223333: 34 failed checks of 7 rules, 2 owner mails NOT delivered');
      const text = summary.parsed.text ?? '';
      assert.ok(text.includes('- ivan@example.com: 5 findings: NOT SENT, refused by the server: 550 5.1.1 mailbox unavailable\n'), text);
      assert.match(text, /^- platform@example\.com: \d+ findings: NOT SENT, deferred by the server: after 2 tries, 451 4\.2\.1 mailbox busy, try again later$/m);
      assert.ok(text.includes('- bob@example.com: 3 findings: sent\n'));
      assert.ok(text.includes('- security-team@example.com: '));
      assert.deepEqual(server.received.map((mail) => mail.recipients.join(',')).sort(), ['bob@example.com', SUMMARY_TO, 'security-team@example.com'].sort());
      const state = await readFile(join(dir, 'state.json'), 'utf8');
      assert.ok(!state.includes('ivan@example.com') && !state.includes('platform@example.com') && state.includes('bob@example.com'));
    });
  });

  it('a 451 that clears on the next try is sent, and the summary says after how many', async () => {
    await withServer({ deferRecipient: { address: 'bob@example.com', times: 1 } }, async (server, dir) => {
      const report = join(dir, 'report.json');
      await copyFile(GOLDEN_REPORT, report);
      const run = await runCli(args(report, dir, server.port, ['--owners', OWNERS]), { cwd: dir });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(mailTo(server.received, 'bob@example.com').length, 1);
      const text = mailTo(server.received, SUMMARY_TO)[0]?.parsed.text ?? '';
      assert.ok(text.includes('- bob@example.com: 3 findings: sent: after 2 tries\n'), text);
    });
  });
});

describe('notify: owner addresses', () => {
  it('a malformed tag on one user is that owner\'s error; the others are mailed; display names are kept; exit 3', async () => {
    await withServer({}, async (server, dir) => {
      const snapshot = JSON.parse(await readFile(join(FIXTURES, 'demo', 'snapshot.json'), 'utf8')) as { users: { name: string; tags: unknown }[] };
      const tags: Record<string, Record<string, string>> = {
        'dave.dev': { Email: 'dave at example' },
        // No findings: its malformed tag must not matter at all.
        'judy.audit': { owner: 'not an address' },
        'bob.admin': { email: 'Bob Admin <bob.tagged@example.com>' },
      };
      for (const user of snapshot.users) user.tags = { known: true, value: tags[user.name] ?? {} };
      const path = join(dir, 'tagged-snapshot.json');
      await writeFile(path, JSON.stringify(snapshot));
      const run = await runCli(args(path, dir, server.port, ['--owners', OWNERS]), { cwd: dir });
      assert.equal(run.code, 3, run.stderr);
      assert.equal(run.stderr, 'iam-audit: cannot mail 1 finding to their owner: user dave.dev: tag Email="dave at example" is not an email address (name@example.com)\n');
      const [bob] = mailTo(server.received, 'bob.tagged@example.com');
      assert.ok(bob !== undefined, 'the display-name address is mailed');
      assert.deepEqual(bob.parsed.to !== undefined && !Array.isArray(bob.parsed.to) ? bob.parsed.to.value.map((item) => [item.name, item.address]) : [], [['Bob Admin', 'bob.tagged@example.com']]);
      for (const address of ['ivan@example.com', 'platform@example.com', 'security-team@example.com', SUMMARY_TO]) assert.equal(mailTo(server.received, address).length, 1, address);
      const summary = mailTo(server.received, SUMMARY_TO)[0]?.parsed.text ?? '';
      assert.ok(summary.includes('- dave at example: 1 finding: NOT SENT, not an email address: user dave.dev: tag Email="dave at example" is not an email address (name@example.com)\n'), summary);
      assert.ok(!summary.includes('judy.audit'));
    });
  });
});

describe('notify: owners recorded in the report JSON', () => {
  const recordBob = (report: ReportJson): void => {
    for (const result of report.results) {
      if (result.status === 'fail' && result.resource_name.startsWith('bob.admin') && result.tracking !== undefined) {
        result.tracking.owner = 'bob.recorded@example.com';
        result.tracking.owner_source = 'tag email';
      }
    }
  };

  it('are used when no snapshot is given', async () => {
    await withServer({}, async (server, dir) => {
      const report = await reportCopy(dir, recordBob);
      const run = await runCli(args(report, dir, server.port), { cwd: dir });
      assert.equal(run.code, 0, run.stderr);
      const [bob] = mailTo(server.received, 'bob.recorded@example.com');
      assert.equal(bob?.parsed.subject, '[iam-audit] 3 findings to fix in AWS account 111122223333');
      const summary = mailTo(server.received, SUMMARY_TO)[0]?.parsed.text ?? '';
      assert.ok(summary.includes('No owner (31):'), summary);
    });
  });

  it('a conflict with the owners file is printed, once per user', async () => {
    await withServer({}, async (server, dir) => {
      const report = await reportCopy(dir, recordBob);
      const run = await runCli(args(report, dir, server.port, ['--owners', OWNERS]), { cwd: dir });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(
        run.stderr,
        'warning: owner of bob.admin: the report records bob.recorded@example.com (tag email), the flags give bob@example.com (--owners bob.admin): mailing bob.recorded@example.com (tag email) (give --snapshot to resolve from the capture\'s tags)\n',
      );
      assert.equal(mailTo(server.received, 'bob.recorded@example.com').length, 1);
      assert.equal(mailTo(server.received, 'bob@example.com').length, 0);
    });
  });
});

describe('notify: the owner mail is actionable', () => {
  it('real user name and key id, one instruction per key, due dates, configured thresholds, plurals', async () => {
    const keyId = 'AKIAIOSFODNN7EXAMPLE';
    await withServer({}, async (server, dir) => {
      const report = await reportCopy(dir, (data) => {
        for (const result of data.results) {
          if (!result.resource_name.startsWith('bob.admin')) continue;
          // As live collection names keys: by id, not by credential-report slot.
          result.resource_name = result.resource_name.replace('access_key_1', keyId);
          result.resource_arn = result.resource_arn.replace('access_key_1', keyId);
          result.evidence = result.evidence.replace(/access_key_1/g, keyId);
          if (result.rule_id === 'console-users-mfa' && result.tracking !== undefined) {
            result.tracking.due_date = '2026-10-01';
            result.tracking.overdue = true;
          }
        }
        data.snapshot.account.alias = 'prod-main';
        const rotation = data.rules.find((rule) => rule.id === 'access-key-rotation');
        if (rotation !== undefined) rotation.options = { maxAgeDays: 60 };
      });
      const run = await runCli(args(report, dir, server.port, ['--owners', OWNERS]), { cwd: dir });
      assert.equal(run.code, 0, run.stderr);
      const [bob] = mailTo(server.received, 'bob@example.com');
      assert.equal(bob?.parsed.subject, '[iam-audit] 3 findings to fix in AWS account 111122223333 (prod-main) (1 overdue)');
      const text = bob?.parsed.text ?? '';
      assert.ok(text.includes('the identity audit of AWS account 111122223333 (prod-main) (captured 2026-11-02T08:15:42Z)'), text);
      assert.ok(text.includes('found 3 findings that you own. Please fix them; 1 finding is overdue (the earliest was due 2026-10-01).'), text);
      assert.ok(text.includes('== Active access keys are rotated within 60 days (medium) =='));
      assert.ok(text.includes('  Due: 2026-10-01, OVERDUE\n'));
      assert.ok(text.includes('  Due: 2027-01-31\n'));
      assert.ok(text.includes('  Console: https://console.aws.amazon.com/iam/home#/users/details/bob.admin?section=security_credentials\n'));
      assert.ok(text.includes('  aws iam enable-mfa-device --user-name bob.admin --serial-number arn:aws:iam::111122223333:mfa/bob.admin --authentication-code1 CODE1 --authentication-code2 CODE2\n'), text);
      assert.ok(text.includes('  aws iam create-virtual-mfa-device --virtual-mfa-device-name bob.admin --outfile qr.png --bootstrap-method QRCodePNG\n'));
      // One instruction for the key, though it fails rotation and console-users-with-access-keys.
      assert.ok(text.includes('== Access keys: one instruction each (1 access key) =='));
      assert.equal(text.split(`- bob.admin, key ${keyId}: `).length - 1, 1);
      assert.ok(text.includes(`- bob.admin, key ${keyId}: deactivate this key, then delete it (fails access-key-rotation, console-users-with-access-keys;`));
      assert.ok(text.includes(`    aws iam update-access-key --user-name bob.admin --access-key-id ${keyId} --status Inactive\n`));
      assert.ok(text.includes(`    aws iam delete-access-key --user-name bob.admin --access-key-id ${keyId}   # once nothing broke\n`));
      assert.ok(!text.includes('create-access-key'), 'a key to delete is not also to be rotated');
      assert.ok(!/\bUSER\b|AKIA\.\.\./.test(text), text);
      const html = typeof bob?.parsed.html === 'string' ? bob.parsed.html : '';
      // Handlebars escapes "=" in attributes (&#x3D;); the link is the same.
      assert.ok(html.includes('href="https://console.aws.amazon.com/iam/home#/users/details/bob.admin?section&#x3D;security_credentials"'), html);
    });
  });
});

describe('notify: temporary replies at any stage are retried', () => {
  const settings = { host: 'smtp.example.com', port: 587, secure: false, requireStartTls: false, user: null, password: null, timeoutSeconds: 5 };
  const table: readonly { stage: string; error: object; status: string; retry: boolean; problem: string }[] = [
    { stage: 'MAIL FROM 451', error: { code: 'EENVELOPE', responseCode: 451, response: '451 4.3.0 try later', command: 'MAIL FROM' }, status: 'deferred', retry: true, problem: 'the SMTP server smtp.example.com:587 deferred the mail (at MAIL FROM: 451 4.3.0 try later)' },
    { stage: 'RCPT TO 452', error: { code: 'EENVELOPE', responseCode: 452, response: '452 4.2.2 mailbox full', command: 'RCPT TO' }, status: 'deferred', retry: true, problem: 'the SMTP server smtp.example.com:587 deferred the mail (at RCPT TO: 452 4.2.2 mailbox full)' },
    { stage: 'DATA 451', error: { code: 'EMESSAGE', responseCode: 451, response: '451 4.7.1 greylisted', command: 'DATA' }, status: 'deferred', retry: true, problem: 'the SMTP server smtp.example.com:587 deferred the mail (at DATA: 451 4.7.1 greylisted)' },
    { stage: 'connection 421', error: { code: 'EPROTOCOL', responseCode: 421, response: '421 4.3.2 shutting down', command: 'CONN' }, status: 'deferred', retry: true, problem: 'the SMTP server smtp.example.com:587 deferred the mail (421 4.3.2 shutting down)' },
    { stage: 'RCPT TO 550', error: { code: 'EENVELOPE', responseCode: 550, response: '550 5.1.1 no such user', command: 'RCPT TO' }, status: 'refused', retry: false, problem: 'the SMTP server smtp.example.com:587 refused the mail (at RCPT TO: 550 5.1.1 no such user)' },
    { stage: 'DATA 554', error: { code: 'EMESSAGE', responseCode: 554, response: '554 5.7.1 spam', command: 'DATA' }, status: 'refused', retry: false, problem: 'the SMTP server smtp.example.com:587 refused the mail (at DATA: 554 5.7.1 spam)' },
  ];
  for (const row of table) {
    it(row.stage, () => {
      const described = describeSmtpFailure(row.error, settings);
      assert.deepEqual([described.status, described.retry, described.problem], [row.status, row.retry, row.problem]);
    });
  }
});

describe('notify: a 421 when connecting is retried', () => {
  it('the mails greeted with 421 are tried again and arrive once each', async () => {
    await withServer({ refuseConnections: { times: 2 } }, async (server, dir) => {
      const report = join(dir, 'report.json');
      await copyFile(GOLDEN_REPORT, report);
      const run = await runCli(args(report, dir, server.port, ['--owners', OWNERS, '--concurrency', '1']), { cwd: dir });
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(server.received.map((mail) => mail.recipients.join(',')).sort(), ['bob@example.com', 'ivan@example.com', 'platform@example.com', SUMMARY_TO, 'security-team@example.com'].sort());
      const text = mailTo(server.received, SUMMARY_TO)[0]?.parsed.text ?? '';
      assert.match(text, /^- bob@example\.com: 3 findings: sent: after 3 tries$/m);
    });
  });
});

describe('notify --json', () => {
  it('prints each owner and what happened to their mail as JSON on stdout; the human text on stderr', async () => {
    await withServer({ rejectRecipient: 'ivan@example.com' }, async (server, dir) => {
      const report = join(dir, 'report.json');
      await copyFile(GOLDEN_REPORT, report);
      const run = await runCli(args(report, dir, server.port, ['--owners', OWNERS, '--json']), { cwd: dir });
      assert.equal(run.code, 3, run.stderr);
      const summary = JSON.parse(run.stdout) as { exit_code: number; owners: { address: string; findings: number; status: string; detail: string | null }[]; unowned_findings: number; summary_mail: { status: string } | null };
      assert.equal(summary.exit_code, 3);
      assert.equal(summary.unowned_findings, 15);
      assert.deepEqual(summary.summary_mail?.status, 'sent');
      assert.deepEqual(summary.owners.find((owner) => owner.address === 'ivan@example.com'), { address: 'ivan@example.com', findings: 5, left_out_quiet: 0, status: 'refused', detail: '550 5.1.1 mailbox unavailable' });
      assert.equal(summary.owners.find((owner) => owner.address === 'bob@example.com')?.status, 'sent');
      assert.match(run.stderr, /^owner ivan@example\.com: 5 findings: NOT SENT, refused by the server: 550 5\.1\.1 mailbox unavailable$/m);
    });
  });
});

describe('owner addresses: RFC 5322 display names (nodemailer\'s address parser)', () => {
  it('accepts one mailbox with or without a display name, refuses the rest', () => {
    assert.deepEqual(parseMailbox('Bob Admin <bob@example.com>'), { address: 'bob@example.com', name: 'Bob Admin' });
    assert.deepEqual(parseMailbox('"Admin, Bob" <bob@example.com>'), { address: 'bob@example.com', name: 'Admin, Bob' });
    assert.deepEqual(parseMailbox(' bob@example.com '), { address: 'bob@example.com', name: '' });
    for (const bad of ['dave at example', 'Bob <bob@example>', 'a@example.com, b@example.com', 'team: a@example.com;', 'Bob <bob@example.com>\nBcc: x@example.com', '']) assert.equal(parseMailbox(bad), null, bad);
  });

  it('an owners file may give a display name; the owner is the bare address with the name beside it', () => {
    const mapping = OwnersMapping.parse('bob.admin: Bob Admin <bob@example.com>\n', 'owners.yaml');
    assert.deepEqual({ ...mapping.lookup('bob.admin'), matches: undefined }, { pattern: 'bob.admin', address: 'bob@example.com', name: 'Bob Admin', matches: undefined });
  });
});

describe('console deep links', () => {
  it('a user, root, the password policy, another partition', () => {
    assert.equal(consoleLink('user', 'arn:aws:iam::111122223333:user/admins/bob.admin', 'bob.admin'), 'https://console.aws.amazon.com/iam/home#/users/details/bob.admin?section=security_credentials');
    assert.equal(consoleLink('root', 'arn:aws:iam::111122223333:root', null), 'https://console.aws.amazon.com/iam/home#/security_credentials');
    assert.equal(consoleLink('password-policy', 'arn:aws:iam::111122223333:root', null), 'https://console.aws.amazon.com/iam/home#/account_settings');
    assert.equal(consoleLink('user', 'arn:aws-us-gov:iam::111122223333:user/a b', 'a b'), 'https://console.amazonaws-us-gov.com/iam/home#/users/details/a%20b?section=security_credentials');
  });
});
