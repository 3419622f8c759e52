/**
 * The rule factory. Every rule is one file in src/rules/, named after its id, made through
 * `defineRule`, so its metadata, required snapshot data, options and evaluation are checked by the
 * compiler: a misspelt severity, requirement or option fails to compile.
 *
 * A rule is a pure function of the snapshot and its context. It never reads the clock
 * (`context.now` is the capture time or --as-of) and never touches AWS, files or rendering.
 *
 * A rule judges one identity at a time (issue 26): `judgeUser` gets one IAM user's facts and gives
 * the findings about that user and its keys; `judgeAccount` judges the account once (root, the
 * password policy, policies, roles, certificates). The engine walks the users once and calls every
 * enabled rule on each, so no rule ever returns (or builds) a list over all identities. What a rule
 * must know of all users for its account-wide verdict it counts in its `tally`, never as findings.
 */
import type { Snapshot, UserFacts } from '../snapshot/types.js';

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** What a rule may say of one resource. The engine adds `error` and `excepted`. */
export type RuleVerdict = 'pass' | 'fail' | 'not_applicable' | 'not_evaluated';

export type ResourceType = 'account' | 'root' | 'user' | 'policy' | 'role' | 'group' | 'server-certificate' | 'access-key';

export interface ResourceRef {
  readonly type: ResourceType;
  /** The ARN; for an access key, the user's ARN with `#access_key_N` (or `#AKIA...`). */
  readonly arn: string;
  /** What people call it: the user name, `<root_account>`, the policy name. */
  readonly name: string;
}

/**
 * What a finding says of its resource, as data (issue 26): only what varies per resource (instants,
 * key labels, counts, booleans, device types, policy names), never a rule option or anything the
 * same for every finding of the rule. Flat and JSON-able, so a report can carry it and a reader
 * rebuild the sentence with the rule's `describe`.
 */
export type FactValue = string | number | boolean | null | readonly string[];
export type FactRecord = Readonly<Record<string, FactValue>>;
/** A rule's own facts: a flat record of its choosing whose key `shared` is left to the shared facts below. */
export type RuleFacts = FactRecord & { readonly shared?: never };

/**
 * Facts the shared helpers of support/judging.ts give for every rule alike, described here rather
 * than by each rule (`describeFacts`): an age that cannot be measured (the problem quotes the bad
 * value, which the engine's integrity guard looks for), and the console-user and password-policy
 * sentences several rules share.
 */
export type SharedFacts =
  | { readonly shared: 'unmeasurable'; readonly problem: string }
  | { readonly shared: 'console-password-enabled' }
  | { readonly shared: 'console-password-no-active-keys' }
  | { readonly shared: 'no-password-policy' };

const SHARED_WORDS: Readonly<Record<Exclude<SharedFacts['shared'], 'unmeasurable'>, string>> = {
  'console-password-enabled': 'console password enabled',
  // A pass of the console-user rules, judged only for users with a console password: not repeated (issue 26).
  'console-password-no-active-keys': 'no active access keys',
  'no-password-policy': 'the account has no password policy (IAM defaults apply: 8 characters, no classes, no reuse prevention, no expiry)',
};

export interface RuleFinding<Facts extends RuleFacts = RuleFacts> {
  readonly resource: ResourceRef;
  readonly verdict: RuleVerdict;
  /**
   * The values judged, as data; the rule's `describe` reads them as the evidence sentence ("active
   * key access_key_1 created 2026-01-03, 143 days before evaluation"). Null: no evidence.
   */
  readonly facts: Facts | SharedFacts | null;
  /** Why the verdict is not_applicable or not_evaluated; null for pass and fail. */
  readonly reason: string | null;
}

/** A finding with its evidence sentence, formatted once from its facts (by the engine, or judgeAll). */
export interface DescribedFinding extends RuleFinding {
  readonly evidence: string;
}

/**
 * Snapshot data a rule needs. When an account-wide requirement is missing from the snapshot, the
 * engine reports the rule `not_evaluated` with the reason and the data source that would provide
 * it, without calling the rule. Per-user facts are judged by the rule itself, per user.
 */
