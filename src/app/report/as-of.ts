import { UserError } from '../../util/errors.js';
import { toIsoUtc } from '../../util/time.js';

/**
 * Refuses an --as-of before the capture time: the snapshot cannot say what the account looked
 * like before it was taken (keys "created 151 days after the evaluation time"). Later is a
 * projection (see analyze/projection.ts); equal is the capture time itself.
 */
export function checkAsOf(asOf: Date | undefined, capturedAt: string, where: string): void {
  if (asOf === undefined || asOf.getTime() >= Date.parse(capturedAt)) return;
  throw new UserError(
    `--as-of ${toIsoUtc(asOf)} is before the capture time ${capturedAt} of ${where}; the data cannot show the account before it was captured (give a time at or after capture)`,
  );
}
