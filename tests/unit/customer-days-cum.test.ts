// The customer days carry each customer's running count of purchases (cum_purchases), read along the sort that finds
// the neighbouring days; the funnel's loyal day (the day of the N-th purchase before D) is read from it. Here both are
// checked against what the statements before computed (a window partitioned by customer), on the sample store and on
// CDNOW: for all the data (days grouped by text id), a filter that changes orders (days grouped by the kept orders'
// integer fid) and a filter keeping whole customers (days cut out of the unfiltered ones). Real DuckDB.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/db.ts';
import { openNodeDb } from '../../src/db/node.ts';
import { ensureCustomerDays } from '../../src/models/customer-days.ts';
import { openFiltered, type Filter } from '../../src/models/filter.ts';
import { lifecycle } from '../../src/models/lifecycle.ts';
import type { Prepared } from '../../src/models/prepared.ts';
import { MODELS, type Registry } from '../../src/models/registry.ts';
import { Engine } from '../../workers/engine.ts';

const sample = (f: string) => fileURLToPath(new URL(`../../sample-data/${f}`, import.meta.url));
const shared = (f: string) => fileURLToPath(new URL(`../../../shared/data/${f}`, import.meta.url));
const fileOf = (path: string) => {
  const data = readFileSync(path);
  return { name: path.split('/').pop()!, size: data.length, data };
};
const segments = (m: string) => (MODELS as Registry)[m]?.segments;

async function engineOn(paths: string[]): Promise<{ engine: Engine; db: Db }> {
  const db = await openNodeDb();
  const engine = new Engine(db);
  for (const p of paths) {
    const view = await engine.load(fileOf(p));
    await engine.apply(view.id, view.mapping);
  }
  return { engine, db };
}

const json = async (db: Db, sql: string) =>
  JSON.stringify(
    (await db.query(sql)).toArray().map((r) => r.toJSON()),
    (_, v) => (typeof v === 'bigint' ? String(v) : v),
  );

/** The loyal days as the funnel computed them before cum_purchases (over the customers with N purchases before D). */
const loyalBefore = (D: string, n: number) => `SELECT cid, min(order_day) AS loyal
  FROM (SELECT cid, order_day, sum(purchases) OVER (PARTITION BY cid ORDER BY order_day) AS cum
        FROM customer_days WHERE order_day < DATE '${D}'
          AND cid IN (SELECT cid FROM customer_days WHERE order_day < DATE '${D}' GROUP BY cid HAVING sum(purchases) >= ${n}))
  WHERE cum >= ${n} GROUP BY cid ORDER BY cid`;
const loyalNow = (D: string, n: number) =>
  `SELECT cid, min(order_day) AS loyal FROM customer_days WHERE order_day < DATE '${D}' AND cum_purchases >= ${n} GROUP BY cid ORDER BY cid`;

/** cum_purchases against a window partitioned by customer, row for row; the loyal days at each D and N both ways. */
async function expectCum(db: Db, days: string[], name: string, severalADay = false) {
  const [{ rows, multi }] = (await db.query(`SELECT count(*)::DOUBLE AS rows, count(*) FILTER (WHERE purchases > 1)::DOUBLE AS multi FROM customer_days`)).toArray();
  expect(rows, name).toBeGreaterThan(100);
  expect(await json(db, `SELECT cid, order_day, cum_purchases FROM customer_days ORDER BY cid, order_day`), name).toBe(
    await json(db, `SELECT cid, order_day, (sum(purchases) OVER (PARTITION BY cid ORDER BY order_day))::INTEGER AS cum_purchases FROM customer_days ORDER BY cid, order_day`),
  );
  // Days with several purchases make the count differ from the day's position (CDNOW has one row per customer and day).
  if (severalADay) expect(multi, name).toBeGreaterThan(0);
  for (const D of days) {
    for (const n of [2, 3, 5]) {
      const before = await json(db, loyalBefore(D, n));
      expect(JSON.parse(before).length, `${name} ${D} ${n}`).toBeGreaterThan(0);
      expect(await json(db, loyalNow(D, n)), `${name} ${D} ${n}`).toBe(before);
    }
  }
}

/** The same on the filtered days of each filter (made as the engine makes them: by fid, or cut). */
async function expectCumFiltered(db: Db, filters: [Filter, string][]) {
  const prepared: Prepared = new Map();
  await ensureCustomerDays(db, prepared);
  for (const [filter, D] of filters) {
    const f = await openFiltered(db, filter, segments, { prepared });
    try {
      expect(f.prepared.get('customer_days'), JSON.stringify(filter)).toBeDefined();
      await expectCum(f.db, [D], JSON.stringify(filter));
    } finally {
      await f.close();
    }
  }
}

describe('running purchase count in the customer days', () => {
  it('the sample store: all data, filters by fid and cut, and the funnel loyal stage', async () => {
    const { engine, db } = await engineOn([sample('orders.csv'), sample('customers.csv')]);
    await engine.run('rfm', { asOf: null });
    await expectCum(db, ['2024-06-01', '2025-01-01', '2026-01-01'], 'sample', true);
    await expectCumFiltered(db, [
      [{ category: ['咖啡豆', '茶叶'] }, '2025-06-01'],
      [{ from: '2024-03-15', to: '2024-09-14' }, '2024-09-15'],
      [{ order_channel: ['门店'] }, '2025-06-01'],
      [{ region: ['华东'] }, '2025-06-01'],
      [{ segment: { model: 'rfm', values: ['重要价值客户'] } }, '2025-06-01'],
    ]);
    // The funnel's loyal table is the statement before's, at the default and another N.
    for (const loyalPurchases of [3, 4]) {
      const prepared: Prepared = new Map();
      const asOf = '2025-01-01';
      const r = await lifecycle(db, { asOf, loyalPurchases }, { prepared, sources: { customers: true, events: false } });
      expect(r.funnel!.stages.find((s) => s.stage === 'loyal')!.reached).toBeGreaterThan(0);
      expect(await json(db, `SELECT * FROM life_loyal ORDER BY cid`)).toBe(await json(db, loyalBefore(asOf, loyalPurchases)));
    }
  }, 240_000);

  it('CDNOW: all data, a date range by fid and a segment cut', async () => {
    const { engine, db } = await engineOn([shared('CDNOW_master.txt')]);
    await engine.run('rfm', { asOf: null });
    await expectCum(db, ['1997-03-01', '1997-09-01', '1998-07-01'], 'CDNOW');
    await expectCumFiltered(db, [
      [{ from: '1997-02-01', to: '1997-12-31' }, '1998-01-01'],
      [{ segment: { model: 'rfm', values: ['Champions'] } }, '1998-07-01'],
    ]);
  }, 240_000);
});
