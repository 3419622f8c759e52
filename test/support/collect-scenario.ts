/** The account the collector tests run against, and the helpers to collect it through the CLI. */
import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiCaller } from '../../src/collect/caller.js';
import { refuseForeignAnswers } from '../../src/collect/clients.js';
import { collectSnapshot, type CollectSource } from '../../src/collect/collect.js';
import { ConcurrencyLimiter } from '../../src/collect/limiter.js';
import type { Snapshot } from '../../src/snapshot/types.js';
import { runCli, type CliRun } from './cli.js';
import { credentialReportCsv, type Scenario, type ScenarioUser } from './iam-endpoint.js';
import { reportInProcess } from './report-in-process.js';

export const ACCOUNT = '123456789012';
/** The test's fake secret key: it must never appear in a snapshot, a log line or a message. */
export const FAKE_SECRET_KEY = 'fAkEsEcReTkEy/DoNotLeak+0123456789abcdefgh';
export const FAKE_SESSION_TOKEN = 'FaKeSeSsIoNtOkEnDoNotLeak0123456789';

const profile = { createdAt: '2025-02-01T00:00:00Z', passwordResetRequired: false };

/** Seven users: every MFA device type, console and not, keys and not. */
export const USERS: readonly ScenarioUser[] = [
  {
    name: 'alice',
    loginProfile: profile,
    passwordLastUsed: '2026-11-10T09:00:00Z',
    mfaDevices: [{ serial: `arn:aws:iam::${ACCOUNT}:mfa/alice-phone`, enabledAt: '2025-02-02T00:00:00Z' }],
    groups: ['admins'],
    tags: { team: 'platform' },
    inlinePolicies: [{ name: 'all', document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }],
  },
  { name: 'bob', loginProfile: { ...profile, passwordResetRequired: true }, mfaDevices: [{ serial: `arn:aws:iam::${ACCOUNT}:u2f/user/bob/yubikey-ABCDEF`, enabledAt: '2025-03-01T00:00:00Z' }] },
  { name: 'dave', loginProfile: profile, mfaDevices: [{ serial: 'GAHT12345678', enabledAt: '2025-04-01T00:00:00Z' }] },
  { name: 'erin', loginProfile: profile },
  {
    name: 'carol',
    accessKeys: [
      { id: 'AKIACAROL00000000001', status: 'Active', createdAt: '2025-05-01T00:00:00Z', lastUsed: { date: '2026-11-15T12:00:00Z', region: 'eu-west-1', service: 's3' } },
      { id: 'AKIACAROL00000000002', status: 'Inactive', createdAt: '2025-06-01T00:00:00Z' },
    ],
  },
  { name: 'frank', path: '/service/' },
  { name: 'grace', loginProfile: profile, attachedPolicies: [{ name: 'AdministratorAccess', arn: 'arn:aws:iam::aws:policy/AdministratorAccess' }] },
];

/** The MFA findings `report` must give for USERS. */
export const EXPECTED_MFA: Readonly<Record<string, string>> = {
  alice: 'PASS',
  bob: 'PASS',
  dave: 'PASS',
  erin: 'FAIL',
  carol: 'INFO',
  frank: 'INFO',
  grace: 'FAIL',
};

