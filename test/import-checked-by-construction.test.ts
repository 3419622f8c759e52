/**
 * Issue 26 (the input side): the snapshot the credential-report importer builds is not validated
 * user by user a second time before it is written (its users are checked as they are read); its
 * head is. These tests hold the importer to that: every report it accepts gives a snapshot the
 * full validation (the one every read of a file runs) accepts, and a head the validation refuses
 * stops the import with the same one-line message as before.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { importCredentialReport } from '../src/import/credential-report.js';
import { checkImportedSnapshot, checkSnapshotBeforeWriting } from '../src/snapshot/io.js';
import { validateSnapshot } from '../src/snapshot/validate.js';
import { InputError } from '../src/util/errors.js';
import { FIXTURES } from './support/cli.js';

const HEADER =
  'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';

/** Every form of cell the importer accepts: offsets, fractions, placeholders in any case, unquoted names with commas. */
const EDGE_CASES = [
  HEADER,
  '<root_account>,arn:aws:iam::123456789012:root,2020-01-01T00:00:00+00:00,not_supported,2026-05-01T10:00:00.5+00:00,not_supported,not_supported,TRUE,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A',
  'alice,arn:aws:iam::123456789012:user/alice,2021-02-28T23:59:59Z,true,no_information,2021-03-01T00:00:00-05:00,2027-01-01T00:00:00+00:00,false,true,2022-01-01T00:00:00+00:00,2026-05-30T12:00:00+00:00,us-east-1,iam,False,2023-01-01T00:00:00.123456Z,n/a,N/A,N/A,true,2024-02-29T00:00:00+00:00,false,N/A',
  'bob,jr,arn:aws:iam::123456789012:user/team/bob,jr,2021-01-01T00:00:00+01:30,false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A',
  ' carol ,arn:aws:iam::123456789012:user/carol,2021-01-01T00:00:00Z,true,No_Information,NO_INFORMATION,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A',
].join('\r\n');

function importText(text: string, generatedAt?: string): ReturnType<typeof importCredentialReport> {
  return importCredentialReport(Buffer.from(text, 'utf8'), { displayPath: 'report.csv', fileName: 'report.csv', ...(generatedAt === undefined ? {} : { generatedAt: new Date(generatedAt) }) });
}

