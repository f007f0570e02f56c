/** The DuckDB worker: instantiates DuckDB-WASM's blocking build from local files and exposes the Engine. */
import * as Comlink from 'comlink';
import { BROWSER_RUNTIME, createDuckDB, VoidLogger } from '@duckdb/duckdb-wasm/blocking-browser';
import mvpWasm from '@duckdb/duckdb-wasm/dist/duckdb-mvp.wasm?url';
import ehWasm from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import parquetWasm from 'parquet-wasm/esm/parquet_wasm_bg.wasm?url';
import { blockingDb, type BlockingBindings } from '../src/db/blocking.ts';
import { setParquetWasmUrl } from '../src/ingest/decoders.ts';
import { carryInputErrors } from '../src/ingest/errors.ts';
import { carryModelDataErrors } from '../src/models/data-error.ts';
import { Engine, type Progress, type FileLike } from './engine.ts';
import { workerCompareRunner, workerScoreRunner } from './fit-client.ts';

// This worker starts from a blob: URL (see start.ts), whose base URL resolves nothing: files of the app are
// resolved against this module's own URL.
const own = (url: string) => new URL(url, import.meta.url).href;
setParquetWasmUrl(own(parquetWasm));
// Input errors reach the page with their code and params, so it can say them in the user's language.
carryInputErrors(Comlink.transferHandlers);
carryModelDataErrors(Comlink.transferHandlers);
const started = performance.now();
const engine: Promise<{ engine: Engine; version: string; ms: number }> = (async () => {
  const bundles = { mvp: { mainModule: own(mvpWasm), mainWorker: '' }, eh: { mainModule: own(ehWasm), mainWorker: '' } };
  const bindings = await createDuckDB(bundles, new VoidLogger(), BROWSER_RUNTIME);
  await bindings.instantiate(() => {});
  const db = blockingDb(bindings as unknown as BlockingBindings);
  const version = String((await db.query('SELECT version() AS v')).getChild('v')?.get(0));
  return { engine: new Engine(db, { warmUp: true, scoreClv: workerScoreRunner(), compareClv: workerCompareRunner() }), version, ms: performance.now() - started };
})();

/** Every engine method, awaited behind DuckDB's start; errors cross as messages (input errors with their code and params). */
const api = {
  async ready() {
    const { version, ms } = await engine;
    return { version, ms };
  },
  async load(file: FileLike, opts: Parameters<Engine['load']>[1], onProgress?: Progress) {
    return (await engine).engine.load(file, opts, onProgress);
  },
  async remap(...args: Parameters<Engine['remap']>) {
    return (await engine).engine.remap(...args);
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
  async exportAbc(...args: Parameters<Engine['exportAbc']>) {
    const bytes = await (await engine).engine.exportAbc(...args);
    return Comlink.transfer(bytes, [bytes.buffer as ArrayBuffer]);
  },
  async clusters(...args: Parameters<Engine['clusters']>) {
    return (await engine).engine.clusters(...args);
  },
  async clusterElbow(...args: Parameters<Engine['clusterElbow']>) {
    return (await engine).engine.clusterElbow(...args);
  },
  async clusterCustomers(...args: Parameters<Engine['clusterCustomers']>) {
    return (await engine).engine.clusterCustomers(...args);
  },
  async exportCluster(...args: Parameters<Engine['exportCluster']>) {
    const bytes = await (await engine).engine.exportCluster(...args);
    return Comlink.transfer(bytes, [bytes.buffer as ArrayBuffer]);
  },
  async customer360(...args: Parameters<Engine['customer360']>) {
    return (await engine).engine.customer360(...args);
  },
  async searchCustomers(...args: Parameters<Engine['searchCustomers']>) {
    return (await engine).engine.searchCustomers(...args);
  },
  async basket(...args: Parameters<Engine['basket']>) {
    return (await engine).engine.basket(...args);
  },
  async basketCrossSell(...args: Parameters<Engine['basketCrossSell']>) {
    return (await engine).engine.basketCrossSell(...args);
  },
  async exportCrossSell(...args: Parameters<Engine['exportCrossSell']>) {
    const bytes = await (await engine).engine.exportCrossSell(...args);
    return Comlink.transfer(bytes, [bytes.buffer as ArrayBuffer]);
  },
  async cohorts(...args: Parameters<Engine['cohorts']>) {
    return (await engine).engine.cohorts(...args);
  },
  async lifecycle(...args: Parameters<Engine['lifecycle']>) {
    return (await engine).engine.lifecycle(...args);
  },
  async lifecycleCustomers(...args: Parameters<Engine['lifecycleCustomers']>) {
    return (await engine).engine.lifecycleCustomers(...args);
  },
  async exportLifecycle(...args: Parameters<Engine['exportLifecycle']>) {
    const bytes = await (await engine).engine.exportLifecycle(...args);
    return Comlink.transfer(bytes, [bytes.buffer as ArrayBuffer]);
  },
  async exportSegment(...args: Parameters<Engine['exportSegment']>) {
    const bytes = await (await engine).engine.exportSegment(...args);
    return Comlink.transfer(bytes, [bytes.buffer as ArrayBuffer]);
  },
  async clv(settings: Parameters<Engine['clv']>[0], onProgress?: Progress) {
    return (await engine).engine.clv(settings, onProgress);
  },
  async clvCompare(settings: Parameters<Engine['clvCompare']>[0]) {
    return (await engine).engine.clvCompare(settings);
  },
  async clvCustomers(...args: Parameters<Engine['clvCustomers']>) {
    return (await engine).engine.clvCustomers(...args);
  },
  async churn(settings: Parameters<Engine['churn']>[0], onProgress?: Progress) {
    return (await engine).engine.churn(settings, onProgress);
  },
  async churnCustomers(...args: Parameters<Engine['churnCustomers']>) {
    return (await engine).engine.churnCustomers(...args);
  },
  async exportChurn(...args: Parameters<Engine['exportChurn']>) {
    const bytes = await (await engine).engine.exportChurn(...args);
    return Comlink.transfer(bytes, [bytes.buffer as ArrayBuffer]);
  },
};

export type EngineApi = typeof api;
Comlink.expose(api);
