/**
 * A Db over native DuckDB (`@duckdb/node-api`) for the headless command on files too big for a browser tab.
 *
 * Results come back as Arrow tables in the shapes DuckDB-WASM gives with the settings of `blockingDb`, so the models
 * run unchanged: BIGINT/UBIGINT as Float64 (castBigIntToDouble), HUGEINT as Decimal(38, 0), DECIMAL as 128-bit
 * Decimal, DATE as DateDay, TIMESTAMP as microsecond Timestamp, VARCHAR/ENUM/UUID as Utf8, lists and structs nested
 * the same way. Types the models never read (INTERVAL, MAP, UNION, …) arrive as their text.
 *
 * Files registered by name are written to a private folder that DuckDB searches (`file_search_path`), so the same
 * `read_csv('name')` SQL works on both engines. Arrow IPC input is written as Parquet files (parquet-wasm, one per
 * record batch) and read back, since native DuckDB has no built-in Arrow IPC reader.
 */
import { mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  DuckDBDataChunk as DataChunk, DuckDBDoubleType, DuckDBInstance, DuckDBIntegerType, DuckDBTypeId,
  type DuckDBConnection, type DuckDBDateValue, type DuckDBDecimalValue, type DuckDBListValue, type DuckDBStructValue,
  type DuckDBStructType, type DuckDBListType, type DuckDBArrayType, type DuckDBDecimalType, type DuckDBType, type DuckDBValue,
  type DuckDBBlobValue, type DuckDBDataChunk, type DuckDBVector,
} from '@duckdb/node-api';
import {
  Binary, Bool, DataType, DateDay, Decimal, Field, Float32, Float64, Int16, Int32, Int8, List, RecordBatchReader, Struct, Table,
  Precision, TimeMicrosecond, Timestamp, TimeUnit, Uint16, Uint32, Uint8, Utf8, makeData, makeVector, tableToIPC, type Data,
  type Vector,
} from 'apache-arrow';
import { spreadsheetSafeSql } from './csv.ts';
import { ident, lit, type Db } from './db.ts';

export interface NativeOptions {
  /**
   * Worker threads (default: one per core). Parallel aggregation adds floating-point values in a varying order, so
   * sums of DOUBLE can differ from the single-threaded WASM engine in the last bits; one thread gives identical bits.
   */
  threads?: number;
}

