import { absent, known, type CollectionError, type Fact, type Populations, type RootFacts, type SourceDiscrepancy, type UserFacts } from '../snapshot/types.js';
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
 * discrepancies and the populations, and the users and root with every fact the two sources
 * contradict made unknown.
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
  /** The users and root, each fact the live API and the credential report disagree on made unknown. */
  readonly users: readonly UserFacts[];
  readonly root: RootFacts;
}

export const SOURCE_DISCREPANCY_CODE = 'SourceDiscrepancy';

/** The live call that gives each compared field, which a contradiction names. */
const LIVE_SOURCE: Readonly<Record<string, string>> = {
  'password.enabled': 'iam:GetLoginProfile',
  'mfa.active': 'iam:ListMFADevices',
  'accessKeys.activeCount': 'iam:ListAccessKeys',
};
const ROOT_LIVE_SOURCE = 'iam:GetAccountSummary';

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

/**
 * A fact the two sources contradict is unknown: neither side is chosen, since the more favourable
 * one (the live "no password" against the report's "password") may be the answer that is wrong.
 * Each becomes `collection_failed` with the discrepancy as its detail (so every result that needed
 * it names it) and a SourceDiscrepancy collection error. A user only one side has is not a
 * contradicted fact (the report may predate the user); it stays a discrepancy only.
 */
function withoutContradictedFacts(
  users: readonly UserFacts[],
  root: RootFacts,
  discrepancies: readonly SourceDiscrepancy[],
): { users: UserFacts[]; root: RootFacts; errors: CollectionError[] } {
  const errors: CollectionError[] = [];
  const byResource = new Map<string, SourceDiscrepancy[]>();
  for (const discrepancy of discrepancies) {
    if (discrepancy.field === 'user') continue;
    byResource.set(discrepancy.resource, [...(byResource.get(discrepancy.resource) ?? []), discrepancy]);
  }
  const contradicted = (path: string, api: string, discrepancy: SourceDiscrepancy, affects: readonly string[]): Fact<never> => {
    const detail = `${api} says ${discrepancy.field} ${discrepancy.liveValue}, the credential report says ${discrepancy.credentialReportValue}`;
    errors.push({
      api,
      resource: discrepancy.resource,
      code: SOURCE_DISCREPANCY_CODE,
      message: `the live API and the credential report disagree on ${path}: ${detail}; the fact is unknown`,
      affects,
    });
    return absent('collection_failed', detail);
  };
  const adjustedUsers = users.map((user, index): UserFacts => {
    const found = byResource.get(user.arn);
    if (found === undefined) return user;
    const path = `users[${index}]`;
    let adjusted = user;
    for (const discrepancy of found) {
      const api = LIVE_SOURCE[discrepancy.field] ?? 'iam:GetCredentialReport';
      if (discrepancy.field === 'password.enabled') {
        const unknown = contradicted(`${path}.password.enabled`, api, discrepancy, [`${path}.password.enabled`, `${path}.password.resetRequired`, `${path}.password.lastChanged`, `${path}.password.nextRotation`]);
        adjusted = { ...adjusted, password: { ...adjusted.password, enabled: unknown, resetRequired: unknown, lastChanged: unknown, nextRotation: unknown } };
      } else if (discrepancy.field === 'mfa.active') {
        const unknown = contradicted(`${path}.mfa.active`, api, discrepancy, [`${path}.mfa.active`, `${path}.mfa.devices`]);
        adjusted = { ...adjusted, mfa: { active: unknown, devices: unknown } };
      } else if (discrepancy.field === 'accessKeys.activeCount') {
        adjusted = { ...adjusted, accessKeys: contradicted(`${path}.accessKeys`, api, discrepancy, [`${path}.accessKeys`]) };
      }
    }
    return adjusted;
  });
  let adjustedRoot = root;
  for (const discrepancy of byResource.get(root.arn) ?? []) {
    if (discrepancy.field === 'mfa.active') {
      const unknown = contradicted('root.mfa.active', ROOT_LIVE_SOURCE, discrepancy, ['root.mfa.active', 'root.mfa.devices']);
      adjustedRoot = { ...adjustedRoot, mfa: { active: unknown, devices: unknown } };
    } else if (discrepancy.field === 'password.enabled') {
      adjustedRoot = { ...adjustedRoot, password: { ...adjustedRoot.password, enabled: contradicted('root.password.enabled', ROOT_LIVE_SOURCE, discrepancy, ['root.password.enabled']) } };
    }
  }
  return { users: adjustedUsers, root: adjustedRoot, errors };
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
    authorizationUserArns: inputs.authorization.failure === null ? [...inputs.authorization.users.keys()] : null,
  });
  const discrepancies = liveVersusReport(inputs);
  const resolved = withoutContradictedFacts(inputs.users, inputs.root, discrepancies);
  return { errors: [...errors, ...usersMissingFromAuthorization(inputs), ...resolved.errors], discrepancies, populations, users: resolved.users, root: resolved.root };
}
