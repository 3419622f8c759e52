/**
 * The browser that prints the PDF sees only the environment it needs: no signing password (the
 * variable --sign-pass-env names) and no AWS secrets. The environment passed to Chromium is checked
 * here; the environments of the real Chromium processes of a signed PDF render are read from /proc
 * in test/evidence-report-run.test.ts, whose signed run serves both (one browser run, not two).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { browserEnvironment } from '../src/render/browser.js';

describe('the browser environment', () => {
  it('keeps what the browser needs and nothing else', () => {
    const secrets = {
      IAM_AUDIT_TEST_SIGNING_PASSWORD: 'correct horse battery staple',
      AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      AWS_SESSION_TOKEN: 'FwoGZXIvYXdzEXAMPLESESSIONTOKEN',
      AWS_PROFILE: 'audit-profile-example',
    };
    const environment = browserEnvironment({ PATH: '/usr/bin', HOME: '/root', LANG: 'C.UTF-8', TZ: 'UTC', ...secrets, NODE_OPTIONS: '--x' }, '/tmp/profile');
    assert.deepEqual(environment, { PATH: '/usr/bin', HOME: '/root', LANG: 'C.UTF-8', TZ: 'UTC', TMPDIR: '/tmp/profile' });
  });
});
