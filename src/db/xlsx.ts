/**
 * Query rows → an Excel workbook (a header row on each sheet), written with SheetJS CE (`@e965/xlsx`). Text is
 * written as text cells (never formulas: a value like `=HYPERLINK(…)` stays the text it is), numbers as numbers.
 */
import { utils, write } from '@e965/xlsx';

/** Bytes of an .xlsx file with one sheet per entry (names already valid and unique), columns in the order of `columns`; null cells stay empty. */
export function xlsxBook(sheets: readonly { name: string; rows: Record<string, unknown>[] }[], columns: readonly string[]): Uint8Array {
  const wb = utils.book_new();
  for (const sheet of sheets) {
    const aoa: unknown[][] = [[...columns], ...sheet.rows.map((row) => columns.map((c) => row[c] ?? null))];
    utils.book_append_sheet(wb, utils.aoa_to_sheet(aoa), sheet.name);
  }
  return new Uint8Array(write(wb, { type: 'array', bookType: 'xlsx', compression: true }) as ArrayBuffer);
}
