import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runCli, temporaryFolder, withoutEvidence } from './support/cli.js';
import { baseScenario, collectEnvironment, EXPECTED_MFA, leakedSecrets } from './support/collect-scenario.js';
import { startIamEndpoint } from './support/iam-endpoint.js';
import { withFlatResults } from './support/report-json.js';

async function auditLive(faults: Parameters<typeof baseScenario>[0] = {}) {
  const endpoint = await startIamEndpoint(baseScenario(faults));
  const folder = await temporaryFolder();
  const out = join(folder.path, 'out');
  const run = await runCli(['audit', '--endpoint-url', endpoint.url, '-d', out, '--format', 'csv,json'], { env: collectEnvironment(), cwd: folder.path });
  const files = await readdir(out);
  const jsonFile = files.find((name) => /^iam_audit_[\dT-]+\.json$/.test(name));
  const report =
    jsonFile === undefined
      ? null
      : withFlatResults(
          JSON.parse(await readFile(join(out, jsonFile), 'utf8')) as {
            findings: { username: string; compliance_status: string }[];
          },
        );
  await endpoint.close();
  await folder.cleanup();
  return { run, files, report };
}

describe('audit with no CSV collects live and reports', () => {
  test('writes the snapshot and the reports, with the expected MFA findings', async () => {
    const { run, files, report } = await auditLive();
    assert.equal(run.code, 0, run.stderr);
    assert.equal(files.filter((name) => /^snapshot-123456789012-.*\.json$/.test(name)).length, 1);
    assert.deepEqual(withoutEvidence(files).filter((name) => /^iam_audit_.*\.(csv|json)$/.test(name)).length, 4, 'MFA CSV, findings CSV, rules CSV, JSON');
    assert.ok(report);
    assert.deepEqual(Object.fromEntries(report.findings.map((finding) => [finding.username, finding.compliance_status])), EXPECTED_MFA);
    assert.match(run.stdout, /Checking: erin\n {4}\[FAIL\] Console access WITHOUT MFA!/);
    assert.deepEqual(leakedSecrets(run.stdout, run.stderr), []);
  });

  test('a partial collection still reports, marks what it could not judge, and exits 3', async () => {
    const { run, report } = await auditLive({ faults: [{ action: 'GetLoginProfile', userName: 'erin', kind: 'access-denied' }] });
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /Missing permissions: grant iam:GetLoginProfile/);
    assert.ok(report);
    const statuses = Object.fromEntries(report.findings.map((finding) => [finding.username, finding.compliance_status]));
    assert.deepEqual(statuses, { ...EXPECTED_MFA, erin: 'NOT_EVALUATED' });
    // The rules that needed erin's login profile are not evaluated for erin, and only for erin.
    const consoleMfa = report.results.filter((result) => result.rule_id === 'console-users-mfa');
    assert.equal(consoleMfa.find((result) => result.resource_name === 'erin')?.status, 'not_evaluated');
    assert.equal(consoleMfa.find((result) => result.resource_name === 'grace')?.status, 'fail');
    assert.equal(consoleMfa.find((result) => result.resource_name === 'alice')?.status, 'pass');
    // Account-wide rules were evaluated from the live data.
    const policyRules = report.results.filter((result) => result.rule_id.startsWith('password-policy-'));
    assert.ok(policyRules.length > 0 && policyRules.every((result) => result.status === 'pass' || result.status === 'fail'), JSON.stringify(policyRules));
  });
});
