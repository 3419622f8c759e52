/**
 * "Did you mean": the closest known command or flag to a mistyped one, by edit distance. Small and
 * dependency-free, since main.ts loads it on every run.
 */

/** Edit distance with adjacent transpositions counted as one edit ("outptu" is one from "output"). */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const row = rows[i] as number[];
      const above = rows[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((above[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (above[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, ((rows[i - 2] as number[])[j - 2] ?? 0) + 1);
      row[j] = best;
    }
  }
  return (rows[a.length] as number[])[b.length] ?? 0;
}

/**
 * The known name closest to `typed`, or null when none is close enough to be a typo: at most two
 * edits, and fewer than half the typed name's letters (so "x" does not suggest "-d"). Ties go to
 * the first name in `known`'s order.
 */
export function closestName(typed: string, known: readonly string[]): string | null {
  const limit = Math.min(2, Math.ceil(typed.length / 2) - 1);
  let best: { name: string; distance: number } | null = null;
  for (const name of known) {
    const distance = editDistance(typed.toLowerCase(), name.toLowerCase());
    if (distance <= limit && (best === null || distance < best.distance)) best = { name, distance };
  }
  return best?.name ?? null;
}

/** "--output" or "-d": how a flag name is written on the command line. */
export function asFlag(name: string): string {
  return name.length === 1 ? `-${name}` : `--${name}`;
}

/**
 * The "Did you mean ...?" line for yargs' "Unknown argument(s): a, b" message, or null. A word the
 * user wrote as a flag is matched against the command's flags; a bare word, when no command was
 * recognised, against the command names.
 */
export function suggestionFor(message: string, argv: readonly string[], knownFlags: readonly string[], knownCommands: readonly string[] | null): string | null {
  const listed = /^Unknown arguments?: (.+)$/.exec(message);
  if (listed === null) return null;
  const writtenAsFlag = new Set(argv.filter((token) => token.startsWith('-')).map((token) => token.replace(/^-+/, '').split('=')[0] ?? ''));
  const suggestions: string[] = [];
  for (const word of (listed[1] ?? '').split(', ')) {
    if (writtenAsFlag.has(word)) {
      const flag = closestName(word, knownFlags.filter((name) => name.length > 1));
      if (flag !== null) suggestions.push(asFlag(flag));
    } else if (knownCommands !== null) {
      const command = closestName(word, knownCommands);
      if (command !== null) suggestions.push(command);
    }
  }
  if (suggestions.length === 0) return null;
  return `Did you mean ${[...new Set(suggestions)].join(', ')}?`;
}
