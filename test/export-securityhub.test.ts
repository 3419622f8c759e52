/**
 * `iam-audit export securityhub`: the real CLI and the AWS SDK, signing and sending over HTTP to the
 * project's local Security Hub endpoint (test/support/securityhub-endpoint.ts). Batches of 100, a
 * throttled call retried, refused findings named with exit 3, resolved findings archived on the
 * next export with the same Id, the state file per account, and the ASFF of a real report sent.
 */
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FIXTURES, runCli, temporaryFolder } from './support/cli.js';
import { SecurityHubEndpoint } from './support/securityhub-endpoint.js';

const ACCOUNT = '123456789012';
const PRODUCT_ARN = `arn:aws:securityhub:eu-west-1:${ACCOUNT}:product/${ACCOUNT}/default`;
/** Credentials from the environment only: no shared files, no instance metadata. */
const AWS_ENV: NodeJS.ProcessEnv = {
  AWS_ACCESS_KEY_ID: 'AKIDEXPORTTEST',
  AWS_SECRET_ACCESS_KEY: 'export-test-secret',
  AWS_SESSION_TOKEN: '',
  AWS_PROFILE: '',
  AWS_REGION: '',
  AWS_DEFAULT_REGION: '',
  AWS_CONFIG_FILE: '/nonexistent/iam-audit-test-config',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/iam-audit-test-credentials',
  AWS_EC2_METADATA_DISABLED: 'true',
};

function finding(index: number, capturedAt: string, account = ACCOUNT): Record<string, unknown> {
  return {
    SchemaVersion: '2018-10-08',
    Id: `finding-${String(index).padStart(4, '0')}`,
    ProductArn: PRODUCT_ARN.replaceAll(ACCOUNT, account),
    GeneratorId: 'console-users-mfa',
    AwsAccountId: account,
    CreatedAt: capturedAt,
    UpdatedAt: capturedAt,
    Title: 'Console users have MFA',
    Description: `user-${index} has a console password and no MFA device`,
    Severity: { Label: 'HIGH' },
    Resources: [{ Type: 'AwsIamUser', Id: `arn:aws:iam::${account}:user/user-${index}`, Partition: 'aws', Region: 'eu-west-1' }],
    Compliance: { Status: 'FAILED', RelatedRequirements: ['cis-5.0 1.9'] },
    RecordState: 'ACTIVE',
  };
}

let work: { path: string; cleanup: () => Promise<void> };
before(async () => {
  work = await temporaryFolder('iam-audit-export-');
});
after(async () => {
  await work.cleanup();
});

async function writeFindings(name: string, findings: readonly Record<string, unknown>[]): Promise<string> {
  const path = join(work.path, name);
  await writeFile(path, `${JSON.stringify(findings)}\n`);
  return path;
}

async function exportTo(endpoint: SecurityHubEndpoint, findingsPath: string, statePath: string, extra: readonly string[] = []) {
  return runCli(['export', 'securityhub', findingsPath, '--endpoint-url', endpoint.url, '--state', statePath, ...extra], { env: AWS_ENV, cwd: work.path });
}

async function stateIds(path: string): Promise<string[]> {
  const state = JSON.parse(await readFile(path, 'utf8')) as { findings: { Id: string }[] };
  return state.findings.map((item) => item.Id);
}

const range = (count: number, from = 0): number[] => Array.from({ length: count }, (_, index) => index + from);

