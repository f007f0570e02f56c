// Values as exports write them: dates, money, ids, computed amounts and refunds, read per MODELS.md §1
// (real DuckDB-WASM; run under TZ=UTC and TZ=Asia/Shanghai: dates must not shift).
import { beforeAll, describe, expect, it } from 'vitest';
import { rows, type Db } from '../../src/db/db.ts';
import { openNodeDb } from '../../src/db/node.ts';
import { expectIdentity, ingest, utf8 } from './ingest-helpers.ts';

let db: Db;
beforeAll(async () => {
  db = await openNodeDb();
});

/** Orders of one customer each, so the timestamps and amounts read can be listed by id. */
async function read(header: string, lines: string[], opts: Parameters<typeof ingest>[3] = {}) {
  const { report, loaded } = await ingest(db, 'values.csv', utf8([header, ...lines].join('\n') + '\n'), opts);
  expectIdentity(report);
  const got = await rows<{ id: string; ts: string; amount: string }>(
    db,
    `SELECT order_id AS id, strftime(order_ts, '%Y-%m-%d %H:%M:%S') AS ts, amount::VARCHAR AS amount FROM orders ORDER BY __line`,
  );
  return { report, loaded, got };
}

describe('dates', () => {
  it('reads ISO, slashed, compact, Chinese and Excel-serial dates as written, without a time-zone shift', async () => {
    const { got, report } = await read('order_id,customer_id,order_date,amount', [
      'A1,c1,2024-03-05,1',
      'A2,c1,2024-03-05 14:22:07,1',
      'A3,c1,2024-03-05T14:22:07Z,1',
      'A4,c1,2024-03-05T14:22:07+08:00,1',
      'A5,c1,2024/3/5 14:22:07,1',
      'A6,c1,20240305,1',
      'A7,c1,2024年3月5日,1',
      'A8,c1,45356,1',
      'A9,c1,45356.5,1',
      'A10,c1,2024.03.05,1',
      'A11,c1,2024-03-05 23:59:59.5,1',
    ]);
    expect(report.bad_date).toBe(0);
    expect(got.map((g) => g.ts)).toEqual([
      '2024-03-05 00:00:00', '2024-03-05 14:22:07', '2024-03-05 14:22:07', '2024-03-05 14:22:07', '2024-03-05 14:22:07',
      '2024-03-05 00:00:00', '2024-03-05 00:00:00', '2024-03-05 00:00:00', '2024-03-05 12:00:00', '2024-03-05 00:00:00', '2024-03-05 23:59:59',
    ]);
    const days = await rows<{ d: string }>(db, `SELECT DISTINCT strftime(order_day, '%Y-%m-%d') AS d FROM order_totals`);
    expect(days).toEqual([{ d: '2024-03-05' }]);
  });

  it('decides day/month order from the data and says so', async () => {
    const dayFirst = await read('order_id,customer_id,order_date,amount', ['A1,c1,5/3/2024 14:22,1', 'A2,c1,25/3/2024 09:00,1', 'A3,c1,1/4/2024 10:00,1']);
    expect(dayFirst.report).toMatchObject({ date_order: 'dmy', date_order_evidence: 'data', bad_date: 0 });
    expect(dayFirst.got.map((g) => g.ts)).toEqual(['2024-03-05 14:22:00', '2024-03-25 09:00:00', '2024-04-01 10:00:00']);

    const monthFirst = await read('order_id,customer_id,order_date,amount', ['A1,c1,3/5/2024 14:22,1', 'A2,c1,3/25/2024 09:00,1']);
    expect(monthFirst.report).toMatchObject({ date_order: 'mdy', date_order_evidence: 'data' });
    expect(monthFirst.got.map((g) => g.ts)).toEqual(['2024-03-05 14:22:00', '2024-03-25 09:00:00']);

    const unclear = await read('order_id,customer_id,order_date,amount', ['A1,c1,3/5/2024,1', 'A2,c1,4/6/2024,1']);
    expect(unclear.report).toMatchObject({ date_order: 'mdy', date_order_evidence: 'default' });
    expect(unclear.got.map((g) => g.ts)).toEqual(['2024-03-05 00:00:00', '2024-04-06 00:00:00']);

    const chosen = await read('order_id,customer_id,order_date,amount', ['A1,c1,3/5/2024,1', 'A2,c1,4/6/2024,1'], { cleaning: { dateOrder: 'dmy' } });
    expect(chosen.report).toMatchObject({ date_order: 'dmy', date_order_evidence: 'setting' });
    expect(chosen.got.map((g) => g.ts)).toEqual(['2024-05-03 00:00:00', '2024-06-04 00:00:00']);

    const iso = await read('order_id,customer_id,order_date,amount', ['A1,c1,2024-03-05,1']);
    expect(iso.report.date_order_evidence).toBe('none');
  });

  it('counts impossible and unreadable dates with their line, value and column, not rolled over', async () => {
    const { report, got } = await read('order_id,customer_id,order_date,amount', [
      'A1,c1,2024/2/30,1', 'A2,c1,2024-02-29,1', 'A3,c1,2023-02-29,1', 'A4,c1,next week,1', 'A5,c1,,1', 'A6,c1,2024-13-01,1',
    ]);
    expect(report).toMatchObject({ rows_read: 6, rows_loaded: 1, bad_date: 5 });
    expect(got).toEqual([{ id: 'A2', ts: '2024-02-29 00:00:00', amount: '1.0000' }]);
    expect(report.examples.bad_date).toEqual([
      { line: 2, column: 'order_date', value: '2024/2/30' },
      { line: 4, column: 'order_date', value: '2023-02-29' },
      { line: 5, column: 'order_date', value: 'next week' },
      { line: 6, column: 'order_date', value: null },
      { line: 7, column: 'order_date', value: '2024-13-01' },
    ]);
  });
});

