/**
 * Use case `iam-audit rules` (this folder): the catalogue as text. Pure functions of the rules and
 * frameworks given; `--defaults` loads config/ for the default configuration's YAML.
 */
import type { CatalogueFramework } from '../../analyze/engine.js';
import type { Rule } from '../../rules/rule.js';
import { UserError } from '../../util/errors.js';

function byId<T extends { readonly id: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

/** Every rule: id, severity, title and the framework controls that map to it. */
export function renderRuleList(rules: readonly Rule[], frameworks: readonly CatalogueFramework[]): string {
  if (rules.length === 0) return 'No rules are registered.\n';
  const rows = byId(rules).map((rule) => {
    const controls = frameworks.flatMap((framework) =>
      framework.controls.filter((control) => control.rules.includes(rule.id)).map((control) => `${framework.id} ${control.id}`),
    );
    return [rule.id, rule.severity, rule.title, controls.join(', ')];
  });
  return `${table(['RULE', 'SEVERITY', 'TITLE', 'CONTROLS'], rows)}\n\n${rules.length} rules. Frameworks: ${frameworks.map((framework) => framework.id).join(', ') || '(none registered)'}\n`;
}

/** One framework's controls, each with the rules that judge it, or `manual`. */
export function renderFrameworkControls(frameworkId: string, frameworks: readonly CatalogueFramework[]): string {
  const framework = frameworks.find((candidate) => candidate.id === frameworkId);
  if (framework === undefined) {
    const known = frameworks.map((candidate) => candidate.id).join(', ');
    throw new UserError(`unknown framework "${frameworkId}"; known: ${known === '' ? '(none registered)' : known}`);
  }
  const rows = framework.controls.map((control) => [control.id, control.level ?? '', control.title, control.rules.length === 0 ? 'manual' : control.rules.join(', ')]);
  const manual = framework.controls.filter((control) => control.rules.length === 0).length;
  return `${framework.name} ${framework.version} (${framework.id})\n\n${table(['CONTROL', 'LEVEL', 'TITLE', 'RULES'], rows)}\n\n${framework.controls.length} controls, ${manual} manual.\n`;
}

export async function renderDefaults(rules: readonly Rule[], frameworks: readonly CatalogueFramework[]): Promise<string> {
  // Loaded only here: the configuration module brings the YAML parser and the JSON Schema
  // compiler, which listing the rules does not need (start-up time, issue 11).
  const { defaultConfigurationYaml } = await import('../../config/configuration.js');
  return defaultConfigurationYaml(rules, frameworks);
}
