/** XLSX → Arrow IPC of text columns, with SheetJS CE (`@e965/xlsx`): one sheet, first non-empty row as the header. */
import { read, SSF, type CellObject, type WorkBook, type WorkSheet } from '@e965/xlsx';
import { InputError } from './sniff.ts';
import { columnNames, plainNumber, reason, textTableIpc } from './decode-arrow.ts';
import type { DecodeOptions, Decoded } from './decoders.ts';

export async function decodeXlsx(file: string, bytes: Uint8Array, opts: DecodeOptions): Promise<Decoded> {
  let wb: WorkBook;
  try {
    // Dense sheets hold rows as arrays; no cell text or HTML is built. Date cells stay serial numbers with their number format (`z`),
    // turned into wall-clock text below without going through a JS Date in local time.
    wb = read(bytes, { type: 'array', dense: true, cellDates: false, cellNF: true, cellText: false, cellHTML: false, cellFormula: false, cellStyles: false, sheetStubs: false });
  } catch (e) {
    throw new InputError(file, 'xlsx_unreadable', { reason: reason(e) });
  }
  const sheets = [...wb.SheetNames];
  if (sheets.length === 0 || !wb.Sheets) throw new InputError(file, 'xlsx_no_sheets');
  const date1904 = Boolean(wb.Workbook?.WBProps?.date1904);
  const grids = new Map<string, Grid>();
  const gridOf = (name: string): Grid => {
    let g = grids.get(name);
    if (!g) grids.set(name, (g = toGrid(wb.Sheets[name], date1904)));
    return g;
  };

  let sheet: string;
  if (opts.sheet !== undefined) {
    if (!sheets.includes(opts.sheet)) throw new InputError(file, 'sheet_missing', { wanted: opts.sheet, sheets });
    sheet = opts.sheet;
    if (gridOf(sheet).rows.length === 0) throw new InputError(file, 'sheet_empty', { sheet });
  } else {
    // Hidden sheets (lookup tables, settings) come last.
    const hidden = new Set(sheets.filter((_, i) => wb.Workbook?.Sheets?.[i]?.Hidden));
    const found = [...sheets.filter((s) => !hidden.has(s)), ...hidden].find((s) => gridOf(s).rows.length > 0);
    if (found === undefined) throw sheets.length === 1 ? new InputError(file, 'sheet_empty', { sheet: sheets[0] }) : new InputError(file, 'sheets_empty', { count: sheets.length });
    sheet = found;
  }

  const grid = gridOf(sheet);
  const top = headerIndex(grid.rows);
  const [header, ...body] = grid.rows.slice(top);
  let width = header.length;
  for (const row of body) width = Math.max(width, row.length);
  // Keep a column when its header or any of its cells has something in it.
  const keep: number[] = [];
  for (let c = 0; c < width; c++) if (header[c] != null || body.some((r) => r[c] != null)) keep.push(c);
  const names = columnNames(keep.map((c) => header[c]), (i) => `column${keep[i] + 1}`);
  const columns = keep.map((c) => body.map((r) => r[c] ?? null));
  return { ipc: textTableIpc(names, columns, grid.lines.slice(top + 1)), sheets, sheet, ...(top ? { titleRows: top } : {}) };
}

/**
 * The header row: the first with two or more values and at least half as many as the widest of the first 20
 * rows, so that a title line above the table ("2024 年订单明细") is not taken for the column names.
 */
function headerIndex(rows: readonly (string | null)[][]): number {
  const counts = rows.slice(0, 20).map((r) => r.filter((v) => v !== null).length);
  const widest = Math.max(...counts);
  if (widest < 2) return 0;
  return counts.findIndex((c) => c >= 2 && c * 2 >= widest);
}

/** Non-empty rows of a sheet as text (null for an empty cell), from its first non-empty row, with their row numbers in the sheet. */
interface Grid {
  rows: (string | null)[][];
  lines: number[];
}

function toGrid(ws: WorkSheet | undefined, date1904: boolean): Grid {
  const out: Grid = { rows: [], lines: [] };
  const data = (ws as { '!data'?: (CellObject | undefined)[][] } | undefined)?.['!data'];
  if (!data) return out;
  // Dense sheets index rows from A1, so a row's index + 1 is the number Excel shows beside it.
  for (let r = 0; r < data.length; r++) {
    const row = data[r];
    if (!row) continue;
    const texts: (string | null)[] = new Array(row.length);
    let any = false;
    for (let c = 0; c < row.length; c++) {
      const t = cellText(row[c], date1904);
      texts[c] = t;
      if (t !== null) any = true;
    }
    if (!any) continue;
    while (texts.length > 0 && texts[texts.length - 1] === null) texts.pop();
    out.rows.push(texts);
    out.lines.push(r + 1);
  }
  return out;
}

/** A cell's value as text: strings as written, numbers plain (15 significant digits), dates `YYYY-MM-DD HH:MM:SS`; empty and error cells null. */
export function cellText(cell: CellObject | undefined, date1904: boolean): string | null {
  if (!cell || cell.v == null) return null;
  switch (cell.t) {
    case 's': {
      const s = String(cell.v);
      return s === '' ? null : s;
    }
    case 'n': {
      const v = cell.v as number;
      if (cell.z !== undefined && isDateFormat(cell.z)) return excelDateText(v, date1904) ?? plainNumber(v);
      return plainNumber(v);
    }
    case 'b':
      return cell.v ? 'TRUE' : 'FALSE';
    case 'd': // only with cellDates, which we do not ask for; SheetJS dates are UTC-based
      return cell.v instanceof Date ? isoUtc(cell.v.getTime()) : String(cell.v);
    case 'e':
    case 'z':
      return null;
    default:
      return String(cell.v);
  }
}

const dateFormats = new Map<string | number, boolean>();

function isDateFormat(z: string | number): boolean {
  let is = dateFormats.get(z);
  if (is === undefined) {
    try {
      is = SSF.is_date(z) === true;
    } catch {
      is = false;
    }
    dateFormats.set(z, is);
  }
  return is;
}

const EPOCH_1900 = Date.UTC(1899, 11, 30);
const EPOCH_1900_EARLY = Date.UTC(1899, 11, 31); // serials 1..59, before Excel's phantom 1900-02-29
const EPOCH_1904 = Date.UTC(1904, 0, 1);

/** An Excel date serial as wall-clock text, rounded to the second; a pure time (serial in [0, 1)) as `HH:MM:SS`. */
export function excelDateText(serial: number, date1904: boolean): string | null {
  if (!Number.isFinite(serial) || serial < 0 || serial >= 2958466) return null; // past 9999-12-31
  const seconds = Math.round(serial * 86_400);
  if (serial < 1 && seconds < 86_400) return isoUtc(seconds * 1000).slice(11);
  const epoch = date1904 ? EPOCH_1904 : serial < 60 ? EPOCH_1900_EARLY : EPOCH_1900;
  return isoUtc(epoch + seconds * 1000);
}

/** `YYYY-MM-DD HH:MM:SS` of a UTC millisecond time: Excel serials carry no zone, so UTC arithmetic keeps the wall clock. */
function isoUtc(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}
