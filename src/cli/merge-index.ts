import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { mergeOrgIndexes } from '../snapshot/org-index-merge.js';
import { orgIndexFileName, readOrgIndex, renderOrgIndex, type OrgIndex } from '../snapshot/org-index.js';
import { ExitCode, UserError } from '../util/errors.js';
import { writeOutputs } from '../util/files.js';
import { escapeForTerminal } from '../util/terminal-text.js';
import { COMMANDS } from './commands.js';
import { commandOutcome } from './common.js';

interface Arguments {
  indexes: string[];
  output: string | undefined;
  overwrite: boolean;
  'allow-changed-org': boolean;
}

/** The index's snapshot paths, made relative to the merged index's folder. */
function rebase(index: OrgIndex, from: string, outFolder: string): OrgIndex {
  return {
    ...index,
    accounts: index.accounts.map((account) => {
      if (account.snapshot === null) return account;
      const rebased = relative(resolve(outFolder), resolve(dirname(from), account.snapshot)).split(sep).join('/');
      if (rebased.startsWith('..')) {
        throw new UserError(`${from}: the snapshot ${account.snapshot} lies outside ${outFolder}; write the merged index in a folder that holds every shard's snapshots`);
      }
      return { ...account, snapshot: rebased };
    }),
  };
}

export const mergeIndexCommand: CommandModule<object, Arguments> = {
  command: COMMANDS['merge-index'].command,
  describe: COMMANDS['merge-index'].describe,
  builder: (yargs: Argv) =>
    yargs
      .positional('indexes', { type: 'string', array: true, demandOption: true, describe: "every shard's org-index-shard-<I>-of-<N>.json" })
      .option('output', { alias: 'o', type: 'string', describe: 'merged index to write [default: org-index.json beside the first shard index]' })
      .option('overwrite', { type: 'boolean', default: false, describe: 'replace an existing merged index' })
      .option('allow-changed-org', {
        type: 'boolean',
        default: false,
        describe: 'merge shards cut from different account lists (or holding an account twice) anyway, recording every account missing or extra in the index',
      })
      .example('$0 merge-index snapshots/org-index-shard-*-of-4.json', 'writes snapshots/org-index.json') as unknown as Argv<Arguments>,
  handler: async (argv) => {
    const paths = argv.indexes;
    const output = argv.output ?? join(dirname(paths[0] ?? '.'), orgIndexFileName(null));
    const outFolder = dirname(output);
    const loaded = [];
    for (const path of paths) loaded.push({ path, index: rebase(await readOrgIndex(path), path, outFolder) });
    const merged = mergeOrgIndexes(loaded, { allowChangedOrg: argv['allow-changed-org'] });
    await writeOutputs(outFolder, [{ fileName: relative(outFolder, output) || orgIndexFileName(null), content: renderOrgIndex(merged) }], argv.overwrite);
    const troubled = merged.accounts.filter((account) => account.status !== 'complete').length;
    const changed = merged.changedOrg;
    const lines = [
      `Merged ${paths.length} shard indexes of ${merged.organizationId}: ${merged.accounts.length} accounts (${troubled} partial or failed), ${merged.skipped.length} skipped`,
      ...(changed === null
        ? []
        : [
            `The shards were cut from different account lists (--allow-changed-org): missing (collected by no shard) ${changed.missing.join(', ') || 'none'}; extra (not listed by every shard) ${changed.extra.join(', ') || 'none'}; collected twice (the later kept) ${changed.duplicates.join(', ') || 'none'}`,
          ]),
      `Index written: ${output}`,
    ];
    process.stdout.write(lines.map((line) => `${escapeForTerminal(line)}\n`).join(''));
    // As collect --org: failed or partial accounts, or accounts missing, are an incomplete result (exit 3).
    if (troubled > 0 || (changed?.missing.length ?? 0) > 0) commandOutcome.exitCode = ExitCode.partial;
  },
};
