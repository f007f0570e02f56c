/**
 * `npx tsx bench/filter.ts ORDERS.csv [--json OUT.json] [--sql-ms N] [--kinds a,b]`: how long a filter change takes for the SQL-only cells
 * (overview, RFM, ABC, cohorts, lifecycle) in the engine the page uses (DuckDB-WASM in Node, one thread).
 *
 * A customers file is made for the orders' customers (a region and an acquisition channel for each, drawn from the
 * id), so that every kind of filter can be timed. Steps: the five cells on all the data; the per-order tables filters
 * cut (made once per data, while the filter editor is open); then for each kind of filter a new filter three times
 * (the filtered tables are made and the five cells run), and one seen before (kept). Each step is timed on the clock
 * and in CPU time of this process (the machine may be shared: CPU time counts only this work).
 * Prints JSON with the load average before and after. With `--sql-ms N`, also lists per step (and per kind of filter,
 * over its three runs) every SQL statement that took N ms or more on the clock, with its CPU time (each timed
 * inside its call, as the blocking bindings run it). `--kinds` times only
 * the kinds of filter named (comma-separated).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { Db } from '../src/db/db.ts';
import { openNodeDb } from '../src/db/node.ts';
import type { Filter } from '../src/models/filter.ts';
import type { ModelName } from '../src/models/registry.ts';
import { Engine } from '../workers/engine.ts';
import { customersCsv, filterKinds } from './filter-kinds.ts';

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--'));
if (!file) throw new Error('usage: npx tsx bench/filter.ts ORDERS.csv [--json OUT.json] [--sql-ms N] [--kinds a,b]');
const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : null);
const jsonOut = option('--json');
const sqlMs = option('--sql-ms') === null ? null : Number(option('--sql-ms'));
const onlyKinds = option('--kinds')?.split(',') ?? null;
const load = () => loadavg().map((x) => Math.round(x * 100) / 100);
const loadBefore = load();

/** The step under way, and the slow statements seen (with `--sql-ms`). */
let current = 'load';
const slow: { step: string; ms: number; cpu_ms: number; sql: string }[] = [];
function timed(inner: Db): Db {
  return {
    ...inner,
    query(sql) {
      // DuckDB-WASM's blocking bindings run the statement inside the call: timed up to its return, before any await
      // lets the other lane start a statement of its own.
      const t = performance.now();
      const c = process.cpuUsage();
      const record = () => {
        const ms = performance.now() - t;
        const used = process.cpuUsage(c);
        if (ms >= sqlMs!) slow.push({ step: current, ms: Math.round(ms), cpu_ms: Math.round((used.user + used.system) / 1000), sql: sql.replace(/\s+/g, ' ').trim().slice(0, 200) });
      };
      try {
        const done = inner.query(sql);
        record();
        return done;
      } catch (e) {
        record();
        throw e;
      }
    },
    connect: async () => timed(await inner.connect()),
  };
}
const opened = await openNodeDb();
const engine = new Engine(sqlMs === null ? opened : timed(opened));
async function add(name: string, data: Uint8Array) {
  const view = await engine.load({ name, size: data.length, data });
  await engine.apply(view.id, view.mapping);
  return view;
}
const data = readFileSync(file);
const orders = await add(file.split('/').pop()!, data);

// The customers file: each customer's region and acquisition channel follow from their id (the same in every run).
const ids = (await engine.query(`SELECT DISTINCT customer_id AS id FROM orders WHERE customer_id IS NOT NULL ORDER BY 1`)) as { id: string }[];
await add('customers.csv', customersCsv(ids));

const cells: ModelName[] = ['overview', 'rfm', 'abc', 'cohorts', 'lifecycle'];

/** The five cells under `filter`, timed on the clock and in CPU time. */
async function step(filter?: Filter): Promise<{ ms: number; cpu_ms: number }> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await Promise.all(cells.map((m) => engine.run(m, { asOf: null, ...(filter ? { filter } : {}) })));
  const c = process.cpuUsage(c0);
  return { ms: Math.round(performance.now() - t0), cpu_ms: Math.round((c.user + c.system) / 1000) };
}

current = 'all_data';
const all = await step();
const rfm = (await engine.run('rfm', { asOf: null })) as { segments_cn: { segment: string; customers: number }[] };
const choices = await engine.filterChoices();
// The filter editor has opened: the per-order tables are made meanwhile (timed here on their own).
current = 'prepare_filters';
const t0 = performance.now();
const c0 = process.cpuUsage();
const prepare = (engine as { prepareFilters?: () => Promise<void> }).prepareFilters;
if (prepare) await prepare.call(engine);
const cp = process.cpuUsage(c0);
const prepared = { ms: Math.round(performance.now() - t0), cpu_ms: Math.round((cp.user + cp.system) / 1000) };

// One filter of each kind, made three times: each time with a value that no row has added to one of its lists (or,
// for dates, a first day before the data), so that it is a new filter doing the same work. The least of the three is
// the one least disturbed by other work on the machine.
const segment = [...rfm.segments_cn].sort((a, b) => b.customers - a.customers)[0].segment;
const kinds = filterKinds(choices, segment);

const steps: Record<string, { filter: Filter; ms: number[]; cpu_ms: number[]; least_ms: number; least_cpu_ms: number }> = {};
let last: Filter = {};
for (const [kind, make] of Object.entries(kinds)) {
  if (onlyKinds && !onlyKinds.includes(kind)) continue;
  current = kind;
  const runs = [];
  for (let i = 0; i < 3; i++) runs.push(await step((last = make(i))));
  const ms = runs.map((r) => r.ms);
  const cpu = runs.map((r) => r.cpu_ms);
  steps[kind] = { filter: make(0), ms, cpu_ms: cpu, least_ms: Math.min(...ms), least_cpu_ms: Math.min(...cpu) };
}
// The last filter again (the engine keeps the last few).
current = 'seen_before';
const seen = await step(last);

const out = {
  file,
  lines: orders.rows,
  customers: ids.length,
  load_before: loadBefore,
  all_data: all,
  prepare_filters: prepared,
  filter_seen_before: seen,
  steps,
  load_after: load(),
  ...(sqlMs === null ? {} : { slow_sql: slow }),
};
const text = JSON.stringify(out, null, 1);
if (jsonOut) writeFileSync(jsonOut, text);
console.log(text);
if (sqlMs !== null) {
  // Per step, the slow statements (three runs of a kind together), slowest first.
  for (const name of [...new Set(slow.map((q) => q.step))]) {
    console.log(`\n${name}:`);
    for (const q of slow.filter((q) => q.step === name).sort((a, b) => b.cpu_ms - a.cpu_ms)) console.log(`  ${String(q.ms).padStart(5)} ms  cpu ${String(q.cpu_ms).padStart(5)}  ${q.sql}`);
  }
}
