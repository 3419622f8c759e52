import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '../src/util/errors.js';
import { validateSnapshot } from '../src/snapshot/validate.js';
import { HEADER_22, ROOT_ROW_OLD, importText, userRow } from './support/reports.js';

const report = (...rows: string[]): string => `${[HEADER_22, ...rows].join('\n')}\n`;

describe('credential report import: formats AWS has produced', () => {
  it('reads +00:00 and Z timestamps into UTC Z form', () => {
    const { snapshot } = importText(
      report(ROOT_ROW_OLD, userRow('plus', { password_last_used: '2026-03-04T05:06:07+00:00' }), userRow('zulu', { password_last_used: '2026-03-04T05:06:08Z' })),
    );
    assert.deepEqual(snapshot.users.map((user) => user.password.lastUsed), [
      { known: true, value: '2026-03-04T05:06:07Z' },
      { known: true, value: '2026-03-04T05:06:08Z' },
    ]);
  });

  it('converts a non-UTC offset to UTC', () => {
    const { snapshot } = importText(report(ROOT_ROW_OLD, userRow('offset', { password_last_used: '2026-03-04T07:06:07+02:00' })));
    assert.deepEqual(snapshot.users[0]?.password.lastUsed, { known: true, value: '2026-03-04T05:06:07Z' });
  });

  it('accepts booleans in any case', () => {
    const { snapshot } = importText(
      report(ROOT_ROW_OLD, userRow('upper', { password_enabled: 'TRUE', mfa_active: 'True' }), userRow('lower', { password_enabled: 'false', mfa_active: 'FALSE' })),
    );
    assert.deepEqual(
      snapshot.users.map((user) => [user.password.enabled, user.mfa.active]),
      [
        [{ known: true, value: true }, { known: true, value: true }],
        [{ known: true, value: false }, { known: true, value: false }],
      ],
    );
  });

  it('parses N/A, no_information and not_supported once into typed absences', () => {
    const { snapshot } = importText(report(ROOT_ROW_OLD, userRow('never', { password_last_used: 'no_information', password_next_rotation: 'N/A' })));
    const user = snapshot.users[0];
    assert.deepEqual(user?.password.lastUsed, { known: false, reason: 'no_information' });
    assert.deepEqual(user?.password.nextRotation, { known: false, reason: 'not_applicable' });
    assert.deepEqual(snapshot.root?.password.enabled, { known: false, reason: 'not_supported' });
    assert.deepEqual(snapshot.root?.password.lastChanged, { known: false, reason: 'not_supported' });
  });

  it('refuses a placeholder where the column cannot hold one', () => {
    assert.throws(() => importText(report(ROOT_ROW_OLD, userRow('bad', { mfa_active: 'N/A' }))), {
      name: 'InputError',
      message: 'report.csv: line 3, column mfa_active: "N/A" is not allowed here; expected a boolean',
    });
  });

  it('recognises the root row as <root_account> or root_account, with real values in its password columns', () => {
    const newer =
      '<root_account>,arn:aws:iam::123456789012:root,2025-01-28T17:25:12Z,true,no_information,2025-01-28T17:25:12Z,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A';
    const bare = ROOT_ROW_OLD.replace('<root_account>', 'root_account');
    for (const rootRow of [newer, bare]) {
      const { snapshot } = importText(report(rootRow, userRow('alice')));
      assert.equal(snapshot.root?.arn, 'arn:aws:iam::123456789012:root');
      assert.deepEqual(snapshot.users.map((user) => user.name), ['alice']);
    }
    const { snapshot } = importText(report(newer));
    assert.deepEqual(snapshot.root?.password.enabled, { known: true, value: true });
    assert.deepEqual(snapshot.root?.password.lastChanged, { known: true, value: '2025-01-28T17:25:12Z' });
  });

  it('records the columns a legacy 16-column report lacks as not collected, without guessing', () => {
    const legacyHeader =
      'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';
    const text = [
      legacyHeader,
      'root_account,arn:aws:iam::123456789012:root,2014-10-15T16:31:25+00:00,not_supported,2015-04-20T17:41:10+00:00,not_supported,not_supported,true,false,N/A,false,N/A,false,N/A,false,N/A',
      'admin,arn:aws:iam::123456789012:user/admin,2014-10-16T16:03:09+00:00,true,2015-04-20T15:18:32+00:00,2014-10-16T16:06:00+00:00,N/A,false,true,2014-12-03T18:53:41+00:00,false,N/A,false,N/A,false,N/A',
      '',
    ].join('\n');
    const { snapshot, warnings } = importText(text);
    const key = snapshot.users[0]?.accessKeys.known ? snapshot.users[0].accessKeys.value[0] : undefined;
    assert.deepEqual(key?.lastUsed, { known: false, reason: 'not_collected' });
    assert.deepEqual(key?.createdAt, { known: true, value: '2014-12-03T18:53:41Z' });
    assert.equal(snapshot.credentialReport?.columnCount, 16);
    assert.deepEqual(snapshot.credentialReport?.missingColumns, [
      'access_key_1_last_used_date',
      'access_key_1_last_used_region',
      'access_key_1_last_used_service',
      'access_key_2_last_used_date',
      'access_key_2_last_used_region',
      'access_key_2_last_used_service',
    ]);
    assert.match(warnings.join('\n'), /older report layout with 16 columns/);
  });

  it('reads CRLF line ends, a UTF-8 BOM, a trailing newline and quoted names with , + = @ . -', () => {
    const names = ['a,b', 'x+y=z', 'mail@example.com', 'first.last', '-dash', '=1+2'];
    const text = `\uFEFF${[HEADER_22, ROOT_ROW_OLD, ...names.map((name) => userRow(name))].join('\r\n')}\r\n\r\n`;
    const { snapshot } = importText(text);
    assert.deepEqual(snapshot.users.map((user) => user.name), names);
    assert.equal(snapshot.users[0]?.arn, 'arn:aws:iam::123456789012:user/a,b');
  });

  it('keeps an inactive key (it has a rotation date) and drops an empty slot', () => {
    const { snapshot } = importText(
      report(ROOT_ROW_OLD, userRow('keys', { access_key_1_active: 'false', access_key_1_last_rotated: '2024-01-01T00:00:00Z', access_key_2_active: 'false' })),
    );
    const keys = snapshot.users[0]?.accessKeys;
    assert.ok(keys?.known);
    assert.equal(keys.value.length, 1);
    assert.equal(keys.value[0]?.slot, 1);
    assert.equal(keys.value[0]?.active, false);
  });

  it('takes the capture time from --generated-at, else the newest timestamp with a warning', () => {
    const text = report(ROOT_ROW_OLD, userRow('alice', { password_last_used: '2026-02-02T02:02:02Z' }));
    const flagged = importText(text, '2026-02-03T00:00:00Z');
    assert.equal(flagged.snapshot.capturedAt, '2026-02-03T00:00:00Z');
    assert.equal(flagged.snapshot.credentialReport?.generatedAtSource, 'flag');
    assert.equal(flagged.warnings.some((warning) => warning.includes('newest timestamp')), false);
    const guessed = importText(text);
    assert.equal(guessed.snapshot.capturedAt, '2026-02-02T02:02:02Z');
    assert.equal(guessed.snapshot.credentialReport?.generatedAtSource, 'newest-timestamp-in-file');
    assert.match(guessed.warnings.join('\n'), /capture time taken as 2026-02-02T02:02:02Z, the newest timestamp/);
  });

  it('takes the account id and partition from the ARNs', () => {
    const gov = report(ROOT_ROW_OLD.replace('arn:aws:', 'arn:aws-us-gov:'), userRow('alice').replace('arn:aws:', 'arn:aws-us-gov:'));
    const { snapshot } = importText(gov);
    assert.deepEqual(snapshot.account, { id: '123456789012', partition: 'aws-us-gov' });
  });

  it('refuses rows of two accounts, naming both lines', () => {
    assert.throws(() => importText(report(ROOT_ROW_OLD, userRow('other', {}, '999999999999'))), {
      message: /report\.csv: line 3, column arn: account aws\/999999999999 differs from aws\/123456789012 on line 2/,
    });
  });

  it('refuses a duplicate user, naming the first line', () => {
    assert.throws(() => importText(report(ROOT_ROW_OLD, userRow('dup'), userRow('dup'))), { message: /line 4, column user: user "dup" already appears on line 3/ });
  });

  it('writes snapshots that satisfy the published schema', () => {
    const { snapshot } = importText(report(ROOT_ROW_OLD, userRow('alice'), userRow('bob', { access_key_1_active: 'true', access_key_1_last_rotated: '2025-06-01T00:00:00Z' })));
    const outcome = validateSnapshot(JSON.parse(JSON.stringify(snapshot)));
    assert.equal(outcome.valid, true, outcome.valid ? '' : outcome.problem);
  });
});

