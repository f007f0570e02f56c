/** The DuckDB worker: instantiates DuckDB-WASM's blocking build from local files and exposes the Engine. */
import * as Comlink from 'comlink';
import { BROWSER_RUNTIME, createDuckDB, VoidLogger } from '@duckdb/duckdb-wasm/blocking-browser';
import mvpWasm from '@duckdb/duckdb-wasm/dist/duckdb-mvp.wasm?url';
import ehWasm from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import parquetWasm from 'parquet-wasm/esm/parquet_wasm_bg.wasm?url';
import { blockingDb, type BlockingBindings } from '../src/db/blocking.ts';
import { setParquetWasmUrl } from '../src/ingest/decoders.ts';
import { Engine, type Progress, type FileLike } from './engine.ts';

setParquetWasmUrl(parquetWasm);
const started = performance.now();
const engine: Promise<{ engine: Engine; version: string; ms: number }> = (async () => {
  const bundles = { mvp: { mainModule: mvpWasm, mainWorker: '' }, eh: { mainModule: ehWasm, mainWorker: '' } };
  const bindings = await createDuckDB(bundles, new VoidLogger(), BROWSER_RUNTIME);
  await bindings.instantiate(() => {});
  const db = blockingDb(bindings as unknown as BlockingBindings);
  const version = String((await db.query('SELECT version() AS v')).getChild('v')?.get(0));
  return { engine: new Engine(db), version, ms: performance.now() - started };
})();

/** Every engine method, awaited behind DuckDB's start; errors cross as plain messages. */
const api = {
  async ready() {
    const { version, ms } = await engine;
    return { version, ms };
  },
  async load(file: FileLike, opts: Parameters<Engine['load']>[1], onProgress?: Progress) {
    return (await engine).engine.load(file, opts, onProgress);
  },
  async apply(...args: Parameters<Engine['apply']>) {
    return (await engine).engine.apply(...args);
  },
  async remove(id: string) {
    return (await engine).engine.remove(id);
  },
  async overview(...args: Parameters<Engine['overview']>) {
    return (await engine).engine.overview(...args);
  },
  async rfm(...args: Parameters<Engine['rfm']>) {
    return (await engine).engine.rfm(...args);
  },
  async rfmCustomers(...args: Parameters<Engine['rfmCustomers']>) {
    return (await engine).engine.rfmCustomers(...args);
  },
  async abc(...args: Parameters<Engine['abc']>) {
    return (await engine).engine.abc(...args);
  },
  async abcCustomers(...args: Parameters<Engine['abcCustomers']>) {
    return (await engine).engine.abcCustomers(...args);
  },
  async exportSegment(...args: Parameters<Engine['exportSegment']>) {
    const bytes = await (await engine).engine.exportSegment(...args);
    return Comlink.transfer(bytes, [bytes.buffer as ArrayBuffer]);
  },
};

export type EngineApi = typeof api;
Comlink.expose(api);
