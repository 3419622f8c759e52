/**
 * Use case `verify --reproduce` (this folder; the signature, chain and manifest checks themselves are
 * evidence/, called by cli/verify.ts): analyses the snapshot embedded in a signed report again, with
 * the embedded configuration, exceptions, owners and responses, and compares the findings with the
 * JSON embedded beside it. Lower layers: snapshot/, config/, analyze/ (through shared/analyse.ts),
 * render/json, evidence/ (the verdict types); shared/ for owners and remediation.
 */
import { isDeepStrictEqual } from 'node:util';
import { analyseLoaded } from '../shared/analyse.js';
import { DEFAULT_CONFIGURATION, NO_EXCEPTIONS, type CatalogueConfiguration, type ExceptionList } from '../../analyze/engine.js';
import { parseConfiguration } from '../../config/configuration.js';
import { parseExceptions } from '../../config/exceptions.js';
import { NO_RESPONSES, parseResponses, type ResponseList } from '../../config/responses.js';
import { OwnersMapping, tagsFromSnapshot } from '../shared/owners.js';
import { withRemediation } from '../shared/remediation.js';
import { allFrameworks } from '../../frameworks/index.js';
import { allRules } from '../../rules/index.js';
import { buildJsonReport } from '../../render/json.js';
import { flatResultFields, ReportReader, reportResults } from '../shared/report-results.js';
import { parseSnapshot } from '../../snapshot/io.js';
import { UserError } from '../../util/errors.js';
import { sha256Hex } from '../../util/files.js';
import type { EmbeddedFile } from '../../evidence/pdf-evidence.js';
import type { Verdict } from '../../evidence/verdict.js';

/**
 * "The findings in the report" are the report's JSON (render/json.ts), embedded in the PDF as a
 * Data attachment. A re-run must give the same JSON except the run's own timestamps, which say
 * when the analysis ran, not what it found, and the layout of the results: they are compared as
 * flat results (shared/report-results.ts), by finding id, whichever result format wrote them.
 */
const RUN_TIMESTAMP_KEYS = ['audit_start', 'audit_end', 'audit_start_utc', 'audit_end_utc', 'elapsed_seconds', 'result_format_version'] as const;

/** The report as compared: throws InputError when its results do not fit its format. */
export function comparableReport(report: Record<string, unknown>, path: string): Record<string, unknown> {
  const results = [...reportResults(report, new ReportReader(path))]
    .map((item) => ({
      ...flatResultFields(item),
      exception: item.exception,
      expired_exception: item.expiredException,
      tracking: item.tracking,
    }))
    .sort((a, b) => (a.finding_id < b.finding_id ? -1 : a.finding_id > b.finding_id ? 1 : 0));
  const metadata = { ...(report['metadata'] as Record<string, unknown> | undefined) };
  for (const key of RUN_TIMESTAMP_KEYS) delete metadata[key];
  const { results: _flat, resources: _entries, reasons: _reasons, ...rest } = report;
  return { ...rest, metadata, results };
}

/** First detections the report counted due dates from (an earlier archive's, with --previous): the re-run counts from the same. */
function embeddedFirstDetections(report: Record<string, unknown>, path: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const item of reportResults(report, new ReportReader(path))) {
    const firstDetected = item.tracking?.['first_detected'];
    if (typeof firstDetected === 'string') found.set(item.findingId, firstDetected);
  }
  return found;
}

function differingSections(left: Record<string, unknown>, right: Record<string, unknown>): string[] {
  const keys = [...new Set([...Object.keys(left), ...Object.keys(right)])];
  const sections: string[] = [];
  for (const key of keys) {
    const leftValue = left[key];
    const rightValue = right[key];
    if (isDeepStrictEqual(leftValue, rightValue)) continue;
    if (typeof leftValue === 'object' && leftValue !== null && !Array.isArray(leftValue) && typeof rightValue === 'object' && rightValue !== null && !Array.isArray(rightValue)) {
      const inner = differingSections(leftValue as Record<string, unknown>, rightValue as Record<string, unknown>);
      sections.push(...inner.map((name) => `${key}.${name}`));
    } else if (Array.isArray(leftValue) && Array.isArray(rightValue)) {
      const changed = leftValue.filter((item, index) => !isDeepStrictEqual(item, rightValue[index])).length + Math.max(0, rightValue.length - leftValue.length);
      sections.push(`${key} (${changed} of ${Math.max(leftValue.length, rightValue.length)} entries differ)`);
    } else {
      sections.push(key);
    }
  }
  return sections;
}

