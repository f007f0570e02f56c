/** The database interface every model runs against: the worker, the CLI and the tests each provide one. */
import type { Table, Vector } from 'apache-arrow';

export interface Db {
  /** Run one SQL statement (or several separated by `;`) and return the last result as Arrow. */
  query(sql: string): Promise<Table>;
  /** Make bytes readable by SQL under `name` (e.g. `read_csv('name')`). */
  registerFile(name: string, bytes: Uint8Array): Promise<void>;
  /**
   * Make a file on disk readable by SQL under `name`, without reading it into memory (an engine that reads files by
   * path: native DuckDB). Where it is missing, the file's bytes are registered with `registerFile`.
   */
  registerPath?(name: string, path: string): Promise<void>;
  /** Forget a registered file and free its memory. */
  dropFile(name: string): Promise<void>;
  /** Create (or append to) `table` from an Arrow IPC stream. */
  insertArrow(table: string, ipc: Uint8Array, create?: boolean): Promise<void>;
  /**
   * Write the result of `sql` as CSV (header row, comma-separated, UTF-8) and return its bytes; text cells a
   * spreadsheet would read as a formula get a leading `'` (see csv.ts), typed numbers stay numbers.
   */
  exportCsv(sql: string): Promise<Uint8Array>;
  /**
   * Another connection to the same database: its own temporary tables and default catalog (`USE`), the same
   * attached databases. A filtered view of the data runs its models on one (src/models/filter.ts).
   */
  connect(): Promise<Db>;
  /**
   * Parse and bind `sql` with DuckDB without running it: throws DuckDB's error when it does not parse or bind, or holds
   * more than one statement (then none of them runs).
   */
  prepare(sql: string): Promise<void>;
  /**
   * Run one statement in a read-only transaction that is rolled back after it, with no other query in between: a
   * statement that would write to a table fails, and anything it did to temporary tables is undone.
   */
  queryReadOnly(sql: string): Promise<Table>;
}

/** Quote an identifier for DuckDB. */
export function ident(name: string): string {
  return '"' + name.replaceAll('"', '""') + '"';
}

/** Quote a string literal for DuckDB. */
export function lit(value: string): string {
  return "'" + value.replaceAll("'", "''") + "'";
}

/** Prefix UTF-8 bytes with a byte-order mark (so that Excel reads a CSV's Chinese correctly). */
export function withBom(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length + 3);
  out.set([0xef, 0xbb, 0xbf]);
  out.set(bytes, 3);
  return out;
}

/** Run a query and return its rows as plain objects (BIGINT already cast to number by the Db). */
export async function rows<T = Record<string, unknown>>(db: Db, sql: string): Promise<T[]> {
  const table = await db.query(sql);
  const out: T[] = new Array(table.numRows);
  const names = table.schema.fields.map((f) => f.name);
  const cols = names.map((n) => table.getChild(n)!);
  for (let i = 0; i < table.numRows; i++) {
    const row: Record<string, unknown> = {};
    for (let j = 0; j < names.length; j++) row[names[j]] = normalize(cols[j].get(i));
    out[i] = row as T;
  }
  return out;
}

/** First row of a query, or throw when there is none. */
export async function one<T = Record<string, unknown>>(db: Db, sql: string): Promise<T> {
  const r = await rows<T>(db, sql);
  if (r.length === 0) throw new Error('query returned no row: ' + sql.slice(0, 120));
  return r[0];
}

function normalize(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  return v;
}

/**
 * The values of a text column. Arrow's own reading decodes each value with a TextDecoder call (0.25 s for 145k
 * customer ids); a chunk whose bytes are all ASCII is decoded in one call and cut at its offsets instead, which gives
 * the same strings. Chunks with other bytes or nulls are read the usual way.
 */
export function textValues(vector: Vector): (string | null)[] {
  const out: (string | null)[] = [];
  let row = 0;
  for (const data of vector.data) {
    const first = row;
    row += data.length;
    const offsets = data.valueOffsets as Int32Array | undefined;
    const bytes = data.values as Uint8Array | undefined;
    const start = offsets?.[0] ?? 0;
    const end = offsets?.[data.length] ?? 0;
    const ascii = offsets !== undefined && bytes !== undefined && data.nullCount === 0 && isAscii(bytes, start, end);
    if (!ascii) {
      for (let i = first; i < row; i++) out.push(vector.get(i) as string | null);
      continue;
    }
    const text = utf8.decode(bytes.subarray(start, end));
    for (let i = 0; i < data.length; i++) out.push(text.slice(offsets[i] - start, offsets[i + 1] - start));
  }
  return out;
}

function isAscii(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (bytes[i] > 0x7f) return false;
  return true;
}

const utf8 = new TextDecoder();
