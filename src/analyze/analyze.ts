import type { Fact, Snapshot, UserFacts } from '../snapshot/types.js';
import { reportPopulations } from './populations.js';
import { allFrameworks } from '../frameworks/index.js';
import { allRules } from '../rules/index.js';
import type { Rule } from '../rules/rule.js';
import { DEFAULT_CONFIGURATION, NO_EXCEPTIONS, runCatalogue, runCataloguePass, type CatalogueConfiguration, type CatalogueFramework, type CatalogueInput, type ExceptionList, type ResultSink } from './engine.js';
import { accountFacts, ACCOUNT_FACT_RULES } from './account-facts.js';
import { classifyMfa, summariseMfa } from './mfa.js';
import { withParameters } from './parameters.js';
import { describeProvenance } from './provenance.js';
import { RESULT_FORMAT_VERSION, type AnalysisResult, type CatalogueResult, type RuleResult, type CaptureTime, type IdentityFacts, type InventoryRow, type Projection, type RunInfo, type SnapshotIdentity } from './result.js';

export interface AnalysisInput {
  readonly snapshot: Snapshot;
  /** Where the snapshot came from (file name and bytes' hash): evidence identity, not analysis input. */
  readonly snapshotFile: { readonly fileName: string; readonly sha256: string; readonly migratedFrom: number | null };
  readonly tool: { readonly name: string; readonly version: string };
  /** The run's own timestamps, taken by the caller: analysis never reads the clock. */
  readonly run: Omit<RunInfo, 'asOf' | 'projection'>;
  /** Evaluate time-based checks at this instant instead of the capture time (--as-of). */
  readonly asOf?: string;
  /** The rule catalogue to run; the registered rules and frameworks, with defaults, when left out. */
  readonly catalogue?: {
    readonly rules?: readonly Rule[];
    readonly frameworks?: readonly CatalogueFramework[];
    readonly configuration?: CatalogueConfiguration;
    readonly exceptions?: ExceptionList;
  };
}

function describeFact(fact: Fact<string>): string {
  return fact.known ? fact.value : fact.reason;
}

function inventoryRow(user: UserFacts): InventoryRow {
  const keys = user.accessKeys.known ? user.accessKeys.value : null;
  const activeKeys = keys?.filter((key) => key.active) ?? null;
  return {
    username: user.name,
    arn: user.arn,
    createdAt: user.createdAt.known ? user.createdAt.value : null,
    consoleAccess: user.password.enabled.known ? user.password.enabled.value : null,
    mfaActive: user.mfa.active.known ? user.mfa.active.value : null,
    mfaDeviceTypes: user.mfa.devices.known ? user.mfa.devices.value.map((device) => device.type) : null,
    passwordLastUsed: describeFact(user.password.lastUsed),
    activeAccessKeys: activeKeys === null ? null : activeKeys.length,
    accessKeysLastUsed:
      activeKeys === null ? 'not_collected' : activeKeys.length === 0 ? 'not_applicable' : activeKeys.map((key) => describeFact(key.lastUsed)).join('; '),
  };
}

/** Root first (when present), then the users: the identities the per-identity rules judge. */
function identities(snapshot: Snapshot): IdentityFacts[] {
  const rows: IdentityFacts[] = [];
  const root = snapshot.root;
  if (root !== null) rows.push({ kind: 'root', name: '<root_account>', arn: root.arn, password: root.password, mfa: root.mfa, accessKeys: root.accessKeys });
  for (const user of snapshot.users) rows.push({ kind: 'user', name: user.name, arn: user.arn, password: user.password, mfa: user.mfa, accessKeys: user.accessKeys });
  return rows;
}

/** How the snapshot's capture time was obtained, in a sentence a reader can weigh. */
export function describeCaptureTime(snapshot: Snapshot): CaptureTime {
  const at = snapshot.capturedAt;
  if (snapshot.source === 'aws-api') return { source: 'collection', inferred: false, statement: `Capture time ${at}: the end of the live collection.` };
  if (snapshot.credentialReport === null) {
    return { source: 'unknown', inferred: true, statement: `Capture time ${at}: the snapshot does not record how it was obtained.` };
  }
  switch (snapshot.credentialReport.generatedAtSource) {
    case 'api':
      return { source: 'api', inferred: false, statement: `Capture time ${at}: the credential report's GeneratedTime, as AWS returned it.` };
    case 'flag':
      return { source: 'flag', inferred: false, statement: `Capture time ${at}: the credential report's generation time, given with --generated-at at import.` };
    case 'newest-timestamp-in-file':
      return {
        source: 'newest-timestamp-in-file',
        inferred: true,
        statement: `Capture time ${at} is inferred: it is the newest timestamp in the credential report CSV, which does not say when it was generated; the report may be newer, so ages may be understated.`,
      };
  }
}

