/**
 * `--format asff`: every finding is checked against the AwsSecurityFinding shape of the Security Hub
 * service model the AWS SDK ships (the schema in @aws-sdk/client-securityhub: member names, the
 * required ones, and each member's type, walked recursively), and the mapping is asserted value by
 * value: stable Id, ProductArn, GeneratorId, Compliance, Resources, capture-time timestamps,
 * snapshot SHA-256. In-process, on the demo snapshot.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AwsSecurityFinding$, type AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import type { AnalysisResult } from '../src/analyze/result.js';
import { DEFAULT_PRESENTATION, runReport } from '../src/app/report/report.js';
import { parseAsffRegion, parseAsffStatuses } from '../src/cli/report-options.js';
import { ASFF_STATUSES } from '../src/render/asff-options.js';
import { asffFindings, renderAsff } from '../src/render/asff.js';
import { FIXTURES, temporaryFolder } from './support/cli.js';
import { TextSink } from './support/report-run.js';

// ---------------------------------------------------------------------------------------------
// The service model's schema, as the SDK ships it (smithy static schemas): a structure is
// [3, namespace, name, traits, memberNames, memberSchemas, requiredCount?] with its required
// members first; a list [1, namespace, name, traits, member]; a map [2, namespace, name, traits,
// key, value]; a simple type a number: 0 string, 1 number, 2 boolean, 15 document; 64|t is a list
// of t and 128|t a map of strings to t. A thunk (() => schema) defers a reference.

type SchemaRef = unknown;

function resolve(schema: SchemaRef): unknown {
  return typeof schema === 'function' ? (schema as () => unknown)() : schema;
}

function checkSimple(code: number, value: unknown, path: string, problems: string[]): void {
  if (code === 0) {
    if (typeof value !== 'string') problems.push(`${path}: expected a string, got ${JSON.stringify(value)}`);
  } else if (code === 1) {
    if (typeof value !== 'number' || !Number.isFinite(value)) problems.push(`${path}: expected a number, got ${JSON.stringify(value)}`);
  } else if (code === 2) {
    if (typeof value !== 'boolean') problems.push(`${path}: expected a boolean, got ${JSON.stringify(value)}`);
  } else if (code === 15) {
    // A document: any JSON value.
  } else if ((code & 64) === 64) {
    checkArray(value, path, problems, (item, itemPath) => checkSimple(code & ~64, item, itemPath, problems));
  } else if ((code & 128) === 128) {
    checkMap(value, path, problems, (item, itemPath) => checkSimple(code & ~128, item, itemPath, problems));
  } else {
    problems.push(`${path}: schema type ${code} is not one this check knows (timestamps and blobs are strings in ASFF)`);
  }
}

function checkArray(value: unknown, path: string, problems: string[], checkItem: (item: unknown, path: string) => void): void {
  if (!Array.isArray(value)) {
    problems.push(`${path}: expected an array, got ${JSON.stringify(value)}`);
    return;
  }
  value.forEach((item, index) => checkItem(item, `${path}[${index}]`));
}

function checkMap(value: unknown, path: string, problems: string[], checkItem: (item: unknown, path: string) => void): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push(`${path}: expected an object (map), got ${JSON.stringify(value)}`);
    return;
  }
  for (const [key, item] of Object.entries(value)) checkItem(item, `${path}.${key}`);
}

/** Every way `value` departs from `schema` (an empty list when it conforms). */
function conformance(schemaRef: SchemaRef, value: unknown, path: string, problems: string[] = []): string[] {
  const schema = resolve(schemaRef);
  if (typeof schema === 'number') {
    checkSimple(schema, value, path, problems);
    return problems;
  }
  assert.ok(Array.isArray(schema), `${path}: the SDK's schema is not in the expected static form`);
  const kind = schema[0] as number;
  if (kind === 3) {
    const names = schema[4] as string[];
    const members = schema[5] as SchemaRef[];
    const requiredCount = typeof schema[6] === 'number' ? schema[6] : 0;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push(`${path}: expected a ${String(schema[2])} structure, got ${JSON.stringify(value)}`);
      return problems;
    }
    const record = value as Record<string, unknown>;
    for (const name of names.slice(0, requiredCount)) {
      if (record[name] === undefined) problems.push(`${path}.${name}: required by ${String(schema[2])}, missing`);
    }
    for (const [name, member] of Object.entries(record)) {
      const index = names.indexOf(name);
      if (index < 0) problems.push(`${path}.${name}: not a member of ${String(schema[2])}`);
      else if (member !== undefined) conformance(members[index], member, `${path}.${name}`, problems);
    }
  } else if (kind === 1) {
    checkArray(value, path, problems, (item, itemPath) => conformance(schema[4], item, itemPath, problems));
  } else if (kind === 2) {
    checkMap(value, path, problems, (item, itemPath) => conformance(schema[5], item, itemPath, problems));
  } else {
    problems.push(`${path}: schema kind ${kind} is not one this check knows`);
  }
  return problems;
}

