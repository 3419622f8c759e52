/**
 * The access review (issue 29) end to end through the built CLI: a campaign over the demo account
 * and one over a two-account organisation, taken through start, collect (an edited fact, a wrong
 * reviewer, a self-review, a missing justification, a foreign row and a contradiction, each
 * refused; one workbook re-saved by LibreOffice), close (signed: pdfsig and `verify` accept it) and
 * verify against a later snapshot where one revocation was done and one was not. Also: an
 * incomplete population refused (exit 3) or carried with --allow-incomplete onto every page, and
 * --mail through the local SMTP server.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { access, copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { readPdfEvidence } from '../src/evidence/pdf-evidence.js';
import { runCli, temporaryFolder } from './support/cli.js';
import { DEMO_SNAPSHOT_PATH, newSnapshot } from './support/demo-series.js';
import { makeTestPki, nssTrusting, pdfsig, PKI_PASSWORD, type TestPki } from './support/evidence-pki.js';
import { startSmtpServer } from './notify-smtp.js';
import { fillCsv, fillXlsx, resaveWithLibreOffice, type Answers } from './support/review-workbooks.js';

const run = promisify(execFile);
/** The run clock of every step (SOURCE_DATE_EPOCH): the same dates on every machine, whatever its clock says. */
const epoch = (iso: string): Record<string, string> => ({ SOURCE_DATE_EPOCH: String(Date.parse(iso) / 1000) });
const STARTED = epoch('2026-11-10T09:00:00Z');
const COLLECTED = epoch('2026-11-28T09:00:00Z');
/** Signing runs on the wall clock: the test certificates are valid from the moment they were made. */
const ENV = { IAM_AUDIT_TEST_SIGNING_PASSWORD: PKI_PASSWORD };
const SIGN = ['--sign-p12', '', '--sign-pass-env', 'IAM_AUDIT_TEST_SIGNING_PASSWORD', '--sign-reason', 'Quarterly access review'];

const REVIEWERS_YAML = `reviewers:
  - id: carol
    name: Carol Secops
    email: carol@example.com
    identities: [carol.secops]
  - id: judy
    name: Judy Audit
    email: judy@example.com
    identities: [judy.audit]
    reportsTo: [carol]
  - id: dave
    name: Dave Lead
    email: dave@example.com
    identities: [dave.dev]
    reportsTo: [bob]
  - id: bob
    name: Bob Admin
    email: bob@example.com
    identities: [bob.admin]
assign:
  - { reviewer: dave, path: "/engineering/*" }
  - { reviewer: judy, path: "/security/*" }
  - { reviewer: bob, path: "/service/*" }
  - { reviewer: carol, path: "/admins/*" }
default: bob
fallback: carol
`;

interface CampaignJson {
  id: string;
  credentialFactsOnly: boolean;
  incomplete: string[];
  population: { count: number; sha256: string };
  identities: { key: string; name: string; accountId: string; reviewer: string; reassignment: { from: string; reason: string } | null }[];
}

async function campaignOf(folder: string): Promise<CampaignJson> {
  return JSON.parse(await readFile(join(folder, 'campaign.json'), 'utf8')) as CampaignJson;
}