/** Open an in-memory native DuckDB with the session settings of the WASM engine. */
export async function openNativeDb(options: NativeOptions = {}): Promise<Db> {
  const dir = mkdtempSync(join(tmpdir(), 'crm-notebook-native-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const instance = await DuckDBInstance.create(':memory:', options.threads ? { threads: String(options.threads) } : {});
  return nativeConnection(instance, dir, { n: 0 });
}

/** A connection with the session settings; `seq` numbers the scratch files of every connection. */
async function nativeConnection(instance: DuckDBInstance, dir: string, seq: { n: number }): Promise<Db> {
  const conn = await instance.connect();
  await conn.run(`SET file_search_path = ${lit(dir)}; SET autoinstall_known_extensions = false`);
  // A read-only statement runs in a transaction of its own: the queries issued meanwhile wait for it to end.
  let readOnly: Promise<unknown> = Promise.resolve();
  // Statements of this connection under way in DuckDB's threads: the appender below works in this thread and only
  // when there are none.
  let running = 0;
  const counted = async <T>(task: () => Promise<T>): Promise<T> => {
    running++;
    try {
      return await task();
    } finally {
      running--;
    }
  };
  const after = <T>(task: () => Promise<T>): Promise<T> => readOnly.then(task, task);
  const db: Db = {
    async query(sql) {
      return after(() => counted(() => toArrow(conn, sql)));
    },
    async prepare(sql) {
      (await conn.prepare(sql)).destroySync();
    },
    queryReadOnly(sql) {
      const run = after(() =>
        counted(async () => {
          await conn.run('BEGIN TRANSACTION READ ONLY');
          try {
            return await toArrow(conn, sql);
          } finally {
            await conn.run('ROLLBACK');
          }
        }),
      );
      readOnly = run.catch(() => undefined);
      return run;
    },
    async registerFile(name, bytes) {
      writeFileSync(join(dir, name), bytes);
    },
    async registerPath(name, path) {
      // A link to the file where registered files are looked for: DuckDB reads the file itself, nothing is copied.
      rmSync(join(dir, name), { force: true });
      symlinkSync(resolve(path), join(dir, name));
    },
    async dropFile(name) {
      rmSync(join(dir, name), { force: true });
    },
    async insertArrow(table, ipc, create = true) {
      const plain = plainColumns(ipc);
      if (plain) {
        if (create) await counted(() => conn.run(`CREATE TABLE ${ident(table)} (${plain.columns.map((c) => `${ident(c.name)} ${c.sql}`).join(', ')})`));
        if (running === 0 && (await appendPlain(conn, table, plain, () => running === 0))) return;
        create = false;
      }
      const files = await arrowToParquet(ipc, () => join(dir, `__arrow_${++seq.n}.parquet`));
      try {
        const source = `read_parquet([${files.map(lit).join(', ')}])`;
        await counted(() => conn.run(create ? `CREATE TABLE ${ident(table)} AS SELECT * FROM ${source}` : `INSERT INTO ${ident(table)} SELECT * FROM ${source}`));
      } finally {
        for (const f of files) unlinkSync(f);
      }
    },
    async exportCsv(sql) {
      const file = join(dir, `export_${++seq.n}.csv`);
      await counted(async () => conn.run(`COPY (${await spreadsheetSafeSql(db, sql)}) TO ${lit(file)} (FORMAT csv, HEADER true)`));
      try {
        return new Uint8Array(readFileSync(file));
      } finally {
        unlinkSync(file);
      }
    },
    connect: () => nativeConnection(instance, dir, seq),
  };
  return db;
}

/** An Arrow stream whose columns are all INTEGER or DOUBLE without nulls, as its batches. */
interface PlainColumns {
  columns: { name: string; sql: 'INTEGER' | 'DOUBLE' }[];
  batches: (Int32Array | Float64Array)[][];
}

function plainColumns(ipc: Uint8Array): PlainColumns | null {
  const reader = RecordBatchReader.from(ipc);
  reader.open();
  const fields = reader.schema.fields;
  if (fields.length === 0) return null;
  const columns: PlainColumns['columns'] = [];
  for (const f of fields) {
    const t: DataType = f.type;
    if (DataType.isInt(t) && t.bitWidth === 32 && t.isSigned) columns.push({ name: f.name, sql: 'INTEGER' });
    else if (DataType.isFloat(t) && t.precision === Precision.DOUBLE) columns.push({ name: f.name, sql: 'DOUBLE' });
    else return null;
  }
  const batches: PlainColumns['batches'] = [];
  for (const batch of reader) {
    const values: (Int32Array | Float64Array)[] = [];
    for (let j = 0; j < fields.length; j++) {
      const data = batch.getChildAt(j)!.data;
      if (data.length !== 1 || data[0].nullCount > 0) return null;
      values.push((data[0].values as Int32Array | Float64Array).subarray(0, data[0].length));
    }
    batches.push(values);
  }
  return { columns, batches };
}

/**
 * Appends plain columns to `table` with DuckDB's appender, a vector of 2,048 values at a time copied as it is (no
 * Parquet file in between: 145k rows of five numbers took 0.2–0.3 s that way, and the first use loads parquet-wasm).
 * The appender works in this thread, so it runs only while `idle()` says no statement of the connection is under way;
 * false when it did not run.
 */
async function appendPlain(conn: DuckDBConnection, table: string, plain: PlainColumns, idle: () => boolean): Promise<boolean> {
  const appender = await conn.createAppender(table);
  try {
    if (!idle()) return false;
    const types = plain.columns.map((c) => (c.sql === 'INTEGER' ? DuckDBIntegerType.instance : DuckDBDoubleType.instance));
    const size = 2048;
    for (const values of plain.batches) {
      const rows = values[0]?.length ?? 0;
      for (let at = 0; at < rows; at += size) {
        const n = Math.min(size, rows - at);
        const chunk = DataChunk.create(types, n);
        values.forEach((column, j) => {
          const vector = chunk.getColumnVector(j) as unknown as { items: Int32Array | Float64Array; flush(): void };
          vector.items.set(column.subarray(at, at + n));
          vector.flush();
        });
        appender.appendDataChunk(chunk);
      }
    }
    appender.flushSync();
    return true;
  } finally {
    appender.closeSync();
  }
}

/**
 * An Arrow IPC stream as Parquet files, one per record batch, so that parquet-wasm's memory holds one batch at a time
 * (a multi-gigabyte stream would not fit in it). Files meant to be read once: no compression, dictionaries or
 * statistics, which halves the writing time. DuckDB reads a list of files in order.
 */
async function arrowToParquet(ipc: Uint8Array, nextFile: () => string): Promise<string[]> {
  const pq = await import('parquet-wasm');
  const props = () =>
    new pq.WriterPropertiesBuilder()
      .setCompression(pq.Compression.UNCOMPRESSED)
      .setDictionaryEnabled(false)
      .setStatisticsEnabled(pq.EnabledStatistics.None)
      .build();
  const write = (batchIpc: Uint8Array) => {
    const file = nextFile();
    writeFileSync(file, pq.writeParquet(pq.Table.fromIPCStream(batchIpc), props()));
    return file;
  };
  const reader = RecordBatchReader.from(ipc);
  const files: string[] = [];
  for (const batch of reader) files.push(write(tableToIPC(new Table(batch), 'stream')));
  if (files.length === 0) files.push(write(tableToIPC(new Table(reader.schema), 'stream')));
  return files;
}

async function toArrow(conn: DuckDBConnection, sql: string): Promise<Table> {
  const result = await conn.run(sql);
  const names = result.columnNames();
  const types = result.columnTypes();
  const chunks: DuckDBDataChunk[] = [];
  for (let i = 0; i < result.chunkCount; i++) chunks.push(result.getChunk(i));
  const vectors: Record<string, Vector> = {};
  names.forEach((name, j) => {
    if (name in vectors) return;
    const parts = chunks.map((c) => c.getColumnVector(j));
    vectors[name] = makeVector(fastBuild(types[j], parts) ?? build(types[j], parts.flatMap(itemsOf)));
  });
  return new Table(vectors);
}

function itemsOf(v: DuckDBVector): DuckDBValue[] {
  const out: DuckDBValue[] = new Array(v.itemCount);
  for (let i = 0; i < out.length; i++) out[i] = v.getItem(i);
  return out;
}

/**
 * The vectors' memory as DuckDB laid it out (what `@duckdb/node-api` 1.5's vector classes hold: `items`, a typed
 * array over the vector's data, or `dataView`, and `validity.data`, a 64-bit mask, or null when every item is
 * valid): read straight into Arrow buffers instead of making one JS value per item.
 */
interface RawVector {
  itemCount: number;
  items?: ArrayBufferView;
  dataView?: DataView;
  validity?: { data: BigUint64Array | null; offset: number };
}

function rawBytes(v: RawVector): Uint8Array | null {
  const view = v.items ?? v.dataView;
  return view ? new Uint8Array(view.buffer, view.byteOffset, view.byteLength) : null;
}

/** The validity bitmap of the vectors laid end to end, or null when the vectors do not expose theirs. */
function fastValidity(parts: RawVector[], length: number): { nullBitmap: Uint8Array; nullCount: number } | null {
  const nullBitmap = new Uint8Array((length + 7) >> 3);
  let nullCount = 0;
  let at = 0;
  for (const v of parts) {
    if (!v.validity || !('data' in v.validity)) return null;
    const { data, offset } = v.validity;
    const n = v.itemCount;
    if (!data) {
      for (let i = 0; i < n; i++) nullBitmap[(at + i) >> 3] |= 1 << ((at + i) & 7);
    } else {
      const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      for (let i = 0; i < n; i++) {
        const b = offset + i;
        if (bytes[b >> 3] & (1 << (b & 7))) nullBitmap[(at + i) >> 3] |= 1 << ((at + i) & 7);
        else nullCount++;
      }
    }
    at += n;
  }
  return { nullBitmap, nullCount };
}

/**
 * One column of fixed-width values (or text) as Arrow data of `arrowType(t)`, read from the vectors' memory; null
 * for types without a fast path (lists, structs, blobs, …) or vectors that do not expose their memory.
 */
function fastBuild(t: DuckDBType, vectors: DuckDBVector[]): Data | null {
  const parts = vectors as unknown as RawVector[];
  const length = parts.reduce((n, v) => n + v.itemCount, 0);
  const copy = (width: number): Uint8Array | null => {
    const out = new Uint8Array(length * width);
    let at = 0;
    for (const v of parts) {
      const bytes = rawBytes(v);
      if (!bytes || bytes.byteLength < v.itemCount * width) return null;
      out.set(bytes.subarray(0, v.itemCount * width), at);
      at += v.itemCount * width;
    }
    return out;
  };
  const id = t.typeId;
  const widths: Partial<Record<DuckDBTypeId, number>> = {
    [DuckDBTypeId.TINYINT]: 1, [DuckDBTypeId.UTINYINT]: 1, [DuckDBTypeId.SMALLINT]: 2, [DuckDBTypeId.USMALLINT]: 2,
    [DuckDBTypeId.INTEGER]: 4, [DuckDBTypeId.UINTEGER]: 4, [DuckDBTypeId.DATE]: 4, [DuckDBTypeId.FLOAT]: 4,
    [DuckDBTypeId.DOUBLE]: 8, [DuckDBTypeId.TIMESTAMP]: 8, [DuckDBTypeId.TIMESTAMP_TZ]: 8, [DuckDBTypeId.TIMESTAMP_S]: 8,
    [DuckDBTypeId.TIMESTAMP_MS]: 8, [DuckDBTypeId.TIMESTAMP_NS]: 8, [DuckDBTypeId.TIME]: 8,
    [DuckDBTypeId.HUGEINT]: 16, [DuckDBTypeId.UHUGEINT]: 16,
  };
  let width = widths[id];
  const decimalWidth = id === DuckDBTypeId.DECIMAL ? (t as DuckDBDecimalType).width : 0;
  if (decimalWidth > 18) width = 16;
  const isText = id === DuckDBTypeId.VARCHAR;
  const isBigint = id === DuckDBTypeId.BIGINT || id === DuckDBTypeId.UBIGINT;
  if (!width && !isText && !isBigint && !decimalWidth && id !== DuckDBTypeId.BOOLEAN) return null;
  const valid = fastValidity(parts, length);
  if (!valid) return null;
  const type = arrowType(t);
  const base = { type, length, ...valid };
  if (width) {
    const bytes = copy(width);
    if (!bytes) return null;
    // Arrow's buffers: the same little-endian layout (DuckDB's 128-bit integers are two's complement, low word first).
    const buf = bytes.buffer;
    if (width === 16) return makeData({ ...base, type: type as Decimal, data: new Uint32Array(buf) });
    switch (id) {
      case DuckDBTypeId.TINYINT: return makeData({ ...base, type: type as Int8, data: new Int8Array(buf) });
      case DuckDBTypeId.UTINYINT: return makeData({ ...base, type: type as Uint8, data: bytes });
      case DuckDBTypeId.SMALLINT: return makeData({ ...base, type: type as Int16, data: new Int16Array(buf) });
      case DuckDBTypeId.USMALLINT: return makeData({ ...base, type: type as Uint16, data: new Uint16Array(buf) });
      case DuckDBTypeId.INTEGER: return makeData({ ...base, type: type as Int32, data: new Int32Array(buf) });
      case DuckDBTypeId.UINTEGER: return makeData({ ...base, type: type as Uint32, data: new Uint32Array(buf) });
      case DuckDBTypeId.DATE: return makeData({ ...base, type: type as DateDay, data: new Int32Array(buf) });
      case DuckDBTypeId.FLOAT: return makeData({ ...base, type: type as Float32, data: new Float32Array(buf) });
      case DuckDBTypeId.DOUBLE: return makeData({ ...base, type: type as Float64, data: new Float64Array(buf) });
      case DuckDBTypeId.TIME: return makeData({ ...base, type: type as TimeMicrosecond, data: new BigInt64Array(buf) });
      default: return makeData({ ...base, type: type as Timestamp, data: new BigInt64Array(buf) });
    }
  }
  if (isBigint) {
    const out = new Float64Array(length);
    let at = 0;
    for (const v of parts) {
      const bytes = rawBytes(v);
      if (!bytes) return null;
      const src = id === DuckDBTypeId.BIGINT
        ? new BigInt64Array(bytes.buffer, bytes.byteOffset, v.itemCount)
        : new BigUint64Array(bytes.buffer, bytes.byteOffset, v.itemCount);
      for (let i = 0; i < v.itemCount; i++) out[at + i] = Number(src[i]);
      at += v.itemCount;
    }
    return makeData({ ...base, type: type as Float64, data: out });
  }
  if (decimalWidth) {
    // DECIMAL(≤18) is stored in 16-, 32- or 64-bit integers: sign-extended into Arrow's 128-bit words.
    const size = decimalWidth <= 4 ? 2 : decimalWidth <= 9 ? 4 : 8;
    const words = new Uint32Array(length * 4);
    let at = 0;
    for (const v of parts) {
      if (!v.dataView) return null;
      const dv = v.dataView;
      for (let i = 0; i < v.itemCount; i++) {
        const lo = size === 2 ? dv.getInt16(i * 2, true) : dv.getInt32(i * size, true);
        const hi = size === 8 ? dv.getInt32(i * 8 + 4, true) : lo < 0 ? -1 : 0;
        const sign = hi < 0 ? 0xffffffff : 0;
        const k = (at + i) * 4;
        words[k] = lo >>> 0;
        words[k + 1] = hi >>> 0;
        words[k + 2] = sign;
        words[k + 3] = sign;
      }
      at += v.itemCount;
    }
    return makeData({ ...base, type: type as Decimal, data: words });
  }
  if (id === DuckDBTypeId.BOOLEAN) {
    const bits = new Uint8Array((length + 7) >> 3);
    let at = 0;
    for (const v of parts) {
      const bytes = rawBytes(v);
      if (!bytes) return null;
      for (let i = 0; i < v.itemCount; i++) if (bytes[i]) bits[(at + i) >> 3] |= 1 << ((at + i) & 7);
      at += v.itemCount;
    }
    return makeData({ ...base, type: type as Bool, data: bits });
  }
  // Text: DuckDB's 16-byte string records (length, then the bytes inline up to 12, else a pointer) copied as UTF-8
  // bytes, without decoding each string to JS and encoding it again.
  const getStringBytes = stringBytesReader();
  if (!getStringBytes) return textBuild(vectors, base, length);
  const valueOffsets = new Int32Array(length + 1);
  const isValid = (k: number) => (valid.nullBitmap[k >> 3] & (1 << (k & 7))) !== 0;
  let at = 0;
  for (const v of parts) {
    const dv = v.dataView;
    if (!dv || (v as { itemOffset?: number }).itemOffset) return textBuild(vectors, base, length);
    for (let i = 0; i < v.itemCount; i++, at++) valueOffsets[at + 1] = valueOffsets[at] + (isValid(at) ? dv.getUint32(i * 16, true) : 0);
  }
  const data = new Uint8Array(valueOffsets[length]);
  at = 0;
  for (const v of parts) {
    const dv = v.dataView!;
    for (let i = 0; i < v.itemCount; i++, at++) {
      const n = valueOffsets[at + 1] - valueOffsets[at];
      if (n === 0) continue;
      if (n <= 12) for (let b = 0; b < n; b++) data[valueOffsets[at] + b] = dv.getUint8(i * 16 + 4 + b);
      else data.set(getStringBytes(dv, i * 16), valueOffsets[at]);
    }
  }
  return makeData({ ...base, type: type as Utf8, valueOffsets, data });
}

/** Text read through each item (DuckDB's getItem decodes it) and encoded into one buffer. */
function textBuild(vectors: DuckDBVector[], base: { type: DataType; length: number; nullBitmap: Uint8Array; nullCount: number }, length: number): Data {
  const strings: (string | null)[] = new Array(length);
  const valueOffsets = new Int32Array(length + 1);
  let at = 0;
  let bytes = 0;
  for (const v of vectors) {
    for (let i = 0; i < v.itemCount; i++, at++) {
      const s = v.getItem(i) as string | null;
      strings[at] = s;
      if (s !== null) bytes += Buffer.byteLength(s, 'utf8');
      valueOffsets[at + 1] = bytes;
    }
  }
  const data = Buffer.allocUnsafe(bytes);
  for (let i = 0; i < length; i++) if (strings[i] !== null) data.write(strings[i]!, valueOffsets[i], 'utf8');
  return makeData({ ...base, type: base.type as Utf8, valueOffsets, data: new Uint8Array(data.buffer, data.byteOffset, bytes) });
}

let stringBytes: ((dv: DataView, offset: number) => Uint8Array) | null | undefined;

/** `@duckdb/node-api`'s reader of one string record's bytes (its vectors' own), or null where it is not found. */
function stringBytesReader(): ((dv: DataView, offset: number) => Uint8Array) | null {
  if (stringBytes !== undefined) return stringBytes;
  try {
    const accessors = createRequire(import.meta.url)('@duckdb/node-api/lib/vectors/dataAccessors.js') as { getStringBytes?: (dv: DataView, offset: number) => Uint8Array };
    stringBytes = typeof accessors.getStringBytes === 'function' ? accessors.getStringBytes : null;
  } catch {
    stringBytes = null;
  }
  return stringBytes;
}

/** The Arrow type DuckDB-WASM gives for a DuckDB type (with castBigIntToDouble). */
function arrowType(t: DuckDBType): DataType {
  switch (t.typeId) {
    case DuckDBTypeId.BOOLEAN: return new Bool();
    case DuckDBTypeId.TINYINT: return new Int8();
    case DuckDBTypeId.SMALLINT: return new Int16();
    case DuckDBTypeId.INTEGER: case DuckDBTypeId.SQLNULL: return new Int32();
    case DuckDBTypeId.UTINYINT: return new Uint8();
    case DuckDBTypeId.USMALLINT: return new Uint16();
    case DuckDBTypeId.UINTEGER: return new Uint32();
    case DuckDBTypeId.BIGINT: case DuckDBTypeId.UBIGINT: case DuckDBTypeId.DOUBLE: return new Float64();
    case DuckDBTypeId.FLOAT: return new Float32();
    case DuckDBTypeId.HUGEINT: case DuckDBTypeId.UHUGEINT: return new Decimal(0, 38, 128);
    case DuckDBTypeId.DECIMAL: return new Decimal((t as DuckDBDecimalType).scale, (t as DuckDBDecimalType).width, 128);
    case DuckDBTypeId.DATE: return new DateDay();
    case DuckDBTypeId.TIMESTAMP: return new Timestamp(TimeUnit.MICROSECOND);
    case DuckDBTypeId.TIMESTAMP_TZ: return new Timestamp(TimeUnit.MICROSECOND, 'UTC');
    case DuckDBTypeId.TIMESTAMP_S: return new Timestamp(TimeUnit.SECOND);
    case DuckDBTypeId.TIMESTAMP_MS: return new Timestamp(TimeUnit.MILLISECOND);
    case DuckDBTypeId.TIMESTAMP_NS: return new Timestamp(TimeUnit.NANOSECOND);
    case DuckDBTypeId.TIME: return new TimeMicrosecond();
    case DuckDBTypeId.BLOB: return new Binary();
    case DuckDBTypeId.LIST: case DuckDBTypeId.ARRAY:
      return new List(new Field('l', arrowType((t as DuckDBListType | DuckDBArrayType).valueType), true));
    case DuckDBTypeId.STRUCT: {
      const s = t as DuckDBStructType;
      return new Struct(s.entryNames.map((n, i) => new Field(n, arrowType(s.entryTypes[i]), true)));
    }
    default: return new Utf8();
  }
}

/** One column of values as Arrow data of `arrowType(t)`. */
function build(t: DuckDBType, values: readonly DuckDBValue[]): Data {
  const type = arrowType(t);
  const length = values.length;
  const { nullBitmap, nullCount } = validity(values);
  const base = { type, length, nullCount, nullBitmap } as const;
  const each = <A extends { [i: number]: number | bigint }>(out: A, f: (v: NonNullable<DuckDBValue>) => number | bigint): A => {
    for (let i = 0; i < length; i++) if (values[i] !== null) out[i] = f(values[i]!);
    return out;
  };
  switch (t.typeId) {
    case DuckDBTypeId.BOOLEAN: {
      const bits = new Uint8Array((length + 7) >> 3);
      for (let i = 0; i < length; i++) if (values[i] === true) bits[i >> 3] |= 1 << (i & 7);
      return makeData({ ...base, type: type as Bool, data: bits });
    }
    case DuckDBTypeId.TINYINT: return makeData({ ...base, type: type as Int8, data: each(new Int8Array(length), Number) });
    case DuckDBTypeId.SMALLINT: return makeData({ ...base, type: type as Int16, data: each(new Int16Array(length), Number) });
    case DuckDBTypeId.INTEGER: case DuckDBTypeId.SQLNULL: return makeData({ ...base, type: type as Int32, data: each(new Int32Array(length), Number) });
    case DuckDBTypeId.UTINYINT: return makeData({ ...base, type: type as Uint8, data: each(new Uint8Array(length), Number) });
    case DuckDBTypeId.USMALLINT: return makeData({ ...base, type: type as Uint16, data: each(new Uint16Array(length), Number) });
    case DuckDBTypeId.UINTEGER: return makeData({ ...base, type: type as Uint32, data: each(new Uint32Array(length), Number) });
    case DuckDBTypeId.BIGINT: case DuckDBTypeId.UBIGINT: case DuckDBTypeId.DOUBLE:
      return makeData({ ...base, type: type as Float64, data: each(new Float64Array(length), Number) });
    case DuckDBTypeId.FLOAT: return makeData({ ...base, type: type as Float32, data: each(new Float32Array(length), Number) });
    case DuckDBTypeId.HUGEINT: case DuckDBTypeId.UHUGEINT: case DuckDBTypeId.DECIMAL: {
      const words = new Uint32Array(length * 4);
      values.forEach((v, i) => {
        if (v === null) return;
        let x = BigInt.asUintN(128, typeof v === 'bigint' ? v : (v as DuckDBDecimalValue).value);
        for (let k = 0; k < 4; k++, x >>= 32n) words[i * 4 + k] = Number(x & 0xffffffffn);
      });
      return makeData({ ...base, type: type as Decimal, data: words });
    }
    case DuckDBTypeId.DATE: return makeData({ ...base, type: type as DateDay, data: each(new Int32Array(length), (v) => (v as DuckDBDateValue).days) });
    case DuckDBTypeId.TIMESTAMP: case DuckDBTypeId.TIMESTAMP_TZ:
      return makeData({ ...base, type: type as Timestamp, data: each(new BigInt64Array(length), (v) => (v as { micros: bigint }).micros) });
    case DuckDBTypeId.TIME:
      return makeData({ ...base, type: type as TimeMicrosecond, data: each(new BigInt64Array(length), (v) => (v as { micros: bigint }).micros) });
    case DuckDBTypeId.TIMESTAMP_S:
      return makeData({ ...base, type: type as Timestamp, data: each(new BigInt64Array(length), (v) => (v as { seconds: bigint }).seconds) });
    case DuckDBTypeId.TIMESTAMP_MS:
      return makeData({ ...base, type: type as Timestamp, data: each(new BigInt64Array(length), (v) => (v as { millis: bigint }).millis) });
    case DuckDBTypeId.TIMESTAMP_NS:
      return makeData({ ...base, type: type as Timestamp, data: each(new BigInt64Array(length), (v) => (v as { nanos: bigint }).nanos) });
    case DuckDBTypeId.BLOB: {
      const { valueOffsets, data } = concat(values.map((v) => (v === null ? null : (v as DuckDBBlobValue).bytes)));
      return makeData({ ...base, type: type as Binary, valueOffsets, data });
    }
    case DuckDBTypeId.LIST: case DuckDBTypeId.ARRAY: {
      const valueOffsets = new Int32Array(length + 1);
      const items: DuckDBValue[] = [];
      values.forEach((v, i) => {
        if (v !== null) items.push(...(v as DuckDBListValue).items);
        valueOffsets[i + 1] = items.length;
      });
      const child = build((t as DuckDBListType).valueType, items);
      return makeData({ ...base, type: type as List, valueOffsets, child });
    }
    case DuckDBTypeId.STRUCT: {
      const s = t as DuckDBStructType;
      const children = s.entryNames.map((n, k) => build(s.entryTypes[k], values.map((v) => (v === null ? null : (v as DuckDBStructValue).entries[n]))));
      return makeData({ ...base, type: type as Struct, children });
    }
    default: {
      const encoder = new TextEncoder();
      const { valueOffsets, data } = concat(values.map((v) => (v === null ? null : encoder.encode(String(v)))));
      return makeData({ ...base, type: type as Utf8, valueOffsets, data });
    }
  }
}

function validity(values: readonly DuckDBValue[]): { nullBitmap: Uint8Array; nullCount: number } {
  const nullBitmap = new Uint8Array((values.length + 7) >> 3);
  let nullCount = 0;
  for (let i = 0; i < values.length; i++) {
    if (values[i] === null) nullCount++;
    else nullBitmap[i >> 3] |= 1 << (i & 7);
  }
  return { nullBitmap, nullCount };
}

/** Variable-width values laid out as Arrow offsets and bytes. */
function concat(parts: (Uint8Array | null)[]): { valueOffsets: Int32Array; data: Uint8Array } {
  const valueOffsets = new Int32Array(parts.length + 1);
  parts.forEach((p, i) => (valueOffsets[i + 1] = valueOffsets[i] + (p?.length ?? 0)));
  const data = new Uint8Array(valueOffsets[parts.length]);
  parts.forEach((p, i) => p && data.set(p, valueOffsets[i]));
  return { valueOffsets, data };
}
