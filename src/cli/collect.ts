import type { Argv, CommandModule } from 'yargs';
import { describePopulations, runCollect } from '../collect/run.js';
import { escapeForTerminal } from '../util/terminal-text.js';
import { collectRunOptions, withCollectOptions, type CollectOptionArguments } from './collect-options.js';
import { refuseOrgFlagsAlone, withOrgOptions, type OrgOptionArguments } from './collect-org-options.js';
import { COMMANDS } from './commands.js';
import { CLOCK_SKEW_OPTION, commandOutcome, parseClockSkew } from './common.js';

type Arguments = CollectOptionArguments & OrgOptionArguments & { output: string | undefined; overwrite: boolean; quiet: boolean; 'clock-skew': number };

export const collectCommand: CommandModule<object, Arguments> = {
  command: COMMANDS.collect.command,
  describe: COMMANDS.collect.describe,
  builder: (yargs: Argv) =>
    withOrgOptions(withCollectOptions(yargs))
      .option('output', { alias: 'o', type: 'string', describe: 'snapshot file to write [default: snapshot-<account>-<capture time>.json]' })
      .option('overwrite', { type: 'boolean', default: false, describe: 'replace an existing snapshot file' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'no progress line, only the result' })
      .option('clock-skew', CLOCK_SKEW_OPTION)
      .example('$0 collect', 'snapshot the account of the default credentials')
      .example('$0 collect --profile audit --role-arn arn:aws:iam::123456789012:role/Audit --external-id X', 'through an audit role')
      .example('$0 collect --source api -o now.json', 'live API only, no credential report')
      .example('$0 collect --org -d snapshots --shard 1/4', 'the first quarter of the organisation\'s accounts, one snapshot each and an index') as unknown as Argv<Arguments>,
  handler: async (argv) => {
    // Loaded only with --org (the Organizations client is not needed otherwise).
    if (argv.org) return (await import('./collect-org.js')).collectOrg(argv);
    refuseOrgFlagsAlone(argv);
    const outcome = await runCollect({
      ...collectRunOptions(argv, { ...(argv.output === undefined ? {} : { outputPath: argv.output }), defaultDir: '.', overwrite: argv.overwrite }),
      clockSkewMs: parseClockSkew(argv['clock-skew']),
    });
    const { snapshot } = outcome;
    process.stdout.write(
      `Snapshot written: ${escapeForTerminal(outcome.snapshotPath)}\n  account ${escapeForTerminal(snapshot.account.id)}, captured ${snapshot.capturedAt}, ${snapshot.users.length} users, ${snapshot.collection.apiCalls} API calls, ${snapshot.collection.retries} retries${
        snapshot.collectionErrors.length > 0 ? `, PARTIAL (${snapshot.collectionErrors.length} collection errors)` : ''
      }\n${describePopulations(snapshot)
        .map((line) => `  ${line}\n`)
        .join('')}`,
    );
    commandOutcome.exitCode = outcome.exitCode;
  },
};
