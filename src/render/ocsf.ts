/**
 * `--format ocsf`: OCSF 1.3.0 Compliance Findings (class_uid 2003, category Findings), one per rule
 * result and framework control, as a JSON array (`ocsf-jsonl`: JSON Lines), for security data
 * lakes and SIEMs (Amazon Security Lake, Splunk...). Profile `cloud`; validated in the tests
 * against the schema subset in schema/ocsf/.
 *
 * Field names follow the OCSF schema (events/findings/compliance_finding.json and the objects it
 * uses: finding_info, compliance, resource_details, remediation, cloud, metadata). Mapping choices:
 * - compliance.status_id: pass 1 Pass, fail and excepted 3 Fail, not_evaluated 2 Warning (OCSF:
 *   "did not yield a result due to missing information"), not_applicable and error 99 Other.
 * - status_id (the finding's lifecycle): 3 Suppressed for an excepted failure, 1 New otherwise.
 * - finding_info.uid is the stable finding id (src/analyze/finding-id.ts): the same finding keeps
 *   its id from one run to the next, so a data lake can follow it; a result mapped to several
 *   controls gives one event per control with the same finding_info.uid. metadata.uid, a hash of
 *   account, rule, resource, framework and control, is unique per event.
 * - Lean events (issue 26): nothing the same for every event of a rule beyond what the schema
 *   requires. The rule's rationale and remediation (finding_info.desc, remediation.desc), the
 *   captions of constant ids (activity_name, category_name, class_name, type_name, severity), the message
 *   (title, resource name and status, all carried elsewhere in the event), finding_info's
 *   created_time (= time), data_sources and types, and unmapped.result_status (= status_code) are
 *   left out: the rule's words are in the rules CSV and the JSON report, joined on
 *   unmapped.rule_id. So are what another attribute of the event already says (compliance's
 *   status_code and status_detail: the event's own) and what is the same for the whole run (the
 *   snapshot's SHA-256 and capture time: the manifest and SHA256SUMS beside the file name the
 *   snapshot, the JSON report carries both). Kept: every required attribute, the cloud profile's
 *   (metadata.profiles, cloud), finding_info.title (the one human handle on a finding in a SIEM)
 *   and log_name (a SIEM's source filter).
 */
import type { AnalysisResult, RuleResult, RuleResultStatus, RuleSummary, Severity } from '../analyze/result.js';
import { sha256Hex } from '../util/files.js';
import { describeExpiredException, rulesById } from './catalogue-text.js';
import { jsonArrayChunks } from './json-array-chunks.js';

export const OCSF_SCHEMA_VERSION = '1.3.0';

const SEVERITY: Readonly<Record<Severity, { id: number; caption: string }>> = {
  info: { id: 1, caption: 'Informational' },
  low: { id: 2, caption: 'Low' },
  medium: { id: 3, caption: 'Medium' },
  high: { id: 4, caption: 'High' },
  critical: { id: 5, caption: 'Critical' },
};

const COMPLIANCE_STATUS: Readonly<Record<RuleResultStatus, { id: number; caption: string }>> = {
  pass: { id: 1, caption: 'Pass' },
  fail: { id: 3, caption: 'Fail' },
  excepted: { id: 3, caption: 'Fail' },
  not_evaluated: { id: 2, caption: 'Warning' },
  not_applicable: { id: 99, caption: 'Not Applicable' },
  error: { id: 99, caption: 'Error' },
};

const RESOURCE_TYPE: Readonly<Record<string, string>> = {
  account: 'AWS::Account',
  root: 'AWS::IAM::RootUser',
  user: 'AWS::IAM::User',
  policy: 'AWS::IAM::Policy',
  role: 'AWS::IAM::Role',
  group: 'AWS::IAM::Group',
  'server-certificate': 'AWS::IAM::ServerCertificate',
  'access-key': 'AWS::IAM::AccessKey',
};

