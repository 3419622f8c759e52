import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { errorCode, missingPermissions, redactSecrets } from '../src/collect/errors.js';
import { mfaDeviceType } from '../src/collect/user-details.js';
import { ConcurrencyLimiter } from '../src/collect/limiter.js';
import { progressLine, ProgressDisplay } from '../src/collect/progress.js';

describe('collector parts', () => {
  test('MFA device type from the serial number', () => {
    assert.equal(mfaDeviceType('arn:aws:iam::123456789012:mfa/alice'), 'virtual');
    assert.equal(mfaDeviceType('arn:aws-us-gov:iam::123456789012:mfa/path/alice'), 'virtual');
    assert.equal(mfaDeviceType('arn:aws:iam::123456789012:u2f/user/alice/key-ABC'), 'fido');
    assert.equal(mfaDeviceType('GAHT12345678'), 'hardware-totp');
    assert.equal(mfaDeviceType('arn:aws:iam::123456789012:something/else'), 'unknown');
  });

  test('the limiter never runs more than its limit, and urgent tasks jump the queue', async () => {
    const limiter = new ConcurrencyLimiter(3);
    let running = 0;
    let peak = 0;
    const order: string[] = [];
    const task = (name: string) => async () => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      order.push(name);
      running -= 1;
    };
    const tasks = Array.from({ length: 10 }, (_, index) => limiter.run(task(`t${index}`)));
    tasks.push(limiter.run(task('urgent'), true));
    await Promise.all(tasks);
    assert.equal(peak, 3);
    assert.equal(order.length, 11);
    assert.ok(order.indexOf('urgent') <= 4, order.join(','));
  });

  test('error codes are IAM wire codes', () => {
    assert.equal(errorCode({ name: 'NoSuchEntityException', message: 'x' }), 'NoSuchEntity');
    assert.equal(errorCode({ name: 'AccessDenied', message: 'x' }), 'AccessDenied');
    assert.equal(errorCode({ name: 'X', Code: 'Throttling' }), 'Throttling');
  });

  test('secrets and signatures are scrubbed from messages', () => {
    const secret = 'abcdEFGH1234/secret+key';
    assert.equal(redactSecrets(`failed with ${secret} inside`, [secret]), 'failed with [REDACTED] inside');
    assert.equal(redactSecrets(`Signature=${'a'.repeat(64)}`, []), 'Signature=[REDACTED]');
  });

  test('missing permissions come from AccessDenied errors only, once each', () => {
    const error = (api: string, code: string) => ({ api, resource: null, code, message: '', affects: [] });
    assert.deepEqual(missingPermissions([error('iam:ListUsers', 'AccessDenied'), error('iam:ListUsers', 'AccessDenied'), error('iam:GetAccountSummary', 'Throttling'), error('iam:ListMFADevices', 'AccessDenied')]), [
      'iam:ListMFADevices',
      'iam:ListUsers',
    ]);
  });

  test('progress line: users done of total, calls, retries, elapsed, ETA', () => {
    assert.equal(
      progressLine({ usersDone: 250, usersTotal: 1000, listingComplete: true, calls: 760, retries: 3 }, 30_000),
      'collecting: users 250/1000, 760 calls, 3 retries, 30s elapsed, ETA 1m30s',
    );
    assert.equal(progressLine({ usersDone: 0, usersTotal: 1000, listingComplete: false, calls: 2, retries: 0 }, 1_000), 'collecting: users 0/1000+, 2 calls, 0 retries, 1s elapsed, ETA ?');
  });

  test('progress is drawn on a TTY and silent otherwise or with --quiet', async () => {
    const counters = () => ({ usersDone: 1, usersTotal: 2, listingComplete: true, calls: 3, retries: 0 });
    const capture = (isTTY: boolean, quiet: boolean) => {
      const stream = Object.assign(new PassThrough(), { isTTY, columns: 200 }) as unknown as NodeJS.WriteStream;
      let written = '';
      (stream as unknown as PassThrough).on('data', (chunk: Buffer) => (written += chunk.toString()));
      const display = ProgressDisplay.for(stream, quiet, counters);
      return { display, written: () => written };
    };
    const cases = [capture(true, false), capture(false, false), capture(true, true)];
    for (const { display } of cases) display.start();
    await new Promise((resolve) => setTimeout(resolve, 400));
    for (const { display } of cases) display.stop();
    await new Promise((resolve) => setImmediate(resolve));
    assert.match(cases[0]!.written(), /collecting: users 1\/2, 3 calls, 0 retries/);
    assert.equal(cases[1]!.written(), '');
    assert.equal(cases[2]!.written(), '');
  });
});
