/**
 * The remediation parts of the printable report (issue 10): the remediation plan (every failed
 * result with its owner, due date and management response) and the exceptions register (every
 * exception of the exceptions file with its approver, justification, expiry and what it covers).
 * Built from the analysis result only: owners, due dates and responses were put there by the
 * report use case (app/shared/remediation.ts).
 */
import type { AnalysisResult, RuleResult } from '../analyze/result.js';
import { displayResourceName, SEVERITY_ORDER } from './report-controls.js';
import type { ReportPart } from './report-part.js';

/** Resources named per exception in the register; the rest are counted (all are in the findings CSV/JSON). */
const REGISTER_NAMES = 12;

function dueDaysStatement(result: AnalysisResult): string {
  const remediation = result.remediation;
  if (remediation === undefined) return 'no due dates were set';
  const parts = SEVERITY_ORDER.map((severity) => {
    const days = remediation.dueDays[severity];
    return `${severity} ${days === null ? 'none' : `${days} day${days === 1 ? '' : 's'}`}`;
  });
  const earlier = remediation.detectedEarlier ?? 0;
  const fromFirst = earlier > 0 ? `; ${earlier} finding${earlier === 1 ? '' : 's'} already failing in the previous archive count from that first detection instead` : '';
  return `${parts.join(', ')}, counted from the capture time ${remediation.dueFrom}${fromFirst}; never from before a finding was first detected`;
}

function ownerStatement(result: AnalysisResult): string {
  const remediation = result.remediation;
  if (remediation === undefined) return 'Owners were not assigned.';
  const tags = remediation.tagsCollected
    ? `the user tag${remediation.ownerTagKeys.length === 1 ? '' : 's'} ${remediation.ownerTagKeys.join(', ')}`
    : `user tags (${remediation.ownerTagKeys.join(', ')}; not in this snapshot: a credential report carries no tags)`;
  const file = remediation.ownersFile === null ? 'no owners file' : `the owners file ${remediation.ownersFile.name} (SHA-256 ${remediation.ownersFile.sha256})`;
  return `Owners come from ${tags}, then ${file}.`;
}

function planRow(entry: RuleResult, capturedAt: string): Record<string, unknown> {
  const tracking = entry.tracking;
  return {
    ruleId: entry.ruleId,
    severity: entry.severity,
    resourceName: displayResourceName(entry.resourceName),
    owner: tracking?.owner ?? null,
    ownerSource: tracking?.ownerSource ?? null,
    dueDate: tracking?.dueDate ?? null,
    overdue: tracking?.overdue ?? false,
    pastDueAtReport: tracking?.pastDueAtReport ?? false,
    firstDetected: tracking?.firstDetected !== undefined && tracking.firstDetected !== capturedAt ? tracking.firstDetected : null,
    response: tracking?.response ?? null,
    expiredException: entry.expiredException === null ? null : { approvedBy: entry.expiredException.approvedBy, expires: entry.expiredException.expires },
  };
}

export function remediationParts(result: AnalysisResult): ReportPart[] {
  const catalogue = result.catalogue;
  if (catalogue === null) return [];
  const failures = catalogue.results
    .map((entry, index) => ({ entry, index }))
    .filter(({ entry }) => entry.status === 'fail')
    // Most severe (soonest due) first; then by rule; the engine's order within a rule.
    .sort((a, b) => SEVERITY_ORDER.indexOf(a.entry.severity) - SEVERITY_ORDER.indexOf(b.entry.severity) || (a.entry.ruleId < b.entry.ruleId ? -1 : a.entry.ruleId > b.entry.ruleId ? 1 : 0) || a.index - b.index)
    .map(({ entry }) => entry);
  const remediation = result.remediation;
  const plan: ReportPart = {
    partial: 'remediation-plan',
    anchor: 'remediation',
    title: 'Remediation plan',
    level: 1,
    context: {
      count: failures.length,
      owned: failures.filter((entry) => entry.tracking?.owner != null).length,
      responded: failures.filter((entry) => entry.tracking?.response != null).length,
      overdue: failures.filter((entry) => entry.tracking?.overdue === true).length,
      pastDueAtReport: failures.filter((entry) => entry.tracking?.pastDueAtReport === true).length,
      reportTime: result.run.startedAt,
      dueDays: dueDaysStatement(result),
      owners: ownerStatement(result),
      responsesFile: remediation?.responsesFile ?? null,
      unmatchedResponses: remediation?.unmatchedResponses ?? [],
    },
    rows: failures.map((entry) => planRow(entry, result.snapshot.capturedAt)),
  };
  const exceptions = catalogue.exceptions;
  const register = exceptions.register ?? [];
  const coveredBy = new Map<number, string[]>();
  for (const entry of catalogue.results) {
    const applied = entry.exception ?? entry.expiredException;
    if (applied?.entryIndex === undefined) continue;
    const names = coveredBy.get(applied.entryIndex) ?? [];
    names.push(displayResourceName(entry.resourceName));
    coveredBy.set(applied.entryIndex, names);
  }
  const registerPart: ReportPart = {
    partial: 'exceptions-register',
    anchor: 'exceptions-register',
    title: 'Exceptions register',
    level: 1,
    context: {
      file: exceptions.file,
      active: register.filter((entry) => entry.state === 'active').length,
      expired: register.filter((entry) => entry.state === 'expired').length,
      excepted: catalogue.results.filter((entry) => entry.status === 'excepted').length,
      asOf: result.run.asOf,
    },
    rows: register.map((entry) => {
      const names = coveredBy.get(entry.index) ?? [];
      return {
        number: entry.index + 1,
        ruleId: entry.ruleId,
        resourcePattern: entry.resourcePattern,
        justification: entry.justification,
        approvedBy: entry.approvedBy,
        approvedAt: entry.approvedAt ?? null,
        ticket: entry.ticket ?? null,
        risk: entry.risk ?? null,
        expires: entry.expires,
        expired: entry.state === 'expired',
        covered: entry.covered,
        coveredNames: names.slice(0, REGISTER_NAMES).join('; '),
        coveredMore: Math.max(0, names.length - REGISTER_NAMES),
      };
    }),
  };
  return [plan, registerPart];
}
