/**
 * Issue #23 §1 and §5, the importer's side: who is root, names unique regardless of case, empty
 * key slots that hold a use, a capture time earlier than the report's own data, the clock-skew
 * tolerance, the input size limit; and the snapshot check every written snapshot passes.
 */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { runCatalogue } from '../src/analyze/engine.js';
import { runImport } from '../src/app/import/import.js';
import { importCredentialReport, MAX_REPORT_BYTES } from '../src/import/credential-report.js';
import { allRules } from '../src/rules/index.js';
import { snapshotWith, user } from '../src/rules/testing.js';
import { writeSnapshot } from '../src/snapshot/io.js';
import { validateSnapshot } from '../src/snapshot/validate.js';
import { InputError } from '../src/util/errors.js';
import { temporaryFolder } from './support/cli.js';
import { HEADER_22, importText, ROOT_ROW_OLD, userRow } from './support/reports.js';

const GENERATED_AT = '2026-02-01T00:00:00Z';

describe('import: who is root (issue #23 §5)', () => {
  it('a user literally named root_account is a user; only the row with the root ARN is root', () => {
    const { snapshot } = importText(`${HEADER_22}\n${ROOT_ROW_OLD}\n${userRow('root_account', { mfa_active: 'false' })}\n`, GENERATED_AT);
    assert.equal(snapshot.root?.arn, 'arn:aws:iam::123456789012:root');
    assert.deepEqual(
      snapshot.users.map((entry) => [entry.name, entry.arn]),
      [['root_account', 'arn:aws:iam::123456789012:user/root_account']],
    );
    const results = runCatalogue({ snapshot, now: Date.parse(GENERATED_AT), rules: allRules, frameworks: [] }).results;
    const mfa = results.find((result) => result.ruleId === 'console-users-mfa' && result.resourceName === 'root_account');
    assert.equal(mfa?.resourceType, 'user');
    assert.equal(mfa?.status, 'fail');
  });

  it('a user named root_account and no root row: no root, one user', () => {
    const { snapshot, warnings } = importText(`${HEADER_22}\n${userRow('root_account')}\n`, GENERATED_AT);
    assert.equal(snapshot.root, null);
    assert.equal(snapshot.users.length, 1);
    assert.ok(warnings.some((warning) => /no root account row/.test(warning)));
  });

  it('root_account on the row with the root ARN is root (a rendering that dropped the brackets)', () => {
    const { snapshot } = importText(`${HEADER_22}\n${ROOT_ROW_OLD.replace('<root_account>', 'root_account')}\n${userRow('alice')}\n`, GENERATED_AT);
    assert.equal(snapshot.root?.arn, 'arn:aws:iam::123456789012:root');
    assert.deepEqual(snapshot.users.map((entry) => entry.name), ['alice']);
  });

  it('<root_account> with a user ARN is refused, naming the line and column', () => {
    assert.throws(() => importText(`${HEADER_22}\n${userRow('<root_account>', { arn: 'arn:aws:iam::123456789012:user/x' })}\n`, GENERATED_AT), {
      message: `report.csv: line 2, column arn: the root account's row (user <root_account>) has the ARN of something else, "arn:aws:iam::123456789012:user/x"; expected arn:aws:iam::123456789012:root`,
    });
  });
});

describe('import: user names are unique regardless of case (issue #23 §5)', () => {
  it('two users differing only in case are refused, naming both lines', () => {
    assert.throws(() => importText(`${HEADER_22}\n${ROOT_ROW_OLD}\n${userRow('alice')}\n${userRow('bob')}\n${userRow('ALICE')}\n`, GENERATED_AT), {
      message: 'report.csv: line 5, column user: user "ALICE" differs only in case from "alice" on line 3; IAM user names are unique regardless of case, so one account cannot have both',
    });
  });

  it('the snapshot reader refuses the same, naming both pointers', () => {
    const snapshot = snapshotWith({ users: [user('alice'), user('Alice')] });
    const outcome = validateSnapshot(JSON.parse(JSON.stringify(snapshot)));
    assert.equal(outcome.valid, false);
    assert.equal(outcome.valid ? '' : outcome.problem, 'at /users/1/name: user "Alice" differs only in case from "alice" at /users/0/name; IAM user names are unique regardless of case');
  });
});

