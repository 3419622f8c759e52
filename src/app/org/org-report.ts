/**
 * `report INDEX` (or `report FOLDER` of snapshots): the organisation report. Each account's
 * snapshot is read (its SHA-256 checked against the index), analysed, summed into the roll-up
 * and dropped before the next, so memory holds one account at a time. Then the organisation
 * report in csv/json/html/pdf, its manifest (listing the report files, the index and every
 * snapshot, signed with --sign-p12), and with --per-account each account's own report.
 *
 * Use case of this folder (with org-input.ts, which tells an organisation input from a snapshot).
 * Lower layers: snapshot/org-index, analyze/org-rollup, render/org-report and org-pdf,
 * evidence/manifest; shared/ for analysis, catalogue files and exit codes; report/ for --per-account.
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { Writable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import type { AnalysisInput } from '../../analyze/analyze.js';
import { OrgRollupBuilder, type OrgRollup } from '../../analyze/org-rollup.js';
import { allFrameworks } from '../../frameworks/index.js';
import { checkedArtifact, describeArtifact, manifestFileNames, MANIFEST_VERSION, renderManifest, renderSha256Sums, signManifest, type Manifest, type ManifestArtifact } from '../../evidence/manifest.js';
import { embedOrgPdfEvidence } from '../../evidence/org-evidence.js';
import type { SigningSettings } from '../../evidence/report-evidence.js';
import { BrowserNotFoundError } from '../../render/browser.js';
import { renderOrgAccountsCsv, renderOrgControlsCsv, renderOrgHtml, renderOrgIdentitiesCsv, renderOrgJson } from '../../render/org-report.js';
import { allRules } from '../../rules/index.js';
import { describeFsError, parseSnapshot, type LoadedSnapshot } from '../../snapshot/io.js';
import { looksLikeOrgIndex, parseOrgIndex, type OrgAccountStatus, type OrgIndex } from '../../snapshot/org-index.js';
import { ExitCode, InputError, UserError, type ExitCodeValue } from '../../util/errors.js';
import { sha256Hex, writeOutputs, type OutputFile, type WrittenFile } from '../../util/files.js';
import { packageInfo } from '../../util/paths.js';
import { escapeForTerminal } from '../../util/terminal-text.js';
import { fileStamp, runClock, toIsoUtc } from '../../util/time.js';
import { loadConfiguration, loadExceptions } from '../shared/catalogue-files.js';
import { decideExitCode, type ExitReason } from '../shared/exit-status.js';
import { analyseLoaded } from '../shared/analyse.js';
import { checkAsOf } from '../report/as-of.js';
import { DEFAULT_REPORT_FRAMEWORK, runReport, type OutputFormat, type PresentationOptions } from '../report/report.js';

/** The formats of the organisation report itself; the others are per-account formats. */
const ORG_FORMATS: readonly OutputFormat[] = ['csv', 'json', 'html', 'pdf'];

export interface OrgReportOptions {
  readonly inputPath: string;
  readonly outDir: string;
  readonly formats: readonly OutputFormat[];
  readonly quiet: boolean;
  readonly overwrite: boolean;
  readonly perAccount: boolean;
  readonly failOnFindings: boolean;
  readonly presentation: PresentationOptions;
  readonly asOf?: Date;
  readonly configPath?: string;
  readonly exceptionsPath?: string;
  readonly failOn?: import('../../rules/rule.js').Severity;
  readonly signing?: SigningSettings;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly environment?: NodeJS.ProcessEnv;
}

export interface OrgReportOutcome {
  readonly exitCode: ExitCodeValue;
  readonly exitReasons: readonly ExitReason[];
  readonly rollup: OrgRollup;
  readonly writtenFiles: readonly string[];
}

interface OrgInput {
  readonly index: OrgIndex;
  /** Folder the snapshot paths are relative to. */
  readonly baseDir: string;
  /** The index file and its bytes; null for a folder of snapshots. */
  readonly indexFile: { readonly path: string; readonly bytes: Buffer } | null;
}

