/** The same engine steps as the page's, in Node: on native DuckDB (for the ratio) or on the WASM Node build. */
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { one, type Db } from '../src/db/db.ts';
import { openNativeDb } from '../src/db/native.ts';
import { openNodeDb } from '../src/db/node.ts';
import type { Role } from '../src/ingest/index.ts';
import { MODEL_NAMES } from '../src/models/registry.ts';
import { Engine } from '../workers/engine.ts';

/** A model call as the cells make it: an Engine method and its arguments. */
export interface ModelCall {
  name: string;
  method: string;
  args: unknown[];
}

export interface EngineRun {
  steps: Record<string, number>;
  rows?: number;
  role?: string;
  report?: { rows_loaded: number; purchases: number; customers: number } | null;
  /** Per model: the first call after ingest and a second, identical one (ms), or the error; `parts`: the model's own split. */
  models: Record<string, { first?: number; second?: number; error?: string; parts?: Record<string, number> }>;
  /** DuckDB's buffer-managed memory after the last step (Node runs only), bytes. */
  duckdbMemory?: number;
  /** Load or apply failed: why (the steps measured before the failure are kept). */
  error?: string;
  /**
   * With --profile: every SQL statement of load and apply that took 50 ms or more (or failed), with DuckDB's
   * buffer-managed memory after it.
   */
  slowSql?: { ms: number; sql: string; memory?: number; failed?: boolean }[];
}

/** The model runs the cells ask for with the notebook's settings, in the notebook's order: one per registered model. */
export function modelCalls(settings: Record<string, unknown>): ModelCall[] {
  return MODEL_NAMES.map((name) => ({ name, method: 'run', args: [name, settings] }));
}

/** Load and apply `file` through the Engine on a Node DuckDB, then call each model twice; times in ms. */
export async function nodeEngineRun(
  engine: 'native' | 'wasm',
  file: string,
  calls: ModelCall[],
  opts: { role?: Role; profile?: boolean } = {},
): Promise<EngineRun> {
  const base: Db = engine === 'native' ? await openNativeDb() : await openNodeDb();
  const slowSql: NonNullable<EngineRun['slowSql']> = [];
  const db = opts.profile ? profiled(base, slowSql) : base;
  const e = new Engine(db);
  const out: EngineRun = { steps: {}, models: {} };
  let t = performance.now();
  const data = new Uint8Array(readFileSync(file));
  out.steps.read = performance.now() - t;
  try {
    t = performance.now();
    const view = await e.load({ name: basename(file), size: statSync(file).size, data }, opts.role ? { role: opts.role } : {});
    out.steps.load = performance.now() - t;
    out.rows = view.rows;
    out.role = view.role;
    t = performance.now();
    const applied = await e.apply(view.id, view.mapping, undefined, view.role);
    out.steps.apply = performance.now() - t;
    const r = applied.report;
    out.report = r ? { rows_loaded: r.rows_loaded, purchases: r.purchases, customers: r.customers } : null;
  } catch (err) {
    // Keep what was measured up to the failure (with --profile: the statements, the failing one last).
    out.error = String(err instanceof Error ? err.message : err).slice(0, 300);
    if (opts.profile) out.slowSql = slowSql;
    return out;
  }
  if (opts.profile) out.slowSql = [...slowSql];
  const methods = e as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const c of calls) {
    const m: EngineRun['models'][string] = (out.models[c.name] = {});
    for (const k of ['first', 'second'] as const) {
      t = performance.now();
      try {
        const result = (await methods[c.method](...c.args)) as { elapsedMs?: Record<string, number> } | undefined;
        m[k] = performance.now() - t;
        if (k === 'first' && result?.elapsedMs) m.parts = result.elapsedMs;
      } catch (err) {
        m.error = String(err instanceof Error ? err.message : err).slice(0, 300);
        break;
      }
    }
  }
  out.duckdbMemory = (await one<{ b: number }>(db, 'SELECT coalesce(sum(memory_usage_bytes), 0)::DOUBLE AS b FROM duckdb_memory()')).b;
  return out;
}

/** A Db that records every query taking 50 ms or more, or failing, and DuckDB's memory after it (where ingest spends time and memory). */
function profiled(db: Db, log: NonNullable<EngineRun['slowSql']>): Db {
  const memory = async () => (await one<{ b: number }>(db, 'SELECT coalesce(sum(memory_usage_bytes), 0)::DOUBLE AS b FROM duckdb_memory()')).b;
  return {
    ...db,
    async query(sql) {
      const t = performance.now();
      let failed = false;
      try {
        return await db.query(sql);
      } catch (e) {
        failed = true;
        throw e;
      } finally {
        const ms = performance.now() - t;
        if (ms >= 50 || failed) log.push({ ms: Math.round(ms), sql: sql.replace(/\s+/g, ' ').slice(0, 240), memory: await memory().catch(() => undefined), ...(failed ? { failed } : {}) });
      }
    },
  };
}
