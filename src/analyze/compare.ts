/**
 * The pure comparison of two archived audits (issue 13): what changed between OLD and NEW. No I/O,
 * no clock, no AWS, no rendering: `diff`, `report --previous` and the tests call it with two
 * archive states (archive-state.ts).
 *
 * Findings are matched by their stable finding id. The views are not exclusive (an excepted result
 * that fails again is both "newly failing" and "exception ended"), and every one has a mirror:
 * compare(B, A) lists as resolved what compare(A, B) lists as newly failing, removed what was
 * added, MFA off what was turned on, keys deleted what were created, deactivated what were
 * activated, and a rotation with its two keys swapped.
 */
import type { ArchiveFinding, ArchiveIdentity, ArchiveKey, ArchivePasswordPolicy, ArchiveState, ControlStatusName } from './archive-types.js';
import { CHANGE_KINDS, type ArchiveSide, type ChangeKind, type ChangeReport, type ControlChanges, type FindingChange, type IdentityRef, type KeyChange, type KeyRef, type RuleChanges, type SettingChange } from './change-types.js';

// Re-exported: the use cases, the renderers and the tests name them as the comparison's result.
export { CHANGE_KINDS, type ArchiveSide, type ChangeKind, type ChangeReport, type ControlChanges, type FindingChange, type FrameworkRates, type IdentityRef, type KeyChange, type KeyRef, type Rate, type RuleChanges, type SettingChange } from './change-types.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Change kinds that are changes (still failing is a state, not a change). */
const CHANGES: readonly ChangeKind[] = CHANGE_KINDS.filter((kind) => kind !== 'still_failing');

function side(state: ArchiveState): ArchiveSide {
  return {
    kind: state.kind,
    fileName: state.fileName,
    fileSha256: state.fileSha256,
    snapshotFile: state.snapshotFile,
    snapshotSha256: state.snapshotSha256,
    account: state.account,
    capturedAt: state.capturedAt,
    evaluatedAsOf: state.evaluatedAsOf,
  };
}

/** Ordinal order: the same on every machine. */
const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** One status per finding id: the worst when a rule judged the same resource twice. */
const STATUS_WEIGHT: Readonly<Record<string, number>> = { fail: 6, error: 5, not_evaluated: 4, excepted: 3, pass: 2, not_applicable: 1 };
function indexFindings(findings: readonly ArchiveFinding[]): Map<string, ArchiveFinding> {
  const index = new Map<string, ArchiveFinding>();
  for (const finding of findings) {
    const seen = index.get(finding.findingId);
    if (seen === undefined || (STATUS_WEIGHT[finding.status] ?? 0) > (STATUS_WEIGHT[seen.status] ?? 0)) index.set(finding.findingId, finding);
  }
  return index;
}

/** The earlier of two instants (the second when the first is missing or unreadable). */
function earlierOf(first: string | null, second: string): string {
  return first !== null && Date.parse(first) < Date.parse(second) ? first : second;
}

