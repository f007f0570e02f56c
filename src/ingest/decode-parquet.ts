/**
 * Parquet → Arrow IPC with parquet-wasm (Rust's arrow/parquet crates in WebAssembly): the file is read in record batches
 * straight into Arrow, so a multi-million-row file never becomes JS objects. Typed columns pass through (DuckDB casts them
 * to text); a few types DuckDB-WASM cannot take are converted first.
 *
 * Node loads parquet-wasm's node build with no setup. In the browser the ESM build fetches its `.wasm`: call
 * `setParquetWasmUrl(url)` first (e.g. with `import url from 'parquet-wasm/esm/parquet_wasm_bg.wasm?url'`).
 */
import type * as ParquetWasm from 'parquet-wasm';
import {
  Decimal, Field, Float16, Float32, Message, Schema, Table, Timestamp, TimeUnit, Type, Utf8,
  makeData, makeVector, tableFromIPC, tableToIPC, type Data, type DataType, type Vector,
} from 'apache-arrow';
import { InputError } from './sniff.ts';
import { columnNames, reason } from './decode-arrow.ts';
import { float32Vector, utf8Vector } from './arrow-vectors.ts';
import type { Decoded } from './decoders.ts';

/** What parquet-wasm's ESM build can instantiate from: a URL, a fetch Response, the bytes, or a compiled module. */
export type ParquetWasmSource = string | URL | Response | BufferSource | WebAssembly.Module;

let wasmSource: ParquetWasmSource | undefined;
let loading: Promise<typeof ParquetWasm> | undefined;

/** Where the browser build finds `parquet_wasm_bg.wasm` (call once, before the first Parquet file; not needed in Node). */
export function setParquetWasmUrl(source: ParquetWasmSource): void {
  wasmSource = source;
}

function loadParquetWasm(): Promise<typeof ParquetWasm> {
  loading ??= (async () => {
    // Resolves to the node build under Node (instantiated on import) and to the ESM build in a bundle (needs init).
    const mod = await import('parquet-wasm');
    const init: unknown = (mod as { default?: unknown }).default;
    if (typeof init === 'function') await (init as typeof ParquetWasm.default)(wasmSource === undefined ? undefined : { module_or_path: wasmSource });
    return mod;
  })();
  loading.catch(() => (loading = undefined));
  return loading;
}

/** Rows per record batch: bounds the WebAssembly memory the reader holds at once. */
const BATCH_ROWS = 65_536;

/**
 * The file as a sequence of self-contained Arrow IPC streams (one record batch each, all with the same schema), for
 * callers that append batch by batch (`insertArrow(table, ipc, false)`) instead of holding the whole file as one stream.
 */
export async function* parquetIpcStreams(file: string, bytes: Uint8Array, batchRows = BATCH_ROWS): AsyncGenerator<Uint8Array> {
  let pq: typeof ParquetWasm;
  try {
    pq = await loadParquetWasm();
  } catch (e) {
    throw new InputError(file, 'parquet_start', { reason: reason(e) });
  }
  const bad = (e: unknown) => (e instanceof InputError ? e : new InputError(file, 'parquet_unreadable', { reason: reason(e) }));
  let pf: ParquetWasm.ParquetFile;
  let fix: Fix;
  try {
    // A Blob lets the reader fetch only the byte ranges it needs, instead of copying the whole file into WebAssembly memory.
    pf = await pq.ParquetFile.fromFile(new Blob([bytes as Uint8Array<ArrayBuffer>]));
    fix = planFix(pf.schema().intoIPCStream());
  } catch (e) {
    throw bad(e);
  }
  try {
    const reader = (await pf.stream({ batchSize: batchRows })).getReader();
    let batches = 0;
    for (;;) {
      let next: ReadableStreamReadResult<ParquetWasm.RecordBatch>;
      try {
        next = await reader.read();
      } catch (e) {
        throw bad(e);
      }
      if (next.done) break;
      batches++;
      yield fix(next.value.intoIPCStream());
    }
    if (batches === 0) yield fix(pf.schema().intoIPCStream());
  } finally {
    pf.free();
  }
}