/**
 * The catalogue file (configuration or exceptions) the report says it used, found among the
 * attachments by name and SHA-256. Undefined when the report used none; a string when it is missing.
 */
function usedFile(identity: unknown, attachments: readonly EmbeddedFile[], what: string): EmbeddedFile | undefined | string {
  if (typeof identity !== 'object' || identity === null) return undefined;
  const { name, sha256 } = identity as { name?: unknown; sha256?: unknown };
  if (typeof name !== 'string' || typeof sha256 !== 'string') return undefined;
  const attachment = attachments.find((candidate) => candidate.fileName === name && sha256Hex(candidate.bytes) === sha256);
  return attachment ?? `the report used the ${what} ${name} (SHA-256 ${sha256}), which is not embedded unchanged`;
}

/** The embedded report JSON and its comparable form, or the verdict saying why it cannot be read. */
function embeddedFindings(findings: EmbeddedFile): { report: Record<string, unknown>; name: string; expected: Record<string, unknown> } | Verdict[] {
  let report: Record<string, unknown>;
  try {
    report = JSON.parse(findings.bytes.toString('utf8')) as Record<string, unknown>;
  } catch (error) {
    return [{ ok: false, check: 'reproduce', detail: `embedded findings ${findings.fileName} are not JSON (${(error as Error).message})` }];
  }
  const name = `embedded ${findings.fileName}`;
  try {
    return { report, name, expected: comparableReport(report, name) };
  } catch (error) {
    if (error instanceof UserError) return [{ ok: false, check: 'reproduce', detail: error.message }];
    throw error;
  }
}

/**
 * `verify --reproduce`: re-runs the analysis on the embedded snapshot (with the embedded report's
 * as-of time, configuration and exceptions) and compares the result with the embedded findings.
 */
