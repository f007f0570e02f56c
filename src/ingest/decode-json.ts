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
    throw new InputError(file, 'could not read it as JSON: ' + jsonReason(err) + (line ? ` (line ${line})` : ''));
  }
  if (Array.isArray(value)) return { ipc: rowsToIpc(file, value, (i) => `item ${i + 1}`) };
  if (isRow(value)) {
    // An object holding the records, e.g. { "orders": [ {...}, ... ] }; or else one record on its own.
    const lists = Object.keys(value).filter((k) => isRowList(value[k]));
    if (lists.length === 0) return { ipc: rowsToIpc(file, [value], () => 'the object') };
    let key = lists[0];
    if (opts.sheet !== undefined) {
      if (!lists.includes(opts.sheet)) throw new InputError(file, `there is no list "${opts.sheet}"; the lists are ${lists.map((l) => `"${l}"`).join(', ')}`);
      key = opts.sheet;
    }
    const rows = value[key] as unknown[];
    return { ipc: rowsToIpc(file, rows, (i) => `"${key}" item ${i + 1}`), ...(lists.length > 1 ? { sheets: lists, sheet: key } : {}) };
  }
  throw new InputError(file, 'the JSON holds a single value, not a list of records');
}

export async function decodeNdjson(file: string, bytes: Uint8Array, opts: DecodeOptions): Promise<Decoded> {
  const text = decodeText(file, bytes, opts);
  const records: Row[] = [];
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
      throw new InputError(file, `line ${line} is not valid JSON: ${jsonReason(firstError(raw) ?? e)}`, line);
    }
    if (!isRow(value)) throw new InputError(file, `line ${line} is not a JSON object (one record per line is expected)`, line);
    records.push(value);
  }
  return { ipc: rowsToIpc(file, records, (i) => `record ${i + 1}`) };
}

function decodeText(file: string, bytes: Uint8Array, opts: DecodeOptions): string {
  try {
    return new TextDecoder(opts.encoding).decode(bytes.subarray(opts.bom));
  } catch (e) {
    throw new InputError(file, `could not decode the text as ${opts.encoding}: ${reason(e)}`);
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
  let line = 1;
  const end = Math.min(Number(pos), text.length);
  for (let i = text.indexOf('\n'); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

function isRow(v: unknown): v is Row {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isRowList(v: unknown): boolean {
  return Array.isArray(v) && v.length > 0 && v.every((x) => isRow(x) || x === null);
}

/** Records → one text column per key, in first-seen order; nested values as JSON text. */
function rowsToIpc(file: string, records: readonly unknown[], where: (i: number) => string): Uint8Array {
  const index = new Map<string, number>();
  const columns: (string | null)[][] = [];
  let n = 0;
  for (let i = 0; i < records.length; i++) {
    const rec = records[i];
    if (rec === null) continue;
    if (!isRow(rec)) throw new InputError(file, `${where(i)} is ${describe(rec)}, not a record (an object with named fields)`);
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
  if (columns.length === 0) throw new InputError(file, n === 0 ? 'the file has no records' : 'the records have no fields');
  return textTableIpc(columnNames([...index.keys()]), columns);
}

function valueText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return plainNumber(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return JSON.stringify(v);
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'number') return 'a number';
  if (typeof v === 'boolean') return 'true/false';
  return typeof v;
}
