/**
 * Where the headless command's time goes: `analyze` run in this process exactly as `npm run analyze` runs it, with
 * each step timed in wall clock and in this process's CPU time (user + system, all threads: native DuckDB's too).
 *
 *   npx tsx bench/headless.ts --orders bench/out/orders-1m.csv [--engine native|wasm] [--threads N]
 *       [--models overview,rfm,cohorts,clv,basket] [--out FILE] [--json FILE]
 *
 * Steps: start (opening the engine), load + apply (read, parse, clean, purchases: everything before the first
 * model), each model's `report` (its section of the document), `stringify` (the document to JSON text, as the command
 * makes it) and `write` (the two are one step, `write`, since the command writes the text in pieces). With --sql, every SQL statement of 100 ms or more (--sql-ms N: N ms) is listed under the step it ran in, with
 * the process's CPU time during it (on native DuckDB, one thread, that is the statement's own work while the JS thread waits).
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import os from 'node:os';
import { analyze, isNativeEngine, openEngine, writeResult } from '../src/cli/analyze.ts';
import type { Db } from '../src/db/db.ts';
import { MODELS, type Registry } from '../src/models/registry.ts';

interface Step {
  step: string;
  ms: number;
  cpu_ms: number;
}

const { values } = parseArgs({
  options: {
    orders: { type: 'string' },
    engine: { type: 'string' },
    threads: { type: 'string', default: '1' },
    models: { type: 'string', default: 'overview,rfm,cohorts,clv,basket' },
    out: { type: 'string', default: '/dev/null' },
    json: { type: 'string' },
    sql: { type: 'boolean' },
    'sql-ms': { type: 'string', default: '100' },
    'pack-above': { type: 'string' },
  },
});
if (!values.orders) throw new Error('--orders FILE is required');

const steps: Step[] = [];
const slow: { step: string; ms: number; cpu_ms: number; sql: string }[] = [];
let mark = { t: performance.now(), cpu: process.cpuUsage() };
let current = 'start';
function stop(step: string): void {
  const cpu = process.cpuUsage(mark.cpu);
  steps.push({ step, ms: performance.now() - mark.t, cpu_ms: (cpu.user + cpu.system) / 1000 });
  mark = { t: performance.now(), cpu: process.cpuUsage() };
}

const started = performance.now();
const load = os.loadavg();
const base = await openEngine(values.engine, Number(values.threads));
const db: Db = values.sql ? timed(base) : base;
stop('start');
current = 'load + apply';
const models: Registry = Object.fromEntries(
  Object.entries(MODELS).map(([name, m]) => [name, {
    ...m,
    async report(d: Db, s: Parameters<typeof m.report>[1], c: Parameters<typeof m.report>[2]) {
      if (current === 'load + apply') stop(current);
      current = name;
      const r = await m.report(d, s, c);
      stop(name);
      return r;
    },
  }]),
);
// As the command: on native DuckDB the orders are stored uncompressed (--pack-above N: compressed above N rows).
const packAbove = values['pack-above'] !== undefined ? Number(values['pack-above']) : isNativeEngine(base) ? Infinity : undefined;
const result = await analyze({ orders: values.orders, models: values.models.split(','), packAbove }, db, models);
await writeResult(result, values.out, (s) => stop(s));
const total = performance.now() - started;
const cpu = process.cpuUsage();
const report = {
  engine: values.engine ?? 'native (default)',
  threads: values.engine === 'wasm' ? 1 : Number(values.threads),
  pack_above: packAbove ?? 'default',
  file: values.orders,
  models: values.models,
  load_average: { before: load, after: os.loadavg() },
  total_ms: total,
  total_cpu_ms: (cpu.user + cpu.system) / 1000,
  steps,
  slow_sql: slow,
};
for (const s of steps) console.log(`${s.step.padEnd(14)} ${s.ms.toFixed(0).padStart(7)} ms  cpu ${s.cpu_ms.toFixed(0).padStart(7)} ms`);
console.log(`${'in process'.padEnd(14)} ${total.toFixed(0).padStart(7)} ms  cpu ${report.total_cpu_ms.toFixed(0).padStart(7)} ms  (load ${load.map((x) => x.toFixed(1)).join(' ')} → ${os.loadavg().map((x) => x.toFixed(1)).join(' ')})`);
for (const q of slow) console.log(`  ${q.step}: ${q.ms.toFixed(0)} ms (cpu ${q.cpu_ms.toFixed(0)} ms) ${q.sql}`);
if (values.json) writeFileSync(values.json, JSON.stringify(report, null, 1));

function timed(inner: Db): Db {
  return {
    ...inner,
    async query(sql) {
      const t = performance.now();
      const c = process.cpuUsage();
      try {
        return await inner.query(sql);
      } finally {
        const ms = performance.now() - t;
        const used = process.cpuUsage(c);
        const cpu_ms = (used.user + used.system) / 1000;
        if (ms >= Number(values['sql-ms'])) slow.push({ step: current, ms, cpu_ms, sql: sql.replace(/\s+/g, ' ').slice(0, 160) });
      }
    },
    connect: async () => timed(await inner.connect()),
  };
}
