/**
 * The JSON Schemas of the configuration and exceptions files (schema/): in step with the rule
 * catalogue, used for validation, and their errors name file, line, column and field.
 */
import assert from 'node:assert/strict';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { defaultConfigurationYaml, parseConfiguration } from '../src/config/configuration.js';
import { parseExceptions } from '../src/config/exceptions.js';
import { CONFIG_SCHEMA_PATH, EXCEPTIONS_SCHEMA_PATH } from '../src/config/schema-check.js';
import { allFrameworks } from '../src/frameworks/index.js';
import { allRules } from '../src/rules/index.js';
import { InputError } from '../src/util/errors.js';
import { FIXTURES, runCli, temporaryFolder } from './support/cli.js';

const config = (text: string, file = 'iam-audit.yaml') => parseConfiguration(text, file, { name: file, sha256: 'x' }, allRules, allFrameworks);
const exceptions = (text: string, file = 'exceptions.yaml') => parseExceptions(text, file, { name: file, sha256: 'y' }, allRules);

function refused(action: () => unknown, message: string): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof InputError, `expected an InputError, got ${String(error)}`);
    assert.equal(error.message, message);
    return true;
  });
}

interface OptionSchema {
  readonly type: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly default: unknown;
}
interface ConfigSchema {
  readonly properties: { readonly rules: { readonly properties: Record<string, { readonly additionalProperties: boolean; readonly properties: Record<string, OptionSchema> }> } };
}

describe('configuration schema', () => {
  it('compiles under strict mode, as does the exceptions schema', async () => {
    for (const path of [CONFIG_SCHEMA_PATH, EXCEPTIONS_SCHEMA_PATH]) {
      const schema = JSON.parse(await readFile(path, 'utf8')) as object;
      assert.doesNotThrow(() => new Ajv2020({ strict: true, strictTypes: false, allowUnionTypes: true }).compile(schema), path);
    }
  });

  it('lists every rule of the catalogue with exactly its options, their types, defaults and a range', async () => {
    const schema = JSON.parse(await readFile(CONFIG_SCHEMA_PATH, 'utf8')) as ConfigSchema;
    const listed = schema.properties.rules.properties;
    assert.deepEqual(Object.keys(listed).sort(), allRules.map((rule) => rule.id).sort());
    for (const rule of allRules) {
      const entry = listed[rule.id];
      assert.ok(entry !== undefined);
      assert.equal(entry.additionalProperties, false, rule.id);
      assert.deepEqual(Object.keys(entry.properties).sort(), ['enabled', ...Object.keys(rule.defaultOptions)].sort(), rule.id);
      for (const [name, value] of Object.entries(rule.defaultOptions)) {
        const option: OptionSchema | undefined = entry.properties[name];
        assert.ok(option !== undefined);
        assert.equal(option.default, value, `${rule.id}.${name} default`);
        if (typeof value === 'number') {
          assert.equal(option.type, 'integer');
          assert.ok(option.minimum !== undefined && option.maximum !== undefined, `${rule.id}.${name} has a range`);
          assert.ok(option.minimum >= 0 && option.minimum <= value && value <= option.maximum, `${rule.id}.${name} default within its range`);
        } else {
          assert.equal(option.type, typeof value);
        }
      }
    }
  });

  it('accepts the defaults that "rules --defaults" prints', () => {
    const parsed = config(defaultConfigurationYaml(allRules, allFrameworks));
    assert.equal(Object.keys(parsed.rules).length, allRules.length);
  });

  it('refuses negative, zero, fractional and absurd thresholds, naming file, line, column and field', () => {
    refused(() => config('rules:\n  access-key-rotation:\n    maxAgeDays: -5\n'), 'iam-audit.yaml:3:5: rules.access-key-rotation.maxAgeDays: must be >= 1, got number -5');
    refused(() => config('rules:\n  access-key-rotation: { enabled: true }\n  root-recent-use: { days: 0 }\n'), 'iam-audit.yaml:3:22: rules.root-recent-use.days: must be >= 1, got number 0');
    refused(() => config('rules:\n  unused-credentials:\n    maxUnusedDays: 45.5\n'), 'iam-audit.yaml:3:5: rules.unused-credentials.maxUnusedDays: expected integer, got number 45.5');
    refused(() => config('rules:\n  password-policy-reuse-prevention:\n    remembered: 25\n'), 'iam-audit.yaml:3:5: rules.password-policy-reuse-prevention.remembered: must be <= 24, got number 25');
    refused(
      () => config('{\n  "rules": {\n    "password-policy-min-length": { "minimumLength": 500 }\n  }\n}\n', 'c.json'),
      'c.json:3:37: rules.password-policy-min-length.minimumLength: must be <= 128, got number 500',
    );
    assert.deepEqual(config('rules:\n  access-key-rotation:\n    maxAgeDays: 3650\n').rules['access-key-rotation'], { options: { maxAgeDays: 3650 } });
  });
});

describe('exceptions schema', () => {
  const entry = (justification: string) => `exceptions:\n  - rule: access-key-rotation\n    resource: alice\n    justification: "${justification}"\n    approvedBy: Jane\n    expires: 2027-01-01\n`;

  it('accepts a normal entry and refuses an absurdly long field with its position', () => {
    assert.equal(exceptions(entry('CHG-1234')).entries.length, 1);
    refused(() => exceptions(entry('x'.repeat(2001))), 'exceptions.yaml:4:5: exceptions[0].justification: must not be longer than 2000 characters, got 2001');
  });

  it('names the line and column in a bare JSON list', () => {
    const text = '[\n  {"rule":"root-mfa","resource":"<root_account>","justification":"j","approvedBy":"a","expires":"2027-01-01"},\n  {"rule":"root-mfa","resource":"x","justification":"j","approvedBy":"a"}\n]\n';
    refused(() => exceptions(text, 'e.json'), 'e.json:3:3: exceptions[1].expires: missing; every exception needs rule, resource, justification, approvedBy, expires');
  });
});

describe('configuration errors on the command line', () => {
  let folder: { path: string; cleanup: () => Promise<void> };
  before(async () => {
    folder = await temporaryFolder('iam-audit-config-');
  });
  after(async () => {
    await folder.cleanup();
  });

  it('report --config with maxAgeDays: -5 exits 2 with one line and writes nothing', async () => {
    const bad = join(folder.path, 'bad.yaml');
    await writeFile(bad, '# keys\nrules:\n  access-key-rotation:\n    maxAgeDays: -5\n');
    const out = join(folder.path, 'out');
    const run = await runCli(['report', join(FIXTURES, 'demo', 'snapshot.json'), '-d', out, '-f', 'json', '--config', bad]);
    assert.equal(run.code, 2);
    assert.equal(run.stderr, `iam-audit: ${bad}:4:5: rules.access-key-rotation.maxAgeDays: must be >= 1, got number -5\n`);
    await assert.rejects(readdir(out), { code: 'ENOENT' });
  });
});
