/** One line of `verify`'s output: ok true (PASS), false (FAIL) or null (NOTE, no bearing on the verdict). */
export interface Verdict {
  readonly ok: boolean | null;
  readonly check: string;
  readonly detail: string;
  /** An instant the verdict states (the validation time), ISO 8601 UTC, for --json. */
  readonly time?: string;
}

export function formatVerdict(verdict: Verdict): string {
  const label = verdict.ok === null ? 'NOTE' : verdict.ok ? 'PASS' : 'FAIL';
  return `${label}  ${verdict.check}: ${verdict.detail}`;
}

export function allHold(verdicts: readonly Verdict[]): boolean {
  return verdicts.length > 0 && verdicts.every((verdict) => verdict.ok !== false);
}
