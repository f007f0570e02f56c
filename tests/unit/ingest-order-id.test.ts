// An order is identified by its order id and its customer (MODELS.md §1): an order id that several customers carry is
// one order per customer, never merged into one, and the cleaning report names such ids with their customers. Checked
// in the cleaning, the purchases, the RFM sums, the basket transactions and the customer 360 (real DuckDB-WASM).
import { beforeAll, describe, expect, it } from 'vitest';
import { rows, type Db } from '../../src/db/db.ts';
import { openNodeDb } from '../../src/db/node.ts';
import type { CleaningReport } from '../../src/ingest/index.ts';
import { loadTransactions } from '../../src/models/basket/data.ts';
import { customer360 } from '../../src/models/customer360.ts';
import { rfm, rfmCustomers } from '../../src/models/rfm.ts';
import { expectIdentity, ingest, purchases, utf8 } from './ingest-helpers.ts';

const ORDERS = [
  'order_id,customer_id,order_date,product,amount', // 1
  'O1,C1,2024-03-01 10:00,Tea,20', // 2  C1's O1
  'O1,C3,2024-03-01 10:00,Cup,30', // 3  C3's O1: the same id, another customer
  'O1,C1,2024-03-01 10:00,Pot,5', // 4  C1's O1: 20 + 5 = 25
  'O2,C2,2024-03-02,Tea,12', // 5
  'O3,C2,2024-03-03,Tea,8', // 6  C2's O3
  'O3, ,2024-03-03,Cup,4', // 7  a line of O3 without a customer: a guest order of its own
  'O3,C2,2024-03-03,Tea,-8', // 8  refund in C2's O3: nets it to 0, so no purchase
  'O1,C3,2024-03-01 10:00,Cup,30', // 9  exact repeat of line 3: removed
  'O4,C4,2024-03-04,Tea,10', // 10
  'O5,C1,2024-03-05,Tea,7', // 11 the same line as 12 but for the customer: not a duplicate
  'O5,C5,2024-03-05,Tea,7', // 12
].join('\n') + '\n';

let db: Db;
let report: CleaningReport;
beforeAll(async () => {
  db = await openNodeDb();
  ({ report } = await ingest(db, 'shared-ids.csv', utf8(ORDERS)));
});

describe('an order id shared by several customers', () => {
  it('is one order per customer, and the report counts the shared ids with their customers', () => {
    expect(report).toMatchObject({
      rows_read: 11, rows_loaded: 10, duplicates_removed: 1, blank_customer: 1, refund_lines: 1,
      orders: 8, purchases: 7, customers: 5, guest_orders: 1, shared_order_ids: 3,
    });
    expectIdentity(report);
    expect(report.examples.duplicate).toEqual([{ line: 9, column: undefined, value: null }]);
    expect(report.examples.shared_order_id).toEqual([
      { line: 2, column: 'order_id', value: 'O1', customers: ['C1', 'C3'] },
      { line: 6, column: 'order_id', value: 'O3', customers: ['C2', null] },
      { line: 11, column: 'order_id', value: 'O5', customers: ['C1', 'C5'] },
    ]);
  });

  it('credits each customer with their own lines: C1 keeps 25, C3 keeps 30', async () => {
    expect(await purchases(db)).toEqual([
      { customer_id: 'C1', day: '2024-03-01', ts: '2024-03-01 10:00:00', net: '25.0000' },
      { customer_id: 'C1', day: '2024-03-05', ts: '2024-03-05 00:00:00', net: '7.0000' },
      { customer_id: 'C2', day: '2024-03-02', ts: '2024-03-02 00:00:00', net: '12.0000' },
      { customer_id: 'C3', day: '2024-03-01', ts: '2024-03-01 10:00:00', net: '30.0000' },
      { customer_id: 'C4', day: '2024-03-04', ts: '2024-03-04 00:00:00', net: '10.0000' },
      { customer_id: 'C5', day: '2024-03-05', ts: '2024-03-05 00:00:00', net: '7.0000' },
      { customer_id: null, day: '2024-03-03', ts: '2024-03-03 00:00:00', net: '4.0000' },
    ]);
    // C2's O3 (8 − 8) is an order that is not a purchase; it was not merged with the guest's 4.
    expect(await rows(db, `SELECT customer_id, net::VARCHAR AS net, has_refund FROM order_totals WHERE customer_id = 'C2' ORDER BY order_ts`)).toEqual([
      { customer_id: 'C2', net: '12.0000', has_refund: false },
      { customer_id: 'C2', net: '0.0000', has_refund: true },
    ]);
  });

  it('gives each customer their own frequency and monetary in RFM', async () => {
    await rfm(db, { asOf: '2024-03-10' });
    const got = (await rfmCustomers(db, { order: 'id' })).map((c) => [c.customer_id, c.frequency, c.monetary]);
    expect(got).toEqual([
      ['C1', 2, 32],
      ['C2', 1, 12],
      ['C3', 1, 30],
      ['C4', 1, 10],
      ['C5', 1, 7],
    ]);
  });

  it('makes one basket per customer’s order', async () => {
    const data = await loadTransactions(db, { source: 'orders' });
    const { offsets, items, labels } = data.transactions;
    const baskets: string[] = [];
    for (let t = 0; t + 1 < offsets.length; t++) baskets.push([...items.slice(offsets[t], offsets[t + 1])].map((i) => labels[i]).sort().join('+'));
    expect(baskets.sort()).toEqual(['Cup', 'Cup', 'Pot+Tea', 'Tea', 'Tea', 'Tea', 'Tea']);
  });

  it('shows the order under each customer in the customer 360, with its own amount', async () => {
    const c1 = await customer360(db, 'C1');
    const c3 = await customer360(db, 'C3');
    expect(c1.summary).toMatchObject({ purchases: 2, revenue: 32, orders: 2 });
    expect(c1.orders.map((o) => [o.order_id, o.amount, o.items])).toEqual([
      ['O5', 7, 'Tea'],
      ['O1', 25, 'Pot、Tea'],
    ]);
    expect(c3.summary).toMatchObject({ purchases: 1, revenue: 30, orders: 1 });
    expect(c3.orders.map((o) => [o.order_id, o.amount, o.items])).toEqual([['O1', 30, 'Cup']]);
  });
});

describe('order ids used by one customer each', () => {
  it('are keyed by the order id alone and reported as none shared', async () => {
    const { report: r } = await ingest(db, 'plain.csv', utf8('order_id,customer_id,order_date,amount\nA1,c1,2024-01-02,10\nA1,c1,2024-01-02,5\nA2,c2,2024-01-03,20\n'));
    expect(r).toMatchObject({ orders: 2, shared_order_ids: 0 });
    expect(r.examples.shared_order_id).toBeUndefined();
    expect(await rows(db, `SELECT order_key, net::VARCHAR AS net FROM order_totals ORDER BY order_key`)).toEqual([
      { order_key: 'A1', net: '15.0000' },
      { order_key: 'A2', net: '20.0000' },
    ]);
  });

  it('without an order id, an order is a customer’s lines at one time, and nothing is called shared', async () => {
    const { report: r } = await ingest(db, 'no-id.csv', utf8('customer_id,order_date,amount\nc1,2024-01-02 10:00,10\nc2,2024-01-02 10:00,5\nc1,2024-01-02 10:00,1\n'));
    expect(r).toMatchObject({ orders: 2, purchases: 2, shared_order_ids: 0 });
    expect((await purchases(db)).map((p) => [p.customer_id, p.net])).toEqual([
      ['c1', '11.0000'],
      ['c2', '5.0000'],
    ]);
  });
});
