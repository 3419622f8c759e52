/**
 * Who reviews which identity: the reviewers file's rules (first match wins, else the default), and
 * segregation of duties: an identity is never assigned to the person who uses it, nor to anyone
 * who reports to that person (directly or further down). Such a conflict goes to the fallback
 * reviewer (then the default) and is recorded with its reason.
 */
import type { AssignmentRule, Reviewer, ReviewersFile } from '../../config/review-files.js';
import { UserError } from '../../util/errors.js';
import { picomatch } from '../../util/globs.js';
import { DEFAULT_OWNER_TAG_KEYS } from '../shared/owners.js';
import type { PopulationMember } from './population.js';

export interface Assignment {
  readonly reviewer: string;
  readonly reassignment: { readonly from: string; readonly reason: string } | null;
}

function tagValue(tags: Readonly<Record<string, string>>, key: string): string | undefined {
  const found = Object.keys(tags).find((candidate) => candidate.toLowerCase() === key.toLowerCase());
  return found === undefined ? undefined : tags[found];
}

function ruleMatches(rule: AssignmentRule, member: PopulationMember): boolean {
  if (rule.type !== undefined && rule.type !== member.type) return false;
  if (rule.account !== undefined && rule.account !== member.accountId) return false;
  if (rule.name !== undefined && !picomatch().isMatch(member.name, rule.name, { dot: true })) return false;
  // The path alone ("/engineering/"), or with the name as in the ARN ("/engineering/dave.dev" for "/engineering/*").
  if (rule.path !== undefined && (member.path === null || ![member.path, `${member.path}${member.name}`].some((text) => picomatch().isMatch(text, rule.path ?? '', { dot: true })))) return false;
  if (rule.group !== undefined && !member.groups.includes(rule.group)) return false;
  if (rule.owner !== undefined && !DEFAULT_OWNER_TAG_KEYS.some((key) => tagValue(member.tags, key)?.toLowerCase() === rule.owner?.toLowerCase())) return false;
  if (rule.tag !== undefined) {
    const at = rule.tag.indexOf('=');
    if (tagValue(member.tags, rule.tag.slice(0, at)) !== rule.tag.slice(at + 1)) return false;
  }
  return true;
}

/** The reviewers who are this identity (they listed it among their identities). */
export function peopleUsing(reviewers: readonly Reviewer[], member: Pick<PopulationMember, 'name' | 'arn'>): Reviewer[] {
  return reviewers.filter((reviewer) => reviewer.identities.some((identity) => identity === member.name || identity === member.arn));
}

/** Every manager above `reviewer`, however far up. */
function managersOf(reviewers: ReadonlyMap<string, Reviewer>, reviewer: Reviewer): Set<string> {
  const found = new Set<string>();
  const queue = [...reviewer.reportsTo];
  while (queue.length > 0) {
    const id = queue.shift() ?? '';
    if (found.has(id)) continue;
    found.add(id);
    queue.push(...(reviewers.get(id)?.reportsTo ?? []));
  }
  return found;
}

/** Why `reviewerId` may not review `member`, or null when they may. */
export function conflictOf(reviewers: readonly Reviewer[], reviewerId: string, member: Pick<PopulationMember, 'name' | 'arn'>): string | null {
  const users = peopleUsing(reviewers, member);
  if (users.some((person) => person.id === reviewerId)) return `${reviewerId} would review their own identity ${member.name}`;
  const byId = new Map(reviewers.map((reviewer) => [reviewer.id, reviewer]));
  const reviewer = byId.get(reviewerId);
  if (reviewer === undefined) return null;
  const managers = managersOf(byId, reviewer);
  const boss = users.find((person) => managers.has(person.id));
  return boss === undefined ? null : `${reviewerId} reports to ${boss.id}, who uses ${member.name}`;
}

/** Assigns one identity; throws when neither the assigned, the fallback nor the default reviewer is free of conflict. */
export function assignReviewer(file: ReviewersFile, member: PopulationMember): Assignment {
  const assigned = file.assign.find((rule) => ruleMatches(rule, member))?.reviewer ?? file.defaultReviewer;
  const conflict = conflictOf(file.reviewers, assigned, member);
  if (conflict === null) return { reviewer: assigned, reassignment: null };
  for (const candidate of [file.fallback, file.defaultReviewer]) {
    if (candidate !== assigned && conflictOf(file.reviewers, candidate, member) === null) return { reviewer: candidate, reassignment: { from: assigned, reason: conflict } };
  }
  throw new UserError(`no reviewer can review ${member.key} without a conflict: ${conflict}, and the fallback ${file.fallback} and default ${file.defaultReviewer} are in conflict too; name another fallback in the reviewers file`);
}
