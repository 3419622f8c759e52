/**
 * Use case `report SNAPSHOT`, and the report half of `audit` (this folder). Reads the configuration,
 * exceptions, owners and responses files (shared/catalogue-files.ts), then the snapshot (snapshot/);
 * analyses it (shared/analyse.ts over analyze/, rules/, frameworks/), adds remediation
 * (shared/remediation.ts) and, with --previous, the changes since an earlier archive
 * (archive/previous.ts); renders each asked-for format (render/), embeds and signs the evidence
 * (evidence/), writes the files (util/files.ts) and picks the exit code (shared/exit-status.ts).
 * Beside it: run-summary.ts (the --json summary), framework-filter.ts (--framework for JSON, CSV, OCSF).
 * One piece, over 400 lines: the renderers and the run share the render context (the PDF's evidence added before its save among them).
 */
import type { CatalogueFramework } from '../../analyze/engine.js';
import type { AnalysisResult, RuleResult, RuleResultStatus } from '../../analyze/result.js';
import { allFrameworks } from '../../frameworks/index.js';
import { allRules } from '../../rules/index.js';
import type { Rule, Severity } from '../../rules/rule.js';
import { loadConfiguration, loadExceptions, loadOwners, loadResponses } from '../shared/catalogue-files.js';
import { tagsFromSnapshot } from '../shared/owners.js';
import { CONSOLE_ALL_USERS_UP_TO, renderCheckingLines, renderSummary } from '../../render/console.js';
import type { Browser } from 'puppeteer-core';
import type { BrowserNotFoundError } from '../../render/browser.js';
import type { BrowserInAdvance } from '../../render/browser-in-advance.js';
import type { AsffOptions } from '../../render/asff-options.js';
import type { ReportTemplates } from '../../render/html.js';
import type { ReportBranding, SignatureAppearance, SignOff } from '../../render/report-model.js';
import { readSnapshot, type LoadedSnapshot } from '../../snapshot/io.js';
import { ExitCode, type ExitCodeValue } from '../../util/errors.js';
import { analyseForReport } from './analysis.js';
import { checkAsOf } from './as-of.js';
import { compressedWhenAsked, findingsCsvName, openReportStream } from './stream-choice.js';
import { resultForFrameworks, resultWithStatuses } from './framework-filter.js';
import { decideExitCode, failuresAtOrAbove, gateFindingLines, type ExitReason } from '../shared/exit-status.js';
import { packageInfo } from '../../util/paths.js';
import { fileStamp, runClock, toIsoUtc } from '../../util/time.js';
import { writeOutputs, type OutputFile } from '../../util/files.js';
import { escapeForTerminal } from '../../util/terminal-text.js';
import { largeAccountProgressLine, pdfProgressLine, TerminalProgress } from '../../util/terminal-progress.js';
import { embedPdfEvidence, manifestOutputs, reportPdfEvidence, type EvidenceContext, type ReportPdfEvidence, type SigningSettings } from '../../evidence/report-evidence.js';

export const OUTPUT_FORMATS = ['csv', 'json', 'html', 'pdf', 'ocsf', 'ocsf-jsonl', 'junit', 'asff'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];
/** What --format defaults to: the original two (csv also writes the findings CSV) and the printable report. */
export const DEFAULT_FORMATS: readonly OutputFormat[] = ['csv', 'json', 'html', 'pdf'];

export const PAGE_SIZES = ['a4', 'letter'] as const;
/** How many collection errors the console lists before summarising the rest. */
const CONSOLE_COLLECTION_ERRORS = 10;
/** The framework the printable report shows unless --framework says otherwise. */
export const DEFAULT_REPORT_FRAMEWORK = 'cis-5.0';
export type PageSize = (typeof PAGE_SIZES)[number];

