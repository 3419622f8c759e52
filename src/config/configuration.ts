/**
 * The configuration file (`--config`): which rules run, their thresholds, which frameworks are
 * reported. Validated against the catalogue, so a misspelt rule id or option, or a value of the
 * wrong type, is an error naming the file and the field, never silently ignored.
 *
 *   rules:
 *     access-keys-rotated: { maxAgeDays: 60 }
 *     root-hardware-mfa: { enabled: false }
 *   frameworks: [cis-5.0, fsbp]
 */
import type { CatalogueConfiguration, CatalogueFramework, FileIdentity, RuleSettings } from '../analyze/engine.js';
import type { RemediationConfig } from '../analyze/result.js';
import { SEVERITIES, type Rule, type RuleOptionValue, type Severity } from '../rules/rule.js';
import { InputError } from '../util/errors.js';
import { validate as validateConfigSchema } from '../generated/config-schema.generated.js';
import { checkAgainstSchema } from './schema-check.js';
import { checkKnownKeys, describeValue, isPlainObject, parseStructuredSource, withPositions } from './structured-file.js';

function validateRuleSettings(file: string, rule: Rule, value: unknown): RuleSettings {
  const where = `rules.${rule.id}`;
  if (value === null || value === undefined) return {};
  if (!isPlainObject(value)) throw new InputError(file, where, `expected a mapping of settings (enabled, options), got ${describeValue(value)}`);
  const optionNames = Object.keys(rule.defaultOptions);
  checkKnownKeys(file, where, value, ['enabled', ...optionNames], 'option');
  let enabled: boolean | undefined;
  const options: Record<string, RuleOptionValue> = {};
  for (const [key, setting] of Object.entries(value)) {
    if (key === 'enabled') {
      if (typeof setting !== 'boolean') throw new InputError(file, `${where}.enabled`, `expected true or false, got ${describeValue(setting)}`);
      enabled = setting;
      continue;
    }
    const expected = typeof rule.defaultOptions[key];
    const matches = expected === 'number' ? typeof setting === 'number' && Number.isFinite(setting) : typeof setting === expected;
    if (!matches) throw new InputError(file, `${where}.${key}`, `expected a ${expected} (default ${String(rule.defaultOptions[key])}), got ${describeValue(setting)}`);
    options[key] = setting as RuleOptionValue;
  }
  return enabled === undefined ? { options } : { enabled, options };
}

/** Validates parsed configuration data against the catalogue. */
export function validateConfiguration(
  data: unknown,
  file: string,
  identity: FileIdentity | null,
  rules: readonly Rule[],
  frameworks: readonly CatalogueFramework[],
): CatalogueConfiguration {
  if (data === null || data === undefined) return { file: identity, rules: {}, frameworks: null };
  if (!isPlainObject(data)) throw new InputError(file, null, `expected a mapping with "rules" and "frameworks", got ${describeValue(data)}`);
  checkKnownKeys(file, '', data, ['rules', 'frameworks', 'remediation'], 'setting');

  const ruleSettings: Record<string, RuleSettings> = {};
  const rulesValue = data['rules'];
  if (rulesValue !== undefined && rulesValue !== null) {
    if (!isPlainObject(rulesValue)) throw new InputError(file, 'rules', `expected a mapping of rule id to settings, got ${describeValue(rulesValue)}`);
    for (const [ruleId, value] of Object.entries(rulesValue)) {
      const rule = rules.find((candidate) => candidate.id === ruleId);
      if (rule === undefined) throw new InputError(file, `rules.${ruleId}`, `unknown rule id "${ruleId}" (run "iam-audit rules" to list them)`);
      ruleSettings[ruleId] = validateRuleSettings(file, rule, value);
    }
  }

  let selected: string[] | null = null;
  const frameworksValue = data['frameworks'];
  if (frameworksValue !== undefined && frameworksValue !== null) {
    if (!Array.isArray(frameworksValue)) throw new InputError(file, 'frameworks', `expected a list of framework ids, got ${describeValue(frameworksValue)}`);
    selected = [];
    for (const [index, id] of (frameworksValue as unknown[]).entries()) {
      if (typeof id !== 'string' || !frameworks.some((framework) => framework.id === id)) {
        const known = frameworks.map((framework) => framework.id).join(', ');
        throw new InputError(file, `frameworks[${index}]`, `unknown framework ${describeValue(id)}; known: ${known === '' ? '(none registered)' : known}`);
      }
      if (!selected.includes(id)) selected.push(id);
    }
  }
  const remediation = validateRemediation(file, data['remediation']);
  return { file: identity, rules: ruleSettings, frameworks: selected, ...(remediation === null ? {} : { remediation }) };
}

