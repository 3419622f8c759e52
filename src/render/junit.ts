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
import type { AnalysisResult, RuleResult, RuleSummary } from '../analyze/result.js';
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
  return caseXmlWithClassname(testCase, escapeXml(testCase.classname));
}

/** A case with its classname attribute given as written (escaped, or the streamed writer's placeholder). */
function caseXmlWithClassname(testCase: Case, classname: string): string {
  const open = `    <testcase classname="${classname}" name="${escapeXml(testCase.name)}"`;
  if (testCase.outcome === 'pass') return `${open}/>\n`;
  const body = testCase.body === '' ? '/>' : `>${escapeXml(testCase.body)}</${testCase.outcome}>`;
  const type = testCase.status === undefined ? '' : ` type="${escapeXml(testCase.status)}"`;
  return `${open}>\n      <${testCase.outcome} message="${escapeXml(testCase.message)}"${type}${body}\n    </testcase>\n`;
}

/** The JUnit file in chunks (one per framework suite): a large account has many cases. */
export function* renderJunitChunks(result: AnalysisResult): Generator<string> {
  const catalogue = result.catalogue;
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
  const tally = (cases: readonly Case[]): JunitCounts => ({ tests: cases.length, failure: count(cases, 'failure'), error: count(cases, 'error'), skipped: count(cases, 'skipped') });
  const count = (cases: readonly Case[], outcome: Case['outcome']) => cases.filter((item) => item.outcome === outcome).length;
  yield junitStream.head(result, tally(suites.flatMap((suite) => suite.cases)));
  for (const suite of suites) {
    let text = junitStream.suiteHead(result, suite.name, tally(suite.cases));
    for (const testCase of suite.cases) text += caseXml(testCase);
    yield `${text}${junitStream.suiteTail}`;
  }
  yield junitStream.tail;
}

/** How many test cases, and of which outcome, a suite or the whole file has. */
export interface JunitCounts {
  readonly tests: number;
  readonly failure: number;
  readonly error: number;
  readonly skipped: number;
}

/**
 * The JUnit file's pieces for a run that writes it as the engine judges (app/report/junit-spool.ts):
 * each result's case is made once, with CLASSNAME in place of its classname (a rule's cases repeat
 * under each control the rule maps to), and the file is assembled at the end, when the counts its
 * openings carry are known. The same bytes as renderJunitChunks.
 */
export const junitStream = {
  /** Stands for the classname in a spooled case: a character escapeXml never lets through. */
  CLASSNAME: '\u0000',
  caseOf(item: RuleResult, remediation: string): { text: string; outcome: Case['outcome'] } {
    const testCase = caseFor(item, '', remediation);
    return { text: caseXmlWithClassname(testCase, junitStream.CLASSNAME), outcome: testCase.outcome };
  },
  manualCase(classname: string, control: { controlId: string; title: string }): string {
    return caseXml({ classname, name: `${control.controlId} ${control.title}`, outcome: 'skipped', message: 'manual check: no automated rule', body: '' });
  },
  remediationOf: (rule: Pick<RuleSummary, 'remediation'>): string => describeRemediation(rule),
  escapedClassname: (frameworkId: string, controlId: string): string => escapeXml(`${frameworkId} ${controlId}`),
  head: (result: AnalysisResult, counts: JunitCounts): string =>
    `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${escapeXml(result.tool.name)}" tests="${counts.tests}" failures="${counts.failure}" errors="${counts.error}" skipped="${counts.skipped}" timestamp="${junitTimestamp(result)}">\n`,
  suiteHead: (result: AnalysisResult, name: string, counts: JunitCounts): string =>
    `  <testsuite name="${escapeXml(name)}" tests="${counts.tests}" failures="${counts.failure}" errors="${counts.error}" skipped="${counts.skipped}" timestamp="${junitTimestamp(result)}">\n`,
  suiteTail: '  </testsuite>\n',
  tail: '</testsuites>\n',
};

function junitTimestamp(result: AnalysisResult): string {
  return result.run.startedAt.replace(/\.\d+Z$/, '');
}

export function renderJunit(result: AnalysisResult): string {
  return [...renderJunitChunks(result)].join('');
}