/** How the printable report (HTML, PDF) looks: branding, templates, paper and browser. */
export interface PresentationOptions {
  readonly templateDir: string | null;
  readonly orgName: string | null;
  readonly logoPath: string | null;
  readonly preparedFor: string | null;
  readonly preparedBy: string | null;
  /** The sign-off block's names, roles and date; absent prints blank lines. */
  readonly signOff?: SignOff;
  readonly pageSize: PageSize;
  /** --browser; null to look for one (PUPPETEER_EXECUTABLE_PATH, system, puppeteer's download). */
  readonly browserPath: string | null;
  /** --browser-timeout in seconds; null or absent for IAM_AUDIT_BROWSER_TIMEOUT, else 120 s. */
  readonly browserTimeoutSeconds?: number | null;
  /** --framework: the frameworks whose control tables the printable report shows; null for all. */
  readonly frameworks: readonly string[] | null;
  /**
   * --framework when given explicitly: the frameworks JSON, CSV and OCSF keep; null (the default)
   * for all of them, so machine outputs stay complete unless the user narrowed them.
   */
  readonly machineFrameworks?: readonly string[] | null;
  /** --asff-region and --asff-status for `--format asff`; us-east-1 and the failing results when absent. */
  readonly asff?: AsffOptions;
  /** --status: the results OCSF, OCSF JSON Lines, JUnit and the findings CSV carry; all when absent or null (JSON: always all). */
  readonly statuses?: readonly RuleResultStatus[] | null;
}

export const DEFAULT_PRESENTATION: PresentationOptions = {
  templateDir: null,
  orgName: null,
  logoPath: null,
  preparedFor: null,
  preparedBy: null,
  pageSize: 'a4',
  browserPath: null,
  frameworks: [DEFAULT_REPORT_FRAMEWORK],
};

export interface ReportOptions {
  readonly snapshotPath: string;
  /** The snapshot at snapshotPath as just written by this run (audit): used instead of reading it back. */
  readonly written?: LoadedSnapshot;
  /** --clock-skew for reading the snapshot (ms); the default tolerance when left out. */
  readonly clockSkewMs?: number;
  readonly outDir: string;
  /** --output-name: the stem of every file written, instead of iam_audit_<audit start>. */
  readonly outputName?: string;
  readonly formats: readonly OutputFormat[];
  readonly quiet: boolean;
  /** --verbose: the console lists every user, however many (else the failing ones above 50 identities). */
  readonly verbose?: boolean;
  readonly failOnFindings: boolean;
  readonly overwrite: boolean;
  readonly asOf?: Date;
  /** --config and --exceptions files. */
  readonly configPath?: string;
  readonly exceptionsPath?: string;
  /** --owners (user name or glob -> owner, shared with notify) and --responses (management responses). */
  readonly ownersPath?: string;
  readonly responsesPath?: string;
  /** An earlier snapshot or report JSON: adds "Changes since the previous report" (HTML/PDF, JSON). */
  readonly previousPath?: string;
  /** --fail-on: exit 1 when a failed (not excepted) rule result at or above this severity exists. */
  readonly failOn?: Severity;
  /** The rules and frameworks to run; the registered catalogue when left out (tests bring their own). */
  readonly catalogue?: { readonly rules: readonly Rule[]; readonly frameworks: readonly CatalogueFramework[] };
  readonly presentation?: PresentationOptions;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly environment?: NodeJS.ProcessEnv;
  /** Sign the PDF and the manifest (report --sign-p12). */
  readonly signing?: SigningSettings;
  /** The run's clock; runClock(environment) when left out (tests step it). */
  readonly clock?: () => Date;
  /** With only csv/json and no --previous: written as the engine judges, no results held (report-stream.ts); the CLI sets it. */
  readonly streamResults?: boolean;
  /** --gzip: every machine output (CSV, JSON, OCSF, OCSF JSON Lines, JUnit, ASFF) written compressed as <name>.gz. */
  readonly gzip?: boolean;
}

export interface ReportOutcome {
  readonly exitCode: ExitCodeValue;
  /** Every reason that applied (the exit code is the first by EXIT_PRECEDENCE); empty when clean. */
  readonly exitReasons: readonly ExitReason[];
  readonly result: AnalysisResult;
  readonly writtenFiles: readonly string[];
  /** Formats asked for that could not be produced (no browser: pdf). */
  readonly missingFormats: readonly OutputFormat[];
  /** The findings that tripped --fail-on / --fail-on-findings, in result order. */
  readonly gateFindings: readonly GateFinding[];
}