function compareFindings(older: ArchiveState, newer: ArchiveState): ChangeReport['findings'] {
  const before = indexFindings(older.findings);
  const after = indexFindings(newer.findings);
  const titles = new Map([...older.rules, ...newer.rules].map((rule) => [rule.id, rule.title]));
  const fixes = new Map([...older.rules, ...newer.rules].map((rule) => [rule.id, rule.fix ?? null]));
  const ids = [...new Set([...before.keys(), ...after.keys()])];
  const days = Math.round(((Date.parse(newer.capturedAt) - Date.parse(older.capturedAt)) / DAY_MS) * 10) / 10;
  const result = { newlyFailing: [] as FindingChange[], resolved: [] as FindingChange[], stillFailing: [] as FindingChange[], newlyExcepted: [] as FindingChange[], exceptionsEnded: [] as FindingChange[] };
  for (const id of ids) {
    const old = before.get(id);
    const now = after.get(id);
    // The newer side names the finding when both exist (an id is in at least one of them).
    const either = (now ?? old) as ArchiveFinding;
    const change = (extra: Partial<FindingChange>): FindingChange => ({
      findingId: id,
      ruleId: either.ruleId,
      ruleTitle: titles.get(either.ruleId) ?? either.ruleId,
      severity: either.severity,
      resourceType: either.resourceType,
      resourceName: either.resourceName,
      resourceArn: either.resourceArn,
      before: old?.status ?? null,
      after: now?.status ?? null,
      firstSeen: null,
      failingDays: null,
      exceptionExpires: null,
      expired: false,
      ...extra,
    });
    const wasFailing = old?.status === 'fail';
    const isFailing = now?.status === 'fail';
    if (isFailing && !wasFailing) result.newlyFailing.push(change({ evidence: now.evidence ?? null, fix: fixes.get(now.ruleId) ?? null }));
    if (wasFailing && !isFailing) result.resolved.push(change({}));
    // Failing since OLD's capture, or since the first detection OLD's own report recorded (issue 25 §6).
    if (wasFailing && isFailing) result.stillFailing.push(change({ firstSeen: earlierOf(old.firstDetected ?? null, older.capturedAt), failingDays: days }));
    const wasExcepted = old?.status === 'excepted';
    const isExcepted = now?.status === 'excepted';
    if (isExcepted && !wasExcepted) result.newlyExcepted.push(change({ exceptionExpires: now?.exceptionExpires ?? null }));
    if (wasExcepted && !isExcepted) result.exceptionsEnded.push(change({ exceptionExpires: old?.exceptionExpires ?? null, expired: now?.expiredExceptionExpires !== null && now?.expiredExceptionExpires !== undefined }));
  }
  const order = (a: FindingChange, b: FindingChange): number => byText(a.ruleId, b.ruleId) || byText(a.resourceArn, b.resourceArn) || byText(a.findingId, b.findingId);
  for (const list of Object.values(result)) list.sort(order);
  return result;
}

function ruleChanges(older: ArchiveState, newer: ArchiveState, findings: ChangeReport['findings']): RuleChanges[] {
  const rules = new Map([...older.rules, ...newer.rules].map((rule) => [rule.id, rule]));
  const failing = (state: ArchiveState, ruleId: string): number => state.findings.filter((item) => item.ruleId === ruleId && item.status === 'fail').length;
  const countFor = (list: readonly FindingChange[], ruleId: string, only: (change: FindingChange) => boolean = () => true): number =>
    list.filter((item) => item.ruleId === ruleId && only(item)).length;
  return [...rules.values()]
    .sort((a, b) => byText(a.id, b.id))
    .map((rule) => ({
      ruleId: rule.id,
      title: rule.title,
      severity: rule.severity,
      failingBefore: failing(older, rule.id),
      failingAfter: failing(newer, rule.id),
      newlyFailing: countFor(findings.newlyFailing, rule.id),
      resolved: countFor(findings.resolved, rule.id),
      stillFailing: countFor(findings.stillFailing, rule.id),
      newlyExcepted: countFor(findings.newlyExcepted, rule.id),
      exceptionsExpired: countFor(findings.exceptionsEnded, rule.id, (item) => item.expired),
      exceptionsEnded: countFor(findings.exceptionsEnded, rule.id),
    }))
    .filter((row) => row.failingBefore + row.failingAfter + row.newlyExcepted + row.exceptionsEnded > 0);
}

function controlChanges(older: ArchiveState, newer: ArchiveState, rules: readonly RuleChanges[]): ControlChanges[] {
  const byRule = new Map(rules.map((row) => [row.ruleId, row]));
  const names = new Map([...older.frameworks, ...newer.frameworks].map((framework) => [framework.id, `${framework.name} ${framework.version}`]));
  const key = (framework: string, controlId: string): string => `${framework}\u0000${controlId}`;
  const beforeStatus = new Map(older.frameworks.flatMap((framework) => framework.controls.map((control) => [key(framework.id, control.controlId), control] as const)));
  const afterStatus = new Map(newer.frameworks.flatMap((framework) => framework.controls.map((control) => [key(framework.id, control.controlId), control] as const)));
  // Framework and control order: NEW's, then what only OLD has.
  const order = [...afterStatus.keys(), ...[...beforeStatus.keys()].filter((entry) => !afterStatus.has(entry))];
  const rows: ControlChanges[] = [];
  for (const entry of order) {
    const old = beforeStatus.get(entry);
    const now = afterStatus.get(entry);
    const control = (now ?? old) as NonNullable<typeof now>;
    const ruleIds = [...new Set([...(old?.ruleIds ?? []), ...(now?.ruleIds ?? [])])];
    const sum = (field: 'newlyFailing' | 'resolved' | 'stillFailing' | 'newlyExcepted' | 'exceptionsExpired'): number => ruleIds.reduce((total, ruleId) => total + (byRule.get(ruleId)?.[field] ?? 0), 0);
    const row: ControlChanges = {
      framework: control.framework,
      frameworkName: names.get(control.framework) ?? control.framework,
      controlId: control.controlId,
      title: control.title,
      before: old?.status ?? null,
      after: now?.status ?? null,
      newlyFailing: sum('newlyFailing'),
      resolved: sum('resolved'),
      stillFailing: sum('stillFailing'),
      newlyExcepted: sum('newlyExcepted'),
      exceptionsExpired: sum('exceptionsExpired'),
    };
    if (row.before !== row.after || row.newlyFailing + row.resolved + row.stillFailing + row.newlyExcepted + row.exceptionsExpired > 0) rows.push(row);
  }
  return rows;
}

