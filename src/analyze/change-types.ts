/**
 * The comparison's result types (compare.ts makes them): what changed between two archived audits.
 * Apart from the comparison so that the analysis result's "changes since the previous report"
 * (previous.ts) can name them without importing the comparison.
 */
import type { ArchiveState, ControlStatusName } from './archive-types.js';

export interface FindingChange {
  readonly findingId: string;
  readonly ruleId: string;
  readonly ruleTitle: string;
  readonly severity: string;
  readonly resourceType: string;
  readonly resourceName: string;
  readonly resourceArn: string;
  /** The status in OLD and NEW; null where the finding does not exist (resource added or removed). */
  readonly before: string | null;
  readonly after: string | null;
  /** Still failing: failing since at least OLD's capture time (the first time seen in these two). */
  readonly firstSeen: string | null;
  /** Days between OLD's capture and NEW's (still failing only). */
  readonly failingDays: number | null;
  /** The exception's expiry: newly excepted (NEW's), exception ended (OLD's). */
  readonly exceptionExpires: string | null;
  /** Exception ended because it expired (NEW has the failure with the lapsed exception). */
  readonly expired: boolean;
  /** Newly failing: what the rule saw in NEW, and how to fix it (null where the archive does not say). */
  readonly evidence?: string | null;
  readonly fix?: string | null;
}

export interface RuleChanges {
  readonly ruleId: string;
  readonly title: string;
  readonly severity: string;
  readonly failingBefore: number;
  readonly failingAfter: number;
  readonly newlyFailing: number;
  readonly resolved: number;
  readonly stillFailing: number;
  readonly newlyExcepted: number;
  readonly exceptionsExpired: number;
  readonly exceptionsEnded: number;
}

export interface ControlChanges {
  readonly framework: string;
  readonly frameworkName: string;
  readonly controlId: string;
  readonly title: string;
  /** null where the control is not in that side (another framework version or selection). */
  readonly before: ControlStatusName | null;
  readonly after: ControlStatusName | null;
  readonly newlyFailing: number;
  readonly resolved: number;
  readonly stillFailing: number;
  readonly newlyExcepted: number;
  readonly exceptionsExpired: number;
}

export interface IdentityRef {
  readonly name: string;
  readonly arn: string;
}

export interface KeyChange {
  readonly user: string;
  readonly userArn: string;
  /** The key in OLD (deleted, rotated away, (de)activated) and in NEW (created, rotated in, (de)activated). */
  readonly before: KeyRef | null;
  readonly after: KeyRef | null;
}

export interface KeyRef {
  readonly label: string;
  readonly active: boolean;
  readonly createdAt: string | null;
}

export interface SettingChange {
  readonly setting: string;
  readonly before: string;
  readonly after: string;
}

export interface Rate {
  readonly before: number | null;
  readonly after: number | null;
}

export interface FrameworkRates {
  readonly framework: string;
  readonly name: string;
  readonly before: Readonly<Record<ControlStatusName, number>> | null;
  readonly after: Readonly<Record<ControlStatusName, number>> | null;
  /** Passing share of the automated (not manual) controls, 0..1; null without any. */
  readonly passRate: Rate;
}

export interface ArchiveSide {
  readonly kind: ArchiveState['kind'];
  readonly fileName: string;
  readonly fileSha256: string;
  readonly snapshotFile: string;
  readonly snapshotSha256: string;
  readonly account: ArchiveState['account'];
  readonly capturedAt: string;
  readonly evaluatedAsOf: string;
}

export interface ChangeReport {
  readonly old: ArchiveSide;
  readonly new: ArchiveSide;
  readonly sameAccount: boolean;
  /** NEW was captured before OLD (allowed with --reverse). */
  readonly reversed: boolean;
  readonly findings: {
    readonly newlyFailing: readonly FindingChange[];
    readonly resolved: readonly FindingChange[];
    readonly stillFailing: readonly FindingChange[];
    readonly newlyExcepted: readonly FindingChange[];
    /** Excepted in OLD and not in NEW: `expired` true when the exception lapsed. */
    readonly exceptionsEnded: readonly FindingChange[];
  };
  readonly rules: readonly RuleChanges[];
  readonly controls: readonly ControlChanges[];
  readonly identities: {
    /** Why identity facts could not be compared, or null. */
    readonly note: string | null;
    readonly added: readonly IdentityRef[];
    readonly removed: readonly IdentityRef[];
    readonly mfaEnabled: readonly IdentityRef[];
    readonly mfaDisabled: readonly IdentityRef[];
    readonly consoleEnabled: readonly IdentityRef[];
    readonly consoleDisabled: readonly IdentityRef[];
  };
  readonly keys: {
    readonly note: string | null;
    readonly created: readonly KeyChange[];
    readonly rotated: readonly KeyChange[];
    readonly deactivated: readonly KeyChange[];
    readonly activated: readonly KeyChange[];
    readonly deleted: readonly KeyChange[];
  };
  readonly passwordPolicy: { readonly note: string | null; readonly before: string; readonly after: string; readonly changes: readonly SettingChange[] };
  readonly rates: { readonly mfa: Rate; readonly consoleMfa: Rate; readonly frameworks: readonly FrameworkRates[] };
  /** The configuration or exceptions differ between two report JSONs (or a report JSON and this run). */
  readonly warnings: readonly string[];
  /** Counts of every change kind, for the console and the tests. */
  readonly counts: Readonly<Record<ChangeKind, number>>;
  readonly changed: boolean;
}

export const CHANGE_KINDS = [
  'newly_failing',
  'resolved',
  'still_failing',
  'newly_excepted',
  'exception_expired',
  'exception_ended',
  'control_status_changed',
  'identity_added',
  'identity_removed',
  'mfa_enabled',
  'mfa_disabled',
  'console_enabled',
  'console_disabled',
  'key_created',
  'key_rotated',
  'key_deactivated',
  'key_activated',
  'key_deleted',
  'password_policy_changed',
] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];
