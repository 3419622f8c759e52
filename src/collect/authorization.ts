import { GetAccountAuthorizationDetailsCommand, type AttachedPolicy, type IAMClient, type PolicyDetail, type RoleDetail, type UserDetail } from '@aws-sdk/client-iam';
import {
  absent,
  known,
  type CollectionError,
  type Fact,
  type GroupFacts,
  type InlinePolicy,
  type ManagedPolicy,
  type PolicyAttachment,
  type RoleFacts,
} from '../snapshot/types.js';
import { attempt, type ApiCaller } from './caller.js';
import { CallFailure } from './errors.js';
import { StageFailures } from './failures.js';
import { isoFact } from './iso.js';
import { forEachPage, RepeatGuard } from './paging.js';

/** What GetAccountAuthorizationDetails says about one user. */
export interface UserAuthorization {
  readonly groups: Fact<readonly string[]>;
  readonly attachedPolicies: Fact<readonly PolicyAttachment[]>;
  readonly inlinePolicies: Fact<readonly InlinePolicy[]>;
  readonly tags: Fact<Readonly<Record<string, string>>>;
}

/** Stage 5b: GetAccountAuthorizationDetails paged to the end: users' policies, groups, roles, managed policies. */
export interface AuthorizationStage {
  /** By user ARN; empty when the call failed. */
  readonly users: ReadonlyMap<string, UserAuthorization>;
  /** The absent fact for everything this stage gives, when the call failed; null otherwise. */
  readonly failure: Fact<never> | null;
  readonly groups: Fact<readonly GroupFacts[]>;
  readonly roles: Fact<readonly RoleFacts[]>;
  readonly managedPolicies: Fact<readonly ManagedPolicy[]>;
  readonly errors: readonly CollectionError[];
}

type ManagedPolicyDetailLike = {
  readonly PolicyName?: string;
  readonly Arn?: string;
  readonly AttachmentCount?: number;
  readonly PolicyVersionList?: readonly { readonly Document?: string; readonly IsDefaultVersion?: boolean }[];
};

const API = 'iam:GetAccountAuthorizationDetails';

/** Policy documents arrive URL-encoded (RFC 3986) JSON. */
function decodePolicyDocument(encoded: string): unknown {
  return JSON.parse(decodeURIComponent(encoded));
}

function attachments(list: readonly AttachedPolicy[] | undefined): PolicyAttachment[] {
  return (list ?? []).map((policy) => ({ policyName: policy.PolicyName ?? '', policyArn: policy.PolicyArn ?? '' }));
}

/** Decodes what one page holds; documents that do not decode are recorded in `failures`. */
class PageDecoder {
  constructor(
    private readonly partition: string,
    private readonly failures: StageFailures,
  ) {}

  /** An inline policy whose document is not URL-encoded JSON is recorded, its document left null. */
  inlinePolicies(list: readonly PolicyDetail[] | undefined, owner: string): InlinePolicy[] {
    return (list ?? []).map((policy) => {
      const name = policy.PolicyName ?? '';
      try {
        return { policyName: name, document: decodePolicyDocument(policy.PolicyDocument ?? '') };
      } catch (error) {
        this.failures.record({ api: API, resource: owner, code: 'InvalidPolicyDocument', message: `inline policy ${name}: ${(error as Error).message}`, affects: [`${owner} inline policy ${name}`] });
        return { policyName: name, document: null };
      }
    });
  }

  managedPolicy(policy: ManagedPolicyDetailLike): ManagedPolicy {
    const arn = policy.Arn ?? '';
    const affects = [`accountFacts.managedPolicies[${arn}].document`];
    const defaultVersion = (policy.PolicyVersionList ?? []).find((version) => version.IsDefaultVersion === true);
    let document: Fact<unknown>;
    if (defaultVersion?.Document === undefined) {
      document = absent('collection_failed', 'no default version document in GetAccountAuthorizationDetails');
      this.failures.record({ api: API, resource: arn, code: 'MissingPolicyDocument', message: `managed policy ${arn} has no default version document`, affects });
    } else {
      try {
        document = known(decodePolicyDocument(defaultVersion.Document));
      } catch (error) {
        document = this.failures.failed(new CallFailure(API, arn, 'InvalidPolicyDocument', (error as Error).message), affects);
      }
    }
    const isAwsManaged = arn.startsWith(`arn:${this.partition}:iam::aws:policy/`);
    return { arn, name: policy.PolicyName ?? '', attachmentCount: policy.AttachmentCount ?? 0, isAwsManaged, document };
  }

