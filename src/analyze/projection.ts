/**
 * `--as-of` after the capture time is a projection: the snapshot says nothing of what happened
 * after capture. Elapsed time alone can make a check worse (a key gets older, a certificate
 * expires), and that is worth showing; it can also make a check better only by assuming that
 * nothing happened since (root used 4 hours before capture is "not used for 30 days" a month
 * later only if nobody used it in between), and that the data cannot show.
 *
 * So every rule is judged at the capture time and at the as-of time, and a result that would be
 * better at as-of than at capture becomes `not_evaluated` with that reason. Done here, for every
 * rule, so that no rule has to know it is being projected.
 */
import type { JudgedFinding } from './integrity.js';

/** How good a verdict is for the account: a projection may move down this scale, never up. */
const RANK: Readonly<Record<JudgedFinding['verdict'], number>> = { fail: 0, error: 1, not_evaluated: 1, not_applicable: 2, pass: 2 };

function key(finding: JudgedFinding): string {
  return `${finding.resource.type}\u0000${finding.resource.arn}\u0000${finding.resource.name}`;
}

/** The as-of findings, with every improvement over the capture-time findings turned into not_evaluated. */
export function projectFindings(atCapture: readonly JudgedFinding[], atAsOf: readonly JudgedFinding[], capturedAt: string, asOf: string): JudgedFinding[] {
  // A rule may name a resource more than once: match the n-th finding at as-of with the n-th at capture.
  const byResource = new Map<string, JudgedFinding[]>();
  for (const finding of atCapture) {
    const list = byResource.get(key(finding));
    if (list === undefined) byResource.set(key(finding), [finding]);
    else list.push(finding);
  }
  return atAsOf.map((finding) => {
    const before = byResource.get(key(finding))?.shift();
    if (before === undefined || RANK[finding.verdict] <= RANK[before.verdict]) return finding;
    const then = `${before.verdict.replace('_', ' ')}${before.evidence === '' ? '' : ` (${before.evidence})`}`;
    return {
      ...finding,
      verdict: 'not_evaluated',
      reason:
        `Not evaluated as a projection: at capture (${capturedAt}) this was ${then}; it would be ${finding.verdict.replace('_', ' ')} at ${asOf} ` +
        'only because time passed, and the snapshot cannot show what happened after capture (a credential used again, a change made).',
    };
  });
}
