/**
 * The framework and rule parts of the printable report: per control its criterion (with the
 * threshold and boundary), the counts of resources tested, and the failed rules with evidence.
 * Resources are named as people name them: a key by user and slot, never a pseudo-ARN.
 */
import type { ControlStatus, FrameworkResult, RuleResult, RuleResultStatus, RuleSummary, Severity } from '../analyze/result.js';
import type { ReportPart } from './report-part.js';

export const SEVERITY_ORDER: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
export const CONTROL_STATUS_LABEL: Readonly<Record<ControlStatus, string>> = { pass: 'PASS', pass_with_exceptions: 'PASS WITH EXCEPTIONS', fail: 'FAIL', not_evaluated: 'NOT EVALUATED', manual: 'MANUAL' };

/** A control status in its framework's own words (SOC 2 and ISO say "EXCEPTIONS NOTED" for a failure). */
export function controlStatusLabel(framework: Pick<FrameworkResult, 'statusLabels'>, status: ControlStatus): string {
  return framework.statusLabels?.[status] ?? CONTROL_STATUS_LABEL[status];
}
export const RULE_STATUS_LABEL: Readonly<Record<RuleResultStatus, string>> = {
  pass: 'PASS',
  fail: 'FAIL',
  not_applicable: 'N/A',
  not_evaluated: 'NOT EVALUATED',
  error: 'ERROR',
  excepted: 'EXCEPTED',
};

/** "bob.admin#access_key_1" as a reader says it: "bob.admin, key 1" (the suffix is not part of any ARN). */
export function displayResourceName(name: string): string {
  const key = /^(.*)#access_key_(\d+)$/.exec(name);
  if (key !== null) return `${key[1] ?? ''}, key ${key[2] ?? ''}`;
  const keyId = /^(.*)#((?:AKIA|ASIA)[A-Z0-9]+)$/.exec(name);
  if (keyId !== null) return `${keyId[1] ?? ''}, key ${keyId[2] ?? ''}`;
  const other = /^(.*)#(.+)$/.exec(name);
  return other === null ? name : `${other[1] ?? ''}, ${(other[2] ?? '').replace(/_/g, ' ')}`;
}

/** The resource's real ARN: the user's, for a key or other part of a user. */
export function displayArn(arn: string): string {
  const hash = arn.indexOf('#');
  return hash < 0 ? arn : arn.slice(0, hash);
}

/**
 * Evidence as printed: report column names of key slots read as "key 1", and the source's raw
 * placeholders (N/A, no_information, not_supported) left to the appendix, which prints and
 * explains them; the words around them already say what they mean ("never used").
 */
export function displayEvidence(evidence: string): string {
  return evidence
    .replace(/ \((?:last_used_date|password_last_used) (?:N\/A|no_information)\)/g, '')
    .replace(/ \(not_supported\)/g, '')
    .replace(/\b(?:key )?access_key_(\d+)\b/g, 'key $1');
}

type RuleOptions = Readonly<Record<string, number | boolean | string>>;

/**
 * Where a threshold's boundary falls, in words, for the rules that have one; read from the rule's
 * comparison (src/rules) and its options in effect.
 */
const BOUNDARIES: Readonly<Record<string, (options: RuleOptions) => string>> = {
  'access-key-rotation': (o) => `an active key created more than ${String(o['maxAgeDays'])} days before the evaluation time fails; exactly ${String(o['maxAgeDays'])} days passes; inactive keys are not judged`,
  'unused-credentials': (o) =>
    `a console password or active key unused for ${String(o['maxUnusedDays'])} days or more fails (exactly ${String(o['maxUnusedDays'])} days fails); never used: measured from the password change or key creation`,
  'root-recent-use': (o) => `root password or key used within the last ${String(o['days'])} days fails (exactly ${String(o['days'])} days fails); each credential judged on its own`,
  'password-policy-min-length': (o) => `a minimum length of ${String(o['minimumLength'])} or more passes; ${Number(o['minimumLength']) - 1} fails; no policy fails`,
  'password-policy-reuse-prevention': (o) => `remembering ${String(o['remembered'])} or more passwords passes; fewer, or no policy, fails`,
  'password-policy-max-age': (o) => `passwords expiring after ${String(o['maxAgeDays'])} days or fewer pass; longer, never, or no policy fails`,
  'multiple-active-access-keys': () => 'two active keys on one user fails; one or none passes; inactive keys do not count',
  'console-users-mfa': () => 'a user with a console password and no MFA device fails; users without a console password are not applicable',
};

export function criterion(rule: RuleSummary): string {
  const boundary = BOUNDARIES[rule.id];
  return boundary === undefined ? rule.title : `${rule.title}: ${boundary(rule.options)}`;
}

