/**
 * The reviewer's workbook (exceljs): one sheet of identities with a hidden row key in column A, the
 * facts (locked: the sheet is protected), a Decision column restricted to keep / revoke / reduce by
 * a data-validation list, Justification, and "Reviewed by" prefilled with the reviewer's id; a
 * hidden sheet names the campaign and the reviewer. The same rows as CSV for people without a
 * spreadsheet program. Reading takes either back, by the header names, whatever program saved it.
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import type { Campaign, CampaignIdentity, Reviewer } from '../../config/review-files.js';
import { toCsv } from '../../render/csv-safety.js';
import { InputError } from '../../util/errors.js';

export const ROW_KEY_HEADER = 'Row key';
export const DECISION_HEADER = 'Decision';
export const JUSTIFICATION_HEADER = 'Justification';
export const REVIEWED_BY_HEADER = 'Reviewed by';
const SHEET_NAME = 'Access review';
const META_SHEET_NAME = 'Campaign';

export function workbookHeader(campaign: Campaign): string[] {
  return [ROW_KEY_HEADER, ...campaign.factColumns, DECISION_HEADER, JUSTIFICATION_HEADER, REVIEWED_BY_HEADER];
}

function rowOf(identity: CampaignIdentity): string[] {
  return [identity.rowKey, ...identity.facts, '', '', identity.reviewer];
}

/** The reviewer's workbook as XLSX bytes. */
export async function reviewerWorkbook(campaign: Campaign, reviewer: Reviewer, identities: readonly CampaignIdentity[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = `${campaign.tool.name} ${campaign.tool.version}`;
  workbook.created = new Date(campaign.createdAt);
  workbook.modified = new Date(campaign.createdAt);
  workbook.title = `Access review ${campaign.id}`;
  workbook.subject = `Identities for ${reviewer.name} (${reviewer.id}) to review${campaign.dueDate === null ? '' : ` by ${campaign.dueDate}`}`;
  const sheet = workbook.addWorksheet(SHEET_NAME, { views: [{ state: 'frozen', xSplit: 4, ySplit: 1 }] });
  const header = workbookHeader(campaign);
  sheet.addRow(header);
  sheet.getRow(1).font = { bold: true };
  const decisionColumn = header.indexOf(DECISION_HEADER) + 1;
  for (const identity of identities) {
    const row = sheet.addRow(rowOf(identity));
    for (let column = decisionColumn; column <= header.length; column += 1) row.getCell(column).protection = { locked: false };
  }
  // One validation over the whole column range: exceljs merges per-cell validations into ranges
  // sorted as text (O10 before O2), which gives overlapping ranges that Excel offers to "repair".
  const letter = sheet.getColumn(decisionColumn).letter;
  (sheet as unknown as { dataValidations: { add(address: string, validation: ExcelJS.DataValidation): void } }).dataValidations.add(`${letter}2:${letter}${Math.max(2, identities.length + 1)}`, {
    type: 'list',
    allowBlank: true,
    formulae: ['"keep,revoke,reduce"'],
    showErrorMessage: true,
    errorStyle: 'stop',
    errorTitle: 'Decision',
    error: 'Choose keep, revoke or reduce',
  });
  sheet.getColumn(1).hidden = true;
  header.forEach((name, index) => {
    sheet.getColumn(index + 1).width = name === JUSTIFICATION_HEADER ? 40 : name === 'Access keys' || name === 'ARN' ? 36 : 18;
  });
  // Locks the facts against casual edits; collect compares every fact with the campaign anyway.
  await sheet.protect('', { selectLockedCells: true, selectUnlockedCells: true, formatColumns: true, formatRows: true, autoFilter: true });
  const meta = workbook.addWorksheet(META_SHEET_NAME, { state: 'veryHidden' });
  meta.addRow(['campaign', campaign.id]);
  meta.addRow(['reviewer', reviewer.id]);
  meta.addRow(['due', campaign.dueDate ?? '']);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** The same rows as CSV (cells that a spreadsheet would take for a formula are quoted with '). */
export function reviewerCsv(campaign: Campaign, identities: readonly CampaignIdentity[]): string {
  return toCsv(workbookHeader(campaign), identities.map(rowOf));
}

/** One row of a returned workbook, as text. */
export interface ReturnedRow {
  readonly file: string;
  /** The row's number in the sheet or CSV file (the header is row 1). */
  readonly row: number;
  readonly rowKey: string;
  /** Each fact column's cell, by the campaign's fact column names (missing columns absent). */
  readonly facts: ReadonlyMap<string, string>;
  readonly decision: string;
  readonly justification: string;
  readonly reviewedBy: string;
}

/** A cell's text, whatever the program that saved it made of it (rich text, formula results, numbers). */
function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((part) => part.text).join('');
    if ('result' in value) return cellText((value.result ?? null) as ExcelJS.CellValue);
    if ('text' in value) return String(value.text);
    if ('error' in value) return String(value.error);
  }
  return String(value);
}

function rowsFromTable(file: string, table: readonly (readonly string[])[], factColumns: readonly string[]): ReturnedRow[] {
  const [header, ...body] = table;
  if (header === undefined) throw new InputError(file, null, 'empty: no header row');
  const names = header.map((name) => name.trim());
  const at = (name: string): number => names.indexOf(name);
  for (const name of [ROW_KEY_HEADER, DECISION_HEADER, JUSTIFICATION_HEADER, REVIEWED_BY_HEADER]) {
    if (at(name) === -1) throw new InputError(file, 'row 1', `no "${name}" column; return the workbook review start wrote, with its columns`);
  }
  const rows: ReturnedRow[] = [];
  body.forEach((cells, index) => {
    const cell = (name: string): string => (at(name) === -1 ? '' : (cells[at(name)] ?? ''));
    if (cells.every((value) => value.trim() === '')) return;
    const facts = new Map<string, string>();
    for (const column of factColumns) if (at(column) !== -1) facts.set(column, cell(column));
    rows.push({
      file,
      row: index + 2,
      rowKey: cell(ROW_KEY_HEADER).trim(),
      facts,
      decision: cell(DECISION_HEADER).trim().toLowerCase(),
      justification: cell(JUSTIFICATION_HEADER).trim(),
      reviewedBy: cell(REVIEWED_BY_HEADER).trim(),
    });
  });
  return rows;
}

/** A returned file: its rows, and the campaign its hidden sheet names (null for CSV, or when the sheet is gone). */
export interface ReturnedFile {
  readonly rows: ReturnedRow[];
  readonly campaignId: string | null;
}

async function xlsxTable(path: string, bytes: Buffer): Promise<{ table: string[][]; campaignId: string | null }> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (error) {
    throw new InputError(path, null, `not a readable XLSX workbook (${(error as Error).message.split('\n')[0] ?? ''})`);
  }
  const sheet = workbook.getWorksheet(SHEET_NAME) ?? workbook.worksheets.find((candidate) => candidate.state === 'visible');
  if (sheet === undefined) throw new InputError(path, null, `no "${SHEET_NAME}" sheet`);
  const table: string[][] = [];
  const width = sheet.columnCount;
  for (let number = 1; number <= sheet.rowCount; number += 1) {
    const row = sheet.getRow(number);
    table.push(Array.from({ length: width }, (_, column) => cellText(row.getCell(column + 1).value)));
  }
  const meta = workbook.getWorksheet(META_SHEET_NAME);
  const campaignId = meta === undefined || cellText(meta.getCell('A1').value) !== 'campaign' ? null : cellText(meta.getCell('B1').value).trim();
  return { table, campaignId: campaignId === '' ? null : campaignId };
}