describe('export securityhub against the local endpoint', () => {
  it('sends 250 findings in 3 signed calls of 100, 100 and 50 and records them in the state', async () => {
    const endpoint = await SecurityHubEndpoint.start();
    try {
      const path = await writeFindings('250.asff.json', range(250).map((index) => finding(index, '2026-01-02T14:30:00Z')));
      const statePath = join(work.path, 'state-250.json');
      const run = await exportTo(endpoint, path, statePath);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(endpoint.calls.map((call) => call.findings.length), [100, 100, 50]);
      for (const call of endpoint.calls) assert.match(call.authorization, /^AWS4-HMAC-SHA256 Credential=AKIDEXPORTTEST\/\d{8}\/eu-west-1\/securityhub\/aws4_request, SignedHeaders=[^,]+, Signature=[0-9a-f]{64}$/);
      assert.deepEqual(endpoint.calls.flatMap((call) => call.findings.map((item) => item['Id'])), range(250).map((index) => `finding-${String(index).padStart(4, '0')}`));
      assert.equal(endpoint.held.size, 250);
      assert.equal((await stateIds(statePath)).length, 250);
      assert.equal(run.stdout, 'Security Hub (eu-west-1): 250 of 250 findings imported, 0 of 0 resolved findings archived, 0 refused, in 3 calls\n');
    } finally {
      await endpoint.stop();
    }
  });

  it('retries a throttled call (429 ThrottlingException) and still sends every finding once', async () => {
    const endpoint = await SecurityHubEndpoint.start({ throttleOnce: true });
    try {
      const path = await writeFindings('throttled.asff.json', range(150).map((index) => finding(index, '2026-01-02T14:30:00Z')));
      const run = await exportTo(endpoint, path, join(work.path, 'state-throttled.json'));
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(endpoint.calls.map((call) => [call.status, call.findings.length]), [[429, 100], [200, 100], [200, 50]]);
      assert.equal(endpoint.held.size, 150);
    } finally {
      await endpoint.stop();
    }
  });

  it('retries a call answered with a server error (503) and still sends every finding once', async () => {
    const endpoint = await SecurityHubEndpoint.start({ serverErrorOnce: true });
    try {
      const path = await writeFindings('server-error.asff.json', range(101).map((index) => finding(index, '2026-01-02T14:30:00Z')));
      const run = await exportTo(endpoint, path, join(work.path, 'state-server-error.json'));
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(endpoint.calls.map((call) => [call.status, call.findings.length]), [[503, 100], [200, 100], [200, 1]]);
      assert.equal(endpoint.held.size, 101);
    } finally {
      await endpoint.stop();
    }
  });

  it('names each refused finding and exits 3; the refused ones stay out of the state', async () => {
    const refuse = new Map([['finding-0007', 'InvalidInput'], ['finding-0120', 'FindingSizeExceeded']]);
    const endpoint = await SecurityHubEndpoint.start({ refuse });
    try {
      const path = await writeFindings('refused.asff.json', range(130).map((index) => finding(index, '2026-01-02T14:30:00Z')));
      const statePath = join(work.path, 'state-refused.json');
      const run = await exportTo(endpoint, path, statePath);
      assert.equal(run.code, 3, run.stderr);
      // Only the tool's own lines: the SDK may add a Node version warning of its own on an old Node.
      assert.equal(
        run.stderr.split('\n').filter((line) => line.startsWith('iam-audit:')).join('\n') + '\n',
        'iam-audit: Security Hub refused finding finding-0007: InvalidInput refused by the test endpoint: InvalidInput\n' +
          'iam-audit: Security Hub refused finding finding-0120: FindingSizeExceeded refused by the test endpoint: FindingSizeExceeded\n',
      );
      assert.match(run.stdout, /128 of 130 findings imported, 0 of 0 resolved findings archived, 2 refused, in 2 calls/);
      const ids = await stateIds(statePath);
      assert.equal(ids.length, 128);
      assert.ok(!ids.includes('finding-0007') && !ids.includes('finding-0120'));
    } finally {
      await endpoint.stop();
    }
  });

  it('archives the findings resolved since the last export, by the same Id, and only once', async () => {
    const endpoint = await SecurityHubEndpoint.start();
    try {
      const statePath = join(work.path, 'state-archive.json');
      const first = await exportTo(endpoint, await writeFindings('first.asff.json', range(120).map((index) => finding(index, '2026-01-02T14:30:00Z'))), statePath);
      assert.equal(first.code, 0, first.stderr);
      // The next report: findings 0-9 resolved, 120-124 new.
      const secondPath = await writeFindings('second.asff.json', range(115, 10).map((index) => finding(index, '2026-02-02T09:00:00Z')));
      const second = await exportTo(endpoint, secondPath, statePath);
      assert.equal(second.code, 0, second.stderr);
      assert.match(second.stdout, /115 of 115 findings imported, 10 of 10 resolved findings archived, 0 refused, in 2 calls/);
      const archived = endpoint.calls.slice(2).flatMap((call) => call.findings).filter((item) => item['RecordState'] === 'ARCHIVED');
      assert.deepEqual(archived.map((item) => item['Id']), range(10).map((index) => `finding-${String(index).padStart(4, '0')}`));
      for (const item of archived) {
        assert.equal(item['ProductArn'], PRODUCT_ARN);
        assert.equal(item['UpdatedAt'], '2026-02-02T09:00:00Z', 'the new capture time');
        assert.equal(item['CreatedAt'], '2026-01-02T14:30:00Z');
      }
      assert.equal(endpoint.held.get('finding-0003')?.['RecordState'], 'ARCHIVED');
      assert.equal(endpoint.held.get('finding-0050')?.['RecordState'], 'ACTIVE');
      assert.deepEqual((await stateIds(statePath)).length, 115);
      // The same report again: nothing more to archive.
      const again = await exportTo(endpoint, secondPath, statePath);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, /0 of 0 resolved findings archived/);
      // Everything resolved: an empty file archives every finding left.
      const empty = await exportTo(endpoint, await writeFindings('empty.asff.json', []), statePath);
      assert.equal(empty.code, 0, empty.stderr);
      assert.match(empty.stdout, /^Security Hub \(eu-west-1\): 0 of 0 findings imported, 115 of 115 resolved findings archived/);
      assert.deepEqual(await stateIds(statePath), []);
    } finally {
      await endpoint.stop();
    }
  });

  it('refuses a state file of another account, an older report, a report JSON and a finding without its required members (exit 2, nothing sent)', async () => {
    const endpoint = await SecurityHubEndpoint.start();
    try {
      const statePath = join(work.path, 'state-account.json');
      assert.equal((await exportTo(endpoint, await writeFindings('a.asff.json', [finding(1, '2026-01-02T14:30:00Z')]), statePath)).code, 0);
      const before = await readFile(statePath, 'utf8');
      const calls = endpoint.calls.length;
      const other = await exportTo(endpoint, await writeFindings('b.asff.json', [finding(1, '2026-01-02T14:30:00Z', '210987654321')]), statePath);
      assert.equal(other.code, 2);
      assert.match(other.stderr, /holds the export state of account 123456789012, but .*b\.asff\.json is account 210987654321; give each account its own --state/);
      const older = await exportTo(endpoint, await writeFindings('older.asff.json', [finding(1, '2025-12-01T00:00:00Z')]), statePath);
      assert.equal(older.code, 2);
      assert.match(older.stderr, /older\.asff\.json: captured 2025-12-01T00:00:00Z, before the last export's 2026-01-02T14:30:00Z/);
      const reportJson = await exportTo(endpoint, join(FIXTURES, 'demo', 'snapshot.json'), statePath);
      assert.equal(reportJson.code, 2);
      assert.match(reportJson.stderr, /snapshot\.json: not an ASFF findings file: expected a JSON array of findings/);
      const { Title: _title, ...untitled } = finding(2, '2026-01-02T14:30:00Z');
      const bad = await exportTo(endpoint, await writeFindings('bad.asff.json', [finding(1, '2026-01-02T14:30:00Z'), untitled]), statePath);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /bad\.asff\.json: finding 2: missing Title/);
      assert.equal(endpoint.calls.length, calls, 'nothing sent');
      assert.equal(await readFile(statePath, 'utf8'), before, 'state unchanged');
    } finally {
      await endpoint.stop();
    }
  });

  it('a call that fails after its retries stops the export: exit 2, the failure named, the state unchanged', async () => {
    const endpoint = await SecurityHubEndpoint.start();
    const url = endpoint.url;
    await endpoint.stop();
    const statePath = join(work.path, 'state-down.json');
    const run = await runCli(['export', 'securityhub', await writeFindings('down.asff.json', [finding(1, '2026-01-02T14:30:00Z')]), '--endpoint-url', url, '--state', statePath, '--max-attempts', '2'], { env: AWS_ENV, cwd: work.path });
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /^iam-audit: Security Hub BatchImportFindings failed \(.*\); no finding was sent, the state file is unchanged$/m);
    await assert.rejects(readFile(statePath), { code: 'ENOENT' });
  });

  it('sends the ASFF file of a real report of the demo snapshot', async () => {
    const endpoint = await SecurityHubEndpoint.start();
    try {
      const outDir = join(work.path, 'demo-report');
      const report = await runCli(['report', join(FIXTURES, 'demo', 'snapshot.json'), '-f', 'asff', '-d', outDir, '--quiet', '--asff-region', 'eu-west-1'], { cwd: work.path });
      assert.ok(report.code === 0 || report.code === 1, report.stderr);
      const name = (await readdir(outDir)).find((file) => file.endsWith('.asff.json'));
      assert.ok(name !== undefined);
      const findings = JSON.parse(await readFile(join(outDir, name), 'utf8')) as Record<string, unknown>[];
      assert.ok(findings.length > 0);
      const run = await exportTo(endpoint, join(outDir, name), join(work.path, 'state-demo.json'));
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual([...endpoint.held.keys()], findings.map((item) => item['Id']));
      assert.match(endpoint.calls[0]?.authorization ?? '', /\/eu-west-1\/securityhub\/aws4_request/);
    } finally {
      await endpoint.stop();
    }
  });
});
