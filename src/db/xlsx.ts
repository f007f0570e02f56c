/** Query rows → an Excel workbook (one sheet, a header row), written with SheetJS CE (`@e965/xlsx`). */
import { utils, write } from '@e965/xlsx';

/** Bytes of an .xlsx file holding `table` (columns in the order of the first row's keys); null cells stay empty. */
export function xlsxBytes(table: Record<string, unknown>[], sheet: string, columns: string[] = Object.keys(table[0] ?? {})): Uint8Array {
  const aoa: unknown[][] = [columns, ...table.map((row) => columns.map((c) => row[c] ?? null))];
  const wb = utils.book_new();
  utils.book_append_sheet(wb, utils.aoa_to_sheet(aoa), sheet);
  return new Uint8Array(write(wb, { type: 'array', bookType: 'xlsx', compression: true }) as ArrayBuffer);
}
