/**
 * The waits of a collection (the credential report's polls, the per-API pacing) are abortable by
 * the run's signal and leave no listener on it when they end: a run that polls for minutes must not
 * grow the signal's listener list (node warns at eleven, and each one holds a closure).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { getEventListeners } from 'node:events';
import { describe, test } from 'node:test';
import { GenerateCredentialReportCommand, type IAMClient } from '@aws-sdk/client-iam';
import { ApiCaller, sleep } from '../src/collect/caller.js';
import { fetchCredentialReport } from '../src/collect/credential-report.js';
import { ConcurrencyLimiter } from '../src/collect/limiter.js';

describe('the collection waits leave no listeners behind', () => {
  test('a hundred finished sleeps leave none on the signal; an abort ends a pending one at once', async () => {
    const run = new AbortController();
    for (let index = 0; index < 100; index += 1) await sleep(1, run.signal);
    assert.equal(getEventListeners(run.signal, 'abort').length, 0);
    const pending = sleep(3_600_000, run.signal);
    assert.equal(getEventListeners(run.signal, 'abort').length, 1);
    run.abort();
    await pending;
    assert.equal(getEventListeners(run.signal, 'abort').length, 0);
    // An aborted run does not wait at all, and adds nothing.
    await sleep(3_600_000, run.signal);
    assert.equal(getEventListeners(run.signal, 'abort').length, 0);
  });

  test('thirty polls for the credential report leave no listener on the run signal', async () => {
    const run = new AbortController();
    const content = readFileSync('fixtures/demo/credential-report.csv');
    let generateCalls = 0;
    let getCalls = 0;
    const iam = {
      send: async (command: unknown): Promise<unknown> => {
        if (command instanceof GenerateCredentialReportCommand) {
          generateCalls += 1;
          return { State: generateCalls <= 30 ? 'STARTED' : 'COMPLETE' };
        }
        getCalls += 1;
        return { Content: new Uint8Array(content), GeneratedTime: new Date('2026-12-01T10:00:00Z') };
      },
    } as unknown as IAMClient;
    const caller = new ApiCaller({ limiter: new ConcurrencyLimiter(2), callTimeoutMs: 10_000, runSignal: run.signal, secrets: [], log: null });
    const outcome = await fetchCredentialReport(iam, caller, { timeoutMs: 600_000, pollBaseMs: 1, maxPollDelayMs: 1 }, run.signal);
    assert.equal(generateCalls, 31);
    assert.equal(getCalls, 1);
    assert.ok(outcome.snapshot.users.length > 0);
    assert.equal(getEventListeners(run.signal, 'abort').length, 0);
  });
});