export function baseScenario(overrides: Partial<Scenario> = {}): Scenario {
  const scenario: Scenario = {
    accountId: ACCOUNT,
    alias: 'example-corp',
    users: USERS,
    pageSize: 2,
    passwordPolicy: null,
    summary: { Users: USERS.length, AccountMFAEnabled: 1, AccountAccessKeysPresent: 0, AccountPasswordPresent: 1, MFADevicesInUse: 3 },
    virtualMfaDevices: [
      { serial: `arn:aws:iam::${ACCOUNT}:mfa/alice-phone`, userArn: `arn:aws:iam::${ACCOUNT}:user/alice` },
      { serial: `arn:aws:iam::${ACCOUNT}:mfa/root-account-mfa-device`, userArn: `arn:aws:iam::${ACCOUNT}:root` },
    ],
    groups: [{ name: 'admins', attachedPolicies: [{ name: 'AdministratorAccess', arn: 'arn:aws:iam::aws:policy/AdministratorAccess' }] }],
    roles: [{ name: 'support', attachedPolicies: [{ name: 'AWSSupportAccess', arn: 'arn:aws:iam::aws:policy/AWSSupportAccess' }] }],
    managedPolicies: [
      {
        name: 'AdministratorAccess',
        arn: 'arn:aws:iam::aws:policy/AdministratorAccess',
        attachmentCount: 2,
        document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
      },
      {
        name: 'ReadS3',
        arn: `arn:aws:iam::${ACCOUNT}:policy/ReadS3`,
        attachmentCount: 0,
        document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:Get*', Resource: 'arn:aws:s3:::bucket/a b+c' }] },
      },
    ],
    serverCertificates: [{ name: 'old-cert', expiration: '2024-01-01T00:00:00Z', uploadedAt: '2023-01-01T00:00:00Z' }],
    credentialReport: { csv: credentialReportCsv({ accountId: ACCOUNT, users: USERS }), generatedAt: '2026-11-20T10:00:00Z', pollsUntilReady: 3 },
    ...overrides,
  };
  return scenario;
}

/** Environment of a spawned CLI: fake static credentials only, short backoff, no shared config. */
export function collectEnvironment(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    AWS_ACCESS_KEY_ID: 'AKIAFAKETESTKEY00001',
    AWS_SECRET_ACCESS_KEY: FAKE_SECRET_KEY,
    AWS_SESSION_TOKEN: FAKE_SESSION_TOKEN,
    AWS_REGION: 'eu-central-1',
    AWS_PROFILE: '',
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
    IAM_AUDIT_RETRY_BASE_MS: '5',
    IAM_AUDIT_REPORT_POLL_MS: '10',
    // The collection "happens" two hours after the scenario's credential report was generated, so
    // that the report is fresh (a report over a day old is refused) whatever the day the tests run.
    SOURCE_DATE_EPOCH: String(Date.parse('2026-11-20T12:00:00Z') / 1000),
    ...extra,
  };
}

export interface Collected {
  readonly run: CliRun;
  readonly snapshot: Snapshot | null;
  readonly snapshotText: string;
}

