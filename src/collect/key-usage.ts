import { GetAccessKeyLastUsedCommand, type AccessKeyLastUsed, type IAMClient } from '@aws-sdk/client-iam';
import { absent, known, type AccessKeyFacts, type CollectionError, type Fact, type UserFacts } from '../snapshot/types.js';
import { toIsoUtc } from '../util/time.js';
import { attempt, type ApiCaller } from './caller.js';
import { StageFailures } from './failures.js';
import { isoFact } from './iso.js';
import type { LiveUser } from './user-details.js';

/** Stage 4: when each access key was last used, by key id. */
export interface KeyUsage {
  readonly lastUsed: Fact<string>;
  readonly lastUsedRegion: Fact<string>;
  readonly lastUsedService: Fact<string>;
  readonly slot: 1 | 2 | null;
}

export interface KeyUsageStage {
  readonly usage: ReadonlyMap<string, KeyUsage>;
  readonly errors: readonly CollectionError[];
}

/** GetAccessKeyLastUsed says "N/A" for the region and service of a key never used. */
function keyUsageFromApi(usage: AccessKeyLastUsed | undefined): KeyUsage {
  const text = (value: string | undefined): Fact<string> => (value === undefined || value === '' || value === 'N/A' ? absent('not_applicable') : known(value));
  return { lastUsed: isoFact(usage?.LastUsedDate, absent('not_applicable')), lastUsedRegion: text(usage?.Region), lastUsedService: text(usage?.ServiceName), slot: null };
}

/** A credential-report slot's usage, as the report gives it. */
type ReportKey = Pick<AccessKeyFacts, 'slot' | 'createdAt' | 'lastUsed' | 'lastUsedRegion' | 'lastUsedService'>;

/** The whole second of an instant (the credential report has whole seconds); null when unreadable. */
function creationSecond(iso: string | null): number | null {
  const ms = iso === null ? Number.NaN : Date.parse(iso);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : null;
}

/**
 * Which report slot is which live key, one to one. The report has no key ids, only each slot's
 * creation second (`access_key_N_last_rotated`), so a key and a slot are paired only when that second
 * names exactly one key and exactly one slot. Two keys created in the same second (or two slots
 * dated alike) cannot be told apart by the report, and a guess could give one key the other's use
 * (issue 23 §4: both keys took slot 1 and the used key's date): those keys are left unmatched, so
 * they are read through GetAccessKeyLastUsed, which is asked by key id, and keep no slot.
 * Returns key index -> report slot.
 */
export function matchReportSlots(liveKeys: readonly { readonly createdAt: string | null }[], reportKeys: readonly ReportKey[]): Map<number, ReportKey> {
  const keysBySecond = new Map<number, number[]>();
  for (const [index, key] of liveKeys.entries()) {
    const second = creationSecond(key.createdAt);
    if (second !== null) keysBySecond.set(second, [...(keysBySecond.get(second) ?? []), index]);
  }
  const slotsBySecond = new Map<number, ReportKey[]>();
  for (const slot of reportKeys) {
    const second = creationSecond(slot.createdAt.known ? slot.createdAt.value : null);
    if (second !== null) slotsBySecond.set(second, [...(slotsBySecond.get(second) ?? []), slot]);
  }
  const matches = new Map<number, ReportKey>();
  for (const [second, keyIndexes] of keysBySecond) {
    const slots = slotsBySecond.get(second) ?? [];
    const [onlyKey] = keyIndexes;
    const [onlySlot] = slots;
    if (keyIndexes.length === 1 && slots.length === 1 && onlyKey !== undefined && onlySlot !== undefined) matches.set(onlyKey, onlySlot);
  }
  return matches;
}

/**
 * From the credential report where it knows the key (one slot to one key, see matchReportSlots),
 * else one GetAccessKeyLastUsed per key. `reportUsers` is by user ARN.
 */
export async function collectKeyUsage(iam: IAMClient, caller: ApiCaller, users: readonly LiveUser[], reportUsers: ReadonlyMap<string, UserFacts>): Promise<KeyUsageStage> {
  const failures = new StageFailures();
  const tasks: { keyId: string; usage: Promise<KeyUsage> }[] = [];
  for (const user of users) {
    if (!user.accessKeys.known) continue;
    const reportKeys = reportUsers.get(user.arn)?.accessKeys;
    const liveKeys = user.accessKeys.value.map((key) => ({ createdAt: key.CreateDate === undefined ? null : toIsoUtc(key.CreateDate) }));
    const matched = reportKeys?.known === true ? matchReportSlots(liveKeys, reportKeys.value) : new Map<number, ReportKey>();
    for (const [keyIndex, key] of user.accessKeys.value.entries()) {
      const keyId = key.AccessKeyId ?? '';
      const fromReport = matched.get(keyIndex);
      if (fromReport !== undefined) {
        const { lastUsed, lastUsedRegion, lastUsedService, slot } = fromReport;
        tasks.push({ keyId, usage: Promise.resolve({ lastUsed, lastUsedRegion, lastUsedService, slot }) });
        continue;
      }
      const call = attempt(() => caller.call('iam:GetAccessKeyLastUsed', user.arn, (abortSignal) => iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: keyId }), { abortSignal })));
      const path = `users[${user.index}].accessKeys[${keyIndex}]`;
      tasks.push({
        keyId,
        usage: call.then((outcome): KeyUsage => {
          if (outcome.ok) return keyUsageFromApi(outcome.value.AccessKeyLastUsed);
          const gone = failures.failed(outcome.failure, [`${path}.lastUsed`, `${path}.lastUsedRegion`, `${path}.lastUsedService`]);
          return { lastUsed: gone, lastUsedRegion: gone, lastUsedService: gone, slot: null };
        }),
      });
    }
  }
  const usage = new Map<string, KeyUsage>();
  for (const task of tasks) usage.set(task.keyId, await task.usage);
  return { usage, errors: failures.errors };
}