async function snapshotFilesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && /^snapshot-.*\.json(\.gz)?$/.test(entry.name))
    .map((entry) => relative(folder, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}

/** A folder of snapshots as an index: one entry per file (the newest per account), statuses from the snapshots. */
async function folderInput(folder: string): Promise<OrgInput> {
  let files: string[];
  try {
    files = await snapshotFilesUnder(folder);
  } catch (error) {
    throw new InputError(folder, null, describeFsError(error));
  }
  if (files.length === 0) throw new InputError(folder, null, 'no snapshot-*.json or snapshot-*.json.gz files in this folder');
  // snapshot-<account>-<capture>.json: the newest capture of each account (names sort by time).
  const newest = new Map<string, string>();
  for (const file of files) {
    const account = /snapshot-(\d{12})-/.exec(basename(file))?.[1] ?? file;
    const previous = newest.get(account);
    if (previous === undefined || basename(file) > basename(previous)) newest.set(account, file);
  }
  const index: OrgIndex = {
    kind: 'iam-audit-org-index',
    indexVersion: 1,
    tool: packageInfo(),
    organizationId: `(folder ${folder})`,
    managementAccountId: '',
    startedAt: '',
    endedAt: '',
    selection: { ou: null, accounts: null, roleName: '', shard: null },
    accountList: null,
    changedOrg: null,
    skipped: [],
    accounts: [...newest].map(([id, file]) => ({ id, name: '', status: 'complete', snapshot: file, sha256: null, size: null, capturedAt: null, users: null, errors: [], startedAt: '', endedAt: '' })),
  };
  return { index, baseDir: folder, indexFile: null };
}

async function resolveInput(path: string): Promise<OrgInput> {
  const { stat } = await import('node:fs/promises');
  if ((await stat(path)).isDirectory()) return folderInput(path);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new InputError(path, null, describeFsError(error));
  }
  return { index: parseOrgIndex(bytes.toString('utf8'), path), baseDir: dirname(path), indexFile: { path, bytes } };
}

/** Reads one account's snapshot, checking it is the file the index names. */
async function loadAccountSnapshot(input: OrgInput, position: number): Promise<LoadedSnapshot> {
  const entry = input.index.accounts[position];
  if (entry === undefined || entry.snapshot === null) throw new Error('internal error: no snapshot to load');
  const path = join(input.baseDir, entry.snapshot);
  const where = input.indexFile?.path ?? input.baseDir;
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new InputError(where, `accounts[${position}].snapshot`, `${entry.snapshot}: ${describeFsError(error)}`);
  }
  const sha256 = sha256Hex(bytes);
  if (entry.sha256 !== null && sha256 !== entry.sha256) {
    throw new InputError(where, `accounts[${position}].sha256`, `${entry.snapshot} hashes to ${sha256}, the index says ${entry.sha256}: it changed since collection`);
  }
  let json = bytes;
  if (path.endsWith('.gz')) {
    try {
      json = gunzipSync(bytes);
    } catch (error) {
      throw new InputError(path, null, `not a valid gzip file (${(error as Error).message})`);
    }
  }
  const parsed = parseSnapshot(json, path);
  if (parsed.snapshot.account.id !== entry.id && input.indexFile !== null) {
    throw new InputError(where, `accounts[${position}]`, `${entry.snapshot} is a snapshot of account ${parsed.snapshot.account.id}, not ${entry.id}`);
  }
  return { ...parsed, bytes, path, sha256 };
}

interface SnapshotArtifact {
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
}