function statusDetail(item: RuleResult): string {
  const parts = [item.evidence, item.reason ?? '', describeExpiredException(item)];
  if (item.exception !== null) {
    parts.push(`Excepted until ${item.exception.expires}, approved by ${item.exception.approvedBy}: ${item.exception.justification}`);
  }
  return parts.filter((part) => part !== '').join(' ');
}

/** The OCSF profiles every event uses: `cloud` (cloud.provider, cloud.account, resources in a partition). */
export const OCSF_PROFILES: readonly string[] = ['cloud'];
/** metadata.log_name: which log these events are, for a SIEM's source filter. */
export const OCSF_LOG_NAME = 'iam-audit compliance findings';
/** OCSF account type_id 10: AWS Account. */
const AWS_ACCOUNT_TYPE = { type_id: 10, type: 'AWS Account' } as const;

/** What an OCSF event needs of the catalogue: each rule's words and controls, each framework's name. */
export interface OcsfCatalogue {
  readonly rules: ReadonlyMap<string, Pick<RuleSummary, 'title' | 'controls'>>;
  readonly frameworks: readonly { readonly id: string; readonly name: string; readonly version: string }[];
}

/**
 * One event per result and framework requirement (control), built one result at a time: a large
 * account has hundreds of thousands, and a streamed run (app/report/report-stream.ts) hands them
 * over as the engine judges each identity. A SIEM filters by framework on compliance.standards and
 * by control on compliance.control; a rule mapped to no control gives one event whose control is
 * the rule id. IAM is a global service, so cloud.region is left out (the snapshot knows none).
 */
export class OcsfEvents {
  private readonly frameworkNames: ReadonlyMap<string, string>;
  private readonly time: number;
  private readonly cloud: Record<string, unknown>;
  private readonly metadata: Record<string, unknown>;

  /** `head`: the analysis result's run, tool and snapshot (its catalogue is not read). */
  constructor(
    private readonly head: Pick<AnalysisResult, 'run' | 'tool' | 'snapshot'>,
    private readonly catalogue: OcsfCatalogue,
  ) {
    this.frameworkNames = new Map(catalogue.frameworks.map((framework) => [framework.id, `${framework.name} ${framework.version}`]));
    this.time = Date.parse(head.run.startedAt);
    const account = head.snapshot.account;
    this.cloud = {
      provider: 'AWS',
      account: { uid: account.id, ...AWS_ACCOUNT_TYPE, ...(account.alias === null ? {} : { name: account.alias }) },
    };
    this.metadata = {
      version: OCSF_SCHEMA_VERSION,
      profiles: OCSF_PROFILES,
      log_name: OCSF_LOG_NAME,
      product: { name: head.tool.name, vendor_name: head.tool.name, version: head.tool.version },
    };
  }

  /** The events of one result: one per control its rule maps to. */
  *of(item: RuleResult): Generator<Record<string, unknown>> {
    const rule = this.catalogue.rules.get(item.ruleId);
    const controls: readonly { framework: string; controlId: string }[] = rule?.controls.length ? rule.controls : [{ framework: '', controlId: item.ruleId }];
    for (const control of controls) yield this.event(item, rule, control);
  }