export function frameworkPart(framework: FrameworkResult, index: number, rules: readonly RuleSummary[], results: readonly RuleResult[], ruleAnchors: ReadonlyMap<string, string>): ReportPart {
  const ruleById = new Map(rules.map((rule) => [rule.id, rule]));
  const resultsByRule = new Map<string, RuleResult[]>();
  for (const entry of results) {
    const list = resultsByRule.get(entry.ruleId) ?? [];
    list.push(entry);
    resultsByRule.set(entry.ruleId, list);
  }
  return {
    partial: 'framework-controls',
    anchor: `framework-${index + 1}`,
    title: `${framework.name} ${framework.version}`,
    level: 2,
    context: {
      framework: { id: framework.id, name: framework.name, version: framework.version, counts: framework.counts, failLabel: controlStatusLabel(framework, 'fail').toLowerCase() },
      hasAssessment: framework.controls.some((control) => control.assessment !== null),
    },
    rows: framework.controls.map((control) => {
      // Resources, not rule results: a resource judged by two rules of one control counts once.
      const tested = new Set<string>();
      const failing = new Set<string>();
      const excepted = new Set<string>();
      const notEvaluated = new Set<string>();
      for (const ruleId of control.ruleIds) {
        for (const entry of resultsByRule.get(ruleId) ?? []) {
          if (entry.status === 'pass' || entry.status === 'fail' || entry.status === 'excepted') tested.add(entry.resourceArn);
          if (entry.status === 'fail') failing.add(entry.resourceArn);
          if (entry.status === 'excepted') excepted.add(entry.resourceArn);
          if (entry.status === 'not_evaluated' || entry.status === 'error') notEvaluated.add(entry.resourceArn);
        }
      }
      const criteria = control.ruleIds.flatMap((ruleId) => {
        const rule = ruleById.get(ruleId);
        return rule === undefined ? [] : [{ ruleId, text: criterion(rule), anchor: ruleAnchors.get(ruleId) ?? null }];
      });
      return {
        controlId: control.controlId,
        title: control.title,
        level: control.level ?? '',
        assessment: control.assessment === 'unknown' ? 'not stated in the source' : control.assessment,
        status: controlStatusLabel(framework, control.status),
        statusClass: `status-${control.status.replace(/_/g, '-')}`,
        rules: control.ruleIds.join(', '),
        criteria,
        judged: control.ruleIds.length > 0,
        tested: tested.size,
        failing: failing.size,
        excepted: excepted.size,
        notEvaluated: notEvaluated.size,
        parameterNotes: control.parameterNotes ?? [],
      };
    }),
  };
}

export function failedRuleParts(rules: readonly RuleSummary[], results: readonly RuleResult[]): ReportPart[] {
  const failed = rules
    .filter((rule) => rule.counts.fail > 0)
    .sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) || a.id.localeCompare(b.id));
  if (failed.length === 0) return [];
  const byRule = new Map<string, RuleResult[]>();
  for (const entry of results) {
    if (entry.status !== 'fail' && entry.status !== 'excepted') continue;
    const list = byRule.get(entry.ruleId) ?? [];
    list.push(entry);
    byRule.set(entry.ruleId, list);
  }
  const overview: ReportPart = {
    partial: 'failed-rules-overview',
    anchor: 'failed-rules',
    title: 'Failed rules',
    level: 1,
    rows: null,
    context: {
      rules: failed.map((rule, index) => ({ anchor: `rule-${index + 1}`, id: rule.id, title: rule.title, severity: rule.severity, failures: rule.counts.fail, excepted: rule.counts.excepted })),
    },
  };
  return [
    overview,
    ...failed.map((rule, index): ReportPart => {
      const entries = byRule.get(rule.id) ?? [];
      return {
        partial: 'failed-rule',
        anchor: `rule-${index + 1}`,
        title: `${rule.id}: ${rule.title}`,
        level: 2,
        context: {
          rule: {
            id: rule.id,
            title: rule.title,
            severity: rule.severity,
            rationale: rule.rationale,
            criterion: criterion(rule),
            controls: rule.controls.map((control) => `${control.framework} ${control.controlId}`).join(', '),
            remediationConsole: rule.remediation.console,
            remediationCli: rule.remediation.cli,
            counts: rule.counts,
          },
          excepted: entries
            .filter((entry) => entry.status === 'excepted')
            .map((entry) => ({
              resourceName: displayResourceName(entry.resourceName),
              resourceArn: displayArn(entry.resourceArn),
              justification: entry.exception?.justification ?? '',
              approvedBy: entry.exception?.approvedBy ?? '',
              approvedAt: entry.exception?.approvedAt ?? null,
              ticket: entry.exception?.ticket ?? null,
              expires: entry.exception?.expires ?? '',
            })),
        },
        rows: entries
          .filter((entry) => entry.status === 'fail')
          .map((entry) => ({
            resourceName: displayResourceName(entry.resourceName),
            resourceType: entry.resourceType,
            resourceArn: displayArn(entry.resourceArn),
            evidence: displayEvidence(entry.evidence),
            expiredException: entry.expiredException === null ? null : { approvedBy: entry.expiredException.approvedBy, expires: entry.expiredException.expires },
            // Issue 25 §6: who owns the finding and what management said, on the finding's own row.
            owner: entry.tracking?.owner ?? null,
            dueDate: entry.tracking?.dueDate ?? null,
            response: entry.tracking?.response ?? null,
          })),
      };
    }),
  ];
}

