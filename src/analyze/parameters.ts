/**
 * Issue 25 §4: deviations from a framework are disclosed, never silent. From the options in effect
 * (defaults merged with the configuration) and the thresholds the frameworks themselves set (their
 * controls' `parameters`), this makes the "Parameters" table of the result, marks each control
 * judged under a stricter or looser threshold than its framework's own, labels the thresholds that
 * are the tool's own where a framework sets none, and words each rule's title with the value in
 * effect ("rotated within 60 days" when maxAgeDays is 60). Pure: data in, data out.
 */
import type { CatalogueFramework } from './engine.js';
import type { FrameworkParameterValue, OptionValue, ParameterComparison, ParameterRow } from './parameter-types.js';
import type { CatalogueResult, ControlResult, FrameworkResult, RuleSummary } from './result.js';

/**
 * Which way an option is stricter, and its unit, for the options that are thresholds. The rule
 * reads each as its comparison says (src/rules): a lower age or unused limit, a longer minimum
 * length, more passwords remembered, a shorter root-use window... An option not listed is a
 * setting, not a threshold (compared only for equality).
 */
const THRESHOLDS: Readonly<Record<string, { readonly unit: string; readonly stricter: 'lower' | 'higher' }>> = {
  'access-key-rotation.maxAgeDays': { unit: 'days', stricter: 'lower' },
  'unused-credentials.maxUnusedDays': { unit: 'days', stricter: 'lower' },
  'password-policy-max-age.maxAgeDays': { unit: 'days', stricter: 'lower' },
  'password-policy-min-length.minimumLength': { unit: 'characters', stricter: 'higher' },
  'password-policy-reuse-prevention.remembered': { unit: 'passwords', stricter: 'higher' },
  // Root used within the last N days fails: a longer window catches more use.
  'root-recent-use.days': { unit: 'days', stricter: 'higher' },
};

export interface ParametersOptions {
  /** Every rule's default options, by rule id. */
  readonly defaults: ReadonlyMap<string, Readonly<Record<string, OptionValue>>>;
  /** The framework definitions run (with their controls' parameters). */
  readonly frameworks: readonly CatalogueFramework[];
}

function compare(key: string, value: OptionValue, framework: OptionValue): ParameterComparison {
  if (value === framework) return 'same';
  const threshold = THRESHOLDS[key];
  if (threshold === undefined || typeof value !== 'number' || typeof framework !== 'number') return 'different';
  const lower = value < framework;
  return (threshold.stricter === 'lower') === lower ? 'stricter' : 'looser';
}

function withUnit(value: OptionValue, unit: string | null): string {
  return unit === null ? String(value) : `${String(value)} ${unit}`;
}

export function frameworkShortName(framework: Pick<CatalogueFramework, 'name' | 'version' | 'shortName'>): string {
  return framework.shortName ?? `${framework.name} ${framework.version}`;
}

/** "Active access keys are rotated within 60 days" when the default (90) was changed to 60. */
export function effectiveTitle(title: string, options: Readonly<Record<string, OptionValue>>, defaults: Readonly<Record<string, OptionValue>>): string {
  let worded = title;
  for (const [option, value] of Object.entries(options)) {
    const original = defaults[option];
    if (typeof original !== 'number' || typeof value !== 'number' || original === value) continue;
    const pattern = new RegExp(`\\b${original}\\b`, 'g');
    // Only an unambiguous mention: the default's number appears exactly once in the title.
    if ((title.match(pattern) ?? []).length === 1) worded = worded.replace(pattern, String(value));
  }
  return worded;
}

function parameterRows(rules: readonly RuleSummary[], frameworksRun: readonly FrameworkResult[], options: ParametersOptions): ParameterRow[] {
  const definitions = new Map(options.frameworks.map((framework) => [framework.id, framework]));
  const rows: ParameterRow[] = [];
  for (const rule of rules) {
    if (!rule.enabled) continue;
    const defaults = options.defaults.get(rule.id) ?? {};
    for (const [option, value] of Object.entries(rule.options)) {
      const key = `${rule.id}.${option}`;
      const unit = THRESHOLDS[key]?.unit ?? null;
      const frameworkValues: FrameworkParameterValue[] = [];
      const without: string[] = [];
      for (const result of frameworksRun) {
        const framework = definitions.get(result.id);
        if (framework === undefined) continue;
        const controls = framework.controls.filter((control) => control.rules.includes(rule.id));
        if (controls.length === 0) continue;
        let set = false;
        for (const control of controls) {
          for (const parameter of control.parameters ?? []) {
            if (parameter.rule !== rule.id || parameter.option !== option) continue;
            set = true;
            frameworkValues.push({ framework: framework.id, control: `${frameworkShortName(framework)} ${control.id}`, value: parameter.value, comparison: compare(key, value, parameter.value) });
          }
        }
        if (!set) without.push(frameworkShortName(framework));
      }
      const defaultValue = defaults[option] ?? null;
      rows.push({ ruleId: rule.id, option, value, defaultValue, unit, configured: defaultValue !== value, frameworkValues, frameworksWithoutValue: without });
    }
  }
  return rows;
}

/** The notes a control's row carries: each threshold that differs from its framework's, or that the framework leaves open. */
function controlNotes(control: ControlResult, framework: CatalogueFramework | undefined, rows: readonly ParameterRow[]): string[] {
  if (framework === undefined) return [];
  const definition = framework.controls.find((entry) => entry.id === control.controlId);
  const notes: string[] = [];
  for (const row of rows) {
    if (!control.ruleIds.includes(row.ruleId) || row.unit === null) continue;
    const own = (definition?.parameters ?? []).find((parameter) => parameter.rule === row.ruleId && parameter.option === row.option);
    if (own === undefined) {
      // Only where the framework's own control sets no threshold at all (CIS 1.6 sets none for root use).
      notes.push(`${row.ruleId} judged at ${withUnit(row.value, row.unit)}: the tool's own threshold (${frameworkShortName(framework)} sets none)`);
      continue;
    }
    const comparison = compare(`${row.ruleId}.${row.option}`, row.value, own.value);
    if (comparison === 'same') continue;
    notes.push(`judged at ${withUnit(row.value, row.unit)}; ${frameworkShortName(framework)} ${control.controlId}: ${withUnit(own.value, row.unit)} (${comparison} than the framework)`);
  }
  return notes;
}

/** The catalogue with rule titles worded by the options in effect, parameter notes on controls, and the Parameters table. */
export function withParameters(catalogue: CatalogueResult, options: ParametersOptions): CatalogueResult {
  const rules = catalogue.rules.map((rule) => {
    const title = effectiveTitle(rule.title, rule.options, options.defaults.get(rule.id) ?? {});
    return title === rule.title ? rule : { ...rule, title };
  });
  const rows = parameterRows(rules, catalogue.frameworks, options);
  const definitions = new Map(options.frameworks.map((framework) => [framework.id, framework]));
  const frameworks = catalogue.frameworks.map((framework) => ({
    ...framework,
    controls: framework.controls.map((control) => {
      const notes = controlNotes(control, definitions.get(framework.id), rows);
      return notes.length === 0 ? control : { ...control, parameterNotes: notes };
    }),
  }));
  return { ...catalogue, rules, frameworks, parameters: rows };
}
