import { absent, type CollectionError, type Fact } from '../snapshot/types.js';
import type { CallFailure } from './errors.js';

/**
 * The collection errors of one stage. Each stage makes its own and returns `errors` with its data,
 * so no list of errors is shared between stages; the orchestrator joins them in stage order.
 */
export class StageFailures {
  readonly errors: CollectionError[] = [];

  /** Records a failed call and gives the absent fact that stands for what it would have given. */
  failed(failure: CallFailure, affects: readonly string[]): Fact<never> {
    this.errors.push({ api: failure.api, resource: failure.resource, code: failure.code, message: failure.message, affects });
    return absent('collection_failed', `${failure.api}: ${failure.code}`);
  }

  /** Records a problem that is not a failed call (a bad document, a count that disagrees). */
  record(error: CollectionError): void {
    this.errors.push(error);
  }
}
