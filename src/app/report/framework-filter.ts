import type { AnalysisResult, RuleResultStatus } from '../../analyze/result.js';

/**
 * The result as the machine outputs (JSON, CSV, OCSF, JUnit) show it when --framework is given:
 * only the chosen frameworks, the rules mapped to one of their controls (with only those
 * controls), those rules' results and exceptions. The MFA section (the original script's output)
 * is kept whole. `frameworkIds` null: every framework, the result unchanged.
 */
export function resultForFrameworks(result: AnalysisResult, frameworkIds: readonly string[] | null): AnalysisResult {
  const catalogue = result.catalogue;
  if (frameworkIds === null || catalogue === null) return result;
  const chosen = new Set(frameworkIds);
  const rules = catalogue.rules
    .map((rule) => ({ ...rule, controls: rule.controls.filter((control) => chosen.has(control.framework)) }))
    .filter((rule) => rule.controls.length > 0);
  const kept = new Set(rules.map((rule) => rule.id));
  return {
    ...result,
    catalogue: {
      ...catalogue,
      rules,
      results: catalogue.results.filter((item) => kept.has(item.ruleId)),
      frameworks: catalogue.frameworks.filter((framework) => chosen.has(framework.id)),
      exceptions: {
        ...catalogue.exceptions,
        expired: catalogue.exceptions.expired.filter((entry) => kept.has(entry.ruleId)),
        unused: catalogue.exceptions.unused.filter((entry) => kept.has(entry.ruleId)),
        ...(catalogue.exceptions.register === undefined ? {} : { register: catalogue.exceptions.register.filter((entry) => kept.has(entry.ruleId)) }),
      },
    },
  };
}

/**
 * The result as OCSF, OCSF JSON Lines, JUnit and the findings CSV show it with --status: only the
 * results of those statuses (the rules, their counts and the control status unchanged; the JSON
 * report always has every result). `statuses` null or absent: the result unchanged.
 */
export function resultWithStatuses(result: AnalysisResult, statuses: readonly RuleResultStatus[] | null | undefined): AnalysisResult {
  const catalogue = result.catalogue;
  if (statuses === null || statuses === undefined || catalogue === null) return result;
  const kept = new Set(statuses);
  return { ...result, catalogue: { ...catalogue, results: catalogue.results.filter((item) => kept.has(item.status)) } };
}
