/**
 * Issue #23, "Done when": a seeded fuzz run over the demo credential report. 600 mutants per run
 * (the same ones every run: a seeded PRNG), each read in-process as `audit` reads a report: import,
 * the snapshot check every written snapshot passes, then every rule and framework. Asserted:
 *  - no exception but the project's own UserError kinds (one line, no stack), whose exit code is a
 *    documented one;
 *  - no PASS for a user one of whose facts was made unreadable or later than the capture time;
 *  - the mutations that must be refused are refused (a late instant beyond the tolerance, a name
 *    differing only in case, a used date in an empty key slot).
 * A few runs through the command line check what a user sees: exit 2, one line, nothing written.
 */
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCatalogue } from '../src/analyze/engine.js';
import { allFrameworks } from '../src/frameworks/index.js';
import { importCredentialReport, MAX_REPORT_BYTES } from '../src/import/credential-report.js';
import { allRules } from '../src/rules/index.js';
import { checkSnapshotBeforeWriting } from '../src/snapshot/io.js';
import { validateSnapshot } from '../src/snapshot/validate.js';
import { ExitCode, InputError, UserError } from '../src/util/errors.js';
import { FIXTURES, runCli, temporaryFolder } from './support/cli.js';
import { withFlatResults } from './support/report-json.js';

const DEMO_REPORT = join(FIXTURES, 'demo', 'credential-report.csv');
const DEMO_CAPTURED_AT = '2026-11-02T08:15:42Z';
const CAPTURED_MS = Date.parse(DEMO_CAPTURED_AT);
const MUTANTS = 600;
const SEED = 0x23_2026;
const TOLERANCE_MS = 5 * 60_000;
const DOCUMENTED_EXIT_CODES: readonly number[] = Object.values(ExitCode);

/** mulberry32: a small seeded PRNG, so every run meets the same mutants. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const PAST_EVENT_COLUMNS = [
  'user_creation_time',
  'password_last_used',
  'password_last_changed',
  'access_key_1_last_rotated',
  'access_key_1_last_used_date',
  'access_key_2_last_rotated',
  'access_key_2_last_used_date',
  'cert_1_last_rotated',
  'cert_2_last_rotated',
] as const;
const FACT_COLUMNS = [...PAST_EVENT_COLUMNS, 'password_enabled', 'mfa_active', 'access_key_1_active', 'access_key_2_active', 'cert_1_active', 'cert_2_active'] as const;
const GARBAGE = ['2026-13-01T00:00:00Z', '2026-02-30T10:00:00Z', 'yesterday', '', 'NaN', 'Invalid Date', '2026-11-01 10:00:00', '2026-11-01T25:00:00Z', 'TRUE1', 'null', '-1', '١٢', '2026-11-01t10:00:00z'];
const NOISE = [',', '"', '\n', '\r', '\u0000', 'x', '9', 'T', 'Z', ':', '+', '\uFEFF', '<', ' '];

/** The demo report split into its rows (header first); the one quoted row is kept whole. */
const DEMO_TEXT = readFileSync(DEMO_REPORT, 'utf8');
const HEADER = (DEMO_TEXT.split('\n')[0] ?? '').split(',');
const ROWS = DEMO_TEXT.trimEnd().split('\n').slice(1);
/** Rows whose cells are plain (no quoted commas): the ones the cell-level mutations edit. */
const PLAIN_USER_ROWS = ROWS.map((row, index) => ({ row, index })).filter(({ row }) => !row.startsWith('<root_account>') && !row.includes('"'));

interface Mutant {
  readonly label: string;
  readonly text: string;
  /** Give --generated-at (the demo's real capture time); otherwise the capture time is inferred. */
  readonly withGeneratedAt: boolean;
  /** The user whose facts were made unreadable or late: never a PASS for them. */
  readonly taintedArn: string | null;
  /** Why this mutant must be refused (checked against the message), or null when it may be accepted. */
  readonly mustRefuse: RegExp | null;
}

