/** The database interface every model runs against: the worker, the CLI and the tests each provide one. */
import type { Table } from 'apache-arrow';

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
