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
  at: string | undefined;
  offline: boolean;
  json: boolean;
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
      .option('at', { type: 'string', describe: 'judge expiry and revocation as of this ISO 8601 instant instead of now (e.g. an archive check ahead of time)' })
      .option('offline', { type: 'boolean', default: false, describe: 'no online OCSP/CRL look-ups: only the revocation data the file embeds' })
      .option('json', { type: 'boolean', default: false, describe: 'print the whole result as JSON' })
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
    const at = argv.at === undefined ? undefined : new Date(argv.at);
    if (at !== undefined && (Number.isNaN(at.getTime()) || !/^\d{4}-\d\d-\d\dT/.test(argv.at ?? ''))) throw new UserError(`--at "${argv.at ?? ''}" is not an ISO 8601 instant (e.g. 2030-01-01T00:00:00Z)`);
    const options = { trustAnchors, reproduce, offline: argv.offline, ...(at === undefined ? {} : { at }), ...(argv.snapshot === undefined ? {} : { snapshotPath: argv.snapshot }) };
    const isPdf = /\.pdf$/i.test(argv.file);
    const isOrgIndex = !isPdf && (await isOrgInput(argv.file));
    if (!isPdf && argv.reproduce) throw new UserError('--reproduce needs a report PDF (it carries the snapshot and the findings)');
    const verdicts = isPdf
      ? await verifyPdf(argv.file, options)
      : isOrgIndex
        ? await (await import('../evidence/org-index-verify.js')).verifyOrgIndex(argv.file)
        : await verifyManifest(argv.file, options);
    const holds = allHold(verdicts);
    const failed = verdicts.filter((verdict) => verdict.ok === false).length;
    commandOutcome.exitCode = holds ? ExitCode.ok : ExitCode.findings;
    if (argv.json) {
      const validationTime = verdicts.find((verdict) => verdict.time !== undefined);
      const result = { file: argv.file, verified: holds, failedChecks: failed, validationTime: validationTime?.time ?? null, validationTimeBasis: validationTime?.detail ?? null, checks: verdicts };
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return;
    }
    // Details quote the evidence (file names, certificate subjects): escaped, one line each.
    for (const verdict of verdicts) process.stdout.write(`${escapeForTerminal(formatVerdict(verdict))}\n`);
    const file = escapeForTerminal(argv.file);
    process.stdout.write(holds ? `VERIFIED  ${file}: every check holds\n` : `NOT VERIFIED  ${file}: ${failed} check(s) failed\n`);
  },
};
