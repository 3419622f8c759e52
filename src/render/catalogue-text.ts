/** Small wordings every catalogue renderer shares, so CSV, JSON, OCSF and console say the same. */
import type { CatalogueResult, RuleResult, RuleSummary } from '../analyze/result.js';

/** "cis-5.0 1.9; fsbp IAM.5": the framework controls a rule answers. */
export function describeControls(rule: Pick<RuleSummary, 'controls'>): string {
  return rule.controls.map((control) => `${control.framework} ${control.controlId}`).join('; ');
}

/** Console steps numbered, then the CLI: one cell of text. */
export function describeRemediation(rule: Pick<RuleSummary, 'remediation'>): string {
  const steps = rule.remediation.console.map((step, index) => `${index + 1}. ${step}`).join(' ');
  return `Console: ${steps} CLI: ${rule.remediation.cli}`;
}

/** The rules of the catalogue by id, for renderers that walk the results. */
export function rulesById(catalogue: CatalogueResult): ReadonlyMap<string, RuleSummary> {
  return new Map(catalogue.rules.map((rule) => [rule.id, rule]));
}

/** Why a result is not excepted although an exception names it: the exception expired. Empty otherwise. */
export function describeExpiredException(result: Pick<RuleResult, 'expiredException'>): string {
  const lapsed = result.expiredException;
  if (lapsed === null) return '';
  return `Exception "${lapsed.resourcePattern}" expired ${lapsed.expires} (approved by ${lapsed.approvedBy}: ${lapsed.justification}); it no longer applies.`;
}
