/**
 * The rules on real credential reports (fixtures/real-world/, see SOURCE.txt
 * there). Each report is imported as the CLI would (capture time = the newest timestamp in the
 * file), every rule is evaluated directly (no engine), and every finding is compared with the
 * verdict worked out by hand from the CSV rows, resource by resource.
 *
 * A credential report has no password policy, policies, MFA devices, groups, roles, certificates
 * or account summary: every rule needing them must come out not_evaluated, never pass.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { importCredentialReport } from '../src/import/credential-report.js';
import { allRules } from '../src/rules/index.js';
import type { Rule, RuleVerdict } from '../src/rules/rule.js';
import { judgeAll } from '../src/rules/rule.js';
import type { Snapshot } from '../src/snapshot/types.js';
import { REAL_WORLD_REPORTS } from './support/cli.js';

type Expected = Readonly<Record<string, Readonly<Record<string, RuleVerdict>>>>;

const NE = 'not_evaluated';
const NA = 'not_applicable';

/** The eight password-policy rules: one finding on the account, not evaluated (no policy in a report). */
const PASSWORD_POLICY_NOT_EVALUATED = {
  'password-policy-exists': { account: NE },
  'password-policy-min-length': { account: NE },
  'password-policy-reuse-prevention': { account: NE },
  'password-policy-require-uppercase': { account: NE },
  'password-policy-require-lowercase': { account: NE },
  'password-policy-require-numbers': { account: NE },
  'password-policy-require-symbols': { account: NE },
  'password-policy-max-age': { account: NE },
} as const;

/** Account-wide rules a report cannot feed. */
const ACCOUNT_FACTS_NOT_EVALUATED = {
  'root-hardware-mfa': { '<root_account>': NE },
  'support-role-exists': { account: NE },
  'expired-server-certificates': { account: NE },
  'cloudshell-full-access': { account: NE },
} as const;