describe('import: empty key slots (issue #23 §5)', () => {
  const emptySlot = { access_key_2_active: 'false', access_key_2_last_rotated: 'N/A' };

  it('a used date in a slot without a key is refused, naming the cell', () => {
    assert.throws(() => importText(`${HEADER_22}\n${ROOT_ROW_OLD}\n${userRow('alice', { ...emptySlot, access_key_2_last_used_date: '2026-01-01T00:00:00Z' })}\n`, GENERATED_AT), {
      message:
        'report.csv: line 3, column access_key_2_last_used_date: "2026-01-01T00:00:00Z" in an empty key slot (access_key_2_active false, access_key_2_last_rotated N/A): a slot without a key has no use; expected N/A',
    });
  });

  it('garbage in a slot without a key is refused like garbage anywhere', () => {
    assert.throws(() => importText(`${HEADER_22}\n${ROOT_ROW_OLD}\n${userRow('alice', { ...emptySlot, access_key_2_last_used_date: 'yesterday' })}\n`, GENERATED_AT), {
      message: /^report\.csv: line 3, column access_key_2_last_used_date: "yesterday" is not an ISO 8601 timestamp/,
    });
    assert.throws(() => importText(`${HEADER_22}\n${ROOT_ROW_OLD}\n${userRow('alice', { ...emptySlot, access_key_2_last_used_region: 'us-east-1' })}\n`, GENERATED_AT), {
      message: /^report\.csv: line 3, column access_key_2_last_used_region: "us-east-1" in an empty key slot/,
    });
  });

  it('an inactive key keeps its rotation date and its use', () => {
    const { snapshot } = importText(
      `${HEADER_22}\n${ROOT_ROW_OLD}\n${userRow('alice', { access_key_1_active: 'false', access_key_1_last_rotated: '2025-01-01T00:00:00Z', access_key_1_last_used_date: '2025-06-01T00:00:00Z', access_key_1_last_used_region: 'us-east-1', access_key_1_last_used_service: 's3' })}\n`,
      GENERATED_AT,
    );
    const keys = snapshot.users[0]?.accessKeys;
    assert.ok(keys?.known === true);
    assert.deepEqual(keys.value.map((key) => [key.slot, key.active, key.lastUsed]), [[1, false, { known: true, value: '2025-06-01T00:00:00Z' }]]);
  });
});

describe('import: an instant after the capture time (issue #23 §1)', () => {
  it('--generated-at earlier than the newest past event is refused, naming that event, its line and column', () => {
    const text = `${HEADER_22}\n${ROOT_ROW_OLD}\n${userRow('alice', { password_last_used: '2026-03-01T00:00:00+00:00' })}\n${userRow('bob')}\n`;
    assert.throws(() => importText(text, GENERATED_AT), {
      message:
        'report.csv: line 3, column password_last_used: 2026-03-01T00:00:00Z is 28 days 00:00:00 after the capture time 2026-02-01T00:00:00Z (the report\'s stated generation time); ' +
        'a past event cannot be later than the report that records it, so the report was generated at 2026-03-01T00:00:00Z or later (clock-skew tolerance 5 min, see --clock-skew)',
    });
  });

  it('every past-event column counts; the newest is named', () => {
    for (const column of ['user_creation_time', 'password_last_changed', 'access_key_1_last_rotated', 'cert_1_last_rotated']) {
      assert.throws(() => importText(`${HEADER_22}\n${ROOT_ROW_OLD}\n${userRow('alice', { [column]: '2026-02-01T00:05:01Z' })}\n`, GENERATED_AT), {
        message: new RegExp(`^report\\.csv: line 3, column ${column}: 2026-02-01T00:05:01Z is 5 min 1 s after the capture time`),
      });
    }
    assert.throws(() => importText(`${HEADER_22}\n${ROOT_ROW_OLD.replace('2026-01-01T00:00:00+00:00', '2026-03-01T00:00:00+00:00')}\n${userRow('alice', { password_last_used: '2026-02-15T00:00:00Z' })}\n`, GENERATED_AT), {
      message: /^report\.csv: line 2, column password_last_used: 2026-03-01T00:00:00Z is 28 days/,
    });
  });

  it('within the tolerance it is accepted; the tolerance is configurable', () => {
    const text = `${HEADER_22}\n${ROOT_ROW_OLD}\n${userRow('alice', { password_last_used: '2026-02-01T00:05:00Z' })}\n`;
    assert.equal(importText(text, GENERATED_AT).snapshot.capturedAt, GENERATED_AT);
    assert.throws(
      () => importCredentialReport(Buffer.from(text, 'utf8'), { displayPath: 'report.csv', fileName: 'report.csv', generatedAt: new Date(GENERATED_AT), clockSkewMs: 0 }),
      { message: /2026-02-01T00:05:00Z is 5 min 0 s after the capture time .*clock-skew tolerance 0 s/ },
    );
  });

  it('password_next_rotation names a future time by nature: exempt, and never taken as the capture time', () => {
    const text = `${HEADER_22}\n${ROOT_ROW_OLD}\n${userRow('alice', { password_next_rotation: '2026-12-31T00:00:00Z' })}\n`;
    assert.equal(importText(text, GENERATED_AT).snapshot.users[0]?.password.nextRotation.known, true);
    const inferred = importText(text).snapshot;
    assert.equal(inferred.capturedAt, '2026-01-01T00:00:00Z');
    assert.equal(inferred.credentialReport?.generatedAtSource, 'newest-timestamp-in-file');
  });
});

