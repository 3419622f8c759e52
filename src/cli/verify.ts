import type { Argv, CommandModule } from 'yargs';
import type { EmbeddedFile } from '../evidence/pdf-evidence.js';
import { allHold, formatVerdict } from '../evidence/verdict.js';
import { verifyManifest, verifyPdf } from '../evidence/verify.js';
import { ExitCode, UserError } from '../util/errors.js';
import { escapeForTerminal } from '../util/terminal-text.js';
import { packageInfo } from '../util/paths.js';
import { COMMANDS } from './commands.js';
import { isOrgInput } from '../app/org/org-input.js';
import { commandOutcome } from './common.js';

interface Arguments {
  file: string;
  snapshot: string | undefined;
  trust: string | undefined;
  reproduce: boolean;
}

export const verifyCommand: CommandModule<object, Arguments> = {
  command: COMMANDS.verify.command,
  describe: COMMANDS.verify.describe,
  builder: (yargs: Argv) =>
    yargs
      .positional('file', { type: 'string', demandOption: true, describe: 'report PDF, run manifest (iam_audit_<time>.manifest.json), or org-index.json (checks every snapshot it names)' })
      .option('snapshot', { type: 'string', describe: 'also check that this snapshot file is the one the evidence names' })
      .option('trust', { type: 'string', describe: "PEM file with the CA certificate(s) you trust for the signer's chain" })
      .option('reproduce', { type: 'boolean', default: false, describe: 'PDF only: re-run the analysis on the embedded snapshot and compare the findings' })
      .example('$0 verify report.pdf --trust ca.pem', 'signature, chain and embedded snapshot')
      .example('$0 verify out/iam_audit_<time>.manifest.json --trust ca.pem', 'manifest signature and every listed file')
      .example('$0 verify report.pdf --trust ca.pem --reproduce', 're-run the archived analysis') as unknown as Argv<Arguments>,
  handler: async (argv) => {
    // Certificates (node-forge) and the re-analysis load only for --trust and --reproduce.
    const trustAnchors = argv.trust === undefined ? [] : await (await import('../evidence/trust.js')).loadTrustAnchors(argv.trust);
    const { reproduceFromEvidence } = argv.reproduce ? await import('../app/verify/reproduce.js') : { reproduceFromEvidence: null };
    const reproduce = reproduceFromEvidence !== null
      ? (snapshot: EmbeddedFile, findings: EmbeddedFile, attachments: readonly EmbeddedFile[]) => reproduceFromEvidence(snapshot, findings, packageInfo().version, attachments)
      : null;
    const options = { trustAnchors, reproduce, ...(argv.snapshot === undefined ? {} : { snapshotPath: argv.snapshot }) };
    const isPdf = /\.pdf$/i.test(argv.file);
    const isOrgIndex = !isPdf && (await isOrgInput(argv.file));
    if (!isPdf && argv.reproduce) throw new UserError('--reproduce needs a report PDF (it carries the snapshot and the findings)');
    const verdicts = isPdf
      ? await verifyPdf(argv.file, options)
      : isOrgIndex
        ? await (await import('../evidence/org-index-verify.js')).verifyOrgIndex(argv.file)
        : await verifyManifest(argv.file, options);
    // Details quote the evidence (file names, certificate subjects): escaped, one line each.
    for (const verdict of verdicts) process.stdout.write(`${escapeForTerminal(formatVerdict(verdict))}\n`);
    const holds = allHold(verdicts);
    const failed = verdicts.filter((verdict) => verdict.ok === false).length;
    const file = escapeForTerminal(argv.file);
    process.stdout.write(holds ? `VERIFIED  ${file}: every check holds\n` : `NOT VERIFIED  ${file}: ${failed} check(s) failed\n`);
    commandOutcome.exitCode = holds ? ExitCode.ok : ExitCode.findings;
  },
};
