import type { AnalysisResult } from '../analyze/result.js';
import { formatRate } from '../analyze/mfa.js';
import { pythonIsoformat } from '../util/time.js';

/**
 * The JSON report. `metadata` and `findings` keep the original script's keys, order and value
 * styles (4-space indent as json.dump(indent=4) wrote); everything new follows them.
 */
export function buildJsonReport(result: AnalysisResult): Record<string, unknown> {
  const summary = result.mfa.summary;
  return {
    metadata: {
      audit_start: pythonIsoformat(result.run.startedAt),
      audit_end: pythonIsoformat(result.run.endedAt),
      elapsed_seconds: Math.round(result.run.elapsedSeconds * 100) / 100,
      total_users: summary.totalUsers,
      compliance_rate: formatRate(summary.complianceRate),
      compliant: summary.compliant,
      no_console_access: summary.noConsoleAccess,
      non_compliant: summary.nonCompliant,
      not_evaluated: summary.notEvaluated,
      console_users: summary.consoleUsers,
      console_compliance_rate: formatRate(summary.consoleComplianceRate),
      evaluated_as_of: result.run.asOf,
      tool: result.tool,
      result_format_version: result.formatVersion,
    },
    findings: result.mfa.findings.map((finding) => ({
      username: finding.username,
      has_console_access: finding.hasConsoleAccess,
      mfa_enabled: finding.mfaEnabled,
      compliance_status: finding.status,
      arn: finding.arn,
      detail: finding.message,
    })),
    snapshot: {
      file: result.snapshot.fileName,
      sha256: result.snapshot.sha256,
      schema_version: result.snapshot.schemaVersion,
      migrated_from: result.snapshot.migratedFrom,
      source: result.snapshot.source,
      captured_at: result.snapshot.capturedAt,
      account: result.snapshot.account,
      collected_by_tool_version: result.snapshot.collectedByToolVersion,
      credential_report: result.snapshot.credentialReport,
      collection_errors: result.snapshot.collectionErrors,
      discrepancies: result.snapshot.discrepancies,
    },
    ...buildCatalogueJson(result),
  };
}

/**
 * The rule catalogue's keys, after the original ones: `rules`, `results`, `frameworks` (control
 * -> status with the rules behind it), `exceptions` and `configuration`. Snake case, like the rest.
 */
function buildCatalogueJson(result: AnalysisResult): Record<string, unknown> {
  const catalogue = result.catalogue;
  if (catalogue === null) return {};
  return {
    rules: catalogue.rules.map((rule) => ({
      id: rule.id,
      title: rule.title,
      severity: rule.severity,
      enabled: rule.enabled,
      rationale: rule.rationale,
      remediation: rule.remediation,
      requires: rule.requires,
      controls: rule.controls.map((control) => ({ framework: control.framework, control_id: control.controlId })),
      options: rule.options,
      counts: rule.counts,
    })),
    results: catalogue.results.map((item) => ({
      rule_id: item.ruleId,
      severity: item.severity,
      resource_type: item.resourceType,
      resource_arn: item.resourceArn,
      resource_name: item.resourceName,
      status: item.status,
      evidence: item.evidence,
      reason: item.reason,
      exception:
        item.exception === null
          ? null
          : {
              justification: item.exception.justification,
              approved_by: item.exception.approvedBy,
              expires: item.exception.expires,
              resource_pattern: item.exception.resourcePattern,
            },
      expired_exception:
        item.expiredException === null
          ? null
          : {
              justification: item.expiredException.justification,
              approved_by: item.expiredException.approvedBy,
              expires: item.expiredException.expires,
              resource_pattern: item.expiredException.resourcePattern,
            },
    })),
    frameworks: catalogue.frameworks.map((framework) => ({
      id: framework.id,
      name: framework.name,
      version: framework.version,
      counts: framework.counts,
      controls: framework.controls.map((control) => ({
        control_id: control.controlId,
        title: control.title,
        level: control.level,
        status: control.status,
        rule_ids: control.ruleIds,
      })),
    })),
    exceptions: {
      file: catalogue.exceptions.file,
      applied: catalogue.results.filter((item) => item.status === 'excepted').length,
      expired: catalogue.exceptions.expired.map((entry) => ({
        rule_id: entry.ruleId,
        resource_pattern: entry.resourcePattern,
        expires: entry.expires,
        justification: entry.justification,
      })),
      unused: catalogue.exceptions.unused.map((entry) => ({ rule_id: entry.ruleId, resource_pattern: entry.resourcePattern, justification: entry.justification })),
    },
    configuration: catalogue.configuration,
  };
}

export function renderJson(result: AnalysisResult): string {
  return `${JSON.stringify(buildJsonReport(result), null, 4)}\n`;
}
