/** Save bytes the worker produced (a CSV or Excel export) as a file download. */
import { i18n } from '../i18n/i18n.svelte.ts';
import type { ExportAs, ExportFormat } from '../models/list-export.ts';
import { notebook } from '../notebook/notebook.svelte.ts';

export function downloadBytes(bytes: Uint8Array, filename: string, type = 'text/csv;charset=utf-8'): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

const TYPES: Record<ExportFormat, string> = { csv: 'text/csv;charset=utf-8', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' };

/** How the page asks for a customer list: in its language, with the currency it knows for the money headers. */
export function exportAs(format: ExportFormat = 'csv'): Required<ExportAs> {
  return { lang: i18n.locale, currency: notebook.currency, format };
}

/** Save a customer list export as `name.csv` or `name.xlsx`. */
export function saveList(bytes: Uint8Array, name: string, format: ExportFormat): void {
  downloadBytes(bytes, `${name}.${format}`, TYPES[format]);
}