export const REQUIREMENTS = {
  root: { description: 'the root user facts', source: 'a credential report (root row) or live collection' },
  users: { description: 'the IAM users', source: 'a credential report or live collection' },
  'users.password': { description: "users' console passwords", source: 'a credential report or live collection (iam:GetLoginProfile)' },
  'users.passwordLastUsed': { description: "users' password last use", source: 'a credential report' },
  'users.mfa': { description: "users' MFA status", source: 'a credential report or live collection (iam:ListMFADevices)' },
  'users.mfaDevices': { description: "users' MFA devices and their types", source: 'live collection (iam:ListMFADevices)' },
  'users.accessKeys': { description: "users' access keys", source: 'a credential report or live collection (iam:ListAccessKeys)' },
  'users.accessKeysLastUsed': { description: "users' access key last use", source: 'a credential report (22-column layout) or live collection (iam:GetAccessKeyLastUsed)' },
  'users.policies': { description: "users' attached and inline policies", source: 'live collection (iam:GetAccountAuthorizationDetails)' },
  'account.summary': { description: 'the account summary', source: 'live collection (iam:GetAccountSummary)' },
  'account.passwordPolicy': { description: 'the account password policy', source: 'live collection (iam:GetAccountPasswordPolicy)' },
  'account.virtualMfaDevices': { description: 'the virtual MFA devices', source: 'live collection (iam:ListVirtualMFADevices)' },
  'account.managedPolicies': { description: 'the managed policies and their documents', source: 'live collection (iam:GetAccountAuthorizationDetails)' },
  'account.groups': { description: 'the groups and their policies', source: 'live collection (iam:GetAccountAuthorizationDetails)' },
  'account.roles': { description: 'the roles and their policies', source: 'live collection (iam:GetAccountAuthorizationDetails)' },
  'account.serverCertificates': { description: 'the server certificates', source: 'live collection (iam:ListServerCertificates)' },
} as const satisfies Record<string, { readonly description: string; readonly source: string }>;
export type Requirement = keyof typeof REQUIREMENTS;

/** A rule option's declared type, for `rules --defaults` and config validation. */
export type RuleOptionValue = number | boolean | string;
export type RuleOptions = Readonly<Record<string, RuleOptionValue>>;

export interface RuleContext<Options extends RuleOptions> {
  /** The instant time-based checks measure against, in ms since 1970 (capture time or --as-of). */
  readonly now: number;
  readonly options: Options;
}

export interface Remediation {
  /** Console steps, in order. */
  readonly console: readonly string[];
  /** The AWS CLI command(s). */
  readonly cli: string;
}

/** A user judgement with nothing to say (shared: no allocation per user). */
export const NO_FINDINGS: readonly RuleFinding<never>[] = Object.freeze([]);

export interface RuleDefinition<Id extends string, Options extends RuleOptions, Facts extends RuleFacts = RuleFacts, Tally = unknown> {
  /** Stable kebab-case id, equal to the file name (checked by the catalogue test). */
  readonly id: Id;
  readonly title: string;
  readonly severity: Severity;
  /** Why the control matters (the risk). */
  readonly rationale: string;
  readonly remediation: Remediation;
  readonly requires: readonly Requirement[];
  /** Options and their defaults, overridable in the configuration file. */
  readonly defaultOptions: Options;
  /**
   * One IAM user judged: the findings about the user and its keys (one, several or none), never
   * about another identity. May throw: the engine turns that into an `error` result for this user.
   */
  // Method syntax on purpose: a rule with specific options must still fit the catalogue's Rule type.
  judgeUser?(user: UserFacts, context: RuleContext<Options>, tally: Tally): RuleFinding<NoInfer<Facts>> | readonly RuleFinding<NoInfer<Facts>>[];
  /**
   * The account judged once, after every user: root, account-wide settings and lists (a handful of
   * findings, or one per policy, role or certificate). May throw: one `error` result for the account.
   */
  judgeAccount?(snapshot: Snapshot, context: RuleContext<Options>, tally: Tally): readonly RuleFinding<NoInfer<Facts>>[];
  /**
   * The rule's facts in words: the evidence sentence, only what varies per resource (issue 26): a
   * threshold the rule's title states and the evaluation instant (in every report's metadata) are
   * not repeated; the instant from the context measures an age from the instant the facts give. Its
   * parameter's type is the rule's facts type: the judgements may give no facts it does not declare.
   * Pure and cheap: the engine calls it once per finding; readers of a report call it again.
   */
  describe(facts: Facts, context: RuleContext<Options>): string;
  /** A fresh tally for one run (one per evaluation time): what `judgeUser` counts for `judgeAccount`. */
  newTally?(): Tally;
  /**
   * The table of tests, one per edge case: each case a small snapshot change and the verdicts
   * expected. Run by test/rules.test.ts for every rule.
   */
  readonly tests: readonly RuleTestCase[];
}

