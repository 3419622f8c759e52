/**
 * The options of `--format asff`, apart from the renderer (asff.ts) so that the CLI's flag
 * definitions do not load the renderer on every run.
 */
import type { RuleResultStatus } from '../analyze/result.js';

export const DEFAULT_ASFF_REGION = 'us-east-1';
/** The statuses written unless --asff-status says otherwise: the failing results, excepted ones included (suppressed). */
export const DEFAULT_ASFF_STATUSES: readonly RuleResultStatus[] = ['fail', 'excepted'];
export const ASFF_STATUSES: readonly RuleResultStatus[] = ['pass', 'fail', 'excepted', 'not_evaluated', 'not_applicable', 'error'];

export interface AsffOptions {
  /** The Security Hub region of ProductArn and Resources[].Region. */
  readonly region: string;
  /** Which rule results become findings. */
  readonly statuses: readonly RuleResultStatus[];
}

export const DEFAULT_ASFF_OPTIONS: AsffOptions = { region: DEFAULT_ASFF_REGION, statuses: DEFAULT_ASFF_STATUSES };
