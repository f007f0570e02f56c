// Customers and events files: every source row is loaded or counted with its line, like the orders cleaning report,
// and a file with nothing usable leaves the earlier table as it was (real DuckDB-WASM).
import { beforeAll, describe, expect, it } from 'vitest';
import { rows, type Db } from '../../src/db/db.ts';
import { openNodeDb } from '../../src/db/node.ts';
import { applyMapping, loadFile, type TableReport } from '../../src/ingest/index.ts';
import { inputError, utf8 } from './ingest-helpers.ts';

let db: Db;
beforeAll(async () => {
  db = await openNodeDb();
});

async function apply(file: string, text: string, role: 'customers' | 'events'): Promise<TableReport> {
  const src = await loadFile(db, file, utf8(text), `raw_${role}`, { role });
  const applied = await applyMapping(db, src, src.mapping);
  expect(applied.role).toBe(role);
  expect(applied.rows).toBe(applied.table!.rows_loaded);
  return applied.table!;
}

const identity = (r: TableReport) =>
  expect(r.rows_read).toBe(r.rows_loaded + r.unreadable_row + r.blank_customer + r.duplicate_customer + r.bad_date + r.out_of_range_date + r.blank_event);

describe('customers file', () => {
  it('drops blank ids and repeated ids (first row kept), keeps customers whose signup date is unreadable, and counts each', async () => {
    const report = await apply(
      '客户.csv',
      [
        '会员ID,姓名,手机,注册时间,地区,备注', // 1
        'M001,张三,13800000001,2023-05-01,华东,', // 2
        ' ,李四,13800000002,2023-05-02,华北,无会员号', // 3
        'M002,王五,13800000003,2023-02-30,华南,', // 4 impossible date: kept without it
        '', // 5
        'M001,张三(重复),13800000001,2023-06-01,华东,重复', // 6
        '1003.0,赵六,13800000004,5/6/2023,西南,', // 7 a float id
      ].join('\n') + '\n',
      'customers',
    );
    expect(report).toMatchObject({
      file: '客户.csv', role: 'customers', rows_read: 5, rows_loaded: 3, blank_customer: 1, duplicate_customer: 1, bad_date: 0, blank_event: 0, bad_first_seen: 1,
    });
    identity(report);
    expect(report.examples).toEqual({
      blank_customer: [{ line: 3, column: '会员ID', value: null }],
      duplicate_customer: [{ line: 6, column: '会员ID', value: 'M001' }],
      bad_first_seen: [{ line: 4, column: '注册时间', value: '2023-02-30' }],
    });
    const got = await rows<{ customer_id: string; name: string; seen: string | null; region: string; 备注: string | null }>(
      db,
      `SELECT customer_id, name, strftime(first_seen, '%Y-%m-%d') AS seen, region, 备注 FROM customers ORDER BY customer_id`,
    );
    expect(got).toEqual([
      { customer_id: '1003', name: '赵六', seen: '2023-05-06', region: '西南', 备注: null },
      { customer_id: 'M001', name: '张三', seen: '2023-05-01', region: '华东', 备注: null },
      { customer_id: 'M002', name: '王五', seen: null, region: '华南', 备注: null },
    ]);
  });

  it('a file without a single customer id is refused and the loaded customers stay', async () => {
    const err = await inputError(apply('空.csv', 'customer_id,name\n ,a\n,b\n', 'customers'));
    expect(err).toMatchObject({ code: 'no_customer_rows', params: { file: '空.csv', column: 'customer_id' } });
    expect(err.message).toBe('空.csv, column "customer_id": no row has a customer id');
    const left = await rows<{ n: number }>(db, `SELECT count(*)::DOUBLE AS n FROM customers`);
    expect(left).toEqual([{ n: 3 }]);
  });
});

describe('events file', () => {
  it('drops rows without a customer, a readable time or an event name, and counts each with its line', async () => {
    const report = await apply(
      'events.csv',
      [
        'customer_id,event_time,event', // 1
        'c1,2024-03-01 10:00,visit', // 2
        ',2024-03-01 11:00,visit', // 3
        'c2,yesterday,inquiry', // 4
        'c2,2024-03-02 09:30,', // 5
        'c2,2024-03-02 09:30,quote', // 6
        'c2,2024-03-02 09:30,quote', // 7 the same event twice: both kept
        'c3,45352.25,trial', // 8 an Excel serial
      ].join('\r\n') + '\r\n',
      'events',
    );
    expect(report).toMatchObject({ role: 'events', rows_read: 7, rows_loaded: 4, blank_customer: 1, bad_date: 1, blank_event: 1, duplicate_customer: 0 });
    identity(report);
    expect(report.examples).toEqual({
      blank_customer: [{ line: 3, column: 'customer_id', value: null }],
      bad_date: [{ line: 4, column: 'event_time', value: 'yesterday' }],
      blank_event: [{ line: 5, column: 'event', value: null }],
    });
    const got = await rows<{ customer_id: string; ts: string; event: string; line: number }>(
      db,
      `SELECT customer_id, strftime(event_ts, '%Y-%m-%d %H:%M') AS ts, event, __line::DOUBLE AS line FROM events ORDER BY __line`,
    );
    expect(got).toEqual([
      { customer_id: 'c1', ts: '2024-03-01 10:00', event: 'visit', line: 2 },
      { customer_id: 'c2', ts: '2024-03-02 09:30', event: 'quote', line: 6 },
      { customer_id: 'c2', ts: '2024-03-02 09:30', event: 'quote', line: 7 },
      { customer_id: 'c3', ts: '2024-03-01 06:00', event: 'trial', line: 8 },
    ]);
    const none = await inputError(apply('bad-events.csv', 'customer_id,event_time,event\nc1,never,visit\n', 'events'));
    expect(none.code).toBe('no_event_rows');
    expect(await rows(db, `SELECT count(*)::DOUBLE AS n FROM events`)).toEqual([{ n: 4 }]);
  });
});
