/**
 * Reading IAM policy documents (parsed JSON of unknown shape) without trusting their shape:
 * Statement may be one object or a list; Action and Resource a string or a list.
 */
const FULL_ACTIONS = new Set(['*', '*:*']);

function asList(value: unknown): readonly unknown[] {
  if (Array.isArray(value)) return value;
  return value === undefined ? [] : [value];
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The indexes of statements that allow every action on every resource (Effect Allow, Action "*"
 * or "*:*", Resource "*"). Conditions are not weighed: CIS treats any such statement as full admin.
 */
export function fullAdminStatements(document: unknown): number[] {
  if (!isRecord(document)) return [];
  const statements = asList(document['Statement']);
  const found: number[] = [];
  statements.forEach((statement, index) => {
    if (!isRecord(statement) || statement['Effect'] !== 'Allow') return;
    const actions = asList(statement['Action']);
    const resources = asList(statement['Resource']);
    if (actions.some((action) => typeof action === 'string' && FULL_ACTIONS.has(action)) && resources.some((resource) => resource === '*')) found.push(index);
  });
  return found;
}

/** True when the ARN is the AWS managed policy `name` in any partition (aws, aws-cn, aws-us-gov), on any path. */
export function isAwsManagedPolicy(arn: string, name: string): boolean {
  const prefix = /^arn:[a-z-]+:iam::aws:policy\/(?:[^/]+\/)*/.exec(arn);
  return prefix !== null && arn.slice(prefix[0].length) === name;
}
