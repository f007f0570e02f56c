/**
 * `npx tsx bench/filter-ab.ts ORDERS.csv NAME=TREE NAME=TREE [...] [--reps N] [--kinds a,b] [--json OUT.json]`: the
 * filter change of bench/filter.ts (the five SQL-only cells under a new filter of each kind, a customers file made from
 * the orders' ids), for the code of two or more checkouts (TREE: a folder holding src/ and workers/, e.g. a
 * `git worktree add --detach` of the commit before) in one process, one engine each, taking turns: for each kind, N new
 * filters (default 6), each run by every engine one after the other, the order reversed every other time. On a shared
 * machine the load moves more between two runs of bench/filter.ts than the code does; here both codes see the same load
 * within a second, and the pair differences (printed as their median) compare them.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { customersCsv, filterKinds } from './filter-kinds.ts';
const args = process.argv.slice(2);
const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : null);
const file = args[0];
const trees: Record<string, string> = Object.fromEntries(args.filter((a) => /^[a-z0-9_-]+=/i.test(a)).map((a) => a.split(/=(.*)/s).slice(0, 2)));
const names = Object.keys(trees);
if (!file || names.length < 2) throw new Error('usage: npx tsx bench/filter-ab.ts ORDERS.csv NAME=TREE NAME=TREE [--reps N] [--kinds a,b] [--json OUT.json]');
const data = readFileSync(file);
const cells = ['overview', 'rfm', 'abc', 'cohorts', 'lifecycle'];
const engines: Record<string, any> = {};
for (const [name, root] of Object.entries(trees)) {
  const { openNodeDb } = await import(`${root}/src/db/node.ts`);
  const { Engine } = await import(`${root}/workers/engine.ts`);
  const engine = new Engine(await openNodeDb());
  const add = async (n: string, d: Uint8Array) => { const v = await engine.load({ name: n, size: d.length, data: d }); await engine.apply(v.id, v.mapping); };
  await add(file.split('/').pop()!, data);
  const ids = (await engine.query(`SELECT DISTINCT customer_id AS id FROM orders WHERE customer_id IS NOT NULL ORDER BY 1`)) as { id: string }[];
  await add('customers.csv', customersCsv(ids));
  await Promise.all(cells.map((m) => engine.run(m, { asOf: null })));
  await engine.prepareFilters();
  engines[name] = engine;
}
const rfm = (await engines[names[0]].run('rfm', { asOf: null })) as { segments_cn: { segment: string; customers: number }[] };
const choices = await engines[names[0]].filterChoices();
const segment = [...rfm.segments_cn].sort((a, b) => b.customers - a.customers)[0].segment;
const kinds = filterKinds(choices, segment);
async function step(engine: any, filter: any) {
  const t0 = performance.now(); const c0 = process.cpuUsage();
  await Promise.all(cells.map((m) => engine.run(m, { asOf: null, filter })));
  const c = process.cpuUsage(c0);
  return { ms: Math.round(performance.now() - t0), cpu: Math.round((c.user + c.system) / 1000) };
}
const REPS = Number(option('--reps') ?? 6);
const out: any = { load_before: loadavg(), kinds: {} };
for (const [kind, make] of Object.entries(kinds).filter(([k]) => !option('--kinds') || option('--kinds')!.split(',').includes(k))) {
  const r: any = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < REPS; i++) {
    const order = i % 2 ? [...names].reverse() : names;
    for (const n of order) r[n].push(await step(engines[n], make(i)));
  }
  const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  const s = (n: string) => ({ cpu_min: Math.min(...r[n].map((x: any) => x.cpu)), cpu_med: med(r[n].map((x: any) => x.cpu)), ms_min: Math.min(...r[n].map((x: any) => x.ms)), ms_med: med(r[n].map((x: any) => x.ms)) });
  out.kinds[kind] = { ...Object.fromEntries(names.map((n) => [n, s(n)])), runs: r };
  // Each later code against the first: the median of the pair differences in CPU ms.
  const diffs = Object.fromEntries(names.slice(1).map((n) => [n, med(r[n].map((x: any, i: number) => x.cpu - r[names[0]][i].cpu))]));
  out.kinds[kind].paired_cpu_diff_median = diffs;
  console.log(kind, names.map((n) => `${n} cpu ${s(n).cpu_min}/${s(n).cpu_med} ms ${s(n).ms_min}/${s(n).ms_med}`).join('  |  '), '| paired', JSON.stringify(diffs), '| load', loadavg()[0].toFixed(2));
}
out.load_after = loadavg();
if (option('--json')) writeFileSync(option('--json')!, JSON.stringify(out, null, 1));
