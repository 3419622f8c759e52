/**
 * The catalogue: every rule, registered once. The catalogue test checks that every file in
 * src/rules/ (but rule.ts, index.ts, testing.ts) is registered here and that its id equals its name.
 */
import type { Rule } from './rule.js';

export const allRules = [] as const satisfies readonly Rule[];

export type RuleId = (typeof allRules)[number]['id'];
