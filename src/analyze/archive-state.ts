/**
 * What `diff`, `trend` and `report --previous` keep of one archived audit: the rule results with
 * their stable finding ids, the control statuses, the MFA figures and, when a snapshot is at hand,
 * the identity facts (users, MFA, console access, access keys, password policy). Small and plain
 * (JSON-serialisable): `trend` keeps one per archive, never the snapshots themselves.
 *
 * Built from an analysis result and its snapshot here, or from a report JSON (src/app/archive/archive-input.ts).
 */
import type { Snapshot, UserFacts, PrincipalFacts } from '../snapshot/types.js';
import type { AnalysisResult } from './result.js';
import type { ArchiveIdentity, ArchivePasswordPolicy, ArchiveState } from './archive-types.js';

export type { ControlStatusName, ArchiveFinding, ArchiveControl, ArchiveFramework, ArchiveKey, ArchiveIdentity, ArchivePasswordPolicy, ArchiveState } from './archive-types.js';

function identityOf(name: string, principal: PrincipalFacts): ArchiveIdentity {
  return {
    name,
    arn: principal.arn,
    consoleAccess: principal.password.enabled.known ? principal.password.enabled.value : null,
    mfaActive: principal.mfa.active.known ? principal.mfa.active.value : null,
    keys: principal.accessKeys.known
      ? principal.accessKeys.value.map((key) => ({ id: key.id.known ? key.id.value : null, slot: key.slot, active: key.active, createdAt: key.createdAt.known ? key.createdAt.value : null }))
      : null,
  };
}

export function passwordPolicyOf(snapshot: Snapshot): ArchivePasswordPolicy {
  const fact = snapshot.accountFacts.passwordPolicy;
  if (!fact.known) return { state: 'unknown', reason: fact.reason === 'collection_failed' ? 'its collection failed' : 'not collected (a credential report carries no password policy)' };
  if (!fact.value.present) return { state: 'absent' };
  const { present: _present, ...settings } = fact.value;
  return { state: 'present', settings };
}

export function identitiesOf(snapshot: Snapshot): { users: ArchiveIdentity[]; root: ArchiveIdentity | null; passwordPolicy: ArchivePasswordPolicy } {
  return {
    users: snapshot.users.map((user: UserFacts) => identityOf(user.name, user)),
    root: snapshot.root === null ? null : identityOf('<root_account>', snapshot.root),
    passwordPolicy: passwordPolicyOf(snapshot),
  };
}

/** A rule's remediation as one line: the console steps, then the CLI. */
export function fixText(remediation: { readonly console: readonly string[]; readonly cli: string } | null | undefined): string | null {
  if (remediation === null || remediation === undefined) return null;
  const text = [...remediation.console, remediation.cli === '' ? '' : `CLI: ${remediation.cli}`].filter((part) => part !== '').join(' ');
  return text === '' ? null : text;
}

/** The archive state of a snapshot analysed now; the identity facts come from the snapshot itself. */
export function stateFromAnalysis(result: AnalysisResult, snapshot: Snapshot): ArchiveState {
  const catalogue = result.catalogue;
  const summary = result.mfa.summary;
  return {
    kind: 'snapshot',
    fileName: result.snapshot.fileName,
    fileSha256: result.snapshot.sha256,
    snapshotFile: result.snapshot.fileName,
    snapshotSha256: result.snapshot.sha256,
    account: result.snapshot.account,
    capturedAt: result.snapshot.capturedAt,
    evaluatedAsOf: result.run.asOf,
    configurationSha256: catalogue?.configuration.file?.sha256 ?? null,
    exceptionsSha256: catalogue?.exceptions.file?.sha256 ?? null,
    rules: (catalogue?.rules ?? []).map((rule) => ({ id: rule.id, title: rule.title, severity: rule.severity, options: rule.options, fix: fixText(rule.remediation) })),
    findings: (catalogue?.results ?? []).map((item) => ({
      findingId: item.findingId,
      ruleId: item.ruleId,
      severity: item.severity,
      resourceType: item.resourceType,
      resourceArn: item.resourceArn,
      resourceName: item.resourceName,
      status: item.status,
      exceptionExpires: item.exception?.expires ?? null,
      expiredExceptionExpires: item.expiredException?.expires ?? null,
      evidence: item.evidence,
      firstDetected: item.tracking?.firstDetected ?? null,
    })),
    frameworks: (catalogue?.frameworks ?? []).map((framework) => ({
      id: framework.id,
      name: framework.name,
      version: framework.version,
      counts: framework.counts,
      controls: framework.controls.map((control) => ({ framework: framework.id, controlId: control.controlId, title: control.title, status: control.status, ruleIds: control.ruleIds })),
    })),
    mfa: {
      totalUsers: summary.totalUsers,
      compliant: summary.compliant,
      nonCompliant: summary.nonCompliant,
      consoleUsers: summary.consoleUsers,
      // Fractions (0..1) here; the MFA summary keeps percentages.
      complianceRate: summary.complianceRate === null ? null : summary.complianceRate / 100,
      consoleComplianceRate: summary.consoleComplianceRate === null ? null : summary.consoleComplianceRate / 100,
    },
    ...identitiesOf(snapshot),
    factsNote: null,
  };
}