function cellsOf(row: string): string[] {
  return row.split(',');
}

function withRow(index: number, row: string): string {
  const rows = [...ROWS];
  rows[index] = row;
  return `${HEADER.join(',')}\n${rows.join('\n')}\n`;
}

function isoOf(ms: number, plusZero: boolean): string {
  const iso = new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return plusZero ? iso.replace(/Z$/, '+00:00') : iso;
}

function makeMutant(random: () => number, serial: number): Mutant {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const withGeneratedAt = random() < 0.85;
  const target = pick(PLAIN_USER_ROWS);
  const cells = cellsOf(target.row);
  const arn = cells[1] ?? '';
  const kind = serial % 6;
  if (kind === 0 || kind === 1) {
    // A past event after the capture time: from 1 s to 10 years late.
    const column = pick(PAST_EVENT_COLUMNS);
    const late = random() < 0.3 ? 1 + Math.floor(random() * 600) : 1 + Math.floor(random() * 10 * 365 * 86_400);
    const position = HEADER.indexOf(column);
    cells[position] = isoOf(CAPTURED_MS + late * 1000, random() < 0.5);
    // A key or certificate slot without its rotation date is empty: give it one, so the slot is used.
    if (column.endsWith('_last_used_date')) cells[position - 1] = '2026-01-01T00:00:00Z';
    const refused = withGeneratedAt && late * 1000 > TOLERANCE_MS;
    return {
      label: `#${serial} ${column} of line ${target.index + 2} ${late} s after capture`,
      text: withRow(target.index, cells.join(',')),
      withGeneratedAt,
      taintedArn: withGeneratedAt ? arn : null,
      mustRefuse: refused ? /after the capture time 2026-11-02T08:15:42Z/ : null,
    };
  }
  if (kind === 2) {
    // A fact made unreadable.
    const column = pick(FACT_COLUMNS);
    cells[HEADER.indexOf(column)] = pick(GARBAGE);
    return { label: `#${serial} ${column} of line ${target.index + 2} garbled`, text: withRow(target.index, cells.join(',')), withGeneratedAt, taintedArn: arn, mustRefuse: null };
  }
  if (kind === 3) {
    // Structure: a duplicated row, a name differing only in case, a used date in an empty key slot.
    const choice = Math.floor(random() * 3);
    if (choice === 0) {
      const rows = [...ROWS];
      rows.splice(target.index, 0, target.row);
      return { label: `#${serial} line ${target.index + 2} twice`, text: `${HEADER.join(',')}\n${rows.join('\n')}\n`, withGeneratedAt, taintedArn: null, mustRefuse: /already appears on line/ };
    }
    if (choice === 1) {
      const twin = [...cells];
      twin[0] = (twin[0] ?? '').toUpperCase();
      twin[1] = (twin[1] ?? '').replace(/[^/]+$/, (name) => name.toUpperCase());
      const rows = [...ROWS, twin.join(',')];
      return { label: `#${serial} ${twin[0]} beside ${cells[0]}`, text: `${HEADER.join(',')}\n${rows.join('\n')}\n`, withGeneratedAt, taintedArn: null, mustRefuse: twin[0] === cells[0] ? /already appears on line/ : /differs only in case from/ };
    }
    const slot = cells[HEADER.indexOf('access_key_2_active')]?.toLowerCase() === 'false' && cells[HEADER.indexOf('access_key_2_last_rotated')] === 'N/A' ? 2 : null;
    if (slot === null) return makeMutant(random, serial + 1);
    cells[HEADER.indexOf('access_key_2_last_used_date')] = random() < 0.5 ? '2026-10-01T00:00:00Z' : pick(GARBAGE.filter((value) => value !== ''));
    return { label: `#${serial} empty key slot 2 of line ${target.index + 2} used`, text: withRow(target.index, cells.join(',')), withGeneratedAt, taintedArn: arn, mustRefuse: /access_key_2_last_used_date/ };
  }
  // Byte-level noise anywhere: insert, delete or replace characters, or drop a line.
  let text = DEMO_TEXT;
  const edits = 1 + Math.floor(random() * 4);
  for (let edit = 0; edit < edits; edit += 1) {
    const at = Math.floor(random() * text.length);
    const operation = Math.floor(random() * 4);
    if (operation === 0) text = `${text.slice(0, at)}${pick(NOISE)}${text.slice(at)}`;
    else if (operation === 1) text = `${text.slice(0, at)}${text.slice(at + 1 + Math.floor(random() * 20))}`;
    else if (operation === 2) text = `${text.slice(0, at)}${pick(NOISE)}${text.slice(at + 1)}`;
    else {
      const lines = text.split('\n');
      lines.splice(Math.floor(random() * lines.length), 1);
      text = lines.join('\n');
    }
  }
  return { label: `#${serial} ${edits} byte edits`, text, withGeneratedAt, taintedArn: null, mustRefuse: null };
}

