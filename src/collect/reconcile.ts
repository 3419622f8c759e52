import { known, type CollectionError, type Fact, type Populations, type RootFacts, type SourceDiscrepancy, type UserFacts } from '../snapshot/types.js';
import type { AccountWideFacts } from './account-facts.js';
import type { AuthorizationStage } from './authorization.js';
import { reconcilePopulations } from './populations.js';
import type { UserDetails } from './user-details.js';
import type { UserListing } from './users-listing.js';

/**
 * Stage 7: reconciliation. The one place that compares what the sources say about the same
 * things and decides whether each list is complete (populations.ts): ListUsers against
 * GetAccountSummary and the credential report, ListUsers against GetAccountAuthorizationDetails,
 * the live facts against the credential report. Pure; its findings are collection errors,
 * discrepancies and the populations.
 */
export interface ReconcileInputs {
  readonly listing: UserListing;
  readonly mfaListing: UserDetails['mfaListing'];
  readonly account: AccountWideFacts;
  readonly users: readonly UserFacts[];
  readonly root: RootFacts;
  readonly authorization: AuthorizationStage;
  /** The credential report's principals, when one was used. */
  readonly report: { readonly users: readonly UserFacts[]; readonly root: RootFacts | null } | null;
}

export interface Reconciliation {
  readonly errors: readonly CollectionError[];
  readonly discrepancies: readonly SourceDiscrepancy[];
  readonly populations: Populations;
}

const activeKeyCount = (fact: Fact<readonly { readonly active: boolean }[]>): Fact<number> => (fact.known ? known(fact.value.filter((key) => key.active).length) : fact);

function liveVersusReport(inputs: ReconcileInputs): SourceDiscrepancy[] {
  const report = inputs.report;
  if (report === null) return [];
  const discrepancies: SourceDiscrepancy[] = [];
  const differs = (resource: string, field: string, live: Fact<unknown>, fromReport: Fact<unknown> | undefined): void => {
    if (!live.known || fromReport === undefined || !fromReport.known || live.value === fromReport.value) return;
    discrepancies.push({ resource, field, liveValue: String(live.value), credentialReportValue: String(fromReport.value) });
  };
  const reportUsers = new Map(report.users.map((user) => [user.arn, user]));
  for (const user of inputs.users) {
    const reportUser = reportUsers.get(user.arn);
    if (reportUser === undefined) {
      discrepancies.push({ resource: user.arn, field: 'user', liveValue: 'present', credentialReportValue: 'absent' });
      continue;
    }
    differs(user.arn, 'password.enabled', user.password.enabled, reportUser.password.enabled);
    differs(user.arn, 'mfa.active', user.mfa.active, reportUser.mfa.active);
    differs(user.arn, 'accessKeys.activeCount', activeKeyCount(user.accessKeys), activeKeyCount(reportUser.accessKeys));
  }
  // A user only the report has is a discrepancy only when ListUsers was read to its end.
  if (inputs.listing.pagedToEnd) {
    const liveArns = new Set(inputs.users.map((user) => user.arn));
    for (const reportUser of report.users) {
      if (!liveArns.has(reportUser.arn)) discrepancies.push({ resource: reportUser.arn, field: 'user', liveValue: 'absent', credentialReportValue: 'present' });
    }
  }
  differs(inputs.root.arn, 'mfa.active', inputs.root.mfa.active, report.root?.mfa.active);
  if (report.root?.password.enabled.known === true) differs(inputs.root.arn, 'password.enabled', inputs.root.password.enabled, report.root.password.enabled);
  return discrepancies;
}

function usersMissingFromAuthorization(inputs: ReconcileInputs): CollectionError[] {
  if (inputs.authorization.failure !== null) return [];
  return inputs.users.flatMap((user, index): CollectionError[] => {
    if (inputs.authorization.users.has(user.arn)) return [];
    const path = `users[${index}]`;
    return [
      {
        api: 'iam:GetAccountAuthorizationDetails',
        resource: user.arn,
        code: 'UserNotListed',
        message: 'the user was listed by ListUsers but not by GetAccountAuthorizationDetails (created or deleted during the collection?)',
        affects: [`${path}.groups`, `${path}.attachedPolicies`, `${path}.inlinePolicies`, `${path}.tags`],
      },
    ];
  });
}

export function reconcile(inputs: ReconcileInputs): Reconciliation {
  const { populations, errors } = reconcilePopulations({
    listing: inputs.listing,
    users: inputs.users,
    mfaListing: inputs.mfaListing,
    root: inputs.root,
    summary: inputs.account.summary,
    managedPolicies: inputs.authorization.managedPolicies,
    groups: inputs.authorization.groups,
    roles: inputs.authorization.roles,
    virtualMfaDevices: inputs.account.virtualMfaDevices,
    serverCertificates: inputs.account.serverCertificates,
    reportUserArns: inputs.report === null ? null : inputs.report.users.map((user) => user.arn),
  });
  return { errors: [...errors, ...usersMissingFromAuthorization(inputs)], discrepancies: liveVersusReport(inputs), populations };
}
