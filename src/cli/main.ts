#!/usr/bin/env node
import { commandExitCodesHelp, EXIT_CODES_HELP } from '../app/shared/exit-status.js';
import type { Argv, CommandModule } from 'yargs';
import { ExitCode, fileSystemCause, UserError } from '../util/errors.js';
import { packageInfo } from '../util/paths.js';
import { escapeForTerminal } from '../util/terminal-text.js';
import { commandOutcome } from './common.js';
import { COMMAND_ENTRIES } from './command-registry.js';
import { suggestionFor } from './did-you-mean.js';

/** A usage error found by yargs; thrown from its fail hook so that no command handler runs after it. */
class UsageError extends UserError {}

const USAGE_HINT = 'Run "iam-audit --help" for usage.';

/**
 * yargs lays out the whole help text of a command just before running its handler
 * (usage.cacheHelpMessage), to print it should the handler fail with help-on-fail. Our fail hook
 * throws instead of printing help, so the text is never used, and laying it out (string widths of
 * every option of `audit`) costs a tenth of a second of every run. `--help` still builds it on demand.
 */
function skipHelpCache(parser: object): void {
  type Internal = { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } | undefined } };
  const usage = (parser as Internal).getInternalMethods?.().getUsageInstance?.();
  if (usage !== undefined && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => undefined;
}

/**
 * yargs cannot know that an unknown flag takes no value, so it gives it the next word: in
 * `report --bogus snapshot.json` the snapshot becomes --bogus's value, and since yargs checks the
 * positionals before the flags it would blame a missing snapshot ("Not enough non-option
 * arguments"). On any usage error, unknown flags are looked for first (yargs' own check, options
 * only) and reported instead, as "Unknown argument: bogus": they are the mistake to fix.
 */
function unknownFlagsCheck(parser: object): () => void {
  type Internal = {
    parsed?: false | { argv: object; aliases: object };
    getInternalMethods?: () => { getValidationInstance?: () => { unknownArguments?: (argv: object, aliases: object, positionalMap: object, isDefaultCommand: boolean, checkPositionals: boolean) => void } };
  };
  return () => {
    const internal = parser as Internal;
    const parsed = internal.parsed;
    const validation = internal.getInternalMethods?.().getValidationInstance?.();
    if (parsed === undefined || parsed === false || validation?.unknownArguments === undefined) return;
    // Fails through the same hook (with yargs' "Unknown argument(s): ..." message) when one is unknown.
    validation.unknownArguments(parsed.argv, parsed.aliases, {}, false, false);
  };
}

/** The flags the parser knows at the moment of a usage error: the command's own and the global ones, with aliases. */
function knownFlags(parser: object): string[] {
  type Internal = { getOptions?: () => { key?: Record<string, unknown>; alias?: Record<string, readonly string[]> } };
  const options = (parser as Internal).getOptions?.();
  const names = new Set(Object.keys(options?.key ?? {}));
  for (const aliases of Object.values(options?.alias ?? {})) for (const alias of aliases) names.add(alias);
  names.delete('$0');
  return [...names];
}

/** A command module whose --help ends with the command's exit codes (one table: app/shared/exit-status.ts). */
function withExitCodes(name: string, loaded: CommandModule<object, never>): CommandModule<object, never> {
  const builder = loaded.builder;
  return {
    ...loaded,
    builder: (yargs: Argv) => {
      const built = typeof builder === 'function' ? builder(yargs as Argv<object>) : builder === undefined ? yargs : yargs.options(builder);
      return (built as Argv).epilogue(commandExitCodesHelp(name)) as unknown as Argv<never>;
    },
  };
}

/** `iam-audit --version` alone: answered before yargs (and its help layout) is loaded at all. */
const VERSION_ONLY: ReadonlySet<string> = new Set(['--version', '-V']);

