/**
 * The report carries its own fonts: printed on a machine whose fontconfig sees no font at all, the
 * PDF still has all its text, set in the embedded faces, with no identifier broken inside a word.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { runCli, temporaryFolder } from './support/cli.js';
import { DEMO_CREDENTIAL_REPORT } from './render-support.js';

const run = promisify(execFile);

/**
 * The first place `token` is cut between two letters or digits: a line ending in a prefix of it (at
 * the line end or before a column gap) and the next line holding the rest as a word of its own.
 * `others` are whole tokens that may legitimately equal such a prefix.
 */
export function brokenInsideWord(text: string, token: string, others: ReadonlySet<string>): string | null {
  const lines = text.split('\n');
  const escape = (value: string): string => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  for (let cut = 2; cut < token.length; cut += 1) {
    if (!/[\p{L}\p{N}]/u.test(token[cut - 1] ?? '') || !/[\p{L}\p{N}]/u.test(token[cut] ?? '')) continue;
    const prefix = token.slice(0, cut);
    if (others.has(prefix)) continue;
    const head = new RegExp(`(^|[\\s(])${escape(prefix)}(\\s{2,}|\\s*$)`);
    const tail = new RegExp(`(^|\\s)${escape(token.slice(cut))}([\\s,]|$)`);
    for (let index = 0; index + 1 < lines.length; index += 1) {
      if (head.test(lines[index] ?? '') && tail.test(lines[index + 1] ?? '')) return `${prefix}|${token.slice(cut)}`;
    }
  }
  return null;
}

describe('PDF fonts on a machine without fonts (real Chromium)', () => {
  let folder: { path: string; cleanup: () => Promise<void> };
  let pdfPath: string;
  let text: string;
  let fonts: string[];
  let ruleIds: string[];
  let userNames: string[];

  before(async () => {
    folder = await temporaryFolder('iam-audit-fonts-');
    const emptyFonts = join(folder.path, 'no-fonts');
    await mkdir(emptyFonts);
    await mkdir(join(folder.path, 'font-cache'));
    const config = join(folder.path, 'fonts.conf');
    await writeFile(
      config,
      `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n  <dir>${emptyFonts}</dir>\n  <cachedir>${join(folder.path, 'font-cache')}</cachedir>\n</fontconfig>\n`,
    );
    // The premise: this fontconfig lists no font at all.
    const listed = (await run('fc-list', [], { env: { ...process.env, FONTCONFIG_FILE: config } })).stdout.trim();
    assert.equal(listed, '', 'the test fontconfig must see no fonts');
    const audit = await runCli(['audit', DEMO_CREDENTIAL_REPORT, '--generated-at', '2026-11-02T08:15:42Z', '-d', join(folder.path, 'out'), '--quiet'], {
      env: { FONTCONFIG_FILE: config, SOURCE_DATE_EPOCH: '1793872800' },
    });
    assert.equal(audit.code, 0, audit.stderr);
    const out = join(folder.path, 'out');
    pdfPath = join(out, 'iam_audit_2026-11-05T10-00-00.pdf');
    text = (await run('pdftotext', ['-layout', pdfPath, '-'], { maxBuffer: 64 * 1024 * 1024 })).stdout;
    fonts = (await run('pdffonts', [pdfPath])).stdout.split('\n').slice(2).filter((line) => line.trim() !== '');
    const json = JSON.parse(await readFile(join(out, 'iam_audit_2026-11-05T10-00-00.json'), 'utf8')) as { rules: { id: string }[] };
    ruleIds = json.rules.map((rule) => rule.id);
    const csv = await readFile(DEMO_CREDENTIAL_REPORT, 'utf8');
    userNames = (parse(csv, { columns: true }) as { user: string }[]).map((row) => row.user);
    assert.ok((await readdir(out)).length > 0);
  });
  after(() => folder.cleanup());

  it('embeds every font it uses, the footer face included', () => {
    assert.ok(fonts.length >= 3, fonts.join('\n'));
    for (const line of fonts) {
      // name type encoding emb sub uni object-id generation
      const columns = line.trim().split(/\s+/);
      assert.equal(columns[columns.length - 5], 'yes', `embedded: ${line}`);
      assert.match(line, /IBMPlex(Sans|Mono)/, `one of the report's own faces: ${line}`);
    }
    assert.ok(fonts.some((line) => line.includes('IAMAFT+IBMPlexSans-Regular')), 'the footer face');
  });

  it('has the body text, not only the footers', () => {
    for (const phrase of ['AWS IAM audit report', 'Executive summary', 'Methodology', 'Appendix', 'console-users-mfa', 'Snapshot SHA-256']) {
      assert.ok(text.includes(phrase), phrase);
    }
    assert.match(text, /Page 2 of \d+/);
    for (const name of userNames.filter((user) => user !== '<root_account>')) assert.ok(text.includes(name), `user ${name} appears whole`);
  });

  it('recognises a broken identifier (the check can fail)', () => {
    const tokens = new Set(['access-keys-at-initial-setup']);
    assert.equal(brokenInsideWord('  1.10  FAIL   access-keys-at-initi\n               al-setup\n', 'access-keys-at-initial-setup', tokens), 'access-keys-at-initi|al-setup');
    assert.equal(brokenInsideWord('  1.10  FAIL   access-keys-at-\n               initial-setup\n', 'access-keys-at-initial-setup', tokens), null);
  });

  it('breaks no rule id and no user name inside a word', () => {
    const tokens = new Set([...ruleIds, ...userNames]);
    assert.ok(ruleIds.length >= 20 && userNames.length >= 20);
    for (const token of tokens) assert.equal(brokenInsideWord(text, token, tokens), null, token);
  });
});
