/**
 * Issue 23 §5: a dangling symbolic link at an output path is refused like a file, and a write that
 * fails half way through putting the files in place leaves nothing written and nothing lost.
 */
import assert from 'node:assert/strict';
import { lstat, mkdir, readdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FileSystemError } from '../src/util/errors.js';
import { exists, writeOutputs } from '../src/util/files.js';
import { FIXTURES, runCli, temporaryFolder } from './support/cli.js';

const DEMO_REPORT = join(FIXTURES, 'demo', 'credential-report.csv');
const GENERATED_AT = ['--generated-at', '2026-11-02T08:15:42Z'];

let work: { path: string; cleanup: () => Promise<void> };
before(async () => {
  work = await temporaryFolder();
});
after(async () => {
  await work.cleanup();
});

async function folder(name: string): Promise<string> {
  const path = join(work.path, name);
  await mkdir(path, { recursive: true });
  return path;
}

describe('a dangling symbolic link at an output path', () => {
  it('is there: exists() looks at the link, not at its missing target', async () => {
    const base = await folder('exists');
    await symlink(join(base, 'gone'), join(base, 'link'));
    assert.equal(await exists(join(base, 'link')), true);
    assert.equal(await exists(join(base, 'nothing')), false);
  });

  it('import -o refuses it without --overwrite (exit 2, one line, the link untouched); with --overwrite it is replaced by the file', async () => {
    const base = await folder('import-link');
    const link = join(base, 'snapshot.json');
    const target = join(base, 'elsewhere', 'target.json');
    await symlink(target, link);
    const refused = await runCli(['import', DEMO_REPORT, ...GENERATED_AT, '-o', link]);
    assert.equal(refused.code, 2, refused.stderr);
    assert.equal(refused.stderr, `iam-audit: ${link} already exists; refusing to overwrite it (use --overwrite, or another output path)\n`);
    assert.equal(await readlink(link), target);
    assert.deepEqual((await readdir(base)).sort(), ['snapshot.json']);

    const replaced = await runCli(['import', DEMO_REPORT, ...GENERATED_AT, '-o', link, '--overwrite']);
    assert.equal(replaced.code, 0, replaced.stderr);
    assert.equal((await lstat(link)).isFile(), true);
    assert.equal(await exists(target), false, 'the link was replaced, not followed');
  });

  it('writeOutputs (report -d and every other writer) refuses it among other files, and writes none of them', async () => {
    const base = await folder('outputs-link');
    await symlink(join(base, 'gone.json'), join(base, 'b.json'));
    await assert.rejects(
      writeOutputs(
        base,
        [
          { fileName: 'a.csv', content: 'a\n' },
          { fileName: 'b.json', content: '{}' },
        ],
        false,
      ),
      { message: `${join(base, 'b.json')} already exists; refusing to overwrite it (use --overwrite, or another output path)` },
    );
    assert.deepEqual((await readdir(base)).sort(), ['b.json']);
  });
});

describe('putting the files in place is all or nothing', () => {
  it('a rename that fails half way (a folder where the second file goes) takes back the first and restores what it replaced', async () => {
    const base = await folder('half-way');
    await writeFile(join(base, 'a.csv'), 'the old a\n');
    await mkdir(join(base, 'b.json'));
    await writeFile(join(base, 'b.json', 'inside'), 'kept\n');
    await assert.rejects(
      writeOutputs(
        base,
        [
          { fileName: 'new.txt', content: 'new\n' },
          { fileName: 'a.csv', content: 'the new a\n' },
          { fileName: 'b.json', content: '{}' },
        ],
        true,
      ),
      (error: unknown) => error instanceof FileSystemError && error.path === join(base, 'b.json'),
    );
    // Nothing written (new.txt is gone again), nothing lost (a.csv as it was), no hidden file left.
    assert.deepEqual((await readdir(base)).sort(), ['a.csv', 'b.json']);
    assert.equal(await readFile(join(base, 'a.csv'), 'utf8'), 'the old a\n');
    assert.equal(await readFile(join(base, 'b.json', 'inside'), 'utf8'), 'kept\n');
  });

  it('with --overwrite every file is replaced and nothing moved aside stays behind', async () => {
    const base = await folder('overwrite');
    await writeFile(join(base, 'a.csv'), 'old\n');
    const written = await writeOutputs(
      base,
      [
        { fileName: 'a.csv', content: 'new\n' },
        { fileName: 'b.json', content: '{}' },
      ],
      true,
    );
    assert.deepEqual(written, [join(base, 'a.csv'), join(base, 'b.json')]);
    assert.deepEqual((await readdir(base)).sort(), ['a.csv', 'b.json']);
    assert.equal(await readFile(join(base, 'a.csv'), 'utf8'), 'new\n');
  });
});