describe('money', () => {
  it('reads currency signs, thousands separators, parentheses and minus signs exactly', async () => {
    const { got, report } = await read('order_id,customer_id,order_date,amount', [
      'A1,c1,2024-03-05,¥1288',
      'A2,c1,2024-03-05,"￥1,288.50"',
      'A3,c1,2024-03-05,$12.34',
      'A4,c1,2024-03-05,€ 0.10',
      'A5,c1,2024-03-05,"1,234,567.8901"',
      'A6,c1,2024-03-05,(12.50)',
      'A7,c1,2024-03-05,-5',
      'A8,c1,2024-03-05,−7.25',
      'A9,c1,2024-03-05,"(￥1,000.00)"',
      'A10,c1,2024-03-05,99元',
      'A11,c1,2024-03-05,RMB 3.5',
      'A12,c1,2024-03-05, 42 ',
    ]);
    expect(report.bad_amount).toBe(0);
    expect(got.map((g) => g.amount)).toEqual([
      '1288.0000', '1288.5000', '12.3400', '0.1000', '1234567.8901', '-12.5000', '-5.0000', '-7.2500', '-1000.0000', '99.0000', '3.5000', '42.0000',
    ]);
    const sum = await rows<{ s: string }>(db, `SELECT sum(amount)::VARCHAR AS s FROM orders`);
    expect(sum).toEqual([{ s: '1236276.5801' }]);
  });

  it('reads decimal commas when the column writes them, and never turns a misplaced comma into a bigger number', async () => {
    const comma = await read('order_id;customer_id;order_date;amount', ['A1;c1;2024-03-05;12,50', 'A2;c1;2024-03-05;"1.234,5"', 'A3;c1;2024-03-05;€ 7', 'A4;c1;2024-03-05;(0,99)']);
    expect(comma.got.map((g) => g.amount)).toEqual(['12.5000', '1234.5000', '7.0000', '-0.9900']);
    const dots = await read('order_id,customer_id,order_date,amount', ['A1,c1,2024-03-05,3.99', 'A2,c1,2024-03-05,"12,50"', 'A3,c1,2024-03-05,"1,0,0"', 'A4,c1,2024-03-05,"1,234"']);
    expect(dots.got.map((g) => g.amount)).toEqual(['3.9900', '1234.0000']);
    expect(dots.report.examples.bad_amount?.map((e) => e.value)).toEqual(['12,50', '1,0,0']);
  });

  it('counts amounts that are not money, with their line', async () => {
    const { report } = await read('order_id,customer_id,order_date,amount', ['A1,c1,2024-03-05,12', 'A2,c1,2024-03-05,abc', 'A3,c1,2024-03-05,1.2.3', 'A4,c1,2024-03-05,']);
    expect(report).toMatchObject({ rows_read: 4, rows_loaded: 1, bad_amount: 3 });
    expect(report.examples.bad_amount).toEqual([
      { line: 3, column: 'amount', value: 'abc' },
      { line: 4, column: 'amount', value: '1.2.3' },
      { line: 5, column: 'amount', value: null },
    ]);
  });

  it('computes amount = quantity × unit price when there is no amount column', async () => {
    const { got, loaded, report } = await read('订单号,客户编号,下单时间,数量,单价', [
      'A1,c1,2024-03-05,2,"￥1,288.00"',
      'A2,c1,2024-03-05,3,0.35',
      'A3,c1,2024-03-05,-1,19.90',
      'A4,c1,2024-03-05,2,n/a',
    ]);
    expect(loaded.mapping).toMatchObject({ quantity: '数量', unit_price: '单价' });
    expect(loaded.mapping.amount).toBeUndefined();
    expect(got.map((g) => g.amount)).toEqual(['2576.0000', '1.0500', '-19.9000']);
    expect(report.examples.bad_amount).toEqual([{ line: 5, column: '单价', value: '2 × n/a' }]);
  });
});

