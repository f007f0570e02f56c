// Cohorts (MODELS.md §4): hand-computed matrices on a small fixture, and the reference data and sample store against independent counts.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../../src/cli/analyze.ts';
import { rows, type Db } from '../../src/db/db.ts';
import { openNodeDb } from '../../src/db/node.ts';
import { applyMapping, loadFile } from '../../src/ingest/index.ts';
import { cohorts, type CohortCell } from '../../src/models/cohorts.ts';
import { overview } from '../../src/models/overview.ts';
import { periodLabelSql } from '../../src/models/periods.ts';
import type { Prepared } from '../../src/models/prepared.ts';

const here = dirname(fileURLToPath(import.meta.url));
const shared = (f: string) => join(here, '../../../shared/data', f);
const sample = (f: string) => join(here, '../../sample-data', f);

/** Cells as compact tuples: [cohort, period, size, active, revenue]. */
const compact = (cells: CohortCell[]) => cells.map((c) => [c.cohort, c.period, c.size, c.active, Math.round(c.revenue * 100) / 100]);

async function load(db: Db, file: string): Promise<void> {
  const loaded = await loadFile(db, file.split('/').pop()!, readFileSync(file), 'raw_orders');
  await applyMapping(db, loaded, loaded.mapping);
}

describe('cohorts on a hand-made fixture', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openNodeDb();
    // Purchases as the shared views expose them: a customer's first purchase decides the cohort.
    await db.query(`CREATE TABLE p(customer_id VARCHAR, order_day DATE, net DOUBLE);
      INSERT INTO p VALUES
        ('a', '2024-01-05', 100), ('a', '2024-01-20', 50), ('a', '2024-02-10', 30), ('a', '2024-04-01', 20),
        ('b', '2024-01-31', 200), ('b', '2024-03-15', 10),
        ('c', '2024-02-01', 40), ('c', '2024-02-29', 60), ('c', '2024-03-01', 5),
        ('d', '2024-03-31', 70),
        (NULL, '2024-01-10', 999);  -- a guest purchase: no cohort
      CREATE VIEW purchases AS SELECT customer_id, order_day, order_day::TIMESTAMP AS order_ts, net FROM p;
      CREATE VIEW customer_purchases AS SELECT * FROM purchases WHERE customer_id IS NOT NULL`);
  });

  it('counts active customers and revenue per cohort month, with empty periods up to D', async () => {
    const r = await cohorts(db);
    expect(r.as_of).toBe('2024-04-02');
    expect(r.unit).toBe('month');
    expect(compact(r.cells)).toEqual([
      ['2024-01', 0, 2, 2, 350],
      ['2024-01', 1, 2, 1, 30],
      ['2024-01', 2, 2, 1, 10],
      ['2024-01', 3, 2, 1, 20],
      ['2024-02', 0, 1, 1, 100],
      ['2024-02', 1, 1, 1, 5],
      ['2024-02', 2, 1, 0, 0],
      ['2024-03', 0, 1, 1, 70],
      ['2024-03', 1, 1, 0, 0],
    ]);
    const jan = r.cells.filter((c) => c.cohort === '2024-01');
    expect(jan.map((c) => c.retention)).toEqual([1, 0.5, 0.5, 0.5]);
    expect(jan.map((c) => c.revenue_retention)).toEqual([1, 30 / 350, 10 / 350, 20 / 350]);
    expect(jan.map((c) => c.cumulative_revenue_per_customer)).toEqual([175, 190, 195, 205]);
    expect(r.cohorts).toEqual([
      { cohort: '2024-01', start: '2024-01-01', size: 2, revenue: 410, periods: 4 },
      { cohort: '2024-02', start: '2024-02-01', size: 1, revenue: 105, periods: 3 },
      { cohort: '2024-03', start: '2024-03-01', size: 1, revenue: 70, periods: 2 },
    ]);
    // Period 1 reached by all three cohorts: (1 + 1 + 0) / (2 + 1 + 1).
    expect(r.average[1]).toEqual({ period: 1, cohorts: 3, customers: 4, retention: 0.5, revenue_per_customer: 35 / 4 });
  });

  it('leaves out purchases on or after D inside the last period, and customers who first buy on or after D', async () => {
    // D = 2024-03-15: March is partial; b's purchase on the 15th and d (first purchase 03-31) do not count.
    const r = await cohorts(db, { asOf: '2024-03-15' });
    expect(compact(r.cells)).toEqual([
      ['2024-01', 0, 2, 2, 350],
      ['2024-01', 1, 2, 1, 30],
      ['2024-01', 2, 2, 0, 0],
      ['2024-02', 0, 1, 1, 100],
      ['2024-02', 1, 1, 1, 5],
    ]);
  });

  it('does not report a period that starts on D', async () => {
    const r = await cohorts(db, { asOf: '2024-04-01' });
    expect(compact(r.cells)).toEqual([
      ['2024-01', 0, 2, 2, 350],
      ['2024-01', 1, 2, 1, 30],
      ['2024-01', 2, 2, 1, 10],
      ['2024-02', 0, 1, 1, 100],
      ['2024-02', 1, 1, 1, 5],
      ['2024-03', 0, 1, 1, 70],
    ]);
  });

  it('groups by quarter and by Monday-based ISO week', async () => {
    const q = await cohorts(db, { unit: 'quarter' });
    expect(compact(q.cells)).toEqual([
      ['2024-Q1', 0, 4, 4, 565],
      ['2024-Q1', 1, 4, 1, 20],
    ]);
    const w = await cohorts(db, { unit: 'week' });
    // a: 01-05 (W01), 01-20 (W03), 02-10 (W06), 04-01 (W14, the week holding D − 1): 14 periods.
    const a = w.cells.filter((c) => c.cohort === '2024-W01');
    expect(a.length).toBe(14);
    expect(a.filter((c) => c.active > 0).map((c) => [c.period, c.revenue])).toEqual([[0, 100], [2, 50], [5, 30], [13, 20]]);
    expect(w.cohorts.map((c) => [c.cohort, c.start, c.size])).toEqual([
      ['2024-W01', '2024-01-01', 1],
      ['2024-W05', '2024-01-29', 2], // b (Wed 01-31) and c (Thu 02-01)
      ['2024-W13', '2024-03-25', 1],
    ]);
  });

  it('labels ISO weeks by their week-numbering year, and quarters', async () => {
    const [r] = await rows<Record<string, string>>(
      db,
      `SELECT ${periodLabelSql('week', `((DATE '2024-12-30' - DATE '1900-01-01') // 7)`)} AS w1,
        ${periodLabelSql('week', `((DATE '2021-01-03' - DATE '1900-01-01') // 7)`)} AS w2,
        ${periodLabelSql('quarter', `(2024 * 4 + 1)`)} AS q`,
    );
    expect(r).toEqual({ w1: '2025-W01', w2: '2020-W53', q: '2024-Q2' });
  });

  it('gives the same matrices from the engine’s prepared tables as from scratch, in any order of settings', async () => {
    const prepared: Prepared = new Map();
    for (const settings of [{}, { asOf: '2024-03-15' }, { unit: 'week' as const }, { asOf: '2024-04-01' }, {}, { unit: 'quarter' as const, asOf: '2024-03-15' }]) {
      expect(await cohorts(db, settings, prepared)).toEqual(await cohorts(db, settings));
    }
  });

  it('rejects an unknown unit', async () => {
    await expect(cohorts(db, { unit: 'year' as never })).rejects.toThrow(/cohort unit/);
  });
});

/** Cohort month and the months with a purchase, per customer, read straight from CDNOW_master.txt. */
function cdnowByHand(): { sizes: Map<string, number>; month1: Map<string, number>; revenue0: Map<string, number> } {
  const text = readFileSync(shared('CDNOW_master.txt'), 'utf8');
  const months = new Map<string, Set<string>>();
  const revenue = new Map<string, Map<string, number>>();
  for (const line of text.split(/\r?\n/).slice(1)) {
    const [id, date, , dollars] = line.trim().split(/\s+/);
    if (!id) continue;
    const month = `${date.slice(0, 4)}-${date.slice(4, 6)}`;
    if (!months.has(id)) months.set(id, new Set());
    months.get(id)!.add(month);
    if (!revenue.has(id)) revenue.set(id, new Map());
    revenue.get(id)!.set(month, (revenue.get(id)!.get(month) ?? 0) + Number(dollars));
  }
  const next = (m: string) => {
    const [y, mo] = m.split('-').map(Number);
    return mo === 12 ? `${y + 1}-01` : `${y}-${String(mo + 1).padStart(2, '0')}`;
  };
  const sizes = new Map<string, number>();
  const month1 = new Map<string, number>();
  const revenue0 = new Map<string, number>();
  for (const [id, set] of months) {
    const cohort = [...set].sort()[0];
    sizes.set(cohort, (sizes.get(cohort) ?? 0) + 1);
    if (set.has(next(cohort))) month1.set(cohort, (month1.get(cohort) ?? 0) + 1);
    revenue0.set(cohort, (revenue0.get(cohort) ?? 0) + revenue.get(id)!.get(cohort)!);
  }
  return { sizes, month1, revenue0 };
}

describe('cohorts on the reference data', () => {
  it('CDNOW: cohort sizes, month-1 retention and first-month revenue equal a count from the raw file', async () => {
    const db = await openNodeDb();
    await load(db, shared('CDNOW_master.txt'));
    const r = await cohorts(db);
    const hand = cdnowByHand();
    expect(r.as_of).toBe('1998-07-01');
    expect(r.cohorts.map((c) => [c.cohort, c.size])).toEqual([...hand.sizes].sort());
    expect(r.cohorts.reduce((s, c) => s + c.size, 0)).toBe(23570);
    // The first-time buyers of Q1 1997, followed to June 1998: 18 monthly periods for January's cohort.
    expect(r.cohorts.map((c) => c.periods)).toEqual([18, 17, 16]);
    for (const c of r.cells.filter((x) => x.period === 1)) {
      expect(c.active).toBe(hand.month1.get(c.cohort));
      expect(c.retention).toBeCloseTo(hand.month1.get(c.cohort)! / hand.sizes.get(c.cohort)!, 12);
    }
    for (const c of r.cells.filter((x) => x.period === 0)) expect(c.revenue).toBeCloseTo(hand.revenue0.get(c.cohort)!, 6);
    expect(r.cells.reduce((s, c) => s + c.revenue, 0)).toBeCloseTo(2500315.63, 4);
  });

  it('Online Retail France: cohorts and month-1 retention equal plain SQL over the raw file', async () => {
    const db = await openNodeDb();
    await load(db, shared('online_retail_france.csv'));
    const r = await cohorts(db);
    // Independently: invoices of known customers, a purchase when the invoice nets > 0 (credit notes are
    // invoices of their own with a negative net); cohort = month of the first purchase.
    await db.registerFile('france.csv', readFileSync(shared('online_retail_france.csv')));
    const hand = await rows<{ cohort: string; size: number; month1: number }>(
      db,
      `WITH raw AS (SELECT * FROM read_csv('france.csv', header = true, all_varchar = true)),
        inv AS (SELECT InvoiceNo, any_value(CustomerID::DOUBLE::BIGINT) AS cid,
            min(strptime(InvoiceDate, '%m/%d/%Y %H:%M'))::DATE AS day, sum(Quantity::DOUBLE * UnitPrice::DOUBLE) AS net
          FROM raw WHERE CustomerID IS NOT NULL GROUP BY InvoiceNo),
        p AS (SELECT cid, date_trunc('month', day) AS m FROM inv WHERE net > 0),
        firsts AS (SELECT cid, min(m) AS c FROM p GROUP BY cid)
      SELECT strftime(c, '%Y-%m') AS cohort, count(DISTINCT cid)::DOUBLE AS size,
        count(DISTINCT cid) FILTER (WHERE m = c + INTERVAL 1 MONTH)::DOUBLE AS month1
      FROM firsts JOIN p USING (cid) GROUP BY c ORDER BY c`,
    );
    expect(hand.reduce((s, h) => s + h.size, 0)).toBe(87);
    expect(r.cohorts.map((c) => [c.cohort, c.size])).toEqual(hand.map((h) => [h.cohort, h.size]));
    const month1 = r.cells.filter((c) => c.period === 1).map((c) => [c.cohort, c.active]);
    expect(month1).toEqual(hand.filter((h) => h.cohort < '2011-12').map((h) => [h.cohort, h.month1]));
  });

  it('sample data: every customer in one cohort, and the cells add up to the customers’ revenue', async () => {
    const db = await openNodeDb();
    await load(db, sample('orders.csv'));
    const r = await cohorts(db);
    const o = await overview(db);
    expect(r.cohorts.length).toBe(24);
    expect(r.cohorts.reduce((s, c) => s + c.size, 0)).toBe(4937);
    expect(r.cells.reduce((s, c) => s + c.revenue, 0)).toBeCloseTo(o.revenue - o.guest_revenue, 4);
    // The overview's new customers per month are the cohort sizes.
    expect(r.cohorts.map((c) => c.size)).toEqual(o.months.map((m) => m.new_customers));
    for (const unit of ['week', 'quarter'] as const) {
      const u = await cohorts(db, { unit });
      expect(u.cohorts.reduce((s, c) => s + c.size, 0)).toBe(4937);
      expect(u.cells.reduce((s, c) => s + c.revenue, 0)).toBeCloseTo(o.revenue - o.guest_revenue, 4);
    }
  });

  it('the headless command gives the model’s numbers', async () => {
    const settings = { cohorts: { unit: 'quarter' as const } };
    const out = (await analyze({ orders: sample('orders.csv'), models: ['cohorts'], settings })) as { cohorts: { unit: string; cells: CohortCell[] } };
    const db = await openNodeDb();
    await load(db, sample('orders.csv'));
    const direct = await cohorts(db, { unit: 'quarter' });
    expect(out.cohorts.unit).toBe('quarter');
    expect(out.cohorts).toEqual(direct);
  });
});