export async function collectFrom(endpointUrl: string, folder: string, args: readonly string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Collected> {
  const output = join(folder, 'snapshot.json');
  const run = await runCli(['collect', '--endpoint-url', endpointUrl, '-o', output, ...args], { env: collectEnvironment(env), cwd: folder });
  let snapshotText = '';
  try {
    snapshotText = await readFile(output, 'utf8');
  } catch {
    // No snapshot written: the caller asserts on run.code.
  }
  return { run, snapshot: snapshotText === '' ? null : (JSON.parse(snapshotText) as Snapshot), snapshotText };
}

/** Reports a snapshot as JSON and returns username -> MFA status. */
export async function mfaFindings(snapshotPath: string, outDir: string): Promise<{ run: CliRun; statuses: Record<string, string>; report: Record<string, unknown> }> {
  const run = await reportInProcess(snapshotPath, outDir, { overwrite: true });
  const file = (await readdir(outDir)).find((name) => name.startsWith('iam_audit_') && name.endsWith('.json'));
  if (file === undefined) throw new Error(`report wrote no JSON: ${run.stderr}`);
  const report = JSON.parse(await readFile(join(outDir, file), 'utf8')) as { findings: { username: string; compliance_status: string }[] };
  return { run, statuses: Object.fromEntries(report.findings.map((finding) => [finding.username, finding.compliance_status])), report };
}

/** Asserts no secret reached any of the texts. */
export function leakedSecrets(...texts: readonly string[]): string[] {
  return [FAKE_SECRET_KEY, FAKE_SESSION_TOKEN, 'assumedSecretKeyDoNotLeak', 'assumedSessionTokenDoNotLeak'].filter((secret) => texts.some((text) => text.includes(secret)));
}

/** SDK clients and an ApiCaller against a local endpoint, for running one collection stage alone. */
export function stageClients(endpointUrl: string): { iam: IAMClient; sts: STSClient; caller: ApiCaller; close: () => void } {
  const config = {
    region: 'us-east-1',
    endpoint: endpointUrl,
    credentials: { accessKeyId: 'AKIAFAKETESTKEY00001', secretAccessKey: FAKE_SECRET_KEY },
    maxAttempts: 2,
  };
  const iam = new IAMClient(config);
  const sts = new STSClient(config);
  // As the collection's own clients (clients.ts): an answer that is not XML is refused.
  refuseForeignAnswers(iam, 'xml');
  refuseForeignAnswers(sts, 'xml');
  const caller = new ApiCaller({ limiter: new ConcurrencyLimiter(4), callTimeoutMs: 10_000, runSignal: new AbortController().signal, secrets: [FAKE_SECRET_KEY], log: null });
  return {
    iam,
    sts,
    caller,
    close: () => {
      iam.destroy();
      sts.destroy();
    },
  };
}

/** The tests' collection time: two hours after the scenario's credential report was generated. */
export const COLLECTED_AT = new Date('2026-11-20T12:00:00Z');

/**
 * `collect` in the test's own process (collectSnapshot, the collection the command runs, through
 * clients that refuse foreign answers as the command's do): for the many small collections of the
 * fault tables, where a spawned CLI would cost about 2 s of CPU each. Tests about the process
 * (exit codes, console lines) spawn the CLI with collectFrom.
 */
export async function collectInProcess(endpointUrl: string, source: CollectSource): Promise<Snapshot> {
  const clients = stageClients(endpointUrl);
  try {
    const { snapshot } = await collectSnapshot({
      iam: clients.iam,
      sts: clients.sts,
      caller: clients.caller,
      source,
      concurrency: 4,
      region: 'us-east-1',
      report: { timeoutMs: 5_000, pollBaseMs: 5, maxPollDelayMs: 20 },
      runSignal: new AbortController().signal,
      clock: () => COLLECTED_AT,
    });
    return snapshot;
  } finally {
    clients.close();
  }
}

/** Clean users as of the tests' collection time (2026-11-20T12:00Z): MFA, a fresh key used yesterday, permissions through a group. */
export function cleanUser(name: string): ScenarioUser {
  return {
    name,
    createdAt: '2026-10-01T00:00:00Z',
    loginProfile: { createdAt: '2026-10-01T00:00:00Z', passwordResetRequired: false },
    passwordLastUsed: '2026-11-19T08:00:00Z',
    mfaDevices: [{ serial: `arn:aws:iam::${ACCOUNT}:mfa/${name}`, enabledAt: '2026-10-01T00:00:00Z' }],
    accessKeys: [{ id: `AKIA${name.toUpperCase().padEnd(16, '0').slice(0, 16)}`, status: 'Active', createdAt: '2026-11-01T00:00:00Z', lastUsed: { date: '2026-11-19T09:00:00Z', region: 'eu-west-1', service: 's3' } }],
    groups: ['developers'],
  };
}

/** 14 clean users but the eleventh, mallory, who holds two old active keys, never used (reconciliation tests). */
export const FOURTEEN: readonly ScenarioUser[] = Array.from({ length: 14 }, (_, index) =>
  index === 10
    ? {
        ...cleanUser('mallory'),
        accessKeys: [
          { id: 'AKIAMALLORY000000001', status: 'Active', createdAt: '2024-01-01T00:00:00Z' },
          { id: 'AKIAMALLORY000000002', status: 'Active', createdAt: '2024-02-01T00:00:00Z' },
        ],
      }
    : cleanUser(`user${String(index).padStart(2, '0')}`),
);

/** An account of these users whose summary counts them all, listed 3 to a page, without a credential report. */
export function accountOf(users: readonly ScenarioUser[], overrides: Partial<Scenario> = {}): Scenario {
  return baseScenario({
    users,
    pageSize: 3,
    summary: { Users: users.length, AccountMFAEnabled: 1, AccountAccessKeysPresent: 0, AccountPasswordPresent: 1, MFADevicesInUse: users.length },
    virtualMfaDevices: [],
    credentialReport: null,
    ...overrides,
  });
}
