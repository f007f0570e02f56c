/**
 * `npx tsx bench/filter.ts FILE`: how long a filter change takes for the SQL-only cells (overview, RFM, ABC, cohorts,
 * lifecycle) in the engine the page uses (DuckDB-WASM in Node, one thread): the cells' runs on all the data, then
 * the same runs under an order-channel filter (first time: the filtered views and purchases are built), then under
 * another filter, then back to the first (kept). Prints JSON with the load average.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { openNodeDb } from '../src/db/node.ts';
import type { ModelName } from '../src/models/registry.ts';
import { Engine } from '../workers/engine.ts';

const file = process.argv[2];
if (!file) throw new Error('usage: npx tsx bench/filter.ts ORDERS.csv');
const data = readFileSync(file);
const engine = new Engine(await openNodeDb());
const view = await engine.load({ name: file.split('/').pop()!, size: data.length, data });
await engine.apply(view.id, view.mapping);
const cells: ModelName[] = ['overview', 'rfm', 'abc', 'cohorts', 'lifecycle'];
const choices = await engine.filterChoices();
const [first, second] = choices.order_channel.map((c) => c.value);

async function all(filter?: { order_channel: string[] }): Promise<number> {
  const t0 = performance.now();
  await Promise.all(cells.map((m) => engine.run(m, { asOf: null, ...(filter ? { filter } : {}) })));
  return Math.round(performance.now() - t0);
}

const out = {
  file,
  lines: view.rows,
  load_before: loadavg().map((x) => Math.round(x * 100) / 100),
  all_data_ms: await all(),
  first_filter_ms: await all({ order_channel: [first] }),
  second_filter_ms: await all({ order_channel: [second] }),
  back_to_first_ms: await all({ order_channel: [first] }),
  load_after: loadavg().map((x) => Math.round(x * 100) / 100),
};
console.log(JSON.stringify(out, null, 1));
