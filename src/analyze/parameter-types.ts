/**
 * The Parameters table's types (issue 25 §4), apart from parameters.ts so that the analysis result
 * (result.ts) can name them without importing the module that reads it.
 */
export type OptionValue = number | boolean | string;

export type ParameterComparison = 'same' | 'stricter' | 'looser' | 'different';

/** What one framework control sets for an option, and how the value in effect compares. */
export interface FrameworkParameterValue {
  readonly framework: string;
  /** "CIS v5.0.0 1.13". */
  readonly control: string;
  readonly value: OptionValue;
  readonly comparison: ParameterComparison;
}

/** One row of the Parameters table: a rule option in effect, beside its default and every framework's own value. */
export interface ParameterRow {
  readonly ruleId: string;
  readonly option: string;
  readonly value: OptionValue;
  readonly defaultValue: OptionValue | null;
  /** "days", "characters"...; null for a setting that is not a threshold. */
  readonly unit: string | null;
  /** True when the configuration changed it from the rule's default. */
  readonly configured: boolean;
  readonly frameworkValues: readonly FrameworkParameterValue[];
  /** Frameworks in the result that map the rule but set no value for the option: there the threshold is the tool's own. */
  readonly frameworksWithoutValue: readonly string[];
}
