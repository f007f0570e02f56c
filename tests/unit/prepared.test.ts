// Derived tables the models share are built once when several models ask for them at the same time (the five SQL-only
// cells run side by side in two lanes and each starts by asking for the customer tables).
import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/db.ts';
import { openNodeDb } from '../../src/db/node.ts';
import { ensureCustomerSummary } from '../../src/models/customer-days.ts';
import { asOfDate, ensureBuilt, type Prepared } from '../../src/models/prepared.ts';

/** `db` counting the statements whose text contains `marker`. */
function counting(db: Db, marker: string): { db: Db; count: () => number } {
  let n = 0;
  return {
    db: {
      ...db,
      query(sql) {
        if (sql.includes(marker)) n++;
        return db.query(sql);
      },
    },
    count: () => n,
  };
}

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('ensureBuilt', () => {
  it('a second caller for the same table and key waits for the build under way', async () => {
    const prepared: Prepared = new Map();
    let builds = 0;
    const build = async () => {
      builds++;
      await tick();
    };
    const [a, b, c] = await Promise.all([ensureBuilt(prepared, 't', 'k1', build), ensureBuilt(prepared, 't', 'k1', build), ensureBuilt(prepared, 't', 'k1', build)]);
    expect(builds).toBe(1);
    expect([a, b, c]).toEqual([true, false, false]);
    expect(prepared.get('t')).toBe('k1');
    // Another key builds.
    await ensureBuilt(prepared, 't', 'k2', build);
    expect(builds).toBe(2);
  });

  it('a build overtaken by clearing is not recorded, and the next caller builds again', async () => {
    const prepared: Prepared = new Map();
    let builds = 0;
    const first = ensureBuilt(prepared, 't', 'k', async () => {
      builds++;
      await tick();
    });
    prepared.clear();
    await first;
    expect(prepared.has('t')).toBe(false);
    await ensureBuilt(prepared, 't', 'k', async () => void builds++);
    expect(builds).toBe(2);
    expect(prepared.get('t')).toBe('k');
  });

  it('a failed build lets the callers waiting for it build themselves', async () => {
    const prepared: Prepared = new Map();
    let builds = 0;
    const failing = ensureBuilt(prepared, 't', 'k', async () => {
      builds++;
      await tick();
      throw new Error('no');
    });
    const waiting = ensureBuilt(prepared, 't', 'k', async () => void builds++);
    await expect(failing).rejects.toThrow('no');
    expect(await waiting).toBe(true);
    expect(builds).toBe(2);
    expect(prepared.get('t')).toBe('k');
  });
});

describe('the customer tables and the as-of date, asked for by several models at once', () => {
  it('are built and read once', async () => {
    const base = await openNodeDb();
    await base.query(`CREATE TABLE order_totals AS SELECT * FROM (VALUES
        ('o1', 'a', TIMESTAMP '2024-01-02 10:00', DATE '2024-01-02', 10.5::DECIMAL(38,4), false, 1),
        ('o2', 'a', TIMESTAMP '2024-02-03 10:00', DATE '2024-02-03', 4::DECIMAL(38,4), false, 1),
        ('o3', 'b', TIMESTAMP '2024-03-04 10:00', DATE '2024-03-04', 7::DECIMAL(38,4), false, 2))
        t(order_key, customer_id, order_ts, order_day, net, has_refund, lines);
      CREATE VIEW purchases AS SELECT * FROM order_totals WHERE net > 0 OR (net = 0 AND NOT has_refund);
      CREATE VIEW customer_purchases AS SELECT * FROM purchases WHERE customer_id IS NOT NULL`);
    const days = counting(base, 'CREATE OR REPLACE TABLE customer_keys');
    const prepared: Prepared = new Map();
    await Promise.all([1, 2, 3, 4].map(() => ensureCustomerSummary(days.db, '2024-04-01', prepared)));
    expect(days.count()).toBe(1);
    const span = counting(base, 'max(order_day) + 1');
    const prepared2: Prepared = new Map();
    expect(await Promise.all([null, null, '2024-03-01'].map((d) => asOfDate(span.db, d, prepared2)))).toEqual(['2024-03-05', '2024-03-05', '2024-03-01']);
    expect(span.count()).toBe(1);
  });
});
