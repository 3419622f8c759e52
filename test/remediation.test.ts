/**
 * Remediation tracking (issue 10): owners, due dates from the configuration's per-severity
 * deadlines (counted from the capture time), management responses, the exceptions register; and
 * the collector's per-API-operation call counts, checked against the local IAM endpoint.
 * (The signed PDF's cover and the PDF text are checked in evidence-report-run.test.ts.)
 */
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { analyseLoaded } from '../src/app/shared/analyse.js';
import { OwnersMapping } from '../src/app/shared/owners.js';
import { dueDateOf, isOverdue, withRemediation } from '../src/app/shared/remediation.js';
import { parseConfiguration } from '../src/config/configuration.js';
import { parseExceptions } from '../src/config/exceptions.js';
import { NO_RESPONSES, parseResponses } from '../src/config/responses.js';
import { allFrameworks } from '../src/frameworks/index.js';
import { allRules } from '../src/rules/index.js';
import { renderFindingsCsv } from '../src/render/findings-csv.js';
import { buildJsonReport } from '../src/render/json.js';
import { readSnapshot } from '../src/snapshot/io.js';
import { InputError } from '../src/util/errors.js';
import { FIXTURES, runCli, temporaryFolder } from './support/cli.js';
import { baseScenario, collectFrom, USERS } from './support/collect-scenario.js';
import { startIamEndpoint } from './support/iam-endpoint.js';
import { withFlatResults } from './support/report-json.js';

const DEMO = join(FIXTURES, 'demo');
const REMEDIATION = join(DEMO, 'remediation');
const config = (text: string) => parseConfiguration(text, 'iam-audit.yaml', { name: 'iam-audit.yaml', sha256: 'x' }, allRules, allFrameworks);
const responses = (text: string) => parseResponses(text, 'responses.yaml', allRules);

function refused(action: () => unknown, message: string): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof InputError, `expected an InputError, got ${String(error)}`);
    assert.equal(error.message, message);
    return true;
  });
}

describe('remediation settings in the configuration', () => {
  it('reads dueDays per severity and the owner tag keys', () => {
    const parsed = config('remediation:\n  dueDays: { critical: 3, high: 14, info: null }\n  ownerTags: [Owner, email]\n');
    assert.deepEqual(parsed.remediation, { dueDays: { critical: 3, high: 14, info: null }, ownerTags: ['Owner', 'email'] });
    assert.equal(config('rules: {}\n').remediation, undefined);
  });

  it('refuses negative, fractional and absurd deadlines and unknown severities, naming file, line, column and field', () => {
    refused(() => config('remediation:\n  dueDays:\n    high: -1\n'), 'iam-audit.yaml:3:5: remediation.dueDays.high: must be between 0 and 3650 days, got -1');
    refused(() => config('remediation:\n  dueDays:\n    low: 100000\n'), 'iam-audit.yaml:3:5: remediation.dueDays.low: must be between 0 and 3650 days, got 100000');
    refused(() => config('remediation:\n  dueDays:\n    medium: 2.5\n'), 'iam-audit.yaml:3:5: remediation.dueDays.medium: expected a whole number of days (or null for no due date), got number 2.5');
    refused(
      () => config('remediation:\n  dueDays:\n    urgent: 1\n'),
      'iam-audit.yaml:3:5: remediation.dueDays.urgent: unknown severity "urgent"; expected one of: critical, high, medium, low, info',
    );
    refused(() => config('remediation:\n  ownerTags: [owner, ""]\n'), 'iam-audit.yaml:2:22: remediation.ownerTags[1]: expected a tag key, got the text ""');
    refused(() => config('remediation:\n  dueDay: {}\n'), 'iam-audit.yaml:2:3: remediation.dueDay: unknown setting "dueDay"; expected one of: dueDays, ownerTags');
  });
});

