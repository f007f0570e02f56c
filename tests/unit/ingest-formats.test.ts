// The same orders in every format and encoding the notebook reads give the same cleaned purchases as in CSV
// (real DuckDB-WASM; run under TZ=UTC and TZ=Asia/Shanghai).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import * as XLSX from '@e965/xlsx';
import * as pq from 'parquet-wasm';
import { Int32, makeData, makeVector, Table, tableToIPC, Timestamp, TimeUnit, Utf8, vectorFromArray } from 'apache-arrow';
import type { Db } from '../../src/db/db.ts';
import { openNodeDb } from '../../src/db/node.ts';
import { detectEncoding } from '../../src/ingest/sniff.ts';
import { ingest, purchases, utf8 } from './ingest-helpers.ts';

const fixture = (f: string) => fileURLToPath(new URL(`../fixtures/ingest/${f}`, import.meta.url));

let db: Db;
beforeAll(async () => {
  db = await openNodeDb();
});

const HEAD = ['订单号', '客户编号', '下单时间', '商品名称', '数量', '实付金额'];
const ROWS = [
  ['D001', 'C001', '2024-03-05 14:22:07', '保温杯', '1', '128.00'],
  ['D002', 'C002', '2024-03-06 09:05:00', '茶叶礼盒', '2', '199.00'],
  ['D003', 'C001', '2024-03-20 18:00:00', '咖啡豆', '1', '35.50'],
  ['D003', 'C001', '2024-03-20 18:00:00', '咖啡豆', '-1', '-5.50'],
  ['D004', '00007', '2024-04-01 10:00:00', '保温杯', '1', '128.00'],
  ['D005', 'C002', '2024-04-02 11:30:00', '马克杯, 大号', '3', '45.00'],
  ['D006', '', '2024-04-03 12:00:00', '马克杯', '1', '15.00'],
  ['D007', 'C003', '2024-04-30 23:59:59', '礼品卡', '1', '0.00'],
];

/** Delimited text with quoting where a value needs it. */
function delimited(rows: string[][], delim: string, eol = '\n'): string {
  const q = (v: string) => (v.includes(delim) || v.includes('"') || v.includes('\n') ? `"${v.replaceAll('"', '""')}"` : v);
  return rows.map((r) => r.map(q).join(delim)).join(eol) + eol;
}

const CSV = delimited([HEAD, ...ROWS], ',');

/** What the CSV gives: the reference every other format must equal. */
let expected: Awaited<ReturnType<typeof purchases>>;
beforeAll(async () => {
  const { report } = await ingest(db, 'orders.csv', utf8(CSV));
  expect(report).toMatchObject({ rows_read: 8, rows_loaded: 8, orders: 7, purchases: 7, customers: 4, guest_orders: 1 });
  expected = await purchases(db);
  expect(expected).toEqual([
    { customer_id: '00007', day: '2024-04-01', ts: '2024-04-01 10:00:00', net: '128.0000' },
    { customer_id: 'C001', day: '2024-03-05', ts: '2024-03-05 14:22:07', net: '128.0000' },
    { customer_id: 'C001', day: '2024-03-20', ts: '2024-03-20 18:00:00', net: '30.0000' },
    { customer_id: 'C002', day: '2024-03-06', ts: '2024-03-06 09:05:00', net: '199.0000' },
    { customer_id: 'C002', day: '2024-04-02', ts: '2024-04-02 11:30:00', net: '45.0000' },
    { customer_id: 'C003', day: '2024-04-30', ts: '2024-04-30 23:59:59', net: '0.0000' },
    { customer_id: null, day: '2024-04-03', ts: '2024-04-03 12:00:00', net: '15.0000' },
  ]);
});

function utf16(text: string, order: 'le' | 'be', bom: boolean): Uint8Array {
  const le = Buffer.from((bom ? '\ufeff' : '') + text, 'utf16le');
  if (order === 'le') return new Uint8Array(le);
  const be = new Uint8Array(le.length);
  for (let i = 0; i < le.length; i += 2) [be[i], be[i + 1]] = [le[i + 1], le[i]];
  return be;
}