/** A finding that tripped the gate, as the console and the --json summary name it. */
export interface GateFinding {
  readonly ruleId: string;
  readonly severity: string;
  /** The resource's ARN (or name when it has none). */
  readonly resource: string;
}

interface RenderContext {
  readonly result: AnalysisResult;
  /** The result narrowed to an explicit --framework, for JSON, CSV and OCSF. */
  readonly machineResult: AnalysisResult;
  /** iam_audit_<audit start> */
  readonly stem: string;
  /** The audit start alone, as in file names. */
  readonly stamp: string;
  readonly presentation: PresentationOptions;
  /** Loaded once, only when HTML or PDF is asked for. */
  readonly printable: () => Promise<{ templates: ReportTemplates; branding: ReportBranding }>;
  readonly environment: NodeJS.ProcessEnv;
  /** The PDF's progress line (stderr, terminal only, not with --quiet). */
  readonly progress: TerminalProgress;
  /** Adds the evidence to the PDF before its one save; the PDF's name is then in `evidenceEmbedded`. */
  readonly pdfEvidence: ReportPdfEvidence;
  readonly evidenceEmbedded: Set<string>;
  /** The browser started at the beginning of a PDF run (browser-in-advance.ts); null: the print starts its own. */
  readonly browser: BrowserInAdvance | null;
}

/** Renders one format. */
type Renderer = (context: RenderContext) => Promise<OutputFile[]>;

// Each renderer loads its module when its format is asked for: a run loads only what it writes (issue 11).
const renderers: Readonly<Record<OutputFormat, Renderer>> = {
  csv: async ({ machineResult, stem, stamp, presentation }) => {
    const [{ mfaCsvChunks }, { findingsCsvChunks, renderRulesCsv }] = await Promise.all([import('../../render/mfa-csv.js'), import('../../render/findings-csv.js')]);
    return [
      { fileName: `${stem}.csv`, content: mfaCsvChunks(machineResult) },
      { fileName: findingsCsvName(stem, stamp), content: machineResult.catalogue?.streamed === true ? '' : findingsCsvChunks(resultWithStatuses(machineResult, presentation.statuses)) },
      // Only beside a findings CSV with rows to join: without the rule catalogue there is none.
      ...(machineResult.catalogue === null ? [] : [{ fileName: stem === `iam_audit_${stamp}` ? `iam_audit_rules_${stamp}.csv` : `${stem}.rules.csv`, content: renderRulesCsv(machineResult) }]),
    ];
  },
  // In chunks: a large account's results do not fit in one string.
  json: async ({ machineResult, stem }) => [{ fileName: `${stem}.json`, content: machineResult.catalogue?.streamed === true ? '' : (await import('../../render/json.js')).renderJsonChunks(machineResult) }],
  html: async ({ result, stem, printable }) => {
    const { renderHtml } = await import('../../render/html.js');
    return [{ fileName: `${stem}.html`, content: renderHtml(result, await printable()) }];
  },
  pdf: async ({ result, stem, printable, presentation, environment, progress, pdfEvidence, evidenceEmbedded, browser }) => {
    // Loaded on demand: puppeteer and pdf-lib slow the start of every run that prints no PDF.
    const [{ renderPdf }, { browserTimeoutMs }] = await Promise.all([import('../../render/pdf.js'), import('../../render/browser.js')]);
    const templates = await printable();
    // The browser started in advance prints and is closed once the prints are done, before the save.
    const render = (printWith?: <T>(work: (running: Browser) => Promise<T>) => Promise<T>): Promise<Uint8Array> =>
      renderPdf(result, {
        ...templates,
        ...(printWith === undefined ? {} : { printWith }),
        pageSize: presentation.pageSize,
        browserPath: presentation.browserPath,
        browserTimeoutMs: browserTimeoutMs(presentation.browserTimeoutSeconds ?? null, environment),
        environment,
        onProgress: (done, total, pages) => progress.update(pdfProgressLine(done, total, pages, progress.elapsedMs())),
        whilePrinting: pdfEvidence.prepare,
        beforeSave: pdfEvidence.add,
      });
    try {
      const content = browser === null ? await render() : await render((work) => browser.use(work));
      evidenceEmbedded.add(`${stem}.pdf`);
      return [{ fileName: `${stem}.pdf`, content }];
    } finally {
      progress.stop();
    }
  },
  ocsf: async ({ machineResult, stem, presentation }) => [{ fileName: `${stem}.ocsf.json`, content: machineResult.catalogue?.streamed === true ? '' : (await import('../../render/ocsf.js')).renderOcsfChunks(resultWithStatuses(machineResult, presentation.statuses)) }],
  junit: async ({ machineResult, stem, presentation }) => [{ fileName: `${stem}.junit.xml`, content: machineResult.catalogue?.streamed === true ? '' : (await import('../../render/junit.js')).renderJunitChunks(resultWithStatuses(machineResult, presentation.statuses)) }],
  asff: async ({ machineResult, stem, presentation }) => [
    { fileName: `${stem}.asff.json`, content: (await import('../../render/asff.js')).renderAsffChunks(machineResult, presentation.asff) },
  ],
  'ocsf-jsonl': async ({ machineResult, stem, presentation }) => [
    { fileName: `${stem}.ocsf.jsonl`, content: machineResult.catalogue?.streamed === true ? '' : (await import('../../render/ocsf.js')).renderOcsfJsonLinesChunks(resultWithStatuses(machineResult, presentation.statuses)) },
  ],
};

