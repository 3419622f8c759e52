import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_CONFIGURATION } from '../src/analyze/engine.js';
import { defaultConfigurationYaml, parseConfiguration } from '../src/config/configuration.js';
import { expiryInstant, parseExceptions } from '../src/config/exceptions.js';
import { InputError } from '../src/util/errors.js';
import { exampleFrameworks, exampleRules } from './support/example-rule.js';

const config = (text: string, file = 'iam-audit.yaml') => parseConfiguration(text, file, { name: file, sha256: 'x' }, exampleRules, exampleFrameworks);
const exceptions = (text: string, file = 'exceptions.yaml') => parseExceptions(text, file, { name: file, sha256: 'y' }, exampleRules);

function assertInputError(action: () => unknown, message: string): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof InputError, `expected an InputError, got ${String(error)}`);
    assert.equal(error.message, message);
    return true;
  });
}

describe('configuration file', () => {
  it('reads rule options, enabled flags and frameworks from YAML', () => {
    const parsed = config('rules:\n  example-key-age:\n    maxAgeDays: 60\n  example-throws:\n    enabled: false\nframeworks: [other-2]\n');
    assert.deepEqual(parsed, {
      file: { name: 'iam-audit.yaml', sha256: 'x' },
      rules: { 'example-key-age': { options: { maxAgeDays: 60 } }, 'example-throws': { enabled: false, options: {} } },
      frameworks: ['other-2'],
    });
  });

  it('reads JSON', () => {
    const parsed = config('{"rules": {"example-root-mfa": {"label": "break-glass", "allowNoPassword": false}}}', 'c.json');
    assert.deepEqual(parsed.rules, { 'example-root-mfa': { options: { label: 'break-glass', allowNoPassword: false } } });
    assert.equal(parsed.frameworks, null);
  });

  it('treats an empty file as the defaults', () => {
    assert.deepEqual(config(''), { file: { name: 'iam-audit.yaml', sha256: 'x' }, rules: {}, frameworks: null });
  });

  it('names the file, line, column and field for every mistake', () => {
    assertInputError(() => config('rules:\n  no-such-rule: {}\n'), 'iam-audit.yaml:2:3: rules.no-such-rule: unknown rule id "no-such-rule" (run "iam-audit rules" to list them)');
    assertInputError(
      () => config('rules:\n  example-key-age:\n    maxAge: 3\n'),
      'iam-audit.yaml:3:5: rules.example-key-age.maxAge: unknown option "maxAge"; expected one of: enabled, maxAgeDays',
    );
    assertInputError(() => config('rules:\n  example-key-age:\n    maxAgeDays: "ninety"\n'), 'iam-audit.yaml:3:5: rules.example-key-age.maxAgeDays: expected a number (default 90), got the text "ninety"');
    assertInputError(() => config('rules:\n  example-key-age:\n    enabled: "no"\n'), 'iam-audit.yaml:3:5: rules.example-key-age.enabled: expected true or false, got the text "no"');
    assertInputError(() => config('rules:\n  example-root-mfa:\n    label: 3\n'), 'iam-audit.yaml:3:5: rules.example-root-mfa.label: expected a string (default root), got number 3');
    assertInputError(() => config('rules:\n  example-key-age: 5\n'), 'iam-audit.yaml:2:3: rules.example-key-age: expected a mapping of settings (enabled, options), got number 5');
    assertInputError(() => config('rule: {}\n'), 'iam-audit.yaml:1:1: rule: unknown setting "rule"; expected one of: rules, frameworks, remediation');
    assertInputError(() => config('frameworks: [cis-9]\n'), 'iam-audit.yaml:1:14: frameworks[0]: unknown framework the text "cis-9"; known: example-1.0, other-2');
    assertInputError(() => config('frameworks: cis\n'), 'iam-audit.yaml:1:1: frameworks: expected a list of framework ids, got the text "cis"');
    assertInputError(() => config('- a\n- b\n'), 'iam-audit.yaml: expected a mapping with "rules" and "frameworks", got a list');
  });

  it('reports YAML and JSON syntax errors with the file name and position', () => {
    // Issue 27: the line and column lead the message, as for validation errors ("file:line:column: ...").
    assertInputError(() => config('rules:\n  a: 1\n  a: 2\n'), 'iam-audit.yaml:3:3: not valid YAML: Map keys must be unique');
    assertInputError(() => config('{"rules": }', 'c.json'), 'c.json:1:11: not valid JSON: unexpected "}", expected a value');
  });

  it('names line and column of a syntax error in JSON  and in YAML', () => {
    assertInputError(() => config('{\n  "rules": {},\n  "frameworks" ["x"]\n}\n', 'c.json'), 'c.json:3:16: not valid JSON: unexpected "[", expected ":"');
    assertInputError(() => config('{\n  "rules": {\n', 'c.json'), 'c.json:3:1: not valid JSON: unexpected end of the file, expected a "quoted" key');
    assertInputError(() => config('{"rules": {},}', 'c.json'), 'c.json:1:14: not valid JSON: unexpected "}", expected a "quoted" key');
    assertInputError(() => config('{"rules": {"a": 01}}', 'c.json'), 'c.json:1:18: not valid JSON: unexpected "1", expected "," or "}"');
    assertInputError(() => exceptions('exceptions:\n  - rule: x\n resource: y\n'), 'exceptions.yaml:3:1: not valid YAML: All mapping items must start at the same column');
    assertInputError(() => exceptions('exceptions: [\n  {rule: x}\n', 'e.yaml'), 'e.yaml:3:1: not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]');
  });

  it('reads a date quoted or not: both are text to the YAML 1.2 parser', () => {
    const entry = (expires: string) => `exceptions:\n  - rule: example-key-age\n    resource: bob\n    justification: j\n    approvedBy: a\n    expires: ${expires}\n`;
    const quoted = exceptions(entry('"2027-01-01"'));
    const bare = exceptions(entry('2027-01-01'));
    assert.equal(quoted.entries[0]?.expiresAtMs, bare.entries[0]?.expiresAtMs);
    assert.equal(quoted.entries[0]?.expires, '2027-01-01');
  });

  it('prints defaults that read back as the defaults', () => {
    const text = defaultConfigurationYaml(exampleRules, exampleFrameworks);
    assert.match(text, /^ {2}example-key-age:\n {4}enabled: true\n {4}maxAgeDays: 90$/m);
    assert.match(text, /^ {4}label: "root"$/m);
    assert.match(text, /# frameworks: \[example-1\.0, other-2\]/);
    const parsed = config(text);
    for (const rule of exampleRules) assert.deepEqual(parsed.rules[rule.id], { enabled: true, options: rule.defaultOptions });
    assert.equal(parsed.frameworks, DEFAULT_CONFIGURATION.frameworks);
  });
});

describe('exceptions file', () => {
  const valid = `exceptions:
  - rule: example-key-age
    resource: "arn:aws:iam::123456789012:user/team/*"
    justification: CI keys rotate with the pipeline migration
    approvedBy: Jane Doe
    expires: 2027-03-31
`;

  it('reads entries with their expiry instant (through the end of the day, UTC)', () => {
    const list = exceptions(valid);
    assert.deepEqual(list, {
      file: { name: 'exceptions.yaml', sha256: 'y' },
      entries: [
        {
          index: 0,
          ruleId: 'example-key-age',
          resource: 'arn:aws:iam::123456789012:user/team/*',
          justification: 'CI keys rotate with the pipeline migration',
          approvedBy: 'Jane Doe',
          expires: '2027-03-31',
          expiresAtMs: Date.parse('2027-04-01T00:00:00Z'),
        },
      ],
    });
  });

  it('accepts a bare list, JSON, and an ISO time as expiry', () => {
    const list = exceptions('[{"rule":"example-root-mfa","resource":"<root_account>","justification":"j","approvedBy":"a","expires":"2027-01-01T12:00:00+02:00"}]', 'e.json');
    assert.equal(list.entries[0]?.expiresAtMs, Date.parse('2027-01-01T10:00:00Z'));
    assert.deepEqual(exceptions(''), { file: { name: 'exceptions.yaml', sha256: 'y' }, entries: [] });
  });

  it('names the malformed entry (index and field)', () => {
    const second = (entry: string) => `${valid}  - ${entry}\n`;
    assertInputError(
      () => exceptions(second('rule: example-key-age\n    resource: bob\n    approvedBy: x\n    expires: 2027-01-01')),
      'exceptions.yaml:7:5: exceptions[1].justification: missing; every exception needs rule, resource, justification, approvedBy, expires',
    );
    assertInputError(
      () => exceptions(second('rule: example-key-age\n    resource: bob\n    justification: j\n    approved_by: x\n    expires: 2027-01-01')),
      'exceptions.yaml:10:5: exceptions[1].approved_by: unknown field "approved_by"; expected one of: rule, resource, justification, approvedBy, expires, approvedAt, ticket, risk',
    );
    assertInputError(
      () => exceptions(second('rule: nope\n    resource: bob\n    justification: j\n    approvedBy: x\n    expires: 2027-01-01')),
      'exceptions.yaml:7:5: exceptions[1].rule: unknown rule id "nope" (run "iam-audit rules" to list them)',
    );
    assertInputError(
      () => exceptions(second('rule: example-key-age\n    resource: bob\n    justification: j\n    approvedBy: x\n    expires: 2027-02-30')),
      'exceptions.yaml:11:5: exceptions[1].expires: "2027-02-30" is not a date (YYYY-MM-DD) or an ISO 8601 time with a zone',
    );
    assertInputError(
      () => exceptions(second('rule: example-key-age\n    resource: ""\n    justification: j\n    approvedBy: x\n    expires: 2027-01-01')),
      'exceptions.yaml:8:5: exceptions[1].resource: expected non-empty text, got the text ""',
    );
    assertInputError(() => exceptions(second('just text')), 'exceptions.yaml:7:5: exceptions[1]: expected a mapping with rule, resource, justification, approvedBy, expires, got the text "just text"');
    assertInputError(() => exceptions('exceptions: {}\n'), 'exceptions.yaml:1:1: exceptions: expected a list of exceptions, got a mapping');
  });

  it('reads expiry dates strictly', () => {
    assert.equal(expiryInstant('2026-12-31'), Date.parse('2027-01-01T00:00:00Z'));
    assert.equal(expiryInstant('2026-13-01'), null);
    assert.equal(expiryInstant('31/12/2026'), null);
    assert.equal(expiryInstant('2026-12-31T10:00:00'), null, 'a time without a zone is ambiguous');
  });
});