describe('management responses file', () => {
  it('reads both layouts; owner and target date are optional', () => {
    const listed = responses('responses:\n  - { rule: console-users-mfa, resource: bob.admin, response: Token ordered, owner: IT, targetDate: 2026-11-20 }\n');
    assert.deepEqual(listed.entries, [{ index: 0, ruleId: 'console-users-mfa', resource: 'bob.admin', response: 'Token ordered', owner: 'IT', targetDate: '2026-11-20' }]);
    const bare = responses('- { rule: root-mfa, resource: "<root_account>", response: Done }\n');
    assert.deepEqual(bare.entries[0], { index: 0, ruleId: 'root-mfa', resource: '<root_account>', response: 'Done', owner: null, targetDate: null });
  });

  it('refuses bad entries with file, line, column and field', () => {
    refused(() => responses('responses:\n  - rule: no-such-rule\n    resource: x\n    response: y\n'), 'responses.yaml:2:5: responses[0].rule: unknown rule id "no-such-rule" (run "iam-audit rules" to list them)');
    refused(() => responses('responses:\n  - rule: root-mfa\n    resource: x\n'), 'responses.yaml:2:5: responses[0].response: missing; every response needs rule, resource, response');
    refused(
      () => responses('responses:\n  - rule: root-mfa\n    resource: x\n    response: y\n    targetDate: 2027-02-30\n'),
      'responses.yaml:5:5: responses[0].targetDate: "2027-02-30" is not a date (YYYY-MM-DD)',
    );
    refused(
      () => responses('responses:\n  - rule: root-mfa\n    resource: x\n    response: y\n    due: soon\n'),
      'responses.yaml:5:5: responses[0].due: unknown field "due"; expected one of: rule, resource, response, owner, targetDate',
    );
    refused(() => responses(`responses:\n  - rule: root-mfa\n    resource: x\n    response: ${'a'.repeat(2001)}\n`), 'responses.yaml:4:5: responses[0].response: must not be longer than 2000 characters, got 2001');
  });
});

describe('due dates', () => {
  it('count whole days from the capture time (UTC); a finding is overdue only after its whole due day', () => {
    assert.equal(dueDateOf('2026-11-02T08:15:42Z', 0), '2026-11-02');
    assert.equal(dueDateOf('2026-11-02T08:15:42Z', 30), '2026-12-02');
    assert.equal(dueDateOf('2026-12-31T23:59:59Z', 1), '2027-01-01');
    assert.equal(isOverdue('2026-12-02', '2026-12-02T23:59:59.999Z'), false);
    assert.equal(isOverdue('2026-12-02', '2026-12-03T00:00:00Z'), true);
  });
});

