/**
 * The command table: each command's usage and one-line description. The command modules take
 * their `command` and `describe` from here, so the two never disagree; command-registry.ts adds
 * how to load each module (main.ts loads only the modules of commands named on the command line).
 */
export const COMMANDS = {
  collect: { command: 'collect', describe: 'Snapshot the live account with the AWS API (read-only IAM calls)' },
  import: { command: 'import <report>', describe: 'Read an IAM credential report (CSV) into a snapshot' },
  report: { command: 'report <snapshot>', describe: 'Analyse a snapshot offline and write the reports' },
  audit: {
    command: 'audit [report]',
    describe: 'Snapshot and report in one go: from a credential report CSV, or live from the account when no CSV is given (the snapshot is kept beside the reports)',
  },
  rules: { command: 'rules', describe: "List the rules, or a framework's controls, or print the default configuration" },
  verify: { command: 'verify <file>', describe: 'Check a signed report PDF or a manifest.json: signature, certificate chain, embedded snapshot, listed files' },
  extend: { command: 'extend <file>', describe: 'Renew the archive timestamp of a PAdES B-LTA report PDF: a fresh DSS and a new document timestamp, earlier signatures untouched' },
  notify: { command: 'notify <input>', describe: 'Mail each owner their own failing findings, and a summary' },
  trend: { command: 'trend <files..>', describe: 'Figures over archived snapshots or report JSONs of one account, by capture time: CSV, JSON, HTML/PDF line charts' },
  diff: { command: 'diff <old> <new>', describe: 'What changed between two snapshots or report JSONs: failures, controls, users, MFA, keys, password policy' },
  export: { command: 'export <target> <findings>', describe: 'Send the ASFF findings of "report --format asff" to AWS Security Hub, archiving those resolved since the last export' },
  'merge-index': { command: 'merge-index <indexes..>', describe: 'Join the indexes of the shards of one collect --org run into one index' },
  review: { command: 'review <step>', describe: 'User access review: start (workbooks per reviewer), collect (returned workbooks), close (signed evidence), verify (revocations carried out)' },
} as const satisfies Readonly<Record<string, { readonly command: string; readonly describe: string }>>;

export type CommandName = keyof typeof COMMANDS;
