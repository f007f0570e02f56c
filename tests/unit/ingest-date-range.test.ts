// Dates outside the plausible range (before the floor setting, default 1970-01-01, or after the day the analysis
// runs) are a cleaning reason of their own, out_of_range_date: counted with example lines and not loaded, so that one
// row dated 2099 cannot move the as-of date (MODELS.md §1). Real DuckDB-WASM, hand-counted fixtures.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../../src/cli/analyze.ts';
import { rows, type Db } from '../../src/db/db.ts';
import { openNodeDb } from '../../src/db/node.ts';
import { localDay } from '../../src/ingest/date-range.ts';
import { applyMapping, formatInputError, loadFile, type TableReport } from '../../src/ingest/index.ts';
import { en } from '../../src/i18n/en.ts';
import { zh } from '../../src/i18n/zh.ts';
import { resolveAsOf } from '../../src/models/asof.ts';
import { expectIdentity, ingest, inputError, purchases, utf8 } from './ingest-helpers.ts';

let db: Db;
beforeAll(async () => {
  db = await openNodeDb();
});

const ORDERS = [
  'order_id,customer_id,order_date,amount', // 1
  'A1,c1,2024-01-10,100', // 2 loaded
  'A2,c2,2024-06-30 23:59:59,50', // 3 loaded: the last second of "today"
  'A3,c1,2024-07-01,20', // 4 out of range: the day after "today"
  'A4,c2,2099-01-01,999', // 5 out of range
  'A4,c2,2099-01-01,999', // 6 duplicate of line 5 (duplicate comes before out of range)
  'A5,c3,1969-12-31 23:59,10', // 7 out of range: before the floor
  'A6,c3,1970-01-01,15', // 8 loaded: the floor day itself
  'A7,c3,2099-02-01,abc', // 9 out of range (comes before the unreadable amount)
  'A8,c1,someday,abc', // 10 bad date (comes before the unreadable amount)
  'A9,c2,2024-02-01,xyz', // 11 bad amount
  'A10,c3,0099-01-01,5', // 12 out of range: year 99
].join('\n') + '\n';