export async function runOrgReport(options: OrgReportOptions): Promise<OrgReportOutcome> {
  const clock = runClock(options.environment);
  const startedAt = clock();
  const perAccountOnly = options.formats.filter((format) => !ORG_FORMATS.includes(format));
  if (perAccountOnly.length > 0 && !options.perAccount) {
    throw new UserError(`--format ${perAccountOnly.join(',')}: the organisation report is csv, json, html or pdf; the others are written per account (add --per-account)`);
  }
  const { configuration } = await loadConfiguration(options.configPath, allRules, allFrameworks);
  const { exceptions } = await loadExceptions(options.exceptionsPath, allRules);
  const catalogue = { rules: allRules, frameworks: allFrameworks, configuration, exceptions };
  const input = await resolveInput(options.inputPath);
  const { rollup, snapshotArtifacts, collectedTo, generatedAt } = await rollUp(input, options, catalogue, startedAt, clock);

  const stem = `iam_audit_org_${fileStamp(generatedAt)}`;
  const exitReasons: ExitReason[] = [];
  const rendered = await renderOrgFiles(rollup, stem, options, exitReasons);
  const files = !rendered.some((file) => file.fileName.endsWith('.pdf')) ? rendered : await embedOrgPdfEvidence(rendered, {
    source: evidenceSource(input, snapshotArtifacts),
    now: clock(),
    tool: rollup.tool,
    ...(options.signing === undefined ? {} : { signing: options.signing }),
    dataFiles: [
      { fileName: `${stem}.json`, bytes: Buffer.from(renderOrgJson(rollup), 'utf8'), description: 'the organisation report as JSON (every account, control and worst list)' },
      { fileName: `${stem}_accounts.csv`, bytes: Buffer.from(renderOrgAccountsCsv(rollup), 'utf8'), description: 'one row per account, as CSV' },
    ],
  });

  const manifestFor = (written: readonly WrittenFile[]): Promise<OutputFile[]> => orgManifestFiles(written, { stem, input, snapshotArtifacts, rollup, generatedAt, collectedTo }, options, clock);
  const writtenFiles = files.length === 0 ? [] : await writeOutputs(options.outDir, files, options.overwrite, manifestFor);
  const orgFileCount = writtenFiles.length;

  if (options.perAccount) await writeAccountReports(input, options, writtenFiles, exitReasons);

  const { totals } = rollup;
  if (totals.partial + totals.failed > 0) exitReasons.push({ code: ExitCode.partial, reason: `partial data: ${totals.partial} partial and ${totals.failed} failed account(s)` });
  const failedAtOrAbove = options.failOn === undefined ? 0 : (['critical', 'high', 'medium', 'low', 'info'] as const).slice(0, ['critical', 'high', 'medium', 'low', 'info'].indexOf(options.failOn) + 1).reduce((sum, severity) => sum + totals.failedBySeverity[severity], 0);
  if (failedAtOrAbove > 0 || (options.failOnFindings && totals.results.fail > 0)) {
    exitReasons.push({ code: ExitCode.findings, reason: `findings gate tripped: ${options.failOn === undefined ? totals.results.fail : failedAtOrAbove} failed result(s) across the organisation` });
  }
  const percent = (value: number | null): string => (value === null ? 'n/a' : `${(value * 100).toFixed(1)}%`);
  const lines = [
    `Organisation ${rollup.organizationId}: ${totals.accounts} accounts (${totals.complete} complete, ${totals.partial} partial, ${totals.failed} failed, ${totals.skipped} skipped), ${totals.users} users`,
    `Rule results: ${totals.results.pass} pass, ${totals.results.fail} fail, ${totals.results.notEvaluated} not evaluated, ${totals.results.error} errors (pass rate ${percent(totals.passRate)}, unknowns counted as not passed)`,
    `Console MFA: ${totals.mfa.proven} of ${totals.mfa.judged + totals.mfa.unknown} console users proven (${percent(totals.mfa.rate)}), ${totals.mfa.unknown} unknown`,
    `Accounts failing a ${rollup.framework.id} control: ${totals.accountsFailingControls} of ${totals.accountsWithControlData} with data (${totals.accounts - totals.accountsWithControlData} without)`,
    ...rollup.worstAccounts.slice(0, 3).map((account) => `  worst: ${account.id}${account.name === '' ? '' : ` ${account.name}`} (${account.failingControls} of ${account.judgedControls} judged controls failing, ${percent(account.failureRate)})`),
    ...writtenFiles.slice(0, orgFileCount).map((file) => `Written: ${file}`),
    ...(options.perAccount ? [`  ... and each account's own report under ${options.outDir}/<account>/`] : []),
  ];
  options.stdout.write(lines.map((line) => `${escapeForTerminal(line)}\n`).join(''));
  for (const reason of exitReasons) options.stderr.write(`iam-audit: ${escapeForTerminal(reason.reason)}\n`);
  return { exitCode: decideExitCode(exitReasons), exitReasons, rollup, writtenFiles };
}