describe('delimited text', () => {
  it.each([
    ['comma', ',', 'orders.csv', []],
    ['tab', '\t', 'orders.tsv', [{ code: 'delimiter_tab' }]],
    ['semicolon', ';', 'orders.csv', [{ code: 'delimiter', value: ';' }]],
    ['pipe', '|', 'orders.txt', [{ code: 'delimiter', value: '|' }]],
  ])('%s-separated, CRLF line ends', async (_, delim, file, notes) => {
    const { loaded } = await ingest(db, file, utf8(delimited([HEAD, ...ROWS], delim, '\r\n')));
    expect(loaded.raw.format).toBe('csv');
    expect(loaded.raw.notes).toEqual(notes);
    expect(loaded.mapping).toMatchObject({ order_id: '订单号', customer_id: '客户编号', order_ts: '下单时间', amount: '实付金额', quantity: '数量', product: '商品名称' });
    expect(await purchases(db)).toEqual(expected);
    const label = await db.query(`SELECT product FROM orders WHERE order_id = 'D005'`);
    expect(label.getChild('product')?.get(0)).toBe('马克杯, 大号');
  });

  it('reads doubled quotes inside quoted values as one quote, even when the sniffer does not say so', async () => {
    const text = 'order_id,customer_id,order_date,amount,product\nA1,c1,2024-01-02,10,"12"" pizza"\nA2,c2,2024-01-03,20,"say ""hi"", twice"\n';
    await ingest(db, 'quotes.csv', utf8(text));
    const got = await db.query(`SELECT list(product ORDER BY order_id) AS p FROM orders`);
    expect([...got.getChild('p')!.get(0)!]).toEqual(['12" pizza', 'say "hi", twice']);
  });

  it('whitespace-separated with a header, and without one (mapped from the values), equal the same rows in CSV', async () => {
    const rows = ROWS.filter((r) => r[1] !== '').map(([o, c, ts, , q, a]) => [o, c, ts.replace(' ', 'T'), q, a]);
    await ingest(db, 'same.csv', utf8(delimited([['order_id', 'customer_id', 'order_date', 'quantity', 'amount'], ...rows], ',')));
    const same = await purchases(db);
    expect(same).toHaveLength(6);
    const spaced = rows.map((r) => r.map((v, i) => v.padEnd(i === 2 ? 22 : 8)).join(' \t')).join('\n');
    const head = await ingest(db, 'orders.txt', utf8(['order_id   customer_id\torder_date   quantity amount', spaced].join('\n') + '\n'));
    expect(head.loaded.raw).toMatchObject({ format: 'whitespace', header: true, notes: [{ code: 'whitespace' }] });
    expect(await purchases(db)).toEqual(same);
    // Headerless, the customers in the first column and no order ids: one order per customer and time.
    const bare = rows.map(([, c, ts, q, a]) => `${c}  ${ts}   ${q}  ${a}`).join('\r\n') + '\r\n';
    const none = await ingest(db, 'orders.dat', utf8(bare));
    expect(none.loaded.raw).toMatchObject({ format: 'whitespace', header: false, columns: ['column1', 'column2', 'column3', 'column4'], notes: [{ code: 'whitespace' }, { code: 'no_header' }] });
    expect(none.loaded.mapping).toMatchObject({ customer_id: 'column1', order_ts: 'column2', amount: 'column4' });
    expect(await purchases(db)).toEqual(same);
  });

  it('headerless comma-separated text is mapped from its values', async () => {
    const rows = ROWS.filter((r) => r[1] !== '').map(([, c, ts, , , a]) => [c, ts, a]);
    await ingest(db, 'with-head.csv', utf8(delimited([['customer', 'date', 'amount'], ...rows], ',')));
    const same = await purchases(db);
    const { loaded } = await ingest(db, 'no-head.csv', utf8(delimited(rows, ',')));
    expect(loaded.raw.header).toBe(false);
    expect(loaded.mapping).toMatchObject({ customer_id: 'column0', order_ts: 'column1', amount: 'column2' });
    expect(await purchases(db)).toEqual(same);
  });
});

