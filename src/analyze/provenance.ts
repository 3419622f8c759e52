/**
 * Issue 25 §5: provenance and limitations, in sentences every renderer prints the same. Per source,
 * where the data came from, who obtained it and how (for an import: the original file, its hash,
 * where its generation time came from, the operator and host recorded at import, that the tool
 * cannot verify the file's authenticity, and the independent count an auditor can perform); for
 * a live collection, the caller and the population reconciliation in one sentence. Then what any
 * conclusion from the data is limited by (a point in time, the credential report's latency, what a
 * projection assumes). Pure: the snapshot and the run's facts in, sentences out.
 */
import type { Snapshot } from '../snapshot/types.js';
import type { PopulationReport } from './populations.js';

export interface Provenance {
  /** "iam-audit 0.1.0, run by alice on host build-7": the tool, its version and the operator. */
  readonly collectedBy: string;
  /** One paragraph per source (a live collection with --source both has two). */
  readonly sources: readonly string[];
  /** The limitations every conclusion from this data carries. */
  readonly limitations: readonly string[];
}

const GENERATED_AT_WORDS = {
  api: "the report's GeneratedTime as the AWS API returned it",
  flag: 'the --generated-at option given at import (the tool cannot check it)',
  'newest-timestamp-in-file': 'inferred from the newest timestamp in the file, since a credential report CSV does not state when it was generated (the report may be newer)',
} as const;

function operatorWords(snapshot: Snapshot): string {
  const recorded = snapshot.collection.recordedBy;
  if (recorded === undefined) return 'operator and host not recorded (the snapshot predates their recording)';
  const parts = [recorded.user === null ? null : `operator ${recorded.user}`, recorded.host === null ? null : `host ${recorded.host}`].filter((part): part is string => part !== null);
  if (parts.length === 0) return `operator and host ${recorded.note ?? 'not recorded'}`;
  return `${parts.join(' on ')}${recorded.note === null ? '' : ` (${recorded.note})`}`;
}

function importStatement(snapshot: Snapshot, users: PopulationReport | undefined): string {
  const report = snapshot.credentialReport;
  if (report === null) return '';
  const file = report.fileName === null ? 'a credential report read from standard input' : `the IAM credential report file ${report.fileName}`;
  const count = users?.collected ?? snapshot.users.length;
  return (
    `The data is ${file} (SHA-256 ${report.sha256}, ${report.columnCount} columns), imported by ${snapshot.tool.name} ${snapshot.tool.version} (${operatorWords(snapshot)}). ` +
    `Its generation time ${report.generatedAt} is ${GENERATED_AT_WORDS[report.generatedAtSource]}. ` +
    'The tool cannot verify the file\'s authenticity: a credential report is a plain CSV file that whoever held it could have edited, and the hash above identifies only the file that was read. ' +
    `An auditor can check its completeness independently: the Users figure of "aws iam get-account-summary" for account ${snapshot.account.id}, taken near the generation time, should be ${count} (the users in this file), and a credential report the auditor generates ("aws iam generate-credential-report", then "aws iam get-credential-report") should match it row for row.`
  );
}

function liveStatement(snapshot: Snapshot, users: PopulationReport | undefined): string {
  const collection = snapshot.collection;
  const caller = collection.callerArn === null ? 'an unrecorded caller' : collection.callerArn;
  const reconciliation =
    users === undefined
      ? ''
      : users.expected === null
        ? ` ${users.collected} IAM users were listed to the last page, with no independent count to reconcile them with.`
        : ` ${users.collected} IAM users were listed and ${users.expectedSource ?? 'an independent count'} gives ${users.expected}: ${users.state === 'complete' ? 'they reconcile' : `INCOMPLETE (${users.reason ?? 'no reason recorded'})`}.`;
  return `Collected live through the AWS IAM API by ${snapshot.tool.name} ${snapshot.tool.version} as ${caller}${collection.region === null ? '' : ` (region ${collection.region})`}, ${collection.startedAt} to ${collection.endedAt}, ${operatorWords(snapshot)}.${reconciliation}`;
}

export function describeProvenance(snapshot: Snapshot, populations: readonly PopulationReport[], projection: { readonly statement: string } | null): Provenance {
  const users = populations.find((population) => population.name === 'users');
  const sources = snapshot.source === 'aws-api' ? [liveStatement(snapshot, users)] : [importStatement(snapshot, users)];
  if (snapshot.source === 'aws-api' && snapshot.credentialReport !== null) {
    sources.push(`The credential report fetched in the same run (SHA-256 ${snapshot.credentialReport.sha256}, generated ${snapshot.credentialReport.generatedAt} per its GeneratedTime) was compared with the live answers; facts the two contradict are not evaluated.`);
  }
  const limitations = [
    `Point in time: the data shows the account as it was at ${snapshot.capturedAt}, not over a period; changes before or after that instant (an access key created and deleted, a password used and reset) are not visible, and the report is no evidence of operating effectiveness over time.`,
    snapshot.credentialReport === null
      ? 'Live API answers are as current as IAM\'s own eventual consistency (seconds); last-used dates come from IAM\'s tracking, which AWS updates with a delay.'
      : 'AWS generates a credential report at most every 4 hours and serves the last one until then: its facts may be up to 4 hours older than its generation time, and last-used dates lag further behind actual use.',
    projection === null
      ? 'Every check is judged at the capture time; nothing is projected.'
      : `${projection.statement} Ages are measured to the as-of time, so keys and passwords look older than they were at capture; anything changed since capture is not reflected.`,
  ];
  const who = snapshot.collection.recordedBy;
  const operator = who === undefined || (who.user === null && who.host === null) ? 'operator not recorded' : operatorWords(snapshot);
  return { collectedBy: `${snapshot.tool.name} ${snapshot.tool.version}, ${operator}`, sources, limitations };
}
