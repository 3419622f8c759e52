import assert from 'node:assert/strict';
import { copyFile, mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { runCli, temporaryFolder } from './support/cli.js';

// A snapshot and the report JSON made of it are the same capture: `diff` finds no change at all,
// whether or not the snapshot sits beside the report JSON (issue 24 §3).
const ENV = { SOURCE_DATE_EPOCH: '1796285742' };
let work: { path: string; cleanup: () => Promise<void> };
let snapshot = '';
let reportJson = '';
before(async () => {
  work = await temporaryFolder('iam-audit-diff-report-json-');
  const evidence = join(work.path, 'evidence');
  const audit = await runCli(['audit', 'fixtures/demo/credential-report.csv', '--generated-at', '2026-11-02T08:15:42Z', '-f', 'json', '-d', evidence], { env: ENV });
  assert.equal(audit.code, 0, audit.stderr);
  const names = await readdir(evidence);
  snapshot = join(evidence, names.find((name) => name.startsWith('snapshot-')) ?? '');
  // The report JSON alone in another folder: no snapshot beside it, so no root row and no keys.
  await mkdir(join(work.path, 'alone'));
  reportJson = join(work.path, 'alone', 'report.json');
  await copyFile(join(evidence, names.find((name) => /^iam_audit_[\dT-]+\.json$/.test(name)) ?? ''), reportJson);
});
after(async () => {
  await work.cleanup();
});

interface ChangeJson {
  changed: boolean;
  counts: Record<string, number>;
  identities: { removed: unknown[]; added: unknown[] };
  rates: { mfa: { before: number; after: number }; console_mfa: { before: number; after: number } };
}

for (const [name, order] of [['snapshot → its report JSON', (a: string, b: string) => [a, b]], ['its report JSON → snapshot', (a: string, b: string) => [b, a]]] as const) {
  it(`${name}: no change, no root removed or added, rates subtracted unrounded`, async () => {
    const out = join(work.path, `out-${name.length}-${order('a', 'b').join('')}`);
    const result = await runCli(['diff', ...order(snapshot, reportJson), '-f', 'json', '-d', out], { env: ENV });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^No change between OLD and NEW\.$/m);
    assert.doesNotMatch(result.stdout, /<root_account>/);
    assert.match(result.stdout, /MFA 42\.3% -> 42\.3% \(\+0\.0 points\); console users with MFA 57\.9% -> 57\.9% \(\+0\.0 points\)/);
    const [file] = await readdir(out);
    const report = JSON.parse(await readFile(join(out, file ?? ''), 'utf8')) as ChangeJson;
    assert.equal(report.changed, false);
    assert.deepEqual([report.identities.added.length, report.identities.removed.length], [0, 0]);
    // 11 of 26 users and 11 of 19 console users, exactly: not 42.3 % read back from the rounded percentage.
    assert.equal(report.rates.mfa.after, 11 / 26);
    assert.equal(report.rates.mfa.before, 11 / 26);
    assert.equal(report.rates.console_mfa.after - report.rates.console_mfa.before, 0);
    assert.ok(Object.entries(report.counts).every(([key, value]) => key === 'still_failing' || value === 0), JSON.stringify(report.counts));
  });
}
