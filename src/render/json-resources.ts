/**
 * The JSON report's `resources` (result format 3, issue 26): each resource once (ARN, type, name,
 * finding key) with its rule results, one compact line per resource, written the same way from the
 * whole result (render/json.ts renderJsonChunks) and from the batches a streamed run hands over.
 */
import type { AppliedException, RuleResult } from '../analyze/result.js';
import { InternalConsistencyError } from '../util/errors.js';

const INDENT = '    ';

/**
 * The identity a result belongs to (format 3 groups results by it): a user's ARN for the user and
 * what hangs off it (`#access_key_1`, `#<inline policy>`), '' for everything account-wide (the
 * account, root and its keys, groups, roles, policies, certificates).
 */
function identityOf(resourceArn: string): string {
  const hash = resourceArn.indexOf('#');
  const owner = hash < 0 ? resourceArn : resourceArn.slice(0, hash);
  return owner.includes(':user/') ? owner : '';
}

/**
 * Groups results into the report's resource entries (format 3), the same way whether it is given
 * every result at once (renderJsonChunks) or one identity's batch at a time as the engine judges
 * (jsonReportStream): a function of the sequence alone, so both write the same bytes. Within each
 * maximal run of results of one identity, one entry per resource (ARN, type and name: the account
 * and root share an ARN), in the order of its first result, with its results in their order. An
 * identity's entries are complete when a result of another identity arrives or at `end`; only those
 * of the current identity are held. A resource can have two entries only if the results of its
 * identity were split by another's (no engine run does that; readers merge by ARN anyway).
 */
export class ResourceEntries {
  private identity: string | null = null;
  private readonly open = new Map<string, RuleResult[]>();

  /** Adds results in order; returns the entries they completed. */
  add(items: readonly RuleResult[]): RuleResult[][] {
    const done: RuleResult[][] = [];
    for (const item of items) {
      const identity = identityOf(item.resourceArn);
      if (identity !== this.identity) {
        this.flush(done);
        this.identity = identity;
      }
      const key = `${item.resourceArn}\n${item.resourceType}\n${item.resourceName}`;
      const entry = this.open.get(key);
      if (entry === undefined) this.open.set(key, [item]);
      else entry.push(item);
    }
    return done;
  }

  /** The entries still open. */
  end(): RuleResult[][] {
    const done: RuleResult[][] = [];
    this.flush(done);
    this.identity = null;
    return done;
  }

  private flush(done: RuleResult[][]): void {
    for (const entry of this.open.values()) done.push(entry);
    this.open.clear();
  }
}

/** Every result's resource entries, in order (the whole result at once). */
export function resourceEntries(results: readonly RuleResult[]): RuleResult[][] {
  const entries = new ResourceEntries();
  return [...entries.add(results), ...entries.end()];
}

/**
 * One resource and its results as the JSON report writes it (one compact line, format 3): the
 * resource once, its finding key (every finding id of the entry is `<rule>/<finding_key>`), and
 * per result only what is the result's own. A finding id that is not `<rule>/<finding_key>` is a
 * bug (it would be lost on reading): the writer stops.
 */
export function resourceJson(entry: readonly RuleResult[]): Record<string, unknown> {
  const first = entry[0];
  if (first === undefined) throw new InternalConsistencyError('a resource entry without results');
  const findingKey = first.findingId.slice(first.ruleId.length + 1);
  return {
    arn: first.resourceArn,
    type: first.resourceType,
    name: first.resourceName,
    finding_key: findingKey,
    results: entry.map((item) => {
      if (item.findingId !== `${item.ruleId}/${findingKey}` || findingKey === '') {
        throw new InternalConsistencyError(`the result of ${item.ruleId} on ${item.resourceArn} has the finding id ${JSON.stringify(item.findingId)}, not ${item.ruleId}/<the resource's key ${JSON.stringify(findingKey)}>`);
      }
      return resultJson(item);
    }),
  };
}

/** One rule result inside its resource entry: evidence only when there is some, reason only when there is one. */
function resultJson(item: RuleResult): Record<string, unknown> {
  return {
    rule: item.ruleId,
    status: item.status,
    ...(item.evidence === '' ? {} : { evidence: item.evidence }),
    ...(item.reason === null ? {} : { reason: item.reason }),
    ...(item.exception === null ? {} : { exception: exceptionJson(item.exception) }),
    ...(item.expiredException === null ? {} : { expired_exception: exceptionJson(item.expiredException) }),
    // Failed and excepted results only: owner, due date, management response (issue 10).
    ...(item.tracking === undefined
      ? {}
      : {
          tracking: {
            owner: item.tracking.owner,
            owner_source: item.tracking.ownerSource,
            due_date: item.tracking.dueDate,
            overdue: item.tracking.overdue,
            ...(item.tracking.firstDetected === undefined ? {} : { first_detected: item.tracking.firstDetected }),
            ...(item.tracking.pastDueAtReport === undefined ? {} : { past_due_at_report: item.tracking.pastDueAtReport }),
            response:
              item.tracking.response === null
                ? null
                : { response: item.tracking.response.response, owner: item.tracking.response.owner, target_date: item.tracking.response.targetDate },
          },
        }),
  };
}

function exceptionJson(exception: AppliedException): Record<string, unknown> {
  return { justification: exception.justification, approved_by: exception.approvedBy, expires: exception.expires, resource_pattern: exception.resourcePattern, ...exceptionDetailsJson(exception) };
}

/** approved_at, ticket and risk: only those the exceptions file gives (issue 25 §6). */
export function exceptionDetailsJson(entry: { readonly approvedAt?: string; readonly ticket?: string; readonly risk?: string }): Record<string, string> {
  return {
    ...(entry.approvedAt === undefined ? {} : { approved_at: entry.approvedAt }),
    ...(entry.ticket === undefined ? {} : { ticket: entry.ticket }),
    ...(entry.risk === undefined ? {} : { risk: entry.risk }),
  };
}

/** The lines of the report's `resources` as results arrive (one JSON report's state in a streamed run). */
export class ResourceLines {
  private readonly entries = new ResourceEntries();
  /** True once a line is written. */
  any = false;

  /** The lines of the entries these results complete (the identity before them); '' while an identity is open. */
  add(items: readonly RuleResult[]): string {
    return this.lines(this.entries.add(items));
  }

  /** The lines of the entries still open: after the last result. */
  end(): string {
    return this.lines(this.entries.end());
  }

  private lines(done: readonly RuleResult[][]): string {
    let text = '';
    for (const entry of done) {
      text += `${this.any ? ',\n' : '\n'}${INDENT}${INDENT}${JSON.stringify(resourceJson(entry))}`;
      this.any = true;
    }
    return text;
  }
}

