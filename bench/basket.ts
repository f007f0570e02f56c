/** Basket benchmark: groceries.csv at both arules reference settings and 1M generated order lines at the defaults. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Db } from '../src/db/db.ts';
import { openNodeDb } from '../src/db/node.ts';
import { applyMapping, loadFile } from '../src/ingest/index.ts';
import { buildPurchases } from '../src/ingest/clean.ts';
import { loadTransactions } from '../src/models/basket/data.ts';
import { mineBasket, type BasketSettings } from '../src/models/basket/model.ts';

/** One measured case: SQL (transactions) and mining times are medians over the runs. */
export interface BasketBenchRow {
  case: string;
  transactions: number;
  items: number;
  itemsets: number;
  rules: number;
  /** Building the transactions in SQL and handing them over as typed arrays. */
  sqlMs: number;
  /** FP-growth and rule generation. */
  miningMs: number;
  totalMs: number;
  /** CPU time of the process for SQL and mining together (the work, apart from waiting on a busy machine). */
  cpuMs: number;
  /** Peak resident memory of the process so far (MB), WASM heap included. */
  peakRssMb: number;
  runs: number;
}

const GROCERIES = fileURLToPath(new URL('../../shared/data/groceries.csv', import.meta.url));

/**
 * Writes `lines` generated order lines as the canonical `orders` table (and its purchases): orders of 1–8
 * lines (55% one line, mean about 1.8) from 150,000 customers over two years, 2,000 products with a
 * power-law popularity in 40 categories, companion products bought with an order's first product (so there
 * are rules to find), and one order in a hundred returning one unit of its first product. Seeded.
 */
export async function generateOrderLines(db: Db, lines: number): Promise<void> {
  const orders = Math.ceil(lines / 1.7);
  await db.query(`SELECT setseed(0.42);
    CREATE OR REPLACE TEMP TABLE bench_orders AS
      SELECT i AS ord, floor(random() * 150000)::INTEGER AS cust,
        TIMESTAMP '2024-01-01' + to_seconds(floor(random() * 730 * 86400)::BIGINT) AS ts,
        CASE WHEN r < 0.55 THEN 1 WHEN r < 0.80 THEN 2 WHEN r < 0.92 THEN 3 WHEN r < 0.97 THEN 4 ELSE 5 + floor(random() * 4)::INTEGER END AS k,
        floor(2000 * pow(random(), 2.5))::INTEGER AS anchor, random() < 0.01 AS returns
      FROM (SELECT i, random() AS r FROM range(${orders}) t(i));
    CREATE OR REPLACE TEMP TABLE bench_lines AS
      SELECT ord, cust, ts, j, returns,
        CASE WHEN j = 0 THEN anchor WHEN random() < 0.6 THEN (anchor + 999 + j) % 2000 ELSE floor(2000 * pow(random(), 2.5))::INTEGER END AS p
      FROM (SELECT *, unnest(range(k)) AS j FROM bench_orders)
      ORDER BY ord, j LIMIT ${lines};
    CREATE OR REPLACE TABLE orders AS
      SELECT 'C' || lpad(cust::VARCHAR, 6, '0') AS customer_id, ts AS order_ts, amount, order_id, 'product ' || p AS product,
        'category ' || (p % 40) AS category, quantity, (10 + p % 90)::DECIMAL(18, 4) AS unit_price, NULL::VARCHAR AS channel,
        NULL::VARCHAR AS status, quantity < 0 AS is_refund, false AS refund_status, row_number() OVER (ORDER BY order_id, refund_line) AS __line,
        order_id AS order_key
      FROM (
        SELECT ord, 'O' || ord AS order_id, cust, ts, p, 1.0 AS quantity, (10 + p % 90)::DECIMAL(18, 4) AS amount, false AS refund_line FROM bench_lines
        UNION ALL
        SELECT ord, 'O' || ord, cust, ts + INTERVAL 5 DAY, p, -1.0, -(10 + p % 90)::DECIMAL(18, 4), true FROM bench_lines WHERE returns AND j = 0);
    DROP TABLE bench_lines; DROP TABLE bench_orders`);
  await buildPurchases(db);
}

async function measure(db: Db, name: string, settings: BasketSettings, runs: number): Promise<BasketBenchRow> {
  const sql: number[] = [];
  const mining: number[] = [];
  const cpu: number[] = [];
  let last: ReturnType<typeof mineBasket> | null = null;
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const data = await loadTransactions(db, settings);
    const t1 = performance.now();
    last = mineBasket(data, settings);
    const t2 = performance.now();
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    sql.push(t1 - t0);
    mining.push(t2 - t1);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  return {
    case: name,
    transactions: last!.transactions,
    items: last!.items,
    itemsets: last!.itemsets.total,
    rules: last!.ruleCount,
    sqlMs: median(sql),
    miningMs: median(mining),
    totalMs: median(sql.map((s, i) => s + mining[i])),
    cpuMs: median(cpu),
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    runs,
  };
}

/**
 * Runs the basket cases on DuckDB-WASM in Node (the browser's engine): groceries.csv through the real ingest
 * at support 0.006 / confidence 0.25 and 0.001 / 0.8 (max size 10), then `lines` generated order lines at
 * the cell's defaults. Each case runs `runs` times after one warm-up; times are medians.
 */
export async function benchBasket(opts: { lines?: number; runs?: number } = {}): Promise<BasketBenchRow[]> {
  const runs = opts.runs ?? 5;
  const out: BasketBenchRow[] = [];
  const db = await openNodeDb();
  const groceries = await loadFile(db, 'groceries.csv', readFileSync(GROCERIES), 'raw_groceries');
  await applyMapping(db, groceries, groceries.mapping);
  await measure(db, 'warm-up', { minSupport: 0.006, minConfidence: 0.25, maxSize: 10 }, 1);
  out.push(await measure(db, 'groceries supp 0.006 conf 0.25 max 10', { minSupport: 0.006, minConfidence: 0.25, maxSize: 10 }, runs));
  out.push(await measure(db, 'groceries supp 0.001 conf 0.8 max 10', { minSupport: 0.001, minConfidence: 0.8, maxSize: 10 }, runs));
  const lines = opts.lines ?? 1_000_000;
  const big = await openNodeDb();
  await generateOrderLines(big, lines);
  await measure(big, 'warm-up', { source: 'orders' }, 1);
  out.push(await measure(big, `${lines.toLocaleString('en-US')} order lines, defaults`, { source: 'orders' }, Math.min(runs, 3)));
  return out;
}

if (process.argv[1] && /bench[\\/]basket\.[tj]s$/.test(process.argv[1])) {
  benchBasket().then((rows) => console.table(rows.map((r) => ({ ...r, sqlMs: Math.round(r.sqlMs), miningMs: Math.round(r.miningMs), totalMs: Math.round(r.totalMs), cpuMs: Math.round(r.cpuMs), peakRssMb: Math.round(r.peakRssMb) }))));
}
