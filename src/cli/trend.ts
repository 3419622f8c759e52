import type { Argv, CommandModule } from 'yargs';
import { parseTrendFormats, runTrend, TREND_FORMATS, type TrendOptions } from '../app/archive/trend.js';
import { COMMANDS } from './commands.js';
import { commandOutcome } from './common.js';
import { ExitCode } from '../util/errors.js';

interface TrendArguments {
  files: string[];
  config: string | undefined;
  exceptions: string | undefined;
  format: string;
  'out-dir': string;
  overwrite: boolean;
  'page-size': string;
  browser: string | undefined;
  strict: boolean;
}

export const trendCommand: CommandModule<object, TrendArguments> = {
  command: COMMANDS.trend.command,
  describe: COMMANDS.trend.describe,
  builder: (yargs: Argv) =>
    yargs
      .positional('files', { type: 'string', array: true, demandOption: true, describe: 'snapshots or report JSONs (.json, .json.gz): files, folders or quoted globs' })
      .option('config', { type: 'string', requiresArg: true, describe: 'rule configuration for the snapshots (all get the same)' })
      .option('exceptions', { type: 'string', requiresArg: true, describe: 'exceptions file for the snapshots (all get the same)' })
      .option('format', { alias: 'f', type: 'string', requiresArg: true, default: 'csv,json,html', describe: `formats to write, comma-separated: ${TREND_FORMATS.join(', ')}` })
      .option('out-dir', { alias: 'd', type: 'string', default: '.', requiresArg: true, describe: 'folder for the trend files' })
      .option('overwrite', { type: 'boolean', default: false, describe: 'replace existing trend files of the same name' })
      .option('page-size', { type: 'string', choices: ['a4', 'letter'], default: 'a4', describe: 'PDF paper size' })
      .option('strict', { type: 'boolean', default: false, describe: 'stop at the first unreadable file (exit 2) instead of skipping it with a warning (exit 3)' })
      .option('browser', { type: 'string', requiresArg: true, describe: 'Chrome/Chromium executable for the PDF' })
      .example('$0 trend evidence/', 'every capture in an evidence folder (snapshots and report JSONs), ordered by capture time')
      .example("$0 trend 'archive/**/*.json.gz' -f csv,pdf -d trend", 'a glob (quoted), CSV and a PDF page of charts')
      .example('$0 trend runs/ -f csv,html -d trend', 'every org-index.json under runs/: each account\'s trend in trend/<account id>/, and the roll-up per run') as unknown as Argv<TrendArguments>,
  handler: async (argv) => {
    const options: TrendOptions = {
      inputs: argv.files,
      ...(argv.config === undefined ? {} : { configPath: argv.config }),
      ...(argv.exceptions === undefined ? {} : { exceptionsPath: argv.exceptions }),
      formats: parseTrendFormats([argv.format]),
      outDir: argv['out-dir'],
      overwrite: argv.overwrite,
      pageSize: argv['page-size'] === 'letter' ? 'letter' : 'a4',
      browserPath: argv.browser ?? null,
      stdout: process.stdout,
      stderr: process.stderr,
      strict: argv.strict,
    };
    // Organisation indexes (or folders of them): each account's trend and the roll-up per run.
    const orgTrend = await import('../app/archive/org-trend.js');
    const indexes = await orgTrend.orgIndexInputs(argv.files);
    const { skipped } = indexes.length > 0 ? await orgTrend.runOrgTrend(indexes, options) : await runTrend(options);
    // Partial: the trend was written, but without the archives that could not be read.
    commandOutcome.exitCode = skipped.length === 0 ? ExitCode.ok : ExitCode.partial;
  },
};