describe('encodings', () => {
  it.each([
    ['UTF-8 with a BOM', () => new Uint8Array([0xef, 0xbb, 0xbf, ...utf8(CSV)]), 'utf-8'],
    ['UTF-16 LE with a BOM', () => utf16(CSV, 'le', true), 'utf-16le'],
    ['UTF-16 BE with a BOM', () => utf16(CSV, 'be', true), 'utf-16be'],
    ['UTF-16 LE without a BOM', () => utf16(CSV, 'le', false), 'utf-16le'],
    ['UTF-16 BE without a BOM', () => utf16(CSV, 'be', false), 'utf-16be'],
  ])('%s', async (_, bytes, encoding) => {
    const { loaded } = await ingest(db, 'orders.csv', bytes());
    expect(loaded.raw.encoding).toBe(encoding);
    expect(loaded.raw.columns[0]).toBe('订单号'); // no BOM left on the first header
    expect(await purchases(db)).toEqual(expected);
  });

  it.each([
    ['gbk.csv', 'gbk.utf8.csv'],
    ['gb18030.csv', 'gb18030.utf8.csv'],
  ])('%s (real GBK / GB18030 bytes, ￥ amounts) equals its UTF-8 twin', async (file, twin) => {
    const bytes = new Uint8Array(readFileSync(fixture(file)));
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();
    expect(detectEncoding(bytes).encoding).toBe('gb18030');
    const u = await ingest(db, twin, new Uint8Array(readFileSync(fixture(twin))));
    const reference = await purchases(db);
    const g = await ingest(db, file, bytes);
    expect(g.loaded.raw.encoding).toBe('gb18030');
    expect(g.loaded.raw.columns).toEqual(['订单号', '客户编号', '下单时间', '商品名称', '数量', '单价', '实付金额', '渠道', '订单状态']);
    expect(g.loaded.mapping).toMatchObject({ order_id: '订单号', customer_id: '客户编号', order_ts: '下单时间', amount: '实付金额', unit_price: '单价', channel: '渠道', status: '订单状态' });
    expect(await purchases(db)).toEqual(reference);
    expect({ ...g.report, file: '' }).toEqual({ ...u.report, file: '' });
    // ￥1,288.00 read as 1288; 2024/2/30 is no date; "abc" is no amount; 已退款 nets D003 to zero.
    expect(g.report).toMatchObject({ rows_read: 6, rows_loaded: 4, bad_date: 1, bad_amount: 1, blank_customer: 1, refund_lines: 1, orders: 4, purchases: 3 });
    expect(g.report.examples.bad_date).toEqual([{ line: 5, column: '下单时间', value: '2024/2/30 10:00:00' }]);
    expect(g.report.examples.bad_amount).toEqual([{ line: 6, column: '实付金额', value: 'abc' }]);
    expect(reference.map((p) => p.net)).toEqual(['1288.0000', '199.0000', '99.5000']);
  });
});

describe('Excel', () => {
  const cell = (v: number, z: string) => ({ t: 'n', v, z }) as XLSX.CellObject;
  /** The rows as a sheet: real date cells (Excel serials with a date format) and numbers, a blank row at the top and one in between. */
  function sheet(rows: string[][]): XLSX.WorkSheet {
    const serial = (ts: string) => (Date.parse(ts.replace(' ', 'T') + 'Z') - Date.UTC(1899, 11, 30)) / 86_400_000;
    const num = (v: string) => (Number.isNaN(Number(v)) ? v : Number(v));
    const body = rows.map(([o, c, ts, p, q, a]) => [o, c === '' ? null : c, cell(serial(ts), 'yyyy-mm-dd hh:mm:ss'), p, num(q), num(a)]);
    return XLSX.utils.aoa_to_sheet([[], HEAD, ...body.slice(0, 3), [], ...body.slice(3)]);
  }
  function book(bookType: 'xlsx' | 'biff8' = 'xlsx'): Uint8Array {
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, sheet(ROWS.slice(0, 2)), '2023年');
    XLSX.utils.book_append_sheet(wb, sheet(ROWS), '全部订单');
    return new Uint8Array(XLSX.write(wb, { type: 'array', bookType }) as ArrayBuffer);
  }

  it('reads the sheet asked for (the second of two) like the CSV, and lists both', async () => {
    const first = await ingest(db, 'orders.xlsx', book());
    expect(first.loaded.raw).toMatchObject({ format: 'xlsx', sheets: ['2023年', '全部订单'], sheet: '2023年', rows: 2 });
    const second = await ingest(db, 'orders.xlsx', book(), { sheet: '全部订单' });
    expect(second.loaded.raw).toMatchObject({ sheet: '全部订单', rows: 8 });
    expect(await purchases(db)).toEqual(expected);
  });

  it('reads an Excel 97–2003 workbook (.xls, BIFF8) like the .xlsx', async () => {
    const xls = book('biff8');
    expect([...xls.subarray(0, 4)]).toEqual([0xd0, 0xcf, 0x11, 0xe0]);
    const { loaded } = await ingest(db, '订单导出.xls', xls, { sheet: '全部订单' });
    expect(loaded.raw).toMatchObject({ format: 'xls', sheets: ['2023年', '全部订单'], sheet: '全部订单', rows: 8 });
    expect(await purchases(db)).toEqual(expected);
  });

  it('names the sheet row of a fault (blank rows above and between are counted)', async () => {
    const bad = ROWS.map((r) => [...r]);
    bad[4][5] = 'n/a'; // the 5th data row: below the blank top row, the header and a blank row → sheet row 8
    const ws = sheet(bad);
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet([['说明'], ['导出于 2024 年']]), '封面');
    XLSX.utils.book_append_sheet(wb, ws, '订单');
    const bytes = new Uint8Array(XLSX.write(wb, { type: 'array', bookType: 'xlsx' }) as ArrayBuffer);
    const { loaded, report } = await ingest(db, 'book.xlsx', bytes);
    expect(loaded.raw.sheet).toBe('订单'); // the cover sheet has nothing to map: the next sheet is read
    expect(XLSX.utils.encode_cell({ r: 7, c: 5 })).toBe('F8');
    expect(ws.F8?.v).toBe('n/a');
    expect(report.examples.bad_amount).toEqual([{ line: 8, column: '实付金额', value: 'n/a' }]);
  });
});