/** Everyone of `reviewer` kept, with a justification, except the answers given. */
function answersFor(campaign: CampaignJson, reviewer: string, special: Answers = {}): Answers {
  const answers: Record<string, Answers[string]> = {};
  for (const identity of campaign.identities) if (identity.reviewer === reviewer) answers[identity.name] = special[identity.name] ?? { decision: 'keep', justification: 'still needed for the role' };
  return answers;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function pdfPages(path: string): Promise<string[]> {
  const { stdout } = await run('pdftotext', ['-layout', path, '-']);
  return stdout.split('\f').filter((page) => page.trim() !== '');
}

function snapshotOfAccount(snapshot: Record<string, unknown>, accountId: string): string {
  return JSON.stringify(snapshot, null, 2).replaceAll('111122223333', accountId);
}

describe('review: a campaign over the demo account', () => {
  let folder: { path: string; cleanup: () => Promise<void> };
  let pki: TestPki;
  let campaignDir: string;
  let campaign: CampaignJson;
  let returned: string;

  before(async () => {
    folder = await temporaryFolder('iam-audit-review-');
    pki = await makeTestPki(folder.path);
    await writeFile(join(folder.path, 'reviewers.yaml'), REVIEWERS_YAML);
    campaignDir = join(folder.path, 'q4-review');
    returned = join(folder.path, 'returned');
    await mkdir(returned);
  });
  after(() => folder.cleanup());

  it('start freezes the population, assigns reviewers with segregation of duties and writes a workbook per reviewer', async () => {
    const started = await runCli(['review', 'start', DEMO_SNAPSHOT_PATH, '--reviewers', join(folder.path, 'reviewers.yaml'), '--due', '2026-12-31', '-d', campaignDir], { env: STARTED });
    assert.equal(started.code, 0, started.stderr);
    campaign = await campaignOf(campaignDir);
    assert.match(campaign.id, /^AR-\d{8}-[0-9a-f]{8}$/);
    // 26 users and the root user; a credential report carries only the credential facts, and the campaign says so.
    assert.equal(campaign.population.count, 27);
    assert.equal(campaign.credentialFactsOnly, true);
    assert.match(started.stdout, /only the credential facts/);
    const reviewerOf = (name: string) => campaign.identities.find((identity) => identity.name === name);
    assert.equal(reviewerOf('erin.dev')?.reviewer, 'dave');
    // dave.dev would be reviewed by dave himself: the fallback takes it, and the reason is kept.
    assert.deepEqual(reviewerOf('dave.dev')?.reassignment, { from: 'dave', reason: 'dave would review their own identity dave.dev' });
    assert.equal(reviewerOf('dave.dev')?.reviewer, 'carol');
    // carol.secops would go to judy, who reports to carol.
    assert.deepEqual(reviewerOf('carol.secops')?.reassignment, { from: 'judy', reason: 'judy reports to carol, who uses carol.secops' });
    assert.equal(reviewerOf('carol.secops')?.reviewer, 'bob');
    const workbooks = (await readdir(join(campaignDir, 'workbooks'))).sort();
    assert.deepEqual(workbooks, ['bob.csv', 'bob.xlsx', 'carol.csv', 'carol.xlsx', 'dave.csv', 'dave.xlsx']);
  });

  it('writes workbooks with a hidden row key, locked facts, and a keep / revoke / reduce list over the decision column', async () => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(join(campaignDir, 'workbooks', 'dave.xlsx'));
    const sheet = workbook.getWorksheet('Access review');
    assert.ok(sheet !== undefined);
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    assert.deepEqual(header.slice(0, 4), ['Row key', 'Account', 'Type', 'Identity']);
    assert.deepEqual(header.slice(-3), ['Decision', 'Justification', 'Reviewed by']);
    assert.equal(sheet.rowCount, 1 + 4);
    assert.equal(sheet.getColumn(1).hidden, true);
    const decision = header.indexOf('Decision') + 1;
    for (let row = 2; row <= 5; row += 1) {
      assert.deepEqual(sheet.getRow(row).getCell(decision).dataValidation?.formulae, ['"keep,revoke,reduce"']);
      assert.equal(sheet.getRow(row).getCell(decision).protection?.locked, false);
      assert.notEqual(sheet.getRow(row).getCell(5).protection?.locked, false);
      assert.equal(sheet.getRow(row).getCell(header.length).value, 'dave');
    }
    assert.equal((sheet as unknown as { sheetProtection?: { sheet?: boolean } }).sheetProtection?.sheet, true);
    assert.equal(workbook.getWorksheet('Campaign')?.getCell('B1').value, campaign.id);
    assert.equal(workbook.getWorksheet('Campaign')?.state, 'veryHidden');
  });

  it('a second start into the same folder is refused and keeps the campaign', async () => {
    const again = await runCli(['review', 'start', DEMO_SNAPSHOT_PATH, '--reviewers', join(folder.path, 'reviewers.yaml'), '-d', campaignDir], { env: STARTED });
    assert.equal(again.code, 2);
    assert.match(again.stderr, /campaign\.json already exists/);
    assert.equal((await campaignOf(campaignDir)).id, campaign.id);
  });

  it('collect refuses an edited fact, a wrong reviewer, a self-review, a missing justification and a foreign row, each naming file and row', async () => {
    const workbooks = join(campaignDir, 'workbooks');
    const bobRows = Object.keys(answersFor(campaign, 'bob'));
    const edited = join(returned, 'bob-edited.xlsx');
    await fillXlsx(join(workbooks, 'bob.xlsx'), { 'svc-backup': { decision: 'keep', justification: 'backups', edit: ['MFA', 'yes'] } }, edited);
    const wrongReviewer = join(returned, 'bob-forwarded.xlsx');
    await fillXlsx(join(workbooks, 'bob.xlsx'), { 'svc-metrics': { decision: 'keep', justification: 'metrics', reviewedBy: 'dave' } }, wrongReviewer);
    const selfReview = join(returned, 'carol-self.xlsx');
    await fillXlsx(join(workbooks, 'carol.xlsx'), { 'dave.dev': { decision: 'keep', justification: 'I need it', reviewedBy: 'dave' } }, selfReview);
    const noJustification = join(returned, 'dave-nojust.csv');
    await fillCsv(join(workbooks, 'dave.csv'), { 'ivan.dba': { decision: 'reduce' } }, noJustification);
    const foreign = join(returned, 'bob-foreign.csv');
    const bobCsv = await readFile(join(workbooks, 'bob.csv'), 'utf8');
    await writeFile(foreign, bobCsv.replace(/\r\n[0-9a-f]{32},/, '\r\n0123456789abcdef0123456789abcdef,'));

    const collected = await runCli(['review', 'collect', campaignDir, edited, wrongReviewer, selfReview, noJustification, foreign], { env: COLLECTED });
    assert.equal(collected.code, 2, collected.stdout + collected.stderr);
    const refused = collected.stderr.split('\n').filter((line) => line.startsWith('refused: '));
    assert.equal(refused.length, 5, collected.stderr);
    const rowOf = (name: string): number => bobRows.indexOf(name) + 2;
    assert.ok(rowOf('svc-backup') > 1);
    assert.match(collected.stderr, new RegExp(`bob-edited\\.xlsx: row ${rowOf('svc-backup')}: the fact "MFA" of svc-backup was edited \\("yes"; the campaign froze "no"\\)`));
    assert.match(collected.stderr, new RegExp(`bob-forwarded\\.xlsx: row ${rowOf('svc-metrics')}: decided by "dave", but svc-metrics is assigned to bob`));
    assert.match(collected.stderr, /carol-self\.xlsx: row \d+: self-review: dave decided on their own identity dave\.dev \(assigned to carol\)/);
    assert.match(collected.stderr, /dave-nojust\.csv: row \d+: "reduce" for ivan\.dba needs a justification/);
    assert.match(collected.stderr, /bob-foreign\.csv: row 2: does not belong to campaign AR-/);
    assert.match(collected.stdout, /0 new decision\(s\) recorded/);
    assert.equal(await exists(join(campaignDir, 'decisions.json')), false);
  });

  it("collect refuses another campaign's workbook whole, in one line", async () => {
    const other = join(folder.path, 'other-campaign');
    const started = await runCli(['review', 'start', DEMO_SNAPSHOT_PATH, '--reviewers', join(folder.path, 'reviewers.yaml'), '-d', other], { env: STARTED });
    assert.equal(started.code, 0, started.stderr);
    const otherId = (await campaignOf(other)).id;
    const filled = join(returned, 'bob-other.xlsx');
    await fillXlsx(join(other, 'workbooks', 'bob.xlsx'), answersFor(await campaignOf(other), 'bob'), filled);
    const collected = await runCli(['review', 'collect', campaignDir, filled], { env: COLLECTED });
    assert.equal(collected.code, 2);
    assert.equal(collected.stderr.split('\n').filter((line) => line.startsWith('refused: ')).length, 1);
    assert.match(collected.stderr, new RegExp(`bob-other\\.xlsx: the workbook belongs to campaign ${otherId}, not ${campaign.id}`));
  });

  it('close refuses while identities are undecided (exit 3)', async () => {
    const closed = await runCli(['review', 'close', campaignDir, '--format', 'json'], { env: ENV });
    assert.equal(closed.code, 3);
    assert.match(closed.stderr, /27 identities are undecided/);
  });

  it('collect records XLSX (one re-saved by LibreOffice) and CSV answers, prints progress, and changes nothing when run again', async () => {
    const workbooks = join(campaignDir, 'workbooks');
    const carol = join(returned, 'carol.xlsx');
    await fillXlsx(join(workbooks, 'carol.xlsx'), answersFor(campaign, 'carol'), carol);
    const daveFilled = join(folder.path, 'dave.xlsx');
    await fillXlsx(join(workbooks, 'dave.xlsx'), answersFor(campaign, 'dave', { 'ivan.dba': { decision: 'reduce', justification: 'the second key is no longer needed' } }), daveFilled);
    const libreOffice = join(folder.path, 'libreoffice');
    await mkdir(libreOffice);
    const dave = await resaveWithLibreOffice(daveFilled, libreOffice);
    const bob = join(returned, 'bob.csv');
    await fillCsv(
      join(workbooks, 'bob.csv'),
      answersFor(campaign, 'bob', { 'mallory.old': { decision: 'revoke', justification: 'left the company in 2024' }, 'never.signed.in': { decision: 'revoke', justification: 'never used' } }),
      bob,
    );
    const first = await runCli(['review', 'collect', campaignDir, bob, dave, carol], { env: COLLECTED });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /27 new decision\(s\) recorded from 3 file\(s\)/);
    assert.match(first.stdout, /bob: 19 decided, 0 open, 0 overdue/);
    assert.match(first.stdout, /dave: 4 decided, 0 open, 0 overdue/);
    assert.match(first.stdout, /all: 27 of 27 decided/);
    const decisions = JSON.parse(await readFile(join(campaignDir, 'decisions.json'), 'utf8')) as { decisions: { key: string; decision: string; file: string }[] };
    assert.equal(decisions.decisions.find((item) => item.key === '111122223333:user:ivan.dba')?.decision, 'reduce');
    assert.equal(decisions.decisions.find((item) => item.key === '111122223333:user:ivan.dba')?.file, 'dave.xlsx');

    const again = await runCli(['review', 'collect', campaignDir, carol, bob], { env: COLLECTED });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /0 new decision\(s\) recorded/);
    assert.equal(JSON.parse(await readFile(join(campaignDir, 'decisions.json'), 'utf8')).decisions.length, 27);
  });

  it('collect refuses a second, different decision for an identity', async () => {
    const changed = join(returned, 'bob-changed.csv');
    await fillCsv(join(campaignDir, 'workbooks', 'bob.csv'), { 'mallory.old': { decision: 'keep', justification: 'changed my mind' } }, changed);
    const collected = await runCli(['review', 'collect', campaignDir, changed], { env: COLLECTED });
    assert.equal(collected.code, 2);
    assert.match(collected.stderr, /bob-changed\.csv: row \d+: two different decisions for mallory\.old: "keep" here, "revoke" in bob\.csv row \d+ \(recorded\)/);
  });

  it('close writes the signed evidence; pdfsig and verify accept it', async () => {
    const closed = await runCli(['review', 'close', campaignDir, ...SIGN.map((value) => (value === '' ? pki.signerP12 : value))], { env: ENV });
    assert.equal(closed.code, 0, closed.stderr);
    assert.match(closed.stdout, /27 decided, 0 undecided, 3 to remove; population reconciled/);
    const evidence = join(campaignDir, 'evidence');
    const files = (await readdir(evidence)).sort();
    const stem = files.find((name) => name.endsWith('.pdf'))?.replace(/\.pdf$/, '') ?? '';
    assert.match(stem, /^access_review_AR-/);
    assert.deepEqual(files, [`${stem}.SHA256SUMS`, `${stem}.csv`, `${stem}.json`, `${stem}.manifest.json`, `${stem}.manifest.json.p7s`, `${stem}.pdf`].sort());
    const pdf = join(evidence, `${stem}.pdf`);
    const signature = await pdfsig(pdf, await nssTrusting(pki.caPem, folder.path));
    assert.match(signature, /Signature is Valid/);
    assert.match(signature, /Total document signed/);
    const verified = await runCli(['verify', pdf, '--trust', pki.caPem, '--snapshot', DEMO_SNAPSHOT_PATH]);
    assert.equal(verified.code, 0, verified.stdout);
    const manifest = await runCli(['verify', join(evidence, `${stem}.manifest.json`), '--trust', pki.caPem]);
    assert.equal(manifest.code, 0, manifest.stdout);
    const json = JSON.parse(await readFile(join(evidence, `${stem}.json`), 'utf8')) as { population: { reconciled: boolean; sha256: string }; identities: { name: string; decision: string; decidedBy: string }[] };
    assert.equal(json.population.reconciled, true);
    assert.equal(json.population.sha256, campaign.population.sha256);
    assert.deepEqual(json.identities.find((identity) => identity.name === 'mallory.old'), { ...json.identities.find((identity) => identity.name === 'mallory.old'), decision: 'revoke', decidedBy: 'bob' });
    // Inside the signed PDF: the snapshot, the campaign (without its row-key secret), the decisions, the evidence JSON and CSV.
    const embedded = await readPdfEvidence(await readFile(pdf));
    assert.deepEqual(embedded.attachments.map((attachment) => attachment.fileName).sort(), ['campaign.json', 'decisions.json', `${stem}.csv`, `${stem}.json`, 'snapshot.json'].sort());
    const secret = (JSON.parse(await readFile(join(campaignDir, 'campaign.json'), 'utf8')) as { secret: string }).secret;
    const embeddedCampaign = embedded.attachments.find((attachment) => attachment.fileName === 'campaign.json');
    assert.ok(embeddedCampaign !== undefined && !Buffer.from(embeddedCampaign.bytes).toString('utf8').includes(secret));
    const text = (await pdfPages(pdf)).join('\n');
    for (const heading of ['User access review', 'Population', 'Decisions', 'Segregation of duties', 'Undecided', 'Access to remove', 'Sign-off']) assert.ok(text.includes(heading), heading);
    assert.ok(!text.includes('ALLOW-INCOMPLETE'));
  });

  it('verify against a later snapshot: one revocation done, one not, a reduction done, an identity never reviewed (exit 1)', async () => {
    const later = join(folder.path, 'snapshot-later.json');
    await writeFile(later, JSON.stringify(newSnapshot(), null, 2));
    const verified = await runCli(['review', 'verify', campaignDir, later], { env: COLLECTED });
    assert.equal(verified.code, 1, verified.stderr);
    assert.match(verified.stdout, /carried out: 111122223333 user mallory\.old \(revoke\): no console password and no active key left .*, seen 2026-12-02T08:15:42Z/);
    assert.match(verified.stdout, /NOT YET carried out: 111122223333 user never\.signed\.in \(revoke\): nothing removed yet/);
    assert.match(verified.stdout, /carried out: 111122223333 user ivan\.dba \(reduce\): 1 access key\(s\) deactivated or deleted, seen/);
    assert.match(verified.stdout, /APPEARED SINCE, never reviewed: 111122223333 user zoe\.new/);
    assert.match(verified.stdout, /2 carried out, 2 outstanding\./);
    const followUp = await readdir(join(campaignDir, 'follow-up'));
    assert.equal(followUp.filter((name) => name.endsWith('.json')).length, 1);
  });
});

