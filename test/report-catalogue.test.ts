import assert from 'node:assert/strict';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { FINDINGS_CSV_HEADER, RULES_CSV_HEADER } from '../src/render/findings-csv.js';
import { temporaryFolder, withoutEvidence } from './support/cli.js';
import { EXAMPLE_ACCOUNT } from './support/example-rule.js';
import { runExampleReport, writeExampleSnapshot } from './support/report-run.js';
import { withFlatResults } from './support/report-json.js';

const STAMP = '2027-01-15T08-00-00';
const ARN = (resource: string): string => `arn:aws:iam::${EXAMPLE_ACCOUNT}:${resource}`;
const EXCEPTIONS = `exceptions:
  - rule: example-key-age
    resource: alice
    justification: Vendor integration, key rotation scheduled (CHG-7)
    approvedBy: Jane Doe
    expires: 2026-12-31
  - rule: example-key-age
    resource: "arn:aws:iam::${EXAMPLE_ACCOUNT}:user/gone-*"
    justification: Leftover
    approvedBy: Jane Doe
    expires: 2026-12-31
  - rule: example-root-mfa
    resource: <root_account>
    justification: Old approval
    approvedBy: Bob
    expires: 2026-01-01
  - rule: example-key-age
    resource: =evil
    justification: Lapsed approval
    approvedBy: Bob
    expires: 2026-05-31
`;