describe('Parquet', () => {
  it('typed columns (timestamps, integers) give the same purchases as the CSV', async () => {
    const micros = (ts: string) => BigInt(Date.parse(ts.replace(' ', 'T') + 'Z')) * 1000n;
    const col = (i: number) => ROWS.map((r) => (r[i] === '' ? null : r[i]));
    const t = new Table({
      订单号: vectorFromArray(col(0), new Utf8()),
      客户编号: vectorFromArray(col(1), new Utf8()),
      下单时间: makeVector(makeData({ type: new Timestamp(TimeUnit.MICROSECOND, null), length: ROWS.length, data: new BigInt64Array(ROWS.map((r) => micros(r[2]))) })),
      商品名称: vectorFromArray(col(3), new Utf8()),
      数量: vectorFromArray(ROWS.map((r) => Number(r[4])), new Int32()),
      实付金额: vectorFromArray(col(5), new Utf8()),
    });
    const bytes = pq.writeParquet(pq.Table.fromIPCStream(tableToIPC(t, 'stream')));
    const { loaded, report } = await ingest(db, 'orders.parquet', bytes);
    expect(loaded.raw).toMatchObject({ format: 'parquet', rows: 8 });
    expect(report.rows_loaded).toBe(8);
    expect(await purchases(db)).toEqual(expected);
  });
});

describe('JSON', () => {
  const records = ROWS.map((r) => Object.fromEntries(HEAD.map((h, i) => [h, i === 4 || i === 5 ? Number(r[i]) : r[i]])));

  it('an array of records, and records in an object, equal the CSV', async () => {
    const a = await ingest(db, 'orders.json', utf8(JSON.stringify(records, null, 2)));
    expect(a.loaded.raw.format).toBe('json');
    expect(await purchases(db)).toEqual(expected);
    await ingest(db, 'export.json', utf8(JSON.stringify({ exported: '2024-05-01', orders: records })));
    expect(await purchases(db)).toEqual(expected);
  });

  it('NDJSON with blank lines equals the CSV', async () => {
    const text = records.map((r) => JSON.stringify(r)).join('\r\n\n') + '\n';
    const { loaded } = await ingest(db, 'orders.ndjson', utf8(text));
    expect(loaded.raw.format).toBe('ndjson');
    expect(await purchases(db)).toEqual(expected);
  });

  it('names the file line a faulty record starts on', async () => {
    const bad = records.map((r) => ({ ...r }));
    bad[2]['下单时间'] = '2024-02-30 10:00:00';
    bad[6]['实付金额'] = 'free' as unknown as number;
    // NDJSON: one record per line, a blank line after each → record k on line 2k − 1.
    const nd = await ingest(db, 'orders.ndjson', utf8(bad.map((r) => JSON.stringify(r)).join('\n\n') + '\n'));
    expect(nd.report.examples.bad_date).toEqual([{ line: 5, column: '下单时间', value: '2024-02-30 10:00:00' }]);
    expect(nd.report.examples.bad_amount).toEqual([{ line: 13, column: '实付金额', value: 'free' }]);
    // Pretty-printed JSON in an object: `{ "orders": [` on lines 1–2, then 8 lines per record (braces and 6 fields).
    const pretty = JSON.stringify({ orders: bad }, null, 2);
    const js = await ingest(db, 'orders.json', utf8(pretty));
    const startOf = (k: number) => pretty.split('\n').findIndex((l, i) => l === '    {' && pretty.split('\n').slice(0, i + 1).filter((x) => x === '    {').length === k + 1) + 1;
    expect(js.report.examples.bad_date?.[0].line).toBe(startOf(2));
    expect(js.report.examples.bad_amount?.[0].line).toBe(startOf(6));
    expect(startOf(2)).toBe(19);
  });
});
