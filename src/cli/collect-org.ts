/** `collect --org`: flags to options, the run (collect/org/run.ts), the summary. */
import { DEFAULT_ROLE_NAME, describeOrgRun, runOrgCollect } from '../collect/org/run.js';
import { parseAccountList, parseShard } from '../collect/org/selection.js';
import { UserError } from '../util/errors.js';
import { collectRunOptions, type CollectOptionArguments } from './collect-options.js';
import type { OrgOptionArguments } from './collect-org-options.js';
import { commandOutcome } from './common.js';

type Arguments = CollectOptionArguments & OrgOptionArguments & { output: string | undefined; overwrite: boolean; quiet: boolean };

export async function collectOrg(argv: Arguments): Promise<void> {
  if (argv.output !== undefined) throw new UserError('collect --org writes one snapshot per account: give a folder with -d, not -o');
  if (argv['role-arn'] !== undefined) throw new UserError('collect --org assumes --role-name in each account; --role-arn is for one account');
  const concurrency = argv['account-concurrency'];
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 100) throw new UserError(`--account-concurrency must be a whole number from 1 to 100, got ${concurrency}`);
  const duration = argv['role-duration'];
  if (duration !== undefined && (!Number.isInteger(duration) || duration < 900 || duration > 43_200)) throw new UserError(`--role-duration must be whole seconds from 900 to 43200, got ${duration}`);
  const roleName = argv['role-name'] ?? DEFAULT_ROLE_NAME;
  if (!/^[\w+=,.@/-]{1,64}$/.test(roleName)) throw new UserError(`--role-name "${roleName}" is not an IAM role name`);
  const shard = argv.shard === undefined ? null : parseShard(argv.shard);
  const accounts = argv.accounts === undefined ? null : await parseAccountList(argv.accounts);
  const base = collectRunOptions(argv, { defaultDir: argv['out-dir'] ?? '.', overwrite: argv.overwrite });
  const outcome = await runOrgCollect({
    ...base,
    roleName,
    ...(duration === undefined ? {} : { roleDurationSeconds: duration }),
    ou: argv.ou ?? null,
    accounts,
    shard,
    accountConcurrency: concurrency,
    gzip: argv.gzip,
  });
  process.stdout.write(describeOrgRun(outcome).map((line) => `${line}\n`).join(''));
  commandOutcome.exitCode = outcome.exitCode;
}
