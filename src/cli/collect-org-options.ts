/**
 * The options of `collect --org` (light: no AWS SDK here; the run is loaded only with --org).
 */
import type { Argv } from 'yargs';
import { UserError } from '../util/errors.js';

export interface OrgOptionArguments {
  org: boolean;
  ou: string | undefined;
  accounts: string | undefined;
  'role-name': string | undefined;
  'role-duration': number | undefined;
  'account-concurrency': number;
  shard: string | undefined;
  'out-dir': string | undefined;
  gzip: boolean;
}

export function withOrgOptions<T>(yargs: Argv<T>): Argv<T & OrgOptionArguments> {
  return yargs
    .option('org', { type: 'boolean', default: false, describe: 'every active account of the AWS Organization (from the management account or a delegated administrator), one snapshot each and an index' })
    .option('ou', { type: 'string', describe: '--org: only the accounts under this OU (or root) id, recursively' })
    .option('accounts', { type: 'string', describe: '--org: only these accounts: a file (ids by line, comma or space; # comments) or a comma-separated list' })
    .option('role-name', { type: 'string', describe: '--org: role to assume in each account [default: OrganizationAccountAccessRole]' })
    .option('role-duration', { type: 'number', describe: '--org: session duration of the assumed role (seconds, 900-43200) [default: the role\'s, one hour]' })
    .option('account-concurrency', { type: 'number', default: 4, describe: '--org: accounts collected at once (each with its own --concurrency)' })
    .option('shard', { type: 'string', describe: '--org: collect only slice I of N (e.g. 2/5) of the account list; join the indexes with merge-index' })
    .option('out-dir', { alias: 'd', type: 'string', describe: '--org: folder for <account>/snapshot-*.json and the index [default: .]' })
    .option('gzip', { type: 'boolean', default: false, describe: '--org: write snapshot-*.json.gz' }) as unknown as Argv<T & OrgOptionArguments>;
}

/** Org-only flags given without --org are a mistake, not something to ignore. */
export function refuseOrgFlagsAlone(argv: OrgOptionArguments): void {
  const given: string[] = (['ou', 'accounts', 'role-name', 'role-duration', 'shard', 'out-dir'] as const).filter((flag) => argv[flag] !== undefined);
  if (argv.gzip) given.push('gzip');
  if (given.length > 0) throw new UserError(`--${given.join(', --')} ${given.length === 1 ? 'needs' : 'need'} --org`);
}
