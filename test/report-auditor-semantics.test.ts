/**
 * Issue 25 §6, auditor semantics: a control met only through accepted risks is "PASS with
 * exceptions" (its own status, counted apart); SOC 2 and ISO 27001 say "EXCEPTIONS NOTED" for a
 * failure; exceptions carry approvedAt, ticket and risk; owner and management response sit on the
 * failed-rule rows; due dates count from the first detection and "past due at report date" is
 * shown beside "overdue at evaluation time".
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { analyseLoaded } from '../src/app/shared/analyse.js';
import { OwnersMapping } from '../src/app/shared/owners.js';
import { withRemediation } from '../src/app/shared/remediation.js';
import { parseConfiguration } from '../src/config/configuration.js';
import { parseExceptions } from '../src/config/exceptions.js';
import { parseResponses } from '../src/config/responses.js';
import { allFrameworks } from '../src/frameworks/index.js';
import { allRules } from '../src/rules/index.js';
import { renderDefaultHtml } from '../src/render/html.js';
import { buildJsonReport } from '../src/render/json.js';
import { readSnapshot } from '../src/snapshot/io.js';
import { InputError } from '../src/util/errors.js';
import { FIXTURES } from './support/cli.js';
import { withFlatResults } from './support/report-json.js';

const DEMO = join(FIXTURES, 'demo');
const CAPTURED = '2026-11-02T08:15:42Z';

/** Visible text of the HTML, tags removed and blanks folded. */
const text = (html: string): string => html.replace(/<style[\s\S]*?<\/style>/g, ' ').replace(/<[^>]+>/g, ' ').replace(/&#x27;/g, "'").replace(/\s+/g, ' ');

const EXCEPTIONS = `exceptions:
  - rule: multiple-active-access-keys
    resource: ivan.dba
    justification: Key rotation in progress.
    approvedBy: John Roe (CIO)
    approvedAt: "2026-10-01"
    ticket: RISK-104
    risk: "low: overlap window of 14 days"
    expires: "2026-12-31"
`;

async function demo(options: { exceptions?: string; firstDetected?: ReadonlyMap<string, string>; wall?: Date } = {}) {
  const loaded = await readSnapshot(join(DEMO, 'snapshot.json'));
  const exceptions = parseExceptions(options.exceptions ?? EXCEPTIONS, 'exceptions.yaml', { name: 'exceptions.yaml', sha256: 'e' }, allRules);
  const configuration = parseConfiguration('remediation:\n  dueDays: { high: 10, medium: 60 }\n', 'iam-audit.yaml', { name: 'iam-audit.yaml', sha256: 'x' }, allRules, allFrameworks);
  const wall = options.wall ?? new Date('2026-11-20T00:00:00Z');
  const result = analyseLoaded(loaded, wall, wall, undefined, { rules: allRules, frameworks: allFrameworks, configuration, exceptions });
  return withRemediation(result, {
    configuration: configuration.remediation,
    mapping: OwnersMapping.parse('"bob.*": it-admins@example.com\n', 'owners.yaml'),
    ownersFile: { name: 'owners.yaml', sha256: 'o' },
    responses: parseResponses('- { rule: console-users-mfa, resource: bob.admin, response: Hardware key ordered, owner: Bob Admin, targetDate: 2026-11-25 }\n', 'responses.yaml', allRules),
    responsesFile: { name: 'responses.yaml', sha256: 'r' },
    tags: null,
    ...(options.firstDetected === undefined ? {} : { firstDetected: options.firstDetected }),
  });
}

describe('PASS with exceptions', () => {
  it('a control whose only failure is excepted is pass_with_exceptions, counted apart, in every format', async () => {
    const result = await demo();
    const cis = result.catalogue?.frameworks.find((framework) => framework.id === 'cis-5.0');
    // CIS v5 1.12: one active access key per user. ivan.dba's two keys are the only failure, excepted.
    const control = cis?.controls.find((entry) => entry.ruleIds.includes('multiple-active-access-keys'));
    assert.equal(control?.status, 'pass_with_exceptions');
    assert.equal(cis?.counts.pass_with_exceptions, 1);
    const json = buildJsonReport(result) as { frameworks: { id: string; counts: Record<string, number>; controls: { control_id: string; status: string }[] }[] };
    const cisJson = json.frameworks.find((framework) => framework.id === 'cis-5.0');
    assert.equal(cisJson?.counts['pass_with_exceptions'], 1);
    assert.equal(cisJson?.controls.find((entry) => entry.control_id === control?.controlId)?.status, 'pass_with_exceptions');
    const html = await renderDefaultHtml(result);
    assert.match(html, new RegExp(`<td>${control?.controlId.replace('.', '\\.') ?? ''}</td>[\\s\\S]*?<td class="status status-pass-with-exceptions">PASS WITH EXCEPTIONS</td>`));
    // The same control without the exception fails.
    const without = await demo({ exceptions: 'exceptions: []\n' });
    assert.equal(without.catalogue?.frameworks.find((framework) => framework.id === 'cis-5.0')?.controls.find((entry) => entry.controlId === control?.controlId)?.status, 'fail');
  });

  it('SOC 2 and ISO 27001 rows say EXCEPTIONS NOTED where other frameworks say FAIL', async () => {
    const result = await demo();
    const soc2 = result.catalogue?.frameworks.find((framework) => framework.id === 'soc2');
    assert.equal(soc2?.statusLabels?.fail, 'EXCEPTIONS NOTED');
    const failing = soc2?.controls.find((entry) => entry.status === 'fail');
    assert.ok(failing, 'a failing SOC 2 control in the demo');
    const html = text(await renderDefaultHtml(result));
    assert.match(html, new RegExp(`${failing.controlId.replace('.', '\\.')} [^|]*?EXCEPTIONS NOTED`));
    assert.match(html, /ISO\/IEC 27001[\s\S]*?EXCEPTIONS NOTED/);
    // CIS keeps FAIL.
    assert.match(html, /1\.4 Ensure MFA is enabled for the 'root' user account[\s\S]*?(FAIL|PASS)/);
  });
});

describe('exceptions: approvedAt, ticket and risk', () => {
  it('are read, carried in the JSON register and on the result, and printed in the register and on the excepted row', async () => {
    const result = await demo();
    const register = result.catalogue?.exceptions.register?.[0];
    assert.equal(register?.approvedAt, '2026-10-01');
    assert.equal(register?.ticket, 'RISK-104');
    assert.equal(register?.risk, 'low: overlap window of 14 days');
    const excepted = result.catalogue?.results.find((entry) => entry.status === 'excepted');
    assert.equal(excepted?.exception?.ticket, 'RISK-104');
    const json = buildJsonReport(result) as { exceptions: { register: Record<string, unknown>[] } };
    assert.equal(json.exceptions.register[0]?.['approved_at'], '2026-10-01');
    assert.equal(json.exceptions.register[0]?.['ticket'], 'RISK-104');
    assert.equal(json.exceptions.register[0]?.['risk'], 'low: overlap window of 14 days');
    const html = text(await renderDefaultHtml(result));
    assert.match(html, /Key rotation in progress\. Ticket: RISK-104 Risk: low: overlap window of 14 days John Roe \(CIO\) approved 2026-10-01 2026-12-31/);
  });

  it('are optional: an entry without them has no such keys; a bad approvedAt is refused naming the field', async () => {
    const plain = await demo({ exceptions: EXCEPTIONS.replace(/ {4}(approvedAt|ticket|risk):.*\n/g, '') });
    const json = buildJsonReport(plain) as { exceptions: { register: Record<string, unknown>[] } };
    assert.deepEqual(Object.keys(json.exceptions.register[0] ?? {}).sort(), ['approved_by', 'covered', 'expires', 'index', 'justification', 'resource_pattern', 'rule_id', 'state']);
    assert.throws(
      () => parseExceptions(EXCEPTIONS.replace('"2026-10-01"', '"2026-13-01"'), 'exceptions.yaml', null, allRules),
      (error: unknown) => error instanceof InputError && /exceptions\[0\]\.approvedAt/.test(error.message),
    );
  });
});

describe('owner and management response on the failed-rule rows', () => {
  it('the affected-resources row of a failed rule names the owner, due date and response', async () => {
    const html = text(await renderDefaultHtml(await demo()));
    const start = html.indexOf('console-users-mfa: Every IAM user with a console password has MFA Severity');
    assert.ok(start > 0);
    const section = html.slice(start, html.indexOf('Affected resources', start) + 3000);
    assert.match(section, /bob\. ?admin [^]*? it-admins@example\.com Due 2026-11-12 Hardware key ordered Owner: Bob Admin Target: 2026-11-25/);
    assert.match(section, /No management response/);
  });
});

describe('due dates from the first detection', () => {
  it('count from an earlier detection (--previous), never from after the capture, and say past due at the report date', async () => {
    const id = (await demo()).catalogue?.results.find((entry) => entry.ruleId === 'console-users-mfa' && entry.resourceName === 'bob.admin')?.findingId ?? '';
    // Failing since 2026-10-01 in the previous archive: high is 10 days from then.
    const earlier = await demo({ firstDetected: new Map([[id, '2026-10-01T00:00:00Z']]) });
    const bob = earlier.catalogue?.results.find((entry) => entry.findingId === id);
    assert.equal(bob?.tracking?.firstDetected, '2026-10-01T00:00:00Z');
    assert.equal(bob?.tracking?.dueDate, '2026-10-11');
    assert.equal(bob?.tracking?.overdue, true);
    assert.equal(earlier.remediation?.detectedEarlier, 1);
    // A "first detection" after the capture cannot be: the capture time is used.
    const later = await demo({ firstDetected: new Map([[id, '2026-12-01T00:00:00Z']]) });
    const bobLater = later.catalogue?.results.find((entry) => entry.findingId === id);
    assert.equal(bobLater?.tracking?.firstDetected, CAPTURED);
    assert.equal(bobLater?.tracking?.dueDate, '2026-11-12');
    // Judged at the capture (not overdue) but the report is dated after the due day.
    assert.equal(bobLater?.tracking?.overdue, false);
    assert.equal(bobLater?.tracking?.pastDueAtReport, true);
    const early = await demo({ wall: new Date('2026-11-05T00:00:00Z') });
    assert.equal(early.catalogue?.results.find((entry) => entry.findingId === id)?.tracking?.pastDueAtReport, false);
    const html = text(await renderDefaultHtml(earlier));
    assert.match(html, /2026-10-11 overdue at evaluation time past due at report date failing since 2026-10-01T00:00:00Z/);
    assert.match(html, /1 finding already failing in the previous archive count from that first detection/);
  });

  it('report --previous passes the first detection through: a report JSON archive carries first_detected', async () => {
    const result = await demo();
    const json = withFlatResults(buildJsonReport(result)) as { results: { tracking?: Record<string, unknown> }[] };
    const tracked = json.results.find((entry) => entry.tracking !== undefined);
    assert.equal(tracked?.tracking?.['first_detected'], CAPTURED);
    assert.equal(typeof tracked?.tracking?.['past_due_at_report'], 'boolean');
  });
});

// Keep the fixture honest: the exceptions text above names a real demo resource.
it('the demo snapshot has ivan.dba with two active keys', async () => {
  const snapshot = JSON.parse(await readFile(join(DEMO, 'snapshot.json'), 'utf8')) as { users: { name: string }[] };
  assert.ok(snapshot.users.some((user) => user.name === 'ivan.dba'));
});
