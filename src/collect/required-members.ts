/**
 * What an answer must hold to be data (issue 23 §2). A 200 answer with an empty body, an empty
 * result element or a foreign page (a proxy's HTML) is read by the SDK as an output whose members
 * are all undefined; without this table the collector would read that as "none" (no password, no
 * keys, no users). Every call the collector makes is declared here, keyed by the IAM, STS or
 * Organizations action it is made as, and the one call wrapper (ApiCaller.call) refuses an answer
 * that lacks a declared member: a collection error of code `malformed_response`, and the facts the
 * call would have given stay unknown.
 *
 * A member is named as the SDK names it:
 *  - `Users`: the output's member must be present (an empty list is `<Users/>`, which the SDK reads
 *    as []: present; a missing element is undefined: missing);
 *  - `SummaryMap.Users`: a member of a structure or map member;
 *  - `Users[].Arn`: a member of every element of a list member.
 *
 * The lists come from the SDK's models (members marked required: ListUsers' `Users`,
 * GetLoginProfile's `LoginProfile`, a User's `Arn`...) plus what IAM always sends although its
 * model leaves it optional and the collector relies on (GetAccountSummary's `SummaryMap` and its
 * `Users` count, a password policy's MinimumPasswordLength (IAM states it even at its default;
 * a Require* or Expire* flag left out reads as off, which can fail a check but never pass one),
 * GetAccessKeyLastUsed's `AccessKeyLastUsed` with `Region` and `ServiceName`, which
 * are "N/A" for a key never used, an access key's `Status`, a certificate's `Expiration`, the four
 * lists of GetAccountAuthorizationDetails and each role's trust document (AssumeRolePolicyDocument), GenerateCredentialReport's `State`, GetCredentialReport's
 * `Content` and `GeneratedTime`, GetCallerIdentity's `Account` and `Arn`, the Organizations lists).
 */
export const REQUIRED_MEMBERS = {
  'sts:GetCallerIdentity': ['Account', 'Arn'],
  'iam:ListUsers': ['Users', 'Users[].UserName', 'Users[].Arn', 'Users[].CreateDate'],
  'iam:GetLoginProfile': ['LoginProfile'],
  'iam:ListMFADevices': ['MFADevices', 'MFADevices[].SerialNumber'],
  'iam:ListAccessKeys': ['AccessKeyMetadata', 'AccessKeyMetadata[].AccessKeyId', 'AccessKeyMetadata[].Status'],
  'iam:GetAccessKeyLastUsed': ['AccessKeyLastUsed', 'AccessKeyLastUsed.Region', 'AccessKeyLastUsed.ServiceName'],
  'iam:ListAccountAliases': ['AccountAliases'],
  'iam:GetAccountSummary': ['SummaryMap', 'SummaryMap.Users'],
  'iam:GetAccountPasswordPolicy': ['PasswordPolicy', 'PasswordPolicy.MinimumPasswordLength'],
  'iam:ListVirtualMFADevices': ['VirtualMFADevices', 'VirtualMFADevices[].SerialNumber'],
  'iam:ListServerCertificates': [
    'ServerCertificateMetadataList',
    'ServerCertificateMetadataList[].ServerCertificateName',
    'ServerCertificateMetadataList[].Arn',
    'ServerCertificateMetadataList[].Expiration',
  ],
  'iam:GetAccountAuthorizationDetails': [
    'UserDetailList',
    'GroupDetailList',
    'RoleDetailList',
    'Policies',
    'UserDetailList[].Arn',
    'GroupDetailList[].Arn',
    'RoleDetailList[].Arn',
    'RoleDetailList[].AssumeRolePolicyDocument',
    'Policies[].Arn',
  ],
  'iam:GenerateCredentialReport': ['State'],
  'iam:GetCredentialReport': ['Content', 'GeneratedTime'],
  'organizations:DescribeOrganization': ['Organization', 'Organization.Id'],
  'organizations:ListAccounts': ['Accounts', 'Accounts[].Id'],
  'organizations:ListAccountsForParent': ['Accounts', 'Accounts[].Id'],
  'organizations:ListChildren': ['Children', 'Children[].Id'],
} as const satisfies Readonly<Record<string, readonly string[]>>;

/** Every action the collector calls through ApiCaller; a call not declared above does not compile. */
export type CollectedApi = keyof typeof REQUIRED_MEMBERS;

export const COLLECTED_APIS = Object.keys(REQUIRED_MEMBERS) as readonly CollectedApi[];

/** The output member a declaration is about: `Users` of `Users[].Arn` or `SummaryMap.Users`. */
type TopMember<Path extends string> = Path extends `${infer Head}[]${string}` ? Head : Path extends `${infer Head}.${string}` ? Head : Path;

/**
 * An output whose declared top-level members are known to be there (the caller has checked them),
 * so that no code after the call needs a `?? []` that would turn a missing member into "none".
 */
export type Checked<Api extends CollectedApi, Output> = Output & {
  readonly [Member in Extract<TopMember<(typeof REQUIRED_MEMBERS)[Api][number]>, keyof Output>]-?: NonNullable<Output[Member]>;
};

const isMissing = (value: unknown): boolean => value === undefined || value === null;

/** The first part of `path` (from `parts`) missing in `value`, as a readable path, or null. */
function missingIn(value: unknown, parts: readonly string[], shown: string): string | null {
  if (parts.length === 0) return null;
  const [part, ...rest] = parts as [string, ...string[]];
  const list = part.endsWith('[]');
  const name = list ? part.slice(0, -2) : part;
  const here = shown === '' ? name : `${shown}.${name}`;
  const member = typeof value === 'object' && value !== null ? (value as Readonly<Record<string, unknown>>)[name] : undefined;
  if (isMissing(member)) return here;
  if (!list) return missingIn(member, rest, here);
  if (!Array.isArray(member)) return `${here} (not a list)`;
  for (const [index, element] of (member as readonly unknown[]).entries()) {
    const missing = missingIn(element, rest, `${here}[${index}]`);
    if (missing !== null) return missing;
  }
  return null;
}

/** The first declared member `output` lacks (e.g. `Users[3].Arn`), or null when it has them all. */
export function missingRequiredMember(api: CollectedApi, output: unknown): string | null {
  for (const path of REQUIRED_MEMBERS[api]) {
    const missing = missingIn(output, path.split('.'), '');
    if (missing !== null) return missing;
  }
  return null;
}