describe('review: a campaign over a two-account organisation', () => {
  let folder: { path: string; cleanup: () => Promise<void> };
  let pki: TestPki;
  let indexPath: string;
  let campaignDir: string;

  const writeIndex = async (where: string, snapshots: Record<string, string>): Promise<string> => {
    await mkdir(where, { recursive: true });
    const accounts = [];
    for (const [id, text] of Object.entries(snapshots)) {
      await writeFile(join(where, `snapshot-${id}.json`), text);
      const capturedAt = (JSON.parse(text) as { capturedAt: string }).capturedAt;
      accounts.push({ id, name: id === '111122223333' ? 'Prod' : 'Dev', status: 'complete', snapshot: `snapshot-${id}.json`, sha256: null, size: null, capturedAt, users: null, errors: [], startedAt: capturedAt, endedAt: capturedAt });
    }
    const skipped = [{ id: '666666666666', name: 'Closed sandbox', state: 'SUSPENDED' }];
    const index = { kind: 'iam-audit-org-index', indexVersion: 1, tool: { name: 'iam-audit', version: '0.1.0' }, organizationId: 'o-abc123', managementAccountId: '999988887777', startedAt: '2026-11-02T08:00:00Z', endedAt: '2026-11-02T09:00:00Z', selection: { ou: null, accounts: null, roleName: 'OrganizationAccountAccessRole', shard: null }, skipped, accounts };
    const path = join(where, 'org-index.json');
    await writeFile(path, JSON.stringify(index, null, 2));
    return path;
  };

  before(async () => {
    folder = await temporaryFolder('iam-audit-review-org-');
    pki = await makeTestPki(folder.path);
    await writeFile(join(folder.path, 'reviewers.yaml'), `${REVIEWERS_YAML}`.replace('assign:\n', 'assign:\n  - { reviewer: judy, account: "444455556666", type: root }\n'));
    const demo = JSON.parse(await readFile(DEMO_SNAPSHOT_PATH, 'utf8')) as Record<string, unknown>;
    indexPath = await writeIndex(join(folder.path, 'q4'), { '111122223333': snapshotOfAccount(demo, '111122223333'), '444455556666': snapshotOfAccount(demo, '444455556666') });
    campaignDir = join(folder.path, 'org-review');
  });
  after(() => folder.cleanup());

  it('one campaign over every account, collected, closed signed, and verified against the later index', async () => {
    const started = await runCli(['review', 'start', indexPath, '--reviewers', join(folder.path, 'reviewers.yaml'), '-d', campaignDir], { env: STARTED });
    assert.equal(started.code, 0, started.stderr);
    assert.match(started.stdout, /54 identities in 2 account\(s\)/);
    const campaign = await campaignOf(campaignDir);
    assert.equal(campaign.identities.find((identity) => identity.key === '444455556666:root:<root_account>')?.reviewer, 'judy');

    const returned = join(folder.path, 'returned');
    await mkdir(returned);
    const files: string[] = [];
    for (const reviewer of ['bob', 'carol', 'dave', 'judy']) {
      const answers: Record<string, Answers[string]> = {};
      for (const identity of campaign.identities.filter((item) => item.reviewer === reviewer)) answers[identity.name] = { decision: 'keep', justification: 'needed' };
      if (reviewer === 'bob') answers['mallory.old'] = { decision: 'revoke', justification: 'left the company' };
      const path = join(returned, `${reviewer}.csv`);
      await fillCsv(join(campaignDir, 'workbooks', `${reviewer}.csv`), answers, path);
      files.push(path);
    }
    // One wrong reviewer first: refused, the others recorded.
    const wrong = join(returned, 'dave-wrong.csv');
    await fillCsv(join(campaignDir, 'workbooks', 'dave.csv'), { 'erin.dev': { decision: 'keep', justification: 'ok', reviewedBy: 'carol' } }, wrong);
    const refused = await runCli(['review', 'collect', campaignDir, wrong, ...files], { env: COLLECTED });
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /dave-wrong\.csv: row \d+: decided by "carol", but erin\.dev is assigned to dave/);
    assert.match(refused.stdout, /all: 54 of 54 decided/);

    const closed = await runCli(['review', 'close', campaignDir, '--sign-p12', pki.signerP12, '--sign-pass-env', 'IAM_AUDIT_TEST_SIGNING_PASSWORD'], { env: ENV });
    assert.equal(closed.code, 0, closed.stderr);
    const evidence = join(campaignDir, 'evidence');
    const pdf = join(evidence, (await readdir(evidence)).find((name) => name.endsWith('.pdf')) ?? 'missing.pdf');
    assert.match(await pdfsig(pdf, await nssTrusting(pki.caPem, folder.path)), /Signature is Valid/);
    const verified = await runCli(['verify', pdf, '--trust', pki.caPem, '--snapshot', indexPath]);
    assert.equal(verified.code, 0, verified.stdout);
    const text = (await pdfPages(pdf)).join('\n');
    assert.match(text, /Decisions: account 111122223333 \(Prod\)/);
    assert.match(text, /Decisions: account 444455556666 \(Dev\)/);
    assert.match(text.replace(/\s+/g, ' '), /not active: 666666666666 \(Closed sandbox, SUSPENDED\)/);

    // Later: mallory.old's access removed in both accounts (only account 444455556666's was decided), zoe.new added.
    const later = newSnapshot();
    const laterIndex = await writeIndex(join(folder.path, 'q1'), { '111122223333': snapshotOfAccount(later, '111122223333'), '444455556666': snapshotOfAccount(later, '444455556666') });
    const followUp = await runCli(['review', 'verify', campaignDir, laterIndex], { env: COLLECTED });
    assert.equal(followUp.code, 1);
    assert.match(followUp.stdout, /carried out: 111122223333 user mallory\.old \(revoke\)/);
    assert.match(followUp.stdout, /APPEARED SINCE, never reviewed: 111122223333 user zoe\.new/);
    assert.match(followUp.stdout, /APPEARED SINCE, never reviewed: 444455556666 user zoe\.new/);
  });
});

