/**
 * Whose finding is it, for `notify`: the owner resolved now (the snapshot's tags, --owners,
 * --default-owner) and the owner the report JSON recorded when it was made. Without the snapshot
 * the recorded owner is used first (it alone knows the capture's tags); with it, the owner resolved
 * now is used, and every user whose two owners differ is named once. An owner value that is not an
 * address stays attached to its findings with the reason: that owner is one error, not a stop.
 */
import { parseMailbox, type OwnerResolver, type ResolvedOwner } from '../shared/owners.js';
import type { FailedResult } from './notify-input.js';

export interface OwnerChoice {
  readonly owner: ResolvedOwner | null;
  /** One line when the recorded and the resolved owner differ; null otherwise. */
  readonly conflict: string | null;
}

function recordedOwner(finding: FailedResult): ResolvedOwner | null {
  if (finding.recordedOwner === null) return null;
  const source = { kind: 'report', how: finding.recordedOwnerSource ?? 'the report' } as const;
  const mailbox = parseMailbox(finding.recordedOwner);
  if (mailbox === null) {
    return { address: finding.recordedOwner, source, problem: `${finding.resourceName}: the owner the report records, ${JSON.stringify(finding.recordedOwner)}, is not an email address (name@example.com)` };
  }
  return { address: mailbox.address, source, ...(mailbox.name === '' ? {} : { name: mailbox.name }) };
}

function describe(owner: ResolvedOwner | null): string {
  if (owner === null) return 'no owner';
  switch (owner.source.kind) {
    case 'tag':
      return `${owner.address} (tag ${owner.source.key})`;
    case 'mapping':
      return `${owner.address} (--owners ${owner.source.pattern})`;
    case 'report':
      return `${owner.address} (${owner.source.how})`;
    default:
      return `${owner.address} (--default-owner)`;
  }
}

/** The owner to mail about `finding`. `tagsKnown`: a snapshot with the users' tags was read. */
export function chooseOwner(finding: FailedResult, resolver: OwnerResolver, tagsKnown: boolean): OwnerChoice {
  const resolved = resolver.resolve(finding.resourceType, finding.resourceName);
  const recorded = recordedOwner(finding);
  if (recorded === null) return { owner: resolved, conflict: null };
  const differs = resolved !== null && resolved.address.toLowerCase() !== recorded.address.toLowerCase();
  if (tagsKnown) {
    return { owner: resolved ?? recorded, conflict: differs ? `the report records ${describe(recorded)}, the snapshot and flags give ${describe(resolved)}: mailing ${describe(resolved)}` : null };
  }
  const fallback = resolved?.source.kind === 'default';
  return { owner: recorded, conflict: differs && !fallback ? `the report records ${describe(recorded)}, the flags give ${describe(resolved)}: mailing ${describe(recorded)} (give --snapshot to resolve from the capture's tags)` : null };
}
