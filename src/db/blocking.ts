/** A Db over DuckDB-WASM's synchronous bindings: the same class serves the browser worker and Node. */
import type { Table } from 'apache-arrow';
import { spreadsheetSafeSql } from './csv.ts';
import type { Db } from './db.ts';

/** The subset of DuckDB-WASM's blocking bindings we use (node and browser builds share it). */
export interface BlockingBindings {
  open(config: object): void;
  connect(): BlockingConnection;
  registerFileBuffer(name: string, buffer: Uint8Array): void;
  dropFile(name: string): void;
  copyFileToBuffer(name: string): Uint8Array;
}
interface BlockingConnection {
  query(text: string): Table;
  prepare(text: string): { close(): void };
  insertArrowFromIPCStream(buffer: Uint8Array, options: { name: string; create?: boolean }): void;
}

/** Open a database on instantiated bindings with the settings every session needs. */
/** `scratch` is a folder for exported files where the runtime writes to disk (Node); the browser keeps them in memory. */
export function blockingDb(bindings: BlockingBindings, scratch = ''): Db {
  bindings.open({ query: { castBigIntToDouble: true, castTimestampToDate: false } });
  return connectionDb(bindings, scratch, { n: 0 });
}

/** A connection with the session settings; `exported` numbers the export files of every connection. */
function connectionDb(bindings: BlockingBindings, scratch: string, exported: { n: number }): Db {
  const conn = bindings.connect();
  // Extensions cannot be fetched offline; an autoload attempt fails in confusing ways.
  conn.query('SET autoload_known_extensions=false; SET autoinstall_known_extensions=false');
  const db: Db = {
    async query(sql) {
      return conn.query(sql);
    },
    async registerFile(name, bytes) {
      bindings.registerFileBuffer(name, bytes);
    },
    async dropFile(name) {
      bindings.dropFile(name);
    },
    async insertArrow(table, ipc, create = true) {
      conn.insertArrowFromIPCStream(ipc, { name: table, create });
    },
    async prepare(sql) {
      conn.prepare(sql).close();
    },
    // The bindings run each query to its end before returning, so nothing else runs inside this transaction.
    async queryReadOnly(sql) {
      conn.query('BEGIN TRANSACTION READ ONLY');
      try {
        return conn.query(sql);
      } finally {
        conn.query('ROLLBACK');
      }
    },
    async exportCsv(sql) {
      const name = `${scratch}export_${++exported.n}.csv`;
      // In the browser the file lives in memory: registered (empty) before COPY writes it, it is a buffer DuckDB-WASM
      // knows, instead of a missing file it buffers with a console warning ("Buffering missing file: export_N.csv").
      // USE_TMP_FILE false: COPY writes that file itself (not a tmp_ file, itself unregistered, renamed after).
      if (!scratch) bindings.registerFileBuffer(name, new Uint8Array(0));
      conn.query(`COPY (${await spreadsheetSafeSql(db, sql)}) TO '${name}' (FORMAT csv, HEADER true, USE_TMP_FILE false)`);
      try {
        return bindings.copyFileToBuffer(name);
      } finally {
        bindings.dropFile(name);
      }
    },
    async connect() {
      return connectionDb(bindings, scratch, exported);
    },
  };
  return db;
}