/** Every account's snapshot analysed and rolled up; a folder of snapshots gives the collection period from their capture times. */
async function rollUp(
  input: OrgInput,
  options: OrgReportOptions,
  catalogue: NonNullable<AnalysisInput['catalogue']>,
  startedAt: Date,
  clock: () => Date,
): Promise<{ rollup: OrgRollup; snapshotArtifacts: SnapshotArtifact[]; collectedTo: string; generatedAt: string }> {
  const frameworkId = options.presentation.frameworks?.[0] ?? DEFAULT_REPORT_FRAMEWORK;
  const framework = allFrameworks.find((candidate) => candidate.id === frameworkId);
  const builder = new OrgRollupBuilder(frameworkId);
  const snapshotArtifacts: SnapshotArtifact[] = [];
  let collectedFrom = input.index.startedAt;
  let collectedTo = input.index.endedAt;

  for (const [position, entry] of input.index.accounts.entries()) {
    if (entry.snapshot === null) {
      builder.addWithout({ id: entry.id, name: entry.name, status: entry.status, errors: entry.errors });
      continue;
    }
    const loaded = await loadAccountSnapshot(input, position);
    checkAsOf(options.asOf, loaded.snapshot.capturedAt, loaded.path);
    snapshotArtifacts.push({ path: loaded.path, size: loaded.bytes.length, sha256: loaded.sha256 });
    const result = analyseLoaded(loaded, startedAt, clock(), options.asOf, catalogue);
    const status: OrgAccountStatus = input.indexFile === null ? (loaded.snapshot.collectionErrors.length > 0 ? 'partial' : 'complete') : entry.status;
    if (input.indexFile === null) {
      if (collectedFrom === '' || loaded.snapshot.capturedAt < collectedFrom) collectedFrom = loaded.snapshot.capturedAt;
      if (loaded.snapshot.capturedAt > collectedTo) collectedTo = loaded.snapshot.capturedAt;
    }
    builder.add({ id: loaded.snapshot.account.id, name: entry.name, status, errors: entry.errors, snapshot: entry.snapshot }, result);
  }

  const tool = packageInfo();
  const generatedAt = toIsoUtc(clock());
  const rollup = builder.build({
    tool: { name: tool.name, version: tool.version },
    organizationId: input.index.organizationId,
    managementAccountId: input.index.managementAccountId === '' ? null : input.index.managementAccountId,
    source: { path: input.indexFile?.path ?? input.baseDir, sha256: input.indexFile === null ? null : sha256Hex(input.indexFile.bytes), collectedFrom, collectedTo },
    generatedAt,
    framework: { id: frameworkId, name: framework === undefined ? frameworkId : `${framework.name}` },
    skipped: input.index.skipped,
    changedOrg: input.index.changedOrg === null ? null : { missing: input.index.changedOrg.missing, extra: input.index.changedOrg.extra, duplicates: input.index.changedOrg.duplicates },
  });
  return { rollup, snapshotArtifacts, collectedTo, generatedAt };
}

/**
 * What the organisation PDF carries as its source: the index file as read, or for a folder of
 * snapshots the index made of the folder with each snapshot's size and SHA-256 as read.
 */
function evidenceSource(input: OrgInput, snapshotArtifacts: readonly SnapshotArtifact[]): { fileName: string; bytes: Uint8Array } {
  if (input.indexFile !== null) return { fileName: basename(input.indexFile.path), bytes: input.indexFile.bytes };
  const read = new Map(snapshotArtifacts.map((artifact) => [resolve(artifact.path), artifact]));
  const accounts = input.index.accounts.map((entry) => {
    const artifact = entry.snapshot === null ? undefined : read.get(resolve(join(input.baseDir, entry.snapshot)));
    return artifact === undefined ? entry : { ...entry, sha256: artifact.sha256, size: artifact.size };
  });
  return { fileName: 'org-index-of-folder.json', bytes: Buffer.from(`${JSON.stringify({ ...input.index, accounts }, null, 2)}\n`, 'utf8') };
}

/** The organisation report in each asked-for format; a PDF without a browser adds its exit reason instead. */
async function renderOrgFiles(rollup: OrgRollup, stem: string, options: OrgReportOptions, exitReasons: ExitReason[]): Promise<OutputFile[]> {
  const files: OutputFile[] = [];
  for (const format of options.formats) {
    if (format === 'csv') {
      files.push({ fileName: `${stem}_accounts.csv`, content: renderOrgAccountsCsv(rollup) });
      files.push({ fileName: `${stem}_controls.csv`, content: renderOrgControlsCsv(rollup) });
      files.push({ fileName: `${stem}_identities.csv`, content: renderOrgIdentitiesCsv(rollup) });
    } else if (format === 'json') {
      files.push({ fileName: `${stem}.json`, content: renderOrgJson(rollup) });
    } else if (format === 'html') {
      files.push({ fileName: `${stem}.html`, content: renderOrgHtml(rollup, { orgName: options.presentation.orgName }) });
    } else if (format === 'pdf') {
      try {
        const { printHtmlToPdf } = await import('../../render/org-pdf.js');
        files.push({ fileName: `${stem}.pdf`, content: await printHtmlToPdf(renderOrgHtml(rollup, { orgName: options.presentation.orgName }), options.presentation, options.environment ?? process.env) });
      } catch (error) {
        if (!(error instanceof BrowserNotFoundError)) throw error;
        options.stderr.write(`iam-audit: ${escapeForTerminal(error.message)}\n`);
        exitReasons.push({ code: ExitCode.outputMissing, reason: `output not produced: pdf (${error.message})` });
      }
    }
  }
  return files;
}

