import { beforeAll, describe, expect, it } from 'vitest';
import { openNodeDb } from '../../src/db/node.ts';
import { rows, type Db } from '../../src/db/db.ts';
import { buildCadence } from '../../src/models/cadence.ts';

let db: Db;

beforeAll(async () => {
  db = await openNodeDb();
  // Hand-made purchases: the view `customer_purchases` is all the cadence reads.
  await db.query(`CREATE TABLE p(customer_id VARCHAR, order_day DATE);
    INSERT INTO p VALUES
      ('a', '2024-01-01'), ('a', '2024-01-11'), ('a', '2024-01-31'),            -- gaps 10, 20: median 15
      ('b', '2024-01-01'), ('b', '2024-01-05'), ('b', '2024-01-05'), ('b', '2024-01-09'), ('b', '2024-02-08'), -- days 4: gaps 4, 4, 30 → 4
      ('c', '2024-01-01'), ('c', '2024-02-01'),                                 -- two days: never slipping
      ('d', '2024-01-20'), ('d', '2024-01-25'), ('d', '2024-01-30'), ('d', '2024-02-04'); -- gaps 5,5,5
    CREATE VIEW customer_purchases AS SELECT * FROM p`);
});


describe('personal cadence', () => {
  it('flags customers whose recency exceeds 1.5 × their median gap, with ≥ 3 purchase days', async () => {
    await buildCadence(db, '2024-02-10');
    const got = await rows<{ customer_id: string; recency_days: number; purchase_days: number; median_gap_days: number | null; slipping: boolean }>(
      db,
      'SELECT * FROM cadence ORDER BY customer_id',
    );
    expect(got).toEqual([
      { customer_id: 'a', recency_days: 10, purchase_days: 3, median_gap_days: 15, slipping: false },
      { customer_id: 'b', recency_days: 2, purchase_days: 4, median_gap_days: 4, slipping: false },
      { customer_id: 'c', recency_days: 9, purchase_days: 2, median_gap_days: 31, slipping: false },
      { customer_id: 'd', recency_days: 6, purchase_days: 4, median_gap_days: 5, slipping: false },
    ]);
    await buildCadence(db, '2024-02-12');
    const slipping = await rows<{ customer_id: string }>(db, 'SELECT customer_id FROM cadence WHERE slipping ORDER BY 1');
    // d: recency 8 > 7.5; a: 12 ≤ 22.5; b: 4 ≤ 6.
    expect(slipping.map((r) => r.customer_id)).toEqual(['d']);
  });

  it('uses the mean of the middle two gaps for an even count, and ignores purchases on or after D', async () => {
    await buildCadence(db, '2024-01-31');
    // before D: a has 01-01, 01-11 (2 days); b 01-01, 01-05, 01-09 (gaps 4, 4); d 01-20, 01-25, 01-30.
    const got = await rows<{ customer_id: string; purchase_days: number; median_gap_days: number }>(
      db,
      "SELECT customer_id, purchase_days, median_gap_days FROM cadence WHERE customer_id IN ('a','b','d') ORDER BY 1",
    );
    expect(got).toEqual([
      { customer_id: 'a', purchase_days: 2, median_gap_days: 10 },
      { customer_id: 'b', purchase_days: 3, median_gap_days: 4 },
      { customer_id: 'd', purchase_days: 3, median_gap_days: 5 },
    ]);
    await db.query(`INSERT INTO p VALUES ('e', '2024-01-01'), ('e', '2024-01-02'), ('e', '2024-01-12'), ('e', '2024-01-13')`);
    await buildCadence(db, '2024-01-31');
    const e = await rows<{ median_gap_days: number }>(db, "SELECT median_gap_days FROM cadence WHERE customer_id = 'e'");
    expect(e[0].median_gap_days).toBe(1); // gaps 1, 10, 1 → median 1
  });
});