async function main(argv: readonly string[]): Promise<number> {
  if (argv.length === 1 && VERSION_ONLY.has(argv[0] ?? '')) {
    process.stdout.write(`${packageInfo().version}\n`);
    return 0;
  }
  // yargs without its help-layout libraries, loaded only when a help text is laid out (see yargs.ts).
  const yargs = (await import('./yargs.js')).loadYargs();
  // Only a command named on the command line can run, so only those modules are loaded; the others
  // are listed by name and description for --help. Every token equal to a command name counts, so
  // a flag's value in front of the command ("--profile x collect") cannot hide it.
  const named = new Set(argv);
  const commands = await Promise.all(COMMAND_ENTRIES.map(async (entry) => (named.has(entry.name) ? await entry.load() : null)));
  const parser = yargs(argv)
    .scriptName('iam-audit')
    // Flags are read by their written (kebab-case) names; camelCase aliases made every unknown
    // flag appear twice in the error ("Unknown arguments: out-put, outPut").
    .parserConfiguration({ 'camel-case-expansion': false })
    .usage('$0 <command> [options]\n\nAudit the identities of an AWS account and produce evidence auditors accept.');
  const checkUnknownFlags = unknownFlagsCheck(parser);
  let checkingFlags = false;
  COMMAND_ENTRIES.forEach((entry, index) => {
    const loaded = commands[index];
    if (loaded !== null && loaded !== undefined) parser.command(withExitCodes(entry.name, loaded));
    else parser.command(entry.command, entry.describe);
  });
  parser
    .demandCommand(1, `name a command: ${COMMAND_ENTRIES.map((entry) => entry.name).join(', ')}`)
    .strict()
    .version(packageInfo().version)
    .alias('h', 'help')
    .alias('V', 'version')
    .epilogue(EXIT_CODES_HELP)
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .fail((message, error) => {
      // yargs calls this for usage errors (message) and for errors thrown by handlers (error).
      // Throwing is what stops it: returning would let the command run despite the error.
      if (error !== undefined && error !== null) throw error;
      // The unknown-flag check fails through this same hook; the flag stops it from re-entering.
      if (!checkingFlags) {
        checkingFlags = true;
        checkUnknownFlags();
      }
      // A mistyped command is looked for only when no command was named at all.
      const commandNamed = commands.some((loaded) => loaded !== null);
      const suggestion = suggestionFor(message, argv, knownFlags(parser), commandNamed ? null : COMMAND_ENTRIES.map((entry) => entry.name));
      throw new UsageError(suggestion === null ? message : `${message}\n${suggestion}`);
    });
  // "-d -" would make a folder named "-": no command writes its files to standard output.
  parser.middleware((args) => {
    if (args['out-dir'] === '-') throw new UserError('-d - is not a folder: the files of a run go to a folder (-d DIR); for a JSON summary on stdout, use --json');
  });
  skipHelpCache(parser);
  await parser.parseAsync();
  return commandOutcome.exitCode;
}

// As yargs' hideBin does under Node: the arguments after the script's path.
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Messages quote input (names, cells, paths): escaped, so they stay one line and cannot drive the terminal.
    const fileSystemProblem = fileSystemCause(error);
    if (error instanceof UsageError) {
      // yargs' own text may span lines ("Invalid values:\n  Argument: ..."): each line is escaped.
      process.stderr.write(`iam-audit: ${error.message.split('\n').map(escapeForTerminal).join('\n')}\n${USAGE_HINT}\n`);
      process.exitCode = error.exitCode;
    } else if (error instanceof UserError) {
      process.stderr.write(`iam-audit: ${escapeForTerminal(error.message)}\n`);
      process.exitCode = error.exitCode;
    } else if (fileSystemProblem !== null) {
      // A file operation no use case explained (a disk error, a full disk): still one line, not a bug.
      const path = (error as NodeJS.ErrnoException).path;
      process.stderr.write(`iam-audit: ${escapeForTerminal(path === undefined ? fileSystemProblem : `${path}: ${fileSystemProblem}`)}\n`);
      process.exitCode = ExitCode.inputError;
    } else {
      // Not a known failure: a bug. Show everything rather than hide it behind a friendly line.
      process.stderr.write(`iam-audit: internal error (please report it):\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = ExitCode.inputError;
    }
  },
);
