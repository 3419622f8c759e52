/**
 * Archives that age well (issue 13): every older snapshot schema version is read, migrated and
 * analysed to the same results as its current-version twin; `.json.gz` snapshots are read
 * wherever a snapshot is, and import writes them.
 */
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { analyze } from '../src/analyze/analyze.js';
import type { AnalysisResult } from '../src/analyze/result.js';
import { parseSnapshot, readSnapshot } from '../src/snapshot/io.js';
import { CURRENT_SCHEMA_VERSION, type Snapshot } from '../src/snapshot/types.js';
import { FIXTURES, runCli, temporaryFolder } from './support/cli.js';

const RUN = { startedAt: '2026-01-01T00:00:00.000Z', endedAt: '2026-01-01T00:00:01.000Z', elapsedSeconds: 1 };
const DEMO = join(FIXTURES, 'demo', 'snapshot.json');

function analysed(snapshot: Snapshot): AnalysisResult {
  return analyze({ snapshot, snapshotFile: { fileName: 'snapshot.json', sha256: 'f'.repeat(64), migratedFrom: null }, tool: { name: 'iam-audit', version: 'test' }, run: RUN });
}

/** Every older schema version's fixture and its twin in the current version. A new version must add a row. */
const OLDER_VERSIONS: readonly { version: number; fixture: string; twin: string }[] = [
  { version: 1, fixture: join(FIXTURES, 'snapshots', 'v1', 'demo-credential-report.json'), twin: DEMO },
];

describe('every older snapshot schema version', () => {
  it('has a fixture and its current-version twin', async () => {
    const versions = OLDER_VERSIONS.map((entry) => entry.version);
    assert.deepEqual(versions, Array.from({ length: CURRENT_SCHEMA_VERSION - 1 }, (_, index) => index + 1));
    const folders = (await readdir(join(FIXTURES, 'snapshots'))).filter((name) => /^v\d+$/.test(name)).sort();
    assert.deepEqual(folders, versions.map((version) => `v${version}`));
  });

  for (const entry of OLDER_VERSIONS) {
    for (const compressed of [false, true]) {
      it(`v${entry.version}${compressed ? ' (.json.gz)' : ''} migrates and gives the same results as its v${CURRENT_SCHEMA_VERSION} twin`, async () => {
        const raw = await readFile(entry.fixture);
        const older = parseSnapshot(compressed ? gzipSync(raw) : raw, 'older.json');
        const twin = parseSnapshot(await readFile(entry.twin), 'twin.json');
        assert.equal((JSON.parse(raw.toString('utf8')) as { schemaVersion: number }).schemaVersion, entry.version);
        assert.equal(older.migratedFrom, entry.version);
        assert.equal(older.snapshot.schemaVersion, CURRENT_SCHEMA_VERSION);
        const strip = (result: AnalysisResult): unknown => ({ mfa: result.mfa, catalogue: result.catalogue, inventory: result.inventory });
        assert.deepEqual(strip(analysed(older.snapshot)), strip(analysed(twin.snapshot)));
      });
    }
  }
});

describe('.json.gz snapshots', () => {
  let work: { path: string; cleanup: () => Promise<void> };
  before(async () => {
    work = await temporaryFolder('iam-audit-gz-');
  });
  after(async () => {
    await work.cleanup();
  });

  it('import -o snapshot.json.gz writes gzip whose text is the plain snapshot, the same bytes on a second run', async () => {
    const plain = join(work.path, 'plain.json');
    const archive = join(work.path, 'demo.json.gz');
    const csv = join(FIXTURES, 'demo', 'credential-report.csv');
    const env = { SOURCE_DATE_EPOCH: '1767364200' };
    assert.equal((await runCli(['import', csv, '-o', plain], { env })).code, 0);
    const first = await runCli(['import', csv, '-o', archive], { env });
    assert.equal(first.code, 0, first.stderr);
    const bytes = await readFile(archive);
    assert.deepEqual([bytes[0], bytes[1]], [0x1f, 0x8b]);
    assert.equal(gunzipSync(bytes).toString('utf8'), await readFile(plain, 'utf8'));
    // Same snapshot, same bytes: a second import without --overwrite keeps the file.
    assert.equal((await runCli(['import', csv, '-o', archive], { env })).code, 0);
    assert.ok((await readFile(archive)).equals(bytes));
    const loaded = await readSnapshot(archive);
    assert.equal(loaded.snapshot.account.id, '111122223333');
  });

  it('report reads a .json.gz snapshot and names its SHA-256 (of the archive as stored)', async () => {
    const archive = join(work.path, 'report-input.json.gz');
    const bytes = gzipSync(await readFile(DEMO));
    await writeFile(archive, bytes);
    const out = join(work.path, 'out');
    const run = await runCli(['report', archive, '--format', 'json', '-d', out, '--quiet'], { env: { SOURCE_DATE_EPOCH: '1767364200' } });
    assert.equal(run.code, 0, run.stderr);
    const [name] = (await readdir(out)).filter((file) => file.endsWith('.json') && !file.includes('manifest'));
    const json = JSON.parse(await readFile(join(out, name ?? ''), 'utf8')) as { snapshot: { sha256: string; file: string } };
    assert.equal(json.snapshot.file, 'report-input.json.gz');
    assert.equal(json.snapshot.sha256, (await readSnapshot(archive)).sha256);
  });

  it('a truncated archive is one line naming the file, exit 2, nothing written', async () => {
    const archive = join(work.path, 'truncated.json.gz');
    const bytes = gzipSync(await readFile(DEMO));
    await writeFile(archive, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const out = join(work.path, 'out-truncated');
    const run = await runCli(['report', archive, '--format', 'json', '-d', out], {});
    assert.equal(run.code, 2);
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    assert.match(run.stderr, /truncated\.json\.gz.*truncated/);
    await assert.rejects(readdir(out), { code: 'ENOENT' });
  });
});
