/**
 * Reconciliation in both directions, pages that repeat, and sources that contradict each other
 * (issue 23 §2-3), against the local IAM endpoint: each ends in a collection error and never in a
 * PASS for the controls over the users concerned.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyze } from '../src/analyze/analyze.js';
import type { AnalysisResult } from '../src/analyze/result.js';
import { renderDefaultHtml } from '../src/render/html.js';
import { NO_BRANDING } from '../src/render/report-model.js';
import { methodologyParts } from '../src/render/report-methodology.js';
import { describeDiscrepancies } from '../src/collect/run.js';
import type { Snapshot, UserFacts } from '../src/snapshot/types.js';
import { validateSnapshot } from '../src/snapshot/validate.js';
import { temporaryFolder } from './support/cli.js';
import { accountOf, ACCOUNT, baseScenario, collectFrom, collectInProcess, FOURTEEN, USERS } from './support/collect-scenario.js';
import { credentialReportCsv, startIamEndpoint, type Scenario} from './support/iam-endpoint.js';
import { USER_POPULATION_CONTROLS } from './support/population-controls.js';

const RUN = { startedAt: '2026-11-20T12:00:01.000Z', endedAt: '2026-11-20T12:00:02.000Z', elapsedSeconds: 1 };
const analysed = (snapshot: Snapshot): AnalysisResult =>
  analyze({ snapshot, snapshotFile: { fileName: 'snapshot.json', sha256: 'f'.repeat(64), migratedFrom: null }, tool: { name: 'iam-audit', version: 'test' }, run: RUN });

function controlStatus(result: AnalysisResult, framework: string, controlId: string): string {
  const found = result.catalogue?.frameworks.find((entry) => entry.id === framework)?.controls.find((entry) => entry.controlId === controlId);
  assert.ok(found, `${framework} ${controlId} exists`);
  return found.status;
}

function noUserControlPasses(result: AnalysisResult, what: string): void {
  for (const [framework, control] of USER_POPULATION_CONTROLS) assert.notEqual(controlStatus(result, framework, control), 'pass', `${what}: ${framework} ${control}`);
}

const userNamed = (snapshot: Snapshot, name: string): UserFacts => {
  const found = snapshot.users.find((candidate) => candidate.name === name);
  assert.ok(found, `user ${name} in the snapshot`);
  return found;
};

async function collected(scenario: Scenario, source: 'api' | 'both' = 'api'): Promise<{ snapshot: Snapshot; requests: (action: string) => number }> {
  const endpoint = await startIamEndpoint(scenario);
  try {
    const snapshot = await collectInProcess(endpoint.url, source);
    return { snapshot, requests: (action) => endpoint.count(action) };
  } finally {
    await endpoint.close();
  }
}

describe('reconciliation in both directions', () => {
  test('the clean fourteen: every user control passes (what the cases below must not reach)', async () => {
    const { snapshot } = await collected(accountOf(FOURTEEN.filter((entry) => entry.name !== 'mallory')));
    assert.deepEqual(snapshot.collectionErrors, []);
    const result = analysed(snapshot);
    for (const [framework, control] of USER_POPULATION_CONTROLS) assert.equal(controlStatus(result, framework, control), 'pass', `${framework} ${control}`);
  });

  test('ListUsers leaves out two users and GetAccountSummary is denied: GetAccountAuthorizationDetails lists them, the user list is incomplete', async () => {
    const scenario = accountOf(FOURTEEN, {
      faults: [
        { action: 'ListUsers', kind: 'drop-users', users: ['mallory', 'user12'] },
        { action: 'GetAccountSummary', kind: 'access-denied' },
      ],
    });
    const { snapshot } = await collected(scenario);
    assert.equal(snapshot.users.length, 12);
    assert.ok(!snapshot.users.some((entry) => entry.name === 'mallory'));
    const mismatch = snapshot.collectionErrors.filter((error) => error.code === 'PopulationMismatch');
    assert.deepEqual(
      mismatch.map((error) => [error.api, error.message]),
      [['iam:GetAccountAuthorizationDetails', `GetAccountAuthorizationDetails lists 2 user(s) that ListUsers did not: arn:aws:iam::${ACCOUNT}:user/mallory, arn:aws:iam::${ACCOUNT}:user/user12`]],
    );
    assert.deepEqual(
      { state: snapshot.populations.users.state, collected: snapshot.populations.users.collected, expected: snapshot.populations.users.expected },
      { state: 'incomplete', collected: 12, expected: 14 },
    );
    noUserControlPasses(analysed(snapshot), 'users dropped');
  });

  test('a user only ListUsers has (the reverse) is still UserNotListed, as before', async () => {
    // GetAccountAuthorizationDetails leaves nobody out here; the stage test covers the reverse with a removed user.
    const { snapshot } = await collected(accountOf(FOURTEEN));
    assert.deepEqual(snapshot.collectionErrors, []);
    assert.equal(snapshot.populations.users.state, 'complete');
  });
});

describe('pages that repeat', () => {
  test('overlapping ListUsers pages: each user once, a RepeatedUser error per repeat, the list incomplete, no user control passes', async () => {
    const { snapshot, requests } = await collected(accountOf(FOURTEEN, { faults: [{ action: 'ListUsers', kind: 'overlapping-pages' }] }));
    assert.equal(requests('ListUsers'), 7);
    assert.deepEqual(
      snapshot.users.map((entry) => entry.name),
      FOURTEEN.map((entry) => entry.name),
    );
    const repeats = snapshot.collectionErrors.filter((error) => error.code === 'RepeatedUser');
    assert.equal(repeats.length, 6);
    assert.equal(repeats[0]?.resource, `arn:aws:iam::${ACCOUNT}:user/user02`);
    assert.match(repeats[0]?.message ?? '', /^ListUsers gave arn:aws:iam::123456789012:user\/user02 again on page 2 \(first on page 1\)/);
    // The snapshot is one `report` accepts: no user twice.
    assert.equal(validateSnapshot(snapshot).valid, true);
    assert.equal(snapshot.populations.users.state, 'incomplete');
    assert.match(snapshot.populations.users.reason ?? '', /^iam:ListUsers gave 6 user\(s\) more than once \(overlapping pages: /);
    noUserControlPasses(analysed(snapshot), 'overlapping pages');
  });

  test('a ListUsers Marker given twice ends the paging at once with RepeatedMarker, not at the time limit', async () => {
    const { snapshot, requests } = await collected(accountOf(FOURTEEN, { faults: [{ action: 'ListUsers', kind: 'repeat-marker' }] }));
    assert.equal(requests('ListUsers'), 2);
    assert.deepEqual(
      snapshot.collectionErrors.filter((error) => error.api === 'iam:ListUsers').map((error) => [error.code, error.message]),
      [['RepeatedMarker', 'page 2 ended with the Marker "m3" that page 1 already gave; paging stopped, the list is incomplete']],
    );
    // Page 2 repeated page 1's Marker and its users were the next three: six listed, the rest unseen.
    assert.equal(snapshot.users.length, 6);
    assert.equal(snapshot.populations.users.state, 'incomplete');
    noUserControlPasses(analysed(snapshot), 'repeated marker');
  });

  test('a GetAccountAuthorizationDetails Marker given twice: its lists fail, never partial', async () => {
    const { snapshot, requests } = await collected(accountOf(FOURTEEN, { faults: [{ action: 'GetAccountAuthorizationDetails', kind: 'repeat-marker' }] }));
    assert.equal(requests('GetAccountAuthorizationDetails'), 2);
    assert.ok(snapshot.collectionErrors.some((error) => error.api === 'iam:GetAccountAuthorizationDetails' && error.code === 'RepeatedMarker'));
    assert.equal(snapshot.accountFacts.roles.known, false);
    assert.equal(userNamed(snapshot, 'user00').groups.known, false);
    assert.notEqual(controlStatus(analysed(snapshot), 'cis-5.0', '1.14'), 'pass');
  });

  test('overlapping GetAccountAuthorizationDetails pages: RepeatedEntry, and none of its lists is used (never counted twice)', async () => {
    const { snapshot } = await collected(accountOf(FOURTEEN, { faults: [{ action: 'GetAccountAuthorizationDetails', kind: 'overlapping-pages' }] }));
    assert.deepEqual(
      snapshot.collectionErrors.map((error) => [error.api, error.code, error.message]),
      [['iam:GetAccountAuthorizationDetails', 'RepeatedEntry', `page 2 gave user arn:aws:iam::${ACCOUNT}:user/user02 again (first on page 1); the list is not used`]],
    );
    assert.equal(snapshot.accountFacts.groups.known, false);
    assert.equal(userNamed(snapshot, 'user02').groups.known, false);
    assert.notEqual(controlStatus(analysed(snapshot), 'cis-5.0', '1.14'), 'pass');
  });

  test('through the CLI: a repeated Marker is exit 3 well within the call limits', async () => {
    const endpoint = await startIamEndpoint(accountOf(FOURTEEN, { faults: [{ action: 'ListUsers', kind: 'repeat-marker' }] }));
    const folder = await temporaryFolder();
    try {
      const { run, snapshot } = await collectFrom(endpoint.url, folder.path, ['--quiet', '--source', 'api', '--time-limit', '60']);
      assert.equal(run.code, 3, run.stderr);
      assert.match(run.stderr, /iam:ListUsers RepeatedMarker/);
      assert.equal(endpoint.count('ListUsers'), 2);
      assert.equal(snapshot?.populations.users.state, 'incomplete');
    } finally {
      await endpoint.close();
      await folder.cleanup();
    }
  });
});

describe('--source both: a live answer the credential report contradicts is unknown', () => {
  /** frank has no console password live; the report says he has one, and no MFA. */
  const contradicted = (): Scenario => {
    const csv = credentialReportCsv({ accountId: ACCOUNT, users: USERS }, { overrides: { frank: { password_enabled: 'true' } } });
    return baseScenario({ credentialReport: { csv, generatedAt: '2026-11-20T10:00:00Z', pollsUntilReady: 0 } });
  };

  test('the fact is collection_failed with the discrepancy as its reason; the result names it and does not pass', async () => {
    const { snapshot } = await collected(contradicted(), 'both');
    const frankArn = `arn:aws:iam::${ACCOUNT}:user/service/frank`;
    assert.deepEqual(snapshot.discrepancies, [{ resource: frankArn, field: 'password.enabled', liveValue: 'false', credentialReportValue: 'true' }]);
    const detail = 'iam:GetLoginProfile says password.enabled false, the credential report says true';
    assert.deepEqual(userNamed(snapshot, 'frank').password.enabled, { known: false, reason: 'collection_failed', detail });
    assert.deepEqual(
      snapshot.collectionErrors.map((error) => [error.api, error.resource, error.code, error.affects[0]]),
      [['iam:GetLoginProfile', frankArn, 'SourceDiscrepancy', 'users[5].password.enabled']],
    );
    const result = analysed(snapshot);
    const frankMfa = (result.catalogue?.results ?? []).filter((entry) => entry.ruleId === 'console-users-mfa' && entry.resourceName === 'frank');
    assert.deepEqual(
      frankMfa.map((entry) => entry.status),
      ['not_evaluated'],
    );
    assert.match(frankMfa[0]?.reason ?? '', new RegExp(detail));
    assert.notEqual(controlStatus(result, 'cis-5.0', '1.9'), 'pass');
  });

  test('the console and the method section say how many discrepancies there were', async () => {
    const { snapshot } = await collected(contradicted(), 'both');
    assert.equal(describeDiscrepancies(snapshot), 'Live API against the credential report: 1 discrepancy; the 1 contradicted fact is unknown (not evaluated), neither side chosen (snapshot.discrepancies)');
    const methodology = methodologyParts(analysed(snapshot))[0];
    assert.equal(methodology?.context['comparedWithReport'], true);
    assert.equal(methodology?.context['contradictedFacts'], 1);
    const html = (await renderDefaultHtml(analysed(snapshot), NO_BRANDING)).replace(/<wbr>|&#8203;|\u200b/g, '');
    assert.match(html, /<p>1 discrepancy\(ies\); the 1 fact\(s\) they contradict are reported as not evaluated, neither source being chosen/);
    const clean = await collected(baseScenario(), 'both');
    assert.equal(describeDiscrepancies(clean.snapshot), 'Live API against the credential report: no discrepancies');
    assert.match(await renderDefaultHtml(analysed(clean.snapshot), NO_BRANDING), /No discrepancies: the live API and the credential report agree on every fact compared\./);
    assert.equal(describeDiscrepancies((await collected(baseScenario(), 'api')).snapshot), null);
  });
});
