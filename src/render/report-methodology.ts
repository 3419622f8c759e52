/**
 * The methodology part of the printable report: how the data was obtained (source, caller, API
 * calls), the reconciliation of every population, what could not be evaluated and why, and the
 * collection errors, each of which every report shows.
 */
import type { AnalysisResult } from '../analyze/result.js';
import { toIsoUtc } from '../util/time.js';
import { describeDuration, type ReportPart } from './report-part.js';
import { RULE_STATUS_LABEL } from './report-controls.js';
import { sourceLabel } from './report-scope.js';

export function methodologyParts(result: AnalysisResult): ReportPart[] {
  const snapshot = result.snapshot;
  const ageMs = Date.parse(result.run.startedAt) - Date.parse(snapshot.capturedAt);
  const notEvaluatedUsers = new Map<string, { reason: string; count: number; examples: string[] }>();
  for (const finding of result.mfa.findings) {
    if (finding.status !== 'NOT_EVALUATED') continue;
    const group = notEvaluatedUsers.get(finding.message) ?? { reason: finding.message, count: 0, examples: [] };
    group.count += 1;
    if (group.examples.length < 5) group.examples.push(finding.username);
    notEvaluatedUsers.set(finding.message, group);
  }
  const notEvaluatedRules = new Map<string, { ruleId: string; status: string; reason: string; count: number }>();
  for (const entry of result.catalogue?.results ?? []) {
    if (entry.status !== 'not_evaluated' && entry.status !== 'error') continue;
    const reason = entry.reason ?? 'no reason given';
    const key = `${entry.ruleId}\u0000${entry.status}\u0000${reason}`;
    const group = notEvaluatedRules.get(key) ?? { ruleId: entry.ruleId, status: RULE_STATUS_LABEL[entry.status], reason, count: 0 };
    group.count += 1;
    notEvaluatedRules.set(key, group);
  }
  const catalogue = result.catalogue;
  const methodology: ReportPart = {
    partial: 'methodology',
    anchor: 'methodology',
    title: 'Methodology',
    level: 1,
    rows: null,
    context: {
      source: sourceLabel(result),
      // "iam-audit 0.1.0, operator alice on host build-7", never a bare version (issue 25 §5).
      collectedBy: snapshot.provenance?.collectedBy ?? `${result.tool.name} ${snapshot.collectedByToolVersion}`,
      provenance: snapshot.provenance ?? null,
      populationUsers: result.inventory.length,
      snapshot,
      liveCollection: snapshot.source === 'aws-api',
      credentialReport: snapshot.credentialReport,
      missingColumns: snapshot.credentialReport?.missingColumns.join(', ') ?? '',
      capturedAt: snapshot.capturedAt,
      reportTime: toIsoUtc(new Date(result.run.startedAt)),
      asOf: result.run.asOf,
      asOfDiffers: result.run.asOf !== snapshot.capturedAt,
      dataAge: describeDuration(ageMs),
      notEvaluatedUsers: [...notEvaluatedUsers.values()].map((group) => ({ ...group, examples: group.examples.join(', ') })),
      // By rule id, whatever order the results came in (identity by identity since issue 26).
      notEvaluatedRules: [...notEvaluatedRules.values()].sort((a, b) => (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0)),
      collectionErrorCount: snapshot.collectionErrors.length,
      // Per API operation (snapshots from before it was recorded have only the totals).
      apiOperations: snapshot.collection.apiCallsByOperation ?? null,
      apiOperationErrors: (snapshot.collection.apiCallsByOperation ?? []).reduce((sum, entry) => sum + entry.errors, 0),
      discrepancies: snapshot.discrepancies,
      // --source both: the count is stated even when it is zero; facts two sources contradict are not evaluated.
      comparedWithReport: snapshot.source === 'aws-api' && snapshot.credentialReport !== null,
      contradictedFacts: snapshot.discrepancies.filter((discrepancy) => discrepancy.field !== 'user').length,
      populations: snapshot.populations.filter((population) => population.state !== 'not_collected'),
      populationsNotCollected: snapshot.populations.filter((population) => population.state === 'not_collected').map((population) => population.label).join(', '),
      catalogue:
        catalogue === null
          ? null
          : {
              configuration: catalogue.configuration.file,
              exceptionsFile: catalogue.exceptions.file,
              expiredExceptions: catalogue.exceptions.expired,
              unusedExceptions: catalogue.exceptions.unused,
            },
    },
  };
  if (snapshot.collectionErrors.length === 0) return [methodology];
  return [
    methodology,
    {
      partial: 'collection-errors',
      anchor: 'collection-errors',
      title: 'Collection errors',
      level: 2,
      context: {},
      rows: snapshot.collectionErrors.map((error) => ({ api: error.api, resource: error.resource ?? 'account-wide', code: error.code, message: error.message, affects: error.affects.join(', ') })),
    },
  ];
}