type Outcome = { readonly refused: UserError } | { readonly passesFor: (arn: string) => string[] };

/** As `audit` reads a report, in-process: import, the check before writing, every rule and framework. */
function auditInProcess(mutant: Mutant): Outcome {
  try {
    const { snapshot } = importCredentialReport(Buffer.from(mutant.text, 'utf8'), {
      displayPath: 'report.csv',
      fileName: 'report.csv',
      ...(mutant.withGeneratedAt ? { generatedAt: new Date(DEMO_CAPTURED_AT), generatedAtLabel: '--generated-at' } : {}),
    });
    checkSnapshotBeforeWriting(snapshot, 'report.csv');
    // The importer's users are checked as they are read, not validated again before writing: what it accepts, the full validation must accept.
    const full = validateSnapshot(snapshot);
    if (!full.valid) throw new Error(`the importer accepted a snapshot the full validation refuses: ${full.problem}`);
    const result = runCatalogue({ snapshot, now: Date.parse(snapshot.capturedAt), rules: allRules, frameworks: allFrameworks });
    return {
      passesFor: (arn) => result.results.filter((entry) => entry.status === 'pass' && entry.resourceArn.split('#')[0] === arn).map((entry) => `${entry.ruleId}: ${entry.evidence}`),
    };
  } catch (error) {
    if (error instanceof UserError) return { refused: error };
    throw new Error(`not a UserError (a crash, a stack trace for the user): ${(error as Error).stack ?? String(error)}`);
  }
}

describe(`fuzz: ${MUTANTS} seeded mutants of the demo credential report, in-process (issue #23)`, () => {
  it('no crash, only documented exit codes, one-line refusals, and no PASS for a user whose facts are unreadable or later than the capture', () => {
    const random = prng(SEED);
    const tally = { refused: 0, accepted: 0, lateAccepted: 0, lateRefused: 0 };
    for (let serial = 0; serial < MUTANTS; serial += 1) {
      const mutant = makeMutant(random, serial);
      const outcome = auditInProcess(mutant);
      if ('refused' in outcome) {
        tally.refused += 1;
        const { refused } = outcome;
        assert.ok(DOCUMENTED_EXIT_CODES.includes(refused.exitCode), `${mutant.label}: exit code ${refused.exitCode}`);
        assert.equal(refused.exitCode, ExitCode.inputError, `${mutant.label}: ${refused.message}`);
        assert.ok(refused instanceof InputError, `${mutant.label}: ${refused.message}`);
        assert.doesNotMatch(refused.message, /\n|\bat .*\(.*:\d+:\d+\)/, `${mutant.label}: one line, no stack`);
        assert.match(refused.message, /^report\.csv/, `${mutant.label}: names the file`);
        if (mutant.mustRefuse !== null) assert.match(refused.message, mutant.mustRefuse, mutant.label);
        if (mutant.mustRefuse?.source.includes('after the capture') === true) {
          tally.lateRefused += 1;
          assert.match(refused.message, /^report\.csv: line \d+, column [a-z0-9_]+: /, `${mutant.label}: names line and column`);
        }
        continue;
      }
      tally.accepted += 1;
      assert.equal(mutant.mustRefuse, null, `${mutant.label}: accepted, but must be refused (${String(mutant.mustRefuse)})`);
      if (mutant.taintedArn !== null) {
        if (mutant.label.includes('after capture')) tally.lateAccepted += 1;
        assert.deepEqual(outcome.passesFor(mutant.taintedArn), [], `${mutant.label}: never a PASS for ${mutant.taintedArn}`);
      }
    }
    // The run met every kind of outcome (the assertions above could fail).
    assert.ok(tally.refused > 100 && tally.accepted > 50, JSON.stringify(tally));
    assert.ok(tally.lateRefused > 50 && tally.lateAccepted > 5, JSON.stringify(tally));
  });

  it('the unmutated demo report gives passes for the users the mutants taint (the PASS check can fail)', () => {
    const outcome = auditInProcess({ label: 'demo', text: DEMO_TEXT, withGeneratedAt: true, taintedArn: null, mustRefuse: null });
    assert.ok('passesFor' in outcome);
    const withPasses = PLAIN_USER_ROWS.filter(({ row }) => outcome.passesFor(cellsOf(row)[1] ?? '').length > 0);
    assert.ok(withPasses.length >= 15, `${withPasses.length} users with a PASS`);
  });
});

