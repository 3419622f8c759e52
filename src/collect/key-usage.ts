import { GetAccessKeyLastUsedCommand, type AccessKeyLastUsed, type IAMClient } from '@aws-sdk/client-iam';
import { absent, known, type CollectionError, type Fact, type UserFacts } from '../snapshot/types.js';
import { toIsoUtc } from '../util/time.js';
import { attempt, type ApiCaller } from './caller.js';
import { StageFailures } from './failures.js';
import { isoFact, sameSecond } from './iso.js';
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

/**
 * From the credential report where it knows the key (matched by creation second, as the report has
 * no key ids), else one GetAccessKeyLastUsed per key. `reportUsers` is by user ARN.
 */
export async function collectKeyUsage(iam: IAMClient, caller: ApiCaller, users: readonly LiveUser[], reportUsers: ReadonlyMap<string, UserFacts>): Promise<KeyUsageStage> {
  const failures = new StageFailures();
  const tasks: { keyId: string; usage: Promise<KeyUsage> }[] = [];
  for (const user of users) {
    if (!user.accessKeys.known) continue;
    const reportKeys = reportUsers.get(user.arn)?.accessKeys;
    for (const [keyIndex, key] of user.accessKeys.value.entries()) {
      const keyId = key.AccessKeyId ?? '';
      const created = key.CreateDate === undefined ? null : toIsoUtc(key.CreateDate);
      const fromReport =
        created !== null && reportKeys?.known === true ? reportKeys.value.find((reportKey) => reportKey.createdAt.known && sameSecond(reportKey.createdAt.value, created)) : undefined;
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
