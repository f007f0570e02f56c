/** JSON (an array of objects, or an object holding one) and NDJSON (one object per line) → Arrow IPC of text columns. */
import { InputError } from './sniff.ts';
import { columnNames, plainNumber, reason, textTableIpc } from './decode-arrow.ts';
import type { DecodeOptions, Decoded } from './decoders.ts';

type Row = Record<string, unknown>;

export async function decodeJson(file: string, bytes: Uint8Array, opts: DecodeOptions): Promise<Decoded> {
  const text = decodeText(file, bytes, opts);
  let value: unknown;
  try {
    value = parseJson(text);
  } catch (e) {
    // Report where the original text breaks (the big-integer guard may have shifted positions).
    const err = firstError(text) ?? e;
    const line = errorLine(text, err);
    throw line ? new InputError(file, 'json_invalid_line', { reason: jsonReason(err), line }) : new InputError(file, 'json_invalid', { reason: jsonReason(err) });
  }
  if (Array.isArray(value)) return { ipc: rowsToIpc(file, value, recordLines(text)) };
  if (isRow(value)) {
    // An object holding the records, e.g. { "orders": [ {...}, ... ] }; or else one record on its own.
    const lists = Object.keys(value).filter((k) => isRowList(value[k]));
    if (lists.length === 0) return { ipc: rowsToIpc(file, [value], [firstLine(text)]) };
    let key = lists[0];
    if (opts.sheet !== undefined) {
      if (!lists.includes(opts.sheet)) throw new InputError(file, 'json_no_list', { wanted: opts.sheet, lists });
      key = opts.sheet;
    }
    const rows = value[key] as unknown[];
    return { ipc: rowsToIpc(file, rows, recordLines(text, key)), ...(lists.length > 1 ? { sheets: lists, sheet: key } : {}) };
  }
  throw new InputError(file, 'json_single_value');
}

export async function decodeNdjson(file: string, bytes: Uint8Array, opts: DecodeOptions): Promise<Decoded> {
  const text = decodeText(file, bytes, opts);
  const records: Row[] = [];
  const lines: number[] = [];
  let start = 0;
  for (let line = 1; start <= text.length; line++) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const raw = text.slice(start, end).trim();
    start = end + 1;
    if (raw === '') continue;
    let value: unknown;
    try {
      value = parseJson(raw);
    } catch (e) {
      throw new InputError(file, 'ndjson_invalid', { reason: jsonReason(firstError(raw) ?? e), line });
    }
    if (!isRow(value)) throw new InputError(file, 'ndjson_not_object', { line });
    records.push(value);
    lines.push(line);
  }
  return { ipc: rowsToIpc(file, records, lines) };
}

function decodeText(file: string, bytes: Uint8Array, opts: DecodeOptions): string {
  try {
    return new TextDecoder(opts.encoding).decode(bytes.subarray(opts.bom));
  } catch (e) {
    throw new InputError(file, 'decode', { encoding: opts.encoding, reason: reason(e) });
  }
}

/** Integers longer than a double holds exactly (ids, order numbers): quoted before parsing so their digits survive. */
const LONG_INT = /"[^"\\]*(?:\\.[^"\\]*)*"|(?<![\w.+-])-?\d{16,}(?![\w.])/g;

function parseJson(text: string): unknown {
  if (!/\d{16}/.test(text)) return JSON.parse(text);
  return JSON.parse(text.replace(LONG_INT, (m) => (m.charCodeAt(0) === 34 ? m : `"${m}"`)));
}

function firstError(text: string): unknown {
  try {
    JSON.parse(text);
    return undefined;
  } catch (e) {
    return e;
  }
}

/** JSON.parse's message on one line; V8 quotes the text around the fault, which may span lines. */
function jsonReason(e: unknown): string {
  const msg = (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ').trim();
  return msg.length > 200 ? msg.slice(0, 200) + '…' : msg;
}

function errorLine(text: string, e: unknown): number | undefined {
  const pos = /at position (\d+)/.exec(reason(e))?.[1];
  if (pos === undefined) return undefined;
  return lineAt(text, Math.min(Number(pos), text.length));
}

function isRow(v: unknown): v is Row {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isRowList(v: unknown): boolean {
  return Array.isArray(v) && v.length > 0 && v.every((x) => isRow(x) || x === null);
}

/** Records → one text column per key, in first-seen order; nested values as JSON text. `lines[i]` is where record i starts in the file. */
function rowsToIpc(file: string, records: readonly unknown[], lines: readonly number[]): Uint8Array {
  const index = new Map<string, number>();
  const columns: (string | null)[][] = [];
  const kept: number[] = [];
  let n = 0;
  for (let i = 0; i < records.length; i++) {
    const rec = records[i];
    if (rec === null) continue;
    if (!isRow(rec)) throw new InputError(file, 'json_not_record', { item: i + 1, kind: kindOf(rec), line: lines[i] });
    kept.push(lines[i] ?? i + 1);
    for (const key in rec) {
      let c = index.get(key);
      if (c === undefined) {
        c = columns.length;
        index.set(key, c);
        columns.push(new Array<string | null>(n).fill(null));
      }
      columns[c].push(valueText(rec[key]));
    }
    n++;
    for (const col of columns) if (col.length < n) col.push(null);
  }
  if (columns.length === 0) throw new InputError(file, n === 0 ? 'json_no_records' : 'json_no_fields');
  return textTableIpc(columnNames([...index.keys()]), columns, kept);
}

function valueText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return plainNumber(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return JSON.stringify(v);
}

function kindOf(v: unknown): 'array' | 'string' | 'number' | 'boolean' | 'other' {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return typeof v as 'string' | 'number' | 'boolean';
  return 'other';
}

function firstLine(text: string): number {
  const at = text.search(/\S/);
  return at < 0 ? 1 : lineAt(text, at);
}

function lineAt(text: string, end: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/**
 * The line on which each element of the records list starts: the top-level array, or the array under `key` in
 * the top-level object. Scans the (valid) JSON text once, skipping strings, so a pretty-printed record is named
 * by its first line.
 */
export function recordLines(text: string, key?: string): number[] {
  let lines: number[] = [];
  const stack: { ch: '{' | '['; target: boolean }[] = [];
  let line = 1;
  let expectElement = false;
  let expectKey = false;
  let lastKey: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') line++;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') continue;
    const top = stack[stack.length - 1];
    if (expectElement && top?.target && c !== ']') lines.push(line);
    expectElement = false;
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (expectKey && stack.length === 1) lastKey = JSON.parse(text.slice(i, j + 1)) as string;
      expectKey = false;
      i = j;
    } else if (c === '[') {
      const target = key === undefined ? stack.length === 0 : stack.length === 1 && stack[0].ch === '{' && lastKey === key;
      if (target) lines = [];
      stack.push({ ch: '[', target });
      expectElement = target;
    } else if (c === '{') {
      stack.push({ ch: '{', target: false });
      expectKey = stack.length === 1;
    } else if (c === ']' || c === '}') {
      stack.pop();
    } else if (c === ',') {
      if (top?.target) expectElement = true;
      else if (top?.ch === '{' && stack.length === 1) expectKey = true;
    }
  }
  return lines;
}