export async function decodeParquet(file: string, bytes: Uint8Array): Promise<Decoded> {
  // Keep one schema, then every stream's dictionary and record batch messages, then one end-of-stream marker.
  const parts: Uint8Array[] = [];
  let size = EOS.length;
  for await (const ipc of parquetIpcStreams(file, bytes)) {
    const msgs = messages(ipc);
    const from = parts.length === 0 ? 0 : msgs[0].end;
    const last = msgs[msgs.length - 1];
    const to = last.eos ? last.start : ipc.length;
    parts.push(ipc.subarray(from, to));
    size += to - from;
  }
  const ipc = new Uint8Array(size);
  let at = 0;
  for (let i = 0; i < parts.length; i++) {
    ipc.set(parts[i], at);
    at += parts[i].length;
    parts[i] = EMPTY; // let each part go once copied
  }
  ipc.set(EOS, at);
  return { ipc };
}

const EMPTY = new Uint8Array(0);
const EOS = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);

/** The messages of an Arrow IPC stream: where each starts and ends (metadata and body), read straight from the framing. */
function messages(buf: Uint8Array): { start: number; end: number; eos: boolean }[] {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: { start: number; end: number; eos: boolean }[] = [];
  let p = 0;
  while (p + 4 <= buf.length) {
    const start = p;
    let len = dv.getInt32(p, true);
    p += 4;
    if (len === -1) {
      len = dv.getInt32(p, true);
      p += 4;
    }
    if (len === 0) {
      out.push({ start, end: p, eos: true });
      break;
    }
    // Message flatbuffer: root table → vtable; field 3 is bodyLength (int64).
    const table = p + dv.getUint32(p, true);
    const vtable = table - dv.getInt32(table, true);
    const slot = dv.getUint16(vtable, true) >= 12 ? dv.getUint16(vtable + 10, true) : 0;
    const body = slot ? Number(dv.getBigInt64(table + slot, true)) : 0;
    p += len + body;
    out.push({ start, end: p, eos: false });
  }
  return out;
}

type Fix = (ipc: Uint8Array) => Uint8Array;

/**
 * How to make each batch fit DuckDB-WASM: unique column names (DuckDB ignores case), zone-less timestamps (shown as
 * wall-clock text in the file's zone), Float16 → Float32, Decimal256 → text. Only the schema message changes unless
 * values must be converted.
 */
function planFix(schemaIpc: Uint8Array): Fix {
  let schema: Schema;
  try {
    schema = tableFromIPC(schemaIpc).schema;
  } catch {
    return (ipc) => ipc; // a type apache-arrow cannot parse: hand the stream to DuckDB as it is
  }
  const names = columnNames(schema.fields.map((f) => f.name));
  const convert: ((v: Vector) => Vector)[] = [];
  let schemaOnly = false;
  const fields = schema.fields.map((f, i) => {
    const type = f.type as DataType;
    if (names[i] !== f.name) schemaOnly = true;
    if (type.typeId === Type.Timestamp && (type as Timestamp).timezone) {
      const offset = zoneOffset((type as Timestamp).timezone!);
      if (offset === 0) {
        schemaOnly = true;
        return new Field(names[i], new Timestamp((type as Timestamp).unit, null), f.nullable, f.metadata);
      }
      if (offset) convert[i] = (v) => shiftTimestamps(v as Vector<Timestamp>, offset);
    } else if (type.typeId === Type.Float && (type as Float16).precision === 0) {
      convert[i] = (v) => float16To32(v as Vector<Float16>);
    } else if (type.typeId === Type.Decimal && ((type as Decimal).bitWidth > 128 || (type as Decimal).precision > 38)) {
      convert[i] = (v) => decimalText(v as Vector<Decimal>);
    }
    return names[i] === f.name ? f : new Field(names[i], type, f.nullable, f.metadata);
  });

  if (convert.some(Boolean)) {
    return (ipc) => {
      const table = tableFromIPC(ipc);
      const cols: Record<string, Vector> = {};
      names.forEach((name, i) => {
        const v = table.getChildAt(i)!;
        cols[name] = convert[i] ? convert[i](v) : fields[i].type === v.type ? v : retype(v, fields[i].type);
      });
      return tableToIPC(new Table(cols), 'stream');
    };
  }
  if (!schemaOnly) return (ipc) => ipc;
  const newSchema = frame(Message.encode(Message.from(new Schema(fields, schema.metadata, schema.dictionaries))));
  return (ipc) => {
    const first = messages(ipc)[0];
    const out = new Uint8Array(newSchema.length + ipc.length - first.end);
    out.set(newSchema, 0);
    out.set(ipc.subarray(first.end), newSchema.length);
    return out;
  };
}

