/**
 * The importer's input limits (a clear error instead of a minute-long run) and the recovery of
 * user names with commas, which the credential report does not quote.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_FIELD_CHARACTERS, MAX_RECORD_CHARACTERS } from '../src/import/credential-report.js';
import { HEADER_22, importText, ROOT_ROW_OLD, userRow } from './support/reports.js';

const GENERATED_AT = '2026-02-01T00:00:00Z';

/** A row as AWS writes it: no quoting at all, so commas in the name split it. */
function unquotedRow(name: string, arnResource: string): string {
  return userRow('PLACEHOLDER', { arn: 'ARN-PLACEHOLDER' }).replace('ARN-PLACEHOLDER', `arn:aws:iam::123456789012:${arnResource}`).replace('PLACEHOLDER', name);
}

describe('input limits', () => {
  // A guard against the quadratic duplicate-column check coming back (it took 45 s for 100,000
  // columns), not a measurement: the linear check takes well under a second.
  it('a header of 100,000 columns is checked for duplicates at once', { timeout: 60_000 }, () => {
    const columns = Array.from({ length: 100_000 }, (_, index) => `c${index}`);
    columns.push('c99999');
    const text = `${HEADER_22},${columns.join(',')}\n${ROOT_ROW_OLD}\n`;
    assert.throws(() => importText(text, GENERATED_AT), { message: 'report.csv: line 1: column "c99999" appears twice in the header' });
  });

  it('a warning lists only the first unknown columns', () => {
    const columns = Array.from({ length: 50 }, (_, index) => `extra_${index}`);
    const text = `${HEADER_22},${columns.join(',')}\n${[ROOT_ROW_OLD, userRow('alice')].map((row) => `${row}${',x'.repeat(50)}`).join('\n')}\n`;
    const { warnings } = importText(text, GENERATED_AT);
    assert.ok(warnings.includes('report.csv: ignoring columns this version does not know: extra_0, extra_1, extra_2, extra_3, extra_4, extra_5, extra_6, extra_7, extra_8, extra_9 and 40 more'), warnings.join('\n'));
  });

  it('refuses a field longer than the limit, naming the line and field', () => {
    const huge = 'x'.repeat(MAX_FIELD_CHARACTERS + 1);
    const text = `${HEADER_22}\n${ROOT_ROW_OLD}\n${userRow('alice', { access_key_1_last_used_service: huge })}\n`;
    assert.throws(() => importText(text, GENERATED_AT), {
      message: `report.csv: line 3, field 13: a field of ${MAX_FIELD_CHARACTERS + 1} characters; the limit is ${MAX_FIELD_CHARACTERS} (a credential report's longest field, an ARN, is at most 2,048)`,
    });
  });

  it('accepts a field at the limit (the limit is not a real report constraint)', () => {
    const service = 's'.repeat(MAX_FIELD_CHARACTERS);
    const key = {
      access_key_1_active: 'true',
      access_key_1_last_rotated: '2025-06-01T00:00:00+00:00',
      access_key_1_last_used_date: '2026-01-01T00:00:00+00:00',
      access_key_1_last_used_region: 'us-east-1',
      access_key_1_last_used_service: service,
    };
    const text = `${HEADER_22}\n${ROOT_ROW_OLD}\n${userRow('alice', key)}\n`;
    const keys = importText(text, GENERATED_AT).snapshot.users[0]?.accessKeys;
    assert.ok(keys?.known === true);
    assert.deepEqual(keys.value[0]?.lastUsedService, { known: true, value: service });
  });

  it('refuses a row longer than the record limit, naming the line', () => {
    const fields = Math.ceil(MAX_RECORD_CHARACTERS / 60_000) + 1;
    const row = Array.from({ length: fields }, () => 'y'.repeat(60_000)).join(',');
    const text = `${HEADER_22}\n${ROOT_ROW_OLD}\n${row}\n`;
    assert.throws(() => importText(text, GENERATED_AT), (error: Error) => {
      assert.match(error.message, /^report\.csv: line 3: a row longer than 1048576 characters \(a credential report's rows are under 3,000\); not an IAM credential report$/);
      return true;
    });
  });
});

describe('user names with commas', () => {
  it('recovers a name split by one comma when the ARN ends with it', () => {
    const text = `${HEADER_22}\n${ROOT_ROW_OLD}\n${unquotedRow('smith,john', 'user/smith,john')}\n${userRow('alice')}\n`;
    const { snapshot } = importText(text, GENERATED_AT);
    assert.deepEqual(
      snapshot.users.map((user) => [user.name, user.arn]),
      [
        ['smith,john', 'arn:aws:iam::123456789012:user/smith,john'],
        ['alice', 'arn:aws:iam::123456789012:user/alice'],
      ],
    );
    const smith = snapshot.users[0];
    assert.equal(smith?.password.enabled.known && smith.password.enabled.value, true, 'the columns after the name are read from the right fields');
    assert.equal(smith?.mfa.active.known && smith.mfa.active.value, false);
  });

  it('recovers a name with two commas under a path', () => {
    const text = `${HEADER_22}\n${ROOT_ROW_OLD}\n${unquotedRow('a,b,c', 'user/team/ops/a,b,c')}\n`;
    const user = importText(text, GENERATED_AT).snapshot.users[0];
    assert.equal(user?.name, 'a,b,c');
    assert.equal(user?.arn, 'arn:aws:iam::123456789012:user/team/ops/a,b,c');
    assert.deepEqual(user?.path, { known: true, value: '/team/ops/' });
  });

  it('refuses extra fields the ARN does not explain, naming the line', () => {
    const mismatched = `${HEADER_22}\n${ROOT_ROW_OLD}\n${unquotedRow('smith,john', 'user/someone,else')}\n`;
    assert.throws(() => importText(mismatched, GENERATED_AT), {
      message:
        'report.csv: line 3: wrong number of fields (24 fields, the header has 22); if the user name has commas, the ARN does not confirm it ("arn:aws:iam::123456789012:user/someone,else" does not end with "/smith,john")',
    });
    const oneExtra = `${HEADER_22}\n${ROOT_ROW_OLD}\n${userRow('alice')},surplus\n`;
    assert.throws(() => importText(oneExtra, GENERATED_AT), {
      message: 'report.csv: line 3: wrong number of fields (23 fields, the header has 22); not a user name with commas',
    });
  });

  it('still refuses a row with too few fields, naming the line', () => {
    const text = `${HEADER_22}\n${ROOT_ROW_OLD}\nalice,arn:aws:iam::123456789012:user/alice,2025-01-01T00:00:00Z\n`;
    assert.throws(() => importText(text, GENERATED_AT), { message: 'report.csv: line 3: wrong number of fields (3 fields, the header has 22)' });
  });
});
