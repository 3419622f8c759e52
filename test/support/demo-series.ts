/**
 * Archived snapshots of the demo account (fixtures/demo/snapshot.json) a month apart, for `diff`,
 * `trend` and `report --previous`: keys rotated, created, deactivated and deleted, a user added,
 * MFA turned on and off, console access turned off, the password policy tightened, an exception
 * expiring and a new one applying.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES } from './cli.js';

type Json = Record<string, unknown>;

export const DEMO_SNAPSHOT_PATH = join(FIXTURES, 'demo', 'snapshot.json');
export const OLD_CAPTURE = '2026-11-02T08:15:42Z';
export const NEW_CAPTURE = '2026-12-02T08:15:42Z';
export const ACCOUNT = '111122223333';

export const arnOf = (path: string): string => `arn:aws:iam::${ACCOUNT}:user/${path}`;

function demo(): Json {
  return JSON.parse(readFileSync(DEMO_SNAPSHOT_PATH, 'utf8')) as Json;
}

const known = (value: unknown): Json => ({ known: true, value });

function policy(minimumPasswordLength: number): Json {
  return known({
    present: true,
    minimumPasswordLength,
    requireSymbols: true,
    requireNumbers: true,
    requireUppercaseCharacters: true,
    requireLowercaseCharacters: true,
    allowUsersToChangePassword: true,
    expirePasswords: false,
    maxPasswordAge: null,
    passwordReusePrevention: 24,
    hardExpiry: false,
  });
}

function users(snapshot: Json): Json[] {
  return snapshot['users'] as Json[];
}

function userNamed(snapshot: Json, name: string): Json {
  const found = users(snapshot).find((user) => user['name'] === name);
  if (found === undefined) throw new Error(`no demo user ${name}`);
  return found;
}

function keysOf(user: Json): Json[] {
  return (user['accessKeys'] as { value: Json[] }).value;
}

/** OLD: the demo account as captured, with a password policy of minimum length 8. */
export function oldSnapshot(): Json {
  const snapshot = demo();
  (snapshot['accountFacts'] as Json)['passwordPolicy'] = policy(8);
  return snapshot;
}

/**
 * NEW, a month later: bob.admin's key rotated, ivan.dba's second key deactivated, mallory.old's
 * key deleted and console access removed, zoe.new added (console, no MFA, a key), dave.dev turned
 * MFA on, erin.dev turned it off, the password policy's minimum length raised to 14.
 */
export function newSnapshot(captured = NEW_CAPTURE): Json {
  const snapshot = oldSnapshot();
  snapshot['capturedAt'] = captured;
  snapshot['collection'] = { ...(snapshot['collection'] as Json), startedAt: captured, endedAt: captured };
  const report = snapshot['credentialReport'] as Json | null;
  if (report !== null) snapshot['credentialReport'] = { ...report, generatedAt: captured };
  (snapshot['accountFacts'] as Json)['passwordPolicy'] = policy(14);
  const bobKey = keysOf(userNamed(snapshot, 'bob.admin'))[0] as Json;
  bobKey['createdAt'] = known('2026-11-20T10:00:00Z');
  bobKey['lastUsed'] = known('2026-11-30T10:00:00Z');
  (keysOf(userNamed(snapshot, 'ivan.dba'))[1] as Json)['active'] = false;
  const mallory = userNamed(snapshot, 'mallory.old');
  (mallory['accessKeys'] as Json)['value'] = [];
  const password = mallory['password'] as Json;
  mallory['password'] = { ...password, enabled: known(false), lastUsed: { known: false, reason: 'not_applicable' }, lastChanged: { known: false, reason: 'not_applicable' } };
  (userNamed(snapshot, 'dave.dev')['mfa'] as Json)['active'] = known(true);
  (userNamed(snapshot, 'erin.dev')['mfa'] as Json)['active'] = known(false);
  const zoe = JSON.parse(JSON.stringify(userNamed(snapshot, 'bob.admin'))) as Json;
  zoe['name'] = 'zoe.new';
  zoe['arn'] = arnOf('engineering/zoe.new');
  zoe['createdAt'] = known('2026-11-25T09:00:00Z');
  (zoe['password'] as Json)['lastChanged'] = known('2026-11-25T09:00:00Z');
  (zoe['password'] as Json)['lastUsed'] = known('2026-11-30T09:00:00Z');
  const zoeKey = keysOf(zoe)[0] as Json;
  zoeKey['createdAt'] = known('2026-11-25T09:05:00Z');
  zoeKey['lastUsed'] = known('2026-11-30T09:00:00Z');
  users(snapshot).push(zoe);
  const populations = snapshot['populations'] as Json;
  populations['users'] = { ...(populations['users'] as Json), collected: users(snapshot).length, ...((populations['users'] as Json)['expected'] === null ? {} : { expected: users(snapshot).length }) };
  return snapshot;
}

/**
 * The exceptions both are judged with: frank.contractor's missing MFA accepted until 2026-11-15
 * (active in OLD, expired by NEW), and zoe.new's until 2027-06-30 (applies only in NEW).
 */
export const EXCEPTIONS_YAML = `exceptions:
  - rule: console-users-mfa
    resource: frank.contractor
    justification: Contractor leaves mid-November
    approvedBy: Jane Doe (CISO)
    expires: 2026-11-15
  - rule: console-users-mfa
    resource: zoe.new
    justification: Hardware token on order (CHG-42)
    approvedBy: Jane Doe (CISO)
    expires: 2027-06-30
`;