const EXPECTED: Readonly<Record<string, Expected>> = {
  // Captured 2023-01-03T10:27:00Z (jake's key use). Root: password_enabled not_supported, no MFA,
  // password used 2022-12-21 (13 days before). cloudgoat: key only, used 2022-12-21, created 2022-05-27.
  // jake: console, no MFA, key created 2022-05-18 used 2023-01-03. test_account: console, never
  // logged in (no_information), password set 2022-12-19. test_key_account: key only, never used, created 2022-12-19.
  '01_aws_testbench_2022.csv': {
    'root-access-keys': { '<root_account>': 'pass' },
    'root-mfa': { '<root_account>': 'fail' },
    'root-recent-use': { '<root_account>': 'fail' },
    'console-users-mfa': { cloudgoat: NA, jake: 'fail', test_account: 'fail', test_key_account: NA },
    'access-keys-at-initial-setup': { cloudgoat: NA, jake: 'pass', test_account: 'pass', test_key_account: NA },
    'unused-credentials': {
      cloudgoat: NA,
      'cloudgoat#access_key_1': 'pass',
      jake: 'pass',
      'jake#access_key_1': 'pass',
      test_account: 'pass', // no_information -> password_last_changed 2022-12-19, 15 days
      test_key_account: NA,
      'test_key_account#access_key_1': 'pass', // never used -> created 2022-12-19, 15 days
    },
    'multiple-active-access-keys': { cloudgoat: 'pass', jake: 'pass', test_account: NA, test_key_account: 'pass' },
    'access-key-rotation': { 'cloudgoat#access_key_1': 'fail', 'jake#access_key_1': 'fail', test_account: NA, 'test_key_account#access_key_1': 'pass' },
    'console-users-with-access-keys': { cloudgoat: NA, jake: 'fail', test_account: 'pass', test_key_account: NA },
    'mfa-device-type': { cloudgoat: NE, jake: NE, test_account: NE, test_key_account: NE },
    'user-direct-policies': { cloudgoat: NE, jake: NE, test_account: NE, test_key_account: NE },
    'full-admin-policies': { account: NE, groups: NE, roles: NE, cloudgoat: NE, jake: NE, test_account: NE, test_key_account: NE },
    ...PASSWORD_POLICY_NOT_EVALUATED,
    ...ACCOUNT_FACTS_NOT_EVALUATED,
  },
  // Captured 2025-01-29T16:46:14Z (Ad's login). Root: newer format, password_enabled true, never
  // used (no_information), MFA on. Ad and Regular: console, no MFA, no keys; Regular never logged in,
  // password set the evening before.
  '02_cfech_saa_2025_zulu.csv': {
    'root-access-keys': { '<root_account>': 'pass' },
    'root-mfa': { '<root_account>': 'pass' },
    'root-recent-use': { '<root_account>': 'pass' },
    'console-users-mfa': { Ad: 'fail', Regular: 'fail' },
    'access-keys-at-initial-setup': { Ad: 'pass', Regular: 'pass' },
    'unused-credentials': { Ad: 'pass', Regular: 'pass' },
    'multiple-active-access-keys': { Ad: NA, Regular: NA },
    'access-key-rotation': { Ad: NA, Regular: NA },
    'console-users-with-access-keys': { Ad: 'pass', Regular: 'pass' },
    'mfa-device-type': { Ad: NE, Regular: NE },
    'user-direct-policies': { Ad: NE, Regular: NE },
    'full-admin-policies': { account: NE, groups: NE, roles: NE, Ad: NE, Regular: NE },
    ...PASSWORD_POLICY_NOT_EVALUATED,
    ...ACCOUNT_FACTS_NOT_EVALUATED,
  },
  // Captured 2017-11-08T18:39:00Z (fakeuser's key use). Root: MFA on, password used 2017-10-22 (17
  // days). example.user and final.user: console since June, no MFA, one key created in June and
  // never used. fakeuser: MFA, password last used 2017-07-01, key rotated 2017-10-22 and used 2017-11-08.
  '03_coolfriends_oil_2017.csv': {
    'root-access-keys': { '<root_account>': 'pass' },
    'root-mfa': { '<root_account>': 'pass' },
    'root-recent-use': { '<root_account>': 'fail' },
    'console-users-mfa': { 'example.user': 'fail', fakeuser: 'pass', 'final.user': 'fail' },
    'access-keys-at-initial-setup': { 'example.user': 'fail', fakeuser: 'pass', 'final.user': 'fail' },
    'unused-credentials': {
      'example.user': 'fail',
      'example.user#access_key_1': 'fail',
      fakeuser: 'fail',
      'fakeuser#access_key_1': 'pass',
      'final.user': 'fail',
      'final.user#access_key_1': 'fail',
    },
    'multiple-active-access-keys': { 'example.user': 'pass', fakeuser: 'pass', 'final.user': 'pass' },
    'access-key-rotation': { 'example.user#access_key_1': 'fail', 'fakeuser#access_key_1': 'pass', 'final.user#access_key_1': 'fail' },
    'console-users-with-access-keys': { 'example.user': 'fail', fakeuser: 'fail', 'final.user': 'fail' },
    'mfa-device-type': { 'example.user': NE, fakeuser: NE, 'final.user': NE },
    'user-direct-policies': { 'example.user': NE, fakeuser: NE, 'final.user': NE },
    'full-admin-policies': { account: NE, groups: NE, roles: NE, 'example.user': NE, fakeuser: NE, 'final.user': NE },
    ...PASSWORD_POLICY_NOT_EVALUATED,
    ...ACCOUNT_FACTS_NOT_EVALUATED,
  },
  // Captured 2020-11-21T20:38:00Z (customer1's key 1 use). Root: password_enabled not_supported, no
  // MFA, password used 2020-10-15 (37.8 days, outside the 30-day window). customer1: key only, key 1
  // created 2019-12-28 used at capture, key 2 created 2020-09-25 (57.7 days) never used.
  '04_lstatro_cloud_search_2020.csv': {
    'root-access-keys': { '<root_account>': 'pass' },
    'root-mfa': { '<root_account>': 'fail' },
    'root-recent-use': { '<root_account>': 'pass' },
    'console-users-mfa': { customer1: NA },
    'access-keys-at-initial-setup': { customer1: NA },
    'unused-credentials': { customer1: NA, 'customer1#access_key_1': 'pass', 'customer1#access_key_2': 'fail' },
    'multiple-active-access-keys': { customer1: 'fail' },
    'access-key-rotation': { 'customer1#access_key_1': 'fail', 'customer1#access_key_2': 'pass' },
    'console-users-with-access-keys': { customer1: NA },
    'mfa-device-type': { customer1: NE },
    'user-direct-policies': { customer1: NE },
    'full-admin-policies': { account: NE, groups: NE, roles: NE, customer1: NE },
    ...PASSWORD_POLICY_NOT_EVALUATED,
    ...ACCOUNT_FACTS_NOT_EVALUATED,
  },
  // Legacy 16 columns: no *_last_used_* columns, so key use is unknown (never guessed). Captured
  // 2015-04-20T20:00:12Z (Bill's certificate). Root ("root_account"): MFA on, password used 2h19m
  // before capture. Administrator: console, no MFA, password used that day, key 1 created
  // 2014-12-03 (138 days), key 2 created 2015-03-25 (26 days). Bill: nothing active.
  '05_aws_docs_powershell_legacy16col_2015.csv': {
    'root-access-keys': { '<root_account>': 'pass' },
    'root-mfa': { '<root_account>': 'pass' },
    'root-recent-use': { '<root_account>': 'fail' },
    'console-users-mfa': { Administrator: 'fail', Bill: NA },
    'access-keys-at-initial-setup': { Administrator: NE, Bill: NA },
    'unused-credentials': { Administrator: 'pass', 'Administrator#access_key_1': NE, 'Administrator#access_key_2': NE, Bill: NA },
    'multiple-active-access-keys': { Administrator: 'fail', Bill: NA },
    'access-key-rotation': { 'Administrator#access_key_1': 'fail', 'Administrator#access_key_2': 'pass', Bill: NA },
    'console-users-with-access-keys': { Administrator: 'fail', Bill: NA },
    'mfa-device-type': { Administrator: NE, Bill: NE },
    'user-direct-policies': { Administrator: NE, Bill: NE },
    'full-admin-policies': { account: NE, groups: NE, roles: NE, Administrator: NE, Bill: NE },
    ...PASSWORD_POLICY_NOT_EVALUATED,
    ...ACCOUNT_FACTS_NOT_EVALUATED,
  },
};