describe('import: the size limit (issue #23 §5)', () => {
  it(`a report over ${MAX_REPORT_BYTES} bytes is refused before it is parsed`, () => {
    const bytes = Buffer.alloc(MAX_REPORT_BYTES + 1, 0x61);
    assert.throws(() => importCredentialReport(bytes, { displayPath: 'report.csv', fileName: 'report.csv' }), {
      message: new RegExp(`^report\\.csv: ${MAX_REPORT_BYTES + 1} bytes \\(64 MiB\\) is over the import limit of ${MAX_REPORT_BYTES} bytes`),
    });
  });

  it('standard input over the limit is refused as soon as it passes it, without reading the rest', async () => {
    let produced = 0;
    // A report that keeps going (blank lines after its rows): the import streams, so anything that
    // is not a report would be refused at its first line; only a readable one can reach the limit.
    const start = Buffer.from(`${HEADER_22}\n${ROOT_ROW_OLD}\n`, 'utf8');
    const chunk = Buffer.alloc(8 * 1024 * 1024, 0x0a);
    const endless = new Readable({
      read() {
        produced += 1;
        this.push(produced > 100 ? null : produced === 1 ? start : chunk);
      },
    });
    const folder = await temporaryFolder();
    try {
      await assert.rejects(
        runImport({ reportPath: '-', stdin: endless, outputPath: join(folder.path, 'snapshot.json'), defaultDir: folder.path, overwrite: false, stderr: process.stderr }),
        { message: /^stdin: \d+ bytes \(\d+ MiB\) is over the import limit of/ },
      );
      assert.ok(produced < 20, `${produced} chunks of 8 MiB read`);
      assert.deepEqual(await readdir(folder.path), []);
    } finally {
      endless.destroy();
      await folder.cleanup();
    }
  });
});