/**
 * The identities compared. Every account has its root user, so root is never added or removed:
 * when one side does not know it (a report JSON lists IAM users only), it is left out of both.
 */
function identitiesOfState(state: ArchiveState, withRoot: boolean): ArchiveIdentity[] | null {
  if (state.users === null) return null;
  return !withRoot || state.root === null ? [...state.users] : [state.root, ...state.users];
}

function refOf(identity: ArchiveIdentity): IdentityRef {
  return { name: identity.name, arn: identity.arn };
}

function keyLabel(key: ArchiveKey): string {
  return key.id ?? (key.slot === null ? 'key' : `access_key_${key.slot}`);
}

function keyRef(key: ArchiveKey): KeyRef {
  return { label: keyLabel(key), active: key.active, createdAt: key.createdAt };
}

/** Pairs OLD's and NEW's keys of one user: same key, rotated (one replaced by the other), created, deleted. */
function compareKeys(user: IdentityRef, before: readonly ArchiveKey[], after: readonly ArchiveKey[], out: Record<'created' | 'rotated' | 'deactivated' | 'activated' | 'deleted', KeyChange[]>): void {
  const oldLeft = [...before];
  const newLeft = [...after];
  const take = <T>(list: T[], found: (item: T) => boolean): T | undefined => {
    const index = list.findIndex(found);
    return index < 0 ? undefined : list.splice(index, 1)[0];
  };
  // By id when both know it; else (a credential report has no key ids) by creation time, and slot when both have one.
  const sameKey = (old: ArchiveKey, now: ArchiveKey): boolean =>
    old.id !== null && now.id !== null
      ? old.id === now.id
      : old.createdAt !== null && old.createdAt === now.createdAt && (old.slot === null || now.slot === null || old.slot === now.slot);
  const pairs: [ArchiveKey, ArchiveKey][] = [];
  for (const old of [...oldLeft]) {
    const now = take(newLeft, (candidate) => sameKey(old, candidate));
    if (now !== undefined) {
      take(oldLeft, (candidate) => candidate === old);
      pairs.push([old, now]);
    }
  }
  for (const [old, now] of pairs) {
    const change = { user: user.name, userArn: user.arn, before: keyRef(old), after: keyRef(now) };
    if (old.active && !now.active) out.deactivated.push(change);
    if (!old.active && now.active) out.activated.push(change);
  }
  // What is left was replaced: a report slot whose key changed, else old and new in creation order.
  const byCreation = (a: ArchiveKey, b: ArchiveKey): number => byText(a.createdAt ?? '', b.createdAt ?? '') || byText(keyLabel(a), keyLabel(b));
  for (const old of [...oldLeft].sort(byCreation)) {
    const now = take(newLeft, (candidate) => candidate.slot !== null && candidate.slot === old.slot) ?? (old.slot === null ? [...newLeft].sort(byCreation).find((candidate) => candidate.slot === null) : undefined);
    if (now === undefined) continue;
    take(newLeft, (candidate) => candidate === now);
    take(oldLeft, (candidate) => candidate === old);
    out.rotated.push({ user: user.name, userArn: user.arn, before: keyRef(old), after: keyRef(now) });
  }
  for (const old of oldLeft) out.deleted.push({ user: user.name, userArn: user.arn, before: keyRef(old), after: null });
  for (const now of newLeft) out.created.push({ user: user.name, userArn: user.arn, before: null, after: keyRef(now) });
}