async function loadPrintable(presentation: PresentationOptions, signature: SignatureAppearance | null): Promise<{ templates: ReportTemplates; branding: ReportBranding }> {
  // Loaded only for HTML or PDF: Handlebars and the report model are no part of a CSV/JSON run.
  const { loadLogo, ReportTemplates } = await import('../../render/html.js');
  const templates = await ReportTemplates.load(presentation.templateDir);
  const branding: ReportBranding = {
    orgName: presentation.orgName,
    logoDataUri: presentation.logoPath === null ? null : await loadLogo(presentation.logoPath),
    preparedFor: presentation.preparedFor,
    preparedBy: presentation.preparedBy,
    shownFrameworks: presentation.frameworks,
    ...(presentation.signOff === undefined ? {} : { signOff: presentation.signOff }),
    ...(signature === null ? {} : { signature }),
  };
  return { templates, branding };
}

// One piece: the run's steps in their required order (bad files refused before anything is read, evidence after rendering, exit reasons last), read top to bottom.
export async function runReport(options: ReportOptions): Promise<ReportOutcome> {
  const clock = options.clock ?? runClock(options.environment);
  const startedAt = clock();
  const rules = options.catalogue?.rules ?? allRules;
  const frameworks = options.catalogue?.frameworks ?? allFrameworks;
  // Configuration and exceptions first: a bad file stops the run before anything is read or written.
  const { configuration, file: configFile } = await loadConfiguration(options.configPath, rules, frameworks);
  const { exceptions, file: exceptionsFile } = await loadExceptions(options.exceptionsPath, rules);
  const { mapping, file: ownersFile } = await loadOwners(options.ownersPath);
  const { responses, file: responsesFile } = await loadResponses(options.responsesPath, rules);
  const files = { configuration, configFile, exceptions, exceptionsFile, mapping, ownersFile, responses, responsesFile };
  // A PDF's browser starts now, once the input files are known good: it comes up while the snapshot is read and judged.
  const presentation = options.presentation ?? DEFAULT_PRESENTATION;
  const browser = options.formats.includes('pdf')
    ? await (await import('../../render/browser-in-advance.js')).startBrowserInAdvance(presentation.browserPath, presentation.browserTimeoutSeconds, options.environment ?? process.env)
    : null;
  try {
    return await reportWithFiles(options, { clock, startedAt, rules, frameworks, files, browser });
  } finally {
    await browser?.release();
  }
}