  /**
   * A role with its trust policy and last use. The trust document is a required member of every
   * RoleDetail (required-members.ts, checked before this); one that does not decode is recorded and
   * its fact failed. An empty RoleLastUsed is IAM's "never used, or not within its tracking period":
   * `no_information`, distinct from not collected and from a failure.
   */
  role(detail: RoleDetail): RoleFacts {
    const arn = detail.Arn ?? '';
    let trustPolicy: Fact<unknown>;
    try {
      trustPolicy = known(decodePolicyDocument(detail.AssumeRolePolicyDocument ?? ''));
    } catch (error) {
      trustPolicy = this.failures.failed(new CallFailure(API, arn, 'InvalidPolicyDocument', `trust policy: ${(error as Error).message}`), [`accountFacts.roles[${arn}].trustPolicy`]);
    }
    const lastUse = detail.RoleLastUsed;
    const noDate = absent('no_information', 'IAM records no use (never used, or not within its tracking period)');
    const region = lastUse?.Region;
    return {
      name: detail.RoleName ?? '',
      arn,
      attachedPolicies: attachments(detail.AttachedManagedPolicies),
      inlinePolicies: this.inlinePolicies(detail.RolePolicyList, `role ${arn}`),
      trustPolicy,
      lastUsed: isoFact(lastUse?.LastUsedDate, noDate),
      lastUsedRegion: region === undefined || region === '' ? absent('no_information', 'IAM gave no region of last use') : known(region),
    };
  }

  /**
   * A user's own sublists are optional in IAM's model and may be left out when empty, so their
   * absence is "none" by IAM's convention; the answer's lists and each user's ARN are required
   * members (required-members.ts), checked before this.
   */
  user(detail: UserDetail): UserAuthorization {
    const arn = detail.Arn ?? '';
    return {
      groups: known(detail.GroupList ?? []),
      attachedPolicies: known(attachments(detail.AttachedManagedPolicies)),
      inlinePolicies: known(this.inlinePolicies(detail.UserPolicyList, arn)),
      tags: known(Object.fromEntries((detail.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? '']))),
    };
  }
}

export async function collectAuthorization(iam: IAMClient, caller: ApiCaller, partition: string): Promise<AuthorizationStage> {
  const failures = new StageFailures();
  const decoder = new PageDecoder(partition, failures);
  const users = new Map<string, UserAuthorization>();
  const groups: GroupFacts[] = [];
  const roles: RoleFacts[] = [];
  const policies: ManagedPolicy[] = [];
  // One guard over all four lists: an ARN names one user, group, role or policy.
  const repeats = new RepeatGuard(API, null);
  const outcome = await attempt(() =>
    forEachPage(
      caller,
      API,
      null,
      (Marker, abortSignal) =>
        iam.send(new GetAccountAuthorizationDetailsCommand({ Marker, MaxItems: 1000, Filter: ['User', 'Group', 'Role', 'LocalManagedPolicy', 'AWSManagedPolicy'] }), { abortSignal }),
      (page, pageNumber) => {
        for (const detail of page.UserDetailList) {
          repeats.check('user', detail.Arn ?? '', pageNumber);
          users.set(detail.Arn ?? '', decoder.user(detail));
        }
        for (const group of page.GroupDetailList) {
          const arn = group.Arn ?? '';
          repeats.check('group', arn, pageNumber);
          groups.push({ name: group.GroupName ?? '', arn, attachedPolicies: attachments(group.AttachedManagedPolicies), inlinePolicies: decoder.inlinePolicies(group.GroupPolicyList, `group ${arn}`) });
        }
        for (const role of page.RoleDetailList) {
          repeats.check('role', role.Arn ?? '', pageNumber);
          roles.push(decoder.role(role));
        }
        for (const policy of page.Policies) {
          repeats.check('policy', policy.Arn ?? '', pageNumber);
          policies.push(decoder.managedPolicy(policy));
        }
      },
    ),
  );
  if (!outcome.ok) {
    // A partial list of policies, groups or roles is never given: all of it is failed.
    const failure = failures.failed(outcome.failure, [
      'users[*].groups',
      'users[*].attachedPolicies',
      'users[*].inlinePolicies',
      'users[*].tags',
      'accountFacts.groups',
      'accountFacts.roles',
      'accountFacts.managedPolicies',
    ]);
    return { users: new Map(), failure, groups: failure, roles: failure, managedPolicies: failure, errors: failures.errors };
  }
  return { users, failure: null, groups: known(groups), roles: known(roles), managedPolicies: known(policies), errors: failures.errors };
}