  // One piece: one OCSF event is one object literal; split, its fields would be spread over functions.
  private event(item: RuleResult, rule: Pick<RuleSummary, 'title'> | undefined, control: { framework: string; controlId: string }): Record<string, unknown> {
    const { head, time } = this;
    const account = head.snapshot.account;
    const severity = SEVERITY[item.severity];
    const complianceStatus = COMPLIANCE_STATUS[item.status];
    const excepted = item.status === 'excepted';
    const detail = statusDetail(item);
    const standard = control.framework === '' ? `${head.tool.name} rule catalogue` : (this.frameworkNames.get(control.framework) ?? control.framework);
    return {
      activity_id: 1,
      category_uid: 2,
      class_uid: 2003,
      type_uid: 200301,
      time,
      severity_id: severity.id,
      status_id: excepted ? 3 : 1,
      status: excepted ? 'Suppressed' : 'New',
      status_code: item.status,
      status_detail: detail,
      // The event's own id, stable across runs: the same finding, framework and control keep it.
      metadata: { ...this.metadata, uid: sha256Hex(`${account.partition}\n${account.id}\n${item.ruleId}\n${item.resourceArn}\n${item.resourceName}\n${control.framework}\n${control.controlId}`) },
      cloud: this.cloud,
      finding_info: {
        // The stable finding id, shared by the events of one result (one per control).
        uid: item.findingId,
        title: rule?.title ?? item.ruleId,
      },
      compliance: {
        control: control.controlId,
        standards: [standard],
        requirements: control.framework === '' ? [item.ruleId] : [`${control.framework} ${control.controlId}`],
        status_id: complianceStatus.id,
        status: complianceStatus.caption,
      },
      resources: [
        {
          uid: item.resourceArn,
          name: item.resourceName,
          type: RESOURCE_TYPE[item.resourceType] ?? item.resourceType,
          cloud_partition: account.partition,
        },
      ],
      unmapped: {
        rule_id: item.ruleId,
        framework_id: control.framework === '' ? null : control.framework,
        evidence: item.evidence,
        // Left out when empty: most results have no reason and no exception.
        ...(item.reason === null ? {} : { reason: item.reason }),
        ...(item.exception === null ? {} : { exception: item.exception }),
        ...(item.expiredException === null ? {} : { expired_exception: item.expiredException }),
        // Only when --as-of moved the evaluation away from the capture time.
        ...(head.run.asOf === null || head.run.asOf === head.snapshot.capturedAt ? {} : { evaluated_as_of: head.run.asOf }),
      },
    };
  }
}

function* ocsfFindings(result: AnalysisResult): Generator<Record<string, unknown>> {
  const catalogue = result.catalogue;
  if (catalogue === null) return;
  const events = new OcsfEvents(result, { rules: rulesById(catalogue), frameworks: catalogue.frameworks });
  for (const item of catalogue.results) yield* events.of(item);
}

/**
 * The OCSF files written as the engine judges (report-stream.ts): the same bytes as
 * renderOcsfChunks and renderOcsfJsonLinesChunks. `rows` gives both layouts of a batch of events,
 * each event serialised once.
 */
export const ocsfStream = {
  arrayHead: (): string => '[',
  rows(events: Iterable<Record<string, unknown>>, firstInArray: boolean, layouts: { array: boolean; lines: boolean }): { array: string; lines: string; count: number } {
    let array = '';
    let lines = '';
    let count = 0;
    for (const event of events) {
      const text = JSON.stringify(event);
      if (layouts.array) array += `${firstInArray && count === 0 ? '\n' : ',\n'}${text}`;
      if (layouts.lines) lines += `${text}\n`;
      count += 1;
    }
    return { array, lines, count };
  },
  arrayTail: (anyEvents: boolean): string => (anyEvents ? '\n]\n' : ']\n'),
};

export function buildOcsfFindings(result: AnalysisResult): Record<string, unknown>[] {
  return [...ocsfFindings(result)];
}

/**
 * The OCSF file: a JSON array with one compact finding per line, so it stays a fraction of the
 * size of indented JSON and line-oriented tools can split it. Written in chunks.
 */
export function* renderOcsfChunks(result: AnalysisResult, findingsPerChunk = 1000): Generator<string> {
  yield* jsonArrayChunks(ocsfFindings(result), findingsPerChunk);
}

/** `--format ocsf-jsonl`: the same events as JSON Lines (one event per line, no array), for streaming ingestion. */
export function* renderOcsfJsonLinesChunks(result: AnalysisResult, findingsPerChunk = 1000): Generator<string> {
  let batch: string[] = [];
  for (const finding of ocsfFindings(result)) {
    batch.push(`${JSON.stringify(finding)}\n`);
    if (batch.length >= findingsPerChunk) {
      yield batch.join('');
      batch = [];
    }
  }
  yield batch.join('');
}

export function renderOcsf(result: AnalysisResult): string {
  return [...renderOcsfChunks(result)].join('');
}