describe('orders dated outside the plausible range', () => {
  it('are counted as out_of_range_date with their line and value, after duplicates and bad dates, before bad amounts', async () => {
    const { report } = await ingest(db, 'range.csv', utf8(ORDERS), { today: '2024-06-30' });
    expect(report).toMatchObject({
      rows_read: 11, rows_loaded: 3, duplicates_removed: 1, bad_date: 1, out_of_range_date: 5, bad_amount: 1,
      date_range: { floor: '1970-01-01', today: '2024-06-30' },
    });
    expectIdentity(report);
    expect(report.examples.out_of_range_date).toEqual([
      { line: 4, column: 'order_date', value: '2024-07-01' },
      { line: 5, column: 'order_date', value: '2099-01-01' },
      { line: 7, column: 'order_date', value: '1969-12-31 23:59' },
      { line: 9, column: 'order_date', value: '2099-02-01' },
      { line: 12, column: 'order_date', value: '0099-01-01' },
    ]);
    expect(report.examples.duplicate).toEqual([{ line: 6, column: undefined, value: null }]);
    expect(report.examples.bad_date).toEqual([{ line: 10, column: 'order_date', value: 'someday' }]);
    expect(report.examples.bad_amount).toEqual([{ line: 11, column: 'amount', value: 'xyz' }]);
    expect(await purchases(db)).toEqual([
      { customer_id: 'c1', day: '2024-01-10', ts: '2024-01-10 00:00:00', net: '100.0000' },
      { customer_id: 'c2', day: '2024-06-30', ts: '2024-06-30 23:59:59', net: '50.0000' },
      { customer_id: 'c3', day: '1970-01-01', ts: '1970-01-01 00:00:00', net: '15.0000' },
    ]);
    // The as-of date is the day after the last purchase that was loaded, not 2099-02-02.
    expect(await resolveAsOf(db)).toBe('2024-07-01');
  });

  it('the floor is a setting: a later floor leaves out the rows before it', async () => {
    const { report } = await ingest(db, 'range.csv', utf8(ORDERS), { today: '2024-06-30', cleaning: { dateFloor: '2024-01-01' } });
    expect(report).toMatchObject({ rows_read: 11, rows_loaded: 2, out_of_range_date: 6, date_range: { floor: '2024-01-01', today: '2024-06-30' } });
    expectIdentity(report);
    expect(report.examples.out_of_range_date!.map((e) => e.line)).toEqual([4, 5, 7, 8, 9]);
    const floorDay = await ingest(db, 'floor.csv', utf8('customer_id,order_date,amount\nc1,2023-12-31 23:59:59,1\nc1,2024-01-01 00:00:00,2\n'), {
      today: '2024-06-30', cleaning: { dateFloor: '2024-01-01' },
    });
    expect(floorDay.report).toMatchObject({ rows_loaded: 1, out_of_range_date: 1, examples: { out_of_range_date: [{ line: 2, value: '2023-12-31 23:59:59' }] } });
  });

  it('today is the machine’s date unless given: a row dated today loads, one in 2099 does not', async () => {
    const today = localDay();
    const { report } = await ingest(db, 'now.csv', utf8(`customer_id,order_date,amount\nc1,${today} 00:00:01,5\nc2,2099-01-01,7\n`));
    expect(report).toMatchObject({ rows_read: 2, rows_loaded: 1, out_of_range_date: 1, date_range: { floor: '1970-01-01', today } });
    expect(localDay(new Date(2024, 1, 9, 23, 30))).toBe('2024-02-09');
  });

  it('a floor that is not a date is refused with the setting named', async () => {
    await expect(ingest(db, 'range.csv', utf8(ORDERS), { cleaning: { dateFloor: '1970-13-01' } })).rejects.toThrow(
      'cleaning.dateFloor must be a date written YYYY-MM-DD, got "1970-13-01"',
    );
  });

  it('a file whose every date is out of range is refused with the range, in both languages, and the loaded orders stay', async () => {
    await ingest(db, 'good.csv', utf8('customer_id,order_date,amount\nc1,2024-01-02,10\n'), { slot: 'raw_good' });
    const before = await purchases(db);
    const err = await inputError(ingest(db, 'future.csv', utf8('customer_id,order_date,amount\nc1,2099-01-01,10\nc2,2099-01-02,20\n'), { today: '2024-06-30' }));
    expect(err).toMatchObject({ code: 'no_rows_in_range', params: { line: 2, column: 'order_date', value: '2099-01-01', from: '1970-01-01', to: '2024-06-30' } });
    expect(err.message).toBe(
      'future.csv, line 2, column "order_date" (value "2099-01-01"): no row could be loaded: every date is before 1970-01-01 or after today (2024-06-30); the earliest date can be changed in the cleaning settings',
    );
    expect(formatInputError(zh, err.code, err.params)).toBe(
      'future.csv，第 2 行，“order_date”列（值为“2099-01-01”）：没有一行可以载入：日期都早于 1970-01-01 或晚于今天（2024-06-30）；最早日期可在清洗设置中修改',
    );
    expect(formatInputError(en, err.code, err.params)).toBe(err.message);
    expect(await purchases(db)).toEqual(before);
  });
});

describe('one row dated 2099 in the sample store (38,764 rows)', () => {
  const sample = join(dirname(fileURLToPath(import.meta.url)), '../../sample-data/orders.csv');
  const text = readFileSync(sample, 'utf8');
  const dir = mkdtempSync(join(tmpdir(), 'crm-range-'));
  const polluted = join(dir, 'orders-2099.csv');
  writeFileSync(polluted, text + 'DD2099010001,C00141,2099-01-01 10:00:00,香薰蜡烛,香薰,1,69.00,69.00,小程序,已完成\n');

  it('leaves the as-of date at the day after the real last purchase and the lifecycle as without the row', async () => {
    expect(text.endsWith('\n')).toBe(true);
    const models = ['overview', 'lifecycle'] as const;
    const clean = await analyze({ orders: sample, models: [...models] });
    const withRow = await analyze({ orders: polluted, models: [...models] });
    const c = clean.cleaning as Record<string, unknown>;
    const w = withRow.cleaning as Record<string, unknown> & { examples: Record<string, unknown> };
    expect(w.rows_read).toBe((c.rows_read as number) + 1);
    expect(w).toMatchObject({ rows_loaded: c.rows_loaded, out_of_range_date: 1, bad_date: c.bad_date, bad_amount: c.bad_amount, duplicates_removed: c.duplicates_removed });
    expect(w.examples.out_of_range_date).toEqual([{ line: 38766, column: '下单时间', value: '2099-01-01 10:00:00' }]);
    expect(c.out_of_range_date).toBe(0);
    // The last purchase in the sample is on 2025-12-31 (sample-data/README.md).
    expect((withRow.lifecycle as { as_of: string }).as_of).toBe('2026-01-01');
    expect(withRow.lifecycle).toEqual(clean.lifecycle);
    expect(withRow.overview).toEqual(clean.overview);
  }, 120_000);
});

