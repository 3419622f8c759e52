import type { Argv, CommandModule } from 'yargs';
import { renderCatalogueJson, renderDefaults, renderFrameworkControls, renderRuleList } from '../app/rules/rules.js';
import { allFrameworks } from '../frameworks/index.js';
import { allRules } from '../rules/index.js';
import { UserError } from '../util/errors.js';
import { COMMANDS } from './commands.js';
import { commandOutcome } from './common.js';

interface Arguments {
  framework: string | undefined;
  defaults: boolean | undefined;
  json: boolean | undefined;
}

export const rulesCommand: CommandModule<object, Arguments> = {
  command: COMMANDS.rules.command,
  describe: COMMANDS.rules.describe,
  builder: (yargs: Argv) =>
    yargs
      .option('framework', { type: 'string', describe: 'list this framework\'s controls and the rules behind each (e.g. cis-5.0)' })
      // No default for --defaults: yargs' conflicts() would count a default as given.
      .option('defaults', { type: 'boolean', describe: 'print the default configuration (YAML), a file to start --config from' })
      .option('json', { type: 'boolean', describe: 'print the catalogue (or the --framework) as JSON: rules with severity, title, remediation, controls; frameworks with their controls' })
      .example('$0 rules --json', 'the catalogue for scripts')
      .example('$0 rules', 'every rule with its severity and controls')
      .example('$0 rules --framework cis-5.0', 'the CIS v5.0.0 controls and their rules')
      .example('$0 rules --defaults > iam-audit.yaml', 'a configuration file to edit') as unknown as Argv<Arguments>,
  handler: async (argv) => {
    if (argv.defaults === true && argv.framework !== undefined) throw new UserError('--defaults and --framework cannot be combined');
    if (argv.defaults === true && argv.json === true) throw new UserError('--defaults and --json cannot be combined (the defaults are YAML, which is a superset of JSON)');
    // The table fits the terminal; piped, 100 columns (a page of a file or a mail stays readable).
    const width = process.stdout.isTTY === true && process.stdout.columns !== undefined ? process.stdout.columns : 100;
    const text =
      argv.json === true ? renderCatalogueJson(allRules, allFrameworks, argv.framework) :
      argv.defaults === true ? await renderDefaults(allRules, allFrameworks)
      : argv.framework !== undefined ? renderFrameworkControls(argv.framework, allFrameworks, width)
      : renderRuleList(allRules, allFrameworks, width);
    process.stdout.write(text);
    commandOutcome.exitCode = 0;
  },
};