/** The projection facts when --as-of is later than the capture time; null otherwise. */
export function describeProjection(capturedAt: string, asOf: string): Projection | null {
  if (!(Date.parse(asOf) > Date.parse(capturedAt))) return null;
  return {
    capturedAt,
    asOf,
    statement:
      `Projection to ${asOf} of data captured at ${capturedAt}, assuming no change since capture. ` +
      'A check that would pass only because time passed (no activity after capture, which the data cannot show) is not evaluated.',
  };
}

/** A pure function of the snapshot and the options: the same input gives the same result. */
export function analyze(input: AnalysisInput): AnalysisResult {
  return analysisOf(input, (catalogueInput) => ({ catalogue: runCatalogue(catalogueInput) }));
}

/**
 * The analysis with the rule results handed to `sink`, identity by identity, as the engine judges
 * them (issue 26): the result's catalogue has the rules with their counts, the frameworks and the
 * exceptions, and no results (`streamed: true`). What a report needs of the results beyond that
 * (failures for a gate, errors for warnings) the sink keeps.
 */
export function analyzeStreamed(input: AnalysisInput, stream: ResultStream): AnalysisResult {
  // The account-facts appendix needs the verdicts of a few account-level rules: kept as they pass.
  const accountResults: RuleResult[] = [];
  const sink: ResultSink = (batch) => {
    for (const item of batch) if (ACCOUNT_FACT_RULES.has(item.ruleId)) accountResults.push(item);
    stream.sink(batch);
  };
  return analysisOf(input, (catalogueInput) => ({ catalogue: { ...runCataloguePass(catalogueInput, sink), results: [], streamed: true }, accountResults }), stream.start, false);
}

/** Where a streamed analysis sends its results; `start` gets the result without its catalogue before the first result. */
export interface ResultStream {
  readonly start?: (head: AnalysisResult) => void;
  readonly sink: ResultSink;
}

/** What running the rules gives: the catalogue and, when its results are not kept, the account-level results the appendix reads. */
interface JudgedCatalogue {
  readonly catalogue: CatalogueResult;
  readonly accountResults?: readonly RuleResult[];
}

/**
 * `rowsForPrint` false (a streamed run): the inventory and identity rows are left empty. Only the
 * HTML and PDF read them, and those never run on a streamed result (its results are not held
 * either: app/report/stream-choice.ts); at 100,000 users they were 30 MB held for the whole run.
 */
function analysisOf(input: AnalysisInput, runRules: (catalogueInput: CatalogueInput) => JudgedCatalogue, start?: (head: AnalysisResult) => void, rowsForPrint = true): AnalysisResult {
  const { snapshot } = input;
  const findings = snapshot.users.map(classifyMfa);
  const identity: SnapshotIdentity = {
    fileName: input.snapshotFile.fileName,
    sha256: input.snapshotFile.sha256,
    schemaVersion: snapshot.schemaVersion,
    migratedFrom: input.snapshotFile.migratedFrom,
    source: snapshot.source,
    capturedAt: snapshot.capturedAt,
    account: {
      id: snapshot.account.id,
      partition: snapshot.account.partition,
      alias: snapshot.accountFacts.alias.known ? snapshot.accountFacts.alias.value : null,
    },
    collectedByToolVersion: snapshot.tool.version,
    collection: snapshot.collection,
    credentialReport: snapshot.credentialReport,
    captureTime: describeCaptureTime(snapshot),
    collectionErrors: snapshot.collectionErrors,
    discrepancies: snapshot.discrepancies,
    populations: reportPopulations(snapshot.populations, snapshot.source),
  };
  const asOf = input.asOf ?? snapshot.capturedAt;
  const projection = describeProjection(snapshot.capturedAt, asOf);
  const provenance = describeProvenance(snapshot, identity.populations, projection);
  const rules = input.catalogue?.rules ?? allRules;
  const frameworks = input.catalogue?.frameworks ?? allFrameworks;
  const head: AnalysisResult = {
    formatVersion: RESULT_FORMAT_VERSION,
    tool: input.tool,
    run: { ...input.run, asOf, projection },
    snapshot: { ...identity, provenance },
    mfa: { findings, summary: summariseMfa(findings) },
    inventory: rowsForPrint ? snapshot.users.map(inventoryRow) : [],
    identities: rowsForPrint ? identities(snapshot) : [],
    catalogue: null,
  };
  start?.(head);
  const judged = runRules({
    snapshot,
    now: Date.parse(asOf),
    rules,
    frameworks,
    configuration: input.catalogue?.configuration ?? DEFAULT_CONFIGURATION,
    exceptions: input.catalogue?.exceptions ?? NO_EXCEPTIONS,
  });
  const catalogue = withParameters(judged.catalogue, { defaults: new Map(rules.map((rule) => [rule.id, rule.defaultOptions])), frameworks });
  // The appendix reads the account-level rules' results: the whole list, or (streamed) the few the sink kept.
  return { ...head, catalogue, accountFacts: accountFacts(snapshot, catalogue, judged.accountResults ?? catalogue.results, Date.parse(asOf)) };
}