export interface RuleTestCase {
  readonly name: string;
  /** Builds the snapshot for the case (see test helpers in src/rules/testing.ts). */
  readonly snapshot: () => Snapshot;
  /** Options to override for this case. */
  readonly options?: RuleOptions;
  /** Evaluate as of this instant (ISO); default the snapshot's capture time. */
  readonly asOf?: string;
  /** Expected verdict per resource name (user name, `<root_account>`, policy name, `account`...). */
  readonly expect: Readonly<Record<string, RuleVerdict>>;
}

export type Rule<Id extends string = string> = RuleDefinition<Id, RuleOptions>;

/**
 * The factory: keeps the literal id type (for framework maps) and checks everything else. The
 * facts type is the one `describe` declares; every finding the judgements give must fit it.
 */
export function defineRule<const Id extends string, const Options extends RuleOptions, Facts extends RuleFacts, Tally = undefined>(
  definition: RuleDefinition<Id, Options, Facts, Tally>,
): RuleDefinition<Id, Options, Facts, Tally> {
  return definition;
}

/** A finding's evidence sentence: '' without facts; shared facts in their words; else the rule's own `describe`. */
export function describeFacts<Options extends RuleOptions, Facts extends RuleFacts>(
  rule: Pick<RuleDefinition<string, Options, Facts>, 'describe'>,
  facts: Facts | SharedFacts | null,
  context: RuleContext<Options>,
): string {
  if (facts === null) return '';
  if (isSharedFacts(facts)) return facts.shared === 'unmeasurable' ? facts.problem : SHARED_WORDS[facts.shared];
  return rule.describe(facts, context);
}

function isSharedFacts(facts: RuleFacts | SharedFacts): facts is SharedFacts {
  return typeof facts.shared === 'string';
}

/** The finding with its evidence formatted from its facts. */
export function described<Options extends RuleOptions, Facts extends RuleFacts>(rule: Pick<RuleDefinition<string, Options, Facts>, 'describe'>, finding: RuleFinding<Facts>, context: RuleContext<Options>): DescribedFinding {
  return { resource: finding.resource, verdict: finding.verdict, facts: finding.facts, evidence: describeFacts(rule, finding.facts, context), reason: finding.reason };
}

/**
 * Every finding of one rule over a whole snapshot, the users in order then the account: what the
 * engine does for one rule, without requirements, projection or exceptions. For tests and tools
 * that look at one rule; the engine itself never builds this list.
 */
export function judgeAll<Options extends RuleOptions, Facts extends RuleFacts, Tally>(rule: RuleDefinition<string, Options, Facts, Tally>, snapshot: Snapshot, context: RuleContext<Options>): DescribedFinding[] {
  const tally = rule.newTally === undefined ? (undefined as Tally) : rule.newTally();
  const findings: DescribedFinding[] = [];
  if (rule.judgeUser !== undefined) {
    for (const user of snapshot.users) {
      const judged = rule.judgeUser(user, context, tally);
      if (isFindingList(judged)) for (const item of judged) findings.push(described(rule, item, context));
      else findings.push(described(rule, judged, context));
    }
  }
  if (rule.judgeAccount !== undefined) for (const item of rule.judgeAccount(snapshot, context, tally)) findings.push(described(rule, item, context));
  return findings;
}

/** A judgement's findings as a list (a single finding is returned without an array). */
export function isFindingList<Facts extends RuleFacts>(judged: RuleFinding<Facts> | readonly RuleFinding<Facts>[]): judged is readonly RuleFinding<Facts>[] {
  return Array.isArray(judged);
}