function load(fileName: string): Snapshot {
  const bytes = readFileSync(join(REAL_WORLD_REPORTS, fileName));
  return importCredentialReport(bytes, { fileName, displayPath: fileName }).snapshot;
}

function verdicts(rule: Rule, snapshot: Snapshot): Record<string, RuleVerdict> {
  const findings = judgeAll(rule, snapshot, { now: Date.parse(snapshot.capturedAt), options: rule.defaultOptions });
  const result: Record<string, RuleVerdict> = {};
  for (const finding of findings) {
    assert.ok(!(finding.resource.name in result), `${rule.id}: two findings for ${finding.resource.name}`);
    result[finding.resource.name] = finding.verdict;
  }
  return result;
}

for (const [fileName, expected] of Object.entries(EXPECTED)) {
  describe(`real report ${fileName}`, () => {
    const snapshot = load(fileName);

    it('has an expectation for every rule', () => {
      assert.deepEqual(Object.keys(expected).sort(), allRules.map((rule) => rule.id).sort());
    });

    for (const rule of allRules as readonly Rule[]) {
      it(`${rule.id} gives the verdicts worked out by hand`, () => {
        assert.deepEqual(verdicts(rule, snapshot), expected[rule.id]);
      });
    }

    it('no rule whose data a credential report lacks passes anything', () => {
      const reportFeeds = new Set(['root', 'users', 'users.password', 'users.passwordLastUsed', 'users.mfa', 'users.accessKeys', 'users.accessKeysLastUsed']);
      for (const rule of allRules as readonly Rule[]) {
        if (rule.requires.every((requirement) => reportFeeds.has(requirement))) continue;
        const passes = Object.entries(verdicts(rule, snapshot)).filter(([, verdict]) => verdict === 'pass');
        assert.deepEqual(passes, [], `${rule.id} passed without its data`);
      }
    });
  });
}

describe('evidence names the values judged', () => {
  it('unused-credentials explains the no_information fallback (01, test_account)', () => {
    const snapshot = load('01_aws_testbench_2022.csv');
    const rule = allRules.find((entry) => entry.id === 'unused-credentials');
    assert.ok(rule);
    const finding = judgeAll(rule, snapshot, { now: Date.parse(snapshot.capturedAt), options: rule.defaultOptions }).find((entry) => entry.resource.name === 'test_account');
    assert.equal(
      finding?.evidence,
      'password never used (password_last_used no_information), last changed 2022-12-19T09:17:33Z, 15 days 01:09:27 before evaluation',
    );
  });

  it('access-key-rotation gives the creation date and age (04, customer1 key 1)', () => {
    const snapshot = load('04_lstatro_cloud_search_2020.csv');
    const rule = allRules.find((entry) => entry.id === 'access-key-rotation');
    assert.ok(rule);
    const finding = judgeAll(rule, snapshot, { now: Date.parse(snapshot.capturedAt), options: rule.defaultOptions }).find((entry) => entry.resource.name === 'customer1#access_key_1');
    assert.equal(finding?.resource.arn, 'arn:aws:iam::test:user/customer1#access_key_1');
    assert.equal(finding?.evidence, 'active key access_key_1 created 2019-12-28T20:00:51Z, 329 days 00:37:09 before evaluation');
  });
});