describe('review: incomplete populations and undecided identities', () => {
  let folder: { path: string; cleanup: () => Promise<void> };
  before(async () => {
    folder = await temporaryFolder('iam-audit-review-incomplete-');
    await writeFile(join(folder.path, 'reviewers.yaml'), REVIEWERS_YAML);
  });
  after(() => folder.cleanup());

  it('start refuses a due date before the campaign starts', async () => {
    const started = await runCli(['review', 'start', DEMO_SNAPSHOT_PATH, '--reviewers', join(folder.path, 'reviewers.yaml'), '--due', '2026-11-09', '-d', join(folder.path, 'late')], { env: STARTED });
    assert.equal(started.code, 2);
    assert.match(started.stderr, /--due 2026-11-09 is before the campaign starts \(2026-11-10\)/);
  });

  it('start refuses a population the snapshot does not hold whole (exit 3, nothing written)', async () => {
    const campaignDir = join(folder.path, 'refused');
    const started = await runCli(['review', 'start', DEMO_SNAPSHOT_PATH, '--reviewers', join(folder.path, 'reviewers.yaml'), '--scope', 'users,roles', '-d', campaignDir], { env: STARTED });
    assert.equal(started.code, 3);
    assert.match(started.stderr, /the population is incomplete.*account 111122223333: roles: the credential report carries no roles/);
    assert.equal(await exists(campaignDir), false);
  });

  it('--allow-incomplete starts anyway and prints ALLOW-INCOMPLETE on every page of the evidence', async () => {
    const campaignDir = join(folder.path, 'allowed');
    const started = await runCli(['review', 'start', DEMO_SNAPSHOT_PATH, '--reviewers', join(folder.path, 'reviewers.yaml'), '--scope', 'users,roles', '--allow-incomplete', '--due', '2026-11-30', '-d', campaignDir], { env: STARTED });
    assert.equal(started.code, 0, started.stderr);
    assert.match(started.stdout, /ALLOW-INCOMPLETE/);
    assert.equal((await campaignOf(campaignDir)).incomplete.length, 1);
    // Progress after the due date: a workbook returned unfilled leaves every row open, and overdue.
    const progress = await runCli(['review', 'collect', campaignDir, join(campaignDir, 'workbooks', 'dave.csv')], { env: epoch('2026-12-05T09:00:00Z') });
    assert.equal(progress.code, 0, progress.stderr);
    assert.match(progress.stdout, /Progress of AR-20261110-[0-9a-f]{8} \(due 2026-11-30\):/);
    assert.match(progress.stdout, /dave: 0 decided, 4 open, 4 overdue/);
    const early = await runCli(['review', 'collect', campaignDir, join(campaignDir, 'workbooks', 'dave.csv')], { env: epoch('2026-11-30T23:00:00Z') });
    assert.match(early.stdout, /dave: 0 decided, 4 open, 0 overdue/);
    const closed = await runCli(['review', 'close', campaignDir, '--allow-incomplete', '--format', 'pdf,json'], { env: ENV });
    assert.equal(closed.code, 0, closed.stderr);
    const evidence = join(campaignDir, 'evidence');
    const pdf = join(evidence, (await readdir(evidence)).find((name) => name.endsWith('.pdf')) ?? 'missing.pdf');
    const pages = await pdfPages(pdf);
    assert.ok(pages.length >= 3, `${pages.length} pages`);
    pages.forEach((page, index) => assert.match(page, /ALLOW-INCOMPLETE/, `page ${index + 1}`));
  });
});

