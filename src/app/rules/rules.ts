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

/** Words of `text` in lines of at most `width` characters; a longer word is cut. */
export function wrapCell(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (let word of text.split(' ').filter((part) => part !== '')) {
    while (word.length > width) {
      if (line !== '') lines.push(line);
      lines.push(word.slice(0, width));
      word = word.slice(width);
      line = '';
    }
    if (line === '') line = word;
    else if (line.length + 1 + word.length <= width) line = `${line} ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line !== '' || lines.length === 0) lines.push(line);
  return lines;
}

const NOTE_INDENT = '    ';

/** The narrowest a wrapped column gets, however narrow the terminal. */
const MIN_WRAPPED_WIDTH = 16;

/** The width of a table with these column widths, two spaces between columns. */
function tableWidth(widths: readonly number[]): number {
  return widths.reduce((sum, item) => sum + item, 2 * (widths.length - 1));
}

/**
 * Column widths for `width` characters: the natural ones when they fit; else the first columns
 * keep theirs and the last two (a title and a list) share what is left.
 */
function columnWidths(natural: readonly number[], width: number): number[] {
  const gaps = 2 * (natural.length - 1);
  if (tableWidth(natural) <= width || natural.length < 2) return [...natural];
  const fixed = natural.slice(0, -2);
  const [title = 0, list = 0] = natural.slice(-2);
  const left = Math.max(2 * MIN_WRAPPED_WIDTH, width - gaps - fixed.reduce((sum, item) => sum + item, 0));
  // The list gets at least half (more when the title needs less), the title what is left, neither below the minimum.
  const listWidth = Math.min(list, Math.max(MIN_WRAPPED_WIDTH, Math.floor(left / 2), left - title));
  const titleWidth = Math.min(title, Math.max(MIN_WRAPPED_WIDTH, left - listWidth));
  return [...fixed, titleWidth, Math.min(list, Math.max(MIN_WRAPPED_WIDTH, left - titleWidth))];
}

function naturalWidths(header: readonly string[], rows: readonly (readonly string[])[]): number[] {
  return header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
}

/**
 * A text table no wider than `width` (when it can be): the last two columns wrap onto more lines.
 * `notes`: a line of text under each row (indented, wrapped), for a column that did not fit.
 */
function table(header: readonly string[], rows: readonly (readonly string[])[], width = Number.POSITIVE_INFINITY, notes?: readonly string[]): string {
  const natural = naturalWidths(header, rows);
  const widths = columnWidths(natural, width);
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  const wrapped = (cells: readonly string[], row: number): string[] => {
    const parts = cells.map((cell, column) => wrapCell(cell, widths[column] ?? cell.length));
    const height = Math.max(...parts.map((part) => part.length));
    const note = notes?.[row] ?? '';
    const noteLines = note === '' ? [] : wrapCell(note, Math.max(MIN_WRAPPED_WIDTH, width - NOTE_INDENT.length)).map((text) => `${NOTE_INDENT}${text}`);
    return [...Array.from({ length: height }, (_, index) => line(parts.map((part) => part[index] ?? ''))), ...noteLines];
  };
  return [line(header), line(widths.map((item) => '-'.repeat(item))), ...rows.flatMap(wrapped)].join('\n');
}

/** Every rule: id, severity, title and the framework controls that map to it. */
/** `width`: the terminal's columns (the title and controls columns wrap to fit); unlimited when left out. */
export function renderRuleList(rules: readonly Rule[], frameworks: readonly CatalogueFramework[], width?: number): string {
  if (rules.length === 0) return 'No rules are registered.\n';
  const rows = byId(rules).map((rule) => {
    const controls = frameworks.flatMap((framework) =>
      framework.controls.filter((control) => control.rules.includes(rule.id)).map((control) => `${framework.id} ${control.id}`),
    );
    return [rule.id, rule.severity, rule.title, controls.join(', ')];
  });
  const header = ['RULE', 'SEVERITY', 'TITLE', 'CONTROLS'];
  const closing = `${rules.length} rules. Frameworks: ${frameworks.map((framework) => framework.id).join(', ') || '(none registered)'}`;
  const limit = width ?? Number.POSITIVE_INFINITY;
  if (tableWidth(naturalWidths(header, rows)) <= limit) return `${table(header, rows, limit)}\n\n${closing}\n`;
  // Too wide for the terminal: the controls go on an indented line under each rule, wrapped.
  const notes = rows.map((row) => (row[3] === '' ? '' : `controls: ${row[3] ?? ''}`));
  const body = table(header.slice(0, 3), rows.map((row) => row.slice(0, 3)), limit, notes);
  return `${body}\n\n${wrapCell(closing, limit).join('\n')}\n`;
}

/** One framework's controls, each with the rules that judge it, or `manual`. */
export function renderFrameworkControls(frameworkId: string, frameworks: readonly CatalogueFramework[], width?: number): string {
  const framework = frameworks.find((candidate) => candidate.id === frameworkId);
  if (framework === undefined) {
    const known = frameworks.map((candidate) => candidate.id).join(', ');
    throw new UserError(`unknown framework "${frameworkId}"; known: ${known === '' ? '(none registered)' : known}`);
  }
  const rows = framework.controls.map((control) => [control.id, control.level ?? '', control.title, control.rules.length === 0 ? 'manual' : control.rules.join(', ')]);
  const manual = framework.controls.filter((control) => control.rules.length === 0).length;
  return `${framework.name} ${framework.version} (${framework.id})\n\n${table(['CONTROL', 'LEVEL', 'TITLE', 'RULES'], rows, width)}\n\n${framework.controls.length} controls, ${manual} manual.\n`;
}

/**
 * The catalogue as JSON (`rules --json`): every rule with its severity, title, rationale,
 * remediation, default options and the framework controls that map to it, and every framework
 * with its controls; with `frameworkId`, that framework alone. Sorted as the text lists them.
 */
export function renderCatalogueJson(rules: readonly Rule[], frameworks: readonly CatalogueFramework[], frameworkId?: string): string {
  if (frameworkId !== undefined) {
    const framework = frameworks.find((candidate) => candidate.id === frameworkId);
    // The same refusal as the text: one message for an unknown framework.
    if (framework === undefined) renderFrameworkControls(frameworkId, frameworks);
    return `${JSON.stringify(framework, null, 2)}\n`;
  }
  const catalogue = {
    rules: byId(rules).map((rule) => ({
      id: rule.id,
      severity: rule.severity,
      title: rule.title,
      rationale: rule.rationale,
      remediation: rule.remediation,
      defaultOptions: rule.defaultOptions,
      controls: frameworks.flatMap((framework) =>
        framework.controls.filter((control) => control.rules.includes(rule.id)).map((control) => ({ framework: framework.id, controlId: control.id })),
      ),
    })),
    frameworks,
  };
  return `${JSON.stringify(catalogue, null, 2)}\n`;
}

export async function renderDefaults(rules: readonly Rule[], frameworks: readonly CatalogueFramework[]): Promise<string> {
  // Loaded only here: the configuration module brings the YAML parser and the JSON Schema
  // compiler, which listing the rules does not need (start-up time, issue 11).
  const { defaultConfigurationYaml } = await import('../../config/configuration.js');
  return defaultConfigurationYaml(rules, frameworks);
}