/** The manifest (and SHA256SUMS, and the signature) of the organisation report: the index, every snapshot read, every file written. */
async function orgManifestFiles(
  written: readonly WrittenFile[],
  evidence: { stem: string; input: OrgInput; snapshotArtifacts: readonly SnapshotArtifact[]; rollup: OrgRollup; generatedAt: string; collectedTo: string },
  options: OrgReportOptions,
  clock: () => Date,
): Promise<OutputFile[]> {
  const { stem, input, snapshotArtifacts, rollup, generatedAt, collectedTo } = evidence;
  const names = manifestFileNames(stem);
  const toName = (path: string): string => relative(resolve(options.outDir), resolve(path)).split(sep).join('/');
  const artifacts: ManifestArtifact[] = [];
  if (input.indexFile !== null) artifacts.push(describeArtifact(toName(input.indexFile.path), input.indexFile.bytes));
  for (const snapshot of snapshotArtifacts) artifacts.push(checkedArtifact(toName(snapshot.path), snapshot.size, snapshot.sha256));
  for (const file of written) artifacts.push(checkedArtifact(file.fileName.split(sep).join('/'), file.size, file.sha256));
  const manifest: Manifest & { organization: object } = {
    manifestVersion: MANIFEST_VERSION,
    tool: rollup.tool,
    createdAt: generatedAt,
    // The evidence's source is the index (for a folder: the folder, with no hash of its own).
    snapshot: {
      fileName: input.indexFile === null ? input.baseDir : basename(input.indexFile.path),
      sha256: rollup.source.sha256 ?? '',
      capturedAt: collectedTo,
      account: { id: rollup.managementAccountId ?? '', partition: 'aws' },
    },
    organization: { id: rollup.organizationId, index: input.indexFile === null ? null : toName(input.indexFile.path), snapshots: snapshotArtifacts.length, accounts: rollup.totals.accounts },
    artifacts,
  };
  const text = renderManifest(manifest);
  const outputs: OutputFile[] = [
    { fileName: names.manifest, content: text },
    { fileName: names.sums, content: renderSha256Sums([...artifacts, describeArtifact(names.manifest, text)]) },
  ];
  if (options.signing !== undefined) outputs.push({ fileName: names.signature, content: await signManifest(Buffer.from(text, 'utf8'), options.signing.signer, clock(), options.signing.timestampUrl) });
  return outputs;
}

/** --per-account: each account's own report under <out>/<account>/; one that cannot be written is an exit reason, the others go on. */
async function writeAccountReports(input: OrgInput, options: OrgReportOptions, writtenFiles: string[], exitReasons: ExitReason[]): Promise<void> {
  for (const entry of input.index.accounts) {
    if (entry.snapshot === null) continue;
    try {
      const outcome = await runReport({
        snapshotPath: join(input.baseDir, entry.snapshot),
        outDir: join(options.outDir, entry.id),
        formats: options.formats,
        quiet: true,
        failOnFindings: false,
        overwrite: options.overwrite,
        presentation: options.presentation,
        ...(options.asOf === undefined ? {} : { asOf: options.asOf }),
        ...(options.configPath === undefined ? {} : { configPath: options.configPath }),
        ...(options.exceptionsPath === undefined ? {} : { exceptionsPath: options.exceptionsPath }),
        ...(options.signing === undefined ? {} : { signing: options.signing }),
        stdout: devNull,
        stderr: devNull,
        ...(options.environment === undefined ? {} : { environment: options.environment }),
      });
      writtenFiles.push(...outcome.writtenFiles);
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      options.stderr.write(`iam-audit: ${escapeForTerminal(`account ${entry.id}: its own report was not written: ${error.message}`)}\n`);
      exitReasons.push({ code: ExitCode.outputMissing, reason: `output not produced: the report of account ${entry.id}` });
    }
  }
}

/** Where the per-account reports' console output goes: the organisation summary speaks for them. */
const devNull = new Writable({ write: (_chunk, _encoding, done) => done() });