describe('withRemediation on the demo snapshot', () => {
  const run = async (asOf?: Date) => {
    const loaded = await readSnapshot(join(DEMO, 'snapshot.json'));
    const configuration = config('remediation:\n  dueDays: { high: 10, medium: 60, low: null }\n  ownerTags: [owner]\n');
    const exceptions = parseExceptions(await readFile(join(REMEDIATION, 'exceptions.yaml'), 'utf8'), 'exceptions.yaml', { name: 'exceptions.yaml', sha256: 'e' }, allRules);
    // The wall clock is far from the capture: due dates must not depend on it.
    const wall = new Date('2031-01-01T00:00:00Z');
    const result = analyseLoaded(loaded, wall, wall, asOf, { rules: allRules, frameworks: allFrameworks, configuration, exceptions });
    return withRemediation(result, {
      configuration: configuration.remediation,
      mapping: OwnersMapping.parse('"svc-*": platform@example.com\n', 'owners.yaml'),
      ownersFile: { name: 'owners.yaml', sha256: 'o' },
      responses: responses('- { rule: console-users-mfa, resource: "*.admin", response: Token ordered, targetDate: 2026-11-20 }\n- { rule: root-mfa, resource: nobody, response: Typo }\n'),
      responsesFile: { name: 'responses.yaml', sha256: 'r' },
      tags: new Map([['dave.dev', { Owner: 'dave@example.com' }]]),
    });
  };
  const find = (result: Awaited<ReturnType<typeof run>>, ruleId: string, name: string) => {
    const found = result.catalogue?.results.find((item) => item.ruleId === ruleId && item.resourceName === name);
    assert.ok(found, `${ruleId} on ${name}`);
    return found;
  };

  it('owner from the tag, then the owners file; due date from the severity; response by glob', async () => {
    const result = await run();
    assert.deepEqual(find(result, 'console-users-mfa', 'dave.dev').tracking, { owner: 'dave@example.com', ownerSource: 'tag Owner', dueDate: '2026-11-12', overdue: false, firstDetected: '2026-11-02T08:15:42Z', pastDueAtReport: true, response: null });
    assert.deepEqual(find(result, 'console-users-mfa', 'bob.admin').tracking, {
      owner: null,
      ownerSource: null,
      dueDate: '2026-11-12',
      overdue: false,
      firstDetected: '2026-11-02T08:15:42Z',
      pastDueAtReport: true,
      response: { response: 'Token ordered', owner: null, targetDate: '2026-11-20' },
    });
    const key = find(result, 'access-key-rotation', 'svc-backup#access_key_1');
    assert.deepEqual(key.tracking, { owner: 'platform@example.com', ownerSource: 'owners file (svc-*)', dueDate: '2027-01-01', overdue: false, firstDetected: '2026-11-02T08:15:42Z', pastDueAtReport: true, response: null });
    // low: null gives no due date; a pass is not tracked.
    assert.equal(find(result, 'console-users-with-access-keys', 'erin.dev').tracking?.dueDate, null);
    assert.equal(result.catalogue?.results.filter((item) => item.status === 'pass').some((item) => item.tracking !== undefined), false);
    assert.deepEqual(result.remediation?.unmatchedResponses, [{ ruleId: 'root-mfa', resource: 'nobody', response: 'Typo' }]);
    assert.equal(result.remediation?.dueFrom, '2026-11-02T08:15:42Z');
    assert.equal(result.remediation?.tagsCollected, true);
  });

  it('an excepted result has an owner and no due date; a projection past the due day makes failures overdue', async () => {
    const excepted = find(await run(), 'unused-credentials', 'svc-metrics#access_key_1');
    assert.equal(excepted.status, 'excepted');
    assert.equal(excepted.tracking?.owner, 'platform@example.com');
    assert.equal(excepted.tracking?.dueDate, null);
    const projected = await run(new Date('2026-11-13T00:00:00Z'));
    assert.equal(find(projected, 'console-users-mfa', 'dave.dev').tracking?.overdue, true);
    assert.equal(find(projected, 'access-key-rotation', 'svc-backup#access_key_1').tracking?.overdue, false);
  });

  it('the exceptions register lists every entry with approver, expiry and what it covers', async () => {
    const register = (await run()).catalogue?.exceptions.register ?? [];
    assert.deepEqual(
      register.map((entry) => [entry.index, entry.ruleId, entry.approvedBy, entry.expires, entry.state, entry.covered]),
      [
        [0, 'unused-credentials', 'Jane Doe (CISO)', '2027-03-31', 'active', 1],
        [1, 'console-users-with-access-keys', 'Jane Doe (CISO)', '2026-10-15', 'expired', 1],
        [2, 'multiple-active-access-keys', 'John Roe (CIO)', '2026-12-31', 'active', 1],
      ],
    );
    // The expired one is shown on the failing row.
    const failing = find(await run(), 'console-users-with-access-keys', 'ivan.dba');
    assert.equal(failing.status, 'fail');
    assert.equal(failing.expiredException?.entryIndex, 1);
  });

  it('the findings CSV and JSON carry owner, due date, overdue and the response', async () => {
    const result = await run();
    const csv = renderFindingsCsv(result).split('\r\n');
    assert.match(csv[0] ?? '', /,exception_expires,finding_id,owner,owner_source,due_date,overdue,management_response,response_owner,response_target_date$/);
    const bob = csv.find((line) => line.startsWith('console-users-mfa,') && line.includes('/bob.admin,'));
    assert.match(bob ?? '', /,,,2026-11-12,no,Token ordered,,2026-11-20$/);
    const json = withFlatResults(buildJsonReport(result)) as unknown as { results: { rule_id: string; resource_name: string; tracking?: unknown }[]; remediation: Record<string, unknown>; exceptions: { register: unknown[] } };
    const dave = json.results.find((item) => item.rule_id === 'console-users-mfa' && item.resource_name === 'dave.dev');
    assert.deepEqual(dave?.tracking, { owner: 'dave@example.com', owner_source: 'tag Owner', due_date: '2026-11-12', overdue: false, first_detected: '2026-11-02T08:15:42Z', past_due_at_report: true, response: null });
    assert.deepEqual(json.remediation['due_days'], { critical: 7, high: 10, medium: 60, low: null, info: null });
    assert.equal(json.exceptions.register.length, 3);
    // No tracking key on results that are not failures.
    assert.equal(json.results.filter((item) => 'tracking' in item).length, result.catalogue?.results.filter((item) => item.status === 'fail' || item.status === 'excepted').length);
  });

  it('no responses: nothing unmatched', async () => {
    const loaded = await readSnapshot(join(DEMO, 'snapshot.json'));
    const result = withRemediation(analyseLoaded(loaded, new Date(), new Date()), {
      configuration: undefined,
      mapping: OwnersMapping.empty,
      ownersFile: null,
      responses: NO_RESPONSES,
      responsesFile: null,
      tags: null,
    });
    assert.deepEqual(result.remediation?.unmatchedResponses, []);
    assert.equal(find(result, 'console-users-mfa', 'dave.dev').tracking?.dueDate, '2026-12-02');
  });
});