/** The rows of a returned XLSX or CSV file (told apart by their bytes: an XLSX file is a zip). */
export async function readReturnedFile(path: string, factColumns: readonly string[]): Promise<ReturnedFile> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(path, null, code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? 'error'})`);
  }
  if (bytes.subarray(0, 2).toString('latin1') === 'PK') {
    const { table, campaignId } = await xlsxTable(path, bytes);
    return { rows: rowsFromTable(path, table, factColumns), campaignId };
  }
  let table: string[][];
  try {
    const raw = bytes.toString('utf8');
    const text = raw.startsWith('\uFEFF') ? raw.slice(1) : raw;
    // Excel saves CSV with the list separator of its locale: a semicolon in much of Europe.
    const firstLine = text.slice(0, text.search(/\r?\n|$/));
    const delimiter = [',', ';', '\t'].find((candidate) => firstLine.startsWith(`${ROW_KEY_HEADER}${candidate}`)) ?? ',';
    table = parse(text, { delimiter, relax_column_count: true, skip_empty_lines: true }) as string[][];
  } catch (error) {
    throw new InputError(path, null, `neither an XLSX workbook nor readable CSV (${(error as Error).message.split('\n')[0] ?? ''})`);
  }
  return { rows: rowsFromTable(path, table, factColumns), campaignId: null };
}