describe('credential report import: bad input', () => {
  const cases: ReadonlyArray<{ name: string; input: string | Uint8Array; message: RegExp }> = [
    { name: 'an empty file', input: '', message: /^report\.csv: the file is empty/ },
    { name: 'a binary file', input: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]), message: /^report\.csv: this is a binary file/ },
    { name: 'JSON instead of CSV', input: '{"users": []}\n', message: /^report\.csv: not an IAM credential report: a JSON file without Content/ },
    // Issue #9: Date() accepts or rolls these over; none is a real calendar time as AWS writes it.
    { name: 'a lowercase t separator', input: `${HEADER_22}\n${ROOT_ROW_OLD}\n${userRow('alice', { password_last_used: '2026-01-02t14:30:00+00:00' })}\n`, message: /^report\.csv: line 3, column password_last_used: "2026-01-02t14:30:00\+00:00" is not an ISO 8601 timestamp/ },
    { name: 'hour 24', input: `${HEADER_22}\n${ROOT_ROW_OLD}\n${userRow('alice', { password_last_used: '2026-01-02T24:00:00+00:00' })}\n`, message: /^report\.csv: line 3, column password_last_used: "2026-01-02T24:00:00\+00:00" is not an ISO 8601 timestamp/ },
    { name: 'February 30', input: `${HEADER_22}\n${ROOT_ROW_OLD}\n${userRow('alice', { user_creation_time: '2025-02-30T00:00:00Z' })}\n`, message: /^report\.csv: line 3, column user_creation_time: "2025-02-30T00:00:00Z" is not an ISO 8601 timestamp/ },
    { name: 'minute 60', input: `${HEADER_22}\n${ROOT_ROW_OLD}\n${userRow('alice', { password_last_changed: '2025-03-01T10:60:00Z' })}\n`, message: /^report\.csv: line 3, column password_last_changed: "2025-03-01T10:60:00Z"/ },
    { name: 'a lowercase z', input: `${HEADER_22}\n${ROOT_ROW_OLD}\n${userRow('alice', { password_last_used: '2026-01-02T14:30:00z' })}\n`, message: /^report\.csv: line 3, column password_last_used: "2026-01-02T14:30:00z"/ },
    {
      name: 'two rows with the same ARN',
      // Another name (not "Alice": IAM names are unique regardless of case, and that is refused first).
      input: `${HEADER_22}\n${ROOT_ROW_OLD}\n${userRow('alice')}\n${userRow('alice2', { arn: 'arn:aws:iam::123456789012:user/alice' })}\n`,
      message: /^report\.csv: line 4, column arn: ARN "arn:aws:iam::123456789012:user\/alice" already appears on line 3/,
    },
    { name: 'a CSV without the header', input: `${ROOT_ROW_OLD}\n`, message: /^report\.csv: line 1: not an IAM credential report/ },
    { name: 'a row with too few fields', input: `${HEADER_22}\n${ROOT_ROW_OLD}\nalice,arn:aws:iam::123456789012:user/alice,2025-01-01T00:00:00Z\n`, message: /^report\.csv: line 3: wrong number of fields/ },
    { name: 'an unparseable date', input: `${HEADER_22}\n${ROOT_ROW_OLD}\n${userRow('alice', { password_last_used: '2026-13-45T00:00:00Z' })}\n`, message: /^report\.csv: line 3, column password_last_used: "2026-13-45T00:00:00Z" is not an ISO 8601 timestamp/ },
    { name: 'an unparseable boolean', input: `${HEADER_22}\n${ROOT_ROW_OLD}\n${userRow('alice', { mfa_active: 'yes' })}\n`, message: /^report\.csv: line 3, column mfa_active: "yes" is not a boolean/ },
    { name: 'a header and no rows', input: `${HEADER_22}\n`, message: /^report\.csv: the report has a header but no rows/ },
    { name: 'an ARN that is not IAM', input: `${HEADER_22}\n${userRow('alice', { arn: 'arn:aws:s3:::bucket' })}\n`, message: /^report\.csv: line 2, column arn: "arn:aws:s3:::bucket" is not an IAM ARN/ },
  ];
  for (const testCase of cases) {
    it(`rejects ${testCase.name} with the file and place named`, () => {
      assert.throws(() => importText(testCase.input), (error: unknown) => {
        assert.ok(error instanceof InputError, `expected an InputError, got ${String(error)}`);
        assert.match(error.message, testCase.message);
        return true;
      });
    });
  }

  it('names the true line when a quoted field spans lines before the bad row', () => {
    const spanning = userRow('multi', {
      access_key_1_active: 'true',
      access_key_1_last_rotated: '2025-01-01T00:00:00Z',
      access_key_1_last_used_date: '2025-02-01T00:00:00Z',
      access_key_1_last_used_region: 'us-east-1\nsecond line',
      access_key_1_last_used_service: 's3',
    });
    const text = `${HEADER_22}\n${ROOT_ROW_OLD}\n${spanning}\n${userRow('bad', { mfa_active: 'maybe' })}\n`;
    assert.throws(() => importText(text), { message: /line 5, column mfa_active/ });
  });
});

