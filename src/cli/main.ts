#!/usr/bin/env node
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { ExitCode, fileSystemCause, UserError } from '../util/errors.js';
import { packageInfo } from '../util/paths.js';
import { escapeForTerminal } from '../util/terminal-text.js';
import { auditCommand } from './audit.js';
import { collectCommand } from './collect.js';
import { commandOutcome } from './common.js';
import { importCommand } from './import.js';
import { notifyCommand } from './notify.js';
import { reportCommand } from './report.js';
import { rulesCommand } from './rules.js';
import { verifyCommand } from './verify.js';

/** A usage error found by yargs; thrown from its fail hook so that no command handler runs after it. */
class UsageError extends UserError {}

const USAGE_HINT = 'Run "iam-audit --help" for usage.';

async function main(argv: readonly string[]): Promise<number> {
  const parser = yargs(argv)
    .scriptName('iam-audit')
    // Flags are read by their written (kebab-case) names; camelCase aliases made every unknown
    // flag appear twice in the error ("Unknown arguments: out-put, outPut").
    .parserConfiguration({ 'camel-case-expansion': false })
    .usage('$0 <command> [options]\n\nAudit the identities of an AWS account and produce evidence auditors accept.')
    .command(collectCommand)
    .command(importCommand)
    .command(reportCommand)
    .command(auditCommand)
    .command(rulesCommand)
    .command(verifyCommand)
    .command(notifyCommand)
    .demandCommand(1, 'name a command: collect, import, report, audit, rules or verify')
    .strict()
    .version(packageInfo().version)
    .alias('h', 'help')
    .alias('V', 'version')
    .epilogue('Exit codes: 0 done, 1 findings (with --fail-on-findings or --fail-on), 2 usage or input error, 3 partial collection.')
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .fail((message, error) => {
      // yargs calls this for usage errors (message) and for errors thrown by handlers (error).
      // Throwing is what stops it: returning would let the command run despite the error.
      if (error !== undefined && error !== null) throw error;
      throw new UsageError(message);
    });
  await parser.parseAsync();
  return commandOutcome.exitCode;
}

main(hideBin(process.argv)).then(
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