function compareIdentities(older: ArchiveState, newer: ArchiveState): { identities: ChangeReport['identities']; keys: ChangeReport['keys'] } {
  const withRoot = older.root !== null && newer.root !== null;
  const before = identitiesOfState(older, withRoot);
  const after = identitiesOfState(newer, withRoot);
  const notes = [older.factsNote === null ? null : `OLD: ${older.factsNote}`, newer.factsNote === null ? null : `NEW: ${newer.factsNote}`].filter((note): note is string => note !== null);
  const keys = { created: [] as KeyChange[], rotated: [] as KeyChange[], deactivated: [] as KeyChange[], activated: [] as KeyChange[], deleted: [] as KeyChange[] };
  const identities = { added: [] as IdentityRef[], removed: [] as IdentityRef[], mfaEnabled: [] as IdentityRef[], mfaDisabled: [] as IdentityRef[], consoleEnabled: [] as IdentityRef[], consoleDisabled: [] as IdentityRef[] };
  if (before === null || after === null) {
    const note = notes.join(' ') || 'identity facts are not available';
    return { identities: { note, ...identities }, keys: { note, ...keys } };
  }
  const oldByArn = new Map(before.map((identity) => [identity.arn, identity]));
  const newByArn = new Map(after.map((identity) => [identity.arn, identity]));
  let keysKnown = true;
  for (const identity of after) {
    const old = oldByArn.get(identity.arn);
    if (old === undefined) {
      identities.added.push(refOf(identity));
      for (const key of identity.keys ?? []) keys.created.push({ user: identity.name, userArn: identity.arn, before: null, after: keyRef(key) });
      continue;
    }
    if (old.mfaActive === false && identity.mfaActive === true) identities.mfaEnabled.push(refOf(identity));
    if (old.mfaActive === true && identity.mfaActive === false) identities.mfaDisabled.push(refOf(identity));
    if (old.consoleAccess === false && identity.consoleAccess === true) identities.consoleEnabled.push(refOf(identity));
    if (old.consoleAccess === true && identity.consoleAccess === false) identities.consoleDisabled.push(refOf(identity));
    if (old.keys === null || identity.keys === null) keysKnown = false;
    else compareKeys(refOf(identity), old.keys, identity.keys, keys);
  }
  for (const identity of before) {
    if (newByArn.has(identity.arn)) continue;
    identities.removed.push(refOf(identity));
    for (const key of identity.keys ?? []) keys.deleted.push({ user: identity.name, userArn: identity.arn, before: keyRef(key), after: null });
  }
  const byUser = (a: { user: string; userArn: string }, b: { user: string; userArn: string }): number => byText(a.userArn, b.userArn) || byText(a.user, b.user);
  for (const list of Object.values(keys)) list.sort((a, b) => byUser(a, b) || byText(a.before?.label ?? a.after?.label ?? '', b.before?.label ?? b.after?.label ?? ''));
  const byArn = (a: IdentityRef, b: IdentityRef): number => byText(a.arn, b.arn);
  for (const list of Object.values(identities)) list.sort(byArn);
  return {
    identities: { note: null, ...identities },
    keys: { note: keysKnown ? null : "some users' access keys are not known in one of the two; their keys are not compared", ...keys },
  };
}

function describePolicy(policy: ArchivePasswordPolicy): string {
  if (policy.state === 'unknown') return `unknown (${policy.reason})`;
  return policy.state === 'absent' ? 'no password policy set' : 'set';
}

function comparePasswordPolicy(older: ArchivePasswordPolicy, newer: ArchivePasswordPolicy): ChangeReport['passwordPolicy'] {
  const before = describePolicy(older);
  const after = describePolicy(newer);
  if (older.state === 'unknown' || newer.state === 'unknown') {
    const reason = older.state === 'unknown' ? `OLD: ${older.reason}` : newer.state === 'unknown' ? `NEW: ${newer.reason}` : '';
    return { note: `the password policy is not known in ${older.state === 'unknown' && newer.state === 'unknown' ? 'either' : older.state === 'unknown' ? 'OLD' : 'NEW'} (${reason})`, before, after, changes: [] };
  }
  const value = (policy: ArchivePasswordPolicy, setting: string): string => {
    if (policy.state !== 'present') return 'no policy';
    const found = policy.settings[setting];
    return found === null || found === undefined ? 'not set' : String(found);
  };
  const settings = [...new Set([...(older.state === 'present' ? Object.keys(older.settings) : []), ...(newer.state === 'present' ? Object.keys(newer.settings) : [])])].sort(byText);
  const changes: SettingChange[] = [];
  if (older.state !== newer.state) changes.push({ setting: 'policy', before, after });
  for (const setting of settings) {
    const was = value(older, setting);
    const is = value(newer, setting);
    if (was !== is) changes.push({ setting, before: was, after: is });
  }
  return { note: null, before, after, changes };
}

