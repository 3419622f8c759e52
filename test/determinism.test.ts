/**
 * The same snapshot analysed twice gives the same files: byte-identical with SOURCE_DATE_EPOCH
 * (it fixes the run's own timestamps), identical apart from those timestamps without it.
 */
import assert from 'node:assert/strict';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FIXTURES, isEvidenceFile, runCli, temporaryFolder } from './support/cli.js';
import { runExampleReport, writeExampleSnapshot } from './support/report-run.js';

async function readAll(folder: string, evidence = true): Promise<Map<string, Buffer>> {
  const files = (await readdir(folder)).sort().filter((name) => evidence || !isEvidenceFile(name));
  return new Map(await Promise.all(files.map(async (name) => [name, await readFile(join(folder, name))] as const)));
}

const EXCEPTIONS = 'exceptions:\n  - { rule: example-key-age, resource: alice, justification: j, approvedBy: a, expires: 2030-01-01 }\n  - { rule: example-key-age, resource: zed, justification: k, approvedBy: b, expires: 2020-01-01 }\n';

describe('determinism', () => {
  let folder: { path: string; cleanup: () => Promise<void> };
  let snapshotPath: string;
  before(async () => {
    folder = await temporaryFolder();
    snapshotPath = await writeExampleSnapshot(folder.path);
    await writeFile(join(folder.path, 'exceptions.yaml'), EXCEPTIONS);
  });
  after(async () => folder.cleanup());

  it('gives byte-identical files from the CLI with SOURCE_DATE_EPOCH', async () => {
    const runs = [];
    for (const name of ['cli-1', 'cli-2']) {
      const out = join(folder.path, name);
      const run = await runCli(['report', join(FIXTURES, 'demo', 'snapshot.json'), '-d', out, '--format', 'csv,json,ocsf', '--quiet'], { env: { SOURCE_DATE_EPOCH: '1800000000' } });
      assert.equal(run.code, 0, run.stderr);
      runs.push(await readAll(out));
    }
    const [first, second] = runs as [Map<string, Buffer>, Map<string, Buffer>];
    assert.deepEqual([...first.keys()], [
      'iam_audit_2027-01-15T08-00-00.SHA256SUMS',
      'iam_audit_2027-01-15T08-00-00.csv',
      'iam_audit_2027-01-15T08-00-00.json',
      'iam_audit_2027-01-15T08-00-00.manifest.json',
      'iam_audit_2027-01-15T08-00-00.ocsf.json',
      'iam_audit_findings_2027-01-15T08-00-00.csv',
      'iam_audit_rules_2027-01-15T08-00-00.csv',
    ]);
    for (const [name, bytes] of first) assert.ok(bytes.equals(second.get(name) ?? Buffer.alloc(0)), `${name} differs`);
  });

  it('gives byte-identical files with rules, results and exceptions, with SOURCE_DATE_EPOCH', async () => {
    const runs = [];
    for (const name of ['catalogue-1', 'catalogue-2']) {
      const outDir = join(folder.path, name);
      await runExampleReport({ snapshotPath, outDir, exceptionsPath: join(folder.path, 'exceptions.yaml') });
      runs.push(await readAll(outDir));
    }
    const [first, second] = runs as [Map<string, Buffer>, Map<string, Buffer>];
    assert.equal(first.size, 7, 'five reports (MFA, findings and rules CSV, JSON), the manifest and SHA256SUMS');
    for (const [name, bytes] of first) assert.ok(bytes.equals(second.get(name) ?? Buffer.alloc(0)), `${name} differs`);
    // The catalogue is really in there: not two empty files that trivially agree.
    const json = [...first].find(([name]) => name.endsWith('.json') && !name.endsWith('.ocsf.json'))?.[1].toString('utf8') ?? '';
    assert.match(json, /"status":"excepted"/);
  });

  it('without SOURCE_DATE_EPOCH, differs only in the run timestamps', async () => {
    const runs = [];
    for (const name of ['clock-1', 'clock-2']) {
      const outDir = join(folder.path, name);
      await runExampleReport({ snapshotPath, outDir, exceptionsPath: join(folder.path, 'exceptions.yaml'), environment: {} });
      // The manifest lists the reports' hashes, which differ with the run timestamps inside them.
      runs.push([...(await readAll(outDir, false)).values()].map((bytes) => bytes.toString('utf8')));
    }
    // Files sort the same way in both runs: [mfa csv, json, ocsf, findings csv].
    const [first, second] = runs as [string[], string[]];
    const withoutRunTimes = (json: string): unknown => {
      const parsed = JSON.parse(json) as { metadata: Record<string, unknown> };
      delete parsed.metadata['audit_start'];
      delete parsed.metadata['audit_end'];
      delete parsed.metadata['audit_start_utc'];
      delete parsed.metadata['audit_end_utc'];
      delete parsed.metadata['elapsed_seconds'];
      return parsed;
    };
    const ocsfWithoutTimes = (json: string): unknown =>
      (JSON.parse(json) as { time?: number; finding_info: { created_time?: number } }[]).map((finding) => {
        delete finding.time;
        delete finding.finding_info.created_time;
        return finding;
      });
    assert.equal(first[0], second[0], 'MFA CSV');
    assert.deepEqual(withoutRunTimes(first[1] ?? ''), withoutRunTimes(second[1] ?? ''), 'JSON');
    assert.deepEqual(ocsfWithoutTimes(first[2] ?? ''), ocsfWithoutTimes(second[2] ?? ''), 'OCSF');
    assert.equal(first[3], second[3], 'findings CSV');
  });
});