describe('ids', () => {
  it('trims, reads 12345.0 as 12345, keeps leading zeros and case, and counts blanks', async () => {
    await read('order_id,customer_id,order_date,amount', [
      'A1,12345.0,2024-03-05,1',
      'A2,12345,2024-03-06,1',
      'A3, 00001 ,2024-03-07,1',
      'A4,00001,2024-03-08,1',
      'A5,1.5,2024-03-09,1',
      'A6,c001,2024-03-10,1',
      'A7,C001,2024-03-11,1',
      'A8,   ,2024-03-12,1',
      '00042.0,C001,2024-03-13,1',
      'A10,\u3000C001\u00a0,2024-03-14,1', // ideographic and no-break spaces are trimmed too
      'A11,\tC001,2024-03-15,1', // a tab is not a space separator: kept, as trim keeps it
      'A12,\u3000,2024-03-16,1',
    ]);
    const ids = await rows<{ customer_id: string | null; n: number }>(
      db,
      `SELECT customer_id, count(*)::DOUBLE AS n FROM orders GROUP BY customer_id ORDER BY customer_id NULLS LAST`,
    );
    expect(ids).toEqual([
      { customer_id: '\tC001', n: 1 }, { customer_id: '00001', n: 2 }, { customer_id: '1.5', n: 1 }, { customer_id: '12345', n: 2 },
      { customer_id: 'C001', n: 3 }, { customer_id: 'c001', n: 1 }, { customer_id: null, n: 2 },
    ]);
    const orderIds = await rows<{ id: string }>(db, `SELECT order_id AS id FROM orders WHERE __line = 10`);
    expect(orderIds).toEqual([{ id: '00042' }]);
    const report = await rows<{ n: number }>(db, `SELECT count(*)::DOUBLE AS n FROM customer_purchases`);
    expect(report).toEqual([{ n: 10 }]);
  });
});

describe('refunds and duplicates', () => {
  it('nets refund lines into their order and keeps credit notes as orders of their own', async () => {
    const { report } = await read('InvoiceNo,CustomerID,InvoiceDate,Quantity,UnitPrice,Status', [
      'I1,c1,2024-03-05 10:00,2,10.00,', // 20
      'I1,c1,2024-03-05 10:00,-1,10.00,', // partial refund: I1 nets 10
      'I2,c1,2024-03-06 10:00,1,30.00,', // fully refunded below: nets 0, not a purchase
      'I2,c1,2024-03-06 10:00,-1,30.00,',
      'C3,c1,2024-03-07 10:00,-1,5.00,', // a credit note of its own: an order with a negative net
      'I4,c2,2024-03-08 10:00,1,0.00,', // a zero-value order without refunds is a purchase
      'I5,c2,2024-03-09 10:00,1,40.00,已退款', // refunded by status: nets to zero
      'I6,c2,2024-03-10 10:00,1,25.00,已完成',
      'I7,c2,2024-03-11 10:00,1,15.00, 已退款 ', // the status as written, padded: still a refund
    ]);
    expect(report).toMatchObject({ rows_read: 9, rows_loaded: 9, orders: 7, purchases: 3, refund_orders: 1, refund_lines: 5, refund_statuses: ['已退款'] });
    // Every refund line counted is an example, status refunds included.
    expect(report.examples.refund?.map((e) => e.line)).toEqual([3, 5, 6, 8, 10]);
    const nets = await rows<{ k: string; net: string; p: boolean }>(
      db,
      `SELECT order_key AS k, net::VARCHAR AS net, order_key IN (SELECT order_key FROM purchases) AS p FROM order_totals ORDER BY k`,
    );
    expect(nets).toEqual([
      { k: 'C3', net: '-5.0000', p: false }, { k: 'I1', net: '10.0000', p: true }, { k: 'I2', net: '0.0000', p: false },
      { k: 'I4', net: '0.0000', p: true }, { k: 'I5', net: '0.0000', p: false }, { k: 'I6', net: '25.0000', p: true },
      { k: 'I7', net: '0.0000', p: false },
    ]);
  });

  it('removes exact duplicate rows only when there is an order id, unless told otherwise', async () => {
    const lines = ['c1,2024-03-05 10:00,12.5', 'c1,2024-03-05 10:00,12.5', 'c2,2024-03-06 10:00,3'];
    const kept = await read('customer_id,order_date,amount', lines);
    expect(kept.report).toMatchObject({ dedupe: false, duplicates_removed: 0, rows_loaded: 3, orders: 2 });
    const nets = await rows<{ c: string; net: string }>(db, `SELECT customer_id AS c, net::VARCHAR AS net FROM order_totals ORDER BY c`);
    expect(nets).toEqual([{ c: 'c1', net: '25.0000' }, { c: 'c2', net: '3.0000' }]);
    const removed = await read('customer_id,order_date,amount', lines, { cleaning: { dedupe: 'always' } });
    expect(removed.report).toMatchObject({ dedupe: true, duplicates_removed: 1, rows_loaded: 2 });
    expect(removed.report.examples.duplicate?.map((e) => e.line)).toEqual([3]);
    const withId = await read('order_id,customer_id,order_date,amount', ['A1,c1,2024-03-05,1', 'A1,c1,2024-03-05,1', 'A1,c1,2024-03-05,2']);
    expect(withId.report).toMatchObject({ dedupe: true, duplicates_removed: 1, rows_loaded: 2 });
  });
});
