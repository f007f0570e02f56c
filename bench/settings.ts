/**
 * The engine's side of a setting change at scale: `npx tsx bench/settings.ts FILE` loads the file into the Engine on
 * DuckDB-WASM in Node (one thread, the engine the page's worker runs), runs RFM, ABC, cohorts and lifecycle with the
 * notebook's defaults, then each with one setting changed (the changes of the page benchmark, bench/run.ts), and
 * prints each call's wall clock and the process's CPU time: what the worker spends before the cell can redraw.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { loadavg } from 'node:os';
import { openNodeDb } from '../src/db/node.ts';
import type { ModelName } from '../src/models/registry.ts';
import type { ModelSettings } from '../src/models/settings.ts';
import { Engine } from '../workers/engine.ts';

const file = process.argv[2];
if (!file) throw new Error('usage: npx tsx bench/settings.ts FILE');
const e = new Engine(await openNodeDb());
const view = await e.load({ name: basename(file), size: statSync(file).size, data: new Uint8Array(readFileSync(file)) });
await e.apply(view.id, view.mapping, undefined, view.role);

async function timed(label: string, run: () => Promise<unknown>): Promise<void> {
  const cpu = process.cpuUsage();
  const t = performance.now();
  await run();
  const wall = performance.now() - t;
  const used = process.cpuUsage(cpu);
  console.log(`${label.padEnd(48)} ${wall.toFixed(0).padStart(6)} ms wall ${((used.user + used.system) / 1000).toFixed(0).padStart(6)} ms CPU`);
}

const base: ModelSettings = { asOf: null };
const changes: [ModelName, ModelSettings, string][] = [
  ['rfm', { ...base, rfm: { monetary: 'mean' } }, 'RFM monetary: sum → mean'],
  ['abc', { ...base, abc: { cutA: 0.7 } }, 'ABC cut-off A: 80 % → 70 %'],
  ['cohorts', { ...base, cohorts: { unit: 'quarter' } }, 'cohorts unit: month → quarter'],
  ['lifecycle', { ...base, lifecycle: { activeDays: 120 } }, 'lifecycle active window: 90 → 120 days'],
];
console.log(`load average ${loadavg().map((x) => x.toFixed(1)).join(' / ')}`);
for (const [name] of changes) await timed(`${name} (defaults, first run)`, () => e.run(name, base));
for (const [name, settings, label] of changes) {
  await timed(label, () => e.run(name, settings));
  // The list page the cell asks for next (RFM: 50 customers; ABC: its list; lifecycle's comes with its run).
  if (name === 'rfm') await timed('  then its first list page', () => e.list('rfm', { scheme: 'cn', limit: 50 }, settings));
  if (name === 'abc') await timed('  then its first list page', () => e.list('abc', { limit: 50 }, settings));
}
console.log(`load average ${loadavg().map((x) => x.toFixed(1)).join(' / ')}`);