export function reproduceFromEvidence(snapshot: EmbeddedFile, findings: EmbeddedFile, toolVersion: string, attachments: readonly EmbeddedFile[] = []): Verdict[] {
  const embedded = embeddedFindings(findings);
  if (Array.isArray(embedded)) return embedded;
  const { report: embeddedReport, name: embeddedName, expected } = embedded;
  let parsed: ReturnType<typeof parseSnapshot>;
  try {
    parsed = parseSnapshot(snapshot.bytes, `embedded ${snapshot.fileName}`);
  } catch (error) {
    if (error instanceof UserError) return [{ ok: false, check: 'reproduce', detail: error.message }];
    throw error;
  }
  const embeddedMetadata = (embeddedReport['metadata'] ?? {}) as Record<string, unknown>;
  const asOfText = embeddedMetadata['evaluated_as_of'];
  const asOf = typeof asOfText === 'string' ? new Date(asOfText) : undefined;
  // The configuration and exceptions the report names, re-read from their embedded copies.
  const configFile = usedFile(embeddedReport['configuration'] === undefined ? undefined : (embeddedReport['configuration'] as { file?: unknown }).file, attachments, 'configuration');
  const exceptionsFile = usedFile(embeddedReport['exceptions'] === undefined ? undefined : (embeddedReport['exceptions'] as { file?: unknown }).file, attachments, 'exceptions file');
  // The remediation inputs (issue 10): owners mapping and management responses, when the report used them.
  const remediationJson = (embeddedReport['remediation'] ?? undefined) as { owners_file?: unknown; responses_file?: unknown } | undefined;
  const ownersFile = usedFile(remediationJson?.owners_file, attachments, 'owners file');
  const responsesFile = usedFile(remediationJson?.responses_file, attachments, 'responses file');
  for (const missing of [configFile, exceptionsFile, ownersFile, responsesFile]) if (typeof missing === 'string') return [{ ok: false, check: 'reproduce', detail: missing }];
  let configuration: CatalogueConfiguration = DEFAULT_CONFIGURATION;
  let exceptions: ExceptionList = NO_EXCEPTIONS;
  let mapping = OwnersMapping.empty;
  let responses: ResponseList = NO_RESPONSES;
  try {
    if (typeof configFile === 'object') {
      configuration = parseConfiguration(configFile.bytes.toString('utf8'), `embedded ${configFile.fileName}`, { name: configFile.fileName, sha256: sha256Hex(configFile.bytes) }, allRules, allFrameworks);
    }
    if (typeof exceptionsFile === 'object') {
      exceptions = parseExceptions(exceptionsFile.bytes.toString('utf8'), `embedded ${exceptionsFile.fileName}`, { name: exceptionsFile.fileName, sha256: sha256Hex(exceptionsFile.bytes) }, allRules);
    }
    if (typeof ownersFile === 'object') mapping = OwnersMapping.parse(ownersFile.bytes.toString('utf8'), `embedded ${ownersFile.fileName}`);
    if (typeof responsesFile === 'object') responses = parseResponses(responsesFile.bytes.toString('utf8'), `embedded ${responsesFile.fileName}`, allRules);
  } catch (error) {
    if (error instanceof UserError) return [{ ok: false, check: 'reproduce', detail: error.message }];
    throw error;
  }
  // Run timestamps are excluded from the comparison, but "past due at report date" is judged at the
  // report's own start: re-run at that instant (any fixed instant for a report without it).
  const embeddedStart = Date.parse(String((embeddedReport['metadata'] as Record<string, unknown> | undefined)?.['audit_start_utc'] ?? ''));
  const runInstant = new Date(Number.isNaN(embeddedStart) ? 0 : embeddedStart);
  const loaded = { ...parsed, bytes: snapshot.bytes, path: snapshot.fileName, sha256: sha256Hex(snapshot.bytes) };
  const analysed = analyseLoaded(loaded, runInstant, runInstant, asOf !== undefined && !Number.isNaN(asOf.getTime()) ? asOf : undefined, {
    rules: allRules,
    frameworks: allFrameworks,
    configuration,
    exceptions,
  });
  // A report made before remediation tracking existed has no "remediation" key: compare it as it was.
  const result =
    remediationJson === undefined
      ? analysed
      : withRemediation(analysed, {
          configuration: configuration.remediation,
          mapping,
          ownersFile: typeof ownersFile === 'object' ? { name: ownersFile.fileName, sha256: sha256Hex(ownersFile.bytes) } : null,
          responses,
          responsesFile: typeof responsesFile === 'object' ? { name: responsesFile.fileName, sha256: sha256Hex(responsesFile.bytes) } : null,
          tags: tagsFromSnapshot(loaded),
          firstDetected: embeddedFirstDetections(embeddedReport, embeddedName),
        });
  const verdicts: Verdict[] = [];
  const embeddedTool = (embeddedMetadata['tool'] ?? {}) as { version?: unknown };
  if (embeddedTool.version !== toolVersion) {
    verdicts.push({ ok: null, check: 'reproduce', detail: `the report was made by version ${String(embeddedTool.version)}, re-run with ${toolVersion}` });
  }
  const actual = comparableReport(JSON.parse(JSON.stringify(buildJsonReport(result))) as Record<string, unknown>, 'the re-run report');
  if (isDeepStrictEqual(actual, expected)) {
    verdicts.push({ ok: true, check: 'reproduce', detail: `re-running the analysis on the embedded ${snapshot.fileName} gives the report's ${result.mfa.findings.length} findings` });
  } else {
    verdicts.push({ ok: false, check: 'reproduce', detail: `re-running the analysis on the embedded ${snapshot.fileName} differs from the report in ${differingSections(expected, actual).join(', ')}` });
  }
  return verdicts;
}
