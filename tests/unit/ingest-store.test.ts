// Large sources: orders stored compressed (same rows and report as the ordinary table), written in chunks in line order,
// and the engine reading a file again after applying dropped its raw table.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { one, rows, type Db } from '../../src/db/db.ts';
import { openNodeDb } from '../../src/db/node.ts';
import { applyMapping, loadFile } from '../../src/ingest/index.ts';
import { createTable, PACKED, storeFor } from '../../src/ingest/store.ts';
import { prepareFilters } from '../../src/models/filter.ts';
import { Engine } from '../../workers/engine.ts';
import { purchases, utf8 } from './ingest-helpers.ts';

const ORDERS = join(dirname(fileURLToPath(import.meta.url)), '../../sample-data/orders.csv');

let db: Db;
beforeAll(async () => {
  db = await openNodeDb();
});

/** Where `orders` lives, and its rows in a form that compares exactly. */
async function ordersState() {
  const where = await rows<{ db: string }>(db, `SELECT database_name AS db FROM duckdb_tables() WHERE table_name = 'orders'`);
  const lines = await rows<Record<string, unknown>>(
    db,
    `SELECT __line::DOUBLE AS line, customer_id, strftime(order_ts, '%Y-%m-%d %H:%M:%S') AS ts, amount::VARCHAR AS amount, order_key,
       is_refund, refund_status FROM orders ORDER BY __line`,
  );
  return { where: where.map((w) => w.db), lines };
}

describe('compressed orders', () => {
  it('give the same orders, purchases and report as the ordinary table, and a smaller file then replaces them', async () => {
    const bytes = readFileSync(ORDERS);
    const plainSource = await loadFile(db, 'orders.csv', bytes, 'raw_plain');
    const plain = await applyMapping(db, plainSource, plainSource.mapping);
    const plainState = await ordersState();
    const plainPurchases = await purchases(db);
    expect(plainState.where).toEqual(['memory']);
    expect(plain.report!.rows_loaded).toBeGreaterThan(30_000);

    const packedSource = await loadFile(db, 'orders.csv', bytes, 'raw_packed');
    const packed = await applyMapping(db, packedSource, packedSource.mapping, {}, { packAbove: 0 });
    const packedState = await ordersState();
    expect(packedState.where).toEqual([PACKED]);
    expect(packed.report).toEqual(plain.report);
    expect(packedState.lines).toEqual(plainState.lines);
    expect(await purchases(db)).toEqual(plainPurchases);
    const storage = await rows<{ c: string }>(db, `SELECT DISTINCT compression AS c FROM pragma_storage_info('${PACKED}.main.orders')`);
    expect(storage.map((s) => s.c)).toContain('DICT_FSST');

    // An ordinary-sized file applied next takes the name back: one `orders`, in the session's own database.
    const small = await loadFile(db, 'small.csv', utf8('order_id,customer_id,order_date,amount\nA1,c1,2024-03-05,10\n'), 'raw_small');
    await applyMapping(db, small, small.mapping);
    expect((await ordersState()).where).toEqual(['memory']);
    expect((await one<{ n: number }>(db, `SELECT count(*)::DOUBLE AS n FROM orders`)).n).toBe(1);
  });

  it('are not given the filter tables ahead of a filter (memory is short there); asked for by a filter, they are', async () => {
    const own = await openNodeDb();
    const source = await loadFile(own, 'orders.csv', readFileSync(ORDERS), 'raw_orders');
    await applyMapping(own, source, source.mapping, {}, { packAbove: 0 });
    const filterTables = async () => (await rows<{ name: string }>(own, "SELECT table_name AS name FROM duckdb_tables() WHERE table_name LIKE 'filter_%' ORDER BY 1")).map((t) => t.name);
    const prepared = new Map<string, string>();
    expect(await prepareFilters(own, prepared, { ahead: true })).toBe(false);
    expect(await filterTables()).toEqual([]);
    expect(await prepareFilters(own, prepared)).toBe(true);
    expect(await filterTables()).toEqual(['filter_customers', 'filter_orders', 'filter_parts']);
  });

  it('are written a chunk of lines at a time, in line order, whatever the chunk size', async () => {
    await db.query(`CREATE OR REPLACE TABLE raw_chunks AS SELECT range * 2 + 3 AS __line, 'v' || range AS v FROM range(25)`);
    const store = await storeFor(db, 10, 0);
    const select = (where: string) => `SELECT __line, upper(v) AS v FROM raw_chunks WHERE ${where}`;
    for (const chunk of [1, 4, 7, 100]) {
      await db.query(`DROP TABLE IF EXISTS ${store}.chunked`);
      await createTable(db, store, `${store}.chunked`, select, 3, 51, chunk);
      const got = await rows<{ line: number; v: string }>(db, `SELECT __line::DOUBLE AS line, v FROM ${store}.chunked ORDER BY rowid`);
      expect(got).toEqual(Array.from({ length: 25 }, (_, i) => ({ line: i * 2 + 3, v: `V${i}` })));
    }
  });
});

describe('the engine after applying', () => {
  it('drops the raw table and reads the file again for another mapping', async () => {
    const engineDb = await openNodeDb();
    const engine = new Engine(engineDb);
    const text = 'order_id,customer_id,order_date,amount,gross\nA1,c1,2024-03-05,10,11\nA2,c2,2024-03-06,20,22\n';
    const data = utf8(text);
    const view = await engine.load({ name: 'two.csv', size: data.length, data });
    expect(view.mapping.amount).toBe('amount');
    const first = await engine.apply(view.id, view.mapping);
    expect(first.report!.rows_loaded).toBe(2);
    const amounts = async () => (await rows<{ a: string }>(engineDb, `SELECT amount::VARCHAR AS a FROM orders ORDER BY __line`)).map((r) => r.a);
    expect(await amounts()).toEqual(['10.0000', '20.0000']);
    const raw = async () => (await one<{ n: number }>(engineDb, `SELECT count(*)::DOUBLE AS n FROM duckdb_tables() WHERE table_name LIKE 'raw_%'`)).n;
    expect(await raw()).toBe(0);
    const second = await engine.apply(view.id, { ...view.mapping, amount: 'gross' });
    expect(second.report!.rows_loaded).toBe(2);
    expect(await amounts()).toEqual(['11.0000', '22.0000']);
  });

  it('gives the orders\' default as-of date with the report, and none when nothing was bought', async () => {
    const engine = new Engine(await openNodeDb());
    const load = async (name: string, text: string) => {
      const data = utf8(text);
      const view = await engine.load({ name, size: data.length, data });
      return engine.apply(view.id, view.mapping);
    };
    const bought = await load('bought.csv', 'order_id,customer_id,order_date,amount\nA1,c1,2024-03-05,10\nA2,c2,2024-03-09 18:00,20\n');
    expect(bought.defaultAsOf).toBe('2024-03-10');
    expect((await engine.run('rfm', {})).as_of).toBe(bought.defaultAsOf);
    // Only credit notes: the file still loads and reports its rows; there is no date to analyse at.
    const refunds = await load('refunds.csv', 'order_id,customer_id,order_date,amount\nR1,c1,2024-03-05,-10\n');
    expect(refunds.report!.rows_loaded).toBe(1);
    expect(refunds.report!.purchases).toBe(0);
    expect(refunds.defaultAsOf).toBeUndefined();
  });
});