describe('fuzz: what a user sees on the command line (issue #23)', () => {
  let work: { path: string; cleanup: () => Promise<void> };
  before(async () => {
    work = await temporaryFolder();
  });
  after(async () => {
    await work.cleanup();
  });

  const oneLine = (stderr: string): string => {
    const lines = stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, `one line on stderr, got:\n${stderr}`);
    return lines[0] ?? '';
  };

  it('audit of the demo report with --generated-at 2019-01-01: exit 2, one line naming the newest instant and its cell, nothing written', async () => {
    const run = await runCli(['audit', DEMO_REPORT, '--generated-at', '2019-01-01T00:00:00Z', '-d', 'out'], { cwd: work.path });
    assert.equal(run.code, 2, run.stderr);
    assert.equal(
      oneLine(run.stderr),
      `iam-audit: ${DEMO_REPORT}: line 23, column access_key_1_last_used_date: 2026-11-02T08:00:00Z is 2862 days 08:00:00 after the capture time 2019-01-01T00:00:00Z (--generated-at); ` +
        'a past event cannot be later than the report that records it, so the report was generated at 2026-11-02T08:00:00Z or later (clock-skew tolerance 5 min, see --clock-skew)',
    );
    assert.equal(run.stdout, '');
    assert.deepEqual(await readdir(work.path), []);
  });

  it('the AWS CLI JSON form whose GeneratedTime is before its data: exit 2, naming the cell and GeneratedTime, nothing written', async () => {
    const json = join(work.path, 'report.json');
    await writeFile(json, JSON.stringify({ Content: Buffer.from(DEMO_TEXT).toString('base64'), ReportFormat: 'text/csv', GeneratedTime: '2026-11-01T00:00:00+00:00' }));
    const run = await runCli(['import', json, '-o', join(work.path, 'snapshot.json')], { cwd: work.path });
    assert.equal(run.code, 2, run.stderr);
    assert.match(oneLine(run.stderr), /^iam-audit: .*report\.json \(Content\): line \d+, column [a-z0-9_]+: 2026-11-02T08:00:00Z is 1 day 08:00:00 after the capture time 2026-11-01T00:00:00Z \(its \/GeneratedTime\)/);
    assert.deepEqual(await readdir(work.path), ['report.json']);
  });

  it('within the tolerance (--generated-at 3 min before the newest instant) the demo imports; --clock-skew 0 refuses it', async () => {
    const accepted = await runCli(['import', DEMO_REPORT, '--generated-at', '2026-11-02T07:57:00Z', '-o', '-']);
    assert.equal(accepted.code, 0, accepted.stderr);
    const strict = await runCli(['import', DEMO_REPORT, '--generated-at', '2026-11-02T07:57:00Z', '--clock-skew', '0', '-o', '-']);
    assert.equal(strict.code, 2, strict.stderr);
    assert.match(oneLine(strict.stderr), /2026-11-02T08:00:00Z is 3 min 0 s after the capture time 2026-11-02T07:57:00Z \(--generated-at\); .*clock-skew tolerance 0 s/);
    assert.equal(strict.stdout, '');
    const invalid = await runCli(['import', DEMO_REPORT, '--clock-skew', '-5', '-o', '-']);
    assert.equal(invalid.code, 2);
    assert.equal(oneLine(invalid.stderr), 'iam-audit: --clock-skew must be a number of seconds from 0 to 86400, got -5');
  });

  it('report refuses a snapshot holding a past event after its capture time, naming the JSON pointer; --clock-skew accepts it', async () => {
    const snapshot = JSON.parse(await readFile(join(FIXTURES, 'demo', 'snapshot.json'), 'utf8')) as { users: { password: { lastUsed: unknown } }[] };
    snapshot.users[2]!.password.lastUsed = { known: true, value: '2026-11-02T09:00:00Z' };
    const path = join(work.path, 'late.json');
    await writeFile(path, JSON.stringify(snapshot));
    const out = join(work.path, 'late-out');
    const run = await runCli(['report', path, '-d', out, '--format', 'json']);
    assert.equal(run.code, 2, run.stderr);
    assert.equal(
      oneLine(run.stderr),
      `iam-audit: ${path}: not a valid snapshot: at /users/2/password/lastUsed/value: 2026-11-02T09:00:00Z (password last use) is 44 min 18 s after the capture time 2026-11-02T08:15:42Z; a past event cannot be later than the capture (clock-skew tolerance 5 min, see --clock-skew)`,
    );
    assert.deepEqual((await readdir(work.path)).includes('late-out'), false);
    const tolerant = await runCli(['report', path, '-d', out, '--format', 'json', '--quiet', '--clock-skew', '3600'], { env: { SOURCE_DATE_EPOCH: '1767364200' } });
    assert.ok(tolerant.code === 0 || tolerant.code === 1, tolerant.stderr);
    const written = (await readdir(out)).find((name) => name.endsWith('.json') && !name.includes('manifest'));
    const report = withFlatResults(JSON.parse(await readFile(join(out, written ?? ''), 'utf8')) as object);
    // Accepted within the tolerance, the late instant still never makes a PASS: the engine says why.
    const carol = report.results.filter((result) => result.resource_arn.split('#')[0] === 'arn:aws:iam::111122223333:user/security/carol.secops');
    assert.ok(carol.length > 0);
    assert.deepEqual(carol.filter((result) => result.status === 'pass'), []);
    assert.ok(carol.some((result) => result.status === 'error' && /after 2026-11-02T08:15:42Z \(\/users\/2\/password\/lastUsed = 2026-11-02T09:00:00Z\)/.test(result.reason ?? '')));
  });

  it(`a report over the import limit (${MAX_REPORT_BYTES} bytes) is refused before it is read: exit 2, the limit named, nothing written`, async () => {
    const big = join(work.path, 'big.csv');
    await writeFile(big, '');
    // A sparse file: 200 MB that take no disk and no time to write.
    const { truncate } = await import('node:fs/promises');
    await truncate(big, 200 * 1024 * 1024);
    const run = await runCli(['import', big, '-o', join(work.path, 'big.json')]);
    assert.equal(run.code, 2, run.stderr);
    assert.equal(
      oneLine(run.stderr),
      `iam-audit: ${big}: 209715200 bytes (200 MiB) is over the import limit of ${MAX_REPORT_BYTES} bytes (64 MiB): its snapshot, 5 to 6 times the report's size, would be over the 512 MiB a snapshot can have to be read back (IAM's largest account, 5,000 users, has a report of about 1.5 MB)`,
    );
    assert.equal((await readdir(work.path)).includes('big.json'), false);
  });
});