describe('the snapshot check before writing (issue #23 §1, §3)', () => {
  it('a snapshot with two users of one ARN is refused before it is written, as report would refuse the file', async () => {
    const alice = user('alice');
    const snapshot = snapshotWith({ users: [alice, { ...user('alias'), arn: alice.arn }] });
    const folder = await temporaryFolder();
    try {
      const path = join(folder.path, 'snapshot.json');
      await assert.rejects(writeSnapshot(path, snapshot, false), (error: unknown) => {
        assert.ok(error instanceof InputError);
        assert.equal(error.message, `${path}: the snapshot is not valid, nothing written: at /users/1/arn: ARN "${alice.arn}" is already at /users/0/arn; user ARNs must be unique`);
        return true;
      });
      assert.deepEqual(await readdir(folder.path), []);
    } finally {
      await folder.cleanup();
    }
  });

  it('a snapshot with a past event after its capture time is refused before it is written; within --clock-skew it is written', async () => {
    const snapshot = snapshotWith({ users: [user('alice', { console: true, passwordLastUsed: '2026-06-01T01:00:00Z' })] });
    const folder = await temporaryFolder();
    try {
      const path = join(folder.path, 'snapshot.json');
      await assert.rejects(writeSnapshot(path, snapshot, false), { message: /at \/users\/0\/password\/lastUsed\/value: 2026-06-01T01:00:00Z \(password last use\) is 1 h 0 min after the capture time 2026-06-01T00:00:00Z/ });
      assert.deepEqual(await readdir(folder.path), []);
      await writeSnapshot(path, snapshot, false, { clockSkewMs: 3_600_000 });
      assert.deepEqual(await readdir(folder.path), ['snapshot.json']);
    } finally {
      await folder.cleanup();
    }
  });
});

describe('import: facts most users share are made once (issue 26, memory)', () => {
  const used = {
    access_key_1_active: 'true',
    access_key_1_last_rotated: '2025-06-01T00:00:00+00:00',
    access_key_1_last_used_date: '2026-01-10T00:00:00+00:00',
    access_key_1_last_used_region: 'us-east-1',
    access_key_1_last_used_service: 's3',
  };
  const rows = [
    userRow('alice'),
    userRow('bob'),
    userRow('carol', { password_enabled: 'false', password_last_used: 'N/A', password_last_changed: 'N/A', ...used }),
    userRow('dave', { password_enabled: 'false', password_last_used: 'N/A', password_last_changed: 'N/A', ...used, access_key_2_active: 'true', access_key_2_last_rotated: '2025-07-01T00:00:00+00:00' }),
  ];
  const { snapshot } = importText(`${HEADER_22}\n${rows.join('\n')}\n`, GENERATED_AT);
  const [alice, bob, carol, dave] = snapshot.users;

  it('one object for the same MFA facts, for no password, and for no keys or certificates', () => {
    assert.ok(alice !== undefined && bob !== undefined && carol !== undefined && dave !== undefined);
    assert.equal(alice.mfa, bob.mfa);
    assert.equal(alice.accessKeys, bob.accessKeys);
    assert.deepEqual(alice.accessKeys, { known: true, value: [] });
    assert.equal(alice.signingCertificates, carol.signingCertificates);
    assert.deepEqual(alice.signingCertificates, { known: true, value: [] });
    assert.equal(carol.password, dave.password);
    assert.deepEqual(carol.password, { enabled: { known: true, value: false }, lastUsed: { known: false, reason: 'not_applicable' }, lastChanged: { known: false, reason: 'not_applicable' }, nextRotation: { known: false, reason: 'not_applicable' }, resetRequired: { known: false, reason: 'not_collected' } });
    // Users with a password have their own password facts (their dates).
    assert.notEqual(alice.password, bob.password);
  });

  it('a key\'s last region and service shared by every key that has them; key lists of their exact length', () => {
    const carolKeys = carol?.accessKeys.known === true ? carol.accessKeys.value : [];
    const daveKeys = dave?.accessKeys.known === true ? dave.accessKeys.value : [];
    assert.deepEqual([carolKeys.length, daveKeys.length], [1, 2]);
    assert.equal(carolKeys[0]?.lastUsedRegion, daveKeys[0]?.lastUsedRegion);
    assert.deepEqual(carolKeys[0]?.lastUsedRegion, { known: true, value: 'us-east-1' });
    assert.equal(carolKeys[0]?.lastUsedService, daveKeys[0]?.lastUsedService);
    assert.deepEqual(daveKeys.map((key) => key.slot), [1, 2]);
  });

  it('shared facts cannot be changed through one user', () => {
    assert.ok(Object.isFrozen(alice?.mfa) && Object.isFrozen(carol?.password) && Object.isFrozen(alice?.accessKeys));
    assert.throws(() => {
      (alice?.accessKeys as unknown as { value: unknown[] }).value.push(1);
    }, TypeError);
  });
});
