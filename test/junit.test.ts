/** JUnit XML (issue #12): one test case per control and resource, failures with evidence; missing data is never green. In-process, example catalogue. */
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { escapeXml } from '../src/render/junit.js';
import { temporaryFolder } from './support/cli.js';
import { runExampleReport, writeExampleSnapshot } from './support/report-run.js';

let work: { path: string; cleanup: () => Promise<void> };
let xml = '';
before(async () => {
  work = await temporaryFolder('iam-audit-junit-');
  const snapshotPath = await writeExampleSnapshot(work.path);
  await writeFile(
    join(work.path, 'exceptions.yaml'),
    'exceptions:\n  - rule: example-key-age\n    resource: alice\n    justification: Vendor integration\n    approvedBy: Jane Doe\n    expires: 2026-12-31\n',
  );
  const outDir = join(work.path, 'out');
  await runExampleReport({ snapshotPath, outDir, formats: ['junit'], exceptionsPath: join(work.path, 'exceptions.yaml') });
  const files = await readdir(outDir);
  const name = files.find((file) => file.endsWith('.junit.xml'));
  assert.ok(name !== undefined, files.join(', '));
  xml = await readFile(join(outDir, name), 'utf8');
});
after(async () => {
  await work.cleanup();
});

function testCase(classname: string, name: string): string {
  const start = xml.indexOf(`<testcase classname="${classname}" name="${name}"`);
  assert.ok(start >= 0, `${classname} / ${name} in\n${xml}`);
  const tagEnd = xml.indexOf('>', start);
  return xml[tagEnd - 1] === '/' ? xml.slice(start, tagEnd + 1) : xml.slice(start, xml.indexOf('</testcase>', start) + '</testcase>'.length);
}

it('one test case per control and resource; a failure carries the evidence and remediation', () => {
  assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="iam-audit" /);
  assert.match(xml, /<testsuite name="Example Benchmark 1.0" /);
  const evil = 'arn:aws:iam::123456789012:user/=evil';
  for (const control of ['E.1', 'E.5']) {
    const text = testCase(`example-1.0 ${control}`, `example-key-age ${evil}`);
    assert.match(text, /<failure message="oldest active key 300 days old \(maximum 90\)" type="fail">oldest active key 300 days old \(maximum 90\)\nConsole: 1\. Open the IAM console\./);
  }
  assert.equal(testCase('example-1.0 E.1', 'example-key-age arn:aws:iam::123456789012:user/bob'), '<testcase classname="example-1.0 E.1" name="example-key-age arn:aws:iam::123456789012:user/bob"/>');
});

it('missing data and rule errors are errors, exceptions and manual controls skipped', () => {
  assert.match(xml, /<testcase classname="example-1.0 E.2" name="example-user-policies [^"]*">\n {6}<error message="not_evaluated: [^"]+" type="not_evaluated"/);
  assert.match(xml, /<testcase classname="example-1.0 E.6" name="example-throws [^"]*">\n {6}<error message="error: [^"]+" type="error"/);
  assert.match(testCase('example-1.0 E.1', 'example-key-age arn:aws:iam::123456789012:user/alice'), /<skipped message="excepted until 2026-12-31, approved by Jane Doe: Vendor integration"/);
  assert.match(xml, /<testcase classname="example-1.0 E.3" name="E.3 Security contact registered">\n {6}<skipped message="manual check: no automated rule"\/>/);
  const totals = /<testsuites [^>]*tests="(\d+)" failures="(\d+)" errors="(\d+)" skipped="(\d+)"/.exec(xml);
  assert.ok(totals !== null);
  assert.equal(Number(totals[1]), (xml.match(/<testcase /g) ?? []).length);
  assert.equal(Number(totals[2]), (xml.match(/<failure /g) ?? []).length);
  assert.equal(Number(totals[3]), (xml.match(/<error /g) ?? []).length);
  assert.equal(Number(totals[4]), (xml.match(/<skipped /g) ?? []).length);
});

it('escapes markup and drops characters XML cannot hold', () => {
  assert.equal(escapeXml('a<b>&"c\'\u0001'), 'a&lt;b&gt;&amp;&quot;c&apos;\uFFFD');
  assert.doesNotMatch(xml, /[\u0000-\u0008]/);
});