/** The most days a deadline may be: ten years. A larger number is a typo (days for hours, an extra zero). */
export const MAX_DUE_DAYS = 3650;

/**
 *   remediation:
 *     dueDays: { critical: 7, high: 30, medium: 90, low: 180, info: null }   # null: no due date
 *     ownerTags: [owner, email]                                               # user tag keys, in order
 */
function validateRemediation(file: string, value: unknown): RemediationConfig | null {
  if (value === undefined || value === null) return null;
  if (!isPlainObject(value)) throw new InputError(file, 'remediation', `expected a mapping with dueDays and ownerTags, got ${describeValue(value)}`);
  checkKnownKeys(file, 'remediation', value, ['dueDays', 'ownerTags'], 'setting');
  let dueDays: Partial<Record<Severity, number | null>> | undefined;
  const daysValue = value['dueDays'];
  if (daysValue !== undefined && daysValue !== null) {
    if (!isPlainObject(daysValue)) throw new InputError(file, 'remediation.dueDays', `expected a mapping of severity to days, got ${describeValue(daysValue)}`);
    checkKnownKeys(file, 'remediation.dueDays', daysValue, SEVERITIES, 'severity');
    dueDays = {};
    for (const [severity, days] of Object.entries(daysValue)) {
      const where = `remediation.dueDays.${severity}`;
      if (days === null) {
        dueDays[severity as Severity] = null;
        continue;
      }
      if (typeof days !== 'number' || !Number.isInteger(days)) throw new InputError(file, where, `expected a whole number of days (or null for no due date), got ${describeValue(days)}`);
      if (days < 0 || days > MAX_DUE_DAYS) throw new InputError(file, where, `must be between 0 and ${MAX_DUE_DAYS} days, got ${days}`);
      dueDays[severity as Severity] = days;
    }
  }
  let ownerTags: string[] | undefined;
  const tagsValue = value['ownerTags'];
  if (tagsValue !== undefined && tagsValue !== null) {
    if (!Array.isArray(tagsValue)) throw new InputError(file, 'remediation.ownerTags', `expected a list of tag keys, got ${describeValue(tagsValue)}`);
    ownerTags = (tagsValue as unknown[]).map((key, index) => {
      if (typeof key !== 'string' || key.trim() === '') throw new InputError(file, `remediation.ownerTags[${index}]`, `expected a tag key, got ${describeValue(key)}`);
      return key.trim();
    });
  }
  return { ...(dueDays === undefined ? {} : { dueDays }), ...(ownerTags === undefined ? {} : { ownerTags }) };
}

export function parseConfiguration(
  text: string,
  file: string,
  identity: FileIdentity | null,
  rules: readonly Rule[],
  frameworks: readonly CatalogueFramework[],
): CatalogueConfiguration {
  const source = parseStructuredSource(text, file);
  return withPositions(source, file, () => {
    const configuration = validateConfiguration(source.data, file, identity, rules, frameworks);
    // Catalogue first (its messages know the rule ids), then the schema's ranges: `maxAgeDays: -5` is refused.
    checkAgainstSchema(validateConfigSchema, source.data, file, (path) => source.position(path));
    return configuration;
  });
}

function yamlScalar(value: RuleOptionValue): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** The default configuration as YAML, with each rule's title as a comment: a file to start from. */
export function defaultConfigurationYaml(rules: readonly Rule[], frameworks: readonly CatalogueFramework[]): string {
  const lines = [
    '# iam-audit configuration: the defaults. Pass an edited copy with --config FILE.',
    '# Each rule: enabled (true/false) and its options. Leave out what you do not change.',
  ];
  const sorted = [...rules].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (sorted.length === 0) lines.push('rules: {}');
  else lines.push('rules:');
  for (const rule of sorted) {
    lines.push(`  # ${rule.title} (${rule.severity})`, `  ${rule.id}:`, '    enabled: true');
    for (const [name, value] of Object.entries(rule.defaultOptions)) lines.push(`    ${name}: ${yamlScalar(value)}`);
  }
  lines.push(
    '# Frameworks whose controls are reported (default: all). Known ids:',
    `#   ${frameworks.map((framework) => framework.id).join(', ') || '(none registered)'}`,
    `# frameworks: [${frameworks.map((framework) => framework.id).join(', ')}]`,
  );
  return `${lines.join('\n')}\n`;
}
