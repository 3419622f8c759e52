import type { ApiCaller } from './caller.js';
import { CallFailure } from './errors.js';
import type { Checked, CollectedApi } from './required-members.js';

/** What every paged IAM answer carries. */
export interface Paged {
  readonly IsTruncated?: boolean;
  readonly Marker?: string;
  readonly $metadata: { readonly attempts?: number };
}

export const REPEATED_MARKER_CODE = 'RepeatedMarker';

/**
 * Remembers the continuation tokens (Marker, NextToken) of one listing: a token given twice would
 * page the same part of the list again and again until the run's time limit, with memory growing.
 */
export class MarkerHistory {
  private readonly seen = new Map<string, number>();
  private page = 0;

  constructor(
    private readonly api: string,
    private readonly resource: string | null,
    private readonly tokenName: string,
  ) {}

  /** Records the token that page `this.page` ends with; throws CallFailure when an earlier page gave it. */
  next(token: string): string {
    this.page += 1;
    const earlier = this.seen.get(token);
    if (earlier !== undefined) {
      throw new CallFailure(
        this.api,
        this.resource,
        REPEATED_MARKER_CODE,
        `page ${this.page} ended with the ${this.tokenName} ${JSON.stringify(token)} that page ${earlier} already gave; paging stopped, the list is incomplete`,
      );
    }
    this.seen.set(token, this.page);
    return token;
  }
}

export const REPEATED_ENTRY_CODE = 'RepeatedEntry';

/**
 * Remembers the entries of one listing by their identity (ARN, key id, serial number): a list that
 * gives an entry twice has broken its paging, so it is refused as a whole (CallFailure, the fact it
 * gives is then `collection_failed`) rather than counted twice or silently cut short. ListUsers
 * instead keeps each user once and records each repeat (users-listing.ts), as its users are named.
 */
export class RepeatGuard {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly api: string,
    private readonly resource: string | null,
  ) {}

  /** Throws CallFailure when an earlier page (or this one) already gave `key`. */
  check(what: string, key: string, pageNumber: number): void {
    const first = this.seen.get(key);
    if (first !== undefined) {
      throw new CallFailure(this.api, this.resource, REPEATED_ENTRY_CODE, `page ${pageNumber} gave ${what} ${key} again (first on page ${first}); the list is not used`);
    }
    this.seen.set(key, pageNumber);
  }
}

/**
 * Calls `fetchPage` with each Marker until IsTruncated is false (pages can be short). A failed page
 * throws CallFailure, and so does a Marker an earlier page already gave (REPEATED_MARKER_CODE); the
 * pages already given to `onPage` stay with the caller, which must then treat its list as incomplete.
 */
export async function forEachPage<Api extends CollectedApi, T extends Paged>(
  caller: ApiCaller,
  api: Api,
  resource: string | null,
  fetchPage: (marker: string | undefined, abortSignal: AbortSignal) => Promise<T>,
  onPage: (page: Checked<Api, T>, pageNumber: number) => void,
): Promise<void> {
  const markers = new MarkerHistory(api, resource, 'Marker');
  let marker: string | undefined;
  let pageNumber = 0;
  do {
    const page = await caller.call(api, resource, (abortSignal) => fetchPage(marker, abortSignal));
    pageNumber += 1;
    onPage(page, pageNumber);
    if (page.IsTruncated === true) {
      if (page.Marker === undefined || page.Marker === '') {
        throw new CallFailure(api, resource, 'MissingMarker', 'IsTruncated was true but the answer had no Marker to continue from');
      }
      marker = markers.next(page.Marker);
    } else {
      marker = undefined;
    }
  } while (marker !== undefined);
}
