/**
 * What an owner is asked to do, made concrete: console deep links, AWS CLI lines with the real
 * user name and key id (instead of the catalogue's `USER` / `AKIA...`), and one instruction per
 * access key however many rules it fails (a key never gets "rotate" and "delete" at once).
 */
import type { FailedResult } from './notify-input.js';

/** Rules whose finding means: this key should go (deactivate, then delete), not be rotated. */
const RETIRE_REASONS: Readonly<Record<string, string>> = {
  'unused-credentials': 'it is not used',
  'access-keys-at-initial-setup': 'it was never used since the user was set up',
  'console-users-with-access-keys': 'the user also signs in to the console: programs get their own identity or a role',
};
const ROTATE_RULE = 'access-key-rotation';
const MULTIPLE_KEYS_RULE = 'multiple-active-access-keys';
/** User-level rules whose evidence ends with the keys concerned (": access_key_1, AKIA..."). */
const USER_KEY_RULES = new Set(['console-users-with-access-keys', 'access-keys-at-initial-setup', MULTIPLE_KEYS_RULE]);

export type KeyAction = 'delete' | 'rotate' | 'keep-one';

export interface KeyInstruction {
  readonly user: string;
  /** The key as the report names it: an id (AKIA...) from live collection, access_key_N from a credential report. */
  readonly key: string;
  readonly action: KeyAction;
  /** One sentence: what to do and why. */
  readonly instruction: string;
  readonly ruleIds: readonly string[];
  readonly dueDate: string | null;
  readonly overdue: boolean;
  readonly consoleLink: string;
  readonly commands: readonly string[];
}