const REQUIRED_BY_MODEL = (AwsSecurityFinding$ as unknown as unknown[])[4] as string[];

// ---------------------------------------------------------------------------------------------

let work: { path: string; cleanup: () => Promise<void> };
let result: AnalysisResult;
let written: AwsSecurityFinding[] = [];
let everyStatus: AwsSecurityFinding[] = [];

before(async () => {
  work = await temporaryFolder('iam-audit-asff-');
  const outDir = join(work.path, 'out');
  const outcome = await runReport({
    snapshotPath: join(FIXTURES, 'demo', 'snapshot.json'),
    outDir,
    formats: ['asff'],
    quiet: true,
    failOnFindings: false,
    overwrite: false,
    presentation: { ...DEFAULT_PRESENTATION, asff: { region: 'eu-central-1', statuses: ['fail', 'excepted'] } },
    environment: { SOURCE_DATE_EPOCH: '1767364200' },
    stdout: new TextSink(),
    stderr: new TextSink(),
  });
  result = outcome.result;
  const files = await readdir(outDir);
  const asffFile = files.find((name) => name.endsWith('.asff.json'));
  assert.ok(asffFile !== undefined, files.join(', '));
  written = JSON.parse(await readFile(join(outDir, asffFile), 'utf8')) as AwsSecurityFinding[];
  everyStatus = [...asffFindings(result, { region: 'us-east-1', statuses: ASFF_STATUSES })];
});
after(async () => {
  await work.cleanup();
});

describe('the service model check', () => {
  it('reads the required members from the SDK: the ten BatchImportFindings needs', () => {
    const requiredCount = (AwsSecurityFinding$ as unknown as unknown[])[6];
    assert.deepEqual(REQUIRED_BY_MODEL.slice(0, Number(requiredCount)).sort(), [
      'AwsAccountId', 'CreatedAt', 'Description', 'GeneratorId', 'Id', 'ProductArn', 'Resources', 'SchemaVersion', 'Title', 'UpdatedAt',
    ]);
  });

  it('can fail: a missing required member, a wrong type, an unknown member and a bad nested list are each reported', () => {
    const [sample] = everyStatus;
    assert.ok(sample !== undefined);
    const { Title: _dropped, ...withoutTitle } = sample;
    assert.deepEqual(conformance(AwsSecurityFinding$, withoutTitle, 'finding'), ['finding.Title: required by AwsSecurityFinding, missing']);
    assert.deepEqual(conformance(AwsSecurityFinding$, { ...sample, Severity: { Normalized: '40' } }, 'finding'), ['finding.Severity.Normalized: expected a number, got "40"']);
    assert.deepEqual(conformance(AwsSecurityFinding$, { ...sample, Rule: 'x' }, 'finding'), ['finding.Rule: not a member of AwsSecurityFinding']);
    assert.deepEqual(conformance(AwsSecurityFinding$, { ...sample, Resources: [{ Id: 'arn:aws:iam::1:user/a' }] }, 'finding'), ['finding.Resources[0].Type: required by Resource, missing']);
    assert.deepEqual(conformance(AwsSecurityFinding$, { ...sample, Compliance: { Status: 'FAILED', RelatedRequirements: 'cis-5.0 1.4' } }, 'finding'), [
      'finding.Compliance.RelatedRequirements: expected an array, got "cis-5.0 1.4"',
    ]);
  });
});