/** The catalogue's files as loaded (each with its bytes and digest), for the report and its evidence. */
type LoadedCatalogueFiles = {
  readonly configuration: Awaited<ReturnType<typeof loadConfiguration>>['configuration'];
  readonly configFile: Awaited<ReturnType<typeof loadConfiguration>>['file'];
  readonly exceptions: Awaited<ReturnType<typeof loadExceptions>>['exceptions'];
  readonly exceptionsFile: Awaited<ReturnType<typeof loadExceptions>>['file'];
  readonly mapping: Awaited<ReturnType<typeof loadOwners>>['mapping'];
  readonly ownersFile: Awaited<ReturnType<typeof loadOwners>>['file'];
  readonly responses: Awaited<ReturnType<typeof loadResponses>>['responses'];
  readonly responsesFile: Awaited<ReturnType<typeof loadResponses>>['file'];
};

interface ReportRun {
  readonly clock: () => Date;
  readonly startedAt: Date;
  readonly rules: readonly Rule[];
  readonly frameworks: readonly CatalogueFramework[];
  readonly files: LoadedCatalogueFiles;
  /** The PDF's browser, started while the snapshot is read and judged; null without a PDF or a browser. */
  readonly browser: BrowserInAdvance | null;
}

// One piece, longer than our usual 80 lines, as it was: the run's steps share the result, the stream and the evidence context in order.
async function reportWithFiles(options: ReportOptions, run: ReportRun): Promise<ReportOutcome> {
  const { clock, startedAt, rules, frameworks } = run;
  const { configuration, configFile, exceptions, exceptionsFile, mapping, ownersFile, responses, responsesFile } = run.files;
  const loaded = options.written ?? (await readSnapshot(options.snapshotPath, options.clockSkewMs === undefined ? {} : { clockSkewMs: options.clockSkewMs }));
  checkAsOf(options.asOf, loaded.snapshot.capturedAt, options.snapshotPath);
  const endedAt = clock();
  const remediationInputs = {
    configuration: configuration.remediation,
    mapping,
    ownersFile: ownersFile === null ? null : { name: ownersFile.fileName, sha256: ownersFile.sha256 },
    responses,
    responsesFile: responsesFile === null ? null : { name: responsesFile.fileName, sha256: responsesFile.sha256 },
    tags: tagsFromSnapshot(loaded),
  };
  const presentation = options.presentation ?? DEFAULT_PRESENTATION;
  const stamp = fileStamp(startedAt.toISOString());
  // The findings and rules CSVs follow the stem: iam_audit_findings_<time>.csv by default, <stem>.findings.csv for --output-name (as the manifest names them).
  const stem = options.outputName ?? `iam_audit_${stamp}`;
  // Streamed (results written as judged, never held) for csv/json runs without --previous (stream-choice.ts).
  const stream = await openReportStream(options, stem, stamp);
  const result = await analyseForReport({
    loaded, startedAt, endedAt, ...(options.asOf === undefined ? {} : { asOf: options.asOf }),
    catalogue: { rules, frameworks, configuration, exceptions },
    remediation: remediationInputs,
    ...(options.previousPath === undefined ? {} : { previous: { path: options.previousPath, currentPath: options.snapshotPath, clock } }),
    stream,
    machineFrameworks: presentation.machineFrameworks ?? null,
  });

  // Signing: the time is taken now, so the cover prints the very time the signature will carry.
  // Whole seconds: the PDF's /M records no fraction, and the cover must print the same instant.
  const signingTime = options.signing === undefined ? null : new Date(Math.floor(clock().getTime() / 1000) * 1000);
  const signature: SignatureAppearance | null =
    options.signing === undefined || signingTime === null
      ? null
      : {
          signerName: options.signing.signerName ?? options.signing.signer.commonName,
          // node-forge (certificate.js) is loaded only by signed runs.
          certificateIssuer: (await import('../../evidence/certificate.js')).issuerNameOf(options.signing.signer.certificate),
          signingTime: toIsoUtc(signingTime),
          reason: options.signing.reason,
          location: options.signing.location,
          timestampUrl: options.signing.timestampUrl ?? null,
        };
  // Made before rendering: the PDF renderer adds the evidence before its one save (reportPdfEvidence).
  const evidenceContext: EvidenceContext = {
    result,
    loaded,
    outDir: options.outDir,
    now: signingTime ?? clock(),
    stem,
    ...(options.signing === undefined ? {} : { signing: options.signing }),
    // The bytes the analysis parsed, not a second read that could see a changed file.
    ...(configFile === null ? {} : { config: { fileName: configFile.fileName, bytes: configFile.bytes } }),
    ...(exceptionsFile === null ? {} : { exceptions: { fileName: exceptionsFile.fileName, bytes: exceptionsFile.bytes } }),
    ...(ownersFile === null ? {} : { owners: { fileName: ownersFile.fileName, bytes: ownersFile.bytes } }),
    ...(responsesFile === null ? {} : { responses: { fileName: responsesFile.fileName, bytes: responsesFile.bytes } }),
  };
  let printable: Promise<{ templates: ReportTemplates; branding: ReportBranding }> | null = null;
  const context: RenderContext = {
    pdfEvidence: reportPdfEvidence(evidenceContext),
    evidenceEmbedded: new Set(),
    result,
    machineResult: resultForFrameworks(result, presentation.machineFrameworks ?? null),
    stem,
    stamp,
    presentation,
    printable: () => (printable ??= loadPrintable(presentation, signature)),
    environment: options.environment ?? process.env,
    progress: TerminalProgress.on(options.stderr, options.quiet),
    browser: run.browser,
  };
  const files: OutputFile[] = [];
  let pdfSkipped: BrowserNotFoundError | null = null;
  // A large account's machine outputs take a while: progress on stderr (terminal only, as for the PDF).
  const users = result.mfa.findings.length;
  const largeAccount = users > CONSOLE_ALL_USERS_UP_TO;
  for (const [index, format] of options.formats.entries()) {
    try {
      if (largeAccount && format !== 'pdf') context.progress.update(largeAccountProgressLine(`preparing ${format} (${index + 1}/${options.formats.length})`, users));
      files.push(...compressedWhenAsked(format, await renderers[format](context), options.gzip === true));
    } catch (error) {
      // No browser: skip the PDF, still write the other formats, and fail the run (exit 4) below.
      if (format === 'pdf' && error instanceof (await import('../../render/browser.js')).BrowserNotFoundError) pdfSkipped = error; // loaded by PDF runs only
      else {
        await stream?.discard();
        throw error;
      }
    }
  }
  const streamed = stream?.finish(context.machineResult);
  // Evidence last: PDFs got theirs before their save (or get it now) and are signed; once every file is staged, the
  // manifest and SHA256SUMS are made from the digests taken while writing.
  const outputs = await embedPdfEvidence(files, evidenceContext, context.evidenceEmbedded);
  // Nothing rendered (only a PDF was asked for and no browser was found): no manifest of nothing.
  if (largeAccount && outputs.length > 0) context.progress.update(largeAccountProgressLine(`writing ${outputs.length} files`, users));
  const writtenFiles =
    outputs.length === 0 ? [] : await writeOutputs(options.outDir, outputs, options.overwrite, (written) => manifestOutputs(written, evidenceContext), streamed).finally(() => context.progress.stop());

  // Every error is in the JSON and the printable report; the console names the first few, so a
  // large account with a missing permission does not bury the summary under thousands of lines.
  const errors = result.snapshot.collectionErrors;
  for (const error of errors.slice(0, CONSOLE_COLLECTION_ERRORS)) {
    options.stderr.write(`warning: ${escapeForTerminal(`collection error in the snapshot: ${error.api} ${error.resource ?? ''} ${error.code}: ${error.message}`)}\n`);
  }
  if (errors.length > CONSOLE_COLLECTION_ERRORS) {
    options.stderr.write(`warning: ... and ${errors.length - CONSOLE_COLLECTION_ERRORS} more collection errors (all listed in the JSON and HTML/PDF reports)\n`);
  }
  for (const warning of catalogueWarnings(result, stream?.errors)) options.stderr.write(`warning: ${escapeForTerminal(warning)}\n`);
  if (!options.quiet) options.stdout.write(renderCheckingLines(result, options.verbose === true));
  // The console's times cover the whole run, rendering and writing included (the files' own
  // metadata can only know the analysis).
  const finishedAt = clock();
  options.stdout.write(renderSummary(result, writtenFiles, { endedAt: finishedAt.toISOString(), elapsedSeconds: (finishedAt.getTime() - startedAt.getTime()) / 1000 }));

  const gateFindings: GateFinding[] = [];
  if (options.failOnFindings) {
    for (const finding of result.mfa.findings) {
      if (finding.status === 'FAIL') gateFindings.push({ ruleId: 'mfa-console', severity: 'FAIL', resource: finding.arn || finding.username });
    }
  }
  if (options.failOn !== undefined) {
    for (const item of stream?.gateFailures ?? failuresAtOrAbove(result, options.failOn)) gateFindings.push({ ruleId: item.ruleId, severity: item.severity, resource: item.resourceArn || item.resourceName });
  }
  const exitReasons: ExitReason[] = [];
  if (gateFindings.length > 0) {
    const gate = [options.failOnFindings ? '--fail-on-findings' : null, options.failOn === undefined ? null : `--fail-on ${options.failOn}`].filter((flag) => flag !== null).join(', ');
    exitReasons.push({ code: ExitCode.findings, reason: `findings gate tripped (${gate}): ${gateFindings.length} finding${gateFindings.length === 1 ? '' : 's'}` });
    options.stderr.write(`iam-audit: ${exitReasons[0]?.reason ?? ''}:\n${gateFindingLines(gateFindings).map((line) => escapeForTerminal(line)).join('\n')}\n`);
  }
  if (errors.length > 0) {
    exitReasons.push({ code: ExitCode.partial, reason: `partial data: the snapshot has ${errors.length} collection error${errors.length === 1 ? '' : 's'}` });
  }
  const missingFormats: OutputFormat[] = [];
  if (pdfSkipped !== null) {
    options.stderr.write(`iam-audit: ${escapeForTerminal(pdfSkipped.message)}\n`);
    missingFormats.push('pdf');
    exitReasons.push({ code: ExitCode.outputMissing, reason: `output not produced: pdf (${pdfSkipped.message})` });
  }
  return { exitCode: decideExitCode(exitReasons), exitReasons, result, writtenFiles, missingFormats, gateFindings };
}

