/**
 * The command registry: each command's entry in the table (commands.ts) and how to load its
 * module. main.ts loads only the modules of commands named on the command line, so `--version`,
 * `--help` and `rules` never load the AWS SDK, puppeteer or pdf-lib (start-up is most of a short
 * run). Apart from the table, which the command modules import: no module imports this one back.
 */
import type { CommandModule } from 'yargs';
import { COMMANDS, type CommandName } from './commands.js';

export interface CommandEntry {
  readonly name: string;
  readonly command: string;
  readonly describe: string;
  // yargs' own CommandModule type is generic over each command's arguments; the table holds all.
  readonly load: () => Promise<CommandModule<object, never>>;
}

const loaders: Readonly<Record<CommandName, () => Promise<unknown>>> = {
  collect: async () => (await import('./collect.js')).collectCommand,
  import: async () => (await import('./import.js')).importCommand,
  report: async () => (await import('./report.js')).reportCommand,
  audit: async () => (await import('./audit.js')).auditCommand,
  rules: async () => (await import('./rules.js')).rulesCommand,
  verify: async () => (await import('./verify.js')).verifyCommand,
  extend: async () => (await import('./extend.js')).extendCommand,
  notify: async () => (await import('./notify.js')).notifyCommand,
  diff: async () => (await import('./diff.js')).diffCommand,
  trend: async () => (await import('./trend.js')).trendCommand,
  export: async () => (await import('./export.js')).exportCommand,
  'merge-index': async () => (await import('./merge-index.js')).mergeIndexCommand,
  review: async () => (await import('./review.js')).reviewCommand,
};

export const COMMAND_ENTRIES: readonly CommandEntry[] = (Object.keys(COMMANDS) as CommandName[]).map((name) => ({
  name,
  ...COMMANDS[name],
  load: loaders[name] as () => Promise<CommandModule<object, never>>,
}));
