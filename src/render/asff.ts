/**
 * `--format asff`: the AWS Security Finding Format, as Security Hub's BatchImportFindings takes it
 * (`iam-audit export securityhub` sends this file). One finding per rule result whose status is
 * asked for (failing results by default), as a JSON array; typed against the SDK's own
 * `AwsSecurityFinding` and checked in the tests against the service model the SDK ships.
 *
 * Mapping choices (docs/decisions.md, "Security Hub"):
 * - Id is the stable finding id (analyze/finding-id.ts), so a later export updates the same finding
 *   and archives it once it resolves; one finding per result, its framework controls listed in
 *   Compliance.RelatedRequirements (one event per control, as OCSF does, would count it several times).
 * - ProductArn names the account's custom integration (`product/<account>/default`) in --asff-region.
 * - CreatedAt and UpdatedAt are the capture time, never the wall clock: the same snapshot gives the
 *   same file, and a later capture updates the finding.
 * - Compliance.Status: pass PASSED, fail and excepted FAILED (excepted also Workflow SUPPRESSED),
 *   not_evaluated WARNING, error and not_applicable NOT_AVAILABLE. A passed result is INFORMATIONAL,
 *   as Security Hub's own controls are; the rule's severity stays in Severity.Original.
 */
import type { AwsSecurityFinding, ComplianceStatus, Partition, SeverityLabel } from '@aws-sdk/client-securityhub';
import type { AnalysisResult, RuleResult, RuleResultStatus, Severity } from '../analyze/result.js';
import { DEFAULT_ASFF_OPTIONS, type AsffOptions } from './asff-options.js';
import { describeExpiredException, describeRemediation, rulesById } from './catalogue-text.js';
import { jsonArrayChunks } from './json-array-chunks.js';

export const ASFF_SCHEMA_VERSION = '2018-10-08';
export type { AsffOptions } from './asff-options.js';
/** Security Hub's limits on a finding's text fields (longer values are refused by BatchImportFindings). */
const LIMITS = { title: 256, description: 1024, recommendation: 512, productField: 4096, relatedRequirements: 32 } as const;

const SEVERITY_LABEL: Readonly<Record<Severity, SeverityLabel>> = {
  info: 'INFORMATIONAL',
  low: 'LOW',
  medium: 'MEDIUM',
  high: 'HIGH',
  critical: 'CRITICAL',
};

const COMPLIANCE_STATUS: Readonly<Record<RuleResultStatus, ComplianceStatus>> = {
  pass: 'PASSED',
  fail: 'FAILED',
  excepted: 'FAILED',
  not_evaluated: 'WARNING',
  not_applicable: 'NOT_AVAILABLE',
  error: 'NOT_AVAILABLE',
};

/** ASFF resource types (Security Hub's list); anything else is Other. */
const RESOURCE_TYPE: Readonly<Record<string, string>> = {
  account: 'AwsAccount',
  root: 'AwsAccount',
  user: 'AwsIamUser',
  'access-key': 'AwsIamAccessKey',
  policy: 'AwsIamPolicy',
  role: 'AwsIamRole',
  group: 'AwsIamGroup',
};

/** The finding type (ASFF's namespace/category) of a configuration check against standards. */
const FINDING_TYPE = 'Software and Configuration Checks/Industry and Regulatory Standards';

function truncate(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

/** The custom integration's product ARN: every account may import into `product/<account>/default`. */
export function customProductArn(partition: string, region: string, accountId: string): string {
  return `arn:${partition}:securityhub:${region}:${accountId}:product/${accountId}/default`;
}

function describeResult(item: RuleResult): string {
  const parts = [item.evidence, item.reason ?? '', describeExpiredException(item)];
  if (item.exception !== null) {
    parts.push(`Excepted until ${item.exception.expires}, approved by ${item.exception.approvedBy}: ${item.exception.justification}`);
  }
  const text = parts.filter((part) => part !== '').join(' ');
  return text === '' ? `${item.ruleId}: ${item.status}` : text;
}

/** The findings, in result order, built lazily: a large account has hundreds of thousands of results. */
export function* asffFindings(result: AnalysisResult, options: AsffOptions = DEFAULT_ASFF_OPTIONS): Generator<AwsSecurityFinding> {
  const catalogue = result.catalogue;
  if (catalogue === null) return;
  const rules = rulesById(catalogue);
  const account = result.snapshot.account;
  const productArn = customProductArn(account.partition, options.region, account.id);
  const capturedAt = result.snapshot.capturedAt;
  const wanted = new Set(options.statuses);
  for (const item of catalogue.results) {
    if (!wanted.has(item.status)) continue;
    const rule = rules.get(item.ruleId);
    const requirements = (rule?.controls ?? []).map((control) => `${control.framework} ${control.controlId}`);
    yield {
      SchemaVersion: ASFF_SCHEMA_VERSION,
      Id: item.findingId,
      ProductArn: productArn,
      ProductName: result.tool.name,
      GeneratorId: item.ruleId,
      AwsAccountId: account.id,
      Types: [FINDING_TYPE],
      CreatedAt: capturedAt,
      UpdatedAt: capturedAt,
      Severity: { Label: item.status === 'pass' ? 'INFORMATIONAL' : SEVERITY_LABEL[item.severity], Original: item.severity },
      Title: truncate(rule?.title ?? item.ruleId, LIMITS.title),
      Description: truncate(describeResult(item), LIMITS.description),
      Remediation: { Recommendation: { Text: truncate(rule === undefined ? `See "iam-audit rules" for ${item.ruleId}.` : describeRemediation(rule), LIMITS.recommendation) } },
      ProductFields: {
        'iam-audit/RuleId': item.ruleId,
        'iam-audit/ResultStatus': item.status,
        'iam-audit/Severity': item.severity,
        'iam-audit/ResourceName': truncate(item.resourceName, LIMITS.productField),
        'iam-audit/SnapshotSha256': result.snapshot.sha256,
        'iam-audit/CapturedAt': capturedAt,
        'iam-audit/EvaluatedAsOf': result.run.asOf,
        'iam-audit/ToolVersion': result.tool.version,
      },
      Resources: [
        {
          Type: RESOURCE_TYPE[item.resourceType] ?? 'Other',
          Id: item.resourceArn === '' ? item.resourceName : item.resourceArn,
          // The snapshot's partition (aws, aws-cn, aws-us-gov), one of the SDK's Partition values.
          Partition: account.partition as Partition,
          Region: options.region,
        },
      ],
      Compliance: {
        Status: COMPLIANCE_STATUS[item.status],
        ...(requirements.length === 0 ? {} : { RelatedRequirements: requirements.slice(0, LIMITS.relatedRequirements) }),
      },
      ...(item.status === 'excepted' ? { Workflow: { Status: 'SUPPRESSED' } } : {}),
      RecordState: 'ACTIVE',
    };
  }
}

/** The ASFF file: a JSON array, one compact finding per line, written in chunks. */
export function* renderAsffChunks(result: AnalysisResult, options: AsffOptions = DEFAULT_ASFF_OPTIONS, findingsPerChunk = 1000): Generator<string> {
  yield* jsonArrayChunks(asffFindings(result, options), findingsPerChunk);
}

export function renderAsff(result: AnalysisResult, options: AsffOptions = DEFAULT_ASFF_OPTIONS): string {
  return [...renderAsffChunks(result, options)].join('');
}
