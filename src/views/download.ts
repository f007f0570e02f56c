/** Save bytes the worker produced (e.g. a CSV export) as a file download. */
export function downloadBytes(bytes: Uint8Array, filename: string, type = 'text/csv;charset=utf-8'): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}
