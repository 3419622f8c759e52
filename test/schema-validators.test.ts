/**
 * The validators are ajv standalone code generated from the schemas in schema/ and committed
 * (src/generated/snapshot-schema.generated.ts, src/generated/*-schema.generated.ts): a schema edited
 * without regenerating them must fail here, not ship a validator that checks the old schema.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { packageRoot } from '../src/util/paths.js';
import { temporaryFolder, type CliRun } from './support/cli.js';

const GENERATOR = join(packageRoot, 'scripts', 'generate-validators.mjs');

function checkValidators(schemaDir?: string): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const args = [GENERATOR, '--check', ...(schemaDir === undefined ? [] : ['--schema-dir', schemaDir])];
    const child = spawn(process.execPath, args, { cwd: packageRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('generated schema validators', () => {
  it('are those the schemas in schema/ generate today (else: node scripts/generate-validators.mjs)', async () => {
    const run = await checkValidators();
    assert.equal(run.stderr, '');
    assert.equal(run.code, 0);
  });

  it('are reported stale, by module, when a schema changes and they do not', async () => {
    const folder = await temporaryFolder();
    try {
      await cp(join(packageRoot, 'schema'), folder.path, { recursive: true });
      const configSchema = join(folder.path, 'config.schema.json');
      const schema = JSON.parse(await readFile(configSchema, 'utf8')) as { description: string };
      schema.description = `${schema.description} (edited)`;
      await writeFile(configSchema, JSON.stringify(schema));
      const run = await checkValidators(folder.path);
      assert.equal(run.code, 1);
      assert.equal(run.stderr, 'stale validators (run node scripts/generate-validators.mjs): src/generated/config-schema.generated.ts\n');
    } finally {
      await folder.cleanup();
    }
  });
});