/** What the reader of the console must not miss: rules that failed to run, expired and unused exceptions. */
function catalogueWarnings(result: AnalysisResult, streamedErrors: readonly RuleResult[] | undefined): string[] {
  const catalogue = result.catalogue;
  if (catalogue === null) return [];
  const warnings = (streamedErrors ?? catalogue.results.filter((item) => item.status === 'error')).map((item) => `rule ${item.ruleId}: ${item.reason ?? 'failed to run'}`);
  for (const entry of catalogue.exceptions.expired) {
    warnings.push(`exception for rule ${entry.ruleId} on "${entry.resourcePattern}" expired ${entry.expires}; it no longer applies`);
  }
  for (const entry of catalogue.exceptions.unused) {
    warnings.push(`exception for rule ${entry.ruleId} on "${entry.resourcePattern}" matched no failed result (unused)`);
  }
  for (const entry of result.remediation?.unmatchedResponses ?? []) {
    warnings.push(`management response for rule ${entry.ruleId} on "${entry.resource}" matched no failed or excepted result (unused)`);
  }
  return warnings;
}

/**
 * Reads and validates the configuration and exceptions files without running anything, so
 * `audit` can refuse bad files before it imports and writes a snapshot.
 */
export async function checkCatalogueFiles(options: Pick<ReportOptions, 'configPath' | 'exceptionsPath' | 'ownersPath' | 'responsesPath' | 'catalogue'>): Promise<void> {
  const rules = options.catalogue?.rules ?? allRules;
  await loadConfiguration(options.configPath, rules, options.catalogue?.frameworks ?? allFrameworks);
  await loadExceptions(options.exceptionsPath, rules);
  await loadOwners(options.ownersPath);
  await loadResponses(options.responsesPath, rules);
}
