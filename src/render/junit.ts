/**
 * `--format junit`: JUnit XML for CI dashboards (GitLab, Jenkins, GitHub test reporters). One
 * <testsuite> per framework, one <testcase> per control and resource (classname "<framework>
 * <control>", name "<rule> <resource>"). Mapping, chosen so that missing data is never green:
 * - fail -> <failure> with the evidence and the remediation;
 * - not_evaluated and error -> <error> with the reason (the check could not run: not a pass);
 * - not_applicable -> <skipped>; excepted -> <skipped> naming the exception;
 * - a control with no automated rule (manual) -> one <skipped> test case.
 * XML is written by hand: four escapes and a filter of characters XML 1.0 cannot hold.
 */
import type { AnalysisResult, RuleResult } from '../analyze/result.js';
import { describeExpiredException, describeRemediation, rulesById } from './catalogue-text.js';

/** Characters XML 1.0 forbids (C0 controls but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF): shown as U+FFFD. */
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function escapeXml(text: string): string {
  return text.replace(NOT_XML, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

interface Case {
  readonly classname: string;
  readonly name: string;
  /** The child element (failure, error, skipped) or '' for a pass. */
  readonly outcome: 'pass' | 'failure' | 'error' | 'skipped';
  readonly message: string;
  readonly body: string;
  /** The result status, as the type attribute of <failure>/<error>. */
  readonly status?: string;
}

function caseFor(item: RuleResult, classname: string, remediation: string): Case {
  const name = `${item.ruleId} ${item.resourceArn || item.resourceName}`;
  const lapsed = describeExpiredException(item);
  switch (item.status) {
    case 'pass':
      return { classname, name, outcome: 'pass', message: '', body: '' };
    case 'fail':
      return { classname, name, outcome: 'failure', status: 'fail', message: item.evidence, body: [item.evidence, lapsed, remediation].filter((part) => part !== '').join('\n') };
    case 'not_evaluated':
    case 'error':
      return { classname, name, outcome: 'error', message: `${item.status}: ${item.reason ?? 'no reason given'}`, body: item.evidence, status: item.status };
    case 'not_applicable':
      return { classname, name, outcome: 'skipped', message: `not applicable: ${item.reason ?? ''}`.trim(), body: '' };
    case 'excepted': {
      const exception = item.exception;
      const message = exception === null ? 'excepted' : `excepted until ${exception.expires}, approved by ${exception.approvedBy}: ${exception.justification}`;
      return { classname, name, outcome: 'skipped', message, body: item.evidence };
    }
  }
}

function caseXml(testCase: Case): string {
  const open = `    <testcase classname="${escapeXml(testCase.classname)}" name="${escapeXml(testCase.name)}"`;
  if (testCase.outcome === 'pass') return `${open}/>\n`;
  const body = testCase.body === '' ? '/>' : `>${escapeXml(testCase.body)}</${testCase.outcome}>`;
  const type = testCase.status === undefined ? '' : ` type="${escapeXml(testCase.status)}"`;
  return `${open}>\n      <${testCase.outcome} message="${escapeXml(testCase.message)}"${type}${body}\n    </testcase>\n`;
}

/** The JUnit file in chunks (one per framework suite): a large account has many cases. */
export function* renderJunitChunks(result: AnalysisResult): Generator<string> {
  const catalogue = result.catalogue;
  const timestamp = result.run.startedAt.replace(/\.\d+Z$/, '');
  const suites: { name: string; cases: Case[] }[] = [];
  if (catalogue !== null) {
    const rules = rulesById(catalogue);
    const resultsByRule = new Map<string, RuleResult[]>();
    for (const item of catalogue.results) {
      const list = resultsByRule.get(item.ruleId) ?? [];
      list.push(item);
      resultsByRule.set(item.ruleId, list);
    }
    for (const framework of catalogue.frameworks) {
      const cases: Case[] = [];
      for (const control of framework.controls) {
        const classname = `${framework.id} ${control.controlId}`;
        if (control.ruleIds.length === 0) {
          cases.push({ classname, name: `${control.controlId} ${control.title}`, outcome: 'skipped', message: 'manual check: no automated rule', body: '' });
          continue;
        }
        for (const ruleId of control.ruleIds) {
          const rule = rules.get(ruleId);
          const remediation = rule === undefined ? '' : describeRemediation(rule);
          for (const item of resultsByRule.get(ruleId) ?? []) cases.push(caseFor(item, classname, remediation));
        }
      }
      suites.push({ name: `${framework.name} ${framework.version}`, cases });
    }
  }
  const count = (cases: readonly Case[], outcome: Case['outcome']) => cases.filter((item) => item.outcome === outcome).length;
  const all = suites.flatMap((suite) => suite.cases);
  yield `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${escapeXml(result.tool.name)}" tests="${all.length}" failures="${count(all, 'failure')}" errors="${count(all, 'error')}" skipped="${count(all, 'skipped')}" timestamp="${timestamp}">\n`;
  for (const suite of suites) {
    const { cases } = suite;
    let text = `  <testsuite name="${escapeXml(suite.name)}" tests="${cases.length}" failures="${count(cases, 'failure')}" errors="${count(cases, 'error')}" skipped="${count(cases, 'skipped')}" timestamp="${timestamp}">\n`;
    for (const testCase of cases) text += caseXml(testCase);
    yield `${text}  </testsuite>\n`;
  }
  yield '</testsuites>\n';
}

export function renderJunit(result: AnalysisResult): string {
  return [...renderJunitChunks(result)].join('');
}