describe('report with the rule catalogue', () => {
  let folder: { path: string; cleanup: () => Promise<void> };
  let snapshotPath: string;
  before(async () => {
    folder = await temporaryFolder();
    snapshotPath = await writeExampleSnapshot(folder.path);
    await writeFile(join(folder.path, 'exceptions.yaml'), EXCEPTIONS);
  });
  after(async () => folder.cleanup());

  it('writes the findings CSV: one row per result, excepted rows with their justification, formula-safe', async () => {
    const outDir = join(folder.path, 'csv');
    await runExampleReport({ snapshotPath, outDir, formats: ['csv'], exceptionsPath: join(folder.path, 'exceptions.yaml') });
    assert.deepEqual(withoutEvidence(await readdir(outDir)).sort(), [`iam_audit_${STAMP}.csv`, `iam_audit_findings_${STAMP}.csv`, `iam_audit_rules_${STAMP}.csv`]);
    const text = await readFile(join(outDir, `iam_audit_findings_${STAMP}.csv`), 'utf8');
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    assert.deepEqual(Object.keys(rows[0] ?? {}), [...FINDINGS_CSV_HEADER]);
    assert.deepEqual(
      rows.map((row) => [row['rule_id'], row['resource_type'], row['resource_arn'], row['status']]),
      [
        ['example-key-age', 'user', ARN('user/alice'), 'excepted'],
        ['example-key-age', 'user', ARN('user/bob'), 'pass'],
        ['example-key-age', 'user', ARN('user/carol'), 'not_applicable'],
        // The ARN holds the name (issue 26: no resource_name column); it starts with "arn:", so a
        // name like "=evil" inside it is no formula. The root user and the account share an ARN.
        ['example-key-age', 'user', ARN('user/=evil'), 'fail'],
        ['example-root-mfa', 'root', ARN('root'), 'pass'],
        ['example-throws', 'account', ARN('root'), 'error'],
        ['example-user-policies', 'account', ARN('root'), 'not_evaluated'],
      ],
    );
    const alice = rows[0] ?? {};
    assert.equal(alice['severity'], 'medium');
    assert.equal(alice['resource_arn'], `arn:aws:iam::${EXAMPLE_ACCOUNT}:user/alice`);
    assert.equal(alice['evidence'], 'oldest active key 100 days old (maximum 90)');
    assert.equal(alice['exception_justification'], 'Vendor integration, key rotation scheduled (CHG-7)');
    assert.equal(alice['exception_approved_by'], 'Jane Doe');
    assert.equal(alice['exception_expires'], '2026-12-31');
    // What belongs to the rule is in the rules CSV, once per rule, joined on rule_id.
    const rules = parse(await readFile(join(outDir, `iam_audit_rules_${STAMP}.csv`), 'utf8'), { columns: true }) as Record<string, string>[];
    assert.deepEqual(Object.keys(rules[0] ?? {}), [...RULES_CSV_HEADER]);
    assert.deepEqual(rules.map((rule) => rule['rule_id']), [...new Set(rows.map((row) => row['rule_id']))]);
    const keyAge = rules.find((rule) => rule['rule_id'] === alice['rule_id']) ?? {};
    assert.equal(keyAge['title'], 'Active access keys are younger than the maximum age');
    assert.equal(keyAge['severity'], 'medium');
    assert.equal(keyAge['framework_controls'], 'example-1.0 E.1; example-1.0 E.5');
    assert.equal(keyAge['remediation'], 'Console: 1. Open the IAM console. 2. Fix it. CLI: aws iam do-something');
    assert.match(rows[6]?.['reason'] ?? '', /live collection \(iam:GetAccountAuthorizationDetails\)/);
    assert.equal(rows[5]?.['reason'], 'The rule failed to run: boom: cannot read property of undefined');
    assert.equal(rows[3]?.['reason'], 'Exception "=evil" expired 2026-05-31 (approved by Bob: Lapsed approval); it no longer applies.');
    assert.equal(rows[3]?.['exception_justification'], '');
    assert.ok(text.endsWith('\r\n'));
  });

  it('adds rules, results, frameworks and exceptions to the JSON after the original keys', async () => {
    const outDir = join(folder.path, 'json');
    await runExampleReport({ snapshotPath, outDir, formats: ['json'], exceptionsPath: join(folder.path, 'exceptions.yaml') });
    const raw = JSON.parse(await readFile(join(outDir, `iam_audit_${STAMP}.json`), 'utf8')) as Record<string, unknown>;
    const json = withFlatResults(raw) as unknown as Record<string, unknown> & {
      results: { rule_id: string; resource_name: string; status: string; exception: Record<string, string> | null; expired_exception: Record<string, string> | null }[];
      frameworks: { id: string; controls: { control_id: string; status: string; rule_ids: string[] }[] }[];
      exceptions: { applied: number; expired: unknown[]; unused: unknown[]; file: { name: string } };
      rules: { id: string; counts: Record<string, number> }[];
    };
    // Issue 26: the results before the rules (whose counts are known once every result is written).
    // Format 3: `resources`, one entry per resource with its results, where `results` was; format 4:
    // `reasons` after them, each reason text once.
    assert.deepEqual(Object.keys(raw), ['metadata', 'findings', 'snapshot', 'resources', 'reasons', 'rules', 'frameworks', 'exceptions', 'configuration', 'parameters', 'remediation', 'account_facts']);
    const alice = json.results.find((result) => result.resource_name === 'alice');
    assert.equal(alice?.status, 'excepted');
    assert.deepEqual(alice?.exception, {
      justification: 'Vendor integration, key rotation scheduled (CHG-7)',
      approved_by: 'Jane Doe',
      expires: '2026-12-31',
      resource_pattern: 'alice',
    });
    assert.deepEqual(
      json.frameworks[0]?.controls.map((control) => [control.control_id, control.status]),
      [
        ['E.1', 'fail'],
        ['E.2', 'not_evaluated'],
        ['E.3', 'manual'],
        ['E.4', 'pass'],
        ['E.5', 'fail'],
        ['E.6', 'not_evaluated'],
      ],
    );
    assert.deepEqual(json.frameworks[0]?.controls[4]?.rule_ids, ['example-root-mfa', 'example-key-age']);
    assert.equal(json.exceptions.applied, 1);
    assert.equal(json.exceptions.file.name, 'exceptions.yaml');
    assert.deepEqual(json.exceptions.expired, [
      { rule_id: 'example-root-mfa', resource_pattern: '<root_account>', expires: '2026-01-01', justification: 'Old approval' },
      { rule_id: 'example-key-age', resource_pattern: '=evil', expires: '2026-05-31', justification: 'Lapsed approval' },
    ]);
    assert.deepEqual(json.results.find((result) => result.resource_name === '=evil')?.expired_exception, {
      justification: 'Lapsed approval',
      approved_by: 'Bob',
      expires: '2026-05-31',
      resource_pattern: '=evil',
    });
    assert.deepEqual(json.exceptions.unused, [{ rule_id: 'example-key-age', resource_pattern: `arn:aws:iam::${EXAMPLE_ACCOUNT}:user/gone-*`, justification: 'Leftover' }]);
    assert.deepEqual(json.rules.find((rule) => rule.id === 'example-key-age')?.counts, { pass: 1, fail: 1, not_applicable: 1, not_evaluated: 0, error: 0, excepted: 1 });
  });

  it('writes one OCSF Compliance Finding per result and framework control', async () => {
    const outDir = join(folder.path, 'ocsf');
    await runExampleReport({ snapshotPath, outDir, formats: ['ocsf'], exceptionsPath: join(folder.path, 'exceptions.yaml') });
    assert.deepEqual(withoutEvidence(await readdir(outDir)), [`iam_audit_${STAMP}.ocsf.json`]);
    const findings = JSON.parse(await readFile(join(outDir, `iam_audit_${STAMP}.ocsf.json`), 'utf8')) as Record<string, never>[];
    // 7 results, one event per control: key age (4 users) x E.1, E.5; root MFA x E.4, E.5, O-1;
    // user policies x E.2; the throwing rule x E.6: 8 + 3 + 1 + 1.
    assert.equal(findings.length, 13);
    for (const finding of findings) {
      assert.equal(finding['class_uid'], 2003);
      assert.equal(finding['category_uid'], 2);
      assert.equal(finding['type_uid'], 200301);
      assert.equal(finding['activity_id'], 1);
      assert.equal(finding['time'], 1_800_000_000_000);
      assert.match(JSON.stringify(finding['finding_info']), /"uid":"[a-z0-9-]+\/[0-9a-f]{16}"/);
      assert.match(JSON.stringify(finding['metadata']), /"uid":"[0-9a-f]{64}"/);
    }
    const byName = (name: string, rule: string, control?: string) =>
      findings.find(
        (finding) =>
          JSON.stringify(finding['resources']).includes(`"name":${JSON.stringify(name)}`) &&
          JSON.stringify(finding['unmapped']).includes(`"rule_id":"${rule}"`) &&
          (control === undefined || JSON.stringify(finding['compliance']).includes(`"control":"${control}"`)),
      ) as Record<string, unknown> | undefined;
    const evil = byName('=evil', 'example-key-age', 'E.5');
    const detail = 'oldest active key 300 days old (maximum 90) Exception "=evil" expired 2026-05-31 (approved by Bob: Lapsed approval); it no longer applies.';
    assert.deepEqual(evil?.['compliance'], {
      control: 'E.5',
      standards: ['Example Benchmark 1.0'],
      requirements: ['example-1.0 E.5'],
      status_id: 3,
      status: 'Fail',
    });
    assert.equal(evil?.['status_code'], 'fail');
    assert.equal(evil?.['status_detail'], detail);
    assert.equal((byName('=evil', 'example-key-age', 'E.1')?.['compliance'] as Record<string, unknown>)['control'], 'E.1');
    assert.equal(evil?.['severity_id'], 3);
    assert.equal(evil?.['severity'], undefined, 'the caption of severity_id is left out (issue 26)');
    assert.equal(evil?.['status_id'], 1);
    assert.deepEqual(evil?.['resources'], [{ uid: `arn:aws:iam::${EXAMPLE_ACCOUNT}:user/=evil`, name: '=evil', type: 'AWS::IAM::User', cloud_partition: 'aws' }]);
    assert.deepEqual(evil?.['cloud'], { provider: 'AWS', account: { uid: EXAMPLE_ACCOUNT, type_id: 10, type: 'AWS Account' } });
    assert.deepEqual({ ...(evil?.['metadata'] as Record<string, unknown>), uid: 'event' }, {
      uid: 'event',
      version: '1.3.0',
      profiles: ['cloud'],
      log_name: 'iam-audit compliance findings',
      product: { name: 'iam-audit', vendor_name: 'iam-audit', version: '0.1.0' },
    });

    const alice = byName('alice', 'example-key-age');
    assert.equal(alice?.['status_id'], 3);
    assert.equal(alice?.['status'], 'Suppressed');
    // The event's status_detail (compliance no longer repeats it, issue 26).
    assert.match(String(alice?.['status_detail']), /Excepted until 2026-12-31, approved by Jane Doe: Vendor integration/);

    const missing = byName('account', 'example-user-policies');
    assert.equal((missing?.['compliance'] as Record<string, unknown>)['status_id'], 2);
    const root = byName('<root_account>', 'example-root-mfa', 'O-1');
    assert.deepEqual((root?.['compliance'] as Record<string, unknown>)['standards'], ['Other Standard 2']);
    assert.deepEqual((byName('<root_account>', 'example-root-mfa', 'E.5')?.['compliance'] as Record<string, unknown>)['standards'], ['Example Benchmark 1.0']);
    assert.equal(root?.['severity_id'], 5);
  });

  it('adds a short Rules block before the exported files and warns about errors, expired and unused exceptions', async () => {
    const outDir = join(folder.path, 'console');
    const run = await runExampleReport({ snapshotPath, outDir, formats: ['json'], exceptionsPath: join(folder.path, 'exceptions.yaml') });
    assert.match(
      run.stdout,
      /\nRules: 4 run; results: 1 fail, 2 pass, 1 excepted, 1 not applicable, 1 not evaluated, 1 error\nFailed rules: example-key-age \(medium, 1\)\nExceptions: 1 applied, 2 expired, 1 unused\n\nResults exported to:\n/,
    );
    assert.equal(
      run.stderr,
      [
        'warning: rule example-throws: The rule failed to run: boom: cannot read property of undefined',
        'warning: exception for rule example-root-mfa on "<root_account>" expired 2026-01-01; it no longer applies',
        'warning: exception for rule example-key-age on "=evil" expired 2026-05-31; it no longer applies',
        `warning: exception for rule example-key-age on "arn:aws:iam::${EXAMPLE_ACCOUNT}:user/gone-*" matched no failed result (unused)`,
        '',
      ].join('\n'),
    );
  });

  it('exits 1 with --fail-on when a failed, not excepted, result is at or above the severity', async () => {
    const cases: [string, 'critical' | 'high' | 'medium' | 'low' | 'info', string | undefined, number][] = [
      ['medium-fail', 'medium', undefined, 1],
      ['low', 'low', undefined, 1],
      ['high', 'high', undefined, 0],
      ['critical', 'critical', undefined, 0],
    ];
    for (const [name, failOn, exceptionsPath, code] of cases) {
      const run = await runExampleReport({ snapshotPath, outDir: join(folder.path, `fail-${name}`), formats: ['json'], failOn, ...(exceptionsPath === undefined ? {} : { exceptionsPath }) });
      assert.equal(run.outcome.exitCode, code, name);
    }
    // Excepting every failure clears the exit code.
    await writeFile(join(folder.path, 'all.yaml'), 'exceptions:\n  - { rule: example-key-age, resource: "*", justification: j, approvedBy: a, expires: 2030-01-01 }\n');
    const excepted = await runExampleReport({ snapshotPath, outDir: join(folder.path, 'fail-excepted'), formats: ['json'], failOn: 'info', exceptionsPath: join(folder.path, 'all.yaml') });
    assert.equal(excepted.outcome.exitCode, 0);
    // Without --fail-on, failures do not change the exit code.
    const plain = await runExampleReport({ snapshotPath, outDir: join(folder.path, 'fail-none'), formats: ['json'] });
    assert.equal(plain.outcome.exitCode, 0);
  });

  it('refuses a bad configuration before writing anything', async () => {
    await writeFile(join(folder.path, 'bad.yaml'), 'rules:\n  example-key-age:\n    maxAgeDays: soon\n');
    const outDir = join(folder.path, 'bad');
    await assert.rejects(
      runExampleReport({ snapshotPath, outDir, configPath: join(folder.path, 'bad.yaml') }),
      { message: `${join(folder.path, 'bad.yaml')}:3:5: rules.example-key-age.maxAgeDays: expected a number (default 90), got the text "soon"` },
    );
    await assert.rejects(readdir(outDir), { code: 'ENOENT' });
  });

  it('applies the configuration file and records it in the JSON', async () => {
    await writeFile(join(folder.path, 'ok.yaml'), 'rules:\n  example-key-age: { maxAgeDays: 365 }\n  example-throws: { enabled: false }\n');
    const outDir = join(folder.path, 'configured');
    const run = await runExampleReport({ snapshotPath, outDir, formats: ['json'], configPath: join(folder.path, 'ok.yaml'), failOn: 'info' });
    assert.equal(run.outcome.exitCode, 0);
    const json = withFlatResults(JSON.parse(await readFile(join(outDir, `iam_audit_${STAMP}.json`), 'utf8')) as { configuration: { file: { name: string; sha256: string } } });
    assert.equal(json.configuration.file.name, 'ok.yaml');
    assert.match(json.configuration.file.sha256, /^[0-9a-f]{64}$/);
    assert.equal(json.results.filter((result) => result.status === 'fail' || result.status === 'error').length, 0);
  });
});