describe('the headless command', () => {
  it('takes the floor from --settings for the orders and the events file alike', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crm-floor-'));
    const orders = join(dir, 'orders.csv');
    const events = join(dir, 'events.csv');
    writeFileSync(orders, 'customer_id,order_date,amount\nc1,2019-12-31,5\nc1,2020-01-01,7\nc2,2020-06-01,9\n');
    writeFileSync(events, 'customer_id,event_ts,event\nc1,2019-05-01 10:00,visit\nc2,2020-05-01 10:00,visit\n');
    const out = await analyze({ orders, events, models: ['overview'], settings: { cleaning: { dateFloor: '2020-01-01' } } });
    expect(out.cleaning).toMatchObject({ rows_read: 3, rows_loaded: 2, out_of_range_date: 1, date_range: { floor: '2020-01-01' }, examples: { out_of_range_date: [{ line: 2, value: '2019-12-31' }] } });
    expect(out.cleaning_events).toMatchObject({ rows_read: 2, rows_loaded: 1, out_of_range_date: 1, date_range: { floor: '2020-01-01' } });
    expect(out.overview).toMatchObject({ customers: 2, purchases: 2, revenue: 16, first_day: '2020-01-01', as_of: '2020-06-02' });
  }, 60_000);
});

describe('customers and events files', () => {
  async function apply(file: string, text: string, role: 'customers' | 'events', floor?: string): Promise<TableReport> {
    const src = await loadFile(db, file, utf8(text), `raw_${role}`, { role });
    return (await applyMapping(db, src, src.mapping, floor ? { dateFloor: floor } : {}, { today: '2024-06-30' })).table!;
  }
  const identity = (r: TableReport) => expect(r.rows_read).toBe(r.rows_loaded + r.blank_customer + r.duplicate_customer + r.bad_date + r.out_of_range_date + r.blank_event);

  it('an event dated out of range is left out and counted, after a blank customer and a bad time, before a blank event', async () => {
    const report = await apply(
      'events.csv',
      [
        'customer_id,event_time,event', // 1
        'c1,2024-03-01 10:00,visit', // 2 loaded
        'c2,2099-01-01 00:00,visit', // 3 out of range
        ',2099-01-01,visit', // 4 blank customer
        'c3,1900-01-01,visit', // 5 out of range
        'c4,2099-01-01,', // 6 out of range (before blank event)
        'c5,2024-03-02,', // 7 blank event
        'c6,2024-07-01 00:00,quote', // 8 out of range: the day after "today"
      ].join('\n') + '\n',
      'events',
    );
    expect(report).toMatchObject({ rows_read: 7, rows_loaded: 1, blank_customer: 1, bad_date: 0, out_of_range_date: 4, blank_event: 1, date_range: { floor: '1970-01-01', today: '2024-06-30' } });
    identity(report);
    expect(report.examples.out_of_range_date).toEqual([
      { line: 3, column: 'event_time', value: '2099-01-01 00:00' },
      { line: 5, column: 'event_time', value: '1900-01-01' },
      { line: 6, column: 'event_time', value: '2099-01-01' },
      { line: 8, column: 'event_time', value: '2024-07-01 00:00' },
    ]);
    expect(await rows(db, `SELECT customer_id FROM events`)).toEqual([{ customer_id: 'c1' }]);
  });

  it('a customer whose signup date is out of range is kept without it, and counted', async () => {
    const report = await apply(
      '客户.csv',
      ['会员ID,姓名,注册时间', 'M1,甲,2023-05-01', 'M2,乙,2099-01-01', 'M3,丙,1900-01-01', 'M4,丁,2023-02-30', 'M5,戊,2020-01-01'].join('\n') + '\n',
      'customers',
      '2021-01-01',
    );
    expect(report).toMatchObject({ rows_read: 5, rows_loaded: 5, bad_first_seen: 1, out_of_range_first_seen: 3, date_range: { floor: '2021-01-01', today: '2024-06-30' } });
    identity(report);
    expect(report.examples.out_of_range_first_seen).toEqual([
      { line: 3, column: '注册时间', value: '2099-01-01' },
      { line: 4, column: '注册时间', value: '1900-01-01' },
      { line: 6, column: '注册时间', value: '2020-01-01' },
    ]);
    expect(report.examples.bad_first_seen).toEqual([{ line: 5, column: '注册时间', value: '2023-02-30' }]);
    expect(await rows(db, `SELECT customer_id, strftime(first_seen, '%Y-%m-%d') AS seen FROM customers ORDER BY customer_id`)).toEqual([
      { customer_id: 'M1', seen: '2023-05-01' },
      { customer_id: 'M2', seen: null },
      { customer_id: 'M3', seen: null },
      { customer_id: 'M4', seen: null },
      { customer_id: 'M5', seen: null },
    ]);
  });
});
