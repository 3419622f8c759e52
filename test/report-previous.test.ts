import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { EXCEPTIONS_YAML, newSnapshot, OLD_CAPTURE, oldSnapshot } from './support/demo-series.js';
import { runCli, temporaryFolder } from './support/cli.js';
import { readSnapshot } from '../src/snapshot/io.js';

const ENV = { SOURCE_DATE_EPOCH: '1767364200' };
let work: { path: string; cleanup: () => Promise<void> };
let A = '';
let B = '';
let EXCEPTIONS = '';
before(async () => {
  work = await temporaryFolder('iam-audit-previous-');
  A = join(work.path, 'old.json');
  B = join(work.path, 'new.json');
  EXCEPTIONS = join(work.path, 'exceptions.yaml');
  await writeFile(A, JSON.stringify(oldSnapshot()));
  await writeFile(B, JSON.stringify(newSnapshot()));
  await writeFile(EXCEPTIONS, EXCEPTIONS_YAML);
});
after(async () => {
  await work.cleanup();
});

it('report --previous adds "Changes since the previous report" to the HTML and JSON', async () => {
  const out = join(work.path, 'out');
  const result = await runCli(['report', B, '--previous', A, '--exceptions', EXCEPTIONS, '-f', 'json,html', '-d', out, '--quiet'], { env: ENV });
  assert.equal(result.code, 0, result.stderr);
  const files = await readdir(out);
  const json = JSON.parse(await readFile(join(out, files.find((name) => /^iam_audit_[0-9T-]+\.json$/.test(name)) ?? ''), 'utf8')) as {
    changes_since_previous: {
      previous: { captured_at: string; snapshot_sha256: string };
      counts: { newly_failing: number; resolved: number };
      newly_failing: { rule_id: string; resource_name: string }[];
      resolved: { rule_id: string; resource_name: string }[];
      control_movements: { framework: string; control_id: string; before: string; after: string }[];
    };
  };
  const changes = json.changes_since_previous;
  assert.equal(changes.previous.captured_at, OLD_CAPTURE);
  assert.equal(changes.previous.snapshot_sha256, (await readSnapshot(A)).sha256);
  assert.ok(changes.newly_failing.some((item) => item.rule_id === 'console-users-mfa' && item.resource_name === 'erin.dev'));
  assert.ok(changes.resolved.some((item) => item.rule_id === 'console-users-mfa' && item.resource_name === 'dave.dev'));
  assert.ok(changes.control_movements.some((item) => item.framework === 'cis-5.0' && item.control_id === '1.7' && item.before === 'fail' && item.after === 'pass'));
  const html = await readFile(join(out, files.find((name) => name.endsWith('.html')) ?? ''), 'utf8');
  assert.match(html, /<h2>Changes since the previous report<\/h2>/);
  assert.ok(html.includes(OLD_CAPTURE) && html.includes(changes.previous.snapshot_sha256));
});

it('report without --previous has no such section; a previous of another account is refused, nothing written', async () => {
  const out = join(work.path, 'plain');
  const plain = await runCli(['report', B, '-f', 'json', '-d', out, '--quiet'], { env: ENV });
  assert.equal(plain.code, 0, plain.stderr);
  const [name] = (await readdir(out)).filter((file) => /^iam_audit_[0-9T-]+\.json$/.test(file));
  assert.ok(!('changes_since_previous' in (JSON.parse(await readFile(join(out, name ?? ''), 'utf8')) as object)));
  const other = join(work.path, 'other.json');
  await writeFile(other, JSON.stringify(oldSnapshot()).replaceAll('111122223333', '444455556666'));
  const refused = await runCli(['report', B, '--previous', other, '-f', 'json', '-d', join(work.path, 'refused')], { env: ENV });
  assert.equal(refused.code, 2);
  assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
  assert.match(refused.stderr, /refusing to compare different accounts/);
  // report has neither --allow-different-accounts nor --reverse (those are diff's): its errors name only its own flags.
  assert.match(refused.stderr, /--previous .*other\.json is account 444455556666 .*give --previous an earlier audit of account 111122223333/);
  assert.doesNotMatch(refused.stderr, /--allow-different-accounts|--reverse/);
  await assert.rejects(readdir(join(work.path, 'refused')), { code: 'ENOENT' });
});

it('a --previous captured after the report\'s snapshot is refused naming only report\'s flags, nothing written', async () => {
  const refused = await runCli(['report', A, '--previous', B, '-f', 'json', '-d', join(work.path, 'refused-newer')], { env: ENV });
  assert.equal(refused.code, 2, refused.stderr);
  assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
  assert.match(refused.stderr, /--previous .* is newer than .*; give --previous an audit captured before this one/);
  assert.doesNotMatch(refused.stderr, /--allow-different-accounts|--reverse|swap them/);
  await assert.rejects(readdir(join(work.path, 'refused-newer')), { code: 'ENOENT' });
});