/** One IPC message from its flatbuffer metadata: continuation marker, length, metadata padded to 8 bytes. */
function frame(meta: Uint8Array): Uint8Array {
  const padded = (meta.length + 7) & ~7;
  const out = new Uint8Array(8 + padded);
  const dv = new DataView(out.buffer);
  dv.setInt32(0, -1, true);
  dv.setInt32(4, padded, true);
  out.set(meta, 8);
  return out;
}

function retype(v: Vector, type: DataType): Vector {
  return makeVector(v.data.map((d) => d.clone(type)));
}

const UNIT_PER_SECOND: Record<TimeUnit, bigint> = {
  [TimeUnit.SECOND]: 1n,
  [TimeUnit.MILLISECOND]: 1_000n,
  [TimeUnit.MICROSECOND]: 1_000_000n,
  [TimeUnit.NANOSECOND]: 1_000_000_000n,
};

/**
 * A zone's UTC offset in seconds as a function of the instant (ms), 0 for UTC itself, undefined when the zone is unknown.
 * Fixed offsets (`+08:00`) and IANA names (`Asia/Shanghai`, through Intl) are understood.
 */
function zoneOffset(zone: string): 0 | ((ms: number) => number) | undefined {
  const z = zone.trim();
  if (/^(utc|gmt|z|etc\/utc|etc\/gmt|etc\/uct|uct|zulu|universal)$/i.test(z)) return 0;
  const fixed = /^(?:utc|gmt)?([+-])(\d{1,2}):?(\d{2})?$/i.exec(z);
  if (fixed) {
    const secs = (fixed[1] === '-' ? -1 : 1) * (Number(fixed[2]) * 3600 + Number(fixed[3] ?? 0) * 60);
    return secs === 0 ? 0 : () => secs;
  }
  let fmt: Intl.DateTimeFormat;
  try {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: z, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
  } catch {
    return undefined;
  }
  const cache = new Map<number, number>();
  return (ms) => {
    const hour = Math.floor(ms / 3_600_000);
    let off = cache.get(hour);
    if (off === undefined) {
      const at = hour * 3_600_000;
      const p: Record<string, number> = {};
      for (const part of fmt.formatToParts(at)) if (part.type !== 'literal') p[part.type] = Number(part.value);
      off = (Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - at) / 1000;
      cache.set(hour, off);
    }
    return off;
  };
}

/** UTC instants → the same wall clock in their zone, as zone-less timestamps. */
function shiftTimestamps(v: Vector<Timestamp>, offset: (ms: number) => number): Vector {
  return makeVector(
    v.data.map((d: Data<Timestamp>) => {
      const perSecond = UNIT_PER_SECOND[d.type.unit];
      const values = (d.values as unknown as BigInt64Array).slice();
      for (let i = d.offset; i < d.offset + d.length; i++) {
        if (!d.getValid(i - d.offset)) continue;
        const ms = Number((values[i] * 1000n) / perSecond);
        values[i] += BigInt(offset(ms)) * perSecond;
      }
      return makeData({ type: new Timestamp(d.type.unit, null), offset: d.offset, length: d.length, nullCount: d.nullCount, nullBitmap: d.nullBitmap, data: values });
    }),
  );
}

function float16To32(v: Vector<Float16>): Vector {
  const out: (number | null)[] = new Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v.get(i);
  return float32Vector(out);
}

/** Decimals wider than DuckDB's DECIMAL(38) as their exact digits. */
function decimalText(v: Vector<Decimal>): Vector {
  const out: (string | null)[] = [];
  for (const d of v.data as Data<Decimal>[]) {
    const words = d.type.bitWidth / 32;
    const values = d.values as Uint32Array;
    for (let i = 0; i < d.length; i++) {
      if (!d.getValid(i)) {
        out.push(null);
        continue;
      }
      let x = 0n;
      const base = (d.offset + i) * words;
      for (let k = words - 1; k >= 0; k--) x = (x << 32n) | BigInt(values[base + k]);
      x = BigInt.asIntN(d.type.bitWidth, x);
      out.push(scaled(x, d.type.scale));
    }
  }
  return utf8Vector(out);
}

function scaled(x: bigint, scale: number): string {
  const neg = x < 0n;
  let digits = (neg ? -x : x).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = digits.slice(0, -scale) + '.' + digits.slice(-scale);
  } else if (scale < 0) digits += '0'.repeat(-scale);
  return (neg ? '-' : '') + digits;
}