describe('report --responses / --owners on the command line', () => {
  let folder: { path: string; cleanup: () => Promise<void> };
  before(async () => {
    folder = await temporaryFolder('iam-audit-remediation-');
  });
  after(() => folder.cleanup());

  it('a bad responses file: one line naming file, line and field, exit 2, nothing written', async () => {
    const bad = join(folder.path, 'responses.yaml');
    await writeFile(bad, 'responses:\n  - rule: root-mfa\n    resource: x\n    response: y\n    targetDate: tomorrow\n');
    const out = join(folder.path, 'bad-out');
    const run = await runCli(['report', join(DEMO, 'snapshot.json'), '-d', out, '--format', 'json', '--responses', bad]);
    assert.equal(run.code, 2, run.stderr);
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    assert.match(run.stderr, /responses\.yaml:5:5: responses\[0\]\.targetDate: "tomorrow" is not a date \(YYYY-MM-DD\)/);
    await assert.rejects(readdir(out), /ENOENT/);
  });

  it('audit refuses a bad owners file before importing anything', async () => {
    const bad = join(folder.path, 'owners.yaml');
    await writeFile(bad, 'bob.admin: not an address\n');
    const out = join(folder.path, 'owners-out');
    const run = await runCli(['audit', join(DEMO, 'credential-report.csv'), '--generated-at', '2026-11-02T08:15:42Z', '-d', out, '--format', 'json', '--owners', bad]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /owners\.yaml: 1:1: "bob\.admin": "not an address" is not an email address/);
    await assert.rejects(readdir(out), /ENOENT/);
  });

  it('the demo files: the HTML shows the remediation plan and the exceptions register; unused responses are warned about', async () => {
    const out = join(folder.path, 'demo-out');
    const run = await runCli([
      'audit', join(DEMO, 'credential-report.csv'), '--generated-at', '2026-11-02T08:15:42Z', '-d', out, '--format', 'html,csv',
      '--config', join(REMEDIATION, 'config.yaml'), '--owners', join(REMEDIATION, 'owners.yaml'),
      '--responses', join(REMEDIATION, 'responses.yaml'), '--exceptions', join(REMEDIATION, 'exceptions.yaml'),
    ]);
    assert.equal(run.code, 0, run.stderr);
    const files = await readdir(out);
    const html = await readFile(join(out, files.find((name) => name.endsWith('.html')) ?? ''), 'utf8');
    const text = html.replace(/<wbr>/g, '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    assert.match(text, /Remediation plan/);
    assert.match(text, /console-users-mfa high bob\.admin it-admins@example\.com owners file \(bob\.admin\) 2026-12-02(?: past due at report date)? Hardware key issued; enrolment booked with the service desk \(INC-40211\)\. Owner: Bob Admin Target: 2026-11-20/);
    assert.match(text, /Due dates critical 7 days, high 30 days, medium 60 days, low 120 days, info none, counted from the capture time 2026-11-02T08:15:42Z/);
    assert.match(text, /Exceptions register/);
    assert.match(text, /2 console-users-with-access-keys ivan\.\* DBA break-glass access pending the bastion rollout \(RISK-91\)\. Jane Doe \(CISO\) 2026-10-15 expired 1 now failing: ivan\.dba/);
    assert.match(text, /Exception expired 2026-10-15 \(approved by Jane Doe \(CISO\)\): no longer applied\./);
    const csv = await readFile(join(out, files.find((name) => name.startsWith('iam_audit_findings_')) ?? ''), 'utf8');
    assert.match(csv, /\naccess-key-rotation,.*[:/]svc-backup#access_key_1,.*,platform@example\.com,owners file \(svc-\*\),2027-01-01,no,Service keys move to IAM roles with the CI migration \(CHG-1234\)\.,Platform team,2027-01-15\r\n/);
  });
});

describe('per-API-operation call counts (local IAM endpoint)', () => {
  it('every operation with its calls, retries, errors and times, matching the requests the endpoint saw', async () => {
    const endpoint = await startIamEndpoint(
      baseScenario({
        faults: [
          { action: 'ListMFADevices', userName: 'alice', kind: 'throttle', times: 2 },
          { action: 'GetLoginProfile', userName: 'bob', kind: 'access-denied' },
        ],
      }),
    );
    const folder = await temporaryFolder('iam-audit-api-counts-');
    try {
      // The run clock after the scenario's data (2026-11-15): a capture before its data is refused (issue #23).
      const collected = await collectFrom(endpoint.url, folder.path, ['--quiet'], { SOURCE_DATE_EPOCH: '1795176000' });
      assert.equal(collected.run.code, 3, collected.run.stderr);
      const snapshot = collected.snapshot;
      assert.ok(snapshot);
      const operations = snapshot.collection.apiCallsByOperation ?? [];
      assert.ok(operations.length >= 5, JSON.stringify(operations));
      // Sorted by name, summing to the totals.
      assert.deepEqual(operations.map((entry) => entry.api), [...operations.map((entry) => entry.api)].sort());
      assert.equal(operations.reduce((sum, entry) => sum + entry.calls, 0), snapshot.collection.apiCalls);
      assert.equal(operations.reduce((sum, entry) => sum + entry.retries, 0), snapshot.collection.retries);
      for (const entry of operations) {
        // The endpoint sees every attempt: the call plus its retries.
        assert.equal(endpoint.count(entry.api.replace(/^\w+:/, '')), entry.calls + entry.retries, entry.api);
        assert.equal(entry.firstCallAt, '2026-11-20T12:00:00Z', entry.api);
        assert.equal(entry.lastCallAt, '2026-11-20T12:00:00Z', entry.api);
      }
      const byApi = new Map(operations.map((entry) => [entry.api, entry]));
      assert.deepEqual(byApi.get('iam:ListMFADevices'), { api: 'iam:ListMFADevices', calls: USERS.length, retries: 2, errors: 0, firstCallAt: '2026-11-20T12:00:00Z', lastCallAt: '2026-11-20T12:00:00Z' });
      // Error answers: the denied call for bob and the NoSuchEntity of each user without a console password.
      const withoutPassword = snapshot.users.filter((entry) => entry.password.enabled.known && !entry.password.enabled.value).length;
      assert.equal(snapshot.collectionErrors.filter((error) => error.api === 'iam:GetLoginProfile').length, 1);
      assert.equal(byApi.get('iam:GetLoginProfile')?.errors, 1 + withoutPassword);
      assert.equal(byApi.get('sts:GetCallerIdentity')?.calls, 1);
      // The report reads it back (the schema accepts it) and prints it in the methodology.
      const out = join(folder.path, 'out');
      await mkdir(out);
      const report = await runCli(['report', join(folder.path, 'snapshot.json'), '-d', out, '--format', 'html', '--quiet']);
      assert.equal(report.code, 3, report.stderr);
      const html = await readFile(join(out, (await readdir(out)).find((name) => name.endsWith('.html')) ?? ''), 'utf8');
      const text = html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
      assert.match(text, /AWS API calls by operation/);
      assert.match(text, new RegExp(`iam:ListMFADevices ${USERS.length} 2 0 2026-11-20T12:00:00Z 2026-11-20T12:00:00Z`));
      assert.match(text, new RegExp(`iam:GetLoginProfile ${USERS.length} 0 ${1 + withoutPassword} `));
    } finally {
      await endpoint.close();
      await folder.cleanup();
    }
  });
});
