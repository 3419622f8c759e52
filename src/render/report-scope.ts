/**
 * What the printable report says of its own scope and time: which account, identities and
 * framework sections were judged, when the data was captured and how that is known, and the
 * instant the checks were measured against.
 */
import type { AnalysisResult, FrameworkResult } from '../analyze/result.js';
import { toIsoUtc } from '../util/time.js';
import type { ScopeStatement, TimeStatement } from './report-part.js';

export function sourceLabel(result: AnalysisResult): string {
  return result.snapshot.source === 'credential-report' ? 'IAM credential report (CSV)' : 'Live collection through the AWS IAM API';
}


/** How the capture time was established, in the words of the analysis result's capture-time source. */
function captureMethod(result: AnalysisResult): { long: string; short: string } {
  switch (result.snapshot.captureTime.source) {
    case 'collection':
      return { long: 'the end of the live collection through the AWS IAM API', short: 'live collection' };
    case 'api':
      return { long: "the credential report's GeneratedTime, returned by the AWS API", short: 'report GeneratedTime' };
    case 'flag':
      return { long: 'the --generated-at option given when the credential report was imported', short: 'set with --generated-at' };
    case 'newest-timestamp-in-file':
      return {
        long: 'inferred from the newest timestamp in the credential report file (the report was generated at or after it; give --generated-at for the exact time)',
        short: 'inferred from newest timestamp',
      };
    case 'unknown':
      return { long: result.snapshot.captureTime.statement, short: 'source not recorded' };
  }
}

export function timeStatement(result: AnalysisResult): TimeStatement {
  const method = captureMethod(result);
  const capturedAt = result.snapshot.capturedAt;
  const projected = result.run.asOf !== capturedAt;
  return {
    capturedAt,
    captureMethod: method.long,
    captureMethodShort: method.short,
    evaluatedAt: result.run.asOf,
    evaluationMethod:
      result.run.projection === null ? 'the capture time: ages and expiry dates are measured against it' : result.run.projection.statement,
    projected,
    reportTime: toIsoUtc(new Date(result.run.startedAt)),
  };
}

/** Sections of a framework this tool judges: CIS's IAM section only; elsewhere its IAM controls. */
function frameworkSections(framework: FrameworkResult): string {
  if (framework.id.startsWith('cis-')) {
    const section = framework.controls[0]?.controlId.split('.')[0] ?? '1';
    return `section ${section} (Identity and Access Management) only, ${framework.controls.length} recommendations; the other sections are out of scope`;
  }
  return `the ${framework.controls.length} identity and access controls mapped in this tool only; the framework's other controls are out of scope`;
}

export function scopeStatement(result: AnalysisResult, frameworks: readonly FrameworkResult[], accountLabel: string): ScopeStatement {
  const live = result.snapshot.source !== 'credential-report';
  const users = result.inventory.length;
  const identities = live
    ? `the root user and all ${users} IAM users; roles, groups and managed policies as collected live (for the policy rules)`
    : `the root user and all ${users} IAM users listed in the credential report; roles and groups are not covered (a credential report lists users only; use live collection to include them)`;
  return {
    account: `AWS account ${accountLabel}`,
    identities,
    frameworks: frameworks.map((framework) => ({ name: `${framework.name} ${framework.version}`, sections: frameworkSections(framework) })),
    outOfScope:
      'other AWS accounts, identities outside IAM (IAM Identity Center, federated users), resource-based policies, and every service other than IAM; a framework verdict in this report covers only the controls listed for it, never the whole framework',
    short: `Scope: ${live ? 'root, IAM users, roles and groups' : 'root and IAM users'}${frameworks.length > 0 ? ` · ${frameworks.map((framework) => (framework.id.startsWith('cis-') ? `CIS ${framework.version} IAM section` : `${framework.name} IAM controls`)).join(', ')}` : ''}`,
  };
}

