/**
 * What `diff`, `trend` and `report --previous` keep of one archived audit: the rule results with
 * their stable finding ids, the control statuses, the MFA figures and, when a snapshot is at hand,
 * the identity facts (users, MFA, console access, access keys, password policy). Small and plain
 * (JSON-serialisable): `trend` keeps one per archive, never the snapshots themselves.
 *
 * Built from an analysis result and its snapshot here, or from a report JSON (src/app/archive-input.ts).
 */
import type { Snapshot, UserFacts, PrincipalFacts } from '../snapshot/types.js';
import type { AnalysisResult } from './result.js';

export type ControlStatusName = 'pass' | 'fail' | 'not_evaluated' | 'manual';

export interface ArchiveFinding {
  readonly findingId: string;
  readonly ruleId: string;
  readonly severity: string;
  readonly resourceType: string;
  readonly resourceArn: string;
  readonly resourceName: string;
  /** pass, fail, not_applicable, not_evaluated, error or excepted. */
  readonly status: string;
  /** The applied exception's expiry (status excepted), else null. */
  readonly exceptionExpires: string | null;
  /** A failure an expired exception would have covered: its expiry, else null. */
  readonly expiredExceptionExpires: string | null;
}

export interface ArchiveControl {
  readonly framework: string;
  readonly controlId: string;
  readonly title: string;
  readonly status: ControlStatusName;
  readonly ruleIds: readonly string[];
}

export interface ArchiveFramework {
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly counts: Readonly<Record<ControlStatusName, number>>;
  readonly controls: readonly ArchiveControl[];
}

export interface ArchiveKey {
  /** The access key id when the source carries it (live collection), else null. */
  readonly id: string | null;
  /** The credential report's slot (1 or 2), else null. */
  readonly slot: 1 | 2 | null;
  readonly active: boolean;
  readonly createdAt: string | null;
}

export interface ArchiveIdentity {
  readonly name: string;
  readonly arn: string;
  readonly consoleAccess: boolean | null;
  readonly mfaActive: boolean | null;
  /** null when the keys are not known (not collected, or a report JSON without its snapshot). */
  readonly keys: readonly ArchiveKey[] | null;
}

/** The password policy: its settings, `absent` (none set), or `unknown` (not collected). */
export type ArchivePasswordPolicy =
  | { readonly state: 'unknown'; readonly reason: string }
  | { readonly state: 'absent' }
  | { readonly state: 'present'; readonly settings: Readonly<Record<string, number | boolean | null>> };

export interface ArchiveState {
  /** What the file was: a snapshot analysed now, or a report JSON analysed when it was written. */
  readonly kind: 'snapshot' | 'report-json';
  readonly fileName: string;
  readonly fileSha256: string;
  /** The snapshot behind it: the file itself, or the one the report JSON names. */
  readonly snapshotFile: string;
  readonly snapshotSha256: string;
  readonly account: { readonly id: string; readonly partition: string; readonly alias: string | null };
  readonly capturedAt: string;
  readonly evaluatedAsOf: string;
  /** SHA-256 of the configuration and exceptions files the results were judged with (null: none). */
  readonly configurationSha256: string | null;
  readonly exceptionsSha256: string | null;
  readonly rules: readonly { readonly id: string; readonly title: string; readonly severity: string; readonly options: Readonly<Record<string, number | boolean | string>> }[];
  readonly findings: readonly ArchiveFinding[];
  readonly frameworks: readonly ArchiveFramework[];
  readonly mfa: {
    readonly totalUsers: number;
    readonly compliant: number;
    readonly nonCompliant: number;
    readonly consoleUsers: number;
    /** Compliant users / all users, 0..1; null without users. */
    readonly complianceRate: number | null;
    readonly consoleComplianceRate: number | null;
  };
  /** IAM users (root is `root`); null when not known. */
  readonly users: readonly ArchiveIdentity[] | null;
  readonly root: ArchiveIdentity | null;
  readonly passwordPolicy: ArchivePasswordPolicy;
  /** Why some identity facts are missing (a report JSON without its snapshot), else null. */
  readonly factsNote: string | null;
}

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
    rules: (catalogue?.rules ?? []).map((rule) => ({ id: rule.id, title: rule.title, severity: rule.severity, options: rule.options })),
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