function passRate(counts: Readonly<Record<ControlStatusName, number>> | null): number | null {
  if (counts === null) return null;
  // A control met with accepted risks (pass_with_exceptions) is met; archives before it have no such count.
  const met = counts.pass + (counts.pass_with_exceptions ?? 0);
  const automated = met + counts.fail + counts.not_evaluated;
  return automated === 0 ? null : met / automated;
}

function compareRates(older: ArchiveState, newer: ArchiveState): ChangeReport['rates'] {
  const ids = [...new Set([...newer.frameworks.map((framework) => framework.id), ...older.frameworks.map((framework) => framework.id)])];
  return {
    mfa: { before: older.mfa.complianceRate, after: newer.mfa.complianceRate },
    consoleMfa: { before: older.mfa.consoleComplianceRate, after: newer.mfa.consoleComplianceRate },
    frameworks: ids.map((id) => {
      const old = older.frameworks.find((framework) => framework.id === id) ?? null;
      const now = newer.frameworks.find((framework) => framework.id === id) ?? null;
      const named = (now ?? old) as NonNullable<typeof now>;
      return {
        framework: id,
        name: `${named.name} ${named.version}`,
        before: old?.counts ?? null,
        after: now?.counts ?? null,
        passRate: { before: passRate(old?.counts ?? null), after: passRate(now?.counts ?? null) },
      };
    }),
  };
}

function warnings(older: ArchiveState, newer: ArchiveState): string[] {
  const found: string[] = [];
  if (older.configurationSha256 !== newer.configurationSha256) found.push('OLD and NEW were judged with different configuration files: some changes may come from the configuration, not the account');
  if (older.exceptionsSha256 !== newer.exceptionsSha256) found.push('OLD and NEW were judged with different exceptions files: excepted findings may differ for that reason');
  if (older.account.id !== newer.account.id) found.push(`OLD is account ${older.account.id} and NEW is account ${newer.account.id}`);
  return found;
}

/** What changed from OLD to NEW. Pure: the same two states give the same report. */
export function compareStates(older: ArchiveState, newer: ArchiveState): ChangeReport {
  const findings = compareFindings(older, newer);
  const rules = ruleChanges(older, newer, findings);
  const controls = controlChanges(older, newer, rules);
  const { identities, keys } = compareIdentities(older, newer);
  const passwordPolicy = comparePasswordPolicy(older.passwordPolicy, newer.passwordPolicy);
  const counts: Record<ChangeKind, number> = {
    newly_failing: findings.newlyFailing.length,
    resolved: findings.resolved.length,
    still_failing: findings.stillFailing.length,
    newly_excepted: findings.newlyExcepted.length,
    exception_expired: findings.exceptionsEnded.filter((item) => item.expired).length,
    exception_ended: findings.exceptionsEnded.length,
    control_status_changed: controls.filter((row) => row.before !== row.after).length,
    identity_added: identities.added.length,
    identity_removed: identities.removed.length,
    mfa_enabled: identities.mfaEnabled.length,
    mfa_disabled: identities.mfaDisabled.length,
    console_enabled: identities.consoleEnabled.length,
    console_disabled: identities.consoleDisabled.length,
    key_created: keys.created.length,
    key_rotated: keys.rotated.length,
    key_deactivated: keys.deactivated.length,
    key_activated: keys.activated.length,
    key_deleted: keys.deleted.length,
    password_policy_changed: passwordPolicy.changes.length,
  };
  return {
    old: side(older),
    new: side(newer),
    sameAccount: older.account.id === newer.account.id && older.account.partition === newer.account.partition,
    reversed: Date.parse(newer.capturedAt) < Date.parse(older.capturedAt),
    findings,
    rules,
    controls,
    identities,
    keys,
    passwordPolicy,
    rates: compareRates(older, newer),
    warnings: warnings(older, newer),
    counts,
    changed: CHANGES.some((kind) => counts[kind] > 0),
  };
}