describe('review start --mail', () => {
  it('sends each reviewer their workbook through the SMTP path notify uses', async () => {
    const folder = await temporaryFolder('iam-audit-review-mail-');
    const smtp = await startSmtpServer();
    try {
      await writeFile(join(folder.path, 'reviewers.yaml'), REVIEWERS_YAML);
      const started = await runCli([
        'review', 'start', DEMO_SNAPSHOT_PATH, '--reviewers', join(folder.path, 'reviewers.yaml'), '--due', '2026-12-31', '-d', join(folder.path, 'campaign'),
        '--mail', '--from', 'iam-audit@example.com', '--smtp-host', '127.0.0.1', '--smtp-port', String(smtp.port),
      ], { env: STARTED });
      assert.equal(started.code, 0, started.stderr);
      const byRecipient = new Map(smtp.received.map((mail) => [mail.recipients.join(','), mail]));
      assert.deepEqual([...byRecipient.keys()].sort(), ['bob@example.com', 'carol@example.com', 'dave@example.com']);
      const dave = byRecipient.get('dave@example.com');
      assert.match(dave?.parsed.subject ?? '', /^Access review AR-\d{8}-[0-9a-f]{8}: 4 identities to review by 2026-12-31$/);
      assert.deepEqual(dave?.parsed.attachments.map((attachment) => attachment.filename).sort(), ['dave.csv', 'dave.xlsx']);
      const xlsx = dave?.parsed.attachments.find((attachment) => attachment.filename === 'dave.xlsx');
      assert.deepEqual(xlsx?.content, await readFile(join(folder.path, 'campaign', 'workbooks', 'dave.xlsx')));
      assert.match(started.stdout, /mailed dave@example\.com: 4 identities to review/);
    } finally {
      await smtp.close();
      await folder.cleanup();
    }
  });
});

describe('review: the reviewers file', () => {
  it('names the file, line and field of a rule naming an unknown reviewer', async () => {
    const folder = await temporaryFolder('iam-audit-review-file-');
    try {
      const path = join(folder.path, 'reviewers.yaml');
      await writeFile(path, REVIEWERS_YAML.replace('{ reviewer: bob, path', '{ reviewer: robert, path'));
      const started = await runCli(['review', 'start', DEMO_SNAPSHOT_PATH, '--reviewers', path, '-d', join(folder.path, 'campaign')], { env: STARTED });
      assert.equal(started.code, 2);
      assert.match(started.stderr, /reviewers\.yaml:\d+:\d+: assign\[2\]\.reviewer: "robert" is not one of the reviewers/);
      await copyFile(path, join(folder.path, 'copy.yaml'));
    } finally {
      await folder.cleanup();
    }
  });
});
