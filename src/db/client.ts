/** The main thread's handle on the engine worker; the worker (and DuckDB) start as soon as this module loads. */
import * as Comlink from 'comlink';
import type { ExportOptions, ListOptions, ListPage, ModelName, ModelResult, Progress, RunOptions } from '../models/registry.ts';
import type { ModelSettings } from '../models/settings.ts';
import type { EngineApi } from '../../workers/engine.worker.ts';
import engineWorkerUrl from '../../workers/engine.worker.ts?worker&url';
import { startWorker } from '../../workers/start.ts';

/**
 * The worker's API with the models' calls typed by model name (comlink's proxy types do not keep a generic
 * method's type parameter).
 */
export type EngineClient = Omit<Comlink.Remote<EngineApi>, 'run' | 'list' | 'export'> & {
  /** Model `name`'s result under the settings (kept by the engine while nothing it depends on changes). */
  run<N extends ModelName>(name: N, settings: ModelSettings, options?: RunOptions<N>, onProgress?: Progress): Promise<ModelResult<N>>;
  /** A page of model `name`'s customer list; `settings`: the asking cell's (its model runs again with them when needed). */
  list<N extends ModelName>(name: N, opts: ListOptions<N>, settings?: ModelSettings): Promise<ListPage<N>>;
  /** Model `name`'s customer list as file bytes; `settings` as for `list`. */
  export<N extends ModelName>(name: N, opts: ExportOptions<N>, settings?: ModelSettings): Promise<Uint8Array>;
};

// Started from a blob: URL, so that the worker holding the data runs under the page's Content-Security-Policy.
const worker = startWorker(engineWorkerUrl, { name: 'engine' });

/** The engine, proxied: every call runs in the worker. */
export const engine = Comlink.wrap<EngineApi>(worker) as unknown as EngineClient;

/** Resolves when DuckDB is up in the worker. */
export const engineReady = engine.ready();

// The benchmark (bench/run.ts) times engine calls from the page; the hook exists only when the URL has ?bench.
if (new URLSearchParams(location.search).has('bench')) {
  Object.assign(globalThis, { __bench: { engine, ready: engineReady.then((r) => ({ ...r, at: performance.now() })) } });
}

/** Wrap a progress callback so the worker can call it. */
export const progressProxy = <T extends (...args: never[]) => void>(fn: T) => Comlink.proxy(fn);

export { Latest } from './latest.ts';

/** Error text as the user should read it (the worker sends plain messages). */
export function errorText(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.replace(/^(Error|InputError):\s*/, '');
}
