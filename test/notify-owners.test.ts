import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findingId, NotifyState } from '../src/app/notify/notify-state.js';
import { stableFindingId } from '../src/analyze/finding-id.js';
import { isValidAddress, OwnerResolver, OwnersMapping, owningUserName, parseOwnerTagKeys } from '../src/app/shared/owners.js';
import { UserError } from '../src/util/errors.js';

const mapping = OwnersMapping.parse('owners:\n  "svc-*": platform@example.com\n  svc-special: special@example.com\n  "admins-?": admins@example.com\n', 'owners.yaml');

describe('owners', () => {
  const table: readonly { name: string; type: string; resource: string; tags: Record<string, string> | undefined; owner: string | null; source: string | null }[] = [
    { name: 'an exact name beats an earlier glob', type: 'user', resource: 'svc-special', tags: undefined, owner: 'special@example.com', source: 'mapping' },
    { name: 'a glob', type: 'user', resource: 'svc-ci', tags: undefined, owner: 'platform@example.com', source: 'mapping' },
    { name: "an access key belongs to its user", type: 'access-key', resource: 'svc-ci#access_key_2', tags: undefined, owner: 'platform@example.com', source: 'mapping' },
    { name: 'a tag beats the mapping (key case ignored)', type: 'user', resource: 'svc-ci', tags: { EMAIL: 'ci-owner@example.com' }, owner: 'ci-owner@example.com', source: 'tag' },
    { name: 'the first configured key wins', type: 'user', resource: 'x', tags: { owner: 'b@example.com', email: 'a@example.com' }, owner: 'a@example.com', source: 'tag' },
    { name: 'an empty tag falls through to the default', type: 'user', resource: 'nobody', tags: { email: ' ' }, owner: 'default@example.com', source: 'default' },
    { name: 'root goes to the default owner', type: 'root', resource: '<root_account>', tags: undefined, owner: 'default@example.com', source: 'default' },
  ];
  for (const row of table) {
    it(row.name, () => {
      const tags = row.tags === undefined ? null : new Map([[row.resource.split('#')[0] ?? '', row.tags]]);
      const resolver = new OwnerResolver({ tagKeys: parseOwnerTagKeys(['email,owner']), mapping, defaultOwner: 'default@example.com' }, tags);
      const owner = resolver.resolve(row.type, row.resource);
      assert.equal(owner?.address ?? null, row.owner);
      assert.equal(owner?.source.kind ?? null, row.source);
    });
  }

  it('no default owner: an unmatched user has no owner', () => {
    const resolver = new OwnerResolver({ tagKeys: ['email'], mapping, defaultOwner: null }, null);
    assert.equal(resolver.resolve('user', 'alice'), null);
    assert.equal(resolver.resolve('account', '111122223333'), null);
  });

  it('refuses an invalid tag address before anything resolves', () => {
    const resolver = new OwnerResolver({ tagKeys: ['owner'], mapping, defaultOwner: null }, new Map([['eve', { owner: 'team-eve' }]]));
    assert.throws(() => resolver.checkTags(), (error: unknown) => error instanceof UserError && error.message === 'user eve: tag owner="team-eve" is not an email address (name@example.com)');
  });

  it('refuses an owners file that is not a mapping, naming the file', () => {
    assert.throws(() => OwnersMapping.parse('- a@example.com\n', 'list.yaml'), /list\.yaml: an owners file maps/);
    assert.throws(() => OwnersMapping.parse('bob: 42\n', 'n.yaml'), /n\.yaml: 1:1: "bob": 42 is not an email address/);
  });

  it('checks addresses plainly', () => {
    for (const good of ['a@example.com', 'first.last+tag@sub.example.co.uk']) assert.ok(isValidAddress(good), good);
    for (const bad of ['a@example', 'a example@example.com', '@example.com', 'a@@example.com', 'Bob <bob@example.com>', 'a@example.com\nBcc: x@example.com']) assert.ok(!isValidAddress(bad), bad);
  });

  it('maps owning users and finding ids', () => {
    assert.equal(owningUserName('access-key', 'bob#1#access_key_1'), 'bob#1');
    assert.equal(owningUserName('root', '<root_account>'), null);
    assert.equal(findingId({ ruleId: 'console-users-mfa', resourceArn: 'arn:aws:iam::1:user/bob' }), stableFindingId('console-users-mfa', 'arn:aws:iam::1:user/bob'));
    assert.match(findingId({ ruleId: 'console-users-mfa', resourceArn: 'arn:aws:iam::1:user/bob' }), /^console-users-mfa\/[0-9a-f]{16}$/);
  });

  it('reads a state file keyed the old way (rule|arn) as the same findings', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'iam-audit-state-'));
    try {
      const path = join(folder, 'state.json');
      const arn = 'arn:aws:iam::111122223333:user/bob';
      await writeFile(path, JSON.stringify({ version: 1, sent: { [`console-users-mfa|${arn}`]: { 'bob@example.com': '2026-11-01T00:00:00.000Z' } } }));
      const state = await NotifyState.load(path);
      const id = findingId({ ruleId: 'console-users-mfa', resourceArn: arn });
      assert.equal(state.isQuiet(id, 'bob@example.com', new Date('2026-11-03T00:00:00Z'), 7), true);
      assert.equal(state.isQuiet(id, 'bob@example.com', new Date('2026-11-30T00:00:00Z'), 7), false);
      assert.deepEqual(Object.keys((JSON.parse(state.toJson()) as { sent: Record<string, unknown> }).sent), [id]);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
