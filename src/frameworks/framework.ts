/**
 * A framework is data: its controls and the rule ids that judge each. Adding a framework never
 * touches a rule. Rule ids are typed (RuleId, from the catalogue in src/rules/index.ts), so a map
 * naming a rule that does not exist fails to compile.
 */
import type { RuleId } from '../rules/index.js';

export interface FrameworkControl {
  /** The framework's own id, exactly as it prints it: "1.10", "IAM.5", "IA-2(1)", "CC6.1", "A.5.17", "8.4.2". */
  readonly id: string;
  readonly title: string;
  /** Rules that judge the control; empty means the control cannot be judged from IAM data (manual). */
  readonly rules: readonly RuleId[];
  /** Assessment level where the framework has one (CIS Level 1/2). */
  readonly level?: string;
  /**
   * The benchmark's own assessment status where it has one (CIS marks each recommendation
   * Automated or Manual); `unknown` when the source for that version does not say.
   */
  readonly assessment?: AssessmentStatus;
  /**
   * The thresholds the framework itself sets for this control, as values of the judging rules'
   * options (CIS 1.13: access-key-rotation maxAgeDays 90). A rule option of this control with no
   * entry here is a threshold the framework leaves open: the tool's own (issue 25 §4).
   */
  readonly parameters?: readonly FrameworkParameter[];
}

/** One threshold a framework sets, in the terms of the rule option that applies it. */
export interface FrameworkParameter {
  readonly rule: RuleId;
  readonly option: string;
  readonly value: number | boolean | string;
}

/** CIS's assessment status of a recommendation (Automated: checkable by a tool; Manual: needs a person). */
export type AssessmentStatus = 'Automated' | 'Manual' | 'unknown';

export interface Framework {
  /** Selector used on the command line: cis-5.0, fsbp, nist-800-53-r5, soc2, iso27001-2022, pci-dss-4.0. */
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly controls: readonly FrameworkControl[];
  /** How the report names it beside a threshold: "CIS v5.0.0", "AWS FSBP", "PCI DSS 4.0". */
  readonly shortName?: string;
  /**
   * The framework's own words for a control's status where they differ from PASS/FAIL: attestation
   * frameworks (SOC 2, ISO 27001) report a failed test as "Exceptions noted".
   */
  readonly statusLabels?: Readonly<Partial<Record<'pass' | 'pass_with_exceptions' | 'fail' | 'not_evaluated' | 'manual', string>>>;
}

export function defineFramework(framework: Framework): Framework {
  return framework;
}
