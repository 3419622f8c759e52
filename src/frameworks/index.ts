/**
 * The frameworks, registered once. Each is data in its own file (src/frameworks/<id>.ts); import
 * it here and add it to the list, one line per framework, so adding one never touches a rule.
 */
import type { Framework } from './framework.js';

export const allFrameworks: readonly Framework[] = [
  // One line per framework, e.g.:  cis50,
];
