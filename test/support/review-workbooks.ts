/**
 * A reviewer's side of an access review, for the review tests: fill a returned workbook as a
 * spreadsheet program would (exceljs for XLSX, csv-parse/stringify for CSV), and re-save one with
 * LibreOffice (soffice --headless --convert-to xlsx, its own profile per call so parallel runs do
 * not collide).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';

const run = promisify(execFile);

export interface RowAnswer {
  readonly decision: string;
  readonly justification?: string;
  /** "Reviewed by"; left as review start prefilled it when absent. */
  readonly reviewedBy?: string;
  /** A fact column edited by hand: [column, new text]. */
  readonly edit?: readonly [string, string];
}

/** Answers by identity name; rows not named stay open. */
export type Answers = Readonly<Record<string, RowAnswer>>;

function applyAnswer(header: readonly string[], cells: string[], answer: RowAnswer): void {
  const at = (name: string): number => header.indexOf(name);
  cells[at('Decision')] = answer.decision;
  cells[at('Justification')] = answer.justification ?? '';
  if (answer.reviewedBy !== undefined) cells[at('Reviewed by')] = answer.reviewedBy;
  if (answer.edit !== undefined) cells[at(answer.edit[0])] = answer.edit[1];
}

/** Fills an XLSX workbook and saves it at `outPath`. */
export async function fillXlsx(path: string, answers: Answers, outPath: string): Promise<void> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(path);
  const sheet = workbook.getWorksheet('Access review');
  if (sheet === undefined) throw new Error(`${path}: no "Access review" sheet`);
  const header = (sheet.getRow(1).values as unknown[]).slice(1).map(String);
  const identityColumn = header.indexOf('Identity') + 1;
  sheet.eachRow((row, number) => {
    if (number === 1) return;
    const answer = answers[String(row.getCell(identityColumn).value)];
    if (answer === undefined) return;
    const cells = header.map((_, index) => String(row.getCell(index + 1).value ?? ''));
    applyAnswer(header, cells, answer);
    cells.forEach((value, index) => {
      if (value !== String(row.getCell(index + 1).value ?? '')) row.getCell(index + 1).value = value;
    });
  });
  await workbook.xlsx.writeFile(outPath);
}

/** Fills a CSV workbook and saves it at `outPath`. */
export async function fillCsv(path: string, answers: Answers, outPath: string): Promise<void> {
  const [header = [], ...rows] = parse(await readFile(path, 'utf8'), { relax_column_count: true }) as string[][];
  const identity = header.indexOf('Identity');
  for (const cells of rows) {
    const name = (cells[identity] ?? '').replace(/^'/, '');
    const answer = answers[name];
    if (answer !== undefined) applyAnswer(header, cells, answer);
  }
  await writeFile(outPath, stringify([header, ...rows], { record_delimiter: 'windows' }));
}

/** Re-saves an XLSX file with LibreOffice Calc, as a person using it would; returns the new file's path. */
export async function resaveWithLibreOffice(path: string, outDir: string): Promise<string> {
  const profile = await mkdtemp(join(tmpdir(), 'iam-audit-soffice-'));
  try {
    await run('soffice', [`-env:UserInstallation=file://${profile}`, '--headless', '--convert-to', 'xlsx', '--outdir', outDir, path], { timeout: 120_000 });
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
  return join(outDir, basename(path));
}
