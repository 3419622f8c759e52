/**
 * Issue 26: `--gzip` writes every machine output (CSV, JSON, OCSF, OCSF JSON Lines, JUnit, ASFF)
 * compressed as <name>.gz, streamed, all or nothing. Each .gz must gunzip to the very bytes the
 * plain run writes; the manifest and SHA256SUMS must name the .gz files with their own digests;
 * a streamed run and a rendered run must write the same .gz bytes; and the readers of report
 * JSONs (diff, trend, report --previous) must take the .gz.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { runReport, DEFAULT_PRESENTATION, type ReportOptions } from '../src/app/report/report.js';
import { loadArchive } from '../src/app/archive/archive-input.js';
import { allFrameworks } from '../src/frameworks/index.js';
import { allRules } from '../src/rules/index.js';
import { GZIP_MEMBER_BYTES, GzipMembers } from '../src/util/gzip-members.js';
import { FIXTURES, runCli, temporaryFolder } from './support/cli.js';
import { TextSink } from './support/report-run.js';

let work: { path: string; cleanup: () => Promise<void> };
before(async () => {
  work = await temporaryFolder('iam-audit-gzip-');
});
after(async () => {
  await work.cleanup();
});

const DEMO = join(FIXTURES, 'demo', 'snapshot.json');
const MACHINE_FORMATS: ReportOptions['formats'] = ['csv', 'json', 'ocsf', 'ocsf-jsonl', 'junit', 'asff'];

async function run(name: string, options: Partial<ReportOptions> & Pick<ReportOptions, 'formats'>): Promise<{ outDir: string; files: Map<string, Buffer>; written: readonly string[] }> {
  const outDir = join(work.path, name);
  const outcome = await runReport({
    snapshotPath: DEMO,
    outDir,
    quiet: true,
    failOnFindings: false,
    overwrite: false,
    presentation: DEFAULT_PRESENTATION,
    environment: { SOURCE_DATE_EPOCH: '1767364200' },
    stdout: new TextSink(),
    stderr: new TextSink(),
    ...options,
  });
  const files = new Map<string, Buffer>();
  for (const file of (await readdir(outDir)).sort()) files.set(file, await readFile(join(outDir, file)));
  return { outDir, files, written: outcome.writtenFiles };
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const isEvidenceIndex = (name: string): boolean => name.endsWith('.manifest.json') || name.endsWith('SHA256SUMS');

describe('--gzip', () => {
  it('every machine output is <name>.gz and gunzips to the plain run, byte for byte', async () => {
    const plain = await run('plain', { formats: MACHINE_FORMATS });
    const gzip = await run('gzip', { formats: MACHINE_FORMATS, gzip: true });
    const plainOutputs = [...plain.files.keys()].filter((name) => !isEvidenceIndex(name));
    assert.ok(plainOutputs.length >= 8, `every format wrote its files: ${plainOutputs.join(', ')}`);
    assert.deepEqual(
      [...gzip.files.keys()].filter((name) => !isEvidenceIndex(name)),
      plainOutputs.map((name) => `${name}.gz`),
    );
    for (const name of plainOutputs) {
      const compressed = gzip.files.get(`${name}.gz`) ?? Buffer.alloc(0);
      assert.deepEqual([compressed[0], compressed[1]], [0x1f, 0x8b], `${name}.gz is gzip`);
      assert.ok(compressed.length < (plain.files.get(name)?.length ?? 0) || name.endsWith('rules.csv'), `${name}.gz is smaller`);
      assert.ok(gunzipSync(compressed).equals(plain.files.get(name) ?? Buffer.alloc(0)), `${name}.gz holds the plain run's bytes`);
    }
    // The console's list of written files names the .gz files, in the same order.
    assert.deepEqual(
      gzip.written.map((path) => path.replace(gzip.outDir, '')),
      plain.written.map((path) => path.replace(plain.outDir, '')).map((path) => (isEvidenceIndex(path.slice(1)) ? path : `${path}.gz`)),
    );
  });

  it('the manifest and SHA256SUMS name the .gz files with the digests of their compressed bytes', async () => {
    const gzip = await run('gzip-manifest', { formats: ['csv', 'json', 'ocsf'], gzip: true });
    const manifestName = [...gzip.files.keys()].find((name) => name.endsWith('.manifest.json')) ?? '';
    const manifest = JSON.parse(gzip.files.get(manifestName)?.toString('utf8') ?? '{}') as { artifacts: { name: string; size: number; sha256: string }[] };
    const outputs = [...gzip.files.keys()].filter((name) => !isEvidenceIndex(name));
    for (const name of outputs) {
      const artifact = manifest.artifacts.find((entry) => entry.name === name);
      const bytes = gzip.files.get(name) ?? Buffer.alloc(0);
      assert.ok(artifact !== undefined, `the manifest names ${name}`);
      assert.equal(artifact.size, bytes.length);
      assert.equal(artifact.sha256, sha256(bytes));
    }
    const sums = [...gzip.files.entries()].find(([name]) => name.endsWith('SHA256SUMS'))?.[1].toString('utf8') ?? '';
    for (const name of outputs) assert.ok(sums.includes(`${sha256(gzip.files.get(name) ?? Buffer.alloc(0))}  ${name}\n`), `SHA256SUMS names ${name}`);
    assert.equal(manifest.artifacts.some((entry) => /\.(csv|json)$/.test(entry.name) && !entry.name.endsWith('snapshot.json')), false, 'no uncompressed output is listed');
  });

  it('a streamed run writes the same .gz bytes as a rendered one (CSV and JSON, --status)', async () => {
    const options = { formats: ['csv', 'json'] as ReportOptions['formats'], gzip: true, presentation: { ...DEFAULT_PRESENTATION, statuses: ['fail', 'not_evaluated'] as const } };
    const rendered = await run('gzip-rendered', { ...options, streamResults: false });
    const streamed = await run('gzip-streamed', { ...options, streamResults: true });
    assert.deepEqual([...streamed.files.keys()], [...rendered.files.keys()]);
    for (const [name, bytes] of rendered.files) assert.ok(streamed.files.get(name)?.equals(bytes), `${name} is the same in both runs`);
  });

  it('a report JSON written with --gzip is read back as the plain one (diff, trend, report --previous)', async () => {
    const plain = await run('reader-plain', { formats: ['json'] });
    const gzip = await run('reader-gzip', { formats: ['json'], gzip: true });
    const plainName = [...plain.files.keys()].find((name) => name.endsWith('.json') && !isEvidenceIndex(name)) ?? '';
    const analysis = { rules: allRules, frameworks: allFrameworks, configuration: {}, exceptions: [], clock: () => new Date('2026-12-01T00:00:00Z') } as unknown as Parameters<typeof loadArchive>[1];
    const fromPlain = await loadArchive(join(plain.outDir, plainName), analysis);
    const fromGzip = await loadArchive(join(gzip.outDir, `${plainName}.gz`), analysis);
    assert.equal(fromGzip.kind, 'report-json');
    assert.equal(fromGzip.fileSha256, sha256(gzip.files.get(`${plainName}.gz`) ?? Buffer.alloc(0)));
    assert.ok(fromGzip.findings.length > 100);
    assert.deepEqual(fromGzip.findings, fromPlain.findings);
    assert.deepEqual(fromGzip.frameworks, fromPlain.frameworks);
    assert.equal(fromGzip.capturedAt, fromPlain.capturedAt);
  });
});

describe('--gzip on the command line', () => {
  it('report --gzip writes .gz files; an organisation report refuses --gzip rather than ignore it', async () => {
    const out = join(work.path, 'cli');
    const single = await runCli(['report', DEMO, '-d', out, '--format', 'json,junit', '--gzip', '--quiet'], { env: { SOURCE_DATE_EPOCH: '1767364200' } });
    assert.equal(single.code, 0, single.stderr);
    assert.deepEqual((await readdir(out)).filter((name) => !isEvidenceIndex(name)).sort(), ['iam_audit_2026-01-02T14-30-00.json.gz', 'iam_audit_2026-01-02T14-30-00.junit.xml.gz']);
    const folder = join(work.path, 'org-folder');
    await mkdir(folder);
    await copyFile(DEMO, join(folder, 'snapshot-111122223333.json'));
    const org = await runCli(['report', folder, '-d', join(work.path, 'org-out'), '--format', 'json', '--gzip', '--quiet']);
    assert.equal(org.code, 2);
    assert.match(org.stderr, /--gzip is for one account's report/);
  });
});

describe('GzipMembers', () => {
  const text = Buffer.from(Array.from({ length: 300_000 }, (_, index) => `line ${index} ${(index * 7919) % 104_729}\n`).join(''), 'utf8');

  function compress(pieceBytes: number): Buffer {
    const members = new GzipMembers();
    const pieces: Buffer[] = [];
    for (let offset = 0; offset < text.length; offset += pieceBytes) pieces.push(members.push(text.subarray(offset, offset + pieceBytes)));
    pieces.push(members.end());
    return Buffer.concat(pieces);
  }

  it('gives the same bytes however the text arrives, and several members that gunzip as one text', () => {
    assert.ok(text.length > GZIP_MEMBER_BYTES, 'the text spans more than one member');
    const whole = compress(text.length);
    for (const pieceBytes of [7, 65_536, 1 << 20, GZIP_MEMBER_BYTES, GZIP_MEMBER_BYTES + 1]) assert.ok(compress(pieceBytes).equals(whole), `pieces of ${pieceBytes} bytes`);
    assert.ok(gunzipSync(whole).equals(text));
    const members = whole.reduce((count, byte, index) => count + (byte === 0x1f && whole[index + 1] === 0x8b && whole[index + 2] === 0x08 ? 1 : 0), 0);
    assert.ok(members >= Math.ceil(text.length / GZIP_MEMBER_BYTES), `${members} members`);
    assert.ok(whole.length < text.length / 2);
  });

  it('an empty text is a valid, empty .gz', () => {
    const members = new GzipMembers();
    assert.equal(members.push(Buffer.alloc(0)).length, 0);
    assert.equal(gunzipSync(members.end()).length, 0);
  });
});
