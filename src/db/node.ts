/** DuckDB-WASM's Node build: the same engine as the browser, for the CLI and the tests. */
import { createRequire } from 'node:module';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { blockingDb, type BlockingBindings } from './blocking.ts';
import type { Db } from './db.ts';

const require = createRequire(import.meta.url);

/** Instantiate DuckDB-WASM in this Node process and open an in-memory database. */
export async function openNodeDb(): Promise<Db> {
  const duckdb = require('@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs');
  const dist = dirname(require.resolve('@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs'));
  const bundles = {
    mvp: { mainModule: join(dist, 'duckdb-mvp.wasm'), mainWorker: '' },
    eh: { mainModule: join(dist, 'duckdb-eh.wasm'), mainWorker: '' },
  };
  const bindings = await duckdb.createDuckDB(bundles, new duckdb.VoidLogger(), duckdb.NODE_RUNTIME);
  await bindings.instantiate();
  return blockingDb(bindings as BlockingBindings, mkdtempSync(join(tmpdir(), 'crm-notebook-')) + '/');
}
