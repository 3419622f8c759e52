/**
 * Issue 25 §5: provenance and limitations. An import records the operator and host; the report
 * says per source where the data came from, who obtained it, that an imported file's authenticity
 * cannot be verified and what independent count an auditor can perform; a live collection names
 * the caller and the population reconciliation in one sentence; the limitations are stated; and
 * "Collected by" names the tool and the operator.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { analyze } from '../src/analyze/analyze.js';
import type { AnalysisResult } from '../src/analyze/result.js';
import { importCredentialReport } from '../src/import/credential-report.js';
import { renderDefaultHtml } from '../src/render/html.js';
import { buildJsonReport } from '../src/render/json.js';
import { snapshotWith, user } from '../src/rules/testing.js';
import { completePopulation, type Snapshot } from '../src/snapshot/types.js';
import { recordingOperator } from '../src/util/operator.js';
import { FIXTURES, runCli, temporaryFolder } from './support/cli.js';

const DEMO_REPORT = join(FIXTURES, 'demo', 'credential-report.csv');
const text = (html: string): string => html.replace(/<style[\s\S]*?<\/style>/g, ' ').replace(/<[^>]+>/g, ' ').replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/\s+/g, ' ');

function run(snapshot: Snapshot, asOf?: string): AnalysisResult {
  return analyze({
    snapshot,
    snapshotFile: { fileName: 'snapshot.json', sha256: 'ab'.repeat(32), migratedFrom: null },
    tool: { name: 'iam-audit', version: '0.0.0-test' },
    run: { startedAt: snapshot.capturedAt, endedAt: snapshot.capturedAt, elapsedSeconds: 0 },
    ...(asOf === undefined ? {} : { asOf }),
  });
}

async function imported(recordedBy: { user: string | null; host: string | null; note: string | null } = { user: 'jdoe', host: 'audit-laptop', note: null }): Promise<Snapshot> {
  const bytes = await readFile(DEMO_REPORT);
  return importCredentialReport(bytes, { displayPath: 'credential-report.csv', fileName: 'credential-report.csv', generatedAt: new Date('2026-11-02T08:15:42Z'), generatedAtLabel: '--generated-at', recordedBy }).snapshot;
}

describe('who obtained the data', () => {
  it('the operating-system user and host, or a note in a reproducible run', () => {
    assert.deepEqual(recordingOperator({ SOURCE_DATE_EPOCH: '1767364200' }), { user: null, host: null, note: 'not recorded in a reproducible run (SOURCE_DATE_EPOCH set)' });
    const here = recordingOperator({});
    assert.equal(here.user, userInfo().username);
    assert.equal(here.host, hostname());
    assert.equal(here.note, null);
  });

  describe('import on the command line', () => {
    let work: { path: string; cleanup: () => Promise<void> };
    before(async () => {
      work = await temporaryFolder();
    });
    after(() => work.cleanup());

    it('records the operator and host in the snapshot (none in a reproducible run)', async () => {
      const out = join(work.path, 'recorded.json');
      const plain = await runCli(['import', DEMO_REPORT, '--generated-at', '2026-11-02T08:15:42Z', '-o', out]);
      assert.equal(plain.code, 0, plain.stderr);
      const snapshot = JSON.parse(await readFile(out, 'utf8')) as Snapshot;
      if (process.env['SOURCE_DATE_EPOCH'] === undefined) assert.deepEqual(snapshot.collection.recordedBy, { user: userInfo().username, host: hostname(), note: null });
      const fixed = join(work.path, 'fixed.json');
      assert.equal((await runCli(['import', DEMO_REPORT, '--generated-at', '2026-11-02T08:15:42Z', '-o', fixed], { env: { SOURCE_DATE_EPOCH: '1767364200' } })).code, 0);
      assert.deepEqual((JSON.parse(await readFile(fixed, 'utf8')) as Snapshot).collection.recordedBy, { user: null, host: null, note: 'not recorded in a reproducible run (SOURCE_DATE_EPOCH set)' });
    });
  });
});

describe('provenance of an import', () => {
  it('names the file, its hash, where its time came from, the operator, the limits of the tool and the count an auditor can make', async () => {
    const snapshot = await imported();
    const result = run(snapshot);
    const provenance = result.snapshot.provenance;
    assert.equal(provenance?.collectedBy, 'iam-audit ' + snapshot.tool.version + ', operator jdoe on host audit-laptop');
    const [statement] = provenance?.sources ?? [];
    assert.match(statement ?? '', /^The data is the IAM credential report file credential-report\.csv \(SHA-256 [0-9a-f]{64}, \d+ columns\), imported by iam-audit [^ ]+ \(operator jdoe on host audit-laptop\)\./);
    assert.match(statement ?? '', /Its generation time 2026-11-02T08:15:42Z is the --generated-at option given at import/);
    assert.match(statement ?? '', /The tool cannot verify the file's authenticity/);
    assert.match(statement ?? '', /the Users figure of "aws iam get-account-summary" for account 111122223333, taken near the generation time, should be 26 \(the users in this file\)/);
    assert.match(provenance?.limitations[0] ?? '', /^Point in time: the data shows the account as it was at 2026-11-02T08:15:42Z, not over a period/);
    assert.match(provenance?.limitations[1] ?? '', /at most every 4 hours/);
    assert.equal(provenance?.limitations[2], 'Every check is judged at the capture time; nothing is projected.');
    // The users population no longer claims the file is complete on its own word.
    assert.match(result.snapshot.populations.find((population) => population.name === 'users')?.statement ?? '', /the tool cannot verify that the file is unedited: compare with the Users figure of aws iam get-account-summary/);
  });

  it('says what a projection assumes, and what is missing for a snapshot without an operator', async () => {
    const result = run(await imported({ user: null, host: null, note: 'not recorded in a reproducible run (SOURCE_DATE_EPOCH set)' }), '2026-12-01T00:00:00Z');
    assert.equal(result.snapshot.provenance?.collectedBy.endsWith(', operator not recorded'), true);
    assert.match(result.snapshot.provenance?.sources[0] ?? '', /operator and host not recorded in a reproducible run/);
    assert.match(result.snapshot.provenance?.limitations[2] ?? '', /^Projection to 2026-12-01T00:00:00Z of data captured at 2026-11-02T08:15:42Z, assuming no change since capture\./);
  });

  it('is printed in the methodology and carried in the JSON', async () => {
    const result = run(await imported());
    const html = text(await renderDefaultHtml(result));
    assert.match(html, /Collected by iam-audit [^ ]+, operator jdoe on host audit-laptop/);
    assert.match(html, /Provenance The data is the IAM credential report file credential-report\.csv/);
    assert.match(html, /Limitations Point in time:/);
    const json = buildJsonReport(result) as { snapshot: { provenance: { collected_by: string; sources: string[]; limitations: string[] }; collection: { recorded_by: unknown } } };
    assert.equal(json.snapshot.provenance.collected_by, result.snapshot.provenance?.collectedBy);
    assert.equal(json.snapshot.provenance.limitations.length, 3);
    assert.deepEqual(json.snapshot.collection.recorded_by, { user: 'jdoe', host: 'audit-laptop', note: null });
  });
});

describe('provenance of a live collection', () => {
  it('names the caller and reconciles the population in one sentence', () => {
    const base = snapshotWith({ source: 'aws-api', users: [user('alice'), user('bob')], populations: { users: completePopulation(2, 2, 'iam:GetAccountSummary Users') } });
    const snapshot: Snapshot = { ...base, collection: { ...base.collection, callerArn: 'arn:aws:sts::123456789012:assumed-role/Audit/jdoe', region: 'us-east-1', recordedBy: { user: 'jdoe', host: 'ci-7', note: null } } };
    const [statement] = run(snapshot).snapshot.provenance?.sources ?? [];
    assert.equal(
      statement,
      'Collected live through the AWS IAM API by iam-audit 0.0.0-test as arn:aws:sts::123456789012:assumed-role/Audit/jdoe (region us-east-1), 2026-06-01T00:00:00Z to 2026-06-01T00:00:00Z, operator jdoe on host ci-7. 2 IAM users were listed and iam:GetAccountSummary Users gives 2: they reconcile.',
    );
  });
});
