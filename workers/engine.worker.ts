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
import { cellKinds, MODELS, type ExportOptions, type ListOptions, type ModelName, type RunOptions } from '../src/models/registry.ts';
import type { ModelSettings } from '../src/models/settings.ts';
import { shareKinds } from '../src/report/request.ts';
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
  return { engine: new Engine(db, { warmUp: true, warmModels: true, scoreClv: workerScoreRunner(), compareClv: workerCompareRunner() }), version, ms: performance.now() - started };
})();

/** The engine's methods (one generic run, list and export for every model), awaited behind DuckDB's start; errors cross as messages (input errors with their code and params). */
const api = {
  /** The notebook's cell kinds, from the registry (answers before DuckDB is up). */
  cellKinds() {
    return cellKinds(MODELS);
  },
  /** Each model's default settings and the key of its settings (what a notebook file is checked against). */
  modelDefaults() {
    return Object.fromEntries(Object.entries(MODELS).map(([name, m]) => [name, { defaults: m.defaults, settingsKey: m.settingsKey }]));
  },
  /** The cell kinds a report can hold, each with the customer lists a consultant may opt in (from the registry). */
  shareKinds() {
    return shareKinds(MODELS);
  },
  /** The cell kinds with each model's settings key (which part of the settings a cell of its own may hold). */
  cellModels() {
    return cellKinds(MODELS).map((kind) => ({ kind, settingsKey: MODELS[kind].settingsKey }));
  },
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
  async run<N extends ModelName>(name: N, settings: ModelSettings, options?: RunOptions<N>, onProgress?: Progress) {
    return (await engine).engine.run(name, settings, options, onProgress);
  },
  async list<N extends ModelName>(name: N, opts: ListOptions<N>, settings?: ModelSettings) {
    return (await engine).engine.list(name, opts, settings);
  },
  async export<N extends ModelName>(name: N, opts: ExportOptions<N>, settings?: ModelSettings) {
    const bytes = await (await engine).engine.export(name, opts, settings);
    return Comlink.transfer(bytes, [bytes.buffer as ArrayBuffer]);
  },
  async customer360(...args: Parameters<Engine['customer360']>) {
    return (await engine).engine.customer360(...args);
  },
  async searchCustomers(...args: Parameters<Engine['searchCustomers']>) {
    return (await engine).engine.searchCustomers(...args);
  },
  /** What the filter bar offers (days, regions, channels, categories). */
  async filterChoices() {
    return (await engine).engine.filterChoices();
  },
  /** A SQL cell's statement: its rows, or why it was refused, or DuckDB's error. */
  async sql(...args: Parameters<Engine['sql']>) {
    return (await engine).engine.sql(...args);
  },
  /** The tables a SQL cell can query, with their columns. */
  async sqlTables() {
    return (await engine).engine.sqlTables();
  },
  /** A report of the notebook's cells (aggregates only; see src/report/format.ts). */
  async report(...args: Parameters<Engine['report']>) {
    return (await engine).engine.report(...args);
  },
  /** The CLV answer with the whole model comparison, once the models the clv run left pending are fitted (null: superseded). */
  async clvCompare(settings: ModelSettings) {
    return (await engine).engine.clvCompare(settings);
  },
};

export type EngineApi = typeof api;
Comlink.expose(api);