describe('the imported snapshot, checked by construction (issue 26)', () => {
  it('every real-world report, the demo and every accepted cell form give a snapshot the full validation accepts', () => {
    const reports = [join(FIXTURES, 'demo', 'credential-report.csv'), ...readdirSync(join(FIXTURES, 'real-world')).filter((name) => name.endsWith('.csv')).map((name) => join(FIXTURES, 'real-world', name))];
    assert.ok(reports.length >= 6);
    for (const path of reports) {
      const { snapshot } = importCredentialReport(readFileSync(path), { displayPath: path, fileName: 'report.csv' });
      assert.deepEqual(validateSnapshot(snapshot), { valid: true, snapshot }, path);
      assert.deepEqual(validateSnapshot(JSON.parse(JSON.stringify(snapshot))).valid, true, `${path}, as read back`);
    }
    const { snapshot } = importText(EDGE_CASES, '2026-06-01T00:00:00Z');
    assert.equal(snapshot.users.length, 3);
    assert.deepEqual(validateSnapshot(JSON.parse(JSON.stringify(snapshot))).valid, true);
    // The values as the general path would give them: offsets converted, fractions kept to the millisecond.
    assert.equal(snapshot.root?.password.lastUsed.known && snapshot.root.password.lastUsed.value, '2026-05-01T10:00:00.500Z');
    const alice = snapshot.users[0]!;
    assert.equal(alice.password.lastChanged.known && alice.password.lastChanged.value, '2021-03-01T05:00:00Z');
    assert.deepEqual(alice.password.lastUsed, { known: false, reason: 'no_information' });
    assert.equal(alice.accessKeys.known && alice.accessKeys.value[1]?.createdAt.known && alice.accessKeys.value[1].createdAt.value, '2023-01-01T00:00:00.123Z');
    assert.equal(snapshot.users[1]?.name, 'bob,jr');
    assert.equal(snapshot.users[1]?.createdAt.known && snapshot.users[1].createdAt.value, '2020-12-31T22:30:00Z');
    assert.equal(snapshot.users[2]?.name, 'carol');
    assert.deepEqual(snapshot.users[2]?.password.lastChanged, { known: false, reason: 'no_information' });
  });

  it('the imported snapshot passes the check before writing at once, with the same tolerance only', () => {
    const { snapshot } = importText(EDGE_CASES, '2026-06-01T00:00:00Z');
    // Registered by the importer: a user broken afterwards is not looked at again with the same tolerance...
    const broken = { ...snapshot, users: [...snapshot.users, { ...snapshot.users[0]!, name: '' }] };
    checkImportedSnapshot(broken, 'report.csv');
    assert.doesNotThrow(() => checkSnapshotBeforeWriting(broken, 'report.csv'));
    // ...but with another tolerance the whole snapshot is validated again.
    assert.throws(() => checkSnapshotBeforeWriting(broken, 'report.csv', { clockSkewMs: 0 }), /at \/users\/3\/name: must NOT have fewer than 1 characters/);
  });

  it('a head the validation refuses stops the import: one line naming the file, as before', () => {
    const { snapshot } = importText(EDGE_CASES, '2026-06-01T00:00:00Z');
    assert.throws(
      () => checkImportedSnapshot({ ...snapshot, capturedAt: '2026-13-01T00:00:00Z' }, 'report.csv'),
      (error: unknown) => error instanceof InputError && /^report\.csv: the snapshot is not valid, nothing written: at \/capturedAt/.test(error.message),
    );
    // The root is part of the head: a late root instant is refused (validated, not only read).
    const lateRoot = { ...snapshot, root: { ...snapshot.root!, createdAt: { known: true as const, value: '2026-07-01T00:00:00Z' } } };
    assert.throws(() => checkImportedSnapshot(lateRoot, 'report.csv'), /at \/root\/createdAt\/value: 2026-07-01T00:00:00Z \(creation\) is 30 days/);
  });

  it('two users with one ARN are refused whichever is first, also when a name does not match its ARN (no map of every ARN)', () => {
    const row = (name: string, arn: string): string => `${name},${arn},2021-01-01T00:00:00Z,false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`;
    const arn = 'arn:aws:iam::123456789012:user/team/dana';
    const refused = (rows: string[], line: number, firstLine: number): void =>
      assert.throws(
        () => importText([HEADER, ...rows].join('\n'), '2026-06-01T00:00:00Z'),
        (error: unknown) => error instanceof InputError && error.message === `report.csv: line ${line}, column arn: ARN "${arn}" already appears on line ${firstLine}`,
        rows.join(' / '),
      );
    // A name its ARN ends with, then one it does not; the other way round; two that do not.
    refused([row('dana', arn), row('erin', arn)], 3, 2);
    refused([row('erin', arn), row('dana', arn)], 3, 2);
    refused([row('erin', arn), row('frank', arn)], 3, 2);
    refused([row('erin', arn), row('x', 'arn:aws:iam::123456789012:user/x'), row('Dana', arn)], 4, 2);
    // A name with "/" (IAM refuses it; a report could hold it) whose ARN ends like another's.
    refused([row('team/dana', arn), row('dana', arn)], 3, 2);
    refused([row('dana', arn), row('team/dana', arn)], 3, 2);
    // The names still come first: the same name twice is named as such.
    assert.throws(() => importText([HEADER, row('dana', arn), row('DANA', arn)].join('\n'), '2026-06-01T00:00:00Z'), /line 3, column user: user "DANA" differs only in case from "dana" on line 2/);
    const { snapshot } = importText([HEADER, row('dana', arn), row('erin', 'arn:aws:iam::123456789012:user/erin'), row('team/x', 'arn:aws:iam::123456789012:user/team/x')].join('\n'), '2026-06-01T00:00:00Z');
    assert.equal(snapshot.users.length, 3);
  });

  it('a cell reading like a property of every object ("constructor", "toString") is text, not a refused placeholder', () => {
    const row = `u,arn:aws:iam::123456789012:user/u,2021-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false,true,2022-01-01T00:00:00+00:00,2026-01-01T00:00:00+00:00,toString,constructor,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`;
    const { snapshot } = importText([HEADER, row].join('\n'), '2026-06-01T00:00:00Z');
    const keys = snapshot.users[0]?.accessKeys;
    assert.deepEqual(keys?.known && [keys.value[0]?.lastUsedRegion, keys.value[0]?.lastUsedService], [
      { known: true, value: 'toString' },
      { known: true, value: 'constructor' },
    ]);
    assert.throws(() => importText([HEADER, row.replace('2021-01-01T00:00:00+00:00', 'constructor')].join('\n')), /line 2, column user_creation_time: "constructor" is not an ISO 8601 timestamp/);
  });
});