describe('--format asff on the demo snapshot', () => {
  it('writes only failing (and excepted) results by default, each a valid AwsSecurityFinding', () => {
    const catalogue = result.catalogue;
    assert.ok(catalogue !== null);
    const failing = catalogue.results.filter((item) => item.status === 'fail' || item.status === 'excepted');
    assert.ok(failing.length > 0);
    assert.deepEqual(written.map((finding) => finding.Id), failing.map((item) => item.findingId));
    for (const finding of written) assert.deepEqual(conformance(AwsSecurityFinding$, finding, `finding ${finding.Id}`), []);
  });

  it('with every status, one valid finding per result, ids unique and equal to the finding ids', () => {
    const catalogue = result.catalogue;
    assert.ok(catalogue !== null);
    assert.equal(everyStatus.length, catalogue.results.length);
    assert.equal(new Set(everyStatus.map((finding) => finding.Id)).size, everyStatus.length);
    const problems = everyStatus.flatMap((finding) => conformance(AwsSecurityFinding$, finding, `finding ${finding.Id}`));
    assert.deepEqual(problems, []);
    const statuses = new Set(everyStatus.map((finding) => finding.Compliance?.Status));
    assert.ok(statuses.has('PASSED') && statuses.has('FAILED'), [...statuses].join(', '));
  });

  it('maps each result: product ARN, generator, compliance, resource, severity, times, snapshot hash', () => {
    const catalogue = result.catalogue;
    assert.ok(catalogue !== null);
    const account = result.snapshot.account;
    const rules = new Map(catalogue.rules.map((rule) => [rule.id, rule]));
    const expectedStatus = { pass: 'PASSED', fail: 'FAILED', excepted: 'FAILED', not_evaluated: 'WARNING', not_applicable: 'NOT_AVAILABLE', error: 'NOT_AVAILABLE' } as const;
    catalogue.results.forEach((item, index) => {
      const finding = everyStatus[index];
      assert.ok(finding !== undefined);
      assert.equal(finding.SchemaVersion, '2018-10-08');
      assert.equal(finding.Id, item.findingId);
      assert.equal(finding.ProductArn, `arn:${account.partition}:securityhub:us-east-1:${account.id}:product/${account.id}/default`);
      assert.equal(finding.GeneratorId, item.ruleId);
      assert.equal(finding.AwsAccountId, account.id);
      assert.equal(finding.CreatedAt, result.snapshot.capturedAt);
      assert.equal(finding.UpdatedAt, result.snapshot.capturedAt);
      assert.equal(finding.Compliance?.Status, expectedStatus[item.status]);
      const controls = rules.get(item.ruleId)?.controls ?? [];
      assert.deepEqual(finding.Compliance?.RelatedRequirements ?? [], controls.slice(0, 32).map((control) => `${control.framework} ${control.controlId}`));
      assert.equal(finding.Resources?.[0]?.Id, item.resourceArn === '' ? item.resourceName : item.resourceArn);
      assert.equal(finding.Severity?.Original, item.severity);
      assert.equal(finding.Severity?.Label, item.status === 'pass' ? 'INFORMATIONAL' : item.severity === 'info' ? 'INFORMATIONAL' : item.severity.toUpperCase());
      assert.equal(finding.ProductFields?.['iam-audit/SnapshotSha256'], result.snapshot.sha256);
      assert.equal(finding.ProductFields?.['iam-audit/RuleId'], item.ruleId);
      assert.equal(finding.Workflow?.Status, item.status === 'excepted' ? 'SUPPRESSED' : undefined);
      assert.equal(finding.RecordState, 'ACTIVE');
      assert.ok((finding.Title ?? '').length <= 256 && (finding.Description ?? '').length <= 1024 && (finding.Remediation?.Recommendation?.Text ?? '').length <= 512);
      assert.ok((finding.Remediation?.Recommendation?.Text ?? '').length > 0);
    });
    const types = new Map(catalogue.results.map((item, index) => [item.resourceType, everyStatus[index]?.Resources?.[0]?.Type]));
    assert.equal(types.get('user'), 'AwsIamUser');
    assert.equal(types.get('access-key'), 'AwsIamAccessKey');
    assert.equal(types.get('root'), 'AwsAccount');
  });

  it('names the --asff-region in the product ARN and the resources of the written file', () => {
    assert.ok(written.length > 0);
    for (const finding of written) {
      assert.match(finding.ProductArn ?? '', /^arn:aws:securityhub:eu-central-1:\d{12}:product\/\d{12}\/default$/);
      assert.equal(finding.Resources?.[0]?.Region, 'eu-central-1');
    }
  });

  it('is reproducible: the same result renders the same bytes whatever the wall clock', () => {
    const first = renderAsff(result);
    const second = renderAsff({ ...result, run: { ...result.run, startedAt: '2030-01-01T00:00:00.000Z' } });
    assert.equal(first, second);
  });
});

describe('the ASFF flags', () => {
  it('--asff-status takes statuses or all, and refuses an unknown one naming it', () => {
    assert.deepEqual(parseAsffStatuses(['fail,error', 'fail']), ['fail', 'error']);
    assert.deepEqual(parseAsffStatuses(['all']), [...ASFF_STATUSES]);
    assert.throws(() => parseAsffStatuses(['failed']), /--asff-status "failed" is not a result status/);
  });

  it('--asff-region takes a region name and refuses anything else', () => {
    assert.equal(parseAsffRegion('EU-West-1'), 'eu-west-1');
    assert.equal(parseAsffRegion('us-gov-west-1'), 'us-gov-west-1');
    assert.throws(() => parseAsffRegion('europe'), /--asff-region "europe" is not an AWS region name/);
  });
});
