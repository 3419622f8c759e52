import type { ApiCaller } from './caller.js';
import { CallFailure } from './errors.js';

/** What every paged IAM answer carries. */
export interface Paged {
  readonly IsTruncated?: boolean;
  readonly Marker?: string;
  readonly $metadata: { readonly attempts?: number };
}

/**
 * Calls `fetchPage` with each Marker until IsTruncated is false (pages can be short). A failed page
 * throws CallFailure; the pages already given to `onPage` stay with the caller, which must then
 * treat its list as incomplete.
 */
export async function forEachPage<T extends Paged>(
  caller: ApiCaller,
  api: string,
  resource: string | null,
  fetchPage: (marker: string | undefined, abortSignal: AbortSignal) => Promise<T>,
  onPage: (page: T) => void,
): Promise<void> {
  let marker: string | undefined;
  do {
    const page = await caller.call(api, resource, (abortSignal) => fetchPage(marker, abortSignal));
    onPage(page);
    if (page.IsTruncated === true) {
      if (page.Marker === undefined || page.Marker === '') {
        throw new CallFailure(api, resource, 'MissingMarker', 'IsTruncated was true but the answer had no Marker to continue from');
      }
      marker = page.Marker;
    } else {
      marker = undefined;
    }
  } while (marker !== undefined);
}