/** A value as one shell word: plain names stay, anything else in single quotes. */
export function shellWord(value: string): string {
  return /^[A-Za-z0-9_.@+=,:/-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

function consoleHost(arn: string): string {
  const partition = arn.split(':')[1] ?? 'aws';
  if (partition === 'aws-us-gov') return 'https://console.amazonaws-us-gov.com';
  if (partition === 'aws-cn') return 'https://console.amazonaws.cn';
  return 'https://console.aws.amazon.com';
}

/** The IAM console page of a user's security credentials, of root's, or of the account's settings. */
export function consoleLink(resourceType: string, resourceArn: string, userName: string | null): string {
  const host = consoleHost(resourceArn);
  if (userName !== null) return `${host}/iam/home#/users/details/${encodeURIComponent(userName)}?section=security_credentials`;
  if (resourceType === 'root') return `${host}/iam/home#/security_credentials`;
  if (resourceType === 'password-policy' || resourceArn.endsWith(':root') || resourceType === 'account') return `${host}/iam/home#/account_settings`;
  return `${host}/iam/home`;
}

function isKeyId(key: string): boolean {
  return /^(AKIA|ASIA)[A-Z0-9]{12,}$/.test(key);
}

/** The keys a user-level key rule names at the end of its evidence. */
function keysInEvidence(evidence: string): string[] {
  const colon = evidence.lastIndexOf(': ');
  if (colon < 0) return [];
  return evidence
    .slice(colon + 2)
    .split(',')
    .map((key) => key.trim())
    .filter((key) => /^(access_key_\d|key_\d+|(AKIA|ASIA)[A-Z0-9]+)$/.test(key));
}

function keyCommands(user: string, key: string, action: KeyAction): string[] {
  const known = isKeyId(key);
  const id = known ? key : 'KEY_ID';
  const which = /^access_key_\d$/.test(key) ? `the credential report's key ${key.slice(-1)}: match its creation date` : 'match its creation date';
  const lookup = known ? [] : [`aws iam list-access-keys --user-name ${shellWord(user)}   # KEY_ID: the id of ${key} (${which})`];
  const deactivate = `aws iam update-access-key --user-name ${shellWord(user)} --access-key-id ${id} --status Inactive`;
  const remove = `aws iam delete-access-key --user-name ${shellWord(user)} --access-key-id ${id}`;
  if (action === 'rotate') return [...lookup, `aws iam create-access-key --user-name ${shellWord(user)}   # deploy the new key first`, deactivate, remove];
  if (action === 'delete') return [...lookup, deactivate, `${remove}   # once nothing broke`];
  return [...lookup, `${deactivate}   # unless it is the one key ${user} keeps`];
}

function instructionFor(action: KeyAction, ruleIds: readonly string[]): string {
  const failing = `fails ${ruleIds.join(', ')}`;
  if (action === 'delete') {
    const why = ruleIds.map((id) => RETIRE_REASONS[id]).filter((reason): reason is string => reason !== undefined);
    return `deactivate this key, then delete it (${failing}; ${why.join('; ')}): no rotation needed`;
  }
  if (action === 'rotate') return `rotate it: create a new key, deploy it, then deactivate and delete this one (${failing})`;
  return `keep one active key per user: deactivate this one unless it is the key in use (${failing})`;
}

function earliest(dates: readonly (string | null)[]): string | null {
  return dates.filter((date): date is string => date !== null).sort()[0] ?? null;
}

/** True when the finding is about access keys: its instruction is the key's, not the rule's. */
export function isKeyFinding(finding: Pick<FailedResult, 'ruleId' | 'resourceType'>): boolean {
  return finding.resourceType === 'access-key' || USER_KEY_RULES.has(finding.ruleId);
}

/** One instruction per access key across all of an owner's findings, in order of first mention. */
export function keyInstructions(findings: readonly FailedResult[]): KeyInstruction[] {
  const keys = new Map<string, { user: string; key: string; arn: string; findings: FailedResult[] }>();
  const add = (user: string, key: string, arn: string, finding: FailedResult): void => {
    const name = `${user}#${key}`;
    const entry = keys.get(name) ?? { user, key, arn, findings: [] };
    entry.findings.push(finding);
    keys.set(name, entry);
  };
  for (const finding of findings) {
    if (finding.resourceType === 'access-key') {
      const hash = finding.resourceName.lastIndexOf('#');
      if (hash > 0) add(finding.resourceName.slice(0, hash), finding.resourceName.slice(hash + 1), finding.resourceArn, finding);
    } else if (finding.resourceType === 'user' && USER_KEY_RULES.has(finding.ruleId)) {
      for (const key of keysInEvidence(finding.evidence)) add(finding.resourceName, key, finding.resourceArn, finding);
    }
  }
  return [...keys.values()].map(({ user, key, arn, findings: items }) => {
    const ruleIds = [...new Set(items.map((item) => item.ruleId))];
    const action: KeyAction = ruleIds.some((id) => RETIRE_REASONS[id] !== undefined) ? 'delete' : ruleIds.includes(ROTATE_RULE) ? 'rotate' : 'keep-one';
    return {
      user,
      key,
      action,
      instruction: instructionFor(action, ruleIds),
      ruleIds,
      dueDate: earliest(items.map((item) => item.dueDate)),
      overdue: items.some((item) => item.overdue),
      consoleLink: consoleLink('access-key', arn, user),
      commands: keyCommands(user, key, action),
    };
  });
}

/**
 * The catalogue's CLI line for one finding that is not about keys: `USER` becomes the user's name;
 * for a user, the parts about keys (`AKIA...`, `OLD`) are left out (the key section has them).
 */
export function commandsFor(cli: string, finding: FailedResult, userName: string | null): string[] {
  const parts = cli.split('; ').map((part) => part.trim()).filter((part) => part !== '');
  const relevant = userName === null ? parts : parts.filter((part) => !/AKIA\.\.\.|--access-key-id OLD/.test(part));
  if (userName === null) return relevant;
  // A virtual MFA device created under the user's name has a known serial: arn:PARTITION:iam::ACCOUNT:mfa/NAME.
  const [, partition = 'aws', , , account = ''] = finding.resourceArn.split(':');
  const serial = cli.includes('--virtual-mfa-device-name USER') && account !== '' ? `arn:${partition}:iam::${account}:mfa/${userName}` : null;
  return relevant.map((part) => {
    const named = part.replace(/\bUSER\b/g, shellWord(userName));
    return serial === null ? named : named.replace('--serial-number ARN', `--serial-number ${shellWord(serial)}`);
  });
}
