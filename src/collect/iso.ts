import type { Fact } from '../snapshot/types.js';
import { known } from '../snapshot/types.js';
import { toIsoUtc } from '../util/time.js';

/** A date from the SDK as a snapshot instant, or `whenAbsent` when IAM gave none. */
export const isoFact = (date: Date | undefined, whenAbsent: Fact<string>): Fact<string> => (date === undefined ? whenAbsent : known(toIsoUtc(date)));
