/**
 * docs/commands.md is generated from the CLI's own --help texts (scripts/generate-command-reference.mjs),
 * so the reference cannot drift from the yargs definitions: regenerated in memory here and compared
 * with the committed file, command by command, naming the command that differs and how to regenerate.
 * Also: the README stays short, and nothing of the old long README was lost in the move to docs/.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { packageRoot } from '../src/util/paths.js';

const GENERATOR = join(packageRoot, 'scripts', 'generate-command-reference.mjs');
const REFERENCE = join(packageRoot, 'docs', 'commands.md');
const REGENERATE = 'npm run docs:commands';

/** The markdown split at its "## " headings: heading -> the section's text. */
function sections(markdown: string): Map<string, string> {
  const bySection = new Map<string, string>();
  let heading = '(preamble)';
  let lines: string[] = [];
  for (const line of markdown.split('\n')) {
    if (line.startsWith('## ')) {
      bySection.set(heading, lines.join('\n'));
      heading = line.slice(3);
      lines = [];
    } else lines.push(line);
  }
  bySection.set(heading, lines.join('\n'));
  return bySection;
}

/** One line per section that is missing, extra or different in the committed file; empty when current. */
function staleSections(committed: string, regenerated: string): string[] {
  const was = sections(committed);
  const now = sections(regenerated);
  const problems: string[] = [];
  for (const [heading, text] of now) {
    const old = was.get(heading);
    if (old === undefined) problems.push(`${heading}: missing from docs/commands.md`);
    else if (old !== text) problems.push(`${heading}: differs from the CLI's --help`);
  }
  for (const heading of was.keys()) if (!now.has(heading)) problems.push(`${heading}: no longer a command of the CLI`);
  return problems;
}

function regenerate(): string {
  return execFileSync(process.execPath, [GENERATOR, '--stdout'], { cwd: packageRoot, encoding: 'utf8', env: { ...process.env, COLUMNS: '57' } });
}

describe('command reference (docs/commands.md)', () => {
  it('is what the generator writes from the current --help texts', async () => {
    const committed = await readFile(REFERENCE, 'utf8');
    const regenerated = regenerate();
    const problems = staleSections(committed, regenerated);
    assert.deepEqual(problems, [], `docs/commands.md is stale; regenerate it with \`${REGENERATE}\`:\n  ${problems.join('\n  ')}`);
    assert.equal(committed, regenerated, `docs/commands.md is stale; regenerate it with \`${REGENERATE}\``);
  });

  it('holds every command of the CLI with its options', async () => {
    const committed = await readFile(REFERENCE, 'utf8');
    for (const command of ['collect', 'import', 'report', 'audit', 'rules', 'verify', 'notify', 'trend', 'diff', 'merge-index']) {
      assert.match(committed, new RegExp(`^## \`iam-audit ${command}\`$`, 'm'), command);
    }
    assert.match(sections(committed).get('`iam-audit report`') ?? '', /--fail-on-findings/);
    assert.doesNotMatch(committed, new RegExp(packageRoot.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 'no machine path in the reference');
  });

  it('names the stale command when one help text changed, and a command added or removed', () => {
    const committed = '# Command reference\n\n## `iam-audit rules`\n\n```text\nold\n```\n\n## `iam-audit gone`\n\nx\n';
    const regenerated = '# Command reference\n\n## `iam-audit rules`\n\n```text\nnew\n```\n\n## `iam-audit export`\n\nx\n';
    assert.deepEqual(staleSections(committed, regenerated), [
      '`iam-audit rules`: differs from the CLI\'s --help',
      '`iam-audit export`: missing from docs/commands.md',
      '`iam-audit gone`: no longer a command of the CLI',
    ]);
    assert.deepEqual(staleSections(committed, committed), []);
  });
});

/** Every "## " heading of the README before it was split into the user guide and docs/ (none may be lost). */
const OLD_README_HEADINGS = [
  'How it works',
  'Commands',
  'The snapshot',
  'Rules and framework maps',
  'Rules, configuration and exceptions',
  'Printable report',
  'Mailing owners (`notify`)',
  'Signed evidence',
  'Live collection',
  'Performance',
  'Comparing archives: finding ids, `diff`, `trend`, `report --previous`',
  'Exit codes',
  'What "complete" means',
];

describe('README and docs', () => {
  it('keeps the README under 15 KB with the demo and test commands first', async () => {
    const readme = await readFile(join(packageRoot, 'README.md'), 'utf8');
    assert.ok(Buffer.byteLength(readme) < 15 * 1024, `README.md is ${Buffer.byteLength(readme)} bytes`);
    const firstBlock = readme.split('```')[1] ?? '';
    assert.match(firstBlock, /npm ci && npx iam-audit audit fixtures\/demo\/credential-report\.csv --generated-at 2026-11-02T08:15:42Z -d out/);
    assert.match(firstBlock, /^npm test\b/m);
  });

  it('keeps every section of the old README somewhere under docs/', async () => {
    const files = (await readdir(join(packageRoot, 'docs'))).filter((name) => name.endsWith('.md'));
    const texts = await Promise.all(files.map(async (name) => readFile(join(packageRoot, 'docs', name), 'utf8')));
    const headings = new Set(texts.flatMap((text) => text.split('\n').filter((line) => /^#{2,4} /.test(line)).map((line) => line.replace(/^#+ /, ''))));
    const lost = OLD_README_HEADINGS.filter((heading) => !headings.has(heading));
    assert.deepEqual(lost, []);
  });

  it('names no issue numbers in the user-facing text', async () => {
    for (const file of ['README.md', 'docs/user-guide.md', 'docs/commands.md']) {
      const text = await readFile(join(packageRoot, file), 'utf8');
      assert.doesNotMatch(text, /\bissues? (#?\d|number)|(^|[\s(])#\d{1,4}\b/im, file);
    }
  });

  it('says the same about finding_info.uid and the notify state key everywhere', async () => {
    const guide = await readFile(join(packageRoot, 'docs', 'user-guide.md'), 'utf8');
    assert.doesNotMatch(guide, /finding_info\.uid` is a hash/);
    assert.match(guide, /`finding_info\.uid` in OCSF/);
    assert.match(guide, /`metadata\.uid` is a hash of account, rule, resource, framework and control/);
    assert.match(guide, /The state file \(`--state`, default\s+`iam_audit_notify_state\.json` in the current folder\) records finding id -> owner -> time/);
    assert.match(guide, /the key of `notify`'s state file/);
  });
});