/** What `aws iam get-credential-report` prints: the API response as JSON, the CSV in base64. */
function awsCliOutput(csv: string, fields: Readonly<Record<string, unknown>> = {}): string {
  return `${JSON.stringify({ Content: Buffer.from(csv, 'utf8').toString('base64'), ReportFormat: 'text/csv', GeneratedTime: '2026-01-05T10:20:30+00:00', ...fields }, null, 4)}\n`;
}

describe('credential report import: the AWS CLI JSON output', () => {
  const csv = report(ROOT_ROW_OLD, userRow('alice'));

  it('reads the base64 Content and takes the capture time from GeneratedTime', () => {
    const { snapshot, warnings } = importText(awsCliOutput(csv));
    assert.equal(snapshot.capturedAt, '2026-01-05T10:20:30Z');
    assert.equal(snapshot.credentialReport?.generatedAt, '2026-01-05T10:20:30Z');
    assert.equal(snapshot.credentialReport?.generatedAtSource, 'api');
    assert.deepEqual(snapshot.users.map((user) => user.name), ['alice']);
    assert.deepEqual(warnings, [], 'no "capture time inferred" warning: GeneratedTime is the real one');
    const outcome = validateSnapshot(JSON.parse(JSON.stringify(snapshot)));
    assert.equal(outcome.valid, true, outcome.valid ? '' : outcome.problem);
  });

  it('gives the same users as the CSV it carries', () => {
    const fromCsv = importText(csv, '2026-01-05T10:20:30Z').snapshot;
    const fromJson = importText(awsCliOutput(csv)).snapshot;
    assert.deepEqual(fromJson.users, fromCsv.users);
    assert.deepEqual(fromJson.root, fromCsv.root);
  });

  const bad: ReadonlyArray<{ name: string; input: string; message: string | RegExp }> = [
    { name: 'an impossible GeneratedTime', input: awsCliOutput(csv, { GeneratedTime: '2026-02-30T10:20:30+00:00' }), message: /^report\.csv: \/GeneratedTime: "2026-02-30T10:20:30\+00:00" is not an ISO 8601 timestamp/ },
    { name: 'a GeneratedTime that is not text', input: awsCliOutput(csv, { GeneratedTime: 12 }), message: /^report\.csv: \/GeneratedTime: 12 is not an ISO 8601 timestamp/ },
    { name: 'no GeneratedTime', input: awsCliOutput(csv, { GeneratedTime: undefined }), message: 'report.csv: /GeneratedTime: missing; the capture time comes from it' },
    { name: 'Content that is not base64', input: awsCliOutput(csv, { Content: 'not base64!' }), message: /^report\.csv: \/Content: expected the credential report as base64/ },
    { name: 'another ReportFormat', input: awsCliOutput(csv, { ReportFormat: 'text/xml' }), message: /^report\.csv: \/ReportFormat: "text\/xml" is not a format/ },
    { name: 'broken JSON', input: '{"Content": ', message: /^report\.csv: not valid JSON/ },
    {
      name: 'a bad cell in the carried CSV',
      input: awsCliOutput(report(ROOT_ROW_OLD, userRow('alice', { mfa_active: 'maybe' }))),
      message: /^report\.csv \(Content\): line 3, column mfa_active: "maybe" is not a boolean/,
    },
  ];
  for (const testCase of bad) {
    it(`refuses ${testCase.name} with one line naming the field`, () => {
      assert.throws(() => importText(testCase.input), (error: unknown) => {
        assert.ok(error instanceof InputError, `expected an InputError, got ${String(error)}`);
        if (typeof testCase.message === 'string') assert.equal(error.message, testCase.message);
        else assert.match(error.message, testCase.message);
        assert.doesNotMatch(error.message, /\n/);
        return true;
      });
    });
  }

  it('refuses a --generated-at that contradicts GeneratedTime', () => {
    assert.throws(() => importText(awsCliOutput(csv), '2026-01-01T00:00:00Z'), { message: /\/GeneratedTime: the report says it was generated 2026-01-05T10:20:30Z, but --generated-at says 2026-01-01T00:00:00Z/ });
  });
});
