/** Recognise what a dropped file is (format, encoding, text shape) from its first bytes. */
import { InputError } from './errors.ts';

export { InputError } from './errors.ts';

export type Format = 'csv' | 'whitespace' | 'baskets' | 'xlsx' | 'xls' | 'parquet' | 'json' | 'ndjson';
export type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'gb18030';

export interface Sniffed {
  format: Format;
  encoding: Encoding;
  /** Bytes of a byte-order mark to skip. */
  bom: number;
  /** For whitespace files: whether the first line names the columns. */
  header?: boolean;
}

const HEAD = 256 * 1024;

/** Look at the first bytes of `bytes` and decide how to read the file. */
export function sniff(file: string, bytes: Uint8Array): Sniffed {
  if (bytes.length === 0) throw new InputError(file, 'empty');
  const head = bytes.subarray(0, HEAD);
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04])) return { format: 'xlsx', encoding: 'utf-8', bom: 0 };
  if (startsWith(head, [0x50, 0x41, 0x52, 0x31])) return { format: 'parquet', encoding: 'utf-8', bom: 0 };
  // An OLE2 compound file: Excel 97–2003 (.xls), still common in shop and ERP exports; SheetJS reads it.
  if (startsWith(head, [0xd0, 0xcf, 0x11, 0xe0])) return { format: 'xls', encoding: 'utf-8', bom: 0 };
  const { encoding, bom } = detectEncoding(head);
  const text = decodeHead(head.subarray(bom), encoding);
  if (looksBinary(text)) throw new InputError(file, 'binary');
  const trimmed = text.trimStart();
  if (trimmed.length === 0) throw new InputError(file, 'blank');
  if (trimmed[0] === '[') return { format: 'json', encoding, bom };
  if (trimmed[0] === '{') {
    const first = trimmed.split('\n', 1)[0].trim();
    return { format: first.endsWith('}') && /\n\s*\{/.test(trimmed) ? 'ndjson' : 'json', encoding, bom };
  }
  return { ...textShape(text), encoding, bom };
}

function startsWith(b: Uint8Array, magic: number[]): boolean {
  return magic.every((m, i) => b[i] === m);
}

/** BOMs first (a UTF-8 one before GBK bytes counts for nothing); then UTF-16 by its NUL pattern; then strict UTF-8; else the Chinese national encoding. */
export function detectEncoding(head: Uint8Array): { encoding: Encoding; bom: number } {
  // A UTF-8 mark before text that is not UTF-8: GBK text saved by a program that adds the mark anyway.
  if (startsWith(head, [0xef, 0xbb, 0xbf])) return { encoding: isUtf8(head.subarray(3)) ? 'utf-8' : 'gb18030', bom: 3 };
  if (startsWith(head, [0xff, 0xfe])) return { encoding: 'utf-16le', bom: 2 };
  if (startsWith(head, [0xfe, 0xff])) return { encoding: 'utf-16be', bom: 2 };
  const n = Math.min(head.length, 4096);
  let oddNul = 0;
  let evenNul = 0;
  for (let i = 0; i < n; i++) if (head[i] === 0) (i % 2 ? oddNul++ : evenNul++);
  if (oddNul > n / 4 && evenNul === 0) return { encoding: 'utf-16le', bom: 0 };
  if (evenNul > n / 4 && oddNul === 0) return { encoding: 'utf-16be', bom: 0 };
  if (isUtf8(head)) return { encoding: 'utf-8', bom: 0 };
  return { encoding: 'gb18030', bom: 0 };
}

function isUtf8(head: Uint8Array): boolean {
  // A chunk can end inside a multi-byte character: drop up to 3 trailing bytes of an unfinished one.
  let end = head.length;
  for (let k = 1; k <= 3 && end - k >= 0; k++) {
    const b = head[end - k];
    if ((b & 0xc0) === 0x80) continue;
    if (b >= 0xc0) end -= k;
    break;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, end));
    return true;
  } catch {
    return false;
  }
}

function decodeHead(head: Uint8Array, encoding: Encoding): string {
  return new TextDecoder(encoding).decode(head);
}

function looksBinary(text: string): boolean {
  const n = Math.min(text.length, 8192);
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if ((c < 9 || (c > 13 && c < 32)) || c === 0xfffd) bad++;
  }
  return bad > n * 0.02;
}

const NUMBER = /^[-+(]?[¥￥$€£]?\d[\d,]*(\.\d+)?\)?$/;

/** Delimited (left to DuckDB's sniffer), whitespace-separated, or one basket per line. */
function textShape(text: string): { format: Format; header?: boolean } {
  const lines = text.split(/\r?\n/).slice(0, 200);
  if (lines.length > 1) lines.pop(); // the last line of a head may be cut short
  const sample = lines.filter((l) => l.trim() !== '');
  // Columns aligned with runs of spaces and tabs: tabs that do not split every line into the same number of values.
  const widths = sample.map((l) => l.split('\t').length);
  const aligned = !sample.some((l) => /[,;|]/.test(l)) && widths.some((w) => w !== widths[0]);
  const hasDelimiter = !aligned && sample.some((l) => /[,\t;|]/.test(l));
  // Values in quotes between spaces ("pan, big" 10): a space-delimited table for the delimited reader, not runs of spaces.
  if (!hasDelimiter && !sample.some((l) => /(^|\s)"[^"]*"(\s|$)/.test(l))) {
    // Most lines the same width (an odd line is reported as ragged when read).
    const counts = sample.map((l) => l.trim().split(/\s+/).length);
    const width = counts[0];
    if (counts.length > 0 && width >= 2 && counts.filter((c) => c === width).length * 3 >= counts.length * 2) {
      const first = sample[0].trim().split(/\s+/);
      const second = sample[1]?.trim().split(/\s+/) ?? [];
      const header = first.every((f) => !NUMBER.test(f)) && second.some((f) => NUMBER.test(f));
      return { format: 'whitespace', header };
    }
    return { format: 'csv' };
  }
  if (!sample.some((l) => /["\t;|]/.test(l))) {
    const fields = sample.map((l) => l.split(','));
    const counts = fields.map((f) => f.length);
    const varying = Math.min(...counts) !== Math.max(...counts);
    const numeric = fields.flat().filter((f) => NUMBER.test(f.trim()) || /\d{4}[-/]\d/.test(f)).length;
    if (varying && numeric === 0) return { format: 'baskets' };
  }
  return { format: 'csv' };
}
