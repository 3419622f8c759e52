import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { classifyMfa } from '../src/analyze/mfa.js';
import { importCredentialReport } from '../src/import/credential-report.js';
import { validateSnapshot } from '../src/snapshot/validate.js';
import { REAL_WORLD_REPORTS } from './support/cli.js';

async function load(fileName: string) {
  const bytes = await readFile(join(REAL_WORLD_REPORTS, fileName));
  return importCredentialReport(bytes, { displayPath: fileName, fileName });
}

/** Expected values worked out by hand from each file's rows. */
const expectations: Readonly<
  Record<string, { account: string; capturedAt: string; root: boolean; mfa: Readonly<Record<string, 'PASS' | 'FAIL' | 'INFO'>> }>
> = {
  '01_aws_testbench_2022.csv': {
    account: '278368863034',
    capturedAt: '2023-01-03T10:27:00Z',
    root: true,
    mfa: { cloudgoat: 'INFO', jake: 'FAIL', test_account: 'FAIL', test_key_account: 'INFO' },
  },
  '02_cfech_saa_2025_zulu.csv': { account: '156041403698', capturedAt: '2025-01-29T16:46:14Z', root: true, mfa: { Ad: 'FAIL', Regular: 'FAIL' } },
  '03_coolfriends_oil_2017.csv': {
    account: 'fakearn',
    capturedAt: '2017-11-08T18:39:00Z',
    root: true,
    mfa: { 'example.user': 'FAIL', fakeuser: 'PASS', 'final.user': 'FAIL' },
  },
  '04_lstatro_cloud_search_2020.csv': { account: 'test', capturedAt: '2020-11-21T20:38:00Z', root: true, mfa: { customer1: 'INFO' } },
  '05_aws_docs_powershell_legacy16col_2015.csv': {
    account: '123456789012',
    capturedAt: '2015-04-20T20:00:12Z',
    root: true,
    mfa: { Administrator: 'FAIL', Bill: 'INFO' },
  },
};

describe('real-world credential reports', () => {
  it('covers every report in the shared folder', async () => {
    const files = (await readdir(REAL_WORLD_REPORTS)).filter((name) => name.endsWith('.csv')).sort();
    assert.deepEqual(files, Object.keys(expectations).sort());
  });

  for (const [fileName, expected] of Object.entries(expectations)) {
    it(`imports ${fileName} into a valid snapshot with the hand-checked MFA results`, async () => {
      const { snapshot } = await load(fileName);
      const validation = validateSnapshot(JSON.parse(JSON.stringify(snapshot)));
      assert.equal(validation.valid, true, validation.valid ? '' : validation.problem);
      assert.equal(snapshot.account.id, expected.account);
      assert.equal(snapshot.account.partition, 'aws');
      assert.equal(snapshot.capturedAt, expected.capturedAt);
      assert.equal(snapshot.root !== null, expected.root);
      assert.deepEqual(Object.fromEntries(snapshot.users.map((user) => [user.name, classifyMfa(user).status])), expected.mfa);
    });
  }

  it('01: a never-used active key has no last-use date (N/A), a key-only user no password dates', async () => {
    const { snapshot } = await load('01_aws_testbench_2022.csv');
    const keyUser = snapshot.users.find((user) => user.name === 'test_key_account');
    assert.ok(keyUser?.accessKeys.known);
    assert.deepEqual(keyUser.accessKeys.value[0]?.lastUsed, { known: false, reason: 'not_applicable' });
    assert.deepEqual(keyUser.accessKeys.value[0]?.createdAt, { known: true, value: '2022-12-19T09:22:23Z' });
    assert.deepEqual(keyUser.password.lastUsed, { known: false, reason: 'not_applicable' });
    const neverSignedIn = snapshot.users.find((user) => user.name === 'test_account');
    assert.deepEqual(neverSignedIn?.password.lastUsed, { known: false, reason: 'no_information' });
    assert.deepEqual(snapshot.root?.password.enabled, { known: false, reason: 'not_supported' });
    assert.deepEqual(snapshot.root?.mfa.active, { known: true, value: false });
  });

  it('02: the newer root row format keeps its real password values', async () => {
    const { snapshot } = await load('02_cfech_saa_2025_zulu.csv');
    assert.deepEqual(snapshot.root?.password.enabled, { known: true, value: true });
    assert.deepEqual(snapshot.root?.password.lastUsed, { known: false, reason: 'no_information' });
    assert.deepEqual(snapshot.root?.password.nextRotation, { known: false, reason: 'not_supported' });
    assert.deepEqual(snapshot.root?.mfa.active, { known: true, value: true });
  });

  it('04: a key-only user with both keys active, the second never used', async () => {
    const { snapshot } = await load('04_lstatro_cloud_search_2020.csv');
    const keys = snapshot.users[0]?.accessKeys;
    assert.ok(keys?.known);
    assert.deepEqual(
      keys.value.map((key) => [key.slot, key.active, key.lastUsed.known ? key.lastUsed.value : key.lastUsed.reason, key.lastUsedService]),
      [
        [1, true, '2020-11-21T20:38:00Z', { known: true, value: 'iam' }],
        [2, true, 'not_applicable', { known: false, reason: 'not_applicable' }],
      ],
    );
  });

  it('05: the legacy layout keeps an inactive signing certificate and marks last use not collected', async () => {
    const { snapshot } = await load('05_aws_docs_powershell_legacy16col_2015.csv');
    const bill = snapshot.users.find((user) => user.name === 'Bill');
    assert.deepEqual(bill?.signingCertificates, { known: true, value: [{ slot: 1, active: false, lastRotated: { known: true, value: '2015-04-20T20:00:12Z' } }] });
    const admin = snapshot.users.find((user) => user.name === 'Administrator');
    assert.ok(admin?.accessKeys.known);
    assert.deepEqual(admin.accessKeys.value.map((key) => key.lastUsed), [
      { known: false, reason: 'not_collected' },
      { known: false, reason: 'not_collected' },
    ]);
  });
});
